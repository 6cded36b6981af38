"""Each plausibility rule fires on the typo it is for, and stays silent on a normal month, a KPI on the move and a
real step change after an event the council noted on the chart."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ingest import plausibility
from ingest.catalogue import read_catalogue
from ingest.plausibility import Reference, check

LA = "E99000001"
TODAY = date(2026, 12, 2)
NEXT = "2026-11"
FILE = "november.xlsx"
LEVELS = {"CONTACTS": (2700, 90), "CLA_RATE": (72.0, 0.8), "ASSESS_45WD_PCT": (86.0, 1.5), "SW_FTE": (290.0, 3.0),
          "VISITS_CP_PCT": (93.0, 1.2), "CL_BB_COUNT": (3, 1.2)}
"""Each KPI's level and month-to-month noise in the stored history the tests judge against."""


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return read_catalogue()


def month(text: str) -> date:
    return pd.Timestamp(text).date()


def history(months: int = 24, until: str = "2026-10", levels: dict | None = None, seed: int = 7) -> pd.DataFrame:
    """Stored monthly values of each KPI up to `until`: its level with noise, whole for counts."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range(end=until, periods=months, freq="MS")
    rows = []
    for code, (level, noise) in (LEVELS if levels is None else levels).items():
        values = level + rng.normal(0, noise, months)
        if isinstance(level, int):
            values = np.maximum(np.round(values), 0)
        rows += [(LA, code, p.date(), float(v)) for p, v in zip(periods, values)]
    return pd.DataFrame(rows, columns=["la_code", "kpi_code", "period", "value"])


def reference(stored: pd.DataFrame | None = None, events: list[tuple[str | None, str]] = (),
              england: dict[str, tuple[float, date]] | None = None) -> Reference:
    noted = pd.DataFrame([(LA, kpi, month(m)) for kpi, m in events], columns=["la_code", "kpi_code", "period"])
    return Reference(history() if stored is None else stored, noted,
                     {"CLA_RATE": (67.0, date(2025, 3, 31)), "ASSESS_45WD_PCT": (85.7, date(2025, 3, 31))}
                     if england is None else england)


def upload(values: dict[tuple[str, str], object], numerators: dict[str, tuple[float, float]] | None = None
           ) -> pd.DataFrame:
    """The observations a file of `values` (text values as typed) becomes, one row each from D2 down."""
    rows = []
    for row, ((kpi, period), typed) in enumerate(values.items(), start=2):
        value = float(str(typed).replace(",", "")) if isinstance(typed, str) else float(typed)
        numerator, denominator = (numerators or {}).get(kpi, (np.nan, np.nan))
        rows.append((LA, kpi, month(period), value, numerator, denominator, None, None,
                     typed if isinstance(typed, str) else None, "Data", f"D{row}"))
    return pd.DataFrame(rows, columns=["la_code", "kpi_code", "period", "value", "numerator", "denominator",
                                       "status_code", "note", "typed", "sheet", "cell"])


def warnings(catalogue, values, ref: Reference | None = None, **kwargs) -> list:
    return check(FILE, upload(values, **kwargs), reference() if ref is None else ref, catalogue, TODAY)


def normal_month() -> dict[tuple[str, str], object]:
    return {("CONTACTS", NEXT): 2655, ("CLA_RATE", NEXT): 72.6, ("ASSESS_45WD_PCT", NEXT): 84.9,
            ("SW_FTE", NEXT): 291.5, ("VISITS_CP_PCT", NEXT): 94.0, ("CL_BB_COUNT", NEXT): 4}


def test_a_normal_month_gives_no_warning(catalogue):
    assert warnings(catalogue, normal_month()) == []


def test_a_count_with_an_extra_digit_moved_by_an_order_of_magnitude(catalogue):
    (found,) = warnings(catalogue, {**normal_month(), ("CONTACTS", NEXT): 27310})
    assert (found.rule, found.severity, found.sheet, found.cell) == ("order_of_magnitude", "warning", "Data", "D2")
    assert (found.kpi, found.month, found.found) == ("Contacts received", "Nov 2026", "27,310")
    assert "about 10 times the usual level" in found.message
    assert "usual range 2,5" in found.message and "24 stored months from Nov 2024 to Oct 2026" in found.message
    assert "did you mean 2,731?" in found.fix
    line = found.line()
    assert line.startswith("november.xlsx: Data!D2 (Contacts received, Nov 2026): ") and "27,310" in line


def test_a_count_with_a_missing_digit_is_caught_too(catalogue):
    (found,) = warnings(catalogue, {("SW_FTE", NEXT): 29.1})
    assert found.rule == "order_of_magnitude" and "did you mean 291?" in found.fix


def test_a_decimal_comma_is_named_with_the_figure_meant(catalogue):
    (found,) = warnings(catalogue, {("CLA_RATE", NEXT): "72,9"})
    assert (found.rule, found.found) == ("decimal_separator", "72,9")
    assert "decimal comma" in found.message and "read as 729" in found.message
    assert "72.9" in found.fix


def test_a_rate_with_no_history_is_judged_against_england(catalogue):
    (found,) = warnings(catalogue, {("CLA_RATE", NEXT): "72,9"}, reference(stored=history(levels={})))
    assert found.rule == "decimal_separator" and "England's figure at 31 Mar 2025 was 67.0 per 10,000" in found.message
    assert warnings(catalogue, {("CLA_RATE", NEXT): 72.9}, reference(stored=history(levels={}))) == []


def test_a_misplaced_decimal_point_without_a_comma(catalogue):
    (found,) = warnings(catalogue, {("CLA_RATE", NEXT): 729})
    assert found.rule == "decimal_separator" and "did you mean 72.9?" in found.fix


def test_a_percentage_typed_as_a_fraction(catalogue):
    (found,) = warnings(catalogue, {("ASSESS_45WD_PCT", NEXT): 0.85})
    assert (found.rule, found.kpi) == ("looks_like_fraction", "Assessments completed within 45 working days")
    assert "85, not 0.85" in found.fix


def test_a_small_percentage_is_no_fraction(catalogue):
    """Plans lasting two years or more run at 2-3%: 0.8% is a good month, not a fraction."""
    stored = history(levels={"CPP_2YR_PCT": (2.4, 0.4)})
    assert warnings(catalogue, {("CPP_2YR_PCT", NEXT): 0.8}, reference(stored=stored)) == []


def test_a_value_far_from_its_usual_range(catalogue):
    (found,) = warnings(catalogue, {("VISITS_CP_PCT", NEXT): 41.0})
    assert found.rule == "unusual_value" and "far below the usual range" in found.message
    assert "a note on the KPI's chart" in found.fix


def test_a_kpi_on_the_move_is_judged_from_where_it_has_got_to(catalogue):
    periods = pd.date_range(end="2026-10", periods=24, freq="MS")
    falling = pd.DataFrame({"la_code": LA, "kpi_code": "SW_AGENCY_PCT", "period": periods.date,
                            "value": np.linspace(26, 13, 24)})
    assert warnings(catalogue, {("SW_AGENCY_PCT", NEXT): 12.4}, reference(stored=falling)) == []


def test_a_step_change_after_an_annotated_event_is_silent(catalogue):
    step = {("CONTACTS", NEXT): 6100}
    assert [w.rule for w in warnings(catalogue, step)] == ["unusual_value"]
    assert warnings(catalogue, step, reference(events=[("CONTACTS", NEXT)])) == [], "a note on the KPI that month"
    assert warnings(catalogue, step, reference(events=[(None, NEXT)])) == [], "a note on every KPI that month"
    assert [w.rule for w in warnings(catalogue, step, reference(events=[("REFERRALS", NEXT)]))] == \
        ["unusual_value"], "a note on another KPI explains nothing"


def test_after_an_event_the_new_level_is_usual_once_six_months_have_followed(catalogue):
    stored = history()
    after = stored["period"] >= month("2026-05")
    stored.loc[after & (stored["kpi_code"] == "CONTACTS"), "value"] += 3400
    events = [("CONTACTS", "2026-05")]
    assert warnings(catalogue, {("CONTACTS", NEXT): 6050}, reference(stored, events)) == []
    (found,) = warnings(catalogue, {("CONTACTS", NEXT): 2700}, reference(stored, events))
    assert found.rule == "unusual_value" and "6 stored months from May 2026 to Oct 2026" in found.message


def test_a_small_count_falling_to_one_is_no_slipped_digit(catalogue):
    periods = pd.date_range(end="2026-10", periods=24, freq="MS").strftime("%Y-%m")
    values = {("UNALLOCATED_COUNT", p): 12 + i % 6 for i, p in enumerate(periods)}
    values[("UNALLOCATED_COUNT", periods[-1])] = 1
    assert warnings(catalogue, values, reference(stored=history(levels={}))) == []


def test_a_history_file_is_judged_against_its_own_months(catalogue):
    periods = pd.date_range(end="2026-10", periods=36, freq="MS").strftime("%Y-%m")
    values = {("CONTACTS", p): 2700 + (i % 5) * 40 for i, p in enumerate(periods)}
    values[("CONTACTS", periods[20])] = 27400
    (found,) = warnings(catalogue, values, reference(stored=history(levels={})))
    assert (found.rule, found.cell, found.month) == ("order_of_magnitude", "D22", "Jul 2025")
    assert "usual range 2,700 to 2,860 in this file's other 35 months of it" in found.message


def test_a_numerator_larger_than_its_denominator(catalogue):
    (found,) = warnings(catalogue, {("ASSESS_45WD_PCT", NEXT): 87.5},
                        numerators={"ASSESS_45WD_PCT": (400.0, 350.0)})
    assert found.rule == "numerator_over_denominator"
    assert "numerator 400 is larger than the denominator 350" in found.message
    assert warnings(catalogue, {("ASSESS_45WD_PCT", NEXT): 87.5}, numerators={"ASSESS_45WD_PCT": (350.0, 400.0)}) == []


def test_a_month_typed_with_the_wrong_year(catalogue):
    (found,) = warnings(catalogue, {**normal_month(), ("CLA_RATE", "2016-11"): 72.1})
    assert (found.rule, found.month, found.found) == ("far_past", "Nov 2016", "2016-11")
    assert "more than 3 years ago and far from the file's other months" in found.message


def test_every_month_typed_with_the_wrong_year_is_named(catalogue):
    typed_wrongly = {("CLA_RATE", month): 72.1 for month in ("2016-08", "2016-09", "2016-10")}
    found = warnings(catalogue, {**normal_month(), **typed_wrongly})
    assert [(w.rule, w.month) for w in found] == [("far_past", "Aug 2016"), ("far_past", "Sep 2016"),
                                                  ("far_past", "Oct 2016")]


def test_a_file_whose_every_month_is_years_old(catalogue):
    (found,) = warnings(catalogue, {("CONTACTS", "2016-10"): 2700, ("CONTACTS", "2016-11"): 2650},
                        reference(stored=history(levels={})))
    assert found.rule == "far_past" and found.message.startswith("Every month in the file is more than 3 years ago")


def test_a_long_history_of_consecutive_years_is_no_mistake(catalogue):
    periods = pd.date_range(end="2026-10", periods=120, freq="MS").strftime("%Y-%m")
    values = {("CLA_RATE", p): 70 + (i % 7) * 0.3 for i, p in enumerate(periods)}
    assert warnings(catalogue, values, reference(stored=history(levels={}))) == []


def test_every_rule_names_kpi_month_value_range_and_fix(catalogue):
    found = warnings(catalogue, {("CONTACTS", NEXT): 27310, ("CLA_RATE", NEXT): "72,9",
                                 ("ASSESS_45WD_PCT", NEXT): 0.85, ("VISITS_CP_PCT", NEXT): 41.0})
    assert sorted(w.rule for w in found) == ["decimal_separator", "looks_like_fraction", "order_of_magnitude",
                                             "unusual_value"]
    for warning in found:
        assert warning.kpi and warning.month == "Nov 2026" and warning.found and warning.fix
        assert "usual range" in warning.message
        assert warning.rule in plausibility.RULES


def empty_store() -> Reference:
    """A real council's store before its first monthly return: published annual figures only, no monthly values."""
    return reference(stored=pd.DataFrame(columns=["la_code", "kpi_code", "period", "value"]), england={})


def test_a_count_ten_times_the_month_before_is_caught_with_no_history(catalogue):
    found = warnings(catalogue, {("CLA_COUNT", "2026-09"): 498, ("CLA_COUNT", "2026-10"): 4980,
                                 ("CONTACTS", "2026-09"): 1850, ("CONTACTS", "2026-10"): 1790}, empty_store())
    assert [(w.rule, w.cell, w.month) for w in found] == [("order_of_magnitude", "D3", "Oct 2026")]
    assert found[0].message.startswith("This is 10.0 times the month before in this file (498 in Sep 2026, Data!D2")
    assert "Check both months" in found[0].fix and found[0].found == "4,980"


def test_a_count_a_tenth_of_the_month_before_is_caught_too(catalogue):
    found = warnings(catalogue, {("CONTACTS", "2026-09"): 1850, ("CONTACTS", "2026-10"): 185}, empty_store())
    assert [w.rule for w in found] == ["order_of_magnitude"]
    assert found[0].message.startswith("This is 10% of the month before in this file (1,850 in Sep 2026")


def test_with_no_history_a_steady_count_a_small_count_and_a_gap_are_silent(catalogue):
    assert warnings(catalogue, {("CLA_COUNT", "2026-09"): 498, ("CLA_COUNT", "2026-10"): 512,
                                ("CL_BB_COUNT", "2026-09"): 2, ("CL_BB_COUNT", "2026-10"): 11,
                                ("CONTACTS", "2026-06"): 185, ("CONTACTS", "2026-10"): 1850}, empty_store()) == []


def test_warnings_come_in_the_files_order_whichever_rule_gave_them(catalogue):
    found = warnings(catalogue, {("CLA_COUNT", "2026-09"): 498, ("CLA_COUNT", "2026-10"): 4980,
                                 ("CLA_RATE", "2026-10"): "101,5"}, reference(
        stored=pd.DataFrame(columns=["la_code", "kpi_code", "period", "value"])))
    assert [(w.cell, w.rule) for w in found] == [("D3", "order_of_magnitude"), ("D4", "decimal_separator")]
