"""What a protected figure should be, worked out independently of cseboard's disclosure code.

The store's record keys are the input (they come from the installation's secret); the cell key (their sum mod 256)
and the perturbation table (round to a multiple of 5, up for the first 256 * r / 5 keys where r = count mod 5,
published 0 withheld as "c") are applied here again with plain Python, so a page's figure can be checked against it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from cseboard.store.database import Store

THRESHOLD = 5
SYMBOL = "c"


def record_keys(db: Path) -> dict[str, pd.DataFrame]:
    """Every current referral and missing episode with its record keys, read from a store on disk."""
    opened = Store(db)
    try:
        cursor = opened.cursor()
        return {
            "referrals": cursor.execute("SELECT referral_id, child_id, referral_rkey, child_rkey "
                                        "FROM current_referrals").df(),
            "missing_episodes": cursor.execute("SELECT episode_id, child_id, episode_rkey, child_rkey "
                                               "FROM current_missing_episodes").df(),
        }
    finally:
        opened.close()


def figure(count: int, key: int, threshold: int = THRESHOLD) -> float | None:
    """The published figure for a count and its cell key; None when withheld (rounded to 0)."""
    lower = count - count % threshold
    goes_up = threshold * (key % 256) < 256 * (count % threshold)
    published = lower + threshold if goes_up else lower
    return None if published == 0 else float(published)


def referrals(chosen: pd.DataFrame, keys: dict[str, pd.DataFrame]) -> float | None:
    """The published count of these referrals (rows with referral_id), keyed on the referrals."""
    rkeys = keys["referrals"].set_index("referral_id").referral_rkey
    return figure(len(chosen), int(rkeys.loc[chosen.referral_id].astype(int).sum()))


def children(chosen: pd.DataFrame, keys: dict[str, pd.DataFrame]) -> float | None:
    """The published count of the distinct children in these rows (child_id), keyed on the children."""
    child_keys = pd.concat([keys["referrals"], keys["missing_episodes"]]).drop_duplicates("child_id")
    distinct = chosen.child_id.drop_duplicates()
    return figure(len(distinct), int(child_keys.set_index("child_id").child_rkey.loc[distinct].astype(int).sum()))


def episodes(chosen: pd.DataFrame, keys: dict[str, pd.DataFrame]) -> float | None:
    """The published count of these missing episodes (rows with episode_id), keyed on the episodes."""
    ekeys = keys["missing_episodes"].set_index("episode_id").episode_rkey
    return figure(len(chosen), int(ekeys.loc[chosen.episode_id].astype(int).sum()))


def text(value: float | None) -> str:
    """A published count as a page shows it: "1,395", or the symbol when withheld."""
    return SYMBOL if value is None else f"{value:,.0f}"


def percent(part: float | None, whole: float | None, decimals: int = 1) -> str:
    """A share of published counts as a card shows it ("17.3%"), the symbol when either count is withheld."""
    if part is None or whole is None:
        return SYMBOL
    return f"{100 * min(part, whole) / whole:.{decimals}f}%"
