"""Disproportionality (methods/disproportionality): shares, RRI against the rest, Katz interval, verdicts."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cseboard.methods import disproportionality as dp

Z95 = 1.959963984540054


def test_rri_and_its_log_normal_interval_by_hand():
    table = dp.relative_rates(pd.Series({"A": 50, "B": 100}), pd.Series({"A": 10_000, "B": 40_000}))
    a = table.loc["A"]
    spread = Z95 * math.sqrt(1 / 50 - 1 / 10_000 + 1 / 100 - 1 / 40_000)
    assert a.rri == pytest.approx(2.0)
    assert (a.lower, a.upper) == pytest.approx((2 * math.exp(-spread), 2 * math.exp(spread)))
    assert a.share_referred == pytest.approx(100 * 50 / 150) and a.share_population == pytest.approx(20.0)
    assert a.rate == pytest.approx(50.0)
    assert a.verdict == dp.OVER and table.loc["B"].verdict == dp.UNDER
    assert table.loc["B"].rri == pytest.approx(0.5)


def test_no_difference_when_the_interval_spans_one():
    table = dp.relative_rates(pd.Series({"A": 22, "B": 78}), pd.Series({"A": 2_000, "B": 8_000}))
    assert set(table.verdict) == {dp.NO_DIFFERENCE}


@pytest.mark.parametrize("referred, population", [
    ({"A": 4, "B": 100}, {"A": 1_000, "B": 40_000}),  # too few referred in the group
    ({"A": 100, "B": 4}, {"A": 40_000, "B": 1_000}),  # too few in the rest (A's judgement needs them)
    ({"A": 5, "B": 100}, {"A": 20, "B": 400_000}),  # fewer than 5 expected from the group's population
])
def test_small_groups_are_too_small_to_judge(referred, population):
    table = dp.relative_rates(pd.Series(referred), pd.Series(population))
    assert table.loc["A"].verdict == dp.TOO_SMALL
    assert pd.isna(table.loc["A"].rri) and pd.isna(table.loc["A"].lower)


def test_groups_without_a_population_are_left_out_of_the_comparison():
    table = dp.relative_rates(pd.Series({"Male": 30, "Female": 60, "Not known": 10}),
                              pd.Series({"Male": 5_000, "Female": 5_000}))
    assert table.loc["Not known"].verdict == dp.NO_POPULATION
    assert pd.isna(table.loc["Not known"].share_referred)
    assert table.loc["Male"].share_referred == pytest.approx(100 * 30 / 90)
    assert table.loc["Male"].rri == pytest.approx(0.5)
