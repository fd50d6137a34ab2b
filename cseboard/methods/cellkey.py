"""The cell-key method: every published count is a fixed function of its true value and its cell key.

Following the Office for National Statistics' cell-key-perturbation package and the ABS TableBuilder: each record
(referral, child, missing episode) has a record key 0-255, fixed at load from its id and the installation's secret;
a cell's key is the sum of its records' keys modulo 256; a perturbation table maps (count, cell key) to the figure
published. The same records always give the same figure, on every page, chart, hover and download, so two views of
one cell agree and subtracting one view from another gives noise, not a count.

The perturbation table here (docs/disclosure.md has the reasoning and the attacker's error measured): every count
is rounded to a multiple of the threshold (5), down or up, up with probability (count mod 5) / 5 as the cell key
decides. The published figure is unbiased and never more than 4 from the true one. A count published as 0 was
0 to 4 and is shown withheld (the symbol c): it may be none, it may be a few.

Why a true 0 is withheld too: if zeros were shown as 0, a withheld cell would be known to be 1 to 4, and four
withheld cells in a row whose total is withheld would each be exactly 1. Why round to the threshold and not to a
smaller base: the difference of two published figures is then a multiple of 5 with an error up to 8 either way,
which always leaves at least two possible values for any count of 0 to 4. ONS ships a table that publishes counts
under 10 as 0 and rounds the rest to 5 whatever the key; this one rounds every count to 5 and lets the key choose
the direction, so that rounding is unbiased and a sum of rounded figures does not drift.
"""
from __future__ import annotations

import numpy as np

KEY_RANGE = 256
"""Record and cell keys are 0-255, as in ONS's package."""


def cell_key(record_keys) -> int:
    """A cell's key from its records' keys: their sum modulo 256 (what the queries compute in SQL)."""
    return int(np.sum(np.asarray(record_keys, dtype=np.int64)) % KEY_RANGE)


def rounds_up(counts: np.ndarray, keys: np.ndarray, base: int) -> np.ndarray:
    """Whether a count is rounded up: for the keys below 256 x (count mod base) / base, so rounding is unbiased."""
    return keys * base < np.mod(counts, base) * KEY_RANGE


def publish(counts, keys, threshold: int = 5) -> np.ndarray:
    """The published figures for true counts and their cell keys: a multiple of the threshold, NaN where it is 0."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold!r}")
    counts = np.asarray(counts, dtype=float)
    keys = np.asarray(keys, dtype=float)
    if np.isnan(counts).any() or (counts < 0).any() or (counts != np.round(counts)).any():
        raise ValueError("counts must be whole numbers, zero or more, with none missing")
    if np.isnan(keys).any() or (keys < 0).any() or (keys >= KEY_RANGE).any():
        raise ValueError(f"cell keys must be 0 to {KEY_RANGE - 1}, with none missing")
    whole = counts.astype(np.int64)
    published = ((whole // threshold + rounds_up(whole, keys.astype(np.int64), threshold)) * threshold).astype(float)
    published[published == 0] = np.nan
    return published


def possible_counts(published: float, threshold: int = 5) -> range:
    """Every true count that some key could publish as this figure (NaN: withheld): what an attacker can rule in."""
    if published != published:
        return range(0, threshold)
    return range(int(published) - threshold + 1, int(published) + threshold)
