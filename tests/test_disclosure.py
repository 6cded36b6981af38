"""Disclosure control: what a publication pack hides, and property tests that nothing hidden can be worked
back by subtraction from what is shown."""
from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import disclosure

counts = st.lists(st.one_of(st.integers(0, 12), st.integers(0, 400), st.none()), min_size=1, max_size=30)


def frame(values, numerators=None, denominators=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"value": [math.nan if v is None else float(v) for v in values],
                         "numerator": numerators or [math.nan] * n, "denominator": denominators or [math.nan] * n})


def test_counts_from_1_to_5_are_hidden_and_zero_is_shown():
    hidden = disclosure.suppressed_values(frame([0, 1, 3, 5, 6, 120, None]), "count")
    assert hidden == [False, True, True, True, False, False, False]


def test_percentage_from_a_small_numerator_or_denominator_is_hidden():
    series = frame([50.0, 80.0, 100.0, 90.0], numerators=[2, 40, 4, 900], denominators=[4, 50, 4, 1000])
    assert disclosure.suppressed_values(series, "%") == [True, False, True, False]


def test_rate_is_hidden_where_the_count_it_comes_from_is():
    series = frame([0.9, 12.0])
    assert disclosure.suppressed_values(series, "rate", base_suppressed=[True, False]) == [True, False]


def test_measures_that_are_not_counts_of_children_are_shown():
    assert disclosure.suppressed_values(frame([3.0, 4.5]), "FTE") == [False, False]
    assert disclosure.suppressed_values(frame([3.0, 4.5]), "cases") == [False, False]


def test_england_counts_round_to_the_nearest_ten_and_percentages_do_not():
    assert disclosure.round_national(632_834, "count") == 632_830
    assert disclosure.round_national(632_835, "count") == 632_840
    assert disclosure.round_national(85.7, "%") == 85.7
    assert disclosure.round_national(None, "count") is None


def test_a_neighbour_average_that_is_a_small_total_is_hidden():
    assert disclosure.average_hidden(0.3, 10, "count")  # ten councils with 3 between them
    assert not disclosure.average_hidden(0.0, 10, "count")
    assert not disclosure.average_hidden(4.0, 10, "count")
    assert not disclosure.average_hidden(0.3, 10, "%")


def test_a_change_next_to_a_hidden_month_is_hidden():
    values = [10.0, 3.0, 12.0, 20.0]
    hidden = disclosure.suppressed_values(frame(values), "count")
    assert disclosure.changes(values, hidden) == [None, None, None, 8.0]


def recoverable(shown: list[float | None], changes: list[float | None]) -> set[int]:
    """What a reader can work out: start from the values shown and follow every change shown, in both
    directions, until nothing new is learnt. Returns the positions whose value becomes known."""
    known = {i for i, v in enumerate(shown) if v is not None}
    grew = True
    while grew:
        grew = False
        for i, change in enumerate(changes):
            if change is None or i == 0:
                continue
            if (i - 1 in known) != (i in known):
                known |= {i - 1, i}
                grew = True
    return known


@given(counts)
@settings(max_examples=300, deadline=None)
def test_no_hidden_count_can_be_worked_out_from_the_values_and_changes_shown(values):
    hidden = disclosure.suppressed_values(frame(values), "count")
    shown = [None if h or v is None else v for v, h in zip(values, hidden)]
    changes = disclosure.changes(values, hidden)
    known = recoverable(shown, changes)
    assert not any(hidden[i] for i in known)
    for i, v in enumerate(shown):
        assert v is None or not disclosure.is_small(v)


@given(counts)
@settings(max_examples=300, deadline=None)
def test_every_count_from_1_to_5_is_hidden_and_nothing_else_is(values):
    hidden = disclosure.suppressed_values(frame(values), "count")
    for value, hide in zip(values, hidden):
        assert hide == (value is not None and 1 <= value <= 5)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=12), st.integers(1, 12))
@settings(max_examples=300, deadline=None)
def test_a_shown_neighbour_average_never_gives_back_a_total_of_1_to_5(values, members):
    average = sum(values[:members]) / members
    total = round(average * members)
    assert disclosure.average_hidden(average, members, "count") == (1 <= total <= 5)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_no_percentage_shown_comes_from_a_small_count(pairs):
    numerators = [min(a, b) for a, b in pairs]
    denominators = [max(a, b) for a, b in pairs]
    values = [100 * n / d if d else None for n, d in zip(numerators, denominators)]
    hidden = disclosure.suppressed_values(frame(values, numerators, denominators), "%")
    for value, n, d, hide in zip(values, numerators, denominators, hidden):
        if value is not None and not hide:
            assert not (1 <= n <= 5) and not (1 <= d <= 5)
