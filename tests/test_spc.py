"""XmR charts: checked against NHSRplotthedots 0.2.2's own test expectations and
against hand-built series where exactly one rule should fire.

Hand-built series start from a zigzag 5, -5, 6, -6, ... whose mean is 0 (for a
multiple of 4 points) and whose moving ranges are 10, 11, 12, 11, ... (mean 11).
It alternates sides of the mean and direction at every point, so on its own it
can fire no rule; each test then plants one pattern in it.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import spc
from analysis.spc import assurance, variation_icon, xmr

# R: set.seed(123); rnorm(20), as printed at full precision in the package's tests.
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]


def zigzag(n: int) -> list[float]:
    return [[5.0, -5.0, 6.0, -6.0][i % 4] for i in range(n)]


def sig(x: float, figures: int = 5) -> float:
    return float(f"{x:.{figures - 1}e}")


def flagged(result: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Positions with a special cause, and which rule and type they got."""
    hits = result[result["special_cause_type"].notna()]
    return {int(i): (row.special_cause_type, row.point_type) for i, row in hits.iterrows()}


# --------------------------------------------------------------------------- worked checks


def test_worked_check_rnorm_20():
    r = xmr(RNORM_20, improvement="increase")
    assert sig(r["mean"].iloc[0]) == sig(0.1416238)
    assert sig(r["lpl"].iloc[0]) == sig(-3.01138)
    assert sig(r["upl"].iloc[0]) == sig(3.294627)
    # one set of limits for the whole series
    assert r[["mean", "lpl", "upl"]].nunique().tolist() == [1, 1, 1]
    # package summary snapshot: all 20 points common cause
    assert (r["point_type"] == "common_cause").all()
    assert r["special_cause_type"].isna().all()
    assert variation_icon(r) == "common_cause"


def test_package_snapshot_relative_to_mean():
    r = xmr(RNORM_20, improvement="increase")
    assert r["relative_to_mean"].iloc[:15].tolist() == [
        -1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]


def test_package_snapshot_screen_outliers_on_and_off():
    """ptd_spc_standard snapshot: y[15] <- 10 (R is 1-based)."""
    y = list(RNORM_20)
    y[14] = 10
    on = xmr(y, improvement="increase")
    off = xmr(y, improvement="increase", screen_outliers=False)
    assert sig(on["mean"].iloc[0], 7) == sig(0.6694159, 7)
    assert sig(on["lpl"].iloc[0], 7) == sig(-2.383666, 7)
    assert sig(on["upl"].iloc[0], 7) == sig(3.722497, 7)
    assert sig(off["mean"].iloc[0], 7) == sig(0.6694159, 7)
    assert sig(off["lpl"].iloc[0], 7) == sig(-4.596625, 7)
    assert sig(off["upl"].iloc[0], 7) == sig(5.935457, 7)
    assert on["relative_to_mean"].iloc[:14].tolist() == [
        -1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1]
    # screening narrows the limits
    assert off["upl"].iloc[0] - off["lpl"].iloc[0] > on["upl"].iloc[0] - on["lpl"].iloc[0]
    # and it is the 10 that breaches them
    assert flagged(on) == {14: ("outside_limits", "special_cause_improvement")}


def test_package_snapshot_rebase_groups():
    """ptd_spc summary snapshot with the series split into two halves of 10."""
    r = xmr(RNORM_20, improvement="increase", rebase_at=[10])
    assert r["group"].tolist() == [0] * 10 + [1] * 10
    first = r.groupby("group")[["mean", "lpl", "upl"]].first()
    assert [sig(v, 3) for v in first.loc[0]] == [0.0746, -2.60, 2.75]
    assert [sig(v, 3) for v in first.loc[1]] == [0.209, -3.28, 3.70]
    assert r["short_group"].all()  # 10 < 13 points: trial limits


def test_package_two_in_three_needs_same_side_of_mean():
    """ptd_spc_standard test: two successive near points on opposite sides."""
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    r = xmr(y, improvement="increase")
    assert r["near_upl"].iloc[0] < 5.5 <= r["upl"].iloc[0]
    assert r["lpl"].iloc[0] <= -5.5 < r["near_lpl"].iloc[0]
    assert r["point_type"].iloc[-2:].tolist() == ["common_cause", "common_cause"]


# ------------------------------------------------- package unit tests of the rule functions


@pytest.mark.parametrize(
    "y,expected",
    [
        ([1, 2, 3, 4, 5, 6], [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a tie breaks the trend
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0]),
        ([7, 6, 5, 4, 3, 2, 1], [-1] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] + [-1] * 7 + [0]),
    ],
)
def test_package_seven_point_trend_cases(y, expected):
    assert spc.rule_trend(np.array(y, dtype=float)).tolist() == expected


@pytest.mark.parametrize(
    "rtm,expected",
    [
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [-1] * 8 + [0]),
    ],
)
def test_package_seven_points_one_side_cases(rtm, expected):
    assert spc.rule_shift(np.array(rtm, dtype=np.int8)).tolist() == expected


@pytest.mark.parametrize(
    "close,rtm,expected",
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
        ([1, 1, 0], [-1, -1, -1], [-1, -1, 0]),
        ([1, 1], [1, 1], [0, 0]),  # a window needs three real points
    ],
)
def test_package_two_in_three_cases(close, rtm, expected):
    got = spc.rule_two_in_three(np.array(close, dtype=bool), np.array(rtm, dtype=np.int8))
    assert got.tolist() == expected


@pytest.mark.parametrize(
    "lpl,upl,target,increase,decrease",
    [
        (1, 3, 4, "consistent_fail", "consistent_pass"),
        (5, 7, 4, "consistent_pass", "consistent_fail"),
        (1, 5, 4, "inconsistent", "inconsistent"),
    ],
)
def test_package_assurance_table(lpl, upl, target, increase, decrease):
    result = pd.DataFrame({"group": [0], "lpl": [lpl], "upl": [upl]})
    assert assurance(result, target, "increase") == increase
    assert assurance(result, target, "decrease") == decrease
    assert assurance(result, target, "neutral") is None


# --------------------------------------------------------------------------- limits


def test_zigzag_baseline_limits_and_no_signal():
    r = xmr(zigzag(20), improvement="increase")
    assert r["mean"].iloc[0] == 0
    assert r["mean_moving_range"].iloc[0] == pytest.approx(11)
    assert r["upl"].iloc[0] == pytest.approx(2.66 * 11)
    assert r["lpl"].iloc[0] == pytest.approx(-2.66 * 11)
    assert r["near_upl"].iloc[0] == pytest.approx(2 / 3 * 2.66 * 11)
    assert r["near_lpl"].iloc[0] == pytest.approx(-2 / 3 * 2.66 * 11)
    assert math.isnan(r["moving_range"].iloc[0])
    assert r["moving_range"].iloc[1:5].tolist() == [10, 11, 12, 11]
    assert (r["point_type"] == "common_cause").all()


def test_screening_removes_big_moving_ranges_once():
    y = zigzag(20)
    y[10] = 60  # moving ranges either side become 65 and 66
    # unscreened: (209 - 11 - 12 + 65 + 66) / 19; both 65 and 66 are >= 3.267 x that
    on = xmr(y, improvement="increase")
    off = xmr(y, improvement="increase", screen_outliers=False)
    assert off["mean_moving_range"].iloc[0] == pytest.approx(317 / 19)
    assert on["mean_moving_range"].iloc[0] == pytest.approx(186 / 17)
    assert on["mean"].iloc[0] == off["mean"].iloc[0] == pytest.approx(2.7)
    assert on["upl"].iloc[0] == pytest.approx(2.7 + 2.66 * 186 / 17)


def test_screening_stops_one_spike_hiding_another_signal():
    y = zigzag(40)
    y[10] = 60  # flagged either way, but unscreened it widens the limits...
    y[30] = 36  # ...enough to hide this one
    on = xmr(y, improvement="increase")
    off = xmr(y, improvement="increase", screen_outliers=False)
    assert on["upl"].iloc[30] < 36 < off["upl"].iloc[30]
    assert flagged(on) == {10: ("outside_limits", "special_cause_improvement"),
                           30: ("outside_limits", "special_cause_improvement")}
    assert flagged(off) == {10: ("outside_limits", "special_cause_improvement")}


def test_screening_excludes_ranges_equal_to_the_threshold():
    """Ranges >= 3.267 x the mean range go; here the mean range is exactly 1."""
    mr = np.array([np.nan, 3.267, 0.733, 0.0, 0.0])
    assert spc.mean_moving_range(mr, screen_outliers=False) == 1.0
    assert spc.mean_moving_range(mr) == pytest.approx(0.733 / 3)


def test_flat_series_has_limits_on_the_mean_and_no_signal():
    r = xmr([4.0] * 15, improvement="increase")
    assert r["lpl"].iloc[0] == r["upl"].iloc[0] == r["mean"].iloc[0] == 4
    assert (r["point_type"] == "common_cause").all()


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", "special_cause_improvement"),
        ("decrease", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high"),
    ],
)
def test_outside_upper_limit_each_polarity(improvement, expected):
    y = zigzag(20)
    y[10] = 60
    r = xmr(y, improvement=improvement)
    assert r["value"].iloc[10] > r["upl"].iloc[10]
    assert flagged(r) == {10: ("outside_limits", expected)}
    assert variation_icon(r) == "common_cause"


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", "special_cause_concern"),
        ("decrease", "special_cause_improvement"),
        ("neutral", "special_cause_neutral_low"),
    ],
)
def test_outside_lower_limit_each_polarity(improvement, expected):
    y = zigzag(20)
    y[10] = -60
    r = xmr(y, improvement=improvement)
    assert r["value"].iloc[10] < r["lpl"].iloc[10]
    assert flagged(r) == {10: ("outside_limits", expected)}


RISING = [-9.0, -6.0, -3.0, 0.0, 3.0, 6.0, 9.0]  # crosses the mean on its way up


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", "special_cause_improvement"),
        ("decrease", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high"),
    ],
)
def test_trend_up_flags_all_seven_points_by_direction(improvement, expected):
    y = zigzag(20)
    y[10:17] = RISING  # neighbours -5 and -5 make it exactly 7 long
    r = xmr(y, improvement=improvement)
    assert flagged(r) == {i: ("trend", expected) for i in range(10, 17)}
    # points below the mean are still part of an improving trend (package issue #171)
    assert r["value"].iloc[10] < r["mean"].iloc[10]


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", "special_cause_concern"),
        ("decrease", "special_cause_improvement"),
        ("neutral", "special_cause_neutral_low"),
    ],
)
def test_trend_down_each_polarity(improvement, expected):
    y = [-v for v in zigzag(20)]
    y[10:17] = [-v for v in RISING]
    r = xmr(y, improvement=improvement)
    assert flagged(r) == {i: ("trend", expected) for i in range(10, 17)}


def test_tie_breaks_a_trend():
    y = zigzag(20)
    y[10:17] = [-9.0, -6.0, -3.0, -3.0, 3.0, 6.0, 9.0]
    assert flagged(xmr(y, improvement="increase")) == {}


def test_six_point_trend_needs_run_length_six():
    y = zigzag(20)
    y[10:16] = [-9.0, -6.0, -3.0, 3.0, 6.0, 9.0]  # followed by base -6
    assert flagged(xmr(y, improvement="increase")) == {}
    r6 = xmr(y, improvement="increase", run_length=6)
    assert flagged(r6) == {i: ("trend", "special_cause_improvement") for i in range(10, 16)}


def test_trend_shared_peak_takes_direction_of_next_step():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1])
    assert spc.rule_trend(y).tolist() == [1] * 6 + [-1] * 7


def test_trends_separated_by_tie_keep_their_own_direction():
    """Deliberate deviation: the package would call point 6 'decreasing'."""
    y = [1.0, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13]
    assert spc.rule_trend(np.array(y)).tolist() == [1] * 14


def test_two_in_three_flags_only_the_near_points():
    y = zigzag(32)
    y[12], y[13], y[14] = 26.0, 3.0, 26.0
    r = xmr(y, improvement="increase")
    near_upl, upl, mean = r["near_upl"].iloc[0], r["upl"].iloc[0], r["mean"].iloc[0]
    assert near_upl < 26 <= upl and 3 > mean  # all three above the mean
    assert flagged(r) == {12: ("two_in_three", "special_cause_improvement"),
                          14: ("two_in_three", "special_cause_improvement")}
    assert flagged(xmr(y, improvement="neutral"))[12][1] == "special_cause_neutral_high"


def test_two_in_three_low_side_is_concern_for_increase():
    y = zigzag(32)
    y[12], y[13], y[14] = -26.0, -3.0, -26.0
    r = xmr(y, improvement="increase")
    assert r["lpl"].iloc[0] <= -26 < r["near_lpl"].iloc[0]
    assert flagged(r) == {12: ("two_in_three", "special_cause_concern"),
                          14: ("two_in_three", "special_cause_concern")}
    assert flagged(xmr(y, improvement="decrease"))[12][1] == "special_cause_improvement"


def test_two_in_three_needs_middle_point_on_same_side():
    y = zigzag(32)
    y[12], y[13], y[14] = 26.0, -3.0, 26.0
    r = xmr(y, improvement="increase")
    assert r["near_upl"].iloc[0] < 26 <= r["upl"].iloc[0]
    assert -3 < r["mean"].iloc[0]
    assert flagged(r) == {}


def test_two_in_three_does_not_count_points_beyond_the_limit():
    """As in the package: only points between the near line and the limit count."""
    y = zigzag(32)
    y[12], y[13], y[14] = 26.0, 3.0, 60.0
    r = xmr(y, improvement="increase")
    assert r["near_upl"].iloc[0] < 26 <= r["upl"].iloc[0] < 60
    assert flagged(r) == {14: ("outside_limits", "special_cause_improvement")}


def test_two_in_three_can_be_switched_off():
    y = zigzag(32)
    y[12], y[13], y[14] = 26.0, 3.0, 26.0
    assert flagged(xmr(y, improvement="increase", two_in_three=False)) == {}


def _shift_series(middle: float) -> list[float]:
    """Seven points from 8 to 14 above zero except `middle` at 11; point 17 balances
    the total so the mean is exactly 0."""
    y = zigzag(20)
    y[8:15] = [1.0, 2.0, 1.0, middle, 1.0, 2.0, 1.0]
    y[17] = -5.0 - 2.0 - middle
    assert sum(y) == 0
    return y


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", "special_cause_improvement"),
        ("decrease", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high"),
    ],
)
def test_shift_of_seven_flags_the_whole_run(improvement, expected):
    r = xmr(_shift_series(0.5), improvement=improvement)
    assert r["mean"].iloc[0] == 0
    assert flagged(r) == {i: ("shift", expected) for i in range(8, 15)}


def test_point_exactly_on_mean_breaks_a_shift():
    r = xmr(_shift_series(0.0), improvement="increase")
    assert r["mean"].iloc[0] == 0 and r["value"].iloc[11] == 0
    assert r["relative_to_mean"].iloc[11] == 0
    assert flagged(r) == {}


def test_shift_below_mean_and_longer_run_flags_every_point():
    y = [-v for v in zigzag(24)]
    y[6:15] = [-1.0, -2.0] * 4 + [-1.0]  # nine points below the mean
    y[19] += 7.0  # puts the total, and so the mean, back to 0
    assert sum(y) == 0
    r = xmr(y, improvement="increase")
    assert flagged(r) == {i: ("shift", "special_cause_concern") for i in range(6, 15)}
    r_low = xmr(y, improvement="neutral")
    assert {p for _, p in flagged(r_low).values()} == {"special_cause_neutral_low"}


def test_six_point_shift_needs_run_length_six():
    y = zigzag(20)
    y[8:14] = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]  # six above the mean...
    y[14] = -1.0  # ...ended by a point below it
    y[17] -= sum(y)  # keep the mean at exactly 0
    assert sum(y) == 0
    assert flagged(xmr(y, improvement="increase")) == {}
    r6 = xmr(y, improvement="increase", run_length=6)
    assert flagged(r6) == {i: ("shift", "special_cause_improvement") for i in range(8, 14)}


def test_precedence_outside_beats_trend_beats_shift():
    y = zigzag(32)
    y[10:17] = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 45.0]  # base[9] is -5: rising from 9
    r = xmr(y, improvement="increase")
    assert r["value"].iloc[16] > r["upl"].iloc[16]
    assert (r["value"].iloc[10:17] > r["mean"].iloc[10]).all()  # 10..16 are also a shift
    improving = "special_cause_improvement"
    assert flagged(r) == {**{i: ("trend", improving) for i in range(9, 16)},
                          16: ("outside_limits", improving)}


def test_rules_do_not_cross_a_rebase():
    y = zigzag(20)
    y[10:17] = RISING
    r = xmr(y, improvement="increase", rebase_at=[13])
    assert flagged(r) == {}


# --------------------------------------------------------------------------- groups


def test_rebase_gives_groups_their_own_limits():
    y = zigzag(16) + [v + 100 for v in zigzag(16)]
    whole = xmr(y, improvement="decrease")
    split = xmr(y, improvement="decrease", rebase_at=[16])
    # one set of limits across a step of 100 puts every point outside them
    assert len(flagged(whole)) == 32
    assert {t for t, _ in flagged(whole).values()} == {"outside_limits"}
    assert split["group"].tolist() == [0] * 16 + [1] * 16
    assert split["mean"].iloc[0] == 0 and split["mean"].iloc[-1] == 100
    assert split["upl"].iloc[-1] - split["upl"].iloc[0] == pytest.approx(100)
    assert math.isnan(split["moving_range"].iloc[16])  # no range across the rebase
    assert flagged(split) == {}
    assert not split["short_group"].any()


def test_rebase_positions_are_validated_and_normalised():
    y = zigzag(20)
    assert xmr(y, improvement="increase", rebase_at=[0])["group"].eq(0).all()
    groups = xmr(y, improvement="increase", rebase_at=[15, 5, 5])["group"].tolist()
    assert groups == [0] * 5 + [1] * 10 + [2] * 5
    with pytest.raises(ValueError, match="outside"):
        xmr(y, improvement="increase", rebase_at=[20])
    with pytest.raises(ValueError, match="integer"):
        xmr(y, improvement="increase", rebase_at=[2.5])


@pytest.mark.parametrize("n,short", [(12, True), (13, False)])
def test_short_group_threshold_is_13(n, short):
    assert xmr(zigzag(n), improvement="increase")["short_group"].tolist() == [short] * n


def test_short_group_is_per_group():
    r = xmr(zigzag(20), improvement="increase", rebase_at=[13])
    assert r["short_group"].tolist() == [False] * 13 + [True] * 7


def test_fix_after_n_points_uses_only_the_first_n():
    y = zigzag(12) + [15.0] * 12
    fixed = xmr(y, improvement="increase", fix_after_n_points=12)
    # first 12 points: mean 0, moving ranges 10, 11, 12, 11, ... averaging 11
    assert (fixed["mean"] == 0).all()
    assert fixed["upl"].iloc[-1] == pytest.approx(2.66 * 11)
    assert flagged(fixed) == {i: ("shift", "special_cause_improvement") for i in range(12, 24)}
    free = xmr(y, improvement="increase")
    assert free["mean"].iloc[0] == pytest.approx(7.5)
    assert free["upl"].iloc[0] != fixed["upl"].iloc[0]


def test_fix_after_n_points_counts_observed_points_not_rows():
    y: list[float | None] = zigzag(12) + [15.0] * 12
    y.insert(3, None)
    fixed = xmr(y, improvement="increase", fix_after_n_points=12)
    assert (fixed["mean"] == 0).all()  # the 12 zigzag values, gap skipped


def test_fix_after_n_points_applies_per_group():
    y = zigzag(12) + [15.0] * 4 + [v + 50 for v in zigzag(12)] + [80.0] * 4
    r = xmr(y, improvement="increase", rebase_at=[16], fix_after_n_points=12)
    assert r["mean"].iloc[0] == 0 and r["mean"].iloc[-1] == 50


@pytest.mark.parametrize("bad", [11, 0, 12.0, True])
def test_fix_after_n_points_must_be_an_integer_of_at_least_12(bad):
    with pytest.raises(ValueError, match="fix_after_n_points"):
        xmr(zigzag(24), improvement="increase", fix_after_n_points=bad)


# --------------------------------------------------------------------------- missing values


def test_missing_values_are_kept_but_excluded():
    y: list[float | None] = zigzag(20)
    y[6] = None
    r = xmr(y, improvement="increase")
    assert len(r) == 20 and math.isnan(r["value"].iloc[6])
    assert r["point_type"].iloc[6] is None and r["special_cause_type"].iloc[6] is None
    observed = [v for v in y if v is not None]
    assert r["mean"].iloc[6] == pytest.approx(np.mean(observed))
    # ranges touching the gap are missing, not bridged across it
    assert math.isnan(r["moving_range"].iloc[6]) and math.isnan(r["moving_range"].iloc[7])
    ranges = [abs(y[i] - y[i - 1]) for i in range(1, 20) if i not in (6, 7)]
    assert r["mean_moving_range"].iloc[0] == pytest.approx(np.mean(ranges))
    assert r["point_type"].drop(index=6).eq("common_cause").all()
    assert r["short_group"].iloc[0] is np.False_  # 19 observed points


def test_a_gap_neither_breaks_nor_makes_a_run():
    y: list[float | None] = list(_shift_series(0.5))
    y.insert(11, None)  # gap inside the run of seven
    r = xmr(y, improvement="increase")
    expected = {i: ("shift", "special_cause_improvement") for i in range(8, 16) if i != 11}
    assert flagged(r) == expected


def test_missing_values_accepts_nan_and_pandas_na():
    y = pd.Series(zigzag(16), dtype="Float64")
    y.iloc[3] = pd.NA
    r1 = xmr(y, improvement="increase")
    r2 = xmr([float("nan") if i == 3 else v for i, v in enumerate(zigzag(16))],
             improvement="increase")
    pd.testing.assert_frame_equal(r1, r2)


def test_all_missing_and_empty_inputs():
    r = xmr([None, None, None], improvement="increase")
    assert r["point_type"].isna().all() and r["mean"].isna().all()
    assert variation_icon(r) is None
    assert assurance(r, 5, "increase") is None
    empty = xmr([], improvement="increase")
    assert empty.empty and "point_type" in empty.columns
    assert variation_icon(empty) is None


def test_single_point_has_no_limits_and_no_signal():
    r = xmr([3.0], improvement="increase")
    assert r["mean"].iloc[0] == 3 and math.isnan(r["upl"].iloc[0])
    assert r["point_type"].tolist() == ["common_cause"]
    assert assurance(r, 10, "increase") is None


def test_infinite_values_are_rejected():
    with pytest.raises(ValueError, match="infinity"):
        xmr([1.0, float("inf"), 2.0], improvement="increase")


# --------------------------------------------------------------------------- icons


def test_variation_icon_is_latest_observed_point():
    y: list[float | None] = zigzag(20) + [None]
    y[19] = 60
    r = xmr(y, improvement="decrease")
    assert variation_icon(r) == "special_cause_concern"
    assert spc.VARIATION_WORDS[variation_icon(r)] == "Special cause: concern"


@pytest.mark.parametrize(
    "target,improvement,expected",
    [
        (40, "increase", "consistent_fail"),
        (-40, "increase", "consistent_pass"),
        (0, "increase", "inconsistent"),
        (40, "decrease", "consistent_pass"),
        (-40, "decrease", "consistent_fail"),
        (0, "decrease", "inconsistent"),
        (40, "neutral", None),
        (None, "increase", None),
        (float("nan"), "decrease", None),
    ],
)
def test_assurance(target, improvement, expected):
    r = xmr(zigzag(20), improvement=improvement, target=target)  # limits +/- 29.26
    assert assurance(r, target, improvement) == expected


def test_assurance_on_a_limit_is_inconsistent():
    r = xmr(zigzag(20), improvement="increase")
    assert assurance(r, r["upl"].iloc[-1], "increase") == "inconsistent"
    assert assurance(r, r["lpl"].iloc[-1], "decrease") == "inconsistent"


def test_assurance_uses_the_last_group():
    y = zigzag(16) + [v + 100 for v in zigzag(16)]
    split = xmr(y, improvement="increase", rebase_at=[16])
    assert assurance(split, 40, "increase") == "consistent_pass"  # last group: 70.7 .. 129.3
    first_only = xmr(y[:16], improvement="increase")
    assert assurance(first_only, 40, "increase") == "consistent_fail"


def test_the_current_process_is_the_last_group_only():
    y = zigzag(16) + [v + 100 for v in zigzag(8)]
    split = xmr(y, improvement="increase", rebase_at=[16])
    now = spc.current_process(split)
    assert now.index.tolist() == list(range(16, 24)) and now["group"].eq(1).all()
    assert spc.current_process(xmr([], improvement="increase")).empty


def test_variation_and_assurance_ignore_the_points_before_a_rebase():
    """A recalculation declares the earlier process gone: with no point observed since, there is no icon, rather
    than the last icon of the process before."""
    y: list[float | None] = zigzag(15) + [60.0, None, None]
    split = xmr(y, improvement="decrease", target=0.0, rebase_at=[16])
    assert xmr(y[:16], improvement="decrease")["point_type"].iloc[-1] == "special_cause_concern"
    assert variation_icon(split) is None
    assert assurance(split, 0.0, "decrease") is None
    y[17] = 5.0
    assert variation_icon(xmr(y, improvement="decrease", rebase_at=[16])) == "common_cause"


def test_words_cover_every_outcome():
    assert set(spc.VARIATION_WORDS) == {
        "common_cause", "special_cause_improvement", "special_cause_concern",
        "special_cause_neutral_high", "special_cause_neutral_low"}
    assert spc.ASSURANCE_WORDS == {"consistent_pass": "Consistently hits target",
                                   "consistent_fail": "Consistently misses target",
                                   "inconsistent": "Hit and miss target"}
    assert set(spc.SPECIAL_CAUSE_WORDS) == {"outside_limits", "trend", "two_in_three", "shift"}


# --------------------------------------------------------------------------- interface


def test_output_shape_and_columns():
    r = xmr(zigzag(20), improvement="increase", target=3)
    for column in ["value", "group", "mean", "lpl", "upl", "near_lpl", "near_upl",
                   "moving_range", "special_cause_type", "point_type", "short_group"]:
        assert column in r.columns
    assert len(r) == 20 and r["short_group"].dtype == bool
    assert (r["target"] == 3).all()
    assert r.attrs == {"improvement": "increase", "target": 3}


@pytest.mark.parametrize("bad", ["up", "Increase", None, "higher_is_better"])
def test_bad_improvement_is_rejected(bad):
    with pytest.raises(ValueError, match="improvement must be one of 'increase', 'decrease', 'neutral'"):
        xmr(zigzag(20), improvement=bad)
    with pytest.raises(ValueError, match="improvement must be one of"):
        assurance(xmr(zigzag(20), improvement="increase"), 1, bad)


@pytest.mark.parametrize("bad", [1, 0, 7.0])
def test_bad_run_length_is_rejected(bad):
    with pytest.raises(ValueError, match="run_length"):
        xmr(zigzag(20), improvement="increase", run_length=bad)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20).map(float), min_size=0, max_size=40))
def test_mirror_image_swaps_polarity(values):
    """Turning the chart upside down and flipping polarity must change nothing."""
    up = xmr(values, improvement="increase")
    down = xmr([-v for v in values], improvement="decrease")
    assert up["point_type"].tolist() == down["point_type"].tolist()
    assert up["special_cause_type"].tolist() == down["special_cause_type"].tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20).map(float), min_size=1, max_size=40))
def test_every_flag_belongs_to_a_rule_that_holds(values):
    """Cross-check the vectorised rules against a plain loop over the definitions."""
    r = xmr(values, improvement="neutral")
    y = np.array(values)
    n = len(y)
    mean, lpl, upl = r["mean"].iloc[0], r["lpl"].iloc[0], r["upl"].iloc[0]
    side = np.sign(y - mean)
    for i, kind in enumerate(r["special_cause_type"]):
        if kind == "outside_limits":
            assert y[i] > upl or y[i] < lpl
        elif kind == "shift":
            assert any(all(side[j] == side[i] != 0 for j in range(s, s + 7))
                       for s in range(max(0, i - 6), min(i, n - 7) + 1))
        elif kind == "trend":
            assert any(all(y[j + 1] > y[j] for j in range(s, s + 6))
                       or all(y[j + 1] < y[j] for j in range(s, s + 6))
                       for s in range(max(0, i - 6), min(i, n - 7) + 1))
    # and the converse for shifts: every run of 7 on one side is flagged (by something)
    for s in range(0, n - 6):
        if abs(side[s:s + 7].sum()) == 7:
            assert r["special_cause_type"].iloc[s:s + 7].notna().all()
