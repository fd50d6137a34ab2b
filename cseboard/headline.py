"""The home page's headline: the latest quarter against the one before and the same quarter a year before."""
from __future__ import annotations

import pandas as pd

from cseboard.periods import shift_quarter

# (label, numerator column, denominator column or None for a plain count)
MEASURES = (
    ("Referrals", "referrals", None),
    ("Children referred", "children", None),
    ("Boys, as a share of children referred", "boys", "children"),
    ("Children missing in the 90 days before referral", "children_missing_before_referral", "children"),
    ("Referrals screened as high risk", "high_risk_referrals", "referrals"),
    ("Workforce trained in CSE (all agencies and levels)", "staff_trained", "staff_in_scope"),
)
COMPARISONS = (("This quarter", 0), ("Previous quarter", -1), ("Same quarter last year", -4))


def compare_quarters(by_quarter: pd.DataFrame, last_quarter: str) -> pd.DataFrame:
    """One row per measure and comparison quarter: numerator, denominator and share (percent) or count."""
    indexed = by_quarter.set_index("quarter")
    records = []
    for label, numerator, denominator in MEASURES:
        for when, offset in COMPARISONS:
            quarter = shift_quarter(last_quarter, offset)
            present = quarter in indexed.index
            top = indexed.at[quarter, numerator] if present else 0
            bottom = indexed.at[quarter, denominator] if present and denominator else 0
            top, bottom = (0 if pd.isna(v) else int(v) for v in (top, bottom))
            share = 100 * top / bottom if denominator and bottom else float("nan")
            records.append({"measure": label, "comparison": when, "quarter": quarter, "count": top,
                            "base": bottom, "percent": share, "is_share": denominator is not None,
                            "has_data": present})
    return pd.DataFrame(records)


def _formatted(value: float, is_share: bool, withheld: bool, symbol: str) -> str:
    if withheld:
        return symbol
    if value != value:
        return "no data"
    return f"{value:.1f}%" if is_share else f"{value:,.0f}"


def metric_cards(protected) -> list[dict]:
    """Text for one card per measure, from the disclosure-protected comparison table."""
    numbers, withheld, symbol = protected.numeric, protected.mask, protected.policy.symbol
    cards = []
    for measure, rows in numbers.groupby("measure", sort=False):
        is_share = bool(rows.is_share.iloc[0])
        column = "percent" if is_share else "count"
        values = rows[column].tolist()
        hidden = withheld.loc[rows.index, column].tolist()
        texts = [_formatted(v, is_share, h, symbol) for v, h in zip(values, hidden)]
        change = None if any(hidden[:2]) or any(v != v for v in values[:2]) else values[0] - values[1]
        unit = " points" if is_share else ""
        now = rows.iloc[0]
        basis = ("" if not is_share or hidden[0] else
                 f" Based on {now['count']:,.0f} of {now['base']:,.0f}.")
        cards.append({
            "label": measure,
            "value": texts[0],
            "delta": None if change is None else f"{change:+,.1f}{unit} on {rows.quarter.iloc[1]}",
            "year_ago": f"{rows.quarter.iloc[2]}: {texts[2]}",
            "help": f"{rows.quarter.iloc[1]}: {texts[1]}; {rows.quarter.iloc[2]}: {texts[2]}.{basis}",
        })
    return cards
