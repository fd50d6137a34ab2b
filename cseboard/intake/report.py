"""Validation findings: every problem names its file, row, column, value and rule."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from cseboard.intake import pii

ERROR = "error"
WARNING = "warning"
SAMPLES_PER_RULE = 20


@dataclass(frozen=True)
class Problem:
    """One finding; row as a spreadsheet numbers it (header = row 1), None for file-level findings; count is how
    many rows it stands for (a grouped warning or a refusal with "and N more rows")."""

    severity: str
    file: str
    rule: str
    message: str
    column: str | None = None
    row: int | None = None
    value: str | None = None
    count: int = 1

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        shown = f" (value '{self.value}')" if self.value not in (None, "") else ""
        return f"{where}{shown}: {self.message}"


@dataclass
class Report:
    """All findings of one validation; row-level rules keep a few samples and an exact count."""

    problems: list[Problem] = field(default_factory=list)
    totals: Counter = field(default_factory=Counter)

    def add(self, problem: Problem, count: int = 1) -> None:
        """Kept with anything identifying in it masked, whichever rule it reports (see pii.masked)."""
        file, column = _masked_within(problem.file), _masked(problem.column)
        key = (problem.severity, file, column, problem.rule)
        if self.totals[key] < SAMPLES_PER_RULE:
            self.problems.append(replace(problem, file=file, column=column, value=_masked_value(problem.value),
                                         message=_masked_within(problem.message), count=count))
        self.totals[key] += count

    def error(self, file: str, rule: str, message: str, **where) -> None:
        self.add(Problem(ERROR, file, rule, message, **where))

    def warning(self, file: str, rule: str, message: str, **where) -> None:
        self.add(Problem(WARNING, file, rule, message, **where))

    def extend(self, other: "Report") -> None:
        self.problems.extend(other.problems)
        self.totals.update(other.totals)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not any(severity == ERROR for severity, *_ in self.totals)

    def count(self, severity: str) -> int:
        return sum(n for (sev, *_), n in self.totals.items() if sev == severity)

    def summary_rows(self) -> list[dict]:
        """One row per (severity, file, column, rule) with its exact count, errors first."""
        rows = [
            {"severity": sev, "file": file, "column": column or "", "rule": rule, "count": n}
            for (sev, file, column, rule), n in self.totals.items()
        ]
        return sorted(rows, key=lambda r: (r["severity"] != ERROR, r["file"], r["column"], r["rule"]))

    def text(self) -> str:
        """Plain text for the shell: verdict, then every sampled finding."""
        verdict = "can load" if self.ok else "cannot load"
        lines = [f"Verdict: {verdict} ({self.count(ERROR)} errors, {self.count(WARNING)} warnings)"]
        for problem in sorted(self.problems, key=lambda p: p.severity != ERROR):
            lines.append(f"  [{problem.severity}] {problem}")
        shown = Counter()
        for problem in self.problems:
            shown[(problem.severity, problem.file, problem.column, problem.rule)] += problem.count
        for (sev, file, column, rule), total in self.totals.items():
            if total > shown[(sev, file, column, rule)]:
                lines.append(f"  [{sev}] {file}, column '{column}': {total - shown[(sev, file, column, rule)]:,} more "
                             f"like this ({rule})")
        return "\n".join(lines)


@lru_cache(maxsize=4096)
def _masked_value(text: str | None) -> str | None:
    return pii.masked(text, pii.VALUE_MASKED_KINDS)


@lru_cache(maxsize=4096)
def _masked(text: str | None) -> str | None:
    return pii.masked(text)


@lru_cache(maxsize=4096)
def _masked_within(text: str | None) -> str | None:
    return pii.masked_within(text) if text else text
