"""Statistical process control in NHS England's "Making Data Count" style, as NHSRplotthedots computes it.

One pure function per step of NHSRplotthedots' ptd_spc (R, NHS-R Community; R/ptd_spc_standard.R,
R/ptd_calculate_point_type.R, R/ptd_calculate_assurance_type.R, R/ptd_add_short_group_warnings.R), so a board
reading these charts reads the same signals an NHS board would:

- XmR limits: the mean, and the mean moving range (moving ranges of 3.267 times their mean or more are screened
  out and the mean taken again); process limits at mean +/- 2.66 x mean moving range (3 sigma), and 2 sigma at
  two thirds of that.
- Special cause: a point outside the limits; two of three consecutive points between 2 and 3 sigma, all three on
  the same side of the mean (a point outside the limits does not count as "close"); a shift of 7 points on one side
  of the mean; a trend of 7 points each rising (or each falling). Shift and trend lengths are options (6 is also
  used by some Making Data Count guidance); 7 and 7 are NHSRplotthedots' rules.
- Each special-cause point is improvement or concern by the measure's improvement direction (neither when neutral);
  the chart's variation is its last point's type.
- Assurance against a target from the latest limits: a target outside them is consistently passed or failed, one
  inside them is hit and missed.
- Rebasing starts new limits at dates the user records; a group of fewer than 12 points has trial limits.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT_SIGMAS = 2.66
"""3 sigma for an individuals chart: 3 / d2 with d2 = 1.128 for moving ranges of two points."""
MOVING_RANGE_SCREEN = 3.267
"""D4 for n = 2: a moving range at or above 3.267 x the mean moving range is an outlier, left out of the mean."""
SHIFT, TREND = 7, 7
"""NHSRplotthedots' run lengths: 7 points on one side of the mean; 7 points each rising or each falling."""
TRIAL_BELOW = 12
"""NHSRplotthedots warns that limits from fewer than 12 points are trial limits."""

INCREASE, DECREASE, NEUTRAL = "increase", "decrease", "neutral"
DIRECTIONS = {INCREASE: 1, DECREASE: -1, NEUTRAL: 0}

OUTSIDE_LIMITS, TREND_RULE = "outside the limits", "trend"
TWO_IN_THREE, SHIFT_RULE = "two of three close to a limit", "shift"
COMMON_CAUSE = "common_cause"
IMPROVEMENT, CONCERN = "special_cause_improvement", "special_cause_concern"
NEUTRAL_HIGH, NEUTRAL_LOW = "special_cause_neutral_high", "special_cause_neutral_low"
VARIATION_WORDS = {
    COMMON_CAUSE: "common cause variation",
    IMPROVEMENT: "special cause: improvement",
    CONCERN: "special cause: concern",
    NEUTRAL_HIGH: "special cause: higher (neutral)",
    NEUTRAL_LOW: "special cause: lower (neutral)",
}
CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT = "consistent_pass", "consistent_fail", "inconsistent"
NO_TARGET = "no_target"
ASSURANCE_WORDS = {
    CONSISTENT_PASS: "consistently passes the target",
    CONSISTENT_FAIL: "consistently fails the target",
    INCONSISTENT: "passes or fails the target by chance",
    NO_TARGET: "no target set",
}


@dataclass(frozen=True)
class Limits:
    """One group's XmR centre line and limits: mean, mean moving range after screening, and the lines drawn."""

    mean: float
    mean_moving_range: float

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_SIGMAS * self.mean_moving_range

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_SIGMAS * self.mean_moving_range

    @property
    def lower_two_sigma(self) -> float:
        return self.mean - 2 * LIMIT_SIGMAS / 3 * self.mean_moving_range

    @property
    def upper_two_sigma(self) -> float:
        return self.mean + 2 * LIMIT_SIGMAS / 3 * self.mean_moving_range


def xmr_limits(values: Sequence[float], fix_after: int | None = None, screen_outliers: bool = True) -> Limits:
    """Mean and mean moving range of one group (ptd_spc_standard): the baseline is the first fix_after points, if set."""
    baseline = np.asarray(values, dtype=float)[:fix_after]
    moving_ranges = np.abs(np.diff(baseline))
    if screen_outliers and moving_ranges.size:
        moving_ranges = moving_ranges[moving_ranges < MOVING_RANGE_SCREEN * moving_ranges.mean()]
    mean_moving_range = float(moving_ranges.mean()) if moving_ranges.size else float("nan")
    return Limits(float(baseline.mean()), mean_moving_range)


def rebase_groups(periods: Sequence, rebase_at: Sequence = ()) -> np.ndarray:
    """Group number of each point: a new group starts at each recorded rebase period that is in the series."""
    starts = np.isin(np.asarray(periods, dtype=object), np.asarray(list(rebase_at), dtype=object))
    return np.cumsum(starts)


def shift_points(sides: Sequence[int], length: int = SHIFT) -> np.ndarray:
    """Points in a run of length or more on one side of the mean (ptd_seven_point_one_side_mean); 0 breaks a run."""
    sides = np.asarray(sides)
    return _in_runs(sides != 0, sides, length)


def trend_points(values: Sequence[float], length: int = TREND) -> np.ndarray:
    """Points in a run of length or more, each higher (or each lower) than the one before (ptd_seven_point_trend).

    A repeated value breaks a trend. The run's first point counts, so length points make length - 1 steps.
    """
    values = np.asarray(values, dtype=float)
    steps = np.sign(np.diff(values))
    flagged = np.zeros(len(values), dtype=bool)
    if len(steps):
        in_step_runs = _in_runs(steps != 0, steps, length - 1)
        flagged[1:] |= in_step_runs
        flagged[:-1] |= in_step_runs
    return flagged


def _in_runs(eligible: np.ndarray, keys: np.ndarray, length: int) -> np.ndarray:
    """Positions in a run of at least length consecutive eligible positions sharing one key."""
    flagged = np.zeros(len(keys), dtype=bool)
    start = 0
    for end in range(1, len(keys) + 1):
        if end == len(keys) or not eligible[end] or keys[end] != keys[start] or not eligible[start]:
            if eligible[start] and end - start >= length:
                flagged[start:end] = True
            start = end
    return flagged


def two_in_three_points(close: Sequence[bool], sides: Sequence[int]) -> np.ndarray:
    """Points close to a limit (2 to 3 sigma) that are two of three consecutive such points, all three on one side
    of the mean (ptd_two_in_three and ptd_part_of_two_in_three)."""
    close, sides = np.asarray(close, dtype=bool), np.asarray(sides)
    flagged = np.zeros(len(close), dtype=bool)
    for start in range(len(close) - 2):
        window = slice(start, start + 3)
        if close[window].sum() >= 2 and abs(sides[window].sum()) == 3:
            flagged[window] |= close[window]
    return flagged


def trend_directions(values: Sequence[float], in_trend: np.ndarray) -> np.ndarray:
    """Which way each trend point moves (+1 up, -1 down): its step from the point before, or, for a trend's first
    point (and a point between two trends), its step to the next point (ptd_special_cause_type)."""
    steps = np.sign(np.diff(np.asarray(values, dtype=float)))
    if not steps.size:
        return np.zeros(len(in_trend))
    from_before, to_next = np.r_[0, steps], np.r_[steps, steps[-1]]
    return np.where(in_trend & np.r_[in_trend[1:], False], to_next, from_before)


def special_causes(values: Sequence[float], limits: Limits, shift: int = SHIFT,
                   trend: int = TREND) -> tuple[np.ndarray, np.ndarray]:
    """Each point's special-cause rule (first that applies: outside the limits, trend, two of three, shift; "" for
    none) and its direction (+1 high or rising, -1 low or falling), as ptd_special_cause_type orders them."""
    values = np.asarray(values, dtype=float)
    sides = np.sign(values - limits.mean).astype(int)
    outside = (values > limits.upper) | (values < limits.lower)
    close = ~outside & ((values < limits.lower_two_sigma) | (values > limits.upper_two_sigma))
    in_trend = trend_points(values, trend)
    rules = np.select([outside, in_trend, two_in_three_points(close, sides), shift_points(sides, shift)],
                      [OUTSIDE_LIMITS, TREND_RULE, TWO_IN_THREE, SHIFT_RULE], "")
    directions = np.where(rules == TREND_RULE, trend_directions(values, in_trend), sides)
    return rules, np.where(rules == "", 0, directions)


def point_types(rules: np.ndarray, directions: np.ndarray, improvement: str = INCREASE) -> np.ndarray:
    """Each point's type by the measure's improvement direction (ptd_point_type): improvement, concern, or neither."""
    direction = DIRECTIONS[improvement]
    if direction == 0:
        special = np.where(directions > 0, NEUTRAL_HIGH, NEUTRAL_LOW)
    else:
        special = np.where(directions * direction > 0, IMPROVEMENT, CONCERN)
    return np.where((rules == "") | (directions == 0), COMMON_CAUSE, special)


def spc(values: pd.Series, improvement: str = INCREASE, rebase_at: Sequence = (), fix_after: int | None = None,
        shift: int = SHIFT, trend: int = TREND, screen_outliers: bool = True) -> pd.DataFrame:
    """An XmR chart of a series indexed by period, one row per point with a value (missing values are left out).

    Columns: period, value, group (0, then 1 from the first rebase...), mean, lower, upper, lower_two_sigma,
    upper_two_sigma, rule (the special-cause rule met, "" for none), point_type, trial_limits (fewer than 12 points).
    """
    if improvement not in DIRECTIONS:
        raise ValueError(f"improvement must be one of {', '.join(DIRECTIONS)}, got {improvement!r}")
    shown = values.dropna()
    groups = rebase_groups(shown.index, rebase_at)
    rows = []
    for group in np.unique(groups):
        part = shown[groups == group]
        limits = xmr_limits(part.to_numpy(), fix_after, screen_outliers)
        rules, directions = special_causes(part.to_numpy(), limits, shift, trend)
        rows.append(pd.DataFrame({
            "period": part.index, "value": part.to_numpy(dtype=float), "group": int(group), "mean": limits.mean,
            "lower": limits.lower, "upper": limits.upper, "lower_two_sigma": limits.lower_two_sigma,
            "upper_two_sigma": limits.upper_two_sigma, "rule": rules,
            "point_type": point_types(rules, directions, improvement),
            "trial_limits": len(part) < TRIAL_BELOW}))
    columns = ["period", "value", "group", "mean", "lower", "upper", "lower_two_sigma", "upper_two_sigma",
               "rule", "point_type", "trial_limits"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def variation(chart: pd.DataFrame) -> str | None:
    """The chart's variation icon: its latest point's type (summary.ptd_spc_df); None for an empty chart."""
    return None if chart.empty else str(chart.point_type.iloc[-1])


def assurance(chart: pd.DataFrame, target: float | None, improvement: str = INCREASE) -> str | None:
    """Whether the latest limits say the target will be met (ptd_calculate_assurance_type); None when not judged."""
    if chart.empty or improvement == NEUTRAL:
        return None
    if target is None:
        return NO_TARGET
    latest = chart.iloc[-1]
    increasing = improvement == INCREASE
    if target > latest.upper:
        return CONSISTENT_FAIL if increasing else CONSISTENT_PASS
    if target < latest.lower:
        return CONSISTENT_PASS if increasing else CONSISTENT_FAIL
    return INCONSISTENT
