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
        (86, 90, "high", "amber"),
        (85, 90, "high", "red"),
        (14, 15, "low", "green"),
        (15.5, 15, "low", "amber"),
        (17, 15, "low", "red"),
        (500, 100, "none", "context"),
        (None, 90, "high", "nodata"),
        (80, None, "high", "none"),
    ],
)
def test_rag(value, target, polarity, expected):
    assert kpi.rag(value, target, polarity).code == expected


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
    england = pd.DataFrame({"kpi_code": ["A"], "year": [2024], "period_end": [date(2024, 3, 31)], "value": [85.7],
                            "status_code": [None], "source": ["DfE"]})
    card = kpi.scorecard(catalogue, values, targets, england, date(2025, 2, 1)).set_index("kpi_code")
    assert card.loc["A", "rag_text"] == "● On target"
    assert card.loc["A", "direction"] == "improved"
    assert card.loc["A", "latest_text"] == "91.0%"
    assert card.loc["A", "england"] == 85.7
    assert card.loc["B", "rag"] == "context"
    assert card.loc["B", "direction"] == "unknown"
    assert "1 KPIs with a target:** 1 on target, 0 near target, 0 off target" in rag_summary(card.reset_index())
