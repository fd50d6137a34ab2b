"""Tests for cseboard.stats against published values and independent scipy calculations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import binomtest, poisson

from cseboard.methods.stats import (
    NO_EVIDENCE_OF_DIFFERENCE,
    SIGNIFICANTLY_ABOVE,
    SIGNIFICANTLY_BELOW,
    TOO_FEW_TO_SAY,
    VERDICTS,
    byar_rate_interval,
    compare_to_benchmark,
    funnel_limits_proportion,
    wilson_interval,
    z_for,
)


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.95, 1.959964), (0.998, 3.090232), (0.99, 2.575829), (0.9, 1.644854)],
)
def test_z_for_matches_normal_tables(confidence, expected):
    assert z_for(confidence) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_z_for_rejects_levels_outside_zero_to_one(confidence):
    with pytest.raises(ValueError):
        z_for(confidence)


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
@pytest.mark.parametrize(
    ("numerator", "denominator", "lower", "upper"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_published_values(numerator, denominator, lower, upper):
    assert wilson_interval(numerator, denominator) == pytest.approx((lower, upper), abs=5e-5)


@pytest.mark.parametrize(
    ("numerator", "denominator", "confidence"),
    [(3, 7, 0.95), (50, 51, 0.95), (120, 4000, 0.95), (2, 5, 0.998), (640, 1000, 0.998), (1, 1, 0.9)],
)
def test_wilson_matches_scipy_binomtest(numerator, denominator, confidence):
    expected = binomtest(numerator, denominator).proportion_ci(confidence_level=confidence, method="wilson")
    interval = wilson_interval(numerator, denominator, confidence)
    assert interval == pytest.approx((expected.low, expected.high), abs=1e-12)


@pytest.mark.parametrize("denominator", [1, 4, 263])
def test_wilson_is_exactly_zero_at_zero_and_one_at_n(denominator):
    assert wilson_interval(0, denominator)[0] == 0.0
    assert wilson_interval(denominator, denominator)[1] == 1.0


def test_wilson_of_zero_denominator_is_missing():
    lower, upper = wilson_interval(0, 0)
    assert math.isnan(lower) and math.isnan(upper)


def test_wilson_answers_arrays_and_series_in_kind():
    lower, upper = wilson_interval(np.array([81, 0, 0]), np.array([263, 20, 0]))
    assert isinstance(lower, np.ndarray)
    assert lower[:2] == pytest.approx([0.2553, 0.0], abs=5e-5)
    assert np.isnan(lower[2]) and np.isnan(upper[2])
    numerators = pd.Series([81, 15], index=["north", "south"])
    lower, upper = wilson_interval(numerators, pd.Series([263, 148], index=["north", "south"]))
    assert list(upper.index) == ["north", "south"]
    assert upper.to_numpy() == pytest.approx([0.3662, 0.1605], abs=5e-5)


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 10), (11, 10), (1, 0)])
def test_wilson_rejects_impossible_proportions(numerator, denominator):
    with pytest.raises(ValueError):
        wilson_interval(numerator, denominator)


def exact_poisson_limits(count: int, confidence: float) -> tuple[float, float]:
    """Garwood's exact Poisson limits, found by solving the Poisson tail equations directly."""
    tail = (1 - confidence) / 2
    lower = 0.0 if count == 0 else brentq(lambda mean: poisson.sf(count - 1, mean) - tail, 1e-12, 10 * count + 50)
    upper = brentq(lambda mean: poisson.cdf(count, mean) - tail, 1e-12, 10 * count + 50)
    return lower, upper


@pytest.mark.parametrize("count", range(10))
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_byar_below_ten_is_the_exact_poisson_interval(count, confidence):
    assert byar_rate_interval(count, 1, per=1, confidence=confidence) == pytest.approx(
        exact_poisson_limits(count, confidence), rel=1e-8, abs=1e-12
    )


# Byar's approximation agrees with the exact interval to within 0.2% at 95% and 1.5% at 99.8% from 10 up.
@pytest.mark.parametrize("count", [10, 11, 15, 25, 65, 100, 289, 1000, 4999])
@pytest.mark.parametrize(("confidence", "tolerance"), [(0.95, 0.002), (0.998, 0.015)])
def test_byar_from_ten_is_within_tolerance_of_exact_poisson(count, confidence, tolerance):
    assert byar_rate_interval(count, 1, per=1, confidence=confidence) == pytest.approx(
        exact_poisson_limits(count, confidence), rel=tolerance
    )


def test_byar_of_zero_count_has_lower_limit_zero_and_the_rule_of_3_69_upper():
    assert byar_rate_interval(0, 10_000) == pytest.approx((0.0, 3.688879), abs=1e-6)


def test_byar_scales_to_rate_per_population():
    count_lower, count_upper = byar_rate_interval(65, 1, per=1)
    assert byar_rate_interval(65, 52_000, per=10_000) == pytest.approx(
        (count_lower / 52_000 * 10_000, count_upper / 52_000 * 10_000)
    )


def test_byar_of_zero_population_is_missing_and_arrays_work():
    lower, upper = byar_rate_interval(np.array([0, 12, 3]), np.array([1000, 1000, 0]))
    assert lower[:2] == pytest.approx([0.0, byar_rate_interval(12, 1000)[0]])
    assert np.isnan(lower[2]) and np.isnan(upper[2])


def test_byar_rejects_negative_counts():
    with pytest.raises(ValueError):
        byar_rate_interval(-1, 100)


def test_funnel_matches_normal_approximation_worked_value():
    limits = funnel_limits_proportion(0.5, [100], levels=(0.95,))
    assert limits[["lower", "upper"]].iloc[0].tolist() == pytest.approx([0.402002, 0.597998], abs=1e-6)
    assert list(limits.columns) == ["denominator", "level", "lower", "upper"]


@pytest.mark.parametrize("target", [0.02, 0.18, 0.5, 0.93])
def test_funnel_contains_target_narrows_with_n_and_widens_with_level(target):
    sizes = np.arange(1, 3001)
    limits = funnel_limits_proportion(target, sizes)
    for _, band in limits.groupby("level"):
        assert (band["lower"] <= target).all() and (band["upper"] >= target).all()
        assert (band["lower"].between(0, 1) & band["upper"].between(0, 1)).all()
        assert (np.diff(band["lower"]) >= 0).all() and (np.diff(band["upper"]) <= 0).all()
    inner, outer = (band.reset_index(drop=True) for _, band in limits.groupby("level"))
    assert (outer["lower"] <= inner["lower"]).all() and (outer["upper"] >= inner["upper"]).all()


@pytest.mark.parametrize("target", [0.1, 0.35, 0.8])
@pytest.mark.parametrize("size", [12, 263, 5000])
def test_funnel_limits_are_where_the_wilson_interval_touches_the_target(target, size):
    limits = funnel_limits_proportion(target, [size]).iloc
    for row in (0, 1):
        level, lower, upper = limits[row]["level"], limits[row]["lower"], limits[row]["upper"]
        if upper < 1:
            assert wilson_interval(upper * size, size, level)[0] == pytest.approx(target, abs=1e-9)
        if lower > 0:
            assert wilson_interval(lower * size, size, level)[1] == pytest.approx(target, abs=1e-9)


@pytest.mark.parametrize(("target", "sizes"), [(1.2, [10]), (0.3, [0, 10]), (0.3, [-5])])
def test_funnel_rejects_impossible_inputs(target, sizes):
    with pytest.raises(ValueError):
        funnel_limits_proportion(target, sizes)


@pytest.mark.parametrize(
    ("numerator", "denominator", "benchmark", "verdict"),
    [
        (81, 263, 0.20, SIGNIFICANTLY_ABOVE),
        (81, 263, 0.45, SIGNIFICANTLY_BELOW),
        (81, 263, 0.30, NO_EVIDENCE_OF_DIFFERENCE),
        (0, 20, 0.30, SIGNIFICANTLY_BELOW),
        (1, 2, 0.30, NO_EVIDENCE_OF_DIFFERENCE),
        (0, 0, 0.30, TOO_FEW_TO_SAY),
        (float("nan"), 40, 0.30, TOO_FEW_TO_SAY),
        (3, pd.NA, 0.30, TOO_FEW_TO_SAY),
    ],
)
def test_compare_to_benchmark_verdicts(numerator, denominator, benchmark, verdict):
    assert compare_to_benchmark(numerator, denominator, benchmark) == verdict
    assert verdict in VERDICTS


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(1, 2000),
    share=st.floats(0, 1),
    target=st.floats(0.01, 0.99),
    confidence=st.sampled_from([0.95, 0.998]),
)
def test_outside_the_funnel_exactly_when_the_verdict_is_significant(size, share, target, confidence):
    numerator = round(share * size)
    limits = funnel_limits_proportion(target, [size], levels=(confidence,)).iloc[0]
    observed = numerator / size
    if abs(observed - limits["lower"]) < 1e-9 or abs(observed - limits["upper"]) < 1e-9:
        return  # exactly on a limit: either answer is a rounding question
    outside = observed < limits["lower"] or observed > limits["upper"]
    verdict = compare_to_benchmark(numerator, size, target, confidence)
    assert outside == (verdict in (SIGNIFICANTLY_BELOW, SIGNIFICANTLY_ABOVE))
