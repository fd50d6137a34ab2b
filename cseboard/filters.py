"""The shared sidebar filters: one value object, its SQL parameters, its words, and its URL form."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cseboard.periods import quarter_start, quarters_between

URL_KEYS = {"areas": "area", "sources": "source", "age_bands": "age", "genders": "gender"}
ONE_OR_ALL = 1
"""Each list filter takes one value or all (docs/disclosure.md, limits on slicing): with any subset allowed, the same
cell is the difference of many pairs of views, each rounded on its own, and averaging those differences would find
it; with one or all, a cell is in a handful of views."""
YEAR = 4


def period_length(quarters: int) -> int:
    """The period a viewer may see: one quarter or whole years, the longest that fits in the quarters chosen
    (docs/disclosure.md, limits on slicing): with every run of quarters allowed, the same quarter is the difference
    of many pairs of periods, each rounded on its own, and averaging them found a third more small counts."""
    return 1 if quarters < YEAR else quarters - quarters % YEAR


LIST_LABELS = {"areas": "areas", "sources": "referral sources", "age_bands": "age bands", "genders": "genders"}


@dataclass(frozen=True)
class Filters:
    """What the user chose; an empty tuple means all. Hashable, so it keys caches."""

    first_quarter: str
    last_quarter: str
    areas: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters shared by every query: dates for the period, NULL lists for 'all'."""
        return {
            "period_start": quarter_start(self.first_quarter),
            "period_end": quarter_start(self.last_quarter),
            **{name: list(getattr(self, name)) or None for name in URL_KEYS},
        }

    def quarters(self) -> list[str]:
        return quarters_between(self.first_quarter, self.last_quarter)

    def with_period(self, first_quarter: str, last_quarter: str) -> "Filters":
        return replace(self, first_quarter=first_quarter, last_quarter=last_quarter)

    def describe(self) -> str:
        """The filters in words, shown on every page."""
        period = (self.first_quarter if self.first_quarter == self.last_quarter
                  else f"{self.first_quarter} to {self.last_quarter}")
        parts = [f"Period {period}"]
        for name, label in LIST_LABELS.items():
            chosen = getattr(self, name)
            parts.append(f"{label}: {', '.join(chosen)}" if chosen else f"all {label}")
        return "; ".join(parts) + "."

    def to_url(self) -> dict[str, str | list[str]]:
        query = {"from": self.first_quarter, "to": self.last_quarter}
        query.update({key: list(getattr(self, name)) for name, key in URL_KEYS.items() if getattr(self, name)})
        return query


def from_url(query: Mapping[str, list[str]], quarters: list[str], options: Mapping[str, list[str]]) -> Filters:
    """Read filters from a shared link, keeping only values that exist in the data (a stale link still opens), the
    first of several values for a list filter (one or all), and a period of one quarter or whole years ending at the
    last quarter chosen."""
    first = next((q for q in query.get("from", []) if q in quarters), quarters[max(0, len(quarters) - 4)])
    last = next((q for q in query.get("to", []) if q in quarters), quarters[-1])
    if quarter_start(last) < quarter_start(first):
        first, last = last, first
    end = quarters.index(last)
    first = quarters[end - period_length(end - quarters.index(first) + 1) + 1]
    chosen = {name: tuple(v for v in query.get(key, []) if v in options.get(name, []))[:ONE_OR_ALL]
              for name, key in URL_KEYS.items()}
    return Filters(first, last, **chosen)
