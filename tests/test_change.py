"""Changes between periods: Newcombe's published examples and an exact interval from scipy's own binomial test."""
from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from cseboard.methods import change


@pytest.mark.parametrize("counts, published", [
    ((56, 70, 48, 80), (0.0524, 0.3339)),  # Newcombe (1998), Table II, example (a), method 10
    ((9, 10, 3, 10), (0.1705, 0.8090)),    # example (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),      # example (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),   # example (d)
])
def test_share_difference_interval_reproduces_newcombes_examples(counts, published):
    lower, upper = change.share_difference_interval(*counts)
    assert (round(lower, 4), round(upper, 4)) == published


@pytest.mark.parametrize("current, previous", [(245, 190), (20, 35), (5, 0), (0, 5), (1, 1), (300, 300)])
def test_rate_ratio_interval_is_the_exact_binomial_interval_as_odds(current, previous):
    interval = binomtest(current, current + previous, 0.5).proportion_ci(confidence_level=0.95, method="exact")
    odds = [math.inf if p >= 1 else p / (1 - p) for p in (interval.low, interval.high)]
    assert change.rate_ratio_interval(current, previous) == pytest.approx(odds)


@pytest.mark.parametrize("interval, no_change, verdict", [
    ((1.06, 1.57), 1, change.ROSE),
    ((0.40, 0.95), 1, change.FELL),
    ((0.90, 1.20), 1, change.WITHIN_CHANCE),
    ((-0.04, 0.19), 0, change.WITHIN_CHANCE),
    ((0.05, 0.33), 0, change.ROSE),
    ((math.nan, math.nan), 0, change.TOO_FEW),
])
def test_change_verdict_reads_the_interval_against_no_change(interval, no_change, verdict):
    assert change.change_verdict(*interval, no_change) == verdict


@pytest.mark.parametrize("arguments", [(0, 0), (math.nan, 4), (None, 4)])
def test_rate_ratio_interval_of_nothing_is_not_a_number(arguments):
    assert all(math.isnan(limit) for limit in change.rate_ratio_interval(*arguments))


@pytest.mark.parametrize("arguments", [(1, 0, 1, 2), (1, 2, math.nan, 2), (1, 2, 1, 0)])
def test_share_difference_without_a_base_is_not_a_number(arguments):
    assert all(math.isnan(limit) for limit in change.share_difference_interval(*arguments))
