"""Funnel plots' statistics in words: where each unit lies against its control limits, and the finding."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

FUNNEL_LEVELS = (0.95, 0.998)
"""Control limits drawn on every funnel plot: about 2 and 3 standard deviations, as Fingertips draws them."""
WITHIN_LIMITS = "within the 95% limits"
NAMED_IN_TITLE = 3


def level_label(level: float) -> str:
    """0.95 as "95%", 0.998 as "99.8%"."""
    return f"{100 * level:g}%"


def funnel_positions(values, sizes, limits: Callable[[np.ndarray], pd.DataFrame]) -> list[str]:
    """Where each point lies against the limits drawn ("above the 99.8% limit"...): points and lines always agree.

    limits: sizes -> one row per level and size (columns level, lower, upper), in the values' units, as
    stats.funnel_limits_proportion gives. A missing value or size (e.g. suppressed) gives "".
    """
    values, sizes = np.asarray(values, dtype=float), np.asarray(sizes, dtype=float)
    positions = np.where(np.isnan(values) | ~(sizes > 0), "", WITHIN_LIMITS).astype(object)
    known = np.flatnonzero(positions != "")
    if known.size == 0:
        return positions.tolist()
    bounds = limits(sizes[known])
    for level in sorted(FUNNEL_LEVELS):
        at_level = bounds[bounds.level == level]
        above = values[known] > at_level.upper.to_numpy()
        below = values[known] < at_level.lower.to_numpy()
        positions[known[above]] = f"above the {level_label(level)} limit"
        positions[known[below]] = f"below the {level_label(level)} limit"
    return positions.tolist()


def funnel_finding(names: Sequence[str], positions: Sequence[str], noun: str, name_all: bool = False) -> str:
    """A funnel plot's title: how many of the units shown lie outside the 95% limits, each named with its side
    (counted by side instead when there are many, unless name_all: the board's findings name every one)."""
    shown = [(name, position) for name, position in zip(names, positions) if position]
    outside = [f"{name} ({position.split(' ')[0]})" for name, position in shown if position != WITHIN_LIMITS]
    if not shown:
        return f"Too few referrals to compare {noun}"
    if not outside:
        return (f"The only one of the {noun} shown lies within the 95% limits" if len(shown) == 1
                else f"All {len(shown)} {noun} shown lie within the 95% limits")
    sides = {side: sum(o.endswith(f"({side})") for o in outside) for side in ("above", "below")}
    named = ", ".join(outside) if name_all or len(outside) <= NAMED_IN_TITLE else ", ".join(
        f"{count} {side}" for side, count in sides.items() if count)
    verb = "lies" if len(outside) == 1 else "lie"
    return f"{len(outside)} of {len(shown)} {noun} {verb} outside the 95% limits: {named}"
