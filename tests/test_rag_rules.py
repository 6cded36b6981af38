"""RAG words are literally true: green only at or better than the target, amber only within the rule's tolerance or
floor, the gap in the KPI's unit, the rule in force in words; the Overview's filter, the Targets page's statuses and
councils' rules kept across an upgrade."""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import kpi, tables
from records import kpi_edits
from settings import DEMO_LA_CODE as LA
from store import connection, queries, schema
from store.errors import EditRefused
from tests.actors import ADMIN

values = st.floats(min_value=0, max_value=10_000, allow_nan=False)
tolerances = st.floats(min_value=0, max_value=100, allow_nan=False)
polarities = st.sampled_from(["high", "low"])
kinds = st.sampled_from([None, "local", "inspection"])


def _shortfall(value: float, target: float, polarity: str) -> float:
    return target - value if polarity == "high" else value - target


def _rules() -> st.SearchStrategy[kpi.RagRule | None]:
    return st.one_of(st.none(), st.builds(kpi.RagRule, st.sampled_from(["tolerance", "target_floor"]), tolerances))


@given(value=values, target=values, polarity=polarities, rule=_rules(), floor=st.one_of(st.none(), values),
       kind=kinds)
def test_green_and_on_target_iff_at_or_better_than_the_target(value, target, polarity, rule, floor, kind):
    judgement = kpi.rag(value, target, polarity, rule, floor=floor, target_kind=kind)
    better_or_equal = _shortfall(value, target, polarity) <= 0
    assert (judgement.code == "green") == better_or_equal
    assert (judgement.label == "On target") == better_or_equal
    if not better_or_equal:
        assert judgement.code in ("amber", "red") and "On target" not in judgement.text


@given(value=values, target=values, polarity=polarities, pct=tolerances, kind=kinds)
def test_target_and_tolerance_is_amber_iff_worse_but_within_n_percent(value, target, polarity, pct, kind):
    judgement = kpi.rag(value, target, polarity, kpi.RagRule("tolerance", pct), target_kind=kind)
    shortfall, allowance = _shortfall(value, target, polarity), target * pct / 100
    within = shortfall <= allowance or math.isclose(shortfall, allowance, rel_tol=1e-9)
    assert (judgement.code == "amber") == (shortfall > 0 and within)
    assert (judgement.text == "▲ Within tolerance") == (judgement.code == "amber")
    assert (judgement.text == "■ Off target") == (shortfall > 0 and not within)


@given(value=values, target=values, floor=values, polarity=polarities, pct=tolerances)
def test_target_and_floor_is_amber_iff_worse_but_not_beyond_the_floor(value, target, floor, polarity, pct):
    judgement = kpi.rag(value, target, polarity, kpi.RagRule("target_floor", pct), floor=floor)
    beyond_floor = value < floor if polarity == "high" else value > floor
    worse = _shortfall(value, target, polarity) > 0
    assert (judgement.text == "▲ Within tolerance") == (worse and not beyond_floor)
    assert (judgement.text == "■ Off target") == (worse and beyond_floor)


@given(value=values, target=values, polarity=polarities, floor=st.one_of(st.none(), values))
def test_an_inspection_target_without_a_council_rule_has_no_amber(value, target, polarity, floor):
    judgement = kpi.rag(value, target, polarity, floor=floor, target_kind="inspection")
    assert judgement.code == ("green" if _shortfall(value, target, polarity) <= 0 else "red")


@given(value=values, target=values, polarity=st.sampled_from(["high", "low", "target"]),
       pct=st.floats(min_value=0.5, max_value=50, allow_nan=False))
def test_staying_close_says_how_close_and_never_on_target(value, target, polarity, pct):
    judgement = kpi.rag(value, target, polarity, kpi.RagRule("close", pct))
    distance, allowance = abs(value - target), target * pct / 100
    assert "On target" not in judgement.text
    if distance < allowance * (1 - 1e-9):
        assert judgement.text == f"● Within {pct:g}% of target"
    elif distance > 2 * allowance * (1 + 1e-9):
        assert judgement.text == "■ Off target"
    elif distance > allowance * (1 + 1e-9):
        assert judgement.text == f"▲ Within {2 * pct:g}% of target"


@given(value=values, target=values, rule=_rules())
def test_a_context_measure_is_never_judged(value, target, rule):
    assert kpi.rag(value, target, "none", rule) == kpi.RAG_CONTEXT


@settings(max_examples=60, deadline=None)
@given(value=values, target=values, polarity=polarities, decimals=st.integers(min_value=0, max_value=2),
       kind=st.sampled_from(["local", "inspection"]))
def test_the_scorecard_is_green_iff_the_printed_value_is_at_or_better_than_the_printed_target(
        value, target, polarity, decimals, kind):
    catalogue = pd.DataFrame({"code": ["A"], "name": ["A"], "definition": [""], "unit": ["%"], "polarity": [polarity],
                              "kpi_group": ["G"], "decimals": [decimals], "source": [""], "frequency": ["monthly"]})
    observed = pd.DataFrame({"kpi_code": ["A"], "period": [date(2026, 1, 1)], "value": [value], "status_code": [None],
                             "upload_id": [1]})
    targets = pd.DataFrame([("A", kind, target, date(2025, 1, 1), None, None, None, "plan")],
                           columns=["kpi_code", "kind", "value", "start_period", "end_period", "glide_from",
                                    "glide_until", "source"])
    row = kpi.scorecard(catalogue, observed, targets, date(2026, 1, 1)).iloc[0]
    printed_value, printed_target = float(row["latest_text"].rstrip("%").replace(",", "")), \
        float(row["target_text"].rstrip("%").replace(",", ""))
    better_or_equal = _shortfall(printed_value, printed_target, polarity) <= 0
    assert (row["rag"] == "green") == better_or_equal
    assert (row["gap_text"] == "at target") == (printed_value == printed_target)
    if row["gap_text"] != "at target":
        assert row["gap_text"].endswith("above" if printed_value > printed_target else "below")


def _card(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"kpi_code": c, "name": c, "rag": r, "rag_text": t, "rule_text": "" if r == "context" else
                          "Target and tolerance: amber within 5% of the target"} for c, r, t in rows])


CARD = _card(("A", "green", "● On target"), ("B", "amber", "▲ Within tolerance"), ("C", "red", "■ Off target"),
             ("D", "context", "○ Context"), ("E", "green", "● Within 5% of target"))


@pytest.mark.parametrize("shown,codes", [(tables.ALL_KPIS, ["A", "B", "C", "D", "E"]), (tables.OFF_TARGET, ["C"]),
                                         (tables.OFF_OR_WITHIN, ["B", "C"])])
def test_the_overview_filter_offers_off_target_and_off_target_or_within_tolerance(shown, codes):
    assert tables.RAG_FILTERS == ("All KPIs", "Off target", "Off target or within tolerance")
    assert tables.off_target(CARD, shown)["kpi_code"].tolist() == codes


def test_the_summary_counts_by_the_words_shown():
    assert tables.rag_summary(CARD).startswith(
        "**4 KPIs with a target:** 1 on target, 1 within 5% of target, 1 within tolerance, 1 off target. "
        "1 context measures")


def test_the_legend_names_each_rule_and_its_kpis():
    assert tables.rule_legend(CARD) == ("**RAG rules in force**\n\n"
                                        "- Target and tolerance: amber within 5% of the target, for A, B, C, E")
    assert tables.rule_legend(CARD[CARD["rag"] == "context"]) == ""


def _target_rows(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["target_id", "kpi_code", "kind", "value", "start_period", "end_period",
                                       "glide_from", "glide_until", "source"])


def test_the_targets_page_calls_in_force_only_the_target_judged_against():
    targets = _target_rows(
        (1, "A", "local", 85, date(2021, 1, 1), date(2024, 3, 1), None, None, "old plan"),
        (2, "A", "inspection", 90, date(2024, 4, 1), None, None, None, "Ofsted"),
        (3, "A", "local", 88, date(2024, 4, 1), None, None, None, "plan"),
        (4, "A", "floor", 80, date(2024, 4, 1), None, None, None, "Ofsted"),
        (5, "B", "local", 12, date(2027, 4, 1), None, None, None, "next plan"),
    )
    catalogue = pd.DataFrame({"code": ["A", "B"], "name": ["Assessments", "Turnover"]})
    view = tables.targets_view(targets, catalogue, date(2026, 10, 1))
    assert view["Status"].tolist() == ["Expired (ended Mar 2024)", "In force",
                                       "Not used: another target for this KPI outranks it", "In force",
                                       "Not started (starts Apr 2027)"]
    assert tables.targets_view(targets, catalogue, date(2023, 1, 1))["Status"].tolist()[:2] == [
        "In force", "Not started (starts Apr 2024)"]
    assert "Status" not in tables.targets_view(targets, catalogue)


def test_a_store_at_version_9_keeps_the_rules_councils_set(tmp_path, monkeypatch):
    """The methods kept their names: a rule set before the words were made true is read by the new rule, with the
    council's N as its amber band."""
    path = tmp_path / "v9.duckdb"
    every = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: tuple(m for m in every if m[0] <= 9))
    old = connection.connect(path)
    for code, method, pct in (("SW_AGENCY_PCT", "tolerance", 10.0), ("VISITS_CP_PCT", "target_floor", 5.0),
                              ("SW_CASELOAD", "close", 8.0)):
        old.execute("INSERT INTO rag_rules (la_code, kpi_code, method, tolerance_pct, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, 'lead', TIMESTAMP '2025-06-01 09:00:00')", [LA, code, method, pct])
    old.close()
    monkeypatch.undo()
    con = connection.connect(path)
    assert schema.schema_version(con) == schema.LATEST_VERSION
    rules = kpi.rules_from(queries.rag_rules(con, LA))
    assert rules == {"SW_AGENCY_PCT": kpi.RagRule("tolerance", 10), "VISITS_CP_PCT": kpi.RagRule("target_floor", 5),
                     "SW_CASELOAD": kpi.RagRule("close", 8)}
    assert kpi.rag(16.5, 15, "low", rules["SW_AGENCY_PCT"]).text == "▲ Within tolerance"


def test_a_context_measure_takes_no_rule(demo_con):
    with pytest.raises(EditRefused, match="context measure"):
        kpi_edits.set_rag_rule(demo_con, LA, "REFERRALS", kpi.RagRule("tolerance", 5), ADMIN)
    assert "REFERRALS" not in queries.rag_rules(demo_con, LA)["kpi_code"].tolist()
