"""Disproportionality: is a group of children referred more or less often than its share of the child population?

For each group (a gender, an ethnic group, an age band) the rate of children referred per 10,000 children in the
group is compared with the rate among all other children in the same comparison: the relative rate index (RRI) is
their ratio, as D2I's disproportionality tool and the Youth Justice Board's RRI compare a group with the rest. Its
95% confidence interval is the log-normal (Katz) interval for a ratio of two proportions:

    log RRI +/- z * sqrt(1/a - 1/n + 1/b - 1/m)

with a children referred out of n in the group and b out of m in the rest. The interval needs enough children on
both sides: a group with fewer than MINIMUM_REFERRED children referred, or whose rest has fewer, or where fewer than
MINIMUM_REFERRED would be expected from its population share, is too small to judge.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cseboard.methods.stats import z_for

PER = 10_000
MINIMUM_REFERRED = 5
"""Below 5 referred (or expected) the log-normal interval is unreliable; such counts are also withheld on screen."""
OVER = "referred more often than other children"
UNDER = "referred less often than other children"
NO_DIFFERENCE = "no evidence of a difference from other children"
TOO_SMALL = "too small to judge"
NO_POPULATION = "no population figure"
VERDICTS = (OVER, NO_DIFFERENCE, UNDER, TOO_SMALL, NO_POPULATION)


def relative_rates(referred: pd.Series, population: pd.Series, confidence: float = 0.95) -> pd.DataFrame:
    """Shares, rates, RRI with its interval and a verdict for each group of one comparison (e.g. every ethnic group).

    referred: children referred per group; population: children resident per group, on the same index, missing
    where the partnership gave none. Groups without a population (e.g. gender not known) are left out of the
    shares and rates and say so; the comparison is between groups that have one.
    """
    referred = referred.astype(float)
    population = population.reindex(referred.index).astype(float)
    known = population.notna() & (population > 0)
    all_referred, all_population = referred[known].sum(), population[known].sum()
    rest_referred, rest_population = all_referred - referred, all_population - population
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = referred / population
        rri = rate / (rest_referred / rest_population)
        spread = z_for(confidence) * np.sqrt(1 / referred - 1 / population + 1 / rest_referred - 1 / rest_population)
    expected = all_referred * population / all_population
    judged = known & (referred >= MINIMUM_REFERRED) & (rest_referred >= MINIMUM_REFERRED) & (expected >= MINIMUM_REFERRED)
    lower, upper = (rri * np.exp(-spread)).where(judged), (rri * np.exp(spread)).where(judged)
    verdict = pd.Series(np.select([~known, ~judged, lower > 1, upper < 1], [NO_POPULATION, TOO_SMALL, OVER, UNDER],
                                  NO_DIFFERENCE), index=referred.index)
    return pd.DataFrame({
        "referred": referred,
        "share_referred": (100 * referred / all_referred).where(known),
        "population": population,
        "share_population": 100 * population / all_population,
        "rate": PER * rate.where(known),
        "rri": rri.where(judged),
        "lower": lower,
        "upper": upper,
        "verdict": verdict,
    })
