"""Direction of travel as a board asks it: better or worse than a year earlier, the month's change, a sustained
run named in words, and one sentence that reconciles RAG, direction and SPC.

A month-on-month arrow answers the wrong question: a caseload that has risen for two years read "Improved" after
one quieter month. So the direction compares the latest figure with the same month a year earlier (for a KPI shown
through its published annual figures, with the previous year's figure, the previous point); the month's change
stays as a secondary figure. Figures are compared as printed, rounded to the KPI's decimals, so that no word
contradicts the two numbers it describes.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from analysis import kpi, variation

RUN_MOVES = 6
"""Consecutive moves one way that make a run worth naming: six moves are seven points, SPC's trend rule, and as
there a month without a change (as printed) ends the run, since "rising for 9 months" must be true of each month."""

DIR_IMPROVED = kpi.Judgement("improved", "Better than", "↑")
DIR_WORSENED = kpi.Judgement("worsened", "Worse than", "↓")
"""As a higher-is-better KPI moves; `direction` turns the arrow for a KPI whose lower figure is better."""
DIR_SAME = kpi.Judgement("same", "Same as", "→")
DIR_UP = kpi.Judgement("up", "Higher than", "↗")
DIR_DOWN = kpi.Judgement("down", "Lower than", "↘")
DIR_UNKNOWN = kpi.Judgement("unknown", "No comparison", "–")
NO_BASIS_TEXT = {"monthly": "– No comparison with a year earlier", kpi.PUBLISHED: "– No earlier published figure"}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def direction(latest: float | None, basis: float | None, polarity: str) -> kpi.Judgement:
    """How `latest` compares with `basis`, judged with polarity; a context or stay-close measure only goes up or
    down, never better or worse."""
    if _missing(latest) or _missing(basis):
        return DIR_UNKNOWN
    if math.isclose(latest, basis, abs_tol=1e-9):
        return DIR_SAME
    rising = latest > basis
    if polarity not in ("high", "low"):
        return DIR_UP if rising else DIR_DOWN
    # The arrow says which way the figure moved and the word whether that is better: a fall in the agency rate is
    # "↓ Better than", never an up arrow beside a lower number.
    judged = DIR_IMPROVED if rising == (polarity == "high") else DIR_WORSENED
    return replace(judged, symbol="↑" if rising else "↓")


def _months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass(frozen=True)
class Travel:
    """One KPI's movement up to its latest figure, every value rounded as printed.

    `run` counts the latest consecutive moves one way: positive rising, negative falling, 0 when the latest figure
    did not move or the run is shorter than `RUN_MOVES`.
    """

    direction: kpi.Judgement
    kind: str
    basis_period: pd.Timestamp | None = None
    basis_value: float | None = None
    month_change: float | None = None
    month_period: pd.Timestamp | None = None
    run: int = 0


def _run(values: list[float | None], periods: list[pd.Timestamp], step_months: int) -> int:
    """Consecutive moves one way ending at the last point; a missing figure, a gap in the dates or a move of none
    ends it."""
    moves = 0
    for i in range(len(values) - 1, 0, -1):
        now, before = values[i], values[i - 1]
        if _missing(now) or _missing(before) or _months_between(periods[i - 1], periods[i]) != step_months:
            break
        step = (now > before) - (now < before)
        if step == 0 or (moves and step != (1 if moves > 0 else -1)):
            break
        moves += step
    return moves if abs(moves) >= RUN_MOVES else 0


def describe(series: pd.DataFrame, kind: str, polarity: str, decimals: int) -> Travel:
    """Year-on-year direction, the month's change and any run for one KPI's `series` (`period`, `value`, sorted).

    Monthly figures compare with the same month a year earlier and nothing else, so a missing month a year ago
    gives no comparison rather than a comparison with some other month. A published annual series compares with its
    previous point, the figure of the year (or the last year published) before.
    """
    periods = [pd.Timestamp(p) for p in series["period"]]
    values = [None if pd.isna(v) else round(float(v), decimals) for v in series["value"]]
    known = [i for i, v in enumerate(values) if v is not None]
    if not known:
        return Travel(DIR_UNKNOWN, kind)
    last = known[-1]
    latest, latest_period = values[last], periods[last]
    by_period = {p: v for p, v in zip(periods[: last + 1], values[: last + 1]) if v is not None}
    if kind == kpi.PUBLISHED:
        basis_period = periods[known[-2]] if len(known) > 1 else None
        month_period = None
        step = 12
    else:
        basis_period = latest_period - pd.DateOffset(months=12)
        month_period = latest_period - pd.DateOffset(months=1)
        step = 1
    basis = by_period.get(basis_period)
    before = by_period.get(month_period)
    return Travel(
        direction=direction(latest, basis, polarity),
        kind=kind,
        basis_period=basis_period if basis is not None else None,
        basis_value=basis,
        month_change=None if before is None else round(latest - before, decimals),
        month_period=month_period if before is not None else None,
        run=_run(values[: last + 1], periods[: last + 1], step),
    )


def direction_text(travel: Travel, unit: str, decimals: int) -> str:
    """'↓ Worse than 88.1% in Oct 2025': the symbol, the word and the figure compared with and its date, so the
    arrow can be checked against the number beside it."""
    if travel.basis_period is None:
        return NO_BASIS_TEXT[travel.kind]
    words = travel.direction
    at = "at" if travel.kind == kpi.PUBLISHED else "in"
    return (f"{words.symbol} {words.label} {kpi.format_value(travel.basis_value, unit, decimals)} {at} "
            f"{kpi.date_text(travel.basis_period, travel.kind)}")


def month_change_text(travel: Travel, unit: str, decimals: int) -> str:
    """'+0.4 points on Sep 2026' (percentages move in points, not per cent; a fall has the minus sign); empty without
    last month's figure."""
    if travel.month_change is None:
        return ""
    when = kpi.date_text(travel.month_period, travel.kind)
    return f"{kpi.change_text(travel.month_change, unit, decimals)} on {when}"


def run_text(travel: Travel) -> str:
    """'rising for 9 months', 'falling for 7 years'; empty when there is no run."""
    if not travel.run:
        return ""
    span = "years" if travel.kind == kpi.PUBLISHED else "months"
    return f"{'rising' if travel.run > 0 else 'falling'} for {abs(travel.run)} {span}"


TRAVEL_COLUMNS = ["kpi_code", "direction", "direction_text", "direction_basis", "direction_basis_period",
                  "basis_value", "month_change_text", "run", "run_text"]


def columns(catalogue: pd.DataFrame, values: pd.DataFrame, until: date) -> pd.DataFrame:
    """Per KPI the scorecard's direction columns, from `values` (`kpi_code, period, value`, and `kind` where
    published figures stand in for monthly returns) up to `until`.

    `direction_basis` is the date of the figure compared with in words, `direction_basis_period` its month (what a
    publication must check is not hidden) and `basis_value` the figure; `run` is signed as in `Travel`.
    """
    values = values.assign(kind=values["kind"].fillna("monthly") if "kind" in values else "monthly")
    values = values[pd.to_datetime(values["period"]) <= pd.Timestamp(until)]
    by_kpi = {code: frame.sort_values("period") for code, frame in values.groupby("kpi_code")}
    rows = []
    for item in catalogue.itertuples(index=False):
        series = by_kpi.get(item.code, values.iloc[0:0])
        known = series[series["value"].notna()]
        kind = "monthly" if known.empty else str(known["kind"].iloc[-1])
        decimals = int(item.decimals)
        travel = describe(series, kind, item.polarity, decimals)
        rows.append({
            "kpi_code": item.code,
            "direction": travel.direction.code,
            "direction_text": direction_text(travel, item.unit, decimals),
            "direction_basis": "" if travel.basis_period is None else kpi.date_text(travel.basis_period, kind),
            "direction_basis_period": None if travel.basis_period is None else travel.basis_period.date(),
            "basis_value": travel.basis_value,
            "month_change_text": month_change_text(travel, item.unit, decimals),
            "run": travel.run,
            "run_text": run_text(travel),
        })
    return pd.DataFrame(rows, columns=TRAVEL_COLUMNS)


# The sentence. Each part is chosen from codes, never from the labels another module prints, and each is true of
# the numbers: a RAG code of the latest figure against its target, a direction against the figure a year earlier,
# a run of moves, and the SPC codes of the current limits.

RAG_WORDS = {"green": "On target", "amber": "Within tolerance", "red": "Off target", "none": "No target",
             "context": "Context measure"}
CLOSE_WORDS = {"green": "Close to target", "amber": "Near target", "red": "Off target"}
"""A stay-close ('target' polarity) KPI is green within a band either side of its target, so not "on" it."""
RAG_SIDE = {"green": 1, "amber": 1, "red": -1}
"""Which way a RAG code leans, to join the direction with "and" or "but": amber is within tolerance, so a worse
year reads "within tolerance, but worse"."""
DIRECTION_WORDS = {"improved": "better than", "worsened": "worse than", "same": "the same as", "up": "higher than",
                   "down": "lower than"}
DIRECTION_SIDE = {"improved": 1, "worsened": -1}
VARIATION_WORDS = {
    "common_cause": "no significant change",
    "special_cause_improvement": "a special-cause improvement",
    "special_cause_concern": "a special-cause concern",
    "special_cause_neutral_high": "unusually high",
    "special_cause_neutral_low": "unusually low",
}
ASSURANCE_WORDS = {
    "consistent_pass": "it consistently hits the target",
    "consistent_fail": "it consistently misses the target",
    "inconsistent": "it will hit and miss the target by chance",
}
ASSURANCE_SIDE = {"consistent_pass": 1, "consistent_fail": -1}
MET_SIDE = {"green": 1, "amber": -1, "red": -1}
"""Whether the month's figure met its target, to set beside what the limits say: a figure within tolerance is
still worse than the target, so it did not meet it."""


def _basis_words(row: Mapping[str, object], kind: str) -> str:
    """'a year earlier' when the figure compared with is twelve months before the latest; else its date, as a
    published series with a missing year compares with the year before that."""
    if _months_between(pd.Timestamp(row["direction_basis_period"]), pd.Timestamp(row["latest_period"])) == 12:
        return "a year earlier"
    return f"{'at' if kind == kpi.PUBLISHED else 'in'} {row['direction_basis']}"


def _first_part(row: Mapping[str, object]) -> str:
    """The RAG of the latest figure, its month's change, the direction over a year and any run."""
    rag, polarity, kind = str(row["rag"]), str(row["polarity"]), str(row["latest_kind"])
    words = CLOSE_WORDS if polarity == "target" and rag in CLOSE_WORDS else RAG_WORDS
    opening = f"{words[rag]} {'at' if kind == kpi.PUBLISHED else 'in'} {kpi.date_text(row['latest_period'], kind)}"
    if row.get("month_change_text"):
        opening += f" ({row['month_change_text']})"
    code = str(row["direction"])
    if code == DIR_UNKNOWN.code:
        travel = "no earlier figure to compare" if kind == kpi.PUBLISHED else "no figure a year earlier to compare"
    else:
        travel = f"{DIRECTION_WORDS[code]} {_basis_words(row, kind)}"
    if rag not in RAG_SIDE:
        joined = f"{opening}: {travel}"
    elif code == DIR_UNKNOWN.code:
        joined = f"{opening}, with {travel}"
    else:
        joined = f"{opening}{', but' if RAG_SIDE[rag] * DIRECTION_SIDE.get(code, 0) < 0 else ' and'} {travel}"
    run = int(row.get("run") or 0)
    if run:
        good = {"high": 1, "low": -1}.get(polarity, 0) * (1 if run > 0 else -1)
        lean = DIRECTION_SIDE.get(code, 0) or RAG_SIDE.get(rag, 0)
        joined += f"{', though' if good * lean < 0 else ' and'} {row['run_text']}"
    return joined + "."


def _spc_part(row: Mapping[str, object]) -> str:
    """What the current limits say: the variation, any shift in level and the assurance; where the assurance and
    the latest RAG disagree, both are stated as what they are (the limits' forecast, the month's outcome)."""
    status = row.get("spc_status")
    if row["latest_kind"] == kpi.PUBLISHED:
        return "SPC needs monthly figures."
    if status == variation.TOO_FEW_SINCE_REBASE:
        return f"SPC: not enough months since the recalculation to judge ({row['spc_since']})."
    if status != variation.JUDGED or row.get("variation") not in VARIATION_WORDS:
        return "SPC: not enough months to judge."
    text = f"SPC ({row['spc_since']}): {VARIATION_WORDS[str(row['variation'])]}"
    shift = int(row.get("spc_shift") or 0)
    if shift:
        text += f", {'above' if shift > 0 else 'below'} its average for the last {abs(shift)} months"
    assurance = row.get("assurance")
    if assurance not in ASSURANCE_WORDS:
        return text + "."
    rag = str(row["rag"])
    if MET_SIDE.get(rag, 0) * ASSURANCE_SIDE.get(str(assurance), 0) < 0:
        when = kpi.date_text(row["latest_period"], str(row["latest_kind"]))
        outcome = "met" if MET_SIDE[rag] > 0 else "missed"
        return f"{text}; its limits say {ASSURANCE_WORDS[str(assurance)]}, though in {when} it {outcome} it."
    return f"{text}; {ASSURANCE_WORDS[str(assurance)]}."


def sentence(row: Mapping[str, object]) -> str:
    """One line a board can read aloud that reconciles RAG, direction and SPC, from one scorecard row's codes:
    'Within tolerance in Oct 2026 (+0.4 points on Sep 2026), but worse than a year earlier and rising for 9 months.
    SPC (limits from Apr 2024): no significant change; it will hit and miss the target by chance.'"""
    if row["rag"] == "nodata" or row.get("latest_period") is None or pd.isna(row.get("latest_period")):
        return "No figure yet."
    return f"{_first_part(row)} {_spc_part(row)}"
