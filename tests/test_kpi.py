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
    "value,target,polarity,expected",
    [
        (90, 90, "high", "● On target"),
        (95, 90, "high", "● On target"),
        (82, 90, "high", "▲ Within tolerance"),  # 8 short of 90 is within 10% (9)
        (81, 90, "high", "▲ Within tolerance"),  # exactly on the edge of the band
        (80, 90, "high", "■ Off target"),
        (15, 15, "low", "● On target"),
        (16, 15, "low", "▲ Within tolerance"),  # 1 over 15 is within 1.5
        (17, 15, "low", "■ Off target"),
    ],
)
def test_target_and_tolerance_is_green_only_at_or_better_than_target(value, target, polarity, expected):
    assert kpi.rag(value, target, polarity, TOLERANCE_10).text == expected


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
    assert kpi.rag(86, 90, "high", rule).text == "▲ Within tolerance"
    assert kpi.rag(85, 90, "high", rule).text == "■ Off target"


@pytest.mark.parametrize("value,expected", [(100, "● Within 5% of target"), (104, "● Within 5% of target"),
                                            (96, "● Within 5% of target"), (108, "▲ Within 10% of target"),
                                            (92, "▲ Within 10% of target"), (111, "■ Off target"),
                                            (89, "■ Off target")])
def test_stay_close_rule_penalises_both_directions_and_says_how_close(value, expected):
    """Close to the target is the target here, so green is green, but its words say 'within 5%', not 'on target':
    104 is not on a target of 100."""
    assert kpi.rag(value, 100, "high", kpi.RagRule("close", 5)).text == expected
    assert kpi.rag(value, 100, "target") == kpi.rag(value, 100, "high", kpi.RagRule("close", 5))


def test_a_target_polarity_is_judged_by_distance_whatever_rule_is_set():
    assert kpi.rule_in_force("target", TOLERANCE_10) == kpi.RagRule("close", 10)
    assert kpi.rag(108, 100, "target", TOLERANCE_10).text == "● Within 10% of target"


def test_default_rule_follows_target_kind_polarity_and_floors():
    assert kpi.rule_in_force("target", None).method == "close"
    assert kpi.rule_in_force("high", None, has_floor=True).method == "target_floor"
    assert kpi.rule_in_force("low", None) == kpi.RagRule("tolerance", 5)
    assert kpi.rule_in_force("high", None, has_floor=True, target_kind="inspection") == kpi.NO_TOLERANCE
    assert kpi.rule_in_force("high", TOLERANCE_10, target_kind="inspection") == TOLERANCE_10
    # with a floor and no rule given, the floor decides red
    assert kpi.rag(85, 90, "high", floor=86).code == "red"
    assert kpi.rag(87, 90, "high", floor=86).code == "amber"


def test_an_inspection_target_has_no_tolerance_unless_the_council_sets_one():
    """88.2% against the Ofsted action-plan target of 92% is off target, 3.8 points below, not 'on target'."""
    assert kpi.rag(88.2, 92, "high", target_kind="inspection").text == "■ Off target"
    assert kpi.rag(92, 92, "high", target_kind="inspection").text == "● On target"
    assert kpi.rag(88.2, 92, "high").text == "▲ Within tolerance"  # a local target: within 5% of 92
    assert kpi.rag(88.2, 92, "high", kpi.RagRule("tolerance", 5), target_kind="inspection").code == "amber"
    assert kpi.gap_text(88.2, 92, "%", 1) == "3.8 points below"


@pytest.mark.parametrize(
    "rule,target_kind,floor_text,expected",
    [
        (kpi.RagRule("tolerance", 5), "local", None, "Target and tolerance: amber within 5% of the target"),
        (kpi.NO_TOLERANCE, "inspection", None, "Inspection target: no tolerance"),
        (kpi.NO_TOLERANCE, "local", None, "Target: no tolerance"),
        (kpi.RagRule("target_floor", 5), "local", "80.0%", "Target and floor: amber down to the floor of 80.0%"),
        (kpi.RagRule("target_floor", 5), "local", None, "Target and floor, no floor set: amber within 5% of the target"),
        (kpi.RagRule("close", 2.5), None, None, "Stay close to target: green within 2.5% either side, amber within 5%"),
    ],
)
def test_the_rule_in_force_is_put_in_words(rule, target_kind, floor_text, expected):
    assert kpi.rule_text(rule, target_kind=target_kind, floor_text=floor_text) == expected


@pytest.mark.parametrize(
    "value,target,unit,decimals,expected",
    [
        (88.2, 92, "%", 1, "3.8 points below"),
        (93, 92, "%", 0, "1 point above"),
        (18, 10, "count", 0, "8 above"),
        (1, 0, "count", 0, "1 above"),
        (42.1, 40, "rate", 1, "2.1 per 10,000 above"),
        (15.6, 15.2, "cases", 1, "0.4 cases above"),
        (14, 15, "cases", 0, "1 case below"),
        (31.5, 30, "FTE", 1, "1.5 FTE above"),
        (1530, 30, "count", 0, "1,500 above"),
        (92.04, 92, "%", 1, "at target"),  # reads 92.0% against 92.0%
        (92, 92, "%", 1, "at target"),
        (None, 92, "%", 1, "–"),
        (90, None, "%", 1, "–"),
    ],
)
def test_gap_text_is_in_the_kpis_unit(value, target, unit, decimals, expected):
    assert kpi.gap_text(value, target, unit, decimals) == expected


@pytest.mark.parametrize(
    "change,unit,decimals,expected",
    [
        (0.4, "%", 1, "+0.4 points"),
        (-1.0, "%", 0, "−1 point"),
        (-130, "count", 0, "−130"),
        (1234.0, "count", 0, "+1,234"),
        (3.14, "rate", 1, "+3.1 per 10,000"),
        (-0.3, "cases", 1, "−0.3 cases"),
        (0.04, "%", 1, "no change"),  # reads 0.0: no move to the reader
        (2.0, "FTE", 1, "+2.0 FTE"),
    ],
)
def test_a_change_is_signed_rounded_as_printed_and_in_the_kpis_unit(change, unit, decimals, expected):
    assert kpi.change_text(change, unit, decimals) == expected


def test_a_value_names_its_unit_where_nothing_else_does():
    assert kpi.value_with_unit(72.94, "rate", 1) == "72.9 per 10,000"
    assert kpi.value_with_unit(91, "%", 1) == "91.0%"
    assert kpi.value_with_unit(27310, "count", 0) == "27,310"
    assert kpi.value_with_unit(None, "rate", 1) == "–"


def test_gap_is_signed_value_minus_target_as_printed():
    assert kpi.gap(88.2, 92, 1) == pytest.approx(-3.8)
    assert kpi.gap(18, 10, 0) == 8
    assert kpi.gap(None, 10, 0) is None


@pytest.mark.parametrize("method,tolerance", [("traffic", 5), ("tolerance", -1), ("close", 101)])
def test_bad_rules_are_refused(method, tolerance):
    with pytest.raises(ValueError, match="RAG"):
        kpi.RagRule(method, tolerance)


def test_every_rag_has_a_word_and_a_symbol():
    for judgement in (kpi.RAG_GREEN, kpi.RAG_AMBER, kpi.RAG_RED, kpi.RAG_CONTEXT):
        assert judgement.label and judgement.symbol and judgement.label in judgement.text


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
    assert kpi.target_kind_at(targets, date(2023, 6, 1)) == "local"
    assert kpi.target_kind_at(targets, date(2024, 6, 1)) == "inspection"
    assert kpi.target_kind_at(targets, date(2020, 6, 1)) is None


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
    assert card.loc["A", "latest_text"] == "91.0%"
    assert card.loc["A", "latest_when"] == "Feb 2025"
    assert card.loc["B", "rag"] == "context"
    assert card.loc["A", "gap_text"] == "1.0 points above" and card.loc["A", "gap"] == pytest.approx(1.0)
    assert card.loc["A", "target_kind"] == "local"
    assert card.loc["A", "rule_text"] == "Target and tolerance: amber within 5% of the target"
    assert card.loc["B", "rule_text"] == ""
    assert "**1 KPIs with a target:** 1 on target. 1 context measures" in rag_summary(card.reset_index())


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
    assert card.loc["A", "rag_text"] == "■ Off target"  # 10 short is beyond 5% of 90, however much it improved
    assert card.loc["C", "rag_text"] == "▲ Within tolerance" and card.loc["C", "floor"] == 75  # above its floor
    assert card.loc["C", "rule_text"] == "Target and floor: amber down to the floor of 75.0%"
    strict = {"A": kpi.RagRule("close", 5), "C": kpi.RagRule("tolerance", 20)}
    card = kpi.scorecard(catalogue, values, targets, until, strict).set_index("kpi_code")
    assert card.loc["A", "rag"] == "red"
    assert card.loc["C", "rag_text"] == "▲ Within tolerance"  # 80 is within 20% of 90, but below it
    assert card.loc["C", "rule_text"] == "Target and tolerance: amber within 20% of the target"


def _one_kpi(unit: str, polarity: str, decimals: int) -> pd.DataFrame:
    return pd.DataFrame({"code": ["A"], "name": ["Suitable accommodation"], "definition": [""], "unit": [unit],
                         "polarity": [polarity], "kpi_group": ["G"], "decimals": [decimals], "source": [""],
                         "frequency": ["monthly"]})


def _values(*monthly: float) -> pd.DataFrame:
    periods = [date(2026, month, 1) for month in range(1, len(monthly) + 1)]
    return pd.DataFrame({"kpi_code": "A", "period": periods, "value": list(monthly), "status_code": None,
                         "upload_id": 1})


def test_scorecard_judges_an_inspection_target_without_tolerance_and_names_its_kind():
    targets = _targets(("A", "local", 85, date(2024, 1, 1), None, None, None, "plan"),
                       ("A", "inspection", 92, date(2025, 1, 1), None, None, None, "Ofsted action plan"))
    card = kpi.scorecard(_one_kpi("%", "high", 1), _values(80.0, 88.2), targets, date(2026, 2, 1)).iloc[0]
    assert card["target_kind"] == "inspection" and card["target"] == 92
    assert card["rag_text"] == "■ Off target" and card["gap_text"] == "3.8 points below"
    assert card["rule_text"] == "Inspection target: no tolerance"
    council = {"A": kpi.RagRule("tolerance", 5)}
    card = kpi.scorecard(_one_kpi("%", "high", 1), _values(80.0, 88.2), targets, date(2026, 2, 1), council).iloc[0]
    assert card["rag_text"] == "▲ Within tolerance"


def test_scorecard_judges_the_figures_as_printed():
    """91.96% prints as 92.0%: beside a target of 92.0% it is on target, at target, as the reader sees."""
    targets = _targets(("A", "inspection", 92, date(2025, 1, 1), None, None, None, "Ofsted action plan"))
    card = kpi.scorecard(_one_kpi("%", "high", 1), _values(91.96), targets, date(2026, 1, 1)).iloc[0]
    assert (card["latest_text"], card["target_text"]) == ("92.0%", "92.0%")
    assert card["rag_text"] == "● On target" and card["gap_text"] == "at target"
    card = kpi.scorecard(_one_kpi("%", "high", 1), _values(91.94), targets, date(2026, 1, 1)).iloc[0]
    assert card["rag_text"] == "■ Off target" and card["gap_text"] == "0.1 points below"


def test_unallocated_cases_above_target_are_off_target_however_they_moved():
    targets = _targets(("A", "local", 10, date(2025, 1, 1), None, None, None, "plan"))
    card = kpi.scorecard(_one_kpi("count", "low", 0), _values(25.0, 18.0), targets, date(2026, 2, 1)).iloc[0]
    assert card["rag_text"] == "■ Off target" and card["gap_text"] == "8 above"


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
    assert kpi.PREVIOUS_WORDS[card.loc["R", "latest_kind"]] == "the previous published figure with a value"
