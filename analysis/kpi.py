"""KPI maths for the scorecard: which target holds in a month, and RAG (direction of travel is `analysis.travel`).

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
RAG_AMBER = Judgement("amber", "Within tolerance", "▲")
RAG_RED = Judgement("red", "Off target", "■")
RAG_CONTEXT = Judgement("context", "Context", "○")
RAG_NO_TARGET = Judgement("none", "No target", "–")
RAG_NO_DATA = Judgement("nodata", "No data", "–")


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _candidates(kpi_targets: pd.DataFrame, floors: bool) -> list[tuple[pd.Timestamp, pd.Timestamp | None, dict]]:
    """A KPI's target rows (or floor rows) in the order they outrank each other, each with its first and last month:
    an inspection target before a local one, among equals the latest start first. The first that covers a month is
    the one in force, so a whole series is found from one pass over a few rows instead of a filter per month."""
    found = []
    for row in kpi_targets.to_dict("records"):
        if (row["kind"] == "floor") == floors:
            end = None if pd.isna(row["end_period"]) else pd.Timestamp(row["end_period"])
            found.append((pd.Timestamp(row["start_period"]), end, row))
    found.sort(key=lambda item: (KIND_PRECEDENCE.get(item[2]["kind"], 9), -item[0].value))
    return found


def _first_covering(candidates: list, month: pd.Timestamp) -> dict | None:
    for start, end, row in candidates:
        if start <= month and (end is None or end >= month):
            return row
    return None


def row_in_force(kpi_targets: pd.DataFrame, period: date, floors: bool = False) -> dict | None:
    """The one target row (or floor row) that holds for a KPI in a month; None when none does.

    An inspection target outranks a local one; among equals the latest start wins. The Targets page asks this
    too, so that what it calls "in force" is what the scorecard judges against.
    """
    if kpi_targets.empty:
        return None
    return _first_covering(_candidates(kpi_targets, floors), pd.Timestamp(period))


def target_at(kpi_targets: pd.DataFrame, period: date) -> float | None:
    """The target that holds for one KPI in a month, ignoring floors.

    A glide path moves in straight monthly steps from `glide_from` at the start to
    `value` at `glide_until`.
    """
    row = row_in_force(kpi_targets, period)
    return None if row is None else _glide(row, pd.Timestamp(period))


def target_kind_at(kpi_targets: pd.DataFrame, period: date) -> str | None:
    """The kind of the target `target_at` returns: an inspection target is judged without tolerance by default."""
    row = row_in_force(kpi_targets, period)
    return None if row is None else str(row["kind"])


def floor_at(kpi_targets: pd.DataFrame, period: date) -> float | None:
    """The floor that holds in a month: the line below which a KPI is red whatever else is true."""
    row = row_in_force(kpi_targets, period, floors=True)
    return None if row is None else _glide(row, pd.Timestamp(period))


def _glide(row: dict, month: pd.Timestamp) -> float:
    if _is_missing(row["glide_from"]) or pd.isna(row["glide_until"]):
        return float(row["value"])
    start = pd.Timestamp(row["start_period"])
    until = pd.Timestamp(row["glide_until"])
    span = (until.year - start.year) * 12 + until.month - start.month
    done = (month.year - start.year) * 12 + month.month - start.month
    if span <= 0 or done >= span:
        return float(row["value"])
    return float(row["glide_from"]) + (float(row["value"]) - float(row["glide_from"])) * done / span


def _series(kpi_targets: pd.DataFrame, periods: list[date] | pd.Series, floors: bool) -> list[float | None]:
    if kpi_targets.empty:
        return [None] * len(periods)
    candidates = _candidates(kpi_targets, floors)
    found = []
    for period in periods:
        month = pd.Timestamp(period)
        row = _first_covering(candidates, month)
        found.append(None if row is None else _glide(row, month))
    return found


def target_series(kpi_targets: pd.DataFrame, periods: list[date] | pd.Series) -> list[float | None]:
    """`target_at` for every month of a chart or a history."""
    return _series(kpi_targets, periods, floors=False)


def floor_series(kpi_targets: pd.DataFrame, periods: list[date] | pd.Series) -> list[float | None]:
    return _series(kpi_targets, periods, floors=True)


RAG_METHODS = {
    "tolerance": "Target and tolerance: green at or better than the target, amber worse than it but within N% of "
                 "it, red beyond",
    "target_floor": "Target and floor: green at or better than the target, amber down to the floor, red beyond it "
                    "(amber within N% of the target while no floor is set)",
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

    @property
    def description(self) -> str:
        """The method's words with the council's N filled in, for the list of rules set."""
        return RAG_METHODS[self.method].replace("N%", f"{self.tolerance_pct:g}%")


NO_TOLERANCE = RagRule("tolerance", 0)


def rules_from(rows: pd.DataFrame) -> dict[str, RagRule]:
    """The council's RAG rule per KPI from the `rag_rules` query."""
    return {row.kpi_code: RagRule(row.method, row.tolerance_pct) for row in rows.itertuples(index=False)}


def rule_in_force(polarity: str, rule: RagRule | None, *, has_floor: bool = False,
                  target_kind: str | None = None) -> RagRule:
    """The rule a KPI is judged by: the council's, else the default.

    A 'target' polarity has no better side, so it is always judged by distance. By default an inspection
    (action-plan) target has no tolerance: the plan promised the figure, and a council that allows a margin says so
    by setting a rule. Otherwise a floor means target and floor, and anything else target and tolerance 5%.
    """
    if polarity == "target":
        return RagRule("close", DEFAULT_TOLERANCE * 100 if rule is None else rule.tolerance_pct)
    if rule is not None:
        return rule
    if target_kind == "inspection":
        return NO_TOLERANCE
    return RagRule("target_floor") if has_floor else RagRule("tolerance")


def rule_text(rule: RagRule, *, target_kind: str | None = None, floor_text: str | None = None) -> str:
    """The rule in force in a short sentence, shown beside the judgement so that its word can be checked."""
    pct = f"{rule.tolerance_pct:g}%"
    if rule.method == "close":
        return f"Stay close to target: green within {pct} either side, amber within {2 * rule.tolerance_pct:g}%"
    if rule.method == "target_floor":
        if floor_text is None:
            return f"Target and floor, no floor set: amber within {pct} of the target"
        return f"Target and floor: amber down to the floor of {floor_text}"
    if rule.tolerance_pct == 0:
        return f"{'Inspection target' if target_kind == 'inspection' else 'Target'}: no tolerance"
    return f"Target and tolerance: amber within {pct} of the target"


def _within(distance: float, allowance: float) -> bool:
    """`distance <= allowance`, forgiving the last bit of float error so that a value exactly on the edge of the
    band (92 against 5% of 92, say) is inside it, as the reader's arithmetic says."""
    return distance <= allowance or math.isclose(distance, allowance, rel_tol=1e-9)


def rag(
    value: float | None,
    target: float | None,
    polarity: str,
    rule: RagRule | None = None,
    *,
    floor: float | None = None,
    target_kind: str | None = None,
) -> Judgement:
    """Rate a value against its target by the rule in force, with polarity deciding which side is better.

    Green only at or better than the target (or, staying close, within N% either side, worded so); a value worse
    than the target but inside the tolerance or not beyond the floor is amber, "Within tolerance"; red beyond.
    """
    if polarity == "none":
        return RAG_CONTEXT
    if _is_missing(value):
        return RAG_NO_DATA
    if target is None:
        return RAG_NO_TARGET
    rule = rule_in_force(polarity, rule, has_floor=floor is not None, target_kind=target_kind)
    allowance = abs(target) * rule.tolerance_pct / 100
    if rule.method == "close":
        distance = abs(value - target)
        if _within(distance, allowance):
            return Judgement(RAG_GREEN.code, f"Within {rule.tolerance_pct:g}% of target", RAG_GREEN.symbol)
        if _within(distance, 2 * allowance):
            return Judgement(RAG_AMBER.code, f"Within {2 * rule.tolerance_pct:g}% of target", RAG_AMBER.symbol)
        return RAG_RED
    higher_is_better = polarity == "high"
    shortfall = (target - value) if higher_is_better else (value - target)
    if shortfall <= 0:
        return RAG_GREEN
    if rule.method == "target_floor" and floor is not None:
        beyond_floor = (value < floor) if higher_is_better else (value > floor)
        return RAG_RED if beyond_floor else RAG_AMBER
    return RAG_AMBER if _within(shortfall, allowance) else RAG_RED


GAP_WORDS = {"%": ("point", "points"), "rate": ("per 10,000", "per 10,000"), "count": ("", ""),
             "cases": ("case", "cases"), "FTE": ("FTE", "FTE")}


def gap(value: float | None, target: float | None, decimals: int) -> float | None:
    """Value minus target as the reader sees them, each rounded to the KPI's decimals."""
    if _is_missing(value) or _is_missing(target):
        return None
    return round(round(value, decimals) - round(target, decimals), decimals)


def gap_text(value: float | None, target: float | None, unit: str, decimals: int) -> str:
    """The gap to target in the KPI's unit, without judging it ('3.8 points below', '8 above', 'at target'):
    the RAG word says whether the side is good, this says how far."""
    difference = gap(value, target, decimals)
    if difference is None:
        return "–"
    if difference == 0:
        return "at target"
    number = f"{abs(difference):,.{decimals}f}"
    one, many = GAP_WORDS.get(unit, (unit, unit))
    word = one if number == "1" else many
    side = "above" if difference > 0 else "below"
    return f"{number} {word} {side}" if word else f"{number} {side}"


def format_value(value: float | None, unit: str, decimals: int) -> str:
    if _is_missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


UNIT_SUFFIX = {"rate": " per 10,000", "FTE": " FTE", "cases": " cases"}
"""What follows a value where no axis or column heading names its unit (a percentage has its sign already)."""


def value_with_unit(value: float | None, unit: str, decimals: int) -> str:
    """A value in a sentence or cell with nothing else to name its unit: 91.0%, 72.9 per 10,000, 12 cases."""
    return "–" if _is_missing(value) else format_value(value, unit, decimals) + UNIT_SUFFIX.get(unit, "")


def change_text(change: float, unit: str, decimals: int) -> str:
    """A change as the reader sees it: rounded to the KPI's decimals, signed, in the unit's words ('+0.4 points',
    '−2 cases', '+3.1 per 10,000', 'no change'). The minus sign (U+2212), which screen readers say as "minus"."""
    moved = round(change, decimals)
    if moved == 0:
        return "no change"
    number = f"{abs(moved):,.{decimals}f}"
    one, many = GAP_WORDS.get(unit, (unit, unit))
    word = one if number == "1" else many
    return f"{'+' if moved > 0 else '−'}{number}{' ' + word if word else ''}"


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
PREVIOUS_WORDS = {"monthly": "the same month a year earlier", PUBLISHED: "the previous published figure with a value"}
"""What the direction of travel compares the latest figure with (`analysis.travel`), per kind of series: a
published year suppressed (c) is passed over, so the figure compared with may be two years back (its date is given
beside these words)."""


def _judged(kpi: tuple, value: float | None, target: float | None, target_kind: str | None, floor: float | None,
            rule: RagRule | None) -> tuple[Judgement, str]:
    """One KPI's judgement and the words of its rule. Value, target and floor are judged as printed, rounded to the
    KPI's decimals, so that "On target" is never beside a value that reads below its target."""
    def shown(number: float | None) -> float | None:
        return None if _is_missing(number) else round(number, kpi.decimals)

    judgement = rag(shown(value), shown(target), kpi.polarity, rule, floor=shown(floor), target_kind=target_kind)
    if judgement.code not in (RAG_GREEN.code, RAG_AMBER.code, RAG_RED.code):
        return judgement, ""
    in_force = rule_in_force(kpi.polarity, rule, has_floor=floor is not None, target_kind=target_kind)
    floor_text = None if floor is None else format_value(floor, kpi.unit, kpi.decimals)
    return judgement, rule_text(in_force, target_kind=target_kind, floor_text=floor_text)


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
        target_kind = target_kind_at(kpi_targets, latest_period) if latest_period is not None else None
        floor = floor_at(kpi_targets, latest_period) if latest_period is not None else None
        judgement, rule_words = _judged(kpi, latest_value, target, target_kind, floor, rules.get(kpi.code))
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
                "target_kind": target_kind,
                "rag": judgement.code,
                "rag_text": judgement.text,
                "gap": gap(latest_value, target, kpi.decimals),
                "gap_text": gap_text(latest_value, target, kpi.unit, kpi.decimals),
                "rule_text": rule_words,
                "trend": series["value"].tail(12).tolist(),
                "latest_text": format_value(latest_value, kpi.unit, kpi.decimals),
                "previous_text": format_value(previous_value, kpi.unit, kpi.decimals),
                "target_text": format_value(target, kpi.unit, kpi.decimals),
            }
        )
    return pd.DataFrame(rows)
