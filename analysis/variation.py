"""SPC for the product's KPIs: from stored series, targets and rebases to `analysis.spc` and back.

`analysis.spc` knows nothing of months or catalogues; this module maps a KPI's
polarity to the direction of improvement, rebase months to positions, and the
results to the icons and words the overview and trend pages show.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import kpi, spc

IMPROVEMENT = {"high": "increase", "low": "decrease", "none": "neutral", "target": "neutral"}

# Plain symbols that every font has; the words beside them carry the meaning.
VARIATION_SYMBOLS = {
    "common_cause": "~",
    "special_cause_improvement": "+",
    "special_cause_concern": "!",
    "special_cause_neutral_high": "↑",
    "special_cause_neutral_low": "↓",
}
ASSURANCE_SYMBOLS = {"consistent_pass": "✓", "consistent_fail": "✗", "inconsistent": "≈"}
MIN_POINTS = 2


def kpi_xmr(series: pd.DataFrame, polarity: str, target: float | None,
            rebase_periods: list[date] | pd.Series = ()) -> pd.DataFrame:
    """An XmR table for one KPI's monthly `series` (columns `period`, `value`), with `period` kept.

    A rebase month starts new limits at the first observed month on or after it;
    rebases before the series or in its first month change nothing.
    """
    periods = pd.to_datetime(series["period"]).reset_index(drop=True)
    positions = sorted({int((periods < pd.Timestamp(p)).sum()) for p in rebase_periods})
    positions = [p for p in positions if 0 < p < len(periods)]
    result = spc.xmr(series["value"].reset_index(drop=True).astype(float), improvement=IMPROVEMENT[polarity],
                     target=target, rebase_at=positions)
    result.insert(0, "period", periods)
    return result


def variation_text(point_type: str | None) -> str:
    if point_type is None:
        return "– Not enough data"
    return f"{VARIATION_SYMBOLS[point_type]} {spc.VARIATION_WORDS[point_type]}"


def assurance_text(assurance: str | None) -> str:
    if assurance is None:
        return "– No target to assure"
    return f"{ASSURANCE_SYMBOLS[assurance]} {spc.ASSURANCE_WORDS[assurance]}"


def icons(catalogue: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
          rebases: pd.DataFrame) -> pd.DataFrame:
    """Variation and assurance per KPI, as NHS board icon grids show them, from each KPI's whole history.

    `history` has `kpi_code, period, value`; `rebases` has `kpi_code, period`.
    """
    rows = []
    by_kpi = dict(tuple(history.groupby("kpi_code")))
    targets_by_kpi = dict(tuple(targets.groupby("kpi_code")))
    rebases_by_kpi = dict(tuple(rebases.groupby("kpi_code")))
    for item in catalogue.itertuples(index=False):
        series = by_kpi.get(item.code)
        variation = assurance = None
        if series is not None and series["value"].notna().sum() >= MIN_POINTS:
            series = series.sort_values("period")
            kpi_targets = targets_by_kpi.get(item.code, targets.iloc[0:0])
            target = kpi.target_at(kpi_targets, series["period"].iloc[-1])
            rebase_rows = rebases_by_kpi.get(item.code)
            result = kpi_xmr(series, item.polarity, target,
                             [] if rebase_rows is None else rebase_rows["period"].tolist())
            variation = spc.variation_icon(result)
            assurance = spc.assurance(result, target, IMPROVEMENT[item.polarity])
        rows.append({"kpi_code": item.code, "variation": variation, "variation_text": variation_text(variation),
                     "assurance": assurance, "assurance_text": assurance_text(assurance)})
    return pd.DataFrame(rows, columns=["kpi_code", "variation", "variation_text", "assurance", "assurance_text"])
