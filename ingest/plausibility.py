"""Plausibility: values that pass every check yet are probably wrong, held up for a second look before loading.

An upload's errors stop a file; these warnings do not. They catch the mistakes a valid-looking number hides: a
count with an extra digit (27,310 contacts where recent months were about 2,700), a rate typed with a decimal
comma (`72,9` read as 729 per 10,000 where England is 67), a percentage typed as a fraction (0.85), a numerator
larger than its denominator, a month typed with the wrong year. Each warning names the KPI, month, value, the
usual range and the likely fix; the analyst ticks that the values are checked before the file loads (the page),
or sees them as `warning:` lines (the command line, which `--strict` turns into a refusal).

What is usual is judged from the council's own stored history: the last `BASELINE_MONTHS` months before the
file's first month of that KPI, with limits in the manner of an XmR chart (Wheeler's median moving range, robust
to the odd spike), widened by `WIDEN` and never tighter than `MIN_RELATIVE` of the level or `MIN_ABSOLUTE` of
the unit. A council note on the chart (table `annotations`) or an SPC recalculation point starts a new baseline
from its month: a real step change after an annotated event is expected, so nothing is judged against the months
before it, and nothing at all until `MIN_MONTHS` months have followed it. A KPI with too little stored history is
judged against the file's own months of it (the median ignores the one typo among them), and a rate or percentage
with neither against England's latest published figure, loosely (`ENGLAND_FACTOR`).

Every rule and threshold is here, so they can be read, tested and tuned in one place; the checks run on arrays,
so a regional history of 620,000 values is judged in a fraction of a second.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.kpi import format_value
from ingest.issues import Issue
from store.words import plural

BASELINE_MONTHS = 24
MIN_MONTHS = 6
MEDIAN_RANGE_LIMIT = 3.145
"""Wheeler's scaling of the median moving range to natural process limits (2.66 for the mean moving range)."""
WIDEN = 1.5
"""The limits are widened by half again: a warning must be worth an analyst's second look, not every wobble."""
MIN_RELATIVE = 0.25
MIN_ABSOLUTE = {"count": 5.0, "%": 5.0, "rate": 5.0, "FTE": 5.0, "cases": 2.0}
"""However steady a KPI has been, a value within a quarter of its level or these units of it is never unusual."""
MAGNITUDE = 5.0
"""A count, FTE or caseload at least this many times its usual level, or at most this fraction of it, moved by an
order of magnitude: an extra or a missing digit."""
MAGNITUDE_MIN_LEVEL = 10.0
"""Below this level a count moves by multiples for real (2 care leavers in B&B, then 11)."""
SHIFTS = (10.0, 100.0, 1000.0)
"""The powers of ten a misread separator or a slipped digit multiplies a value by."""
FRACTION_MIN_LEVEL = 10.0
"""A percentage between 0 and 1 is read as a fraction only for a KPI that usually runs above this."""
ENGLAND_FACTOR = 4.0
"""With no history of its own, a rate or percentage more than this many times England's, or less than this
fraction of it, is far from any council's."""
FAR_PAST_MONTHS = 36
GAP_MONTHS = 12
"""A month more than `FAR_PAST_MONTHS` before today, separated from the file's later months by more than
`GAP_MONTHS`, is most likely a year typed wrongly (2016 for 2026); so is a file whose every month is that old."""
COUNT_LIKE = {"count", "FTE", "cases"}
UNIT_SUFFIX = {"rate": " per 10,000", "FTE": " FTE", "cases": " cases"}

RULES = ("decimal_separator", "looks_like_fraction", "order_of_magnitude", "unusual_value",
         "numerator_over_denominator", "far_past")
"""Every warning this module gives, by its stable code; the page asks for each to be ticked as checked."""


@dataclass
class Reference:
    """What the upload's values are judged against, read from the store once per check."""

    stored: pd.DataFrame
    """The stored values of the file's councils and KPIs (la_code, kpi_code, period, value) in the
    `BASELINE_MONTHS` before the file's months and among them."""
    events: pd.DataFrame
    """Council notes on the charts and SPC recalculation points (la_code, kpi_code or None for every KPI, period)."""
    england: dict[str, float]
    """England's latest published figure per KPI."""


def read_reference(con: duckdb.DuckDBPyConnection, observations: pd.DataFrame) -> Reference:
    """The stored history, events and England figures that the file's values are judged against."""
    rows = observations[observations["value"].notna()]
    keys = rows.groupby(["la_code", "kpi_code"], sort=False)["period"].agg(["min", "max"]).reset_index()
    keys["min"] = pd.to_datetime(keys["min"]).dt.date
    keys["max"] = pd.to_datetime(keys["max"]).dt.date
    councils = pd.DataFrame({"la_code": keys["la_code"].unique()})
    con.register("_judged", keys)
    con.register("_councils", councils)
    try:
        stored = con.execute(
            f"""
            SELECT o.la_code, o.kpi_code, o.period, o.value
            FROM observations o JOIN _judged k ON o.la_code = k.la_code AND o.kpi_code = k.kpi_code
            WHERE o.is_current AND o.value IS NOT NULL
              AND o.period >= k."min" - INTERVAL {BASELINE_MONTHS} MONTH AND o.period < k."max"
            ORDER BY 1, 2, 3
            """).df()
        events = con.execute(
            """
            SELECT la_code, kpi_code, period FROM annotations
            WHERE retired_at IS NULL AND la_code IN (SELECT la_code FROM _councils)
            UNION
            SELECT la_code, kpi_code, period FROM spc_rebases
            WHERE retired_at IS NULL AND la_code IN (SELECT la_code FROM _councils)
            """).df()
    finally:
        con.unregister("_judged")
        con.unregister("_councils")
    england = con.execute(
        """
        SELECT kpi_code, arg_max(value, period_end) FROM published_figures
        WHERE area_type = 'england' AND value IS NOT NULL GROUP BY kpi_code
        """).fetchall()
    return Reference(stored, events, dict(england))


def _months(periods: pd.Series | np.ndarray) -> np.ndarray:
    """Each period as a month number (year * 12 + month - 1), for arithmetic on months."""
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(periods)))
    return (stamps.year * 12 + stamps.month - 1).to_numpy(dtype=np.int64)


def _segments(frame: pd.DataFrame, months: np.ndarray, events: pd.DataFrame) -> np.ndarray:
    """How many events (notes or recalculations of the row's council, on its KPI or on every KPI) fall in or
    before each row's month: rows with the same count are judged against one another, never across an event."""
    segment = np.zeros(len(frame), dtype=np.int64)
    if events.empty or frame.empty:
        return segment
    by_council = frame.groupby("la_code", sort=False).indices
    kpis = frame["kpi_code"].to_numpy()
    for la_code, kpi_code, month in zip(events["la_code"], events["kpi_code"], _months(events["period"])):
        at = by_council.get(la_code)
        if at is None:
            continue
        if isinstance(kpi_code, str):
            at = at[kpis[at] == kpi_code]
        segment[at] += months[at] >= month
    return segment


GROUP = ["la_code", "kpi_code", "segment"]


@dataclass(frozen=True)
class _Usual:
    """Per row, what its value is judged against: a centre, limits either side, the baseline's values (in
    `baselines`, under the row's group) and where they come from."""

    centre: np.ndarray
    low: np.ndarray
    high: np.ndarray
    basis: np.ndarray
    """"stored", "file", "england" or None (not judged)."""
    group: pd.DataFrame
    """Per row, its (la_code, kpi_code, segment) and its baseline's count and first and last month."""
    baselines: dict[str, pd.DataFrame]
    """The baseline values by basis ("stored", "file"), for the usual range a message quotes."""


def _group_stats(keys: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Per group of `keys` (rows in month order within each group): count, median, latest value and median
    moving range."""
    frame = keys.assign(value=values)
    frame["step"] = np.abs(frame.groupby(GROUP, sort=False)["value"].diff().to_numpy())
    group = frame.groupby(GROUP, sort=False)
    stats = group["value"].agg(n="count", centre="median", latest="last")
    stats["spread"] = group["step"].median()
    return stats.reset_index()


def _usual(rows: pd.DataFrame, months: np.ndarray, segment: np.ndarray, reference: Reference,
           units: np.ndarray) -> _Usual:
    """Each row's usual range, from stored history where there is enough, else from the file's own months,
    else (rates and percentages) from England."""
    keys = pd.DataFrame({"la_code": rows["la_code"].to_numpy(), "kpi_code": rows["kpi_code"].to_numpy(),
                         "segment": segment})
    stored = reference.stored
    judged = pd.DataFrame(columns=GROUP + ["n", "centre", "spread", "latest", "first", "last"])
    if not stored.empty:
        stored_months = _months(stored["period"])
        stored = stored.assign(month=stored_months, segment=_segments(stored, stored_months, reference.events))
        first = keys.assign(month=months).groupby(GROUP, sort=False)["month"].min()
        stored = stored.join(first.rename("first_in_file"), on=GROUP, how="inner")
        in_file = pd.MultiIndex.from_arrays([rows["la_code"].to_numpy(), rows["kpi_code"].to_numpy(), months])
        replaced = pd.MultiIndex.from_arrays([stored["la_code"], stored["kpi_code"], stored["month"]]).isin(in_file)
        stored = stored[(stored["month"] < stored["first_in_file"]) & ~replaced].sort_values(GROUP + ["month"])
        stored = stored[stored.groupby(GROUP).cumcount(ascending=False) < BASELINE_MONTHS]
        if not stored.empty:
            judged = _group_stats(stored[GROUP], stored["value"].to_numpy())
            span = stored.groupby(GROUP)["period"].agg(["min", "max"])
            judged = judged.join(span.rename(columns={"min": "first", "max": "last"}), on=GROUP)
            judged = judged[judged["n"] >= MIN_MONTHS]
    order = np.lexsort((months, segment, keys["kpi_code"].to_numpy(), keys["la_code"].to_numpy()))
    own_values = keys.iloc[order].reset_index(drop=True).assign(value=rows["value"].to_numpy()[order])
    own = _group_stats(own_values[GROUP], own_values["value"].to_numpy())
    own = own[own["n"] >= MIN_MONTHS].assign(first=None, last=None, latest=np.nan)
    basis = pd.concat([judged.assign(basis="stored"), own.assign(basis="file")], ignore_index=True)
    basis = basis.drop_duplicates(GROUP, keep="first")
    matched = keys.merge(basis, on=GROUP, how="left")
    centre = matched["centre"].to_numpy(dtype=float, copy=True)
    spread = matched["spread"].to_numpy(dtype=float)
    floor = np.array([MIN_ABSOLUTE.get(u, 1.0) for u in units], dtype=float)
    half = np.fmax(np.fmax(WIDEN * MEDIAN_RANGE_LIMIT * spread, MIN_RELATIVE * np.abs(centre)), floor)
    latest = matched["latest"].to_numpy(dtype=float)
    trend = ~np.isnan(latest)  # a KPI on the move: within reach of its latest stored value is usual too
    low = np.where(trend, np.fmin(centre, latest), centre) - half
    high = np.where(trend, np.fmax(centre, latest), centre) + half
    kind = matched["basis"].to_numpy(dtype=object, copy=True)
    england = np.array([reference.england.get(k, np.nan) for k in keys["kpi_code"]], dtype=float)
    by_england = pd.isna(kind) & np.isin(units, ["rate", "%"]) & (england > 0)
    centre[by_england] = england[by_england]
    low[by_england] = england[by_england] / ENGLAND_FACTOR
    high[by_england] = england[by_england] * ENGLAND_FACTOR
    kind[by_england] = "england"
    return _Usual(centre, low, high, kind, matched[GROUP + ["n", "first", "last"]],
                  {"stored": stored[GROUP + ["value"]] if not stored.empty else stored, "file": own_values})


def check(file: str, observations: pd.DataFrame, reference: Reference, catalogue: pd.DataFrame,
          today: date) -> list[Issue]:
    """Every plausibility warning for the file's values, one per value cell at most, in the file's order."""
    rows = observations[observations["value"].notna()].reset_index(drop=True)
    if rows.empty:
        return []
    info = catalogue.set_index("code")
    units = rows["kpi_code"].map(info["unit"]).to_numpy(dtype=object)
    months = _months(rows["period"])
    segment = _segments(rows, months, reference.events)
    usual = _usual(rows, months, segment, reference, units)
    value = rows["value"].to_numpy(dtype=float)
    outside = np.flatnonzero(~pd.isna(usual.basis) & ((value < usual.low) | (value > usual.high)))
    ranges = _usual_ranges(usual, outside)
    warnings = [_judge(file, rows.iloc[i], units[i], info, usual, ranges.get(i), i) for i in outside.tolist()]
    return warnings + _numerator_over_denominator(file, rows, info) + _far_past(file, rows, months, today)


def _usual_ranges(usual: _Usual, at: np.ndarray) -> dict[int, tuple[float, float]]:
    """The middle 80% of the baseline of each row at `at`: what a message calls the usual range. Made only for
    the rows that have a warning, which are few, rather than for every group of a large file."""
    ranges: dict[int, tuple[float, float]] = {}
    wanted = usual.group.iloc[at].assign(basis=usual.basis[at], row=at)
    for basis, rows in wanted[wanted["basis"] != "england"].groupby("basis"):
        values = usual.baselines[basis]
        picked = values.merge(rows[GROUP].drop_duplicates(), on=GROUP)
        quantiles = picked.groupby(GROUP)["value"].quantile([0.1, 0.9]).unstack()
        for row, key in zip(rows["row"], rows[GROUP].itertuples(index=False, name=None)):
            ranges[int(row)] = tuple(quantiles.loc[key])
    return ranges


def _shown(value: float, unit: str, decimals: int) -> str:
    return format_value(value, unit, decimals) + UNIT_SUFFIX.get(unit, "")


def _typed(value: float) -> str:
    """A value as the analyst typed it, not rounded to the KPI's decimals: 0.85, 27,310, 72.9."""
    return f"{value:,.10g}"


def usual_range_words(usual: _Usual, span: tuple[float, float] | None, i: int, unit: str, decimals: int) -> str:
    """The usual range, and where it comes from, in a few words."""
    if usual.basis[i] == "england":
        return (f"England's latest figure is {_shown(usual.centre[i], unit, decimals)}; a council's is rarely "
                f"beyond {_shown(usual.low[i], unit, decimals)} to {_shown(usual.high[i], unit, decimals)}")
    low, high = span
    between = (f"{format_value(low, unit, decimals)} to {_shown(high, unit, decimals)}"
               if _shown(low, unit, decimals) != _shown(high, unit, decimals) else _shown(low, unit, decimals))
    group = usual.group.iloc[i]
    if usual.basis[i] == "stored":
        return (f"usual range {between} in the {int(group['n'])} stored months from "
                f"{pd.Timestamp(group['first']):%b %Y} to {pd.Timestamp(group['last']):%b %Y}")
    return f"usual range {between} in this file's {int(group['n'])} months of it"


def _judge(file: str, row: pd.Series, unit: str, info: pd.DataFrame, usual: _Usual,
           span: tuple[float, float] | None, i: int) -> Issue:
    """The one warning for a value outside its usual range: the most specific likely cause first."""
    value = float(row["value"])
    decimals = int(info.at[row["kpi_code"], "decimals"])
    low, high = usual.low[i], usual.high[i]
    usual_words = usual_range_words(usual, span, i, unit, decimals)
    typed = row.get("typed")

    def warning(rule: str, message: str, fix: str) -> Issue:
        found = typed if isinstance(typed, str) else _typed(value)
        return Issue("warning", file, row["sheet"], row["cell"], rule, f"{message} ({usual_words})", found, fix,
                     kpi=info.at[row["kpi_code"], "name"], month=f"{pd.Timestamp(row['period']):%b %Y}")

    if unit == "%" and 0 < value <= 1 and usual.centre[i] >= FRACTION_MIN_LEVEL and low <= value * 100 <= high:
        return warning("looks_like_fraction", "This looks like a fraction, not a percentage",
                       f"Enter it as a percentage: {_typed(value * 100)}, not {_typed(value)}. If the cell is "
                       "formatted as %, change the format to Number.")
    for shift in SHIFTS:
        for meant in (value / shift, value * shift):
            if not low <= meant <= high:
                continue
            if isinstance(typed, str) and "," in typed and unit not in ("count",):
                return warning("decimal_separator",
                               f"The comma looks like a decimal comma, so this was read as {_typed(value)}",
                               f"Type it with a full stop for the decimals: {_typed(meant)}.")
            if unit in COUNT_LIKE:
                bigger = meant < value
                times = f"{shift:,.0f} times" if bigger else f"a {shift:,.0f}th of"
                return warning("order_of_magnitude", f"This is about {times} the usual level",
                               f"Check for {'an extra' if bigger else 'a missing'} digit: did you mean "
                               f"{_typed(meant)}?")
            return warning("decimal_separator", "This looks like a misplaced decimal point or a misread separator",
                           f"Check the figure: did you mean {_typed(meant)}? Type decimals with a full stop and no "
                           "thousands separator inside the decimals.")
    centre = usual.centre[i]
    if unit in COUNT_LIKE and centre >= MAGNITUDE_MIN_LEVEL and value > 0 and not (
            1 / MAGNITUDE < value / centre < MAGNITUDE):
        return warning("order_of_magnitude", f"This is {value / centre:,.1f} times the usual level",
                       "Check for an extra or a missing digit, or a figure for a different period or area.")
    side = "above" if value > high else "below"
    return warning("unusual_value", f"This is far {side} the usual range",
                   "Check the figure against the source. If it is right (a real change), tick it as checked; a note "
                   "on the KPI's chart for this month explains the change and stops this warning for the months "
                   "after it.")


def _numerator_over_denominator(file: str, rows: pd.DataFrame, info: pd.DataFrame) -> list[Issue]:
    """A part larger than its whole: the numerator and denominator are swapped, or one is for another cohort."""
    numerator = pd.to_numeric(rows["numerator"]).to_numpy(dtype=float)
    denominator = pd.to_numeric(rows["denominator"]).to_numpy(dtype=float)
    over = np.flatnonzero(numerator > denominator)
    warnings = []
    for i in over.tolist():
        row = rows.iloc[i]
        warnings.append(Issue(
            "warning", file, row["sheet"], row["cell"], "numerator_over_denominator",
            f"The numerator {_typed(numerator[i])} is larger than the denominator {_typed(denominator[i])}",
            _typed(float(row["value"])),
            "Check the two are not swapped and count the same children or staff in the same period.",
            kpi=info.at[row["kpi_code"], "name"], month=f"{pd.Timestamp(row['period']):%b %Y}"))
    return warnings


def _far_past(file: str, rows: pd.DataFrame, months: np.ndarray, today: date) -> list[Issue]:
    """Months years in the past that look like a mistyped year: apart from the file's later months, or every
    month of the file. A history of many consecutive years is no mistake and gives no warning."""
    old_before = today.year * 12 + today.month - 1 - FAR_PAST_MONTHS
    distinct = np.unique(months)
    years = FAR_PAST_MONTHS // 12
    if distinct[-1] < old_before:
        flagged = distinct[:1]
        message = f"Every month in the file is more than {years} years ago"
    else:
        gaps = np.diff(distinct)
        flagged = distinct[:-1][(distinct[:-1] < old_before) & (gaps > GAP_MONTHS)]
        message = f"This month is more than {years} years ago and far from the file's other months"
    warnings = []
    for month in flagged.tolist():
        at = np.flatnonzero(months == month)
        first = rows.iloc[int(at[0])]
        warnings.append(Issue(
            "warning", file, first["sheet"], first["cell"], "far_past",
            f"{message} ({plural(len(at), 'value')} for this month in the file; this is the first)",
            f"{pd.Timestamp(first['period']):%Y-%m}",
            "Check the year in the month column; loading old months on purpose (a history) is fine.",
            month=f"{pd.Timestamp(first['period']):%b %Y}"))
    return warnings
