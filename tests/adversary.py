"""An attacker of the dashboard's published figures, for tests/test_adversary.py.

The attacker can ask for any view a viewer can reach: every filter one value or all, any run of quarters, and the
breakdowns the pages show. Each page publishes a count of referrals as cellkey.publish(count, cell key) of the
referrals it counts (the page tests check this figure by figure), so the attacker's oracle here is that function
applied to the referrals of a view. What the attacker knows of a published figure is the range of true counts the
perturbation table could have published it from (cellkey.possible_counts); the attacks combine those ranges:

- feasible_range: an integer programme (scipy's milp, non-negative whole counts) over the cells of a partition,
  one constraint per published figure; a count is determined exactly only if its smallest and largest feasible
  values are equal.
- averaged_estimate: every difference of two reachable views that leaves the same cell, averaged; the attacker's
  best guess when the noise of each view is treated as independent.
- linked_views: views that are not cells of one grid (children counted once with their latest referral's details,
  which change with the filters) are split into atoms, the records that are in exactly the same views, and linked
  by feasible_range over the atoms. The attacker is told which atoms exist, more than a viewer knows.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from cseboard.methods import cellkey
from cseboard.store.database import Store

DIMENSIONS = ("area", "referral_source", "age_band", "gender")
"""The sidebar's list filters, each one value or all."""


def referrals_with_keys(db: Path) -> pd.DataFrame:
    """Every current referral with what the filters and pages group it by, and its record keys."""
    opened = Store(db)
    try:
        return opened.cursor().execute(
            "SELECT referral_id, child_id, referral_date, quarter, area, referral_source, age_band, gender, ethnicity, "
            "looked_after, risk_level, outcome, referral_rkey, child_rkey FROM current_referrals").df()
    finally:
        opened.close()


def published(referrals: pd.DataFrame) -> float:
    """The figure a page shows for a count of these referrals (NaN: withheld as c)."""
    key = int(referrals.referral_rkey.astype(int).sum()) % cellkey.KEY_RANGE
    return float(cellkey.publish([len(referrals)], [key])[0])


@dataclass(frozen=True)
class Observation:
    """One published figure: the cells of the partition it adds up, and what was published."""

    cells: tuple[int, ...]
    figure: float


def feasible_range(observations: Sequence[Observation], cells: int, target: Iterable[int]) -> tuple[int, int]:
    """Smallest and largest whole value the target cells' sum can take given every observation."""
    rows = np.zeros((len(observations), cells))
    low, high = np.zeros(len(observations)), np.zeros(len(observations))
    for row, observation in enumerate(observations):
        rows[row, list(observation.cells)] = 1
        allowed = cellkey.possible_counts(observation.figure)
        low[row], high[row] = allowed.start, allowed.stop - 1
    objective = np.zeros(cells)
    objective[list(target)] = 1
    found = []
    for sign in (1, -1):
        result = milp(sign * objective, constraints=LinearConstraint(rows, low, high), integrality=np.ones(cells),
                      bounds=Bounds(0, np.inf))
        assert result.status == 0, "the true counts must satisfy every published figure"
        found.append(round(sign * result.fun))
    return found[0], found[1]


def partition(referrals: pd.DataFrame, by: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells of a partition (every combination of the values present) and each referral's cell number."""
    values = [sorted(referrals[column].unique()) for column in by]
    grid = pd.MultiIndex.from_product(values, names=list(by)).to_frame(index=False)
    index = pd.MultiIndex.from_frame(grid)
    return grid, index.get_indexer(pd.MultiIndex.from_frame(referrals[list(by)]))


def observe(referrals: pd.DataFrame, cell_of: np.ndarray, cells: np.ndarray) -> Observation:
    """The published figure of a view that adds up these cells of the partition (a boolean mask over the grid); cells
    with no referral are in it too, since the attacker does not know they are empty."""
    return Observation(tuple(np.flatnonzero(cells).tolist()), published(referrals[cells[cell_of]]))


def averaged_estimate(differences: Sequence[float]) -> float:
    """The attacker's guess of a count from several published differences that each leave it: their mean."""
    return float(np.mean(differences))


def linked_views(views: np.ndarray, keys: np.ndarray, targets: int, seed: int = 0) -> list[tuple[int, int, int]]:
    """Link every view (a row of booleans over the records: which it counts) and, for up to `targets` views whose true
    count is 1 to 4, chosen at random, find the range of true counts left to the attacker (a view of no record has no
    atom, so the attacker told the atoms would know it empty: those are not attacked).

    keys: each record's record key; a view's figure is cellkey.publish of its count and key sum. Returns (true count,
    smallest, largest) per view attacked.
    """
    views = np.unique(views, axis=0)
    signatures, cell_of = np.unique(views.T, axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    counts = views.sum(axis=1)
    figures = cellkey.publish(counts, np.mod(views.astype(np.int64) @ keys.astype(np.int64), cellkey.KEY_RANGE))
    observations = [Observation(tuple(np.flatnonzero(signatures[:, view]).tolist()), figure)
                    for view, figure in enumerate(figures)]
    small = [view for view in range(len(views)) if 0 < counts[view] < 5]
    chosen = np.random.default_rng(seed).choice(small, size=min(targets, len(small)), replace=False)
    true = np.bincount(cell_of, minlength=len(signatures))
    assert all(true[list(observations[view].cells)].sum() == counts[view] for view in chosen)
    return [(int(counts[view]), *feasible_range(observations, len(signatures), observations[view].cells))
            for view in chosen]
