"""XmR (individuals) charts in the NHS "Making Data Count" style.

The scorecard's RAG status only says whether the latest figure beat a target; it
cannot say whether a change is signal or noise. Statistical process control
answers that, and NHS England's "Making Data Count" (MDC) programme has made the
XmR chart with its variation and assurance icons the house style that council
and NHS readers already recognise. To avoid a local dialect of the method we
reproduce the R package NHSRplotthedots 0.2.2, the reference implementation:

* centre line = mean; moving range = |y(i) - y(i-1)|;
* process limits = mean +/- 2.66 x mean moving range (2.66 = 3 / d2, d2 = 1.128);
* "near" (2-sigma) lines = mean +/- (2/3)(2.66) x mean moving range;
* by default moving ranges >= 3.267 x the mean moving range are screened out
  and the mean moving range recomputed once (3.267 = D4, the upper limit of the
  mR chart), so one freak month does not widen the limits for every month;
* special-cause rules in precedence order: outside the limits, a trend of 7
  points all rising or all falling, 2 of 3 points near a limit, a shift of 7
  points on one side of the mean. Each rule has its own function below, as in
  the package, and returns +1 (high / rising), -1 (low / falling) or 0 for every
  point, so the rules can be tested alone and combined by simple precedence.

Faithful to the package, including its less obvious choices:

* Every point of a qualifying run is flagged (all 7, or more for a longer run),
  not just the point that completes it.
* 2-in-3 counts only points strictly beyond a near line and not outside the
  limits (a point exactly on a limit is "near"; exactly on a near line is not).
  All three points of the window must lie strictly on the same side of the mean,
  and only the near points are flagged, not the third point. A near point paired
  with a point beyond the limit does not fire 2-in-3; the outside point is
  flagged by its own rule.
* A point exactly on the mean belongs to neither side, so it breaks a shift.
  A tie between consecutive values breaks a trend.
* A trend is judged by its direction, not by which side of the mean its points
  sit (the package's 0.2.2 fix for issues #167/#171): a rising trend is an
  improvement for "increase" even where it is still below the mean. A point
  shared by two trends takes the direction of the step to the next point.
* Rules never look across a rebase: each group is its own chart.
* Fewer than 13 points in a group means trial limits (``short_group``), the
  package's default warning threshold.
* ``fix_after_n_points`` must be at least 12, as the package insists, because
  limits frozen on fewer points are not stable enough to judge later points by.

Choices the package does not make for us:

* Missing values (None/NaN) are kept as rows, so the output lines up with the
  input periods, but they are excluded from the calculation: they do not count
  towards the mean, a moving range is only taken between two *adjacent*
  observed periods (so the moving ranges either side of a gap are missing, as
  in the package), and they get ``point_type`` / ``special_cause_type`` None.
  The rules run over the observed points in order, so a gap neither breaks nor
  extends a run: a missing month carries no evidence either way. Missing rows
  still carry their group's limits so chart lines stay continuous. Group sizes
  (``short_group``) and ``fix_after_n_points`` count observed points only.
* Infinite values raise ValueError: they are data errors, not missing data.
* One deliberate deviation in trends: where a trend ends and the next point,
  equal to it, starts another trend, the package takes the zero step between
  them as "decreasing", so the last point of a rising trend can be shown as a
  concern. We give that point its own trend's direction instead. Results are
  otherwise identical.
* If every moving range is zero (a flat series) the package's screening throws
  all of them away and its limits become NaN. We skip screening in that case,
  so the limits sit on the mean, which is what a flat process means.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "IMPROVEMENTS",
    "VARIATION_WORDS",
    "ASSURANCE_WORDS",
    "SPECIAL_CAUSE_WORDS",
    "Limits",
    "xmr",
    "current_process",
    "variation_icon",
    "assurance",
    "moving_range",
    "mean_moving_range",
    "process_limits",
    "relative_to_mean",
    "is_outside_limits",
    "is_close_to_limits",
    "rule_outside_limits",
    "rule_trend",
    "rule_two_in_three",
    "rule_shift",
    "special_causes",
    "point_types",
]

IMPROVEMENTS = ("increase", "decrease", "neutral")
LIMIT = 2.66
NEAR_LIMIT = 2 * LIMIT / 3
SCREEN_FACTOR = 3.267
SHORT_GROUP_THRESHOLD = 13
MIN_FIX_AFTER_N_POINTS = 12
DEFAULT_RUN_LENGTH = 7

VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause: no significant change",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: unusually high",
    "special_cause_neutral_low": "Special cause: unusually low",
}

ASSURANCE_WORDS: dict[str, str] = {
    "consistent_pass": "Consistently hits target",
    "consistent_fail": "Consistently misses target",
    "inconsistent": "Hit and miss target",
}

SPECIAL_CAUSE_WORDS: dict[str, str] = {
    "outside_limits": "A point outside the process limits",
    "trend": "A run of points all rising or all falling",
    "two_in_three": "Two of three points close to a process limit",
    "shift": "A run of points all on one side of the average",
}

_COLUMNS = [
    "value", "group", "mean", "lpl", "upl", "near_lpl", "near_upl", "moving_range",
    "mean_moving_range", "relative_to_mean", "special_cause_type", "point_type",
    "short_group", "target",
]


class Limits(NamedTuple):
    """The fitted lines of one group; NaN where too few points to fit them."""

    mean: float
    mean_moving_range: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float


# --------------------------------------------------------------------------- limits


def moving_range(y: np.ndarray) -> np.ndarray:
    """|y(i) - y(i-1)|, NaN first and next to a gap: a range spanning a missing
    period would mix two periods' worth of change into short-term variation."""
    mr = np.full(y.shape, np.nan)
    if y.size > 1:
        mr[1:] = np.abs(np.diff(y))
    return mr


def mean_moving_range(mr: np.ndarray, screen_outliers: bool = True) -> float:
    """Average short-term variation, screened once so that a single large jump
    (which the chart should flag, not absorb) does not widen the limits."""
    observed = mr[~np.isnan(mr)]
    if observed.size == 0:
        return float("nan")
    amr = float(observed.mean())
    if screen_outliers and amr > 0:
        amr = float(observed[observed < SCREEN_FACTOR * amr].mean())
    return amr


def process_limits(
    y: np.ndarray, *, screen_outliers: bool = True, fix_after_n_points: int | None = None
) -> Limits:
    """Lines for one group. With fix_after_n_points only the first N observed
    points set them, so later points are judged against a baseline rather than
    dragging the baseline along with them."""
    basis = y
    if fix_after_n_points is not None:
        observed_at = np.flatnonzero(~np.isnan(y))
        if observed_at.size > fix_after_n_points:
            basis = y[: observed_at[fix_after_n_points - 1] + 1]
    observed = basis[~np.isnan(basis)]
    mean = float(observed.mean()) if observed.size else float("nan")
    amr = mean_moving_range(moving_range(basis), screen_outliers)
    return Limits(
        mean=mean,
        mean_moving_range=amr,
        lpl=mean - LIMIT * amr,
        upl=mean + LIMIT * amr,
        near_lpl=mean - NEAR_LIMIT * amr,
        near_upl=mean + NEAR_LIMIT * amr,
    )


def relative_to_mean(y: np.ndarray, mean: float) -> np.ndarray:
    """+1 above, -1 below, 0 exactly on the mean (which belongs to no run)."""
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(np.sign(y - mean)).astype(np.int8)


def is_outside_limits(y: np.ndarray, lpl: float, upl: float) -> np.ndarray:
    """Strictly beyond a limit; NaN limits (one point) flag nothing."""
    return (y > upl) | (y < lpl)


def is_close_to_limits(
    y: np.ndarray, lpl: float, upl: float, near_lpl: float, near_upl: float
) -> np.ndarray:
    """Between a near line and its limit. Points outside the limits are not
    "close" (as in the package), so they cannot also feed the 2-in-3 rule."""
    return ~is_outside_limits(y, lpl, upl) & ((y < near_lpl) | (y > near_upl))


# --------------------------------------------------------------------------- rules
# Each rule takes the observed points of one group, in order, and returns an int8
# array: +1 flagged high/rising, -1 flagged low/falling, 0 not flagged.


def _run_ends(mask: np.ndarray, length: int) -> np.ndarray:
    """True where `mask` has just been True `length` times in a row."""
    if length <= 0:
        return np.ones(mask.shape, dtype=bool)
    counts = np.convolve(mask.astype(np.int64), np.ones(length, dtype=np.int64))[: mask.size]
    return counts == length


def _whole_run(ends: np.ndarray, length: int) -> np.ndarray:
    """Spread each run's end back over the `length` points it covers, so every
    point of the run is flagged, as the package does."""
    return np.convolve(ends.astype(np.int64), np.ones(length, dtype=np.int64))[length - 1:] > 0


def rule_outside_limits(outside: np.ndarray, rtm: np.ndarray) -> np.ndarray:
    """A single point beyond a limit is the strongest signal there is."""
    return np.where(outside, np.where(rtm == 1, 1, -1), 0).astype(np.int8)


def rule_trend(y: np.ndarray, run_length: int = DEFAULT_RUN_LENGTH) -> np.ndarray:
    """`run_length` points each strictly higher (or lower) than the one before.

    Direction, not position against the mean, decides the colour. Where a point
    belongs to a trend and so does the next point, it takes the direction of the
    step to the next point; otherwise the step from the previous point. That is
    the package's rule and decides the shared point where two trends meet, except
    when that step is a tie (see below).
    """
    n = y.size
    out = np.zeros(n, dtype=np.int8)
    if n < run_length or n < 2:
        return out
    step = np.sign(np.diff(y))
    ends = np.zeros(n, dtype=bool)
    ends[1:] = _run_ends(step > 0, run_length - 1) | _run_ends(step < 0, run_length - 1)
    in_trend = _whole_run(ends, run_length)
    next_in_trend = np.append(in_trend[1:], False)
    to_next = np.append(step, step[-1])
    from_previous = np.insert(step, 0, 0.0)
    # A zero step means the two points belong to different trends; the package
    # would call that "decreasing" even inside two rising trends, so use the
    # point's own trend (the step from the previous point) instead.
    chosen = np.where(in_trend & next_in_trend & (to_next != 0), to_next, from_previous)
    out[in_trend] = np.where(chosen[in_trend] == 1, 1, -1)
    return out


def rule_two_in_three(close: np.ndarray, rtm: np.ndarray) -> np.ndarray:
    """Two of any three consecutive points near the same limit: a smaller shift
    than a single outside point, caught sooner than a run of 7 would catch it.

    A window qualifies when at least two of its points are near a limit and all
    three are on the same side of the mean (so two near points on opposite sides
    are not a signal, the package's fix for issue #143). Only the near points of
    a qualifying window are flagged, not the third point.
    """
    n = close.size
    out = np.zeros(n, dtype=np.int8)
    if n < 3:
        return out
    near = close.astype(np.int64)
    window_near = near[:-2] + near[1:-1] + near[2:]
    window_side = rtm[:-2].astype(np.int64) + rtm[1:-1] + rtm[2:]
    qualifies = (window_near >= 2) & (np.abs(window_side) == 3)
    in_window = np.convolve(qualifies.astype(np.int64), np.ones(3, dtype=np.int64)) > 0
    flagged = in_window & close
    out[flagged] = np.where(rtm[flagged] > 0, 1, -1)
    return out


def rule_shift(rtm: np.ndarray, run_length: int = DEFAULT_RUN_LENGTH) -> np.ndarray:
    """`run_length` points in a row on the same side of the mean: a sustained
    change in level too small for any single point to cross a limit."""
    if rtm.size < run_length:
        return np.zeros(rtm.size, dtype=np.int8)
    above = _whole_run(_run_ends(rtm == 1, run_length), run_length)
    below = _whole_run(_run_ends(rtm == -1, run_length), run_length)
    return (above.astype(np.int8) - below.astype(np.int8))


def special_causes(
    y: np.ndarray,
    limits: Limits,
    *,
    run_length: int = DEFAULT_RUN_LENGTH,
    two_in_three: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the rules to the observed points of one group.

    Returns (rule name or None, direction) per point. Rules are applied from the
    weakest to the strongest so the strongest overwrites: outside limits, then
    trend, then 2-in-3, then shift, matching the package's precedence.
    """
    rtm = relative_to_mean(y, limits.mean)
    outside = is_outside_limits(y, limits.lpl, limits.upl)
    rules: list[tuple[str, np.ndarray]] = [("shift", rule_shift(rtm, run_length))]
    if two_in_three:
        close = is_close_to_limits(y, limits.lpl, limits.upl, limits.near_lpl, limits.near_upl)
        rules.append(("two_in_three", rule_two_in_three(close, rtm)))
    rules.append(("trend", rule_trend(y, run_length)))
    rules.append(("outside_limits", rule_outside_limits(outside, rtm)))

    kind = np.full(y.size, None, dtype=object)
    direction = np.zeros(y.size, dtype=np.int8)
    for name, flags in rules:
        hit = flags != 0
        kind[hit] = name
        direction[hit] = flags[hit]
    return kind, direction


def point_types(direction: np.ndarray, improvement: str) -> np.ndarray:
    """Turn "high/low" into the judgement readers care about. Neutral measures
    (context, not performance) are never called good or bad."""
    _check_improvement(improvement)
    if improvement == "neutral":
        labels = ("special_cause_neutral_low", "common_cause", "special_cause_neutral_high")
    else:
        labels = ("special_cause_concern", "common_cause", "special_cause_improvement")
        if improvement == "decrease":
            direction = -direction
    return np.array(labels, dtype=object)[np.sign(direction).astype(np.int64) + 1]


# --------------------------------------------------------------------------- public API


def _check_improvement(improvement: object) -> None:
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement must be one of {', '.join(repr(i) for i in IMPROVEMENTS)}; "
            f"got {improvement!r}"
        )


def _as_float_array(values: Iterable[float | None]) -> np.ndarray:
    """Accept lists, tuples, numpy arrays and pandas Series with None/NaN/pd.NA."""
    if isinstance(values, (pd.Series, pd.Index)):
        y = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            y = np.asarray(values, dtype=float)
        except TypeError:
            y = pd.Series(list(values), dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    if y.ndim != 1:
        raise ValueError(f"values must be one-dimensional; got shape {y.shape}")
    if np.isinf(y).any():
        raise ValueError("values must be finite numbers or missing (None/NaN); got infinity")
    return y


def _group_starts(rebase_at: Sequence[int], n: int) -> np.ndarray:
    starts = set()
    for position in rebase_at:
        if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
            raise ValueError(f"rebase_at must hold integer positions; got {position!r}")
        if not 0 <= position < n:
            raise ValueError(f"rebase_at position {position} is outside 0..{n - 1}")
        if position > 0:
            starts.add(int(position))
    return np.array([0, *sorted(starts), n], dtype=np.int64)


def _check_options(run_length: int, fix_after_n_points: int | None) -> None:
    if isinstance(run_length, bool) or not isinstance(run_length, (int, np.integer)) or run_length < 2:
        raise ValueError(f"run_length must be an integer of at least 2; got {run_length!r}")
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool)
        or not isinstance(fix_after_n_points, (int, np.integer))
        or fix_after_n_points < MIN_FIX_AFTER_N_POINTS
    ):
        raise ValueError(
            f"fix_after_n_points must be an integer of at least {MIN_FIX_AFTER_N_POINTS} "
            f"(limits fixed on fewer points are not stable); got {fix_after_n_points!r}"
        )


def xmr(
    values: Iterable[float | None],
    *,
    improvement: str,
    target: float | None = None,
    rebase_at: Sequence[int] = (),
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    run_length: int = DEFAULT_RUN_LENGTH,
    two_in_three: bool = True,
) -> pd.DataFrame:
    """An XmR chart as a table, one row per input value, in input order.

    `rebase_at` lists 0-based positions where a new set of limits starts (after a
    known change in process, such as a new recording rule); each group is its own
    chart. `run_length` is 7 as in NHSRplotthedots; the NHS Excel tool allows 6.
    Missing values stay as rows but take no part in the calculation (see the
    module docstring).
    """
    _check_improvement(improvement)
    _check_options(run_length, fix_after_n_points)
    y = _as_float_array(values)
    n = y.size
    starts = _group_starts(rebase_at, n) if n else np.array([0, 0], dtype=np.int64)
    observed = ~np.isnan(y)

    columns: dict[str, np.ndarray] = {
        name: np.full(n, np.nan) for name in ("mean", "lpl", "upl", "near_lpl", "near_upl",
                                              "moving_range", "mean_moving_range",
                                              "relative_to_mean")
    }
    group = np.zeros(n, dtype=np.int64)
    short_group = np.zeros(n, dtype=bool)
    kind = np.full(n, None, dtype=object)
    point_type = np.full(n, None, dtype=object)

    for g, (lo, hi) in enumerate(zip(starts[:-1], starts[1:])):
        span = slice(lo, hi)
        yg = y[span]
        limits = process_limits(yg, screen_outliers=screen_outliers,
                                fix_after_n_points=fix_after_n_points)
        group[span] = g
        for name in ("mean", "lpl", "upl", "near_lpl", "near_upl", "mean_moving_range"):
            columns[name][span] = getattr(limits, name)
        columns["moving_range"][span] = moving_range(yg)

        seen = observed[span]
        y_seen = yg[seen]
        short_group[span] = y_seen.size < SHORT_GROUP_THRESHOLD
        if y_seen.size == 0:
            continue
        rows = np.flatnonzero(seen) + lo
        columns["relative_to_mean"][rows] = relative_to_mean(y_seen, limits.mean)
        rule, direction = special_causes(y_seen, limits, run_length=run_length,
                                         two_in_three=two_in_three)
        kind[rows] = rule
        point_type[rows] = point_types(direction, improvement)

    target_value = np.nan if target is None else float(target)
    result = pd.DataFrame(
        {
            "value": y,
            "group": group,
            **{name: columns[name] for name in ("mean", "lpl", "upl", "near_lpl", "near_upl",
                                                  "moving_range", "mean_moving_range",
                                                  "relative_to_mean")},
            "special_cause_type": pd.Series(kind, dtype=object),
            "point_type": pd.Series(point_type, dtype=object),
            "short_group": short_group,
            "target": np.full(n, target_value),
        },
        columns=_COLUMNS,
    )
    result.attrs.update(improvement=improvement, target=target)
    return result


def current_process(result: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last group: the process as it runs now. Earlier groups
    describe a process that a recalculation (rebase) declared gone, so the icons
    read this part only, while a chart still draws every group."""
    if result.empty:
        return result
    return result[result["group"] == result["group"].iloc[-1]]


def variation_icon(result: pd.DataFrame) -> str | None:
    """The MDC variation icon describes where the process is now, so it is the
    latest observed point's type in the current process; None when that process
    has no observed point yet (a point before the rebase is not "now")."""
    types = current_process(result)["point_type"].dropna()
    return None if types.empty else str(types.iloc[-1])


def assurance(result: pd.DataFrame, target: float | None, improvement: str) -> str | None:
    """Can the process, as it currently runs, be relied on to meet the target?

    Judged from the current process's limits (`current_process`), because
    earlier groups describe a process that no longer exists. A target beyond a limit will be consistently
    met or missed; a target between the limits will be hit and missed by chance
    alone. None when there is no target, the measure is neutral, or the limits
    could not be computed (too few points).
    """
    _check_improvement(improvement)
    if target is None or improvement == "neutral" or result.empty:
        return None
    target = float(target)
    if np.isnan(target):
        return None
    last = current_process(result).iloc[-1]
    lpl, upl = float(last["lpl"]), float(last["upl"])
    if np.isnan(lpl) or np.isnan(upl):
        return None
    increasing = improvement == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"
