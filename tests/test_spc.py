"""SPC (methods/spc) against NHSRplotthedots: its published limits and flags, and each special-cause rule's edges."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cseboard.methods import spc

RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
             -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
             0.49785048, -1.96661716, 0.70135590, -0.47279141]
"""R's set.seed(123); rnorm(20): the series of NHSRplotthedots' tests/testthat/test-ptd_spc.R and
test-ptd_spc_standard.R, whose expected summaries are in tests/testthat/_snaps/ptd_spc.md and ptd_spc_standard.md."""


def chart(values, **options) -> pd.DataFrame:
    return spc.spc(pd.Series(values, index=range(1, len(values) + 1), dtype=float), **options)


def test_limits_match_nhsrplotthedots_snapshot():
    # _snaps/ptd_spc.md, "it outputs expected content": mean_col 0.142, lpl -3.01, upl 3.29, 20 common cause
    drawn = chart(RNORM_123)
    assert drawn["mean"].iloc[0] == pytest.approx(0.142, abs=5e-4)
    assert drawn.lower.iloc[0] == pytest.approx(-3.01, abs=5e-3)
    assert drawn.upper.iloc[0] == pytest.approx(3.29, abs=5e-3)
    assert (drawn.point_type == spc.COMMON_CAUSE).all() and (drawn.rule == "").all()
    assert spc.variation(drawn) == spc.COMMON_CAUSE


def test_limits_per_group_match_nhsrplotthedots_facets():
    # _snaps/ptd_spc.md, facet_field 'facet' (first ten, last ten): 0.0746 -2.60 2.75 and 0.209 -3.28 3.70.
    # A rebase at the 11th point splits the series into the same two groups.
    drawn = chart(RNORM_123, rebase_at=[11])
    first, second = drawn[drawn.group == 0].iloc[0], drawn[drawn.group == 1].iloc[0]
    assert (first["mean"], first.lower, first.upper) == pytest.approx((0.0746, -2.60, 2.75), abs=5e-3)
    assert (second["mean"], second.lower, second.upper) == pytest.approx((0.209, -3.28, 3.70), abs=5e-3)
    assert drawn.group.tolist() == [0] * 10 + [1] * 10


def test_limits_are_mean_plus_minus_2_66_mean_moving_range_without_the_screened_ranges():
    # test-ptd_spc_standard.R: y[15] <- 10; screening changes the limits and narrows them
    values = list(RNORM_123)
    values[14] = 10
    ranges = np.abs(np.diff(values))
    kept = ranges[ranges < 3.267 * ranges.mean()]
    assert len(kept) == len(ranges) - 2
    screened, unscreened = chart(values), chart(values, screen_outliers=False)
    assert screened.upper.iloc[0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    assert screened.lower.iloc[0] == pytest.approx(np.mean(values) - 2.66 * kept.mean())
    assert unscreened.upper.iloc[0] == pytest.approx(np.mean(values) + 2.66 * ranges.mean())
    assert (unscreened.upper - unscreened.lower).iloc[0] > (screened.upper - screened.lower).iloc[0]


def test_two_close_points_on_opposite_sides_are_common_cause():
    # test-ptd_spc_standard.R, "only reports special cause for 2 of 3 points close to limits when on the same side"
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    assert chart(values).point_type.tail(2).tolist() == [spc.COMMON_CAUSE, spc.COMMON_CAUSE]


@pytest.mark.parametrize("sides, length, expected", [
    # ptd_seven_point_one_side_mean and ptd_part_of_seven_trend (test-ptd_calculate_point_type.R)
    ([], 7, []),
    ([1] * 6, 7, [0] * 6),
    ([1] * 6 + [-1], 7, [0] * 7),
    ([1] * 8 + [-1], 7, [1] * 8 + [0]),
    ([-1] * 8 + [1], 7, [1] * 8 + [0]),
    ([-1] + [1] * 8 + [-1], 7, [0] + [1] * 8 + [0]),
    ([1] * 3 + [0] + [1] * 4, 7, [0] * 8),  # a point on the mean breaks the run
    ([1] * 6 + [-1], 6, [1] * 6 + [0]),  # the option of 6
])
def test_shift_points(sides, length, expected):
    assert spc.shift_points(sides, length).tolist() == [bool(x) for x in expected]


@pytest.mark.parametrize("values, length, expected", [
    # ptd_seven_point_trend with ptd_part_of_seven_trend (test-ptd_calculate_point_type.R)
    ([], 7, []),
    (list(range(1, 7)), 7, [0] * 6),
    ([1, 2, 3, 3, 4, 5, 6], 7, [0] * 7),  # a repeated value breaks a trend
    (list(range(1, 8)), 7, [1] * 7),
    ([2, *range(1, 8), 3], 7, [0] + [1] * 7 + [0]),
    (list(range(7, 0, -1)), 7, [1] * 7),
    ([2, *range(7, 0, -1), 3], 7, [0] + [1] * 7 + [0]),
    (list(range(1, 7)), 6, [1] * 6),  # the option of 6
])
def test_trend_points(values, length, expected):
    assert spc.trend_points(values, length).tolist() == [bool(x) for x in expected]


@pytest.mark.parametrize("close, sides, expected", [
    # ptd_two_in_three with ptd_part_of_two_in_three (test-ptd_calculate_point_type.R)
    ([], [], []),
    ([0, 0, 0], [1, 1, 1], [0, 0, 0]),
    ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
    ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
    ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
    ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
    ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
    ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
    ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
    ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ([1, 1], [1, 1], [0, 0]),  # two points are not two of three
])
def test_two_in_three_points(close, sides, expected):
    assert spc.two_in_three_points(close, sides).tolist() == [bool(x) for x in expected]


ALTERNATING = [8, 16] * 10
"""Points alternating either side of the mean, well within the limits: nothing but common cause."""


@pytest.mark.parametrize("values, rule, flagged", [
    ([8, 16] * 6 + [60] + [16, 8] * 2, spc.OUTSIDE_LIMITS, [12]),
    (ALTERNATING + [31, 16, 31], spc.TWO_IN_THREE, [20, 22]),
    ([12, 10] * 4 + [11.5, 11.6, 11.7, 11.5, 11.6, 11.7, 11.5] + [10, 12, 10], spc.SHIFT_RULE, list(range(8, 15))),
    ([10, 12] * 3 + [9, 9.5, 10, 10.5, 11, 11.5, 12] + [10, 12], spc.TREND_RULE, list(range(6, 13))),
])
def test_each_rule_flags_its_points_alone(values, rule, flagged):
    drawn = chart(values)
    assert drawn.index[drawn.rule != ""].tolist() == flagged
    assert set(drawn.rule[flagged]) == {rule}
    assert (drawn.point_type[flagged] == spc.IMPROVEMENT).all()
    assert (drawn.drop(index=flagged).point_type == spc.COMMON_CAUSE).all()


def test_shift_of_six_is_an_option():
    values = [12, 10] * 4 + [11.5, 11.6, 11.7, 11.5, 11.6, 11.7] + [10, 12, 10]
    assert (chart(values).rule == "").all()
    assert chart(values, shift=6).rule.tolist()[8:14] == [spc.SHIFT_RULE] * 6


def test_a_falling_trend_above_the_mean_is_concern_when_higher_is_better():
    # ptd_special_cause_type: a trend's direction is its steps', whichever side of the mean its points lie
    drawn = chart([10, 12] * 3 + [12, 11.5, 11, 10.5, 10, 9.5, 9] + [10, 12])
    assert drawn.point_type[6:13].tolist() == [spc.CONCERN] * 7
    assert chart([10, 12] * 3 + [12, 11.5, 11, 10.5, 10, 9.5, 9] + [10, 12],
                 improvement=spc.DECREASE).point_type[6:13].tolist() == [spc.IMPROVEMENT] * 7


def test_outside_the_limits_outranks_the_other_rules():
    drawn = chart([8, 16] * 6 + [60] + [16, 8] * 2)
    assert drawn.rule[12] == spc.OUTSIDE_LIMITS


@pytest.mark.parametrize("improvement, high, low", [
    (spc.INCREASE, spc.IMPROVEMENT, spc.CONCERN),
    (spc.DECREASE, spc.CONCERN, spc.IMPROVEMENT),
    (spc.NEUTRAL, spc.NEUTRAL_HIGH, spc.NEUTRAL_LOW),
])
def test_improvement_direction_names_high_and_low_points(improvement, high, low):
    high_chart = chart([8, 16] * 6 + [60] + [16, 8] * 2, improvement=improvement)
    low_chart = chart([8, 16] * 6 + [-40] + [16, 8] * 2, improvement=improvement)
    assert high_chart.point_type[12] == high and low_chart.point_type[12] == low
    assert spc.variation(chart([8, 16] * 6 + [60], improvement=improvement)) == high


def test_variation_is_the_latest_points_type():
    assert spc.variation(chart([8, 16] * 6 + [60] + [16, 8] * 2)) == spc.COMMON_CAUSE
    assert spc.variation(chart([])) is None


@pytest.mark.parametrize("target, improvement, expected", [
    # ptd_calculate_assurance_type: the latest limits against the target
    (5, spc.INCREASE, spc.CONSISTENT_FAIL),
    (-5, spc.INCREASE, spc.CONSISTENT_PASS),
    (0.5, spc.INCREASE, spc.INCONSISTENT),
    (5, spc.DECREASE, spc.CONSISTENT_PASS),
    (-5, spc.DECREASE, spc.CONSISTENT_FAIL),
    (0.5, spc.DECREASE, spc.INCONSISTENT),
    (5, spc.NEUTRAL, None),
    (None, spc.INCREASE, spc.NO_TARGET),
])
def test_assurance_against_a_target(target, improvement, expected):
    assert spc.assurance(chart(RNORM_123, improvement=improvement), target, improvement) == expected


def test_assurance_reads_the_latest_limits_after_a_rebase():
    values = [10, 11] * 6 + [30, 31] * 6
    drawn = chart(values, rebase_at=[13])
    assert spc.assurance(drawn, 20, spc.INCREASE) == spc.CONSISTENT_PASS
    assert spc.assurance(chart(values), 20, spc.INCREASE) == spc.INCONSISTENT


@pytest.mark.parametrize("points, trial", [(11, True), (12, False)])
def test_fewer_than_12_points_have_trial_limits(points, trial):
    assert chart(RNORM_123[:points]).trial_limits.tolist() == [trial] * points


def test_rebase_groups_start_at_recorded_periods_only():
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert spc.rebase_groups(quarters, ["2025-Q3"]).tolist() == [0, 0, 1, 1]
    assert spc.rebase_groups(quarters, ["2024-Q2"]).tolist() == [0, 0, 0, 0]
    drawn = chart(RNORM_123, rebase_at=[15])
    assert drawn.trial_limits.tolist() == [False] * 14 + [True] * 6


def test_fixed_limits_come_from_the_baseline_points():
    drawn = chart(RNORM_123, fix_after=12)
    baseline = np.array(RNORM_123[:12])
    assert drawn["mean"].iloc[0] == pytest.approx(baseline.mean())
    assert drawn.upper.iloc[-1] == pytest.approx(baseline.mean() + 2.66 * np.abs(np.diff(baseline)).mean())


def test_missing_values_are_left_out_of_the_chart():
    values = pd.Series([1.0, np.nan, 3.0, 2.0], index=["a", "b", "c", "d"])
    drawn = spc.spc(values)
    assert drawn.period.tolist() == ["a", "c", "d"]
    assert drawn["mean"].iloc[0] == pytest.approx(2.0)


def test_unknown_improvement_direction_is_refused():
    with pytest.raises(ValueError, match="improvement"):
        chart(RNORM_123, improvement="up")


def test_a_point_where_one_trend_turns_into_another_takes_the_later_trends_direction():
    # ptd_special_cause_type: "if a point is part of a trend either side, use right side"
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    directions = spc.trend_directions(values, spc.trend_points(values))
    assert directions.tolist() == [1] * 6 + [-1] * 7
