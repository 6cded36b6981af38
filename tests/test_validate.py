"""Each layout and rule of the upload, on files the tests build."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingest.catalogue import read_catalogue
from ingest.readers import read_file
from ingest.upload import ALIASES_CSV
from ingest.validate import Context, parse
from ingest.values import KpiMatcher
from tests import fixtures

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def context() -> Context:
    catalogue = read_catalogue()
    return Context(catalogue, KpiMatcher(catalogue, pd.read_csv(ALIASES_CSV)), "E99000001", TODAY)


def run(name: str, content: bytes, context: Context):
    return parse(name, read_file(name, content), context)


def rules(parsed) -> list[tuple[str, str, str]]:
    return [(i.rule, i.sheet, i.cell) for i in parsed.errors]


def test_long_template_loads_with_home_council_default(context):
    content = fixtures.xlsx({"Data": fixtures.long_rows({("ASSESS_45WD_PCT", "2026-09"): 88.5,
                                                          ("Referrals received", "Oct-26"): 410,
                                                          ("CL_BB_COUNT", "2026-10"): "c"})})
    parsed = run("october.xlsx", content, context)
    assert parsed.errors == []
    obs = parsed.observations.set_index("kpi_code")
    assert obs.loc["ASSESS_45WD_PCT", "value"] == 88.5
    assert obs.loc["REFERRALS", "period"] == date(2026, 10, 1)
    assert obs.loc["CL_BB_COUNT", "status_code"] == "c" and pd.isna(obs.loc["CL_BB_COUNT", "value"])
    assert set(obs["la_code"]) == {"E99000001"}


def test_long_headers_are_matched_tolerantly(context):
    rows = [["LA Code", " Indicator ", "MONTH", "Result", "Numerator", "Denominator", "Comments"],
            ["E99000002", "ASSESS_45WD_PCT", "2026-10", 80, 80, 100, "new system"]]
    parsed = run("x.xlsx", fixtures.xlsx({"Sheet1": rows}), context)
    assert parsed.errors == []
    row = parsed.observations.iloc[0]
    assert (row["la_code"], row["numerator"], row["denominator"], row["note"]) == ("E99000002", 80, 100, "new system")


def test_messy_wide_workbook_loads(context):
    parsed = run("scorecard.xlsx", fixtures.messy_wide(), context)
    assert parsed.errors == [], [i.line() for i in parsed.errors]
    assert [s.layout for s in parsed.sheets] == ["skipped", "wide"]
    assert any(w.rule == "sheet_skipped" and w.sheet == "Cover" for w in parsed.warnings)
    obs = parsed.observations.set_index(["kpi_code", "period"])
    assert obs.loc[("ASSESS_45WD_PCT", date(2026, 10, 1)), "value"] == 91.5
    assert obs.loc[("ASSESS_45WD_PCT", date(2026, 9, 1)), "value"] == 88.2
    assert obs.loc[("CL_BB_COUNT", date(2026, 9, 1)), "status_code"] == "c"
    assert obs.loc[("SW_AGENCY_PCT", date(2026, 10, 1)), "value"] == 14.9
    assert len(parsed.observations) == 6


def test_every_error_is_collected_with_its_cell(context):
    rows = [["kpi", "period", "value"],
            ["ASSESS_45WD_PCT", "2026-10", 120],
            ["Referals", "2026-10", 400],
            ["REFERRALS", "2027-01", 400],
            ["CONTACTS", "sometime", 10],
            ["CONTACTS", "2026-09", "lots"],
            ["CLA_COUNT", "2026-09", -3],
            ["CLA_COUNT", "2026-10", 12.5],
            ["CIN_COUNT", "2026-10", None]]
    parsed = run("bad.xlsx", fixtures.xlsx({"Data": rows}), context)
    assert rules(parsed) == [
        ("percentage_out_of_range", "Data", "C2"),
        ("unknown_kpi", "Data", "A3"),
        ("future_period", "Data", "B4"),
        ("bad_period", "Data", "B5"),
        ("not_a_number", "Data", "C6"),
        ("negative", "Data", "C7"),
        ("count_not_whole", "Data", "C8"),
        ("missing_value", "Data", "C9"),
    ]
    assert parsed.errors[1].fix.startswith("Did you mean REFERRALS")
    line = parsed.errors[0].line()
    assert line.startswith("bad.xlsx: Data!C2 (Assessments completed within 45 working days, Oct 2026): A percentage "
                           "must be between 0 and 100 (found '120').")
    assert [(i.kpi, i.month) for i in parsed.errors] == [
        ("Assessments completed within 45 working days", "Oct 2026"), (None, "Oct 2026"),
        ("Referrals received", "Jan 2027"), ("Contacts received", None), ("Contacts received", "Sep 2026"),
        ("Children looked after at period end", "Sep 2026"), ("Children looked after at period end", "Oct 2026"),
        ("Children in need at period end", "Oct 2026")], "each error names the KPI and month its cell belongs to"


def test_a_row_with_an_unknown_kpi_or_month_still_has_its_value_checked(context):
    rows = [["kpi", "period", "value"],
            ["Referals", "2026-10", "lots"],
            ["CONTACTS", "sometime", -4],
            ["NOPE", "2026-10", None],
            ["NOPE", "2026-10", "85%"]]
    parsed = run("bad.xlsx", fixtures.xlsx({"Data": rows}), context)
    assert rules(parsed) == [
        ("unknown_kpi", "Data", "A2"), ("not_a_number", "Data", "C2"),
        ("bad_period", "Data", "B3"), ("negative", "Data", "C3"),
        ("unknown_kpi", "Data", "A4"), ("missing_value", "Data", "C4"),
        ("unknown_kpi", "Data", "A5"),
    ]


def test_fractions_for_a_percentage_are_refused(context):
    rows = [["kpi", "period", "value"], ["ASSESS_45WD_PCT", "2026-09", 0.85], ["ASSESS_45WD_PCT", "2026-10", 0.9]]
    parsed = run("fractions.xlsx", fixtures.xlsx({"Data": rows}), context)
    assert rules(parsed) == [("looks_like_fractions", "Data", "C2")]
    assert "look like fractions" in parsed.errors[0].message


def test_duplicates_name_both_cells(context):
    rows = [["kpi", "period", "value"], ["CONTACTS", "2026-10", 1], ["Contacts received", "Oct-26", 2]]
    parsed = run("dupe.xlsx", fixtures.xlsx({"Data": rows}), context)
    assert rules(parsed) == [("duplicate", "Data", "C3")]
    assert "Data!C2" in parsed.errors[0].message


def test_formula_without_saved_value_is_an_error(context):
    content = fixtures.xlsx({"Data": [["kpi", "period", "value"], ["CONTACTS", "2026-10", "=SUM(1,2)"]]})
    parsed = run("formula.xlsx", content, context)
    assert rules(parsed) == [("formula_without_value", "Data", "C2")]


def test_percent_sign_on_a_count_is_an_error(context):
    rows = [["kpi", "period", "value"], ["CONTACTS", "2026-10", "50%"]]
    assert rules(run("p.xlsx", fixtures.xlsx({"Data": rows}), context)) == [("percent_for_non_percentage", "Data",
                                                                              "C2")]


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t")])
def test_csv_encodings_and_delimiters(context, encoding, delimiter):
    text = delimiter.join(["kpi", "period", "value", "note"]) + "\n" + delimiter.join(
        ["CONTACTS", "2026-10", "2500", "caf\u00e9 closed \u2013 fewer contacts"]) + "\n"
    parsed = run("return.csv", text.encode(encoding), context)
    assert parsed.errors == []
    assert parsed.observations.iloc[0]["note"] == "caf\u00e9 closed \u2013 fewer contacts"
    assert parsed.observations.iloc[0]["value"] == 2500


def test_a_file_with_no_kpi_data_says_so(context):
    parsed = run("notes.xlsx", fixtures.xlsx({"Notes": [["Just some notes"]]}), context)
    assert rules(parsed) == [("no_data", None, None)]


def test_dfe_download_is_recognised_as_benchmarks(context):
    parsed = run("csww.csv", fixtures.dfe_tidy_csv(), context)
    assert parsed.errors == []
    assert parsed.observations.empty
    assert [s.layout for s in parsed.sheets] == ["dfe_benchmarks"]


def test_issues_come_in_the_order_of_the_sheet_whatever_the_column_order(context):
    """Columns are checked one at a time, but the report reads row by row: council, KPI, month, value,
    numerator, denominator, wherever those columns sit."""
    rows = [["value", "denominator", "numerator", "kpi", "period", "LA code"],
            [5, None, None, "Nonsense", "sometime", "X1"],
            ["lots", -1, "n/a?", "CONTACTS", "2026-10", None],
            [10, -1, "50%", "CONTACTS", "2026-09", None],
            ["  ", None, None, "CLA_COUNT", "2026-10", None],
            [None, None, None, None, None, None],
            [None, "Source: case-management system", None, None, None, None]]
    parsed = run("shuffled.xlsx", fixtures.xlsx({"Data": rows}), context)
    assert rules(parsed) == [("bad_la_code", "Data", "F2"), ("unknown_kpi", "Data", "D2"), ("bad_period", "Data", "E2"),
                             ("not_a_number", "Data", "A3"), ("percent_for_non_percentage", "Data", "C4"),
                             ("negative", "Data", "B4"), ("missing_value", "Data", "A5")]
    assert parsed.errors[3].message == "The value is text, not a number" and parsed.errors[3].found == "lots"
    assert parsed.errors[5].message == "The denominator cannot be negative"
    (row,) = parsed.observations.to_dict("records")
    assert (row["kpi_code"], row["period"], row["value"], row["cell"]) == ("CONTACTS", date(2026, 9, 1), 10, "A4")
    assert pd.isna(row["numerator"]) and pd.isna(row["denominator"])


def test_wide_issues_come_row_by_row_after_the_header(context):
    rows = [["Indicator", "Target", date(2026, 9, 1), "Oct-26", "Dec-26"],
            ["Referals", 1, 5, 6, 7],
            ["CONTACTS", 1, "lots", -4, 5],
            [None, None, 5, None, None],
            ["ASSESS_45WD_PCT", None, "0.5", None, None]]
    parsed = run("wide.xlsx", fixtures.xlsx({"Scorecard": rows}), context)
    assert rules(parsed) == [("future_period", "Scorecard", "E1"), ("unknown_kpi", "Scorecard", "A2"),
                             ("not_a_number", "Scorecard", "C3"), ("negative", "Scorecard", "D3"),
                             ("missing_kpi", "Scorecard", "A4"), ("looks_like_fractions", "Scorecard", "C5")]
    assert parsed.errors[1].fix.startswith("Did you mean REFERRALS")
    assert parsed.warnings == []


def test_a_large_long_sheet_is_read_whole(context):
    """Thousands of rows go through the column path: every row loads, in order, with its own cell."""
    periods = [f"{year}-{month:02d}" for year in range(2017, 2026) for month in range(1, 13)]
    rows = [["la_code", "kpi", "period", "value"]] + [
        [f"E99{n:06d}", kpi, period, 10 + n] for n in range(2, 12) for kpi in ("CONTACTS", "Referrals received")
        for period in periods]
    (sheet,) = read_file("history.csv", "\n".join(",".join(map(str, r)) for r in rows).encode())
    parsed = parse("history.csv", [sheet], context)
    assert parsed.errors == []
    assert len(parsed.observations) == len(rows) - 1 == 2160
    last = parsed.observations.iloc[-1]
    assert (last["la_code"], last["kpi_code"], last["period"], last["value"], last["cell"]) == (
        "E99000011", "REFERRALS", date(2025, 12, 1), 21, "D2161")
