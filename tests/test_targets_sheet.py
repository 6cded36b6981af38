"""A Targets sheet in the monthly workbook is checked cell by cell like the form on the Targets page."""
from datetime import date

import pandas as pd

from ingest.readers import Sheet
from ingest.targets_sheet import is_targets_sheet, parse_targets
from ingest.values import KpiMatcher

CATALOGUE = pd.DataFrame({"code": ["SW_AGENCY_PCT", "SW_CASELOAD"],
                          "name": ["Agency worker rate", "Average caseload"]})
UNITS = {"SW_AGENCY_PCT": "%", "SW_CASELOAD": "cases"}
HEADER = ["KPI", "Kind", "Value", "Start", "End", "Trajectory from", "Trajectory until", "Source"]


def _parse(*rows):
    sheet = Sheet("Targets", [["Targets agreed at the improvement board"], HEADER, *rows])
    return parse_targets("return.xlsx", sheet, KpiMatcher(CATALOGUE), UNITS)


def test_targets_sheet_is_recognised_by_name():
    assert is_targets_sheet(Sheet(" targets ", []))
    assert not is_targets_sheet(Sheet("Data", []))


def test_good_rows_become_targets_with_trajectories():
    result = _parse(
        ["Agency worker rate", "Inspection action-plan target", 15, "2024-04", None, 26, "Mar-26", "Ofsted plan"],
        ["SW_CASELOAD", None, "18", "April 2025", "2026-03", None, None, "Local plan"],
        [None] * 8,
    )
    assert result.issues == []
    agency, caseload = result.targets
    assert (agency.kind, agency.value, agency.start_period, agency.glide_from, agency.glide_until) == (
        "inspection", 15.0, date(2024, 4, 1), 26.0, date(2026, 3, 1))
    assert (caseload.kind, caseload.end_period, caseload.source) == ("local", date(2026, 3, 1), "Local plan")


def test_each_bad_cell_is_named_and_no_target_from_a_bad_row():
    result = _parse(
        ["Agency rate typo", "local", 15, "2024-04", None, None, None, "plan"],
        ["SW_AGENCY_PCT", "stretch", 15, "2024-04", None, None, None, "plan"],
        ["SW_AGENCY_PCT", "local", 150, "2024-04", None, None, None, "plan"],
        ["SW_CASELOAD", "floor", 20, "soon", None, None, None, "plan"],
        ["SW_CASELOAD", "floor", 20, "2025-01", None, None, None, None],
    )
    assert result.targets == []
    cells = [(i.cell, i.message) for i in result.issues]
    assert cells[0][0] == "A3" and cells[0][1] == "Unknown KPI"
    assert ("B4", "Unknown kind of target") in cells
    assert any(cell == "C5" and "between 0 and 100" in message for cell, message in cells)
    assert ("D6", "Not a month") in cells
    assert any(cell == "C7" and "Say where the target comes from" in message for cell, message in cells)


def test_a_sheet_without_the_columns_says_which_are_needed():
    result = parse_targets("f.xlsx", Sheet("Targets", [["kpi", "value"]]), KpiMatcher(CATALOGUE), UNITS)
    assert "kpi, value, start and source" in result.issues[0].message
