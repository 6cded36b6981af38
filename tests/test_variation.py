"""KPI-level SPC: polarity, rebase months and the icon words the pages show."""
from datetime import date

import pandas as pd

from analysis import variation
from analysis.tables import red_commentary


def _series(values, start="2024-01-01"):
    return pd.DataFrame({"period": pd.date_range(start, periods=len(values), freq="MS").date, "value": values})


def test_polarity_decides_improvement_or_concern():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40]
    assert variation.kpi_xmr(_series(values), "high", None)["point_type"].iloc[-1] == "special_cause_improvement"
    assert variation.kpi_xmr(_series(values), "low", None)["point_type"].iloc[-1] == "special_cause_concern"
    assert variation.kpi_xmr(_series(values), "none", None)["point_type"].iloc[-1] == "special_cause_neutral_high"


def test_rebase_month_starts_new_limits_at_the_first_month_on_or_after_it():
    series = _series([10, 11] * 8 + [30, 31] * 8)
    result = variation.kpi_xmr(series, "high", None, [date(2025, 5, 15)])  # mid-month: from June 2025
    assert result["group"].tolist() == [0] * 17 + [1] * 15
    ignored = variation.kpi_xmr(series, "high", None, [date(2020, 1, 1), date(2024, 1, 1)])
    assert ignored["group"].eq(0).all()


def test_icons_for_each_kpi_with_words():
    catalogue = pd.DataFrame({"code": ["A", "B", "C"], "polarity": ["high", "none", "low"]})
    history = pd.concat([_series([50, 52] * 10).assign(kpi_code="A"), _series([5.0]).assign(kpi_code="B")])
    targets = pd.DataFrame({"kpi_code": ["A"], "kind": ["local"], "value": [90.0], "start_period": [date(2020, 1, 1)],
                            "end_period": [None], "glide_from": [None], "glide_until": [None], "source": ["plan"]})
    rebases = pd.DataFrame(columns=["kpi_code", "period"])
    icons = variation.icons(catalogue, history, targets, rebases).set_index("kpi_code")
    assert icons.loc["A", "variation_text"] == "~ Common cause: no significant change"
    assert icons.loc["A", "assurance_text"] == "✗ Consistently misses target"
    assert icons.loc["B", "variation_text"] == "– Not enough data"
    assert icons.loc["C", "assurance_text"] == "– No target to assure"


def test_red_commentary_prompts_when_missing():
    card = pd.DataFrame({"rag": ["red", "red", "green"], "name": ["Visits", "Agency", "Assess"],
                         "latest_text": ["70%", "30%", "90%"], "target_text": ["90%", "15%", "85%"],
                         "commentary": ["Two teams short-staffed", None, None]})
    lines = red_commentary(card)
    assert lines[0] == "■ **Visits** (70% against 90%): Two teams short-staffed"
    assert "no commentary yet" in lines[1] and len(lines) == 2
