"""The plan's impact: did a linked KPI move after the recommendation was made?

Scrutiny asks whether an action moved anything. For each KPI linked to a
recommendation: its figure when the recommendation was made (the latest on or
before the month its clock started), its figure now, the change with an arrow for
the way it moved and a word for whether that is better, and whether the SPC chart
has shown special-cause variation since, which is what tells a real change from
the month-to-month noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis import kpi, variation
from store.dates import month_label

SPECIAL = {"special_cause_improvement": "improvement", "special_cause_concern": "concern",
           "special_cause_neutral_high": "unusually high", "special_cause_neutral_low": "unusually low"}


@dataclass(frozen=True)
class Impact:
    then: float | None
    then_period: date | None
    now: float | None
    now_period: date | None
    sentence: str


def _latest(series: pd.DataFrame, until: pd.Timestamp) -> tuple[float | None, date | None]:
    known = series[(pd.to_datetime(series["period"]) <= until) & series["value"].notna()]
    if known.empty:
        return None, None
    row = known.iloc[-1]
    return float(row["value"]), pd.Timestamp(row["period"]).date()


def kpi_impact(series: pd.DataFrame, since: date, until: date, *, name: str, unit: str, decimals: int,
               polarity: str, rebases=()) -> Impact:
    """The KPI's figure when the recommendation was made and now, and what SPC says about the months since."""
    monthly = series[series["kind"] != kpi.PUBLISHED] if "kind" in series else series
    start = pd.Timestamp(since).to_period("M").to_timestamp()
    then, then_period = _latest(monthly, start)
    now, now_period = _latest(monthly, pd.Timestamp(until))
    if then is None:
        return Impact(None, None, now, now_period, f"{name}: no monthly figure from before {month_label(since)}, "
                                                   "when the recommendation was made, to compare with.")
    if now is None or now_period <= then_period:
        return Impact(then, then_period, now, now_period, f"{name}: no monthly figure since {month_label(since)}.")
    moved = round(round(now, decimals) - round(then, decimals), decimals)
    arrow = "▲" if moved > 0 else "▼" if moved < 0 else "▶"
    better = ("better" if (moved > 0) == (polarity == "high") else "worse") if moved and polarity in ("high", "low") \
        else ("no change" if not moved else "a change with no better direction")
    one, many = kpi.GAP_WORDS.get(unit, (unit, unit))
    number = f"{abs(moved):,.{decimals}f}"
    word = (one if number == "1" else many) if moved else ""
    change = f"{arrow} {number}{' ' + word if word else ''}, {better}" if moved else "▶ no change"
    sentence = (f"{name}: {kpi.format_value(then, unit, decimals)} in {month_label(then_period)}, when the "
                f"recommendation was made; {kpi.format_value(now, unit, decimals)} in {month_label(now_period)} "
                f"({change}). {_spc_words(monthly, pd.Timestamp(then_period), until, polarity, rebases)}")
    return Impact(then, then_period, now, now_period, sentence)


def _spc_words(series: pd.DataFrame, then: pd.Timestamp, until: date, polarity: str, rebases) -> str:
    """Special causes in the months after the one compared from, on limits of the whole series."""
    rows = series[pd.to_datetime(series["period"]) <= pd.Timestamp(until)].dropna(subset=["value"])
    if len(rows) < variation.MIN_POINTS_TO_JUDGE:
        return "Too few months for SPC to tell a change from noise."
    result = variation.kpi_xmr(rows, polarity, None, rebases)
    since = result[pd.to_datetime(result["period"]) > then]
    found = since[since["point_type"].isin(list(SPECIAL))]
    if found.empty:
        return "SPC: no special-cause variation since, so no sign yet that it moved beyond its usual variation."
    kinds = sorted({SPECIAL[t] for t in found["point_type"]})
    first = month_label(pd.Timestamp(found["period"].iloc[0]))
    return f"SPC: special-cause variation since ({', '.join(kinds)}), first in {first}."
