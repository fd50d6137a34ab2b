"""Small-number suppression (statistical disclosure control) for every number the dashboard shows.

Follows DfE and ONS practice for published statistics about children:

- Primary suppression: counts from 1 to threshold - 1 are withheld. Zero is shown, as DfE publishes
  zeros: "none" identifies nobody, and hiding zeros would make real absences look like small numbers.
- Derived rates and shares are withheld when their numerator or denominator is, since either one
  plus the rate gives the other back.
- Secondary (complementary) suppression: in every set of cells that adds up to a published total,
  a lone withheld cell could be recovered by subtraction, so the smallest non-zero visible cell in
  that set is withheld too (zeros only if nothing else is left), repeated across rows and columns
  until nothing changes. A last check withholds one more cell for any withheld value that the
  published totals still pin down, e.g. a cell that is the only link between two blocks of
  suppression, until no withheld value can be worked out from what is shown.

Every withheld cell shows the same symbol, primary or secondary: marking them differently would tell
a reader which hidden values are small and so narrow what the others could be.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from scipy.linalg import null_space

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make Excel, LibreOffice or Sheets treat a CSV cell as a formula (OWASP)."""


@dataclass(frozen=True)
class DisclosurePolicy:
    """How small numbers are withheld; one instance for the whole dashboard so every view applies the same rule."""

    threshold: int = 5
    symbol: str | None = None
    enabled: bool = True

    def __post_init__(self):
        """Validate the threshold and derive the symbol from it ("<5") unless one is given."""
        if self.threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {self.threshold!r}")
        if self.symbol is None:
            object.__setattr__(self, "symbol", f"<{self.threshold}")

    def is_small(self, counts: np.ndarray) -> np.ndarray:
        """Cells that primary suppression withholds: 1 to threshold - 1; zero is shown."""
        return (counts > 0) & (counts < self.threshold)


DEFAULT_POLICY = DisclosurePolicy()


@dataclass(frozen=True)
class ProtectedTable:
    """A table after disclosure control, with one view for charts, one for tables and CSV, and hover text."""

    numeric: pd.DataFrame
    """Same shape as the input, withheld cells NaN: safe to chart."""
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
        """One column as text for Plotly hover labels, so a withheld cell reads "<5" rather than vanishing."""
        if column in self.rate_columns:
            pattern = f"{{:.{decimals}f}}"
        elif column in self.count_columns:
            pattern = "{:.0f}"
        else:
            pattern = "{}"
        text = self.numeric[column].map(lambda value: "" if pd.isna(value) else pattern.format(value))
        return text.astype(str).mask(self.mask[column], self.policy.symbol)


def protect(
    df: pd.DataFrame,
    counts: Sequence[str],
    rates: Mapping[str, tuple[str, str]] | None = None,
    groups: Sequence[str] | None = None,
    *,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ProtectedTable:
    """Withhold small counts in a long table, and every other cell that would let a reader work them out.

    counts: count columns, each protected on its own. rates: rate column -> (numerator, denominator)
    columns; withheld when either is, or when the rest (denominator - numerator) is small, since the rate
    and its base give the rest away; a numerator shown beside its denominator is then withheld too. groups: columns whose distinct values mark the cells that add up
    to a published total (groups=["quarter"]: the genders in a quarter add up to that quarter's total);
    None means each count column adds up to one published grand total. A group of one cell is its own
    total, so it must be protected wherever that total is shown.
    """
    rates = dict(rates or {})
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    if policy.enabled:
        group_codes = (
            df.groupby(list(groups), sort=False, dropna=False).ngroup().to_numpy()
            if groups
            else np.zeros(len(df), dtype=int)
        )
        totals = (np.unique(group_codes)[:, None] == group_codes[None, :]).astype(float)
        rests_small = {rate: _small_complement(df[numerator], df[denominator], policy)
                       for rate, (numerator, denominator) in rates.items()}
        for column in counts:
            values = df[column].to_numpy(dtype=float)
            if np.isnan(values).any():
                raise ValueError(f"count column {column!r} has missing values; fill them (e.g. with 0) first")
            primary = policy.is_small(values)
            for rate, (numerator, denominator) in rates.items():
                if numerator == column and denominator in counts:
                    primary |= rests_small[rate].to_numpy()
            mask[column] = _complementary_suppression(values, primary, totals)
        for rate, (numerator, denominator) in rates.items():
            mask[rate] = mask[numerator] | mask[denominator] | rests_small[rate]
    return _protected(df, mask, policy, tuple(counts), tuple(rates))


def _small_complement(numerator: pd.Series, denominator: pd.Series, policy: DisclosurePolicy) -> pd.Series:
    """A share, or a part shown beside its whole, gives away the rest (the girls, when boys are a share of children)."""
    rest = denominator.to_numpy(dtype=float) - numerator.to_numpy(dtype=float)
    return pd.Series(policy.is_small(rest), index=numerator.index)


def protect_crosstab(
    table: pd.DataFrame, policy: DisclosurePolicy = DEFAULT_POLICY, *, total_label: str = "Total"
) -> ProtectedTable:
    """Add row and column totals to a two-way table of counts and withhold small counts across rows and columns.

    table: counts only, one row per row category and one column per column category (e.g. a
    pd.crosstab without margins). The totals are computed here so they always agree with the cells,
    and are protected like any other cell.
    """
    cells = table.to_numpy(dtype=float)
    if np.isnan(cells).any():
        raise ValueError("crosstab has missing counts; fill them (e.g. with 0) first")
    grid = np.block(
        [[cells, cells.sum(axis=1, keepdims=True)], [cells.sum(axis=0, keepdims=True), cells.sum(keepdims=True)]]
    )
    with_totals = pd.DataFrame(
        grid,
        index=pd.Index([*table.index, total_label], name=table.index.name),
        columns=pd.Index([*table.columns, total_label], name=table.columns.name),
    )
    mask = pd.DataFrame(False, index=with_totals.index, columns=with_totals.columns)
    if policy.enabled:
        flat = grid.ravel()
        suppressed = _complementary_suppression(flat, policy.is_small(flat), _margin_equations(grid.shape))
        mask[:] = suppressed.reshape(grid.shape)
    return _protected(with_totals, mask, policy, tuple(with_totals.columns), ())


def protect_linked(values: Mapping[Hashable, float], sums: Sequence[tuple[Hashable, Sequence[Hashable]]],
                   policy: DisclosurePolicy = DEFAULT_POLICY) -> dict[Hashable, bool]:
    """Withhold small counts across tables that share totals, so no table gives away a count another withholds.

    values: each published count once, under a key. sums: (total key, part keys), one per published total.
    Returns whether each key is withheld.
    """
    keys = list(values)
    if not policy.enabled:
        return dict.fromkeys(keys, False)
    position = {key: index for index, key in enumerate(keys)}
    equations = np.zeros((len(sums), len(keys)))
    for row, (total, parts) in enumerate(sums):
        equations[row, [position[part] for part in parts]] = 1
        equations[row, position[total]] = -1
    counts = np.array([values[key] for key in keys], dtype=float)
    withheld = _complementary_suppression(counts, policy.is_small(counts), equations)
    return dict(zip(keys, withheld.tolist()))


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


def _protected(df: pd.DataFrame, mask: pd.DataFrame, policy: DisclosurePolicy, counts: tuple, rates: tuple):
    """Blank the withheld cells of df into the numeric view and bundle it with its mask."""
    numeric = df.copy()
    for column in (*counts, *rates):
        numeric[column] = df[column].mask(mask[column])
    return ProtectedTable(numeric=numeric, mask=mask, policy=policy, count_columns=counts, rate_columns=rates)


def _margin_equations(shape: tuple[int, int]) -> np.ndarray:
    """Equations 'cells add up to their total' for a grid whose last row and column are totals, one per row and column.

    Each equation has one coefficient per cell of the flattened grid: +1 for the cells it adds, -1 for its total.
    """
    rows, columns = shape
    equations = np.zeros((rows + columns, rows * columns))
    for row in range(rows):
        equations[row, row * columns : (row + 1) * columns] = 1
        equations[row, row * columns + columns - 1] = -1
    for column in range(columns):
        equations[rows + column, column::columns] = 1
        equations[rows + column, (rows - 1) * columns + column] = -1
    return equations


def _complementary_suppression(values: np.ndarray, suppressed: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Grow the suppressed cells until none can be worked out from the visible cells and published totals.

    totals: one row per published total, one column per cell, non-zero where the cell is part of that total.
    """
    suppressed = suppressed.copy()
    membership = (totals != 0).astype(int)
    unprotectable: set[int] = set()
    while True:
        lone = np.flatnonzero((membership @ suppressed == 1) & (membership @ ~suppressed > 0))
        if lone.size:
            suppressed[_smallest(values, np.flatnonzero(membership[lone[0]].astype(bool) & ~suppressed))] = True
            continue
        pinned = [cell for cell in _pinned_cells(totals, suppressed) if cell not in unprotectable]
        if not pinned:
            return suppressed
        cell = pinned[0]
        neighbours = np.flatnonzero(membership[membership[:, cell] > 0].any(axis=0) & ~suppressed)
        partners = [
            other
            for other in neighbours
            if cell not in _pinned_cells(totals, suppressed | (np.arange(suppressed.size) == other))
        ]
        if partners:
            suppressed[_smallest(values, partners)] = True
        else:
            unprotectable.add(cell)


def _smallest(values: np.ndarray, candidates) -> int:
    """The cell to withhold next: the smallest non-zero candidate, a zero only when nothing else is left."""
    return min(candidates, key=lambda cell: (values[cell] == 0, values[cell]))


def _pinned_cells(totals: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Withheld cells whose value the published totals determine: zero in every direction the hidden values can move."""
    hidden = np.flatnonzero(suppressed)
    free_directions = null_space(totals[:, hidden])
    return hidden[np.all(np.abs(free_directions) < 1e-9, axis=1)]


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
