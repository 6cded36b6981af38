import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.catalogue import read_catalogue
from ingest.values import KpiMatcher, by_distinct, normalise_name, parse_number, parse_numbers
from store.dates import parse_period


@pytest.mark.parametrize("raw", ["2025-04", "Apr-25", "April 2025", "04/2025", "4/2025", "01/04/2025", "apr 2025",
                                 "2025-04-01", datetime(2025, 4, 17, 9, 30), date(2025, 4, 30), 45748, 45748.0,
                                 "45748", "Apr-2025", "APRIL-25"])
def test_every_way_of_writing_april_2025(raw):
    assert parse_period(raw) == date(2025, 4, 1)


@pytest.mark.parametrize("raw", ["Target", "England", "2025", 2025, 12, "Q1 2025", "", None, True, "13/2025",
                                 "Marc 2025", "2025-13"])
def test_things_that_are_not_months(raw):
    assert parse_period(raw) is None


def test_numbers_as_analysts_type_them():
    assert parse_number(85).value == 85
    assert parse_number("85.5").value == 85.5
    assert parse_number("1,234").value == 1234
    assert parse_number("85%").value == 85 and parse_number("85%").percent_sign
    assert parse_number("85 %").value == 85
    assert parse_number("").blank and parse_number(None).blank


@pytest.mark.parametrize("raw,code", [("c", "c"), ("[c]", "c"), ("x", "x"), ("[x]", "x"), ("z", "z"), ("u", "u"),
                                      ("k", "k"), ("low", "low"), (":", ":"), ("C", "c"), ("[z]", "z")])
def test_suppression_markers_are_missing_with_their_code(raw, code):
    parsed = parse_number(raw)
    assert parsed.value is None and parsed.status == code and parsed.problem is None


@pytest.mark.parametrize("raw", ["abc", "n/a?", "#N/A", "#DIV/0!", True, date(2025, 1, 1), float("nan")])
def test_text_and_errors_in_number_cells_are_problems(raw):
    assert parse_number(raw).problem


def test_kpis_match_by_code_name_and_alias_ignoring_case_and_punctuation():
    catalogue = read_catalogue()
    matcher = KpiMatcher(catalogue, pd.DataFrame({"alias": ["Agency rate"], "code": ["SW_AGENCY_PCT"]}))
    assert matcher.match("sw_agency_pct") == "SW_AGENCY_PCT"
    assert matcher.match("Agency worker rate") == "SW_AGENCY_PCT"
    assert matcher.match("AGENCY-RATE!") == "SW_AGENCY_PCT"
    assert matcher.match("Assessments completed within 45 working days") == "ASSESS_45WD_PCT"
    assert matcher.match("Nonsense") is None


def test_unknown_kpis_get_the_closest_suggestions():
    matcher = KpiMatcher(read_catalogue())
    suggestions = matcher.suggest("Referals recieved")
    assert suggestions[0] == "REFERRALS (Referrals received)"


def test_normalise_name():
    assert normalise_name("Care leavers in B&B") == normalise_name("care leavers in b and b")


MESSY_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 60_000),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not (f == 0 and math.copysign(1, f) < 0)),
    st.text(max_size=6), st.dates(), st.datetimes(),
    st.sampled_from(["c", "[x]", "low", "85%", "85 %", "1,234", " 7 ", "#N/A", "1e500", "", "  ", "2026-10", "Oct-26",
                     "13/2025", "ASSESS_45WD_PCT", "Referrals received", "referals", "E99000002"]),
)


def column(cells: list[object]) -> np.ndarray:
    array = np.empty(len(cells), dtype=object)
    array[:] = cells
    return array


@settings(max_examples=300, deadline=None)
@given(st.lists(MESSY_CELLS, max_size=40))
def test_column_readers_read_every_cell_as_the_cell_readers_do(cells):
    """The fast column path must be the per-cell path exactly, whatever mix of types a column holds
    (True == 1 == 1.0 and None and NaN are where a lookup by distinct value could go wrong)."""
    matcher = KpiMatcher(read_catalogue())
    typed = lambda c: f"{type(c).__name__}:{c}"  # noqa: E731 - tells True, 1 and 1.0 apart, and None from NaN
    assert list(by_distinct(column(cells), typed)) == [typed(c) for c in cells]
    assert list(by_distinct(column(cells), parse_period)) == [parse_period(c) for c in cells]
    assert list(by_distinct(column(cells), matcher.match)) == [matcher.match(c) for c in cells]
    numbers = parse_numbers(column(cells))
    for i, cell in enumerate(cells):
        expected = parse_number(cell)
        value = None if np.isnan(numbers.value[i]) else numbers.value[i]
        assert (value, numbers.status[i], numbers.problem[i], numbers.blank[i], numbers.percent_sign[i]) == (
            expected.value, expected.status, expected.problem, expected.blank, expected.percent_sign), cell


def test_a_number_too_large_for_a_float_is_a_problem_not_infinity():
    assert parse_number("1e500").problem == "is not a finite number"
    assert parse_number(float("inf")).problem == "is not a finite number"
