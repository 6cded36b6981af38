"""Edits on the pages keep their history: nothing a board was shown is overwritten."""
from datetime import date

import pytest

from analysis import kpi
from auth.roles import Actor
from records import kpi_edits
from records.kpi_edits import TargetInput
from settings import DEMO_LA_CODE as LA
from store import queries
from store.errors import EditRefused
from tests.actors import ADMIN, analyst

AGENCY = "SW_AGENCY_PCT"


def _target(**overrides) -> TargetInput:
    fields = dict(kpi_code=AGENCY, kind="local", value=18.0, start_period=date(2026, 4, 1),
                  source="Workforce strategy 2026")
    fields.update(overrides)
    return TargetInput(**fields)


@pytest.mark.parametrize(
    "overrides,unit,message",
    [
        ({"value": 120.0}, "%", "between 0 and 100"),
        ({"value": -3.0}, "count", "cannot be negative"),
        ({"end_period": date(2026, 1, 1)}, "%", "end month must be on or after the start month"),
        ({"glide_from": 25.0}, "%", "needs both a starting value and the month"),
        ({"glide_from": 25.0, "glide_until": date(2026, 2, 1)}, "%", "reach the target after the start month"),
        ({"source": "  "}, "%", "Say where the target comes from"),
        ({"kind": "stretch"}, "%", "Kind must be one of"),
    ],
)
def test_check_target_names_each_problem(overrides, unit, message):
    problems = kpi_edits.check_target(_target(**overrides), unit)
    assert any(message in p for p in problems), problems


def test_a_good_target_has_no_problems():
    assert kpi_edits.check_target(_target(glide_from=25.0, glide_until=date(2027, 3, 1)), "%") == []


def test_replacing_a_target_keeps_the_old_one_in_history(demo_con):
    first = kpi_edits.add_target(demo_con, LA, _target(), analyst("analyst.one"))
    second = kpi_edits.replace_target(demo_con, LA, first, _target(value=16.0), analyst("analyst.two"))
    live = queries.targets(demo_con, LA)
    assert second in live["target_id"].tolist() and first not in live["target_id"].tolist()
    history = queries.target_history(demo_con, LA).set_index("target_id")
    assert history.loc[first, "retired_by"] == "analyst.two"
    assert history.loc[first, "value"] == 18.0
    assert history.loc[second, "replaces"] == first
    assert history.loc[second, "created_by"] == "analyst.two"


def test_refused_edits_write_nothing(demo_con):
    before = len(queries.target_history(demo_con, LA))
    with pytest.raises(EditRefused, match="between 0 and 100"):
        kpi_edits.add_target(demo_con, LA, _target(value=150.0), analyst("analyst"))
    with pytest.raises(EditRefused, match="no KPI"):
        kpi_edits.add_target(demo_con, LA, _target(kpi_code="NOPE"), analyst("analyst"))
    with pytest.raises(EditRefused, match="already been removed"):
        kpi_edits.retire_target(demo_con, LA, 99999, analyst("analyst"))
    assert len(queries.target_history(demo_con, LA)) == before


def test_retiring_a_target_removes_it_from_rag_but_not_history(demo_con):
    target_id = kpi_edits.add_target(demo_con, LA, _target(kind="floor", value=30.0), analyst("analyst"))
    kpi_edits.retire_target(demo_con, LA, target_id, analyst("lead"))
    assert target_id not in queries.targets(demo_con, LA)["target_id"].tolist()
    with pytest.raises(EditRefused):
        kpi_edits.retire_target(demo_con, LA, target_id, analyst("lead"))
    assert queries.target_history(demo_con, LA).set_index("target_id").loc[target_id, "retired_by"] == "lead"


def test_the_latest_rag_rule_counts(demo_con):
    kpi_edits.set_rag_rule(demo_con, LA, AGENCY, kpi.RagRule("close", 10), ADMIN)
    kpi_edits.set_rag_rule(demo_con, LA, AGENCY, kpi.RagRule("tolerance", 15), Actor("lead", "admin"))
    rules = queries.rag_rules(demo_con, LA).set_index("kpi_code")
    assert rules.loc[AGENCY, "method"] == "tolerance"
    assert rules.loc[AGENCY, "tolerance_pct"] == 15
    assert rules.loc[AGENCY, "created_by"] == "lead"


def test_commentary_latest_per_month(demo_con):
    kpi_edits.add_commentary(demo_con, LA, AGENCY, date(2026, 10, 15), "First draft", analyst("analyst"))
    kpi_edits.add_commentary(demo_con, LA, AGENCY, date(2026, 10, 1), "Agency rate fell as six staff converted", analyst("lead"))
    notes = queries.commentary(demo_con, LA, date(2026, 10, 1)).set_index("kpi_code")
    assert notes.loc[AGENCY, "text"] == "Agency rate fell as six staff converted"
    assert queries.commentary(demo_con, LA, date(2026, 9, 1)).empty
    with pytest.raises(EditRefused, match="Write the commentary"):
        kpi_edits.add_commentary(demo_con, LA, AGENCY, date(2026, 10, 1), "   ", analyst("lead"))


def test_annotations_for_all_kpis_show_on_every_chart_and_can_be_retired(demo_con):
    note = kpi_edits.add_annotation(demo_con, LA, None, date(2026, 6, 20), "New director of children's services", analyst("ad"))
    assert note in queries.annotations(demo_con, LA, AGENCY)["annotation_id"].tolist()
    assert note in queries.annotations(demo_con, LA, "REFERRALS")["annotation_id"].tolist()
    kpi_edits.retire_annotation(demo_con, LA, note, analyst("ad"))
    assert note not in queries.annotations(demo_con, LA, AGENCY)["annotation_id"].tolist()


def test_rebases_are_listed_until_retired(demo_con):
    rebase = kpi_edits.add_rebase(demo_con, LA, AGENCY, date(2024, 5, 1), "Agency reduction programme", analyst("analyst"))
    listed = queries.rebases(demo_con, LA, AGENCY)
    assert listed["reason"].tolist() == ["Agency reduction programme"]
    kpi_edits.retire_rebase(demo_con, LA, rebase, analyst("analyst"))
    assert queries.rebases(demo_con, LA, AGENCY).empty
    with pytest.raises(EditRefused, match="Say why"):
        kpi_edits.add_rebase(demo_con, LA, AGENCY, date(2024, 5, 1), "", analyst("analyst"))
