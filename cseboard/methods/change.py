"""Whether a change between two periods is more than chance: one function per published method.

The board is told what changed against the last quarter and the same quarter a year before, and whether the change
is more than chance would give. Counts are compared as two Poisson counts over equal time (the exact conditional
test: given the total, the later count is binomial with p = 1/2 when nothing changed; the Clopper-Pearson interval of
p gives the rate ratio's interval). Shares are compared by the difference of two proportions with Newcombe's hybrid
score interval (Newcombe 1998, method 10), built from the Wilson intervals Fingertips uses for each share.
"""
from __future__ import annotations

import math

from scipy.stats import beta

from cseboard.methods.stats import wilson_interval

ROSE = "a rise beyond what chance would give"
FELL = "a fall beyond what chance would give"
WITHIN_CHANCE = "within what chance would give"
TOO_FEW = "too few to judge"
CHANGE_VERDICTS = (ROSE, FELL, WITHIN_CHANCE, TOO_FEW)


def rate_ratio_interval(current, previous, confidence: float = 0.95) -> tuple[float, float]:
    """Exact interval of the ratio of two Poisson counts over equal time (conditional binomial, Clopper-Pearson).

    (nan, nan) when either count is missing or both are 0.
    """
    if _missing(current) or _missing(previous) or current + previous <= 0:
        return math.nan, math.nan
    alpha = 1 - confidence
    low_p = 0.0 if current == 0 else float(beta.ppf(alpha / 2, current, previous + 1))
    high_p = 1.0 if previous == 0 else float(beta.ppf(1 - alpha / 2, current + 1, previous))
    return _odds(low_p), _odds(high_p)


def share_difference_interval(numerator, denominator, earlier_numerator, earlier_denominator,
                              confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a difference of two proportions (later minus earlier), as fractions.

    (nan, nan) when either share has no denominator or a missing count.
    """
    counts = (numerator, denominator, earlier_numerator, earlier_denominator)
    if any(_missing(value) for value in counts) or denominator <= 0 or earlier_denominator <= 0:
        return math.nan, math.nan
    later, earlier = numerator / denominator, earlier_numerator / earlier_denominator
    later_low, later_high = wilson_interval(numerator, denominator, confidence)
    earlier_low, earlier_high = wilson_interval(earlier_numerator, earlier_denominator, confidence)
    difference = later - earlier
    lower = difference - math.sqrt((later - later_low) ** 2 + (earlier_high - earlier) ** 2)
    upper = difference + math.sqrt((later_high - later) ** 2 + (earlier - earlier_low) ** 2)
    return lower, upper


def change_verdict(lower: float, upper: float, no_change: float) -> str:
    """ROSE or FELL when the interval excludes no change (1 for a ratio, 0 for a difference), else WITHIN_CHANCE."""
    if math.isnan(lower) or math.isnan(upper):
        return TOO_FEW
    if lower > no_change:
        return ROSE
    if upper < no_change:
        return FELL
    return WITHIN_CHANCE


def _odds(probability: float) -> float:
    """The rate ratio from the conditional probability that a record falls in the later period."""
    return math.inf if probability >= 1 else probability / (1 - probability)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
