"""Disclosure control for every count the dashboard shows: the cell-key method (methods.cellkey), then shares.

Each count column of a table comes with its cell key (the column cell_key_column(name)), computed in SQL beside the
count; protect() replaces each count with its published figure (rounded to 5 as its key decides; a figure rounded
to 0, a true 0 to 4, withheld) and
derives shares, intervals and verdicts from the published counts only, so nothing derived can be inverted to a
true count. The same records always give the same published figure, so views and pages agree with each other; rows
may not add up to their totals, each being published from its own records. docs/disclosure.md has the method, its
parameters, the limits on slicing, and the attacker's error the test harness measured.

A withheld figure shows the symbol c, DfE's mark for confidential, explained once per page; never a number-like
"<5", which would read as a value on a chart or as "under 5%" in a table of shares.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from cseboard.methods import cellkey

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make Excel, LibreOffice or Sheets treat a CSV cell as a formula (OWASP)."""


@dataclass(frozen=True)
class DisclosurePolicy:
    """How counts are published; one instance for the whole dashboard so every view applies the same rule."""

    threshold: int = 5
    symbol: str = "c"
    enabled: bool = True

    def __post_init__(self):
        """Refuse a threshold the perturbation table cannot use."""
        if self.threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {self.threshold!r}")

    def publish(self, counts, keys) -> np.ndarray:
        """Published figures for true counts and their cell keys (NaN: withheld); exact when protection is off."""
        if not self.enabled:
            return np.asarray(counts, dtype=float)
        return cellkey.publish(counts, keys, self.threshold)


DEFAULT_POLICY = DisclosurePolicy()


def plain_words(policy: DisclosurePolicy) -> str:
    """What the figures are, in one sentence a board member understands: shown once per page and in the sidebar."""
    if not policy.enabled:
        return "Figures are exact, for internal use only."
    return (f"Figures are rounded and slightly adjusted to protect children; rows may not add to totals. "
            f"{policy.symbol} marks a figure under {policy.threshold}, possibly none.")


@dataclass(frozen=True)
class ProtectedTable:
    """A table after disclosure control, with one view for charts, one for tables and CSV, and hover text."""

    numeric: pd.DataFrame
    """The input without its cell keys, counts as published and withheld cells NaN: safe to chart."""
    mask: pd.DataFrame
    """True where a cell is withheld."""
    policy: DisclosurePolicy
    count_columns: tuple = ()
    rate_columns: tuple = ()

    def display(self, decimals: int = 1) -> pd.DataFrame:
        """Table for st.dataframe and safe_csv: counts and rates as text, withheld cells showing the policy symbol."""
        shown = self.numeric.copy()
        for column in (*self.count_columns, *self.rate_columns):
            shown[column] = self.hover_text(column, decimals)
        return shown

    def hover_text(self, column, decimals: int = 1) -> pd.Series:
        """One column as text for Plotly hover labels, so a withheld cell reads "c" rather than vanishing."""
        if column in self.rate_columns:
            pattern = f"{{:.{decimals}f}}"
        elif column in self.count_columns:
            pattern = "{:.0f}"
        else:
            pattern = "{}"
        text = self.numeric[column].map(lambda value: "" if pd.isna(value) else pattern.format(value))
        return text.astype(str).mask(self.mask[column], self.policy.symbol)


CELL_KEY_SUFFIX = " (cell key)"


def cell_key_column(count_column: str) -> str:
    """Where a table keeps the cell key of a count column: queries name it <count>_ckey, tables rename both together."""
    return f"{count_column}{CELL_KEY_SUFFIX}"


def key_sums(keys) -> pd.Series | np.ndarray:
    """Cell keys of merged cells (a total, a sum of groups) from the cell keys of the cells merged: summed, mod 256."""
    return np.mod(keys, cellkey.KEY_RANGE)


def share(numerator, denominator) -> pd.Series:
    """100 x numerator / denominator from published counts, missing where the denominator is 0 or withheld.

    Published counts are rounded on their own, so a part can exceed its whole (7 of 8 as 10 of 5); the part is
    capped at the whole, which uses nothing but published figures.
    """
    numerator, denominator = pd.Series(numerator, dtype=float), pd.Series(denominator, dtype=float)
    return 100 * numerator.clip(upper=denominator) / denominator.where(denominator > 0)


def protect(
    df: pd.DataFrame,
    counts: Sequence[str],
    rates: Mapping[str, tuple[str, str]] | None = None,
    *,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> ProtectedTable:
    """Publish each count from its cell key, then derive the rate columns from the published counts alone.

    df: one column per count and beside it cell_key_column(count), the sum of its records' keys (taken modulo 256
    here, so keys summed in pandas need no more); a key left empty (NaN) marks a count that is not of children's
    records (staff trained), published as it is. rates: rate column -> (numerator, denominator); a
    rate is withheld with either count. derive: makes the rate columns (and anything else read from the counts,
    such as verdicts) from the published table; by default each rate is share(numerator, denominator). Rate columns
    in df are dropped first, so a rate computed from true counts can never reach the page.
    """
    rates = dict(rates or {})
    key_columns = [cell_key_column(column) for column in counts]
    missing = [column for column in key_columns if column not in df]
    if missing:
        raise ValueError(f"no cell keys for {', '.join(missing)}: every published count needs its cell key")
    published = df.drop(columns=[*key_columns, *(rate for rate in rates if rate in df)])
    for column in counts:
        values, keys = df[column].to_numpy(dtype=float), df[cell_key_column(column)].to_numpy(dtype=float)
        if np.isnan(values).any():
            raise ValueError(f"count column {column!r} has missing values; fill them (e.g. with 0) first")
        of_records = ~np.isnan(keys)
        figures = values.copy()
        figures[of_records] = policy.publish(values[of_records], key_sums(keys[of_records]))
        published[column] = figures
    derived = derive(published) if derive else published.assign(
        **{rate: share(published[numerator], published[denominator]) for rate, (numerator, denominator) in rates.items()})
    mask = pd.DataFrame(False, index=derived.index, columns=derived.columns)
    for column in counts:
        mask[column] = derived[column].isna()
    for rate, (numerator, denominator) in rates.items():
        mask[rate] = mask[numerator] | mask[denominator]
    return ProtectedTable(numeric=derived, mask=mask, policy=policy, count_columns=tuple(counts),
                          rate_columns=tuple(rates))


def protect_crosstab(table: pd.DataFrame, keys: pd.DataFrame | None, policy: DisclosurePolicy = DEFAULT_POLICY,
                     *, total_label: str = "Total") -> ProtectedTable:
    """Add row and column totals to a two-way table of counts, and publish every cell and total from its cell key.

    table: counts only, one row per row category and one column per column category (e.g. a pd.crosstab without
    margins). keys: the cell keys in the same shape, of records each counted once (referrals), so a total's key is
    the sum of its cells' keys; None for counts not of children's records (staff), published as they are.
    The totals are computed here from the true cells, and published on their own keys.
    """
    cells = table.to_numpy(dtype=float)
    if np.isnan(cells).any():
        raise ValueError("crosstab has missing counts; fill them (e.g. with 0) first")

    def with_margins(grid: np.ndarray) -> np.ndarray:
        return np.block([[grid, grid.sum(axis=1, keepdims=True)], [grid.sum(axis=0, keepdims=True), grid.sum(keepdims=True)]])

    index = pd.Index([*table.index, total_label], name=table.index.name)
    columns = pd.Index([*table.columns, total_label], name=table.columns.name)
    true = with_margins(cells)
    if keys is None:
        published = true
    else:
        cell_keys = with_margins(keys.reindex(index=table.index, columns=table.columns).to_numpy(dtype=float))
        published = policy.publish(true.ravel(), key_sums(cell_keys).ravel()).reshape(true.shape)
    numeric = pd.DataFrame(published, index=index, columns=columns)
    return ProtectedTable(numeric=numeric, mask=numeric.isna(), policy=policy, count_columns=tuple(columns),
                          rate_columns=())


def visible(protected: ProtectedTable, column: str, **where) -> float | None:
    """The first cell of a column in the rows matching `where`, or None when withheld or empty.

    Titles and metric cards read their numbers through this, so they never state what the table withholds.
    """
    chosen = protected.numeric
    for name, value in where.items():
        chosen = chosen[chosen[name] == value]
    if chosen.empty or protected.mask.at[chosen.index[0], column] or pd.isna(chosen[column].iloc[0]):
        return None
    return float(chosen[column].iloc[0])


def figure_text(value, withheld: bool, symbol: str, decimals: int = 0, suffix: str = "") -> str:
    """One figure as read on screen ("1,395", "17.3%"), the symbol when withheld, "no data" when there is none."""
    if withheld:
        return symbol
    if value is None or value != value:
        return "no data"
    return f"{value:,.{decimals}f}{suffix}"


def metric_text(protected: ProtectedTable, column: str, suffix: str = "", row: int = 0) -> str:
    """One figure for a metric card as a board member reads it: "1,395", "17.3%", or the symbol when withheld.

    CSV downloads keep plain numbers (ProtectedTable.display); only what is read on screen gets separators.
    """
    return figure_text(protected.numeric[column].iloc[row], bool(protected.mask[column].iloc[row]),
                       protected.policy.symbol, 1 if column in protected.rate_columns else 0, suffix)


def neutralise_formula(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe; numbers and missing values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """CSV bytes for download (pass ProtectedTable.display()): formulas neutralised, UTF-8 BOM so Excel reads it."""
    frame = df.copy() if isinstance(df.index, pd.RangeIndex) else df.reset_index()
    for column in frame.columns:
        if not is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise_formula)
    frame.columns = [neutralise_formula(column) for column in frame.columns]
    return frame.to_csv(index=False).encode("utf-8-sig")


WITHHELD_SORT_VALUE = float("-inf")


def sortable(protected: ProtectedTable):
    """Numbers stay numbers (so columns sort as numbers) while withheld cells read as the symbol and sort lowest."""
    numbers = protected.numeric.copy()
    symbol = protected.policy.symbol
    formats = {}
    for column, pattern in ([(c, "{:,.0f}") for c in protected.count_columns]
                            + [(c, "{:,.1f}") for c in protected.rate_columns]):
        numbers[column] = numbers[column].astype(float).mask(protected.mask[column], WITHHELD_SORT_VALUE)
        formats[column] = (lambda value, pattern=pattern: symbol if value == WITHHELD_SORT_VALUE
                           else "" if value != value else pattern.format(value))
    return numbers.style.format(formats)
