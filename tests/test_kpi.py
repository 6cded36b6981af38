from datetime import date

import pandas as pd
import pytest

from analysis import kpi
from analysis.tables import rag_summary


def _targets(*rows):
    return pd.DataFrame(rows, columns=["kpi_code", "kind", "value", "start_period", "end_period", "glide_from",
                                       "glide_until", "source"])


@pytest.mark.parametrize(
    "value,target,polarity,expected",
    [
        (90, 90, "high", "green"),
        (91, 90, "high", "green"),
        (500, 100, "none", "context"),
        (None, 90, "high", "nodata"),
        (80, None, "high", "none"),
    ],
)
def test_rag_basics(value, target, polarity, expected):
    assert kpi.rag(value, target, polarity).code == expected


TOLERANCE_10 = kpi.RagRule("tolerance", 10)


@pytest.mark.parametrize(
    "value,previous,target,polarity,expected",
    [
        (82, 70, 90, "high", "green"),  # 8 short of 90 is within 10% (9)
        (80, 70, 90, "high", "amber"),  # outside 10% but improving
        (80, 85, 90, "high", "red"),  # outside and worsening
        (80, 80, 90, "high", "red"),  # outside and not improving
        (80, None, 90, "high", "red"),  # nothing to show it is improving
        (16, 20, 15, "low", "green"),  # 1 over 15 is within 1.5
        (17, 20, 15, "low", "amber"),
        (17, 16, 15, "low", "red"),
    ],
)
def test_tolerance_rule_uses_improvement_outside_the_band(value, previous, target, polarity, expected):
    assert kpi.rag(value, target, polarity, TOLERANCE_10, previous=previous).code == expected


@pytest.mark.parametrize(
    "value,floor,polarity,expected",
    [
        (90, 80, "high", "green"),
        (85, 80, "high", "amber"),
        (80, 80, "high", "amber"),  # on the floor is not beyond it
        (79.9, 80, "high", "red"),
        (20, 25, "low", "amber"),  # target 15, floor 25
        (26, 25, "low", "red"),
    ],
)
def test_target_and_floor_rule(value, floor, polarity, expected):
    target = 90 if polarity == "high" else 15
    rule = kpi.RagRule("target_floor")
    assert kpi.rag(value, target, polarity, rule, floor=floor).code == expected


def test_target_and_floor_without_a_floor_falls_back_to_the_tolerance_band():
    rule = kpi.RagRule("target_floor", 5)
    assert kpi.rag(86, 90, "high", rule).code == "amber"
    assert kpi.rag(85, 90, "high", rule).code == "red"


@pytest.mark.parametrize("value,expected", [(100, "green"), (104, "green"), (96, "green"), (108, "amber"),
                                            (92, "amber"), (111, "red"), (89, "red")])
def test_stay_close_rule_penalises_both_directions(value, expected):
    assert kpi.rag(value, 100, "high", kpi.RagRule("close", 5)).code == expected
    assert kpi.rag(value, 100, "target").code == kpi.rag(value, 100, "high", kpi.RagRule("close", 5)).code


def test_default_rule_follows_polarity_and_floors():
    assert kpi.default_rule("target", False).method == "close"
    assert kpi.default_rule("high", True).method == "target_floor"
    assert kpi.default_rule("low", False) == kpi.RagRule("tolerance", 5)
    # with a floor and no rule given, the floor decides red
    assert kpi.rag(85, 90, "high", floor=86).code == "red"
    assert kpi.rag(87, 90, "high", floor=86).code == "amber"


@pytest.mark.parametrize("method,tolerance", [("traffic", 5), ("tolerance", -1), ("close", 101)])
def test_bad_rules_are_refused(method, tolerance):
    with pytest.raises(ValueError, match="RAG"):
        kpi.RagRule(method, tolerance)


def test_every_rag_has_a_word_and_a_symbol():
    for judgement in (kpi.RAG_GREEN, kpi.RAG_AMBER, kpi.RAG_RED, kpi.RAG_CONTEXT):
        assert judgement.label and judgement.symbol and judgement.label in judgement.text


@pytest.mark.parametrize(
    "latest,previous,polarity,expected",
    [
        (90, 85, "high", "improved"),
        (80, 85, "high", "worsened"),
        (14, 16, "low", "improved"),
        (18, 16, "low", "worsened"),
        (500, 400, "none", "up"),
        (300, 400, "none", "down"),
        (5, 5, "high", "same"),
        (5, None, "high", "unknown"),
    ],
)
def test_direction_is_judged_with_polarity(latest, previous, polarity, expected):
    assert kpi.direction(latest, previous, polarity).code == expected


def test_context_measures_are_never_better_or_worse():
    for latest, previous in [(1, 2), (2, 1)]:
        assert kpi.direction(latest, previous, "none").code in {"up", "down"}


def test_inspection_target_outranks_local_and_floors_are_ignored():
    targets = _targets(
        ("A", "local", 85, date(2021, 1, 1), date(2024, 3, 1), None, None, "plan"),
        ("A", "inspection", 90, date(2024, 4, 1), None, None, None, "Ofsted"),
        ("A", "local", 88, date(2024, 4, 1), None, None, None, "plan"),
        ("A", "floor", 80, date(2024, 4, 1), None, None, None, "Ofsted"),
    )
    assert kpi.target_at(targets, date(2023, 6, 1)) == 85
    assert kpi.target_at(targets, date(2024, 6, 1)) == 90
    assert kpi.target_at(targets, date(2020, 6, 1)) is None
    assert kpi.floor_at(targets, date(2024, 6, 1)) == 80
    assert kpi.floor_at(targets, date(2023, 6, 1)) is None


def test_glide_path_steps_monthly_to_its_final_value():
    targets = _targets(("A", "inspection", 15, date(2024, 4, 1), None, 27, date(2025, 4, 1), "Ofsted"))
    assert kpi.target_at(targets, date(2024, 4, 1)) == 27
    assert kpi.target_at(targets, date(2024, 10, 1)) == pytest.approx(21)
    assert kpi.target_at(targets, date(2025, 4, 1)) == 15
    assert kpi.target_at(targets, date(2026, 1, 1)) == 15


def test_scorecard_rows_for_a_tiny_catalogue():
    catalogue = pd.DataFrame({"code": ["A", "B"], "name": ["Assess", "Refs"], "definition": ["", ""],
                              "unit": ["%", "count"], "polarity": ["high", "none"], "kpi_group": ["G", "G"],
                              "decimals": [1, 0], "source": ["", ""], "frequency": ["monthly"] * 2})
    values = pd.DataFrame({"kpi_code": ["A", "A", "B"], "period": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 2, 1)],
                           "value": [80.0, 91.0, 400.0], "status_code": [None] * 3, "upload_id": [1] * 3})
    targets = _targets(("A", "local", 90, date(2024, 1, 1), None, None, None, "plan"))
    card = kpi.scorecard(catalogue, values, targets, date(2025, 2, 1)).set_index("kpi_code")
    assert card.loc["A", "rag_text"] == "● On target"
    assert card.loc["A", "direction"] == "improved"
    assert card.loc["A", "latest_text"] == "91.0%"
    assert card.loc["A", "latest_when"] == "Feb 2025"
    assert card.loc["B", "rag"] == "context"
    assert card.loc["B", "direction"] == "unknown"
    assert "1 KPIs with a target:** 1 on target, 0 near target, 0 off target" in rag_summary(card.reset_index())


def test_scorecard_applies_each_kpis_rule_and_floor():
    catalogue = pd.DataFrame({"code": ["A", "C"], "name": ["Assess", "Visits"], "definition": ["", ""],
                              "unit": ["%", "%"], "polarity": ["high", "high"], "kpi_group": ["G", "G"],
                              "decimals": [1, 1], "source": ["", ""], "frequency": ["monthly"] * 2})
    values = pd.DataFrame({"kpi_code": ["A", "A", "C", "C"],
                           "period": [date(2025, 1, 1), date(2025, 2, 1)] * 2,
                           "value": [70.0, 80.0, 70.0, 80.0], "status_code": [None] * 4, "upload_id": [1] * 4})
    targets = _targets(("A", "local", 90, date(2024, 1, 1), None, None, None, "plan"),
                       ("C", "local", 90, date(2024, 1, 1), None, None, None, "plan"),
                       ("C", "floor", 75, date(2024, 1, 1), None, None, None, "plan"))
    until = date(2025, 2, 1)
    card = kpi.scorecard(catalogue, values, targets, until).set_index("kpi_code")
    assert card.loc["A", "rag"] == "amber"  # tolerance: outside 5% but improving on 70
    assert card.loc["C", "rag"] == "amber" and card.loc["C", "floor"] == 75  # above its floor
    strict = {"A": kpi.RagRule("close", 5), "C": kpi.RagRule("tolerance", 20)}
    card = kpi.scorecard(catalogue, values, targets, until, strict).set_index("kpi_code")
    assert card.loc["A", "rag"] == "red"
    assert card.loc["C", "rag"] == "green"  # 80 is within 20% of 90


def test_a_kpi_without_monthly_returns_is_scored_on_its_published_years_and_says_so():
    catalogue = pd.DataFrame({"code": ["R"], "name": ["Rate"], "definition": [""], "unit": ["rate"],
                              "polarity": ["low"], "kpi_group": ["G"], "decimals": [0], "source": [""],
                              "frequency": ["monthly"]})
    values = pd.DataFrame({"kpi_code": ["R", "R"], "period": [date(2024, 3, 1), date(2025, 3, 1)],
                           "value": [98.0, 101.0], "status_code": [None] * 2, "upload_id": [1, 1],
                           "kind": ["published"] * 2})
    card = kpi.scorecard(catalogue, values, _targets(), date(2025, 9, 1)).set_index("kpi_code")
    assert card.loc["R", "latest_when"] == "31 Mar 2025 (published)"
    assert card.loc["R", "previous_when"] == "31 Mar 2024 (published)"
    assert card.loc["R", "direction_text"] == "↓ Worsened"  # 98 to 101 per 10,000, lower is better
    assert kpi.PREVIOUS_WORDS[card.loc["R", "latest_kind"]] == "the previous year's published figure"
