"""Demand ahead, for the assistant director's budget conversation: children looked after, in need and on plans,
and the average caseload, a year ahead; and what the caseload forecast means for social workers needed.

Cases held are average caseload x case-holding social workers. The dashboard holds social workers in post
(`SW_FTE`), not case-holding ones, so the FTE needed at the target caseload is worked out on the assumption that the
share of social workers who hold cases stays as it is now: social workers in post x forecast caseload / target
caseload, with both forecasts' simulated futures multiplied together for the range. The page says so beside the
figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.forecast import Forecast, LEVELS

DEMAND_KPIS = ("CLA_COUNT", "CLA_RATE", "CIN_COUNT", "CPP_COUNT", "SW_CASELOAD")
CASELOAD, FTE = "SW_CASELOAD", "SW_FTE"


@dataclass(frozen=True)
class WorkforceNeed:
    """Per forecast month, the FTE social workers in post needed for the forecast cases at the target caseload,
    with its 80% range; `now` is the FTE in post in the last month with a figure."""

    table: pd.DataFrame
    now: float
    now_period: pd.Timestamp
    target: float
    sentence: str


def workforce_need(caseload: Forecast, fte: Forecast, fte_series: pd.DataFrame, target: float) -> WorkforceNeed:
    """Social workers in post needed each month ahead for the forecast cases to be held at `target` cases each."""
    months = min(len(caseload.periods), len(fte.periods))
    paths = caseload.paths[:, :months] * fte.paths[:, :months] / target
    central = caseload.central[:months] * fte.central[:months] / target
    low, high = np.percentile(paths, LEVELS[80], axis=0)
    known = fte_series.dropna(subset=["value"])
    now, now_period = float(known["value"].iloc[-1]), pd.Timestamp(known["period"].iloc[-1])
    table = pd.DataFrame({
        "Month": [f"{p:%b %Y}" for p in caseload.periods[:months]],
        "Caseload (forecast)": np.round(caseload.central[:months], 1),
        "Social workers in post (forecast FTE)": np.round(fte.central[:months], 1),
        "FTE needed at the target caseload": np.round(central, 1),
        "80% range": [f"{a:,.1f} to {b:,.1f}" for a, b in zip(low, high)],
        "Gap to the forecast in post (FTE)": np.round(central - fte.central[:months], 1),
    })
    last = caseload.periods[months - 1]
    sentence = (f"At the target caseload of {target:g}, the cases forecast for {last:%b %Y} would need about "
                f"{central[-1]:,.0f} FTE social workers in post (80%: {low[-1]:,.0f} to {high[-1]:,.0f}), against "
                f"{now:,.1f} in {now_period:%b %Y}: {_difference(central[-1] - now)}. This assumes the share of "
                "social workers who hold cases stays as it is now.")
    return WorkforceNeed(table, now, now_period, target, sentence)


def _difference(gap: float) -> str:
    if round(gap) == 0:
        return "about the same"
    return f"about {abs(gap):,.0f} {'more' if gap > 0 else 'fewer'}"
