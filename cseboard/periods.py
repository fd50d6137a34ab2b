"""Quarter arithmetic: the dashboard reports by calendar quarter (e.g. 2025-Q3)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

QUARTER_PATTERN = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*Q([1-4])\s*$", re.IGNORECASE)


def parse_quarter(text: str) -> tuple[int, int]:
    """Read '2025-Q3' (also '2025 Q3', '2025Q3') as (year, quarter); ValueError otherwise."""
    match = QUARTER_PATTERN.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2025-Q3")
    return int(match.group(1)), int(match.group(2))


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def quarter_of(day: dt.date) -> str:
    return quarter_label(day.year, (day.month - 1) // 3 + 1)


def quarter_start(label: str) -> dt.date:
    year, quarter = parse_quarter(label)
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(label: str) -> dt.date:
    """Last day of the quarter, for 'dated within the period' checks."""
    year, quarter = parse_quarter(label)
    following = dt.date(year + quarter // 4, 3 * (quarter % 4) + 1, 1)
    return following - dt.timedelta(days=1)


def shift_quarter(label: str, quarters: int) -> str:
    year, quarter = parse_quarter(label)
    index = year * 4 + (quarter - 1) + quarters
    return quarter_label(index // 4, index % 4 + 1)


def quarters_between(first: str, last: str) -> list[str]:
    """Every quarter from first to last inclusive (empty when last is before first)."""
    labels = []
    current = quarter_label(*parse_quarter(first))
    while quarter_start(current) <= quarter_start(last):
        labels.append(current)
        current = shift_quarter(current, 1)
    return labels


def quarters_held(quarters: Iterable[str], present: Iterable[str]) -> list[str]:
    """The quarters, in order, that some data is present in: a quarter with none is left out of a chart, never read
    as zero."""
    held = set(present)
    return [quarter for quarter in quarters if quarter in held]
