"""What the store holds for each quarter of a period: loaded or not, which tables were supplied, partial or complete.
A figure for data never supplied is "no data", never 0; a partial quarter is never compared as if it were complete."""
from __future__ import annotations

from dataclasses import dataclass

from cseboard.filters import Filters
from cseboard.questions.section import Fetch

TABLE_WORDS = {"missing_episodes": "missing-episode", "training": "training", "population": "population"}


@dataclass(frozen=True)
class Coverage:
    """Per quarter of a period: loaded, the tables supplied, and partial (under way when its extract was loaded)."""

    quarters: tuple[str, ...]
    loaded: frozenset[str]
    supplied: dict
    partial: frozenset[str]

    def has(self, table: str, quarter: str) -> bool:
        return quarter in self.supplied.get(table, frozenset())

    def gap(self, quarter: str, table: str | None = None) -> str | None:
        """Why a quarter has no figure ("2026-Q3 not loaded", "No missing-episode data for 2026-Q3"), or None."""
        if quarter not in self.loaded:
            return f"{quarter} not loaded"
        if table is not None and not self.has(table, quarter):
            return f"No {TABLE_WORDS[table]} data for {quarter}"
        return None

    def partial_note(self) -> str | None:
        """A warning that a quarter of the period was not over when its extract was taken, or None."""
        under_way = [quarter for quarter in self.quarters if quarter in self.partial]
        if not under_way:
            return None
        named = ", ".join(under_way)
        verb, it = ("is a partial quarter", "it was") if len(under_way) == 1 else ("are partial quarters", "they were")
        return (f"{named} {verb}: {it} not over when the extract was taken, so the figures cover only part "
                "and are not compared with complete quarters.")


def coverage(fetch: Fetch, filters: Filters) -> Coverage:
    """The store's coverage of the filters' quarters."""
    rows = fetch("quarter_coverage", filters)
    return Coverage(
        quarters=tuple(filters.quarters()),
        loaded=frozenset(rows.quarter),
        supplied={table: frozenset(rows.quarter[rows[f"has_{table}"]]) for table in TABLE_WORDS},
        partial=frozenset(rows.quarter[rows.partial]),
    )
