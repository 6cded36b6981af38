"""The plan's impact: a linked KPI's figure when the recommendation was made and now, the way it moved and whether
that is better, and whether SPC has seen special-cause variation since."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.impact import kpi_impact


def monthly(values, start="2023-01-01") -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range(start, periods=len(values), freq="MS"), "value": values,
                         "kind": "monthly"})


def test_a_real_step_after_the_recommendation_is_special_cause_and_better():
    rng = np.random.default_rng(3)
    values = np.r_[26 + rng.normal(0, 0.5, 15), 18 + rng.normal(0, 0.5, 15)]
    series = monthly(np.round(values, 1))
    found = kpi_impact(series, date(2024, 3, 22), date(2025, 6, 1), name="Agency worker rate", unit="%",
                       decimals=1, polarity="low")
    then, now = series["value"].iloc[14], series["value"].iloc[29]
    assert found.then == then and found.then_period == date(2024, 3, 1) and found.now == now
    assert f"▼ {then - now:.1f} points, better" in found.sentence
    assert "SPC: special-cause variation since (improvement), first in" in found.sentence


def test_noise_after_the_recommendation_is_said_to_be_no_sign_of_a_change():
    rng = np.random.default_rng(4)
    series = monthly(np.round(88 + rng.normal(0, 0.4, 30), 1))
    found = kpi_impact(series, date(2024, 3, 1), date(2025, 6, 1), name="Visits", unit="%", decimals=1,
                       polarity="high")
    assert "SPC: no special-cause variation since, so no sign yet that it moved beyond its usual variation." \
        in found.sentence
    moved = round(found.now - found.then, 1)
    word = "better" if moved > 0 else "worse"
    assert (f"({'▲' if moved > 0 else '▼'} {abs(moved):.1f} points, {word})" in found.sentence) or moved == 0


def test_nothing_to_compare_is_said_so():
    series = monthly([5.0, 6.0, 7.0], start="2025-01-01")
    found = kpi_impact(series, date(2024, 3, 1), date(2025, 3, 1), name="X", unit="count", decimals=0,
                       polarity="low")
    assert found.sentence == "X: no monthly figure from before Mar 2024, when the recommendation was made, to compare with."
