"""Confidence intervals, funnel limits and benchmark verdicts, following the PHE/OHID Fingertips methods.

One pure function per method, each naming the published method it implements (in the style of
PHEindicatormethods), so every interval the dashboard draws can be checked against Fingertips.
Interval functions accept scalars, numpy arrays or pandas Series and answer in kind:
floats for scalars, arrays for arrays, Series (on the input's index) for Series.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

SIGNIFICANTLY_BELOW = "significantly below the benchmark"
SIGNIFICANTLY_ABOVE = "significantly above the benchmark"
NO_EVIDENCE_OF_DIFFERENCE = "no evidence of a difference"
TOO_FEW_TO_SAY = "too few to say"
VERDICTS = (SIGNIFICANTLY_BELOW, NO_EVIDENCE_OF_DIFFERENCE, SIGNIFICANTLY_ABOVE, TOO_FEW_TO_SAY)

BYAR_FROM_COUNT = 10
"""Fingertips uses exact Poisson limits below this count and Byar's approximation from it up."""


def z_for(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level: 0.95 gives 1.96, 0.998 gives 3.09 (PHE's '2 and 3 sigma')."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return float(norm.ppf(0.5 + confidence / 2))


def _answer_in_kind(values: np.ndarray, *inputs):
    """Return a float for scalar inputs, a Series on the first Series input's index, else the array itself."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(values, index=item.index)
    return float(values) if np.ndim(values) == 0 else values


def wilson_interval(numerator, denominator, confidence: float = 0.95):
    """Wilson score interval for a proportion (Wilson 1927; Newcombe 1998 method 3), as Fingertips uses for proportions.

    Chosen over the Wald interval because it stays inside [0, 1] and behaves at 0 and n,
    which matters for the small counts of a single partnership. The lower limit is exactly 0
    when the numerator is 0 and the upper limit exactly 1 when it equals the denominator;
    a denominator of 0 gives (nan, nan).
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("numerators must lie between 0 and their denominator")
    z = z_for(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, x / n, np.nan)
        centre = 2 * x + z**2
        spread = z * np.sqrt(z**2 + 4 * x * (1 - share))
        scale = 2 * (n + z**2)
        lower = np.where(x == 0, 0.0, np.clip((centre - spread) / scale, 0, 1))
        upper = np.where(x == n, 1.0, np.clip((centre + spread) / scale, 0, 1))
    empty = ~(n > 0)
    lower, upper = np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)
    return _answer_in_kind(lower, numerator, denominator), _answer_in_kind(upper, numerator, denominator)


def byar_rate_interval(count, population, per: int = 10_000, confidence: float = 0.95):
    """Confidence interval for a crude rate per `per` population, computed as Fingertips and phe_rate do.

    Byar's approximation to the Poisson limits (Breslow and Day 1987) for counts of 10 or more;
    below 10, where Byar's is least accurate, the exact Poisson limits from the chi-square distribution.
    A count of 0 therefore has a lower limit of exactly 0. A population of 0 gives (nan, nan).
    """
    observed = np.asarray(count, dtype=float)
    people = np.asarray(population, dtype=float)
    if np.any(observed < 0):
        raise ValueError("counts must not be negative")
    z = z_for(confidence)
    tail = (1 - confidence) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lower = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
        byar_upper = (observed + 1) * (1 - 1 / (9 * (observed + 1)) + z / (3 * np.sqrt(observed + 1))) ** 3
        exact_lower = np.where(observed > 0, chi2.ppf(tail, 2 * observed) / 2, 0.0)
        exact_upper = chi2.ppf(1 - tail, 2 * observed + 2) / 2
        use_byar = observed >= BYAR_FROM_COUNT
        per_person = np.where(people > 0, per / people, np.nan)
        lower = np.where(use_byar, byar_lower, exact_lower) * per_person
        upper = np.where(use_byar, byar_upper, exact_upper) * per_person
    return _answer_in_kind(lower, count, population), _answer_in_kind(upper, count, population)


def funnel_limits_proportion(target: float, denominators, levels=(0.95, 0.998)) -> pd.DataFrame:
    """Control limits for a proportion funnel plot around a benchmark share (Spiegelhalter 2005), as on Fingertips.

    Uses the normal approximation with the benchmark's own variance, target ± z·sqrt(target·(1 − target)/n),
    clipped to [0, 1]: the closed form PHEindicatormethods computes (sigma_adjustment). It is exactly the
    set of observed shares whose Wilson interval contains the target, so a point outside the funnel at a
    level always gets a "significantly" verdict from compare_to_benchmark at that confidence, and vice versa.
    Returns one row per level and denominator, with columns denominator, level, lower, upper.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a share between 0 and 1, got {target!r}")
    sizes = np.asarray(denominators)
    if np.any(sizes <= 0):
        raise ValueError("funnel denominators must be positive")
    bands = []
    for level in levels:
        half_width = z_for(level) * np.sqrt(target * (1 - target) / sizes)
        bands.append(
            pd.DataFrame(
                {
                    "denominator": sizes,
                    "level": level,
                    "lower": np.clip(target - half_width, 0, 1),
                    "upper": np.clip(target + half_width, 0, 1),
                }
            )
        )
    return pd.concat(bands, ignore_index=True)


def compare_to_benchmark(numerator, denominator, benchmark: float, confidence: float = 0.95) -> str:
    """Plain-English verdict on a share against a benchmark share, from whether its Wilson interval excludes it.

    A zero or missing denominator, or a missing (e.g. suppressed) numerator, gives TOO_FEW_TO_SAY.
    """
    if pd.isna(numerator) or pd.isna(denominator) or denominator <= 0:
        return TOO_FEW_TO_SAY
    lower, upper = wilson_interval(numerator, denominator, confidence)
    if upper < benchmark:
        return SIGNIFICANTLY_BELOW
    if lower > benchmark:
        return SIGNIFICANTLY_ABOVE
    return NO_EVIDENCE_OF_DIFFERENCE
