"""KPI maths for the scorecard: which target holds in a month, RAG and direction of travel.

Polarity comes from the catalogue: `high` means higher is better, `low` lower is
better, `none` a context measure that is never judged good or bad.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

KIND_PRECEDENCE = {"inspection": 0, "local": 1}
DEFAULT_TOLERANCE = 0.05


@dataclass(frozen=True)
class Judgement:
    """A status shown as colour and, always, a word and a symbol."""

    code: str
    label: str
    symbol: str

    @property
    def text(self) -> str:
        return f"{self.symbol} {self.label}"


RAG_GREEN = Judgement("green", "On target", "●")
RAG_AMBER = Judgement("amber", "Near target", "▲")
RAG_RED = Judgement("red", "Off target", "■")
RAG_CONTEXT = Judgement("context", "Context", "○")
RAG_NO_TARGET = Judgement("none", "No target", "–")
RAG_NO_DATA = Judgement("nodata", "No data", "–")

DIR_IMPROVED = Judgement("improved", "Improved", "↑")
DIR_WORSENED = Judgement("worsened", "Worsened", "↓")
DIR_SAME = Judgement("same", "No change", "→")
DIR_UP = Judgement("up", "Up", "↗")
DIR_DOWN = Judgement("down", "Down", "↘")
DIR_UNKNOWN = Judgement("unknown", "No comparison", "–")


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _active(kpi_targets: pd.DataFrame, month: pd.Timestamp, floors: bool) -> pd.DataFrame:
    is_floor = kpi_targets["kind"] == "floor"
    return kpi_targets[
        (is_floor if floors else ~is_floor)
        & (pd.to_datetime(kpi_targets["start_period"]) <= month)
        & (kpi_targets["end_period"].isna() | (pd.to_datetime(kpi_targets["end_period"]) >= month))
    ]


def target_at(kpi_targets: pd.DataFrame, period: date) -> float | None:
    """The target that holds for one KPI in a month, ignoring floors.

    An inspection target outranks a local one; among equals the latest start wins.
    A glide path moves in straight monthly steps from `glide_from` at the start to
    `value` at `glide_until`.
    """
    if kpi_targets.empty:
        return None
    month = pd.Timestamp(period)
    active = _active(kpi_targets, month, floors=False)
    if active.empty:
        return None
    active = active.assign(rank=active["kind"].map(KIND_PRECEDENCE).fillna(9))
    row = active.sort_values(["rank", "start_period"], ascending=[True, False]).iloc[0]
    return _glide(row, month)


def floor_at(kpi_targets: pd.DataFrame, period: date) -> float | None:
    """The floor that holds in a month: the line below which a KPI is red whatever else is true."""
    if kpi_targets.empty:
        return None
    month = pd.Timestamp(period)
    active = _active(kpi_targets, month, floors=True)
    if active.empty:
        return None
    return _glide(active.sort_values("start_period").iloc[-1], month)


def _glide(row: pd.Series, month: pd.Timestamp) -> float:
    if _is_missing(row["glide_from"]) or pd.isna(row["glide_until"]):
        return float(row["value"])
    start = pd.Timestamp(row["start_period"])
    until = pd.Timestamp(row["glide_until"])
    span = (until.year - start.year) * 12 + until.month - start.month
    done = (month.year - start.year) * 12 + month.month - start.month
    if span <= 0 or done >= span:
        return float(row["value"])
    return float(row["glide_from"]) + (float(row["value"]) - float(row["glide_from"])) * done / span


def target_series(kpi_targets: pd.DataFrame, periods: list[date] | pd.Series) -> list[float | None]:
    return [target_at(kpi_targets, p) for p in periods]


def floor_series(kpi_targets: pd.DataFrame, periods: list[date] | pd.Series) -> list[float | None]:
    return [floor_at(kpi_targets, p) for p in periods]


RAG_METHODS = {
    "target_floor": "Target and floor: green at or better than target, amber down to the floor, red beyond it",
    "tolerance": "Tolerance: green within N% of target, amber outside it but improving, red otherwise",
    "close": "Stay close to target: green within N% either side, amber within twice that, red beyond",
}


@dataclass(frozen=True)
class RagRule:
    """How one KPI is rated; councils choose per KPI, so this is data, not code."""

    method: str = "tolerance"
    tolerance_pct: float = DEFAULT_TOLERANCE * 100

    def __post_init__(self) -> None:
        if self.method not in RAG_METHODS:
            raise ValueError(f"RAG method must be one of {', '.join(RAG_METHODS)}; got {self.method!r}")
        if not 0 <= self.tolerance_pct <= 100:
            raise ValueError(f"RAG tolerance must be between 0 and 100 per cent; got {self.tolerance_pct}")


def rules_from(rows: pd.DataFrame) -> dict[str, RagRule]:
    """The council's RAG rule per KPI from the `rag_rules` query."""
    return {row.kpi_code: RagRule(row.method, row.tolerance_pct) for row in rows.itertuples(index=False)}


def default_rule(polarity: str, has_floor: bool) -> RagRule:
    """A floor only means something to the target-and-floor rule; a 'target' polarity only to 'close'."""
    if polarity == "target":
        return RagRule("close")
    return RagRule("target_floor") if has_floor else RagRule("tolerance")


def rag(
    value: float | None,
    target: float | None,
    polarity: str,
    rule: RagRule | None = None,
    *,
    floor: float | None = None,
    previous: float | None = None,
) -> Judgement:
    """Rate a value against its target by the KPI's rule, with polarity deciding which side is better."""
    if polarity == "none":
        return RAG_CONTEXT
    if _is_missing(value):
        return RAG_NO_DATA
    if target is None:
        return RAG_NO_TARGET
    rule = rule or default_rule(polarity, floor is not None)
    allowance = abs(target) * rule.tolerance_pct / 100 if target else rule.tolerance_pct / 100
    if rule.method == "close" or polarity == "target":
        distance = abs(value - target)
        if distance <= allowance:
            return RAG_GREEN
        return RAG_AMBER if distance <= 2 * allowance else RAG_RED
    higher_is_better = polarity == "high"
    shortfall = (target - value) if higher_is_better else (value - target)
    if shortfall <= 0:
        return RAG_GREEN
    if rule.method == "target_floor":
        if floor is None:
            return RAG_AMBER if shortfall <= allowance else RAG_RED
        beyond_floor = (value < floor) if higher_is_better else (value > floor)
        return RAG_RED if beyond_floor else RAG_AMBER
    if shortfall <= allowance:
        return RAG_GREEN
    improving = not _is_missing(previous) and ((value > previous) if higher_is_better else (value < previous))
    return RAG_AMBER if improving else RAG_RED


def direction(latest: float | None, previous: float | None, polarity: str) -> Judgement:
    """Direction of travel; a context measure only goes up or down, never better or worse."""
    if _is_missing(latest) or _is_missing(previous):
        return DIR_UNKNOWN
    if math.isclose(latest, previous, abs_tol=1e-9):
        return DIR_SAME
    rising = latest > previous
    if polarity == "none":
        return DIR_UP if rising else DIR_DOWN
    if polarity == "target":
        return DIR_UP if rising else DIR_DOWN
    better = rising if polarity == "high" else not rising
    return DIR_IMPROVED if better else DIR_WORSENED


def format_value(value: float | None, unit: str, decimals: int) -> str:
    if _is_missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


def date_text(period: date | None, kind: str) -> str:
    """'Oct 2026' for a monthly return; '31 Mar 2025' for a published annual figure, which describes a day."""
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return "–"
    if kind == PUBLISHED:
        end = pd.Timestamp(period) + pd.offsets.MonthEnd(0)
        return f"{end.day} {end:%b %Y}"
    return f"{pd.Timestamp(period):%b %Y}"


def when_text(period: date | None, kind: str) -> str:
    text = date_text(period, kind)
    return f"{text} (published)" if kind == PUBLISHED and text != "–" else text


PUBLISHED = "published"
PREVIOUS_WORDS = {"monthly": "the previous month", PUBLISHED: "the previous year's published figure"}


def scorecard(
    catalogue: pd.DataFrame,
    values: pd.DataFrame,
    targets: pd.DataFrame,
    until: date,
    rules: dict[str, RagRule] | None = None,
) -> pd.DataFrame:
    """One row per KPI: what the overview shows, computed without Streamlit.

    `values` holds monthly returns, or for a KPI without any, the council's published annual figures (`kind`
    'published'): the latest is then a year end and the previous the year before, and the words say so.
    `rules` holds the council's RAG rule per KPI; a KPI without one gets `default_rule`.
    """
    rules = rules or {}
    rows = []
    if "kind" not in values:
        values = values.assign(kind="monthly")
    values = values[pd.to_datetime(values["period"]) <= pd.Timestamp(until)]
    by_kpi = {code: frame for code, frame in values.groupby("kpi_code")}
    targets_by_kpi = {code: frame for code, frame in targets.groupby("kpi_code")}
    empty = values.iloc[0:0]
    for kpi in catalogue.itertuples(index=False):
        series = by_kpi.get(kpi.code, empty).sort_values("period")
        known = series[series["value"].notna()]
        latest = known.iloc[-1] if not known.empty else None
        previous = known.iloc[-2] if len(known) > 1 else None
        latest_value = None if latest is None else float(latest["value"])
        previous_value = None if previous is None else float(previous["value"])
        latest_period = None if latest is None else latest["period"]
        kind = "monthly" if latest is None else latest["kind"]
        kpi_targets = targets_by_kpi.get(kpi.code, targets.iloc[0:0])
        target = target_at(kpi_targets, latest_period) if latest_period is not None else None
        floor = floor_at(kpi_targets, latest_period) if latest_period is not None else None
        judgement = rag(latest_value, target, kpi.polarity, rules.get(kpi.code),
                        floor=floor, previous=previous_value)
        travel = direction(latest_value, previous_value, kpi.polarity)
        rows.append(
            {
                "kpi_code": kpi.code,
                "group": kpi.kpi_group,
                "name": kpi.name,
                "unit": kpi.unit,
                "polarity": kpi.polarity,
                "latest_period": latest_period,
                "latest_kind": kind,
                "latest_when": when_text(latest_period, kind),
                "previous_when": when_text(None if previous is None else previous["period"], kind),
                "latest": latest_value,
                "previous": previous_value,
                "target": target,
                "floor": floor,
                "rag": judgement.code,
                "rag_text": judgement.text,
                "direction": travel.code,
                "direction_text": travel.text,
                "trend": series["value"].tail(12).tolist(),
                "latest_text": format_value(latest_value, kpi.unit, kpi.decimals),
                "previous_text": format_value(previous_value, kpi.unit, kpi.decimals),
                "target_text": format_value(target, kpi.unit, kpi.decimals),
            }
        )
    return pd.DataFrame(rows)
