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

from analysis.kpi import format_value, value_with_unit
from ingest.issues import Issue
from ingest.values import by_distinct, month_numbers, series_ids
from store import queries
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
"""Below this level a count moves by multiples for real (2 care leavers in B&B, then 11; 1 unallocated case where
there were 12): neither the count nor the figure meant is read as a slipped digit under it."""
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
    england: dict[str, tuple[float, date]]
    """England's latest published figure per KPI, with the date it describes (31 March for most)."""


def read_reference(con: duckdb.DuckDBPyConnection, observations: pd.DataFrame, history: pd.DataFrame) -> Reference:
    """The stored history, events and England figures that the file's values are judged against; `history` is
    the current values of the file's councils and KPIs (`store.queries.current_history`), read once for this and
    for the comparison with the store."""
    rows = observations[observations["value"].notna()]
    if rows.empty:  # every value withheld (a status code, no figure): nothing to judge, and no months to bound
        return Reference(pd.DataFrame(columns=["la_code", "kpi_code", "period", "value"]),
                         pd.DataFrame(columns=["la_code", "kpi_code", "period"]), {})
    stored = history[history["value"].notna()]
    in_file, in_store = series_ids(rows, stored)
    months = month_numbers(rows["period"])
    size = int(max(in_file.max(), in_store.max(initial=-1))) + 1
    first, last = np.full(size, np.iinfo(np.int64).max), np.full(size, np.iinfo(np.int64).min)
    np.minimum.at(first, in_file, months)
    np.maximum.at(last, in_file, months)
    stored_months = month_numbers(stored["period"])
    within = (stored_months >= first[in_store] - BASELINE_MONTHS) & (stored_months < last[in_store])
    stored = stored.loc[within, ["la_code", "kpi_code", "period", "value"]].reset_index(drop=True)
    events = queries.events(con, sorted(set(rows["la_code"])))
    return Reference(stored, events, queries.england_latest(con))


def _segments(la_ids: np.ndarray, kpi_ids: np.ndarray, months: np.ndarray, events: pd.DataFrame,
              councils: pd.Index, kpis: pd.Index) -> np.ndarray:
    """How many events (notes or recalculations of the row's council, on its KPI or on every KPI) fall in or
    before each row's month: rows with the same count are judged against one another, never across an event."""
    segment = np.zeros(len(months), dtype=np.int64)
    if events.empty or not len(months):
        return segment
    by_council = pd.Series(np.arange(len(la_ids))).groupby(la_ids).indices
    event_la = councils.get_indexer(events["la_code"])
    event_kpi = kpis.get_indexer(events["kpi_code"].where(events["kpi_code"].notna(), ""))
    for la_id, kpi_code, kpi_id, month in zip(event_la, events["kpi_code"], event_kpi, month_numbers(events["period"])):
        at = by_council.get(la_id)
        if at is None:
            continue
        if isinstance(kpi_code, str):
            at = at[kpi_ids[at] == kpi_id]
        segment[at] += months[at] >= month
    return segment


@dataclass(frozen=True)
class _Usual:
    """Per row, what its value is judged against: a centre, limits either side and where they come from."""

    centre: np.ndarray
    low: np.ndarray
    high: np.ndarray
    basis: np.ndarray
    """"stored", "file", "england" or None (not judged)."""
    group: np.ndarray
    """Each row's group: its council, KPI and segment as one number."""
    n: np.ndarray
    first: np.ndarray
    last: np.ndarray
    """Each row's baseline: how many months, and the first and last of them (as month numbers)."""
    baselines: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    """By basis ("stored", "file"): the baseline's (group, month, value), for the range a message quotes."""


def _group_stats(group: np.ndarray, months: np.ndarray, values: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Per group number (0 to size - 1): count, median, latest value, median moving range and first and last
    month, as arrays indexed by group."""
    order = np.lexsort((months, group))
    group, months, values = group[order], months[order], values[order]
    step = np.abs(np.diff(values, prepend=np.nan))
    step[np.r_[True, group[1:] != group[:-1]][:len(step)]] = np.nan
    out = {name: np.full(size, np.nan) for name in ("n", "centre", "latest", "spread", "first", "last")}
    if not len(group):
        return out
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)].astype(np.intp)
    by = pd.Series(values).groupby(group, sort=True)  # one aggregation each: pandas' fast path, unlike `agg`
    at = group[starts]
    out["n"][at] = ends - starts
    out["centre"][at] = by.median().to_numpy()
    out["latest"][at] = values[ends - 1]
    out["spread"][at] = pd.Series(step).groupby(group, sort=True).median().to_numpy()
    out["first"][at] = months[starts]
    out["last"][at] = months[ends - 1]
    return out


def _usual(rows: pd.DataFrame, months: np.ndarray, reference: Reference, units: np.ndarray) -> _Usual:
    """Each row's usual range, from stored history where there is enough, else (for the likeliest typos only)
    from the file's own months, else (rates and percentages) from England."""
    la_ids, councils = pd.factorize(rows["la_code"].to_numpy())
    kpi_ids, kpis = pd.factorize(rows["kpi_code"].to_numpy())
    councils, kpis = pd.Index(councils), pd.Index(kpis)
    segment = _segments(la_ids, kpi_ids, months, reference.events, councils, kpis)
    segments = int(segment.max()) + 1
    size = len(councils) * len(kpis) * segments

    def group_of(la: np.ndarray, kpi: np.ndarray, seg: np.ndarray) -> np.ndarray:
        return (la * len(kpis) + kpi) * segments + seg

    group = group_of(la_ids, kpi_ids, segment)
    values = rows["value"].to_numpy(dtype=float)
    stored = reference.stored
    stored_la = councils.get_indexer(stored["la_code"])
    stored_kpi = kpis.get_indexer(stored["kpi_code"])
    known = (stored_la >= 0) & (stored_kpi >= 0)
    stored_la, stored_kpi = stored_la[known], stored_kpi[known]
    stored_months = month_numbers(stored["period"])[known]
    stored_values = stored["value"].to_numpy(dtype=float)[known]
    stored_segment = np.minimum(_segments(stored_la, stored_kpi, stored_months, reference.events, councils, kpis),
                                segments - 1)
    stored_group = group_of(stored_la, stored_kpi, stored_segment)
    first_in_file = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(first_in_file, group, months)
    in_file = (la_ids * len(kpis) + kpi_ids) * 100_000 + months
    replaced = pd.Series((stored_la * len(kpis) + stored_kpi) * 100_000 + stored_months).isin(in_file).to_numpy()
    before = (stored_months < first_in_file[stored_group]) & ~replaced
    stored_group, stored_months, stored_values = stored_group[before], stored_months[before], stored_values[before]
    order = np.lexsort((-stored_months, stored_group))
    rank = np.arange(len(order)) - np.searchsorted(stored_group[order], stored_group[order])
    recent = np.zeros(len(order), dtype=bool)
    recent[order[rank < BASELINE_MONTHS]] = True
    baseline = (stored_group[recent], stored_months[recent], stored_values[recent])
    from_store = _group_stats(*baseline, size)
    from_file = _group_stats(group, months, values, size)
    use_store = from_store["n"][group] >= MIN_MONTHS
    use_file = ~use_store & (from_file["n"][group] >= MIN_MONTHS)
    chosen = {name: np.where(use_store, from_store[name][group], from_file[name][group]) for name in from_store}
    centre, spread = chosen["centre"], chosen["spread"]
    floor = by_distinct(units, lambda unit: MIN_ABSOLUTE.get(unit, 1.0)).astype(float)
    half = np.fmax(np.fmax(WIDEN * MEDIAN_RANGE_LIMIT * spread, MIN_RELATIVE * np.abs(centre)), floor)
    latest = np.where(use_store, chosen["latest"], np.nan)
    trend = ~np.isnan(latest)  # a KPI on the move: within reach of its latest stored value is usual too
    low = np.where(trend, np.fmin(centre, latest), centre) - half
    high = np.where(trend, np.fmax(centre, latest), centre) + half
    kind = np.full(len(rows), None, dtype=object)
    kind[use_store] = "stored"
    kind[use_file] = "file"
    england = by_distinct(rows["kpi_code"].to_numpy(dtype=object),
                          lambda code: reference.england.get(code, (np.nan,))[0]).astype(float)
    by_england = pd.isna(kind) & np.isin(units, ["rate", "%"]) & (england > 0)
    centre[by_england] = england[by_england]
    low[by_england] = england[by_england] / ENGLAND_FACTOR
    high[by_england] = england[by_england] * ENGLAND_FACTOR
    kind[by_england] = "england"
    return _Usual(centre, low, high, kind, group, chosen["n"], chosen["first"], chosen["last"],
                  {"stored": baseline, "file": (group, months, values)})


def check(file: str, observations: pd.DataFrame, reference: Reference, catalogue: pd.DataFrame,
          today: date) -> list[Issue]:
    """Every plausibility warning for the file's values, one per value cell at most, in the file's order."""
    rows = observations[observations["value"].notna()].reset_index(drop=True)
    if rows.empty:
        return []
    info = catalogue.set_index("code")
    units = by_distinct(rows["kpi_code"].to_numpy(dtype=object), info["unit"].to_dict().get)
    months = month_numbers(rows["period"])
    usual = _usual(rows, months, reference, units)
    value = rows["value"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / usual.centre
    far = (ratio >= MAGNITUDE) | (ratio <= 1 / MAGNITUDE)
    # A file's own months judge only the likeliest typos: a long history drifts too far for finer judgement.
    outside = ~pd.isna(usual.basis) & ((value < usual.low) | (value > usual.high)) & ((usual.basis != "file") | far)
    at = np.flatnonzero(outside)
    ranges = _usual_ranges(usual, at)
    warnings = [_judge(file, rows.iloc[i], units[i], info, usual, ranges.get(i), bool(far[i]), i, reference.england)
                for i in at.tolist()]
    unjudged = np.flatnonzero(pd.isna(usual.basis) & np.isin(units, list(COUNT_LIKE)))
    per_value = [(i, w) for i, w in zip(at.tolist(), warnings) if w is not None] + \
        _jumps(file, rows, months, unjudged, info)
    return [w for _, w in sorted(per_value, key=lambda pair: pair[0])] + \
        _numerator_over_denominator(file, rows, info) + _far_past(file, rows, months, today)


def _usual_ranges(usual: _Usual, at: np.ndarray) -> dict[int, tuple[float, float, int]]:
    """The middle 80% of the baseline of each row at `at`, and how many months it spans: what a message calls the
    usual range. A file's own months count only within the limits, so the range quoted never takes in the typo
    it is quoted against. Made only for the rows that have a warning, which are few, rather than for every group
    of a large file."""
    ranges: dict[int, tuple[float, float, int]] = {}
    for basis in ("stored", "file"):
        rows = at[usual.basis[at] == basis]
        if not len(rows):
            continue
        groups, _, values = usual.baselines[basis]
        order = np.argsort(groups, kind="stable")
        groups, values = groups[order], values[order]
        for i in rows.tolist():
            start, stop = np.searchsorted(groups, usual.group[i]), np.searchsorted(groups, usual.group[i], "right")
            months = values[start:stop]
            if basis == "file":
                months = months[(months >= usual.low[i]) & (months <= usual.high[i])]
            low, high = np.quantile(months, [0.1, 0.9])
            ranges[i] = (float(low), float(high), len(months))
    return ranges


def _month_words(month: float) -> str:
    """A month number (year * 12 + month - 1) as "Oct 2026"."""
    return f"{date(int(month) // 12, int(month) % 12 + 1, 1):%b %Y}"


def _typed(value: float) -> str:
    """A value as the analyst typed it, not rounded to the KPI's decimals: 0.85, 27,310, 72.9."""
    return f"{value:,.10g}"


def _usual_range_words(usual: _Usual, span: tuple[float, float, int] | None, i: int, unit: str,
                       decimals: int, england_as_at: date | None) -> str:
    """The usual range, and where it comes from, in a few words."""
    if usual.basis[i] == "england":
        centre, low, high = (value_with_unit(v[i], unit, decimals) for v in (usual.centre, usual.low, usual.high))
        return (f"England's figure at {england_as_at.day} {england_as_at:%b %Y} was {centre}; a council's is "
                f"rarely beyond {low} to {high}")
    low, high, months = span
    shown_low, shown_high = value_with_unit(low, unit, decimals), value_with_unit(high, unit, decimals)
    between = f"{format_value(low, unit, decimals)} to {shown_high}" if shown_low != shown_high else shown_low
    if usual.basis[i] == "stored":
        return (f"usual range {between} in the {int(usual.n[i])} stored months from {_month_words(usual.first[i])} "
                f"to {_month_words(usual.last[i])}")
    return f"usual range {between} in this file's other {months} months of it"


def _judge(file: str, row: pd.Series, unit: str, info: pd.DataFrame, usual: _Usual,
           span: tuple[float, float, int] | None, far: bool, i: int,
           england: dict[str, tuple[float, date]]) -> Issue | None:
    """The one warning for a value outside its usual range: the most specific likely cause first. A value `far`
    from the centre (`MAGNITUDE` times, or that fraction) may be a slipped digit or separator; a value judged
    against the file's own months is warned of only as such."""
    value = float(row["value"])
    decimals = int(info.at[row["kpi_code"], "decimals"])
    low, high = usual.low[i], usual.high[i]
    usual_words = _usual_range_words(usual, span, i, unit, decimals, england.get(row["kpi_code"], (None, None))[1])
    typed = row.get("typed")

    def warning(rule: str, message: str, fix: str) -> Issue:
        found = typed if isinstance(typed, str) else _typed(value)
        return Issue("warning", file, row["sheet"], row["cell"], rule, f"{message} ({usual_words})", found, fix,
                     kpi=info.at[row["kpi_code"], "name"], month=f"{pd.Timestamp(row['period']):%b %Y}")

    if unit == "%" and 0 < value <= 1 and usual.centre[i] >= FRACTION_MIN_LEVEL and low <= value * 100 <= high:
        return warning("looks_like_fraction", "This looks like a fraction, not a percentage",
                       f"Enter it as a percentage: {_typed(value * 100)}, not {_typed(value)}. If the cell is "
                       "formatted as %, change the format to Number.")
    for shift in SHIFTS if far else ():
        for meant in (value / shift, value * shift):
            if not low <= meant <= high or (unit in COUNT_LIKE and min(value, meant) < MAGNITUDE_MIN_LEVEL):
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
    if unit in COUNT_LIKE and min(value, centre) >= MAGNITUDE_MIN_LEVEL and far:
        return warning("order_of_magnitude", f"This is {value / centre:,.1f} times the usual level",
                       "Check for an extra or a missing digit, or a figure for a different period or area.")
    if usual.basis[i] == "file":
        return None
    side = "above" if value > high else "below"
    return warning("unusual_value", f"This is far {side} the usual range",
                   "Check the figure against the source. If it is right (a real change), tick it as checked; a note "
                   "on the KPI's chart for this month explains the change and stops this warning for the months "
                   "after it.")


def _jumps(file: str, rows: pd.DataFrame, months: np.ndarray, at: np.ndarray,
           info: pd.DataFrame) -> list[tuple[int, Issue]]:
    """A count at least `MAGNITUDE` times the month before it in the file, or at most that fraction of it, among
    values with no history to judge them by: a real council's first monthly return, whose store holds only the
    annual published figures, would otherwise let 4,980 children looked after follow 498 without a word. Each
    warning comes with its row, to be put in the file's order."""
    if not len(at):
        return []
    series = rows.iloc[at].groupby(["la_code", "kpi_code"], sort=False).ngroup().to_numpy()
    sorted_at = np.lexsort((months[at], series))
    order, series = at[sorted_at], series[sorted_at]
    value = rows["value"].to_numpy(dtype=float)[order]
    follows = np.r_[False, (series[1:] == series[:-1]) & (np.diff(months[order]) == 1)]
    before = np.r_[np.nan, value[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / before
    jumped = follows & ((ratio >= MAGNITUDE) | (ratio <= 1 / MAGNITUDE)) & \
        (np.fmin(value, before) >= MAGNITUDE_MIN_LEVEL)
    warnings = []
    for j in np.flatnonzero(jumped).tolist():
        row, previous = rows.iloc[order[j]], rows.iloc[order[j - 1]]
        code = row["kpi_code"]
        unit, decimals = info.at[code, "unit"], int(info.at[code, "decimals"])
        times = f"{ratio[j]:,.1f} times" if ratio[j] > 1 else f"{ratio[j] * 100:,.2g}% of"
        warnings.append((int(order[j]), Issue(
            "warning", file, row["sheet"], row["cell"], "order_of_magnitude",
            f"This is {times} the month before in this file ({value_with_unit(before[j], unit, decimals)} in "
            f"{pd.Timestamp(previous['period']):%b %Y}, {previous['sheet']}!{previous['cell']}; no stored months "
            "to judge either by)", _typed(value[j]),
            "Check both months for an extra or a missing digit, or a figure for a different period or area.",
            kpi=info.at[code, "name"], month=f"{pd.Timestamp(row['period']):%b %Y}")))
    return warnings


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
    """Months years in the past that look like a mistyped year: every old month before the file's last gap of
    more than `GAP_MONTHS` (a year typed wrongly moves all the months typed with it), or every month of the file.
    A history of many consecutive years is no mistake and gives no warning."""
    old_before = today.year * 12 + today.month - 1 - FAR_PAST_MONTHS
    distinct = np.unique(months)
    years = FAR_PAST_MONTHS // 12
    if distinct[-1] < old_before:
        flagged = distinct[:1]
        message = f"Every month in the file is more than {years} years ago"
    else:
        gaps = np.flatnonzero(np.diff(distinct) > GAP_MONTHS)
        before_gap = distinct[:gaps[-1] + 1] if len(gaps) else distinct[:0]
        flagged = before_gap[before_gap < old_before]
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
