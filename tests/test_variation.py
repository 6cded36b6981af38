"""KPI-level SPC: polarity, rebase months and the icon words the pages show."""
from datetime import date

import pandas as pd

from analysis import spc, variation
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


def _targets(*rows):
    return pd.DataFrame([(code, "local", value, date(2020, 1, 1), None, None, None, "plan") for code, value in rows],
                        columns=["kpi_code", "kind", "value", "start_period", "end_period", "glide_from",
                                 "glide_until", "source"])


NO_REBASES = pd.DataFrame(columns=["kpi_code", "period"])


def test_icons_for_each_kpi_with_words():
    catalogue = pd.DataFrame({"code": ["A", "B", "C", "D"], "polarity": ["high", "none", "low", "low"]})
    history = pd.concat([_series([50, 52] * 10).assign(kpi_code="A"), _series([5.0]).assign(kpi_code="B"),
                         _series([3, 4] * 5).assign(kpi_code="D")])
    icons = variation.icons(catalogue, history, _targets(("A", TARGET)), NO_REBASES).set_index("kpi_code")
    assert icons.loc["A", "variation_text"] == "~ Common cause: no significant change"
    assert icons.loc["A", "assurance_text"] == "✗ Consistently misses target"
    assert icons.loc["A", "spc_since"] == "limits from Jan 2024" and icons.loc["A", "spc_status"] == "judged"
    assert icons.loc["B", "variation_text"] == icons.loc["B", "assurance_text"] == "– Not enough monthly figures"
    assert icons.loc["C", "assurance_text"] == "– Not enough monthly figures"  # no figures at all
    assert icons.loc["D", "assurance_text"] == "– No target to assure"


MISSED_THEN_MET = [80, 82] * 8 + [93, 95] * 8
"""Sixteen months round 81 (limits 75.7 to 86.3), then sixteen round 94 (88.7 to 99.3) after a change of practice:
a target of 87.5 lies between the two."""
TARGET = 87.5


def test_a_process_that_missed_before_a_recalculation_and_meets_after_is_judged_on_the_after():
    catalogue = pd.DataFrame({"code": ["A"], "polarity": ["high"]})
    history = _series(MISSED_THEN_MET).assign(kpi_code="A")  # Jan 2024 to Aug 2026
    whole = variation.icons(catalogue, history, _targets(("A", TARGET)), NO_REBASES).iloc[0]
    assert whole["assurance"] == "inconsistent"  # limits over both processes straddle the target
    rebases = pd.DataFrame({"kpi_code": ["A"], "period": [date(2025, 5, 1)]})
    after = variation.icons(catalogue, history, _targets(("A", TARGET)), rebases).iloc[0]
    assert after["assurance"] == "consistent_pass" and after["assurance_text"] == "✓ Consistently hits target"
    assert after["variation"] == "common_cause"
    assert after["spc_since"] == "limits recalculated from May 2025"
    alone = spc.xmr(MISSED_THEN_MET[16:], improvement="increase", target=TARGET)  # the points since, on their own
    assert (after["variation"], after["assurance"]) == (spc.variation_icon(alone), spc.assurance(alone, TARGET, "increase"))
    before_only = variation.icons(catalogue, history.iloc[:16], _targets(("A", TARGET)), NO_REBASES).iloc[0]
    assert before_only["assurance"] == "consistent_fail"


def test_too_few_months_since_a_recalculation_are_not_judged():
    catalogue = pd.DataFrame({"code": ["A"], "polarity": ["high"]})
    history = _series(MISSED_THEN_MET[:16 + variation.MIN_POINTS_TO_JUDGE - 1]).assign(kpi_code="A")
    rebases = pd.DataFrame({"kpi_code": ["A"], "period": [date(2025, 5, 1)]})
    row = variation.icons(catalogue, history, _targets(("A", TARGET)), rebases).iloc[0]
    assert row["variation"] is None and row["assurance"] is None
    assert row["spc_status"] == variation.TOO_FEW_SINCE_REBASE
    assert row["variation_text"] == row["assurance_text"] == "– Not enough months since the recalculation"
    assert row["spc_since"] == "limits recalculated from May 2025"
    one_more = _series(MISSED_THEN_MET[:16 + variation.MIN_POINTS_TO_JUDGE]).assign(kpi_code="A")
    assert variation.icons(catalogue, one_more, _targets(("A", TARGET)), rebases).iloc[0]["spc_status"] == "judged"


def test_a_short_series_without_a_recalculation_is_not_judged_either():
    catalogue = pd.DataFrame({"code": ["A"], "polarity": ["high"]})
    history = _series([80, 95, 81]).assign(kpi_code="A")
    row = variation.icons(catalogue, history, _targets(("A", TARGET)), NO_REBASES).iloc[0]
    assert (row["spc_status"], row["spc_since"], row["assurance_text"]) == ("too_few", "", "– Not enough monthly figures")


def test_a_stay_close_measure_with_a_target_is_not_called_targetless():
    catalogue = pd.DataFrame({"code": ["T"], "polarity": ["target"]})
    history = _series([10, 11] * 5).assign(kpi_code="T")
    row = variation.icons(catalogue, history, _targets(("T", 10.0)), NO_REBASES).iloc[0]
    assert row["assurance"] is None and row["assurance_text"] == "– Not assured: no better side of the target"


def test_a_shift_counts_the_latest_months_on_one_side_of_the_average():
    catalogue = pd.DataFrame({"code": ["A"], "polarity": ["low"]})
    values = [10, 12] * 6 + [14, 15, 14, 15, 14, 15, 14, 15, 14]
    row = variation.icons(catalogue, _series(values).assign(kpi_code="A"), _targets(), NO_REBASES).iloc[0]
    assert row["spc_shift"] == 9 and row["variation"] == "special_cause_concern"
    ended = values + [11.0]  # below the average (12.4): the run above it has ended
    row = variation.icons(catalogue, _series(ended).assign(kpi_code="A"), _targets(), NO_REBASES).iloc[0]
    assert row["spc_shift"] == 0


def test_red_commentary_prompts_when_missing():
    card = pd.DataFrame({"rag": ["red", "red", "green"], "name": ["Visits", "Agency", "Assess"],
                         "latest_text": ["70%", "30%", "90%"], "target_text": ["90%", "15%", "85%"],
                         "commentary": ["Two teams short-staffed", None, None]})
    lines = red_commentary(card)
    assert lines[0] == "■ **Visits** (70% against 90%): Two teams short-staffed"
    assert "no commentary yet" in lines[1] and len(lines) == 2


def test_a_shift_does_not_span_a_month_missing_from_the_series():
    catalogue = pd.DataFrame({"code": ["A"], "polarity": ["low"]})
    series = _series([10, 12] * 6 + [14, 15, 14, 15, 14, 15, 14, 15, 14])
    gap = series.drop(index=16).assign(kpi_code="A")  # the fifth month above the average has no row
    assert variation.icons(catalogue, gap, _targets(), NO_REBASES).iloc[0]["spc_shift"] == 0
