"""Disclosure control: what a publication pack hides, and property tests that nothing hidden can be worked
back by subtraction from what is shown."""
from __future__ import annotations

import math

import pandas as pd
import pytest
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


def test_the_reviews_three_percentages_are_hidden_with_the_count_they_are_of():
    """0.5% of 815 children looked after is 4 children; 99.5% of 815 visited leaves 4 not visited; 1.1% of 450
    is 5 children. Each is hidden when the denominator KPI holds the total; 50% of 815 is shown."""
    series = frame([0.5, 99.5, 1.1, 50.0])
    totals = [815, 815, 450, 815]
    assert disclosure.suppressed_values(series, "%", totals, decimals=1) == [True, True, True, False]
    assert disclosure.possible_counts(0.5, 815, 1) == (4, 4)
    assert disclosure.possible_counts(1.1, 450, 1) == (5, 5)


def test_a_percentage_whose_total_is_not_known_is_hidden():
    series = frame([50.0, 50.0, 50.0])
    assert disclosure.suppressed_values(series, "%", [None, math.nan, 0], decimals=1) == [True, True, True]
    assert disclosure.suppressed_values(series, "%", decimals=1) == [True, True, True]


def test_a_loaded_numerator_and_denominator_are_a_known_total():
    series = frame([50.0, 99.5, 50.0], numerators=[400, 796, 400], denominators=[800, 800, math.nan])
    assert disclosure.suppressed_values(series, "%", decimals=1) == [False, True, True]


def test_rounding_as_stored_and_as_printed_is_allowed_for():
    assert disclosure.percentage_range(0.5, 1) == pytest.approx((0.45, 0.55))
    assert disclosure.percentage_range(1.0, 1) == pytest.approx((0.5, 1.5))  # 1.0 may have been a whole 1
    assert disclosure.percentage_range(0.4938, 1) == pytest.approx((0.45, 0.55))  # stored finer, printed 0.5
    assert disclosure.suppressed_values(frame([0.0, 100.0, 0.0]), "%", [815, 815, 20_000], decimals=1) == \
        [True, True, True]  # a whole 0 or 100 of 815 could be up to 4 either way
    assert disclosure.suppressed_values(frame([0.01]), "%", [20_000], decimals=2) == [True]
    assert disclosure.suppressed_values(frame([12.34]), "%", [20_000], decimals=2) == [False]


def test_a_total_that_no_whole_number_fits_is_read_as_a_reader_would_round_it():
    assert disclosure.possible_counts(0.7, 100, 1) == (0, 1)
    assert disclosure.possible_counts(86.6, 475, 1) == (411, 412)


def test_staff_percentages_are_not_counts_of_children():
    series = frame([12.0, 3.0, 50.0], numerators=[math.nan, 2, 20], denominators=[math.nan, 60, 40])
    assert disclosure.suppressed_values(series, "%", decimals=1, subject=disclosure.STAFF) == [False, True, False]


def test_rate_is_hidden_where_the_count_it_comes_from_is_1_to_5_or_unknown():
    series = frame([0.9, 12.0, 0.0, 7.5, 3.1])
    counts = [3, 120, 0, None, math.nan]
    assert disclosure.suppressed_values(series, "rate", counts) == [True, False, False, True, True]
    assert disclosure.suppressed_values(series, "rate") == [True] * 5  # no count named: nothing shows it is safe
    loaded = frame([0.9, 12.0], numerators=[4, 200], denominators=[44_000, 166_000])
    assert disclosure.suppressed_values(loaded, "rate") == [True, False]


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


def _printed(value: float, decimals: int) -> float:
    return round(value, decimals)


@given(st.integers(1, 3000), st.data(), st.integers(0, 2))
@settings(max_examples=400, deadline=None)
def test_no_percentage_shown_could_be_worked_back_to_1_to_5_children_or_to_1_to_5_left_out(total, data, held):
    """A reader who knows the total (the denominator KPI) and sees the percentage, to the decimals it was stored
    with or printed with, tries every count from 1 to 5 of the children and of the rest: none may fit."""
    count = data.draw(st.integers(0, total))
    stored = round(100 * count / total, held)
    hidden = disclosure.suppressed_values(frame([stored]), "%", [total], decimals=1)[0]
    if hidden:
        return
    for k in range(1, 6):
        for guess in (k, total - k):
            if not 0 <= guess <= total:
                continue
            exact = 100 * guess / total
            assert abs(exact - stored) > 0.5 * 10 ** -held + 1e-9, (stored, total, guess)
            assert _printed(exact, 1) != _printed(stored, 1), (stored, total, guess)


@given(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 900), st.booleans()), min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_a_percentage_is_shown_only_with_a_total_known(rows):
    values = [100 * min(a, b) / max(a, b) if max(a, b) else None for a, b, _ in rows]
    totals = [max(a, b) if known else None for a, b, known in rows]
    hidden = disclosure.suppressed_values(frame(values), "%", totals, decimals=1)
    for value, total, hide in zip(values, totals, hidden):
        if value is not None and not hide:
            assert total


def test_a_direction_compares_the_latest_known_value_with_the_one_before():
    assert disclosure.known_pair([1.0, None, 2.0, math.nan]) == (2, 0)
    assert disclosure.known_pair([None, 3.0]) == (1, None)
    assert disclosure.known_pair([]) == (None, None)


def teams(values, bases=None) -> pd.DataFrame:
    table = frame(values)
    if bases is not None:
        table["base"] = bases
    return table


def test_a_small_team_count_is_hidden_with_the_smallest_other_team():
    assert disclosure.teams_hidden(teams([40, 3, 12, 25]), "count", council_shown=True) == [False, True, True, False]
    assert disclosure.teams_hidden(teams([40, 3, 2, 25]), "count", council_shown=True) == [False, True, True, False]
    assert disclosure.teams_hidden(teams([40, 3, 12]), "count", council_shown=False) == [False, True, False]
    assert disclosure.teams_hidden(teams([40, 0, 12]), "count", council_shown=True) == [False, False, False]


def test_a_team_percentage_needs_the_team_s_own_total():
    assert disclosure.teams_hidden(teams([50.0, 50.0, 99.5], [400, None, 815]), "%", council_shown=True,
                                   decimals=1) == [False, True, True]


@given(st.lists(st.integers(0, 60), min_size=2, max_size=8))
@settings(max_examples=300, deadline=None)
def test_no_hidden_team_count_can_be_worked_out_from_the_council_s_total(values):
    """With the council's total shown (the sum of its teams), every hidden team is hidden together with at least
    one other, and every team shown is 0 or more than 5."""
    hidden = disclosure.teams_hidden(teams(values), "count", council_shown=True)
    assert all(h for v, h in zip(values, hidden) if 1 <= v <= 5), "every small count is hidden"
    assert sum(hidden) != 1, "never one hidden team alone: the total less the others would give it back"
