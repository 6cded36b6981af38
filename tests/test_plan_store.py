"""The inspections and improvement plan in the store: the demo plan, and history kept on every change."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import plan_status
from demo.synthetic import PLAN_AS_AT
from ingest.catalogue import read_catalogue
from records import plan_edits
from records.plan_edits import InspectionInput, RecommendationInput
from settings import DEMO_DIR, DEMO_LA_CODE as LA
from store import queries
from store.errors import EditRefused
from tests.actors import analyst


def _plan(con) -> pd.DataFrame:
    return plan_status.plan_rows(queries.recommendations(con, LA), PLAN_AS_AT)


def _rec_id(con, ref: str) -> int:
    recs = queries.recommendations(con, LA)
    return int(recs.loc[recs["ref"] == ref, "rec_id"].iloc[0])


def _count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_demo_plan_has_exactly_one_overdue_item_and_some_done(demo_con):
    rows = _plan(demo_con)
    assert 7 <= len(rows) <= 10
    overdue = rows[rows["overdue"]]
    assert overdue["ref"].tolist() == ["R4"]
    assert rows.iloc[0]["ref"] == "R4"  # listed first
    assert "bed and breakfast" in overdue.iloc[0]["text"]
    assert overdue.iloc[0]["shown_rag"] == "red" and overdue.iloc[0]["rag"] == "amber"
    assert rows["status"].isin(["completed", "evidenced"]).sum() >= 4
    # The demo's today is fixed after its last month, so the one overdue item stays the only one.
    assert PLAN_AS_AT > date(2026, 10, 31)


def test_the_demo_plan_links_real_catalogue_kpis_and_reads_as_synthetic(demo_con):
    codes = set(read_catalogue()["code"])
    rows = _plan(demo_con)
    linked = {c for text in rows["kpi_codes"] for c in text.split(", ") if c}
    assert linked <= codes
    assert "CL_BB_COUNT" in rows.set_index("ref").loc["R4", "kpi_codes"]
    assert "SW_AGENCY_PCT" in rows.set_index("ref").loc["R8", "kpi_codes"]
    inspections = queries.inspections(demo_con, LA)
    assert "synthetic" in " ".join(inspections["report_ref"])


def test_the_demo_inspection_matches_the_chart_note_and_the_action_plan_targets(demo_con):
    inspections = queries.inspections(demo_con, LA)
    ilacs = inspections[inspections["kind"] == "ilacs_standard"].iloc[0]
    annotations = pd.read_csv(DEMO_DIR / "annotations.csv", dtype=str)
    noted = annotations[annotations["text"].str.startswith("Ofsted ILACS inspection")].iloc[0]
    assert f"{ilacs['inspected_on']:%Y-%m}" == noted["period"]
    assert plan_status.GRADES[ilacs["overall"]] in noted["text"]
    targets = pd.read_csv(DEMO_DIR / "targets.csv", dtype=str)
    assert f"Ofsted ILACS action plan, {ilacs['published_on']:%B %Y}" in set(targets["source"])
    assert ilacs["children_in_care"] == "good" and ilacs["care_leavers"] == "requires_improvement"


def test_a_status_change_adds_a_version_and_keeps_the_old_one_with_who_and_when(demo_con):
    rec_id = _rec_id(demo_con, "R8")
    plan_edits.update_status(demo_con, LA, rec_id, "completed", "green", "Director of Children's Services",
                             PLAN_AS_AT, analyst("ad@anyshire.example"))
    history = queries.recommendation_history(demo_con, LA, rec_id)
    assert history["status"].tolist() == ["completed", "in_progress"]
    assert history["created_by"].tolist()[0] == "ad@anyshire.example"
    assert history["owner"].tolist() == ["Director of Children's Services", "Head of Workforce Development"]
    assert history["due_on"].nunique() == 1  # the timescale and its due date are carried over
    row = _plan(demo_con).set_index("ref").loc["R8"]
    assert row["status"] == "completed" and row["timing"] == "Done"


@pytest.mark.parametrize(
    "ref,rag,refusal",
    [
        ("R4", "green", "overdue recommendation cannot be green"),  # overdue and in progress
        ("R9", "amber", "Nothing was changed"),  # the same status, RAG and owner: no copy is added
    ],
)
def test_a_refused_status_update_writes_nothing(demo_con, ref, rag, refusal):
    rec_id = _rec_id(demo_con, ref)
    before = _count(demo_con, "recommendation_versions")
    owner = _plan(demo_con).set_index("ref").loc[ref, "owner"]
    with pytest.raises(EditRefused, match=refusal):
        plan_edits.update_status(demo_con, LA, rec_id, "in_progress", rag, owner, PLAN_AS_AT, analyst("ad"))
    assert _count(demo_con, "recommendation_versions") == before


def test_a_completed_overdue_item_may_be_green_and_is_no_longer_overdue(demo_con):
    plan_edits.update_status(demo_con, LA, _rec_id(demo_con, "R4"), "completed", "green",
                             "Head of Care Leavers Service", PLAN_AS_AT, analyst("ad"))
    assert not _plan(demo_con)["overdue"].any()


def test_changing_the_timescale_works_out_a_new_due_date_and_keeps_the_old(demo_con):
    rec_id = _rec_id(demo_con, "R9")
    current, counts_from = plan_edits.current_recommendation(demo_con, LA, rec_id)
    assert counts_from == date(2025, 10, 17) and current.due_on == date(2027, 4, 17)
    plan_edits.change_recommendation(demo_con, LA, rec_id, RecommendationInput(
        current.text, current.area, "within 12 months", None, current.owner, current.status, current.rag,
        ("CL_EET_PCT", "CL_SUITABLE_ACCOM_PCT")), PLAN_AS_AT, analyst("analyst"))
    history = queries.recommendation_history(demo_con, LA, rec_id)
    assert [d.date() for d in history["due_on"]] == [date(2026, 10, 17), date(2027, 4, 17)]
    assert history["kpi_codes"].tolist() == ["CL_EET_PCT, CL_SUITABLE_ACCOM_PCT", "CL_EET_PCT"]
    assert _plan(demo_con)["overdue"].sum() == 2  # now late too


def test_progress_notes_are_appended_and_withdrawn_ones_stay_in_the_log(demo_con):
    rec_id = _rec_id(demo_con, "R4")
    before = queries.recommendation_log(demo_con, LA, rec_id)
    log_id = plan_edits.add_log_entry(demo_con, LA, rec_id, "progress", date(2026, 11, 20),
                                      "Last young person moved to supported lodgings.", analyst("ad"))
    plan_edits.add_log_entry(demo_con, LA, rec_id, "impact", date(2026, 11, 20), plan_status.TOO_EARLY, analyst("ad"))
    log = queries.recommendation_log(demo_con, LA, rec_id)
    assert len(log) == len(before) + 2
    assert _plan(demo_con).set_index("ref").loc["R4", "progress"] == "Last young person moved to supported lodgings."
    plan_edits.retire_log_entry(demo_con, LA, log_id, analyst("ad"))
    log = queries.recommendation_log(demo_con, LA, rec_id)
    assert len(log) == len(before) + 2
    assert log.set_index("log_id").loc[log_id, "retired_by"] == "ad"
    assert _plan(demo_con).set_index("ref").loc["R4", "progress"] != "Last young person moved to supported lodgings."
    with pytest.raises(EditRefused, match="Write the progress note"):
        plan_edits.add_log_entry(demo_con, LA, rec_id, "progress", date(2026, 11, 20), "  ", analyst("ad"))


def test_a_removed_recommendation_leaves_the_plan_but_not_the_store(demo_con):
    rec_id = _rec_id(demo_con, "R9")
    plan_edits.retire_recommendation(demo_con, LA, rec_id, analyst("ad"))
    assert "R9" not in _plan(demo_con)["ref"].tolist()
    kept = demo_con.execute("SELECT retired_by FROM recommendations WHERE rec_id = ?", [rec_id]).fetchone()
    assert kept == ("ad",)
    assert len(queries.recommendation_history(demo_con, LA, rec_id)) == 1
    with pytest.raises(EditRefused):
        plan_edits.add_log_entry(demo_con, LA, rec_id, "progress", date(2026, 11, 20), "Too late", analyst("ad"))


def test_a_new_council_recommendation_counts_from_the_day_it_was_agreed_and_is_numbered(demo_con):
    rec_id = plan_edits.add_recommendation(demo_con, LA, None, date(2026, 11, 2), RecommendationInput(
        "Reduce repeat child protection plans.", "help_protection", "within 20 working days", None, "Head of "
        "Safeguarding", kpi_codes=("CPP_REPEAT_PCT",)), PLAN_AS_AT, analyst("ad"))
    row = _plan(demo_con).set_index("rec_id").loc[rec_id]
    assert row["ref"] == "R10"
    assert row["due_on"].date() == date(2026, 11, 30)
    with pytest.raises(EditRefused, match="Unknown KPI NOPE"):
        plan_edits.add_recommendation(demo_con, LA, None, date(2026, 11, 2), RecommendationInput(
            "x", "workforce", "within 3 months", None, kpi_codes=("NOPE",)), PLAN_AS_AT, analyst("ad"))


def test_inspections_are_corrected_by_version_and_cannot_be_removed_under_their_plan(demo_con):
    inspections = queries.inspections(demo_con, LA)
    ilacs = int(inspections.loc[inspections["kind"] == "ilacs_standard", "inspection_id"].iloc[0])
    plan_edits.change_inspection(demo_con, LA, ilacs, InspectionInput(
        "ilacs_standard", date(2024, 2, 12), date(2024, 3, 22), "Corrected reference",
        {"overall": "requires_improvement", "children_in_care": "outstanding"}), analyst("ad"))
    now = queries.inspections(demo_con, LA).set_index("inspection_id").loc[ilacs]
    assert now["children_in_care"] == "outstanding" and pd.isna(now["care_leavers"])
    history = queries.inspection_history(demo_con, LA)
    assert (history["inspection_id"] == ilacs).sum() == 2
    with pytest.raises(EditRefused, match="come from this inspection"):
        plan_edits.retire_inspection(demo_con, LA, ilacs, analyst("ad"))
    visit = plan_edits.add_inspection(demo_con, LA, InspectionInput("monitoring_visit", date(2026, 6, 1)), analyst("ad"))
    plan_edits.retire_inspection(demo_con, LA, visit, analyst("ad"))
    assert visit not in queries.inspections(demo_con, LA)["inspection_id"].tolist()
    with pytest.raises(EditRefused, match="no graded judgements"):
        plan_edits.add_inspection(demo_con, LA, InspectionInput("jtai", date(2026, 6, 1), None, "",
                                                                {"leaders": "good"}), analyst("ad"))


def test_a_trend_chart_gets_the_inspections_and_the_due_dates_of_linked_recommendations(demo_con):
    due = queries.kpi_due_dates(demo_con, LA, "CL_BB_COUNT")
    assert due["ref"].tolist() == ["R4"]
    marks = plan_status.chart_marks(queries.inspections(demo_con, LA), due, queries.annotations(demo_con, LA, "CL_BB_COUNT"))
    assert "Due: R4 End the reliance on bed and…" in marks["text"].tolist()
    assert "Ofsted focused visit" in marks["text"].tolist()
    # The council's own chart note already names the ILACS inspection, so it is not drawn twice.
    assert not marks["text"].str.startswith("Ofsted ILACS").any()
    assert queries.kpi_due_dates(demo_con, LA, "CONTACTS").empty
