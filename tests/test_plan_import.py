"""Action plans in and out of spreadsheets: per-cell errors, all or nothing, and an unchanged round trip."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from analysis import plan_status
from demo.synthetic import PLAN_AS_AT
from ingest import plan_import
from records import plan_edits
from records.plan_edits import RecommendationInput
from settings import DEMO_LA_CODE as LA
from store import queries
from store.errors import EditRefused
from tests.actors import analyst
from tests.fixtures import xlsx

HEADER = plan_import.EXPORT_COLUMNS
TODAY = date(2026, 11, 20)


def _rows(con) -> pd.DataFrame:
    return plan_status.plan_rows(queries.recommendations(con, LA), PLAN_AS_AT)


def _ilacs(con) -> int:
    found = queries.inspections(con, LA)
    return int(found.loc[found["kind"] == "ilacs_standard", "inspection_id"].iloc[0])


def _check(con, name: str, content: bytes, inspection_id: int | None = None) -> plan_import.ParsedPlan:
    return plan_import.check_file(con, LA, name, content, inspection_id, TODAY, PLAN_AS_AT)


def _stored(con) -> tuple[int, int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("recommendations", "recommendation_versions", "recommendation_log"))


def test_an_exported_plan_imports_again_unchanged(demo_con):
    exported = plan_import.export_bytes(_rows(demo_con))
    before = _stored(demo_con)
    parsed = _check(demo_con, "plan.xlsx", exported, _ilacs(demo_con))
    assert parsed.issues == []
    assert len(parsed.rows) == len(_rows(demo_con))
    assert set(plan_import.changes(parsed)["Will"]) == {"Nothing (unchanged)"}
    assert plan_import.import_plan(demo_con, LA, parsed, TODAY, analyst("ad")) == {"added": 0, "changed": 0, "notes": 0}
    assert _stored(demo_con) == before
    again = plan_import.export_frame(_rows(demo_con))
    pd.testing.assert_frame_equal(again, plan_import.export_frame(plan_status.plan_rows(
        queries.recommendations(demo_con, LA), PLAN_AS_AT)))
    reread = pd.read_excel(io.BytesIO(exported), dtype=str, engine="openpyxl").fillna("")
    pd.testing.assert_frame_equal(reread, again.astype(str), check_dtype=False)


def test_the_export_has_the_import_columns_and_words_not_codes(demo_con):
    frame = pd.read_excel(io.BytesIO(plan_import.export_bytes(_rows(demo_con))), dtype=str,
                          engine="openpyxl").fillna("")
    assert frame.columns.tolist() == HEADER
    r4 = frame.set_index("Ref").loc["R4"]
    assert (r4["Area"], r4["Timescale"], r4["Due date"], r4["Status"], r4["RAG"]) == (
        "Care leavers", "within 6 months", "22 Sep 2024", "In progress", "Red")
    assert r4["Impact"] == plan_status.TOO_EARLY
    assert r4["Linked KPIs"] == "CL_BB_COUNT, CL_SUITABLE_ACCOM_PCT"


def test_formula_like_text_is_exported_inert_and_imports_back_as_written(demo_con):
    rec_id = int(_rows(demo_con).set_index("ref").loc["R1", "rec_id"])
    current, _ = plan_edits.current_recommendation(demo_con, LA, rec_id)
    risky = '=HYPERLINK("http://attacker.example","Click")'
    plan_edits.change_recommendation(demo_con, LA, rec_id, RecommendationInput(
        risky, current.area, current.timescale, None, "+Head of Safeguarding", current.status, current.rag,
        current.kpi_codes), PLAN_AS_AT, analyst("ad"))
    exported = plan_import.export_bytes(_rows(demo_con))
    sheet = openpyxl.load_workbook(io.BytesIO(exported))[plan_import.SHEET_NAME]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == risky and c.data_type == "s" and c.quotePrefix for c in cells)
    before = _stored(demo_con)
    parsed = _check(demo_con, "plan.xlsx", exported)
    assert parsed.issues == []
    assert set(plan_import.changes(parsed)["Will"]) == {"Nothing (unchanged)"}
    plan_import.import_plan(demo_con, LA, parsed, TODAY, analyst("ad"))
    assert _stored(demo_con) == before
    assert _rows(demo_con).set_index("ref").loc["R1", "text"] == risky


def _with(rows: list[list[object]]) -> bytes:
    return xlsx({"Plan": [["Anyshire improvement plan (synthetic)"], [], HEADER, *rows]})


def test_every_bad_cell_is_named_and_nothing_is_imported(demo_con):
    content = _with([
        ["R20", "Good row", "Workforce", "within 3 months", None, "Owner", "Not started", "", "", "", "SW_FTE"],
        ["R21", "Bad area", "Schools", "within 3 months", None, "", "", "", "", "", ""],
        ["R22", "Bad timescale", "Workforce", "asap", None, "", "", "", "", "", ""],
        ["R4", "End the reliance on bed and breakfast accommodation for care leavers.", "Care leavers",
         "within 6 months", "30/09/2024", "", "In progress", "", "", "", ""],
        ["R23", "Unknown KPI", "Workforce", "within 3 months", None, "", "", "", "", "", "SW_FTE; Agency rat"],
        ["R24", "Bad status", "Workforce", "within 3 months", None, "", "Nearly there", "Purple", "", "", ""],
        ["R4", "Duplicate", "Workforce", "within 3 months", None, "", "", "", "", "", ""],
        [None, None, "Workforce", None, None, "", "", "", "", "", ""],
        ["R25", "Late and green", "Workforce", "31/01/2025", None, "", "In progress", "Green", "", "", ""],
        ["R26", "Bad date", "Workforce", None, "someday", "", "", "", "", "", ""],
    ])
    before = _stored(demo_con)
    parsed = _check(demo_con, "action plan.xlsx", content, _ilacs(demo_con))
    found = {(i.cell, i.rule) for i in parsed.errors}
    assert found == {
        ("C5", "bad_area"), ("D6", "bad_timescale"), ("E7", "bad_due_date"), ("K8", "unknown_kpi"),
        ("G9", "bad_status"), ("H9", "bad_rag"), ("A10", "duplicate"), ("B11", "missing_value"),
        ("E11", "bad_due_date"), ("H12", "green_overdue"), ("E13", "bad_due_date"),
    }
    lines = {i.cell: i.line() for i in parsed.errors}
    assert "action plan.xlsx: Plan!E7: The due date 30 Sep 2024 does not match the timescale 'within 6 months'" \
        in lines["E7"]
    assert "Agency rat" in lines["K8"] and "SW_AGENCY_PCT" in lines["K8"]
    assert "Use one of: Help and protection" in lines["C5"]
    with pytest.raises(EditRefused, match="nothing was imported"):
        plan_import.import_plan(demo_con, LA, parsed, TODAY, analyst("ad"))
    assert _stored(demo_con) == before


def test_a_plan_adds_new_rows_updates_known_ones_and_logs_progress(demo_con):
    content = _with([
        ["R4", "End the reliance on bed and breakfast accommodation for care leavers.", "Care leavers",
         "within 6 months", None, "Head of Housing Pathways", "In progress", "Red",
         "New supported housing scheme approved by cabinet.", "Too early to tell", "CL_BB_COUNT"],
        [None, "Improve the quality of supervision.", "Leadership", "within 3 months", None,
         "Principal Social Worker", "", "", "Audit tool agreed.", "", "SW_TURNOVER_PCT"],
    ])
    before = _stored(demo_con)
    parsed = _check(demo_con, "plan.csv", pd.read_excel(io.BytesIO(content), header=None, engine="openpyxl").to_csv(
        index=False, header=False).encode(), _ilacs(demo_con))
    assert parsed.errors == []
    will = plan_import.changes(parsed).set_index("Recommendation")["Will"]
    # "Red" repeats what the page shows for this overdue item, so the owner's amber is kept, not changed.
    assert will.iloc[0] == "Change owner, linked KPIs, new progress note"
    assert will.iloc[1] == "Add"
    counts = plan_import.import_plan(demo_con, LA, parsed, TODAY, analyst("analyst@anyshire.example"))
    assert counts == {"added": 1, "changed": 1, "notes": 2}
    assert _stored(demo_con) == (before[0] + 1, before[1] + 2, before[2] + 2)
    rows = _rows(demo_con).set_index("ref")
    assert rows.loc["R4", "owner"] == "Head of Housing Pathways"
    assert rows.loc["R4", "rag"] == "amber" and rows.loc["R4", "shown_rag"] == "red"
    assert rows.loc["R4", "kpi_codes"] == "CL_BB_COUNT"
    assert rows.loc["R4", "progress"] == "New supported housing scheme approved by cabinet."
    assert rows.loc["R10", "due_on"].date() == date(2024, 6, 22)  # counted from the ILACS report's publication
    history = queries.recommendation_history(demo_con, LA, int(rows.loc["R4", "rec_id"]))
    assert history["source"].iloc[0] == "import: plan.csv"
    assert history["created_by"].iloc[0] == "analyst@anyshire.example"


def test_a_plan_lands_in_one_transaction_or_not_at_all(demo_con, monkeypatch):
    content = _with([
        [None, "First new action.", "Workforce", "within 3 months", None, "", "", "", "Started.", "", ""],
        [None, "Second new action.", "Workforce", "within 3 months", None, "", "", "", "Started.", "", ""],
    ])
    parsed = _check(demo_con, "plan.xlsx", content, None)
    assert parsed.errors == []
    before = _stored(demo_con)
    calls = []
    original = plan_import.insert_log_entry

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(plan_import, "insert_log_entry", failing)
    with pytest.raises(RuntimeError):
        plan_import.import_plan(demo_con, LA, parsed, TODAY, analyst("ad"))
    assert _stored(demo_con) == before


def test_files_that_cannot_be_read_or_have_no_plan_say_why(demo_con):
    empty = _check(demo_con, "plan.xlsx", b"")
    assert [i.rule for i in empty.errors] == ["empty_file"]
    no_header = _check(demo_con, "plan.xlsx", xlsx({"Notes": [["Just notes"]]}))
    assert [i.rule for i in no_header.errors] == ["no_header"]
    header_only = _check(demo_con, "plan.xlsx", xlsx({"Plan": [HEADER]}))
    assert [i.rule for i in header_only.errors] == ["no_data"]
