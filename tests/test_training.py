"""Training coverage: per-period crosstab protection, the gap to the target, and the titles."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cseboard.questions import training
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions.training import (AGENCY, ALL_AGENCIES, ALL_LEVELS, COVERAGE, GAP, IN_SCOPE, LEVEL, PERIOD, TO_TRAIN,
                               TRAINED)


def rows(*records) -> pd.DataFrame:
    """Rows of the training_coverage query: (period, agency, level, staff_in_scope, staff_trained)."""
    return pd.DataFrame(records, columns=["period", "agency", "level", "staff_in_scope", "staff_trained"])


TWO_PERIODS = rows(
    ("2025-Q1", "Police", "Awareness", 100, 80), ("2025-Q1", "Police", "Advanced", 50, 20),
    ("2025-Q1", "Health", "Awareness", 200, 190), ("2025-Q1", "Health", "Advanced", 40, 36),
    ("2025-Q2", "Police", "Awareness", 100, 95), ("2025-Q2", "Police", "Advanced", 50, 45),
    ("2025-Q2", "Health", "Awareness", 200, 150), ("2025-Q2", "Health", "Advanced", 40, 20),
)


def cell(coverage, period, agency, level):
    """The one row of a protected coverage table for a period, agency and level."""
    numbers = coverage.numeric
    chosen = numbers[(numbers[PERIOD] == period) & (numbers[AGENCY] == agency) & (numbers[LEVEL] == level)]
    assert len(chosen) == 1
    return chosen.iloc[0]


@pytest.mark.parametrize("period, agency, level, trained, in_scope", [
    ("2025-Q1", "Police", "Awareness", 80, 100),
    ("2025-Q1", "Police", ALL_LEVELS, 100, 150),
    ("2025-Q1", ALL_AGENCIES, "Advanced", 56, 90),
    ("2025-Q2", ALL_AGENCIES, ALL_LEVELS, 310, 390),
])
def test_coverage_and_totals_match_a_hand_computation(period, agency, level, trained, in_scope):
    row = cell(training.protect_coverage(TWO_PERIODS, DisclosurePolicy()), period, agency, level)
    assert (row[TRAINED], row[IN_SCOPE]) == (trained, in_scope)
    assert row[COVERAGE] == pytest.approx(100 * trained / in_scope)


def test_levels_nobody_is_in_scope_for_are_left_out():
    coverage = training.protect_coverage(TWO_PERIODS, DisclosurePolicy())
    assert "Specialist" not in set(coverage.numeric[LEVEL])


SMALL = rows(
    ("2025-Q1", "Police", "Awareness", 100, 80), ("2025-Q1", "Police", "Specialist", 3, 2),
    ("2025-Q1", "Health", "Awareness", 200, 190), ("2025-Q1", "Health", "Specialist", 30, 25),
)


@pytest.mark.parametrize("policy", [DisclosurePolicy(), DisclosurePolicy(enabled=False)])
def test_staff_counts_are_not_of_children_and_are_shown_as_reported(policy):
    coverage = training.protect_coverage(SMALL, policy)
    specialist = cell(coverage, "2025-Q1", "Police", "Specialist")
    assert (specialist[TRAINED], specialist[IN_SCOPE]) == (2, 3)
    assert specialist[COVERAGE] == pytest.approx(100 * 2 / 3)
    assert not coverage.mask.to_numpy().any()


def test_no_rows_give_an_empty_table_and_no_latest_period():
    coverage = training.protect_coverage(rows(), DisclosurePolicy())
    assert coverage.numeric.empty and training.latest_period(coverage.numeric) is None


def test_gap_table_puts_the_agency_furthest_below_the_target_first():
    coverage = training.protect_coverage(TWO_PERIODS, DisclosurePolicy())
    assert training.latest_period(coverage.numeric) == "2025-Q2"
    gaps = training.gap_table(coverage, "2025-Q2", 0.9).numeric
    assert gaps[AGENCY].tolist() == ["Health", "Police"]
    assert gaps[GAP].tolist() == pytest.approx([100 * 170 / 240 - 90, 100 * 140 / 150 - 90])
    assert gaps[TO_TRAIN].tolist() == [46, 0]  # 90% of 240 is 216, and 170 are trained


def test_gap_table_withholds_the_gap_with_the_coverage():
    gaps = training.gap_table(training.protect_coverage(SMALL, DisclosurePolicy()), "2025-Q1", 0.9)
    withheld = gaps.mask[COVERAGE]
    assert (gaps.mask[GAP] == withheld).all() and (gaps.mask[TO_TRAIN] == withheld).all()


@pytest.mark.parametrize("target, trained, in_scope, expected", [
    (0.9, 80, 100, 10), (0.9, 90, 100, 0), (0.9, 95, 100, 0), (0.9, 0, 7, 7), (0.9, 8, 10, 1), (0.35, 0, 20, 7),
    (0.9, float("nan"), 10, float("nan")),
])
def test_staff_to_reach_the_target(target, trained, in_scope, expected):
    result = training.staff_to_reach(target, trained, in_scope)
    assert result == expected or (math.isnan(expected) and math.isnan(result))


@pytest.mark.parametrize("target, expected", [
    (0.9, "1 of 2 agencies had trained at least 90% of their staff in 2025-Q2"),
    (0.95, "No agency had trained 95% of its staff in 2025-Q2; Police came closest (93.3%)"),
])
def test_coverage_title(target, expected):
    gaps = training.gap_table(training.protect_coverage(TWO_PERIODS, DisclosurePolicy()), "2025-Q2", target)
    assert training.coverage_title(gaps.numeric, "2025-Q2", target) == expected


@pytest.mark.parametrize("target, expected", [
    (0.9, "Health is furthest from the 90% target: 70.8% trained, 46 staff still to train"),
    (0.5, "Every agency shown has reached the 50% target"),
])
def test_gap_title(target, expected):
    gaps = training.gap_table(training.protect_coverage(TWO_PERIODS, DisclosurePolicy()), "2025-Q2", target)
    assert training.gap_title(gaps.numeric, target) == expected


def test_trend_title_compares_the_whole_workforce_first_and_last():
    coverage = training.protect_coverage(TWO_PERIODS, DisclosurePolicy())
    assert training.trend_title(coverage.numeric) == "The share of all staff trained fell from 83.6% in 2025-Q1 to 79.5% in 2025-Q2"
