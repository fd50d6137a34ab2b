"""The attacks of issue 18 replayed against the published figures, on the sample and on random small extracts.

No true count of 0 to 4 may be determined exactly by: differencing over each filter (a view less its other values),
the period (one run of quarters less another), linking every table a viewer can reach for one filter state (each
filter one value or all, every breakdown the pages show), or averaging every difference that leaves the same cell.
tests/adversary.py has the attacker; docs/disclosure.md has what it found. CSEBOARD_ADVERSARY_REPORT=path writes
the attacker's error on the sample to that file (the table in docs/disclosure.md was made so).
"""
from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import adversary
from cseboard.filters import YEAR, period_length
from cseboard.methods import cellkey
from factory import rows

SMALL = range(0, 5)


def one_or_all(grid: pd.DataFrame, dimension: str):
    """The choices a viewer has for one filter: each value alone, or all (None)."""
    return [None, *sorted(grid[dimension].unique())]


def periods(quarters: list[str]) -> list[list[str]]:
    """Every period a viewer can choose: one quarter, or whole years (4, 8... quarters) ending at any quarter."""
    return [quarters[end + 1 - length:end + 1] for end in range(len(quarters))
            for length in range(1, end + 2) if length == period_length(length)]


def reachable(grid: pd.DataFrame, dimensions, quarter_runs: bool):
    """Every view of the grid's cells a viewer can reach: each dimension one value or all; every period a viewer can
    choose when quarter_runs, else one quarter or all. Yields boolean masks over the grid."""
    quarters = sorted(grid.quarter.unique())
    runs = periods(quarters) if quarter_runs else [[quarter] for quarter in quarters] + [quarters]
    for choice in itertools.product(*(one_or_all(grid, d) for d in dimensions)):
        matches = np.ones(len(grid), dtype=bool)
        for dimension, value in zip(dimensions, choice):
            if value is not None:
                matches &= (grid[dimension] == value).to_numpy()
        for run in runs:
            yield matches & grid.quarter.isin(run).to_numpy()


def attack(referrals: pd.DataFrame, dimensions, quarter_runs: bool, targets: int, seed: int = 0) -> list[tuple]:
    """Link every reachable view of one partition and find, for small true counts, the range the attacker is left with.

    Returns (true count, smallest, largest) for up to `targets` views whose true count is 0 to 4, chosen at random.
    """
    grid, cell_of = adversary.partition(referrals, ["quarter", *dimensions])
    true = np.bincount(cell_of, minlength=len(grid))
    views = {}
    for mask in reachable(grid, dimensions, quarter_runs):
        views.setdefault(mask.tobytes(), mask)
    observations = [adversary.observe(referrals, cell_of, mask) for mask in views.values()]
    small = [mask for mask in views.values() if true[mask].sum() in SMALL]
    chosen = random.Random(seed).sample(small, min(targets, len(small)))
    return [(int(true[mask].sum()), *adversary.feasible_range(observations, len(grid), np.flatnonzero(mask)))
            for mask in chosen]


def assert_nothing_pinned(found: list[tuple]) -> None:
    assert found, "the attack found no small count to try"
    pinned = [(count, low) for count, low, high in found if low == high]
    assert not pinned, f"small counts determined exactly: {pinned}"
    assert all(low <= count <= high for count, low, high in found), "the true count lies in what is published"


@pytest.fixture(scope="module")
def sample_referrals(sample_db) -> pd.DataFrame:
    return adversary.referrals_with_keys(sample_db)


def random_extract(tiny_store, seed: int, size: int) -> pd.DataFrame:
    """A small extract of `size` referrals spread at random over three areas, two sources, two age bands, both
    genders and four quarters: many counts of 0 to 4."""
    chance = random.Random(seed)
    made = []
    for index in range(1, size + 1):
        month = chance.choice(range(1, 13))
        made.extend(rows("referrals", 1, referral_id=f"R{index}", child_id=f"C{index}",
                         referral_date=f"2025-{month:02d}-{chance.randint(1, 28):02d}",
                         area=chance.choice(["Northgate", "Riverside", "Oakmere"]),
                         referral_source=chance.choice(["Police", "Education"]),
                         age_at_referral=str(chance.choice([13, 15])), gender=chance.choice(["Male", "Female"])))
    return adversary.referrals_with_keys(tiny_store(referrals=made))


ISSUE_SLICE = {"age_band": "14-15", "gender": "Male", "area": "Northgate"}
"""The home page view the issue attacked (?age=14-15&gender=Male), and an area for attacks on age or gender."""


@pytest.mark.parametrize("dimension", adversary.DIMENSIONS)
def test_differencing_over_each_filter_recovers_no_small_count_on_the_sample(sample_referrals, dimension):
    """The home page's figure for a quarter with one filter value, against the same with every value and all."""
    chosen = sample_referrals[sample_referrals.quarter >= "2025-Q4"]
    for other, value in list(ISSUE_SLICE.items())[:2 if dimension not in ISSUE_SLICE else 3]:
        if other != dimension:
            chosen = chosen[chosen[other] == value]
    assert_nothing_pinned(attack(chosen, [dimension], quarter_runs=False, targets=25))


@pytest.mark.parametrize("dimensions", [("area", "gender"), ("area", "age_band"), ("referral_source", "gender")])
def test_differencing_over_two_filters_recovers_no_small_count_on_the_sample(sample_referrals, dimensions):
    """The issue's attack: area x age band x gender x quarter cells, with the area complement and gender as levers."""
    latest = sample_referrals[sample_referrals.quarter >= "2026-Q2"]
    assert_nothing_pinned(attack(latest, list(dimensions), quarter_runs=False, targets=25))


@pytest.mark.parametrize("gender", ["Male", "Female"])
def test_differencing_over_the_period_recovers_no_small_count_on_the_sample(sample_referrals, gender):
    """The Areas page with a gender filter: every period a viewer can choose, for every area and for all."""
    chosen = sample_referrals[(sample_referrals.gender == gender) & (sample_referrals.quarter >= "2024-Q4")]
    assert_nothing_pinned(attack(chosen, ["area"], quarter_runs=True, targets=25))


@pytest.mark.parametrize("age_band", ["14-15", "16-17"])
def test_linking_every_view_of_one_filter_state_recovers_no_small_count_on_the_sample(sample_referrals, age_band):
    """One age band and quarter: every combination of area, source and gender a viewer can reach, linked at once."""
    chosen = sample_referrals[(sample_referrals.quarter == "2026-Q3") & (sample_referrals.age_band == age_band)]
    assert_nothing_pinned(attack(chosen, ["area", "referral_source", "gender"], quarter_runs=False, targets=10))


@pytest.mark.parametrize("seed", [1, 2])
def test_linking_every_view_of_a_random_small_extract_recovers_no_small_count(tiny_store, seed):
    referrals = random_extract(tiny_store, seed, size=40)
    assert_nothing_pinned(attack(referrals, list(adversary.DIMENSIONS), quarter_runs=True, targets=5, seed=seed))


def period_differences(counts: np.ndarray, keys: np.ndarray, area: int, quarter: int) -> list[float]:
    """Every estimate of one area's count in one quarter that differences of reachable views give: the quarter
    itself; the quarter's total less every other area; and each year ending (or starting) at it less the year
    ending one quarter before (or starting one after), plus the quarter that falls out, itself published.

    counts, keys: referrals and their summed record keys by area (rows) and quarter (columns), zero where none.
    """
    quarters = counts.shape[1]

    def figure(areas, first: int, last: int) -> float:
        value = cellkey.publish([int(counts[areas, first:last + 1].sum())],
                                [int(keys[areas, first:last + 1].sum()) % cellkey.KEY_RANGE])[0]
        return 0.0 if np.isnan(value) else value

    everywhere = slice(None)
    found = [figure(area, quarter, quarter),
             figure(everywhere, quarter, quarter) - sum(figure(other, quarter, quarter)
                                                        for other in range(counts.shape[0]) if other != area)]
    for length in range(YEAR, quarters + 1, YEAR):
        if quarter - length >= 0:  # the year ending here less the year ending a quarter before
            found.append(figure(area, quarter - length + 1, quarter) - figure(area, quarter - length, quarter - 1)
                         + figure(area, quarter - length, quarter - length))
        if quarter + length < quarters:  # the year starting here less the year starting a quarter after
            found.append(figure(area, quarter, quarter + length - 1) - figure(area, quarter + 1, quarter + length)
                         + figure(area, quarter + length, quarter + length))
    return found


def averaging_errors(referrals: pd.DataFrame) -> pd.DataFrame:
    """For every area and quarter with a true count of 0 to 4: the attacker's averaged guess and its error."""
    grouped = referrals.groupby(["area", "quarter"])
    counts = grouped.size().unstack(fill_value=0).to_numpy()
    keys = grouped.referral_rkey.sum().unstack(fill_value=0).to_numpy()
    results = []
    for area, quarter in itertools.product(range(counts.shape[0]), range(counts.shape[1])):
        true = int(counts[area, quarter])
        if true in SMALL:
            guess = adversary.averaged_estimate(period_differences(counts, keys, area, quarter))
            results.append({"true": true, "guess": guess, "error": guess - true})
    return pd.DataFrame(results)


def test_averaging_every_view_that_leaves_a_cell_does_not_find_small_counts(sample_referrals):
    """Averaging attack: the mean of all the differences that leave one area's quarter, rounded, is the attacker's
    best guess. It must be wrong most of the time and never better than guessing from what is published alone."""
    boys = sample_referrals[sample_referrals.gender == "Male"]
    errors = averaging_errors(boys)
    exact = (errors.guess.round() == errors.true).mean()
    baseline = max((errors.true == value).mean() for value in SMALL)  # always guessing the commonest small count
    report = os.environ.get("CSEBOARD_ADVERSARY_REPORT")
    if report:
        Path(report).write_text(error_table(errors, exact, baseline))
    assert len(errors) > 20
    assert exact < 0.5, f"the averaged guess is right for {exact:.0%} of small counts"
    assert exact <= baseline + 0.15, f"averaging guesses {exact:.0%} right, against {baseline:.0%} with no views"


def error_table(errors: pd.DataFrame, exact: float, baseline: float) -> str:
    """The attacker's error as a Markdown table, for docs/disclosure.md."""
    bands = pd.cut(errors.error.abs(), [-0.01, 0.5, 1.5, 2.5, 4.5, np.inf],
                   labels=["under 0.5", "0.5 to 1.5", "1.5 to 2.5", "2.5 to 4.5", "over 4.5"])
    counts = bands.value_counts(sort=False)
    lines = ["| Attacker's error (counts) | Small cells | Share |", "|---|---|---|"]
    lines += [f"| {band} | {count} | {count / len(errors):.0%} |" for band, count in counts.items()]
    lines.append(f"\nSmall cells attacked: {len(errors)}; guessed exactly (rounded mean): {exact:.0%}; "
                 f"guessing the commonest small count with no views: {baseline:.0%}; "
                 f"mean absolute error {errors.error.abs().mean():.2f}.")
    return "\n".join(lines) + "\n"


GENDER_GROUPS = {"Male": "Male", "Female": "Female", "Other": "Other or not known", "Not known": "Other or not known"}
"""The fairness page's gender groups (questions.identification.GENDER_GROUPS), written again here."""


def one_view_per_value(positions: np.ndarray, values: pd.Series, size: int) -> list[np.ndarray]:
    """For records at these positions, one mask over `size` records per distinct value: the records holding it."""
    codes, distinct = pd.factorize(values)
    masks = np.zeros((len(distinct), size), dtype=bool)
    masks[codes, positions] = True
    return list(masks)


def fairness_children_views(referrals: pd.DataFrame, children: pd.Index, quarters: list[str]) -> list[np.ndarray]:
    """The counts of children the fairness page publishes for one filter state's referrals over these quarters, each
    as a mask over `children`: each child once, with their latest referral's gender group, ethnicity and age band (the
    comparisons); and per quarter, each child once with that quarter's latest referral, children and looked-after
    children by age band and boys or girls and other genders, and for all (the SPC chart's share); from
    queries/fairness_children.sql and looked_after_by_quarter.sql."""
    chosen = referrals[referrals.quarter.isin(quarters)].sort_values(["referral_date", "referral_id"])
    latest = chosen.groupby("child_id").tail(1)
    at = children.get_indexer(latest.child_id)
    views = [*one_view_per_value(at, latest.gender.map(GENDER_GROUPS), len(children)),
             *one_view_per_value(at, latest.ethnicity, len(children)),
             *one_view_per_value(at, latest.age_band, len(children))]
    in_quarter = chosen.assign(boy=chosen.gender == "Male").groupby(["quarter", "child_id"]).agg(
        age_band=("age_band", "last"), boy=("boy", "last"), looked_after=("looked_after", "any")).reset_index()
    cell = in_quarter.quarter + in_quarter.age_band + in_quarter.boy.astype(str)
    at = children.get_indexer(in_quarter.child_id)
    looked_after = in_quarter.looked_after.to_numpy()
    for labels in (cell, in_quarter.quarter):
        views += [*one_view_per_value(at, labels, len(children)),
                  *one_view_per_value(at[looked_after], labels[looked_after], len(children))]
    return views


def fairness_referral_views(referrals: pd.DataFrame, quarters: list[str]) -> list[np.ndarray]:
    """The counts of referrals the fairness page publishes for one filter state, as masks over `referrals`: referrals
    and re-referrals within 12 months, by gender group and for all (queries/re_referrals.sql)."""
    chosen = referrals.quarter.isin(quarters).to_numpy()
    gender = referrals.gender.map(GENDER_GROUPS).to_numpy()
    views = []
    for re_referral in (np.ones(len(referrals), dtype=bool), referrals.re_referral.to_numpy()):
        views.append(chosen & re_referral)
        views += [chosen & re_referral & (gender == value) for value in np.unique(gender)]
    return views


def with_re_referrals(referrals: pd.DataFrame) -> pd.DataFrame:
    """Each referral marked as a re-referral when within 365 days of the same child's previous one (as DfE count)."""
    ordered = referrals.sort_values(["referral_date", "referral_id"])
    dates = pd.to_datetime(ordered.referral_date)
    return ordered.assign(re_referral=(dates - dates.groupby(ordered.child_id).shift()).dt.days.le(365))


def fairness_states(referrals: pd.DataFrame, dimensions):
    """Each filter state a viewer can reach over `dimensions` (one value or all): its referrals."""
    for choice in itertools.product(*([None, *sorted(referrals[d].unique())] for d in dimensions)):
        matches = np.ones(len(referrals), dtype=bool)
        for dimension, value in zip(dimensions, choice):
            if value is not None:
                matches &= (referrals[dimension] == value).to_numpy()
        yield matches


FAIRNESS_PERIODS = (["2026-Q3"], ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"])
"""The last quarter, and the year ending it: the periods a viewer of the sample's latest year can choose there."""


@pytest.mark.parametrize("dimensions", [("area", "gender"), ("referral_source", "age_band")])
def test_linking_every_count_of_children_on_the_fairness_page_recovers_no_small_count(sample_referrals, dimensions):
    """Every comparison and looked-after count of children, for each filter state over two filters and both periods,
    linked at once: the shares, rates, ratios and verdicts are worked out from these figures and the population."""
    latest_year = sample_referrals[sample_referrals.quarter.isin(FAIRNESS_PERIODS[1])]
    children = pd.Index(latest_year.child_id.unique())
    keys = latest_year.drop_duplicates("child_id").set_index("child_id").child_rkey.reindex(children).to_numpy()
    views = [view for matches in fairness_states(latest_year, dimensions) for quarters in FAIRNESS_PERIODS
             for view in fairness_children_views(latest_year[matches], children, quarters)]
    assert_nothing_pinned(adversary.linked_views(np.array(views), keys, targets=6))


@pytest.mark.parametrize("dimensions", [("area", "gender"), ("referral_source", "age_band")])
def test_linking_every_count_of_referrals_on_the_fairness_page_recovers_no_small_count(sample_referrals, dimensions):
    """Referrals and re-referrals by gender and for all, for each filter state over two filters and both periods,
    linked at once."""
    latest_year = with_re_referrals(sample_referrals)
    latest_year = latest_year[latest_year.quarter.isin(FAIRNESS_PERIODS[1])].reset_index(drop=True)
    views = [matches & view for matches in fairness_states(latest_year, dimensions) for quarters in FAIRNESS_PERIODS
             for view in fairness_referral_views(latest_year, quarters)]
    assert_nothing_pinned(adversary.linked_views(np.array(views), latest_year.referral_rkey.to_numpy(), targets=15))
