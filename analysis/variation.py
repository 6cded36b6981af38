"""SPC for the product's KPIs: from stored series, targets and rebases to `analysis.spc` and back.

`analysis.spc` knows nothing of months or catalogues; this module maps a KPI's
polarity to the direction of improvement, rebase months to positions, and the
results to the icons and words the overview and trend pages show, judged on the
limits of the current process (the months since the latest rebase) only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis import kpi, spc
from store.dates import month_label

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
"""Observed months needed to fit limits at all, so to draw an SPC chart."""
MIN_POINTS_TO_JUDGE = 6
"""Observed months the current limits must rest on before the icons judge: useful XmR limits need five or six
values (Wheeler, Understanding Variation), and limits on two or three months after a recalculation would call
whatever comes next a signal or a certainty."""

JUDGED = "judged"
TOO_FEW = "too_few"
TOO_FEW_SINCE_REBASE = "too_few_since_rebase"
NOT_JUDGED_TEXT = {TOO_FEW: "– Not enough monthly figures",
                   TOO_FEW_SINCE_REBASE: "– Not enough months since the recalculation"}
"""Why a KPI has no SPC icon: too few months, or none, as a KPI with published annual figures alone has none."""


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


def variation_text(point_type: str | None, status: str = JUDGED) -> str:
    """The variation icon in words; without one, why: too few months, in all or since the recalculation."""
    if status != JUDGED:
        return NOT_JUDGED_TEXT[status]
    if point_type is None:
        return NOT_JUDGED_TEXT[TOO_FEW]
    return f"{VARIATION_SYMBOLS[point_type]} {spc.VARIATION_WORDS[point_type]}"


def assurance_text(assurance: str | None, status: str = JUDGED, has_target: bool = False) -> str:
    """The assurance icon in words; without one, why: too few months, no target, or a target with no better side
    (a context or stay-close measure), which SPC cannot assure."""
    if status != JUDGED:
        return NOT_JUDGED_TEXT[status]
    if assurance is None:
        return "– Not assured: no better side of the target" if has_target else "– No target to assure"
    return f"{ASSURANCE_SYMBOLS[assurance]} {spc.ASSURANCE_WORDS[assurance]}"


@dataclass(frozen=True)
class Reading:
    """What SPC says about a KPI now, read from the limits of its current process only.

    `since` is the first month of those limits: the series' first month, or the recalculation (rebase) that started
    them. A process that missed its target before a recalculation and meets it after is judged on the after.
    `shift` counts the latest months in a row above (positive) or below (negative) the limits' average, 0 when
    fewer than SPC's run of 7: a level that has moved is named even while each month's move is noise.
    """

    variation: str | None
    assurance: str | None
    status: str
    since: date | None
    recalculated: bool
    has_target: bool
    shift: int = 0

    @property
    def variation_text(self) -> str:
        return variation_text(self.variation, self.status)

    @property
    def assurance_text(self) -> str:
        return assurance_text(self.assurance, self.status, self.has_target)

    @property
    def since_text(self) -> str:
        """'limits from Nov 2021' or 'limits recalculated from Apr 2024'; empty when no limits were fitted."""
        if self.since is None or self.status == TOO_FEW:
            return ""
        return f"limits {'recalculated ' if self.recalculated else ''}from {month_label(self.since)}"


NOT_READ = Reading(None, None, TOO_FEW, None, False, False)


def reading(result: pd.DataFrame, target: float | None, polarity: str) -> Reading:
    """Variation and assurance from `kpi_xmr`'s result, judged on the points since the latest recalculation, and
    not at all while those are fewer than `MIN_POINTS_TO_JUDGE`: a judgement on two months would be noise."""
    now = spc.current_process(result)
    if now.empty or now["value"].notna().sum() == 0:
        return NOT_READ
    recalculated = bool(now["group"].iloc[0] > 0)
    since = pd.Timestamp(now["period"].iloc[0]).date()
    has_target = target is not None and not pd.isna(target)
    if now["value"].notna().sum() < MIN_POINTS_TO_JUDGE:
        return Reading(None, None, TOO_FEW_SINCE_REBASE if recalculated else TOO_FEW, since, recalculated, has_target)
    return Reading(spc.variation_icon(now), spc.assurance(now, target, IMPROVEMENT[polarity]), JUDGED, since,
                   recalculated, has_target, _shift(now))


def _shift(now: pd.DataFrame) -> int:
    """Latest months in a row on one side of the mean; a month on the mean, without a figure or missing from the
    series ends the run, so "for the last 9 months" is true of each of them."""
    run, later = 0, None
    for period, side in zip(reversed(now["period"].tolist()), reversed(now["relative_to_mean"].tolist())):
        if pd.isna(side) or side == 0 or (run and (side > 0) != (run > 0)):
            break
        if later is not None and period + pd.DateOffset(months=1) != later:
            break
        run, later = run + int(side), period
    return run if abs(run) >= spc.DEFAULT_RUN_LENGTH else 0


ICON_COLUMNS = ["kpi_code", "variation", "variation_text", "assurance", "assurance_text", "spc_status", "spc_since",
                "spc_shift"]


def icons(catalogue: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
          rebases: pd.DataFrame) -> pd.DataFrame:
    """Variation and assurance per KPI, as NHS board icon grids show them, from the limits of each KPI's current
    process (`reading`), with the status of the judgement, the month its limits start and any shift in level.

    `history` has `kpi_code, period, value`; `rebases` has `kpi_code, period`.
    """
    rows = []
    by_kpi = dict(tuple(history.groupby("kpi_code")))
    targets_by_kpi = dict(tuple(targets.groupby("kpi_code")))
    rebases_by_kpi = dict(tuple(rebases.groupby("kpi_code")))
    for item in catalogue.itertuples(index=False):
        series = by_kpi.get(item.code)
        found = NOT_READ
        if series is not None and series["value"].notna().any():
            series = series.sort_values("period")
            kpi_targets = targets_by_kpi.get(item.code, targets.iloc[0:0])
            target = kpi.target_at(kpi_targets, series["period"].iloc[-1])
            rebase_rows = rebases_by_kpi.get(item.code)
            result = kpi_xmr(series, item.polarity, target,
                             [] if rebase_rows is None else rebase_rows["period"].tolist())
            found = reading(result, target, item.polarity)
        rows.append({"kpi_code": item.code, "variation": found.variation, "variation_text": found.variation_text,
                     "assurance": found.assurance, "assurance_text": found.assurance_text,
                     "spc_status": found.status, "spc_since": found.since_text, "spc_shift": found.shift})
    return pd.DataFrame(rows, columns=ICON_COLUMNS)
