"""The cell-key method: every published count is a fixed function of its true value and its cell key.

Following the Office for National Statistics' cell-key-perturbation package and the ABS TableBuilder: each record
(referral, child, missing episode) has a record key 0-255, fixed at load from its id and the installation's secret;
a cell's key is the sum of its records' keys modulo 256; a perturbation table maps (count, cell key) to the figure
published. The same records always give the same figure, on every page, chart, hover and download, so two views of
one cell agree and subtracting one view from another gives noise, not a count.

The perturbation table here (docs/disclosure.md has the reasoning and the attacker's error measured):

- 0 is published as 0: "none" identifies nobody.
- 1 to threshold - 1 are withheld (shown as the symbol c), whatever the key.
- threshold and above are rounded to a multiple of the threshold, down or up, up with probability
  (count mod threshold) / threshold as the key decides, so the published figure is unbiased and never more than
  threshold - 1 from the true one (at most 4 with the default 5). Rounding to a base below the threshold would let
  the difference of two published figures pin a small count; with the threshold as the base it never does.

ONS ships a table that publishes counts under 10 as 0 and rounds the rest to 5 whatever the key; this one withholds
small counts rather than show 0 (a board must not read "no children" where there are some), rounds to the base like
ONS, and uses the key to choose the direction, so differences of totals do not pin a small count.
"""
from __future__ import annotations

import numpy as np

KEY_RANGE = 256
"""Record and cell keys are 0-255, as in ONS's package."""


def cell_key(record_keys) -> int:
    """A cell's key from its records' keys: their sum modulo 256 (what the queries compute in SQL)."""
    return int(np.sum(np.asarray(record_keys, dtype=np.int64)) % KEY_RANGE)


def rounds_up(counts: np.ndarray, keys: np.ndarray, base: int) -> np.ndarray:
    """Whether a count is rounded up: for (count mod base) / base of the 256 keys, so that rounding is unbiased."""
    remainder = np.mod(counts, base)
    return keys < (remainder * KEY_RANGE) // base


def publish(counts, keys, threshold: int = 5) -> np.ndarray:
    """The published figures for true counts and their cell keys; NaN where a count is withheld (1 to threshold - 1)."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold!r}")
    counts = np.asarray(counts, dtype=float)
    keys = np.asarray(keys, dtype=float)
    if np.isnan(counts).any() or (counts < 0).any() or (counts != np.round(counts)).any():
        raise ValueError("counts must be whole numbers, zero or more, with none missing")
    if np.isnan(keys).any() or (keys < 0).any() or (keys >= KEY_RANGE).any():
        raise ValueError(f"cell keys must be 0 to {KEY_RANGE - 1}, with none missing")
    whole = counts.astype(np.int64)
    rounded = (whole // threshold + rounds_up(whole, keys.astype(np.int64), threshold)) * threshold
    published = rounded.astype(float)
    published[whole == 0] = 0.0
    published[(whole > 0) & (whole < threshold)] = np.nan
    return published


def possible_counts(published: float, threshold: int = 5) -> range:
    """Every true count that some key could publish as this figure (NaN: withheld): what an attacker can rule in."""
    if published != published:
        return range(1, threshold)
    if published == 0:
        return range(0, 1)
    return range(max(threshold, int(published) - threshold + 1), int(published) + threshold)
