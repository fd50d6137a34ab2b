"""Validate a whole extract before anything is written: every problem found, safe fixes as warnings."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from cseboard import pii
from cseboard.contract import AGE_BANDS, TABLES_BY_NAME, Column, Table
from cseboard.periods import parse_quarter, quarter_end, quarter_label, quarter_of, quarter_start
from cseboard.readers import RawTable, SourceFile, read_tables
from cseboard.report import Problem, Report

ROW = "__row"
FILE = "__file"


@dataclass
class Extract:
    """A validated extract: typed tables ready to store, its period, and the report."""

    report: Report
    tables: dict[str, pa.Table] = field(default_factory=dict)
    period_start: str | None = None
    period_end: str | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok

    def rows(self, table: str) -> int:
        return self.tables[table].num_rows if table in self.tables else 0


def fold(heading: str) -> str:
    """Headings compare without case, spaces, underscores or punctuation."""
    return re.sub(r"[^a-z0-9]", "", str(heading).lower())


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def validate_files(files: list[SourceFile], report: Report, period: tuple[str, str] | None = None,
                   today: dt.date | None = None) -> Extract:
    """Read and check every file; the Extract carries typed tables only when there is no error."""
    raw_tables = [raw for file in files for raw in read_tables(file, report)]
    return validate_tables(raw_tables, report, period=period, today=today)


def validate_tables(raw_tables: list[RawTable], report: Report, period: tuple[str, str] | None = None,
                    today: dt.date | None = None) -> Extract:
    today = today or dt.date.today()
    extract = Extract(report)
    if period is not None:
        period = _checked_period(period, report)
    con = duckdb.connect()
    typed: dict[str, list[pa.Table]] = {}
    for raw in raw_tables:
        table = TABLES_BY_NAME[raw.table]
        checked = _TableCheck(con, raw, table, report, today).run()
        if checked is not None:
            typed.setdefault(table.name, []).append(checked)
    if not any(raw.table == "referrals" for raw in raw_tables) and report.ok:
        report.error("extract", "missing_table", "the extract has no referrals file (referrals.csv); it is required")
    combined = {name: pa.concat_tables(parts) for name, parts in typed.items()}
    _check_across_rows(con, combined, report)
    if report.ok and "referrals" in combined:
        extract.period_start, extract.period_end = period or _inferred_period(combined["referrals"])
        combined = _within_period(con, combined, extract.period_start, extract.period_end, report)
        extract.tables = combined
    con.close()
    return extract


def _checked_period(period: tuple[str, str], report: Report) -> tuple[str, str] | None:
    try:
        first, last = (quarter_label(*parse_quarter(q)) for q in period)
    except ValueError as exc:
        report.error("extract", "bad_period", str(exc))
        return None
    if quarter_start(last) < quarter_start(first):
        report.error("extract", "bad_period", f"the period ends ({last}) before it starts ({first})")
        return None
    return first, last


def _inferred_period(referrals: pa.Table) -> tuple[str, str]:
    """Without a declared period, the extract covers the quarters from its first to its last referral."""
    dates = referrals.column("referral_date")
    return quarter_of(pa.compute.min(dates).as_py()), quarter_of(pa.compute.max(dates).as_py())


class _TableCheck:
    """Checks one file's table: headings first, then every column's cells in one DuckDB pass."""

    def __init__(self, con, raw: RawTable, table: Table, report: Report, today: dt.date):
        self.con, self.raw, self.table, self.report, self.today = con, raw, table, report, today
        self.file = raw.file

    def run(self) -> pa.Table | None:
        """The typed table (kept only if the whole extract passes), or None for an empty file."""
        columns = self._map_headings()
        if self.raw.cells.num_rows == 0:
            self.report.error(self.file, "no_rows", "the file has a header but no rows")
            return None
        cells = self.raw.cells.append_column(ROW, pa.array(np.arange(2, self.raw.cells.num_rows + 2)))
        self.con.register("raw_cells", cells)
        try:
            return self._check_cells(columns)
        finally:
            self.con.unregister("raw_cells")

    def _map_headings(self) -> dict[str, str]:
        """Contract column name -> heading in the file; identifying, unknown and missing headings reported."""
        lookup = {}
        for column in self.table.columns:
            for name in (column.name, *column.aliases):
                lookup.setdefault(fold(name), column.name)
        mapped: dict[str, str] = {}
        for heading in self.raw.cells.column_names:
            target = lookup.get(fold(heading))
            identifying = pii.identifying_heading(heading)
            if target is None and identifying:
                self.report.error(self.file, "identifying_column",
                                  f"the column looks like {identifying}, which identifies a child; remove it from the extract",
                                  column=heading)
            elif target is None:
                self._unknown_column(heading)
            elif target in mapped:
                self.report.error(self.file, "duplicate_column",
                                  f"both '{mapped[target]}' and '{heading}' would be the {target} column", column=heading)
            else:
                mapped[target] = heading
                if heading != target:
                    self.report.warning(self.file, "heading_alias", f"the heading was read as '{target}'", column=heading)
        for column in self.table.columns:
            if column.name not in mapped and column.required:
                self.report.error(self.file, "missing_column", f"the required column '{column.name}' is missing",
                                  column=column.name)
        return mapped

    def _unknown_column(self, heading: str) -> None:
        """Columns outside the contract are not stored, but are still refused if they hold identifying values."""
        found = pii.identifying_values(self.raw.cells.column(heading), pii.ANY_KINDS)
        for kind, rows in found.items():
            self.report.add(pii_problem(self.file, heading, kind, rows, self.raw.cells.column(heading)), count=len(rows))
        if not found:
            self.report.warning(self.file, "unknown_column", "the column is not in the contract; it was not stored",
                                column=heading)

    def _check_cells(self, columns: dict[str, str]) -> pa.Table | None:
        checks = [ColumnCheck(column, columns.get(column.name), self.today) for column in self.table.columns]
        select = ", ".join([ROW, *(check.select() for check in checks)])
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS SELECT {select} FROM raw_cells")
        flags = [(check, flag) for check in checks for flag in check.flags]
        if flags:
            counts = self.con.execute(
                "SELECT " + ", ".join(f"count_if({flag.name})" for _, flag in flags) + " FROM checked").fetchall()[0]
            for (check, flag), count in zip(flags, counts):
                if count:
                    self._report_flag(check, flag, count)
        for check in checks:
            if check.heading is not None and check.column.kind in ("id", "text"):
                self._scan_identifying(check)
        names = [c.name for c in self.table.columns]
        return self.con.sql(
            f"SELECT {', '.join(names)}, {sql_text(self.file)} AS {FILE}, {ROW} FROM checked ORDER BY {ROW}"
        ).to_arrow_table()

    def _report_flag(self, check: "ColumnCheck", flag: "Flag", count: int) -> None:
        rows = self.con.execute(
            f"SELECT {ROW}, {check.raw_name} FROM checked WHERE {flag.name} ORDER BY {ROW} LIMIT 20").fetchall()
        severity = "warning" if flag.warning else "error"
        for row, value in rows:
            self.report.add(_problem(severity, self.file, flag.rule, flag.message, check.heading, row, value))
        if count > len(rows):
            key = (severity, self.file, check.heading, flag.rule)
            self.report.totals[key] += count - len(rows)

    def _scan_identifying(self, check: "ColumnCheck") -> None:
        kinds = pii.ID_KINDS if check.column.kind == "id" else pii.TEXT_KINDS
        values = self.raw.cells.column(check.heading)
        for kind, rows in pii.identifying_values(values, kinds).items():
            self.report.add(pii_problem(self.file, check.heading, kind, rows, values), count=len(rows))


def _problem(severity, file, rule, message, column, row, value) -> Problem:
    return Problem(severity, file, rule, message, column=column, row=int(row), value=None if value is None else str(value)[:60])


def pii_problem(file: str, heading: str, kind: str, rows: np.ndarray, values: pa.ChunkedArray) -> Problem:
    """One refusal for identifying values, naming the first row; the value itself is masked."""
    first = int(rows[0])
    count = len(rows)
    more = f" (and {count - 1} more rows)" if count > 1 else ""
    return Problem("error", file, "identifying_value",
                   f"the value looks like {kind}, which identifies a child{more}; remove it from the extract",
                   column=heading, row=first + 2, value=pii.mask(str(values[first].as_py())))


@dataclass(frozen=True)
class Flag:
    """A boolean column computed in the check pass: true where the rule is broken (or a fix applied)."""

    name: str
    rule: str
    message: str
    warning: bool = False


class ColumnCheck:
    """SQL that parses one contract column from text and flags each way a cell can be wrong."""

    def __init__(self, column: Column, heading: str | None, today: dt.date):
        self.column, self.heading, self.today = column, heading, today
        self.raw_name = f'"raw_{column.name}"'
        self.flags: list[Flag] = []
        self._selects: list[str] = []
        self._build()

    def select(self) -> str:
        return ", ".join(self._selects)

    def _flag(self, condition: str, rule: str, message: str, warning: bool = False) -> None:
        name = f"flag_{self.column.name}_{len(self.flags)}"
        self._selects.append(f"coalesce({condition}, false) AS {name}")
        self.flags.append(Flag(name, rule, message, warning))

    def _build(self) -> None:
        column = self.column
        if self.heading is None:
            self._selects.append(f"NULL::{SQL_TYPES[column.kind]} AS {column.name}, NULL::VARCHAR AS {self.raw_name}")
            return
        source = '"' + self.heading.replace('"', '""') + '"'
        value = f"trim({source}, ' \t\r\n\u00a0')"
        self._selects.append(f"{source} AS {self.raw_name}")
        self._flag(f"{source} <> {value}", "trimmed", "spaces around the value were removed", warning=True)
        if column.required:
            self._flag(f"{value} = ''", "required", "the value is empty but the column is required")
        getattr(self, f"_parse_{column.kind}")(value)

    def _parse_id(self, value: str) -> None:
        self._selects.append(f"{value} AS {self.column.name}")
        self._flag(f"left({value}, 1) IN ('=', '+', '-', '@')", "formula_text",
                   "the value starts like a spreadsheet formula; it is stored as text and neutralised in downloads",
                   warning=True)

    _parse_text = _parse_id

    def _parse_date(self, value: str) -> None:
        parsed = (f"coalesce(try_strptime({value}, '%Y-%m-%d'), try_strptime({value}, '%d/%m/%Y'), "
                  f"try_strptime({value}, '%Y-%m-%d %H:%M:%S'), try_strptime({value}, '%Y-%m-%dT%H:%M:%S'))::DATE")
        self._selects.append(f"CASE WHEN {value} = '' THEN NULL ELSE {parsed} END AS {self.column.name}")
        self._flag(f"{value} <> '' AND {parsed} IS NULL", "bad_date",
                   "not a date; use YYYY-MM-DD or DD/MM/YYYY")
        self._flag(f"{parsed} > DATE '{self.today.isoformat()}'", "future_date", "the date is in the future")
        self._flag(f"{parsed} < DATE '2000-01-01'", "old_date", "the date is before 2000; is it a date of birth?")
        self._flag(f"{value} LIKE '%/%' AND {parsed} IS NOT NULL", "uk_date",
                   "a UK date (DD/MM/YYYY) was read as ISO YYYY-MM-DD", warning=True)

    def _parse_int(self, value: str) -> None:
        parsed = f"TRY_CAST(regexp_extract({value}, '^(-?[0-9]+)(\\.0+)?$', 1) AS BIGINT)"
        self._selects.append(f"{parsed} AS {self.column.name}")
        self._flag(f"{value} <> '' AND {parsed} IS NULL", "bad_integer", "not a whole number")
        low, high = self.column.minimum, self.column.maximum
        if low is not None or high is not None:
            within = " and ".join(part for part in (f"at least {low}" if low is not None else "",
                                                    f"at most {high}" if high is not None else "") if part)
            outside = " OR ".join(part for part in (f"{parsed} < {low}" if low is not None else "",
                                                    f"{parsed} > {high}" if high is not None else "") if part)
            self._flag(outside, "out_of_range", f"the number must be {within}")

    def _parse_choice(self, value: str) -> None:
        mapping = {label.lower(): label for label in self.column.choices}
        mapping.update({code.lower(): label for code, label in self.column.codes.items()})
        cases = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(label)}" for key, label in mapping.items())
        parsed = f"CASE lower({value}) {cases} END"
        self._selects.append(f"{parsed} AS {self.column.name}")
        allowed = ", ".join(self.column.choices)
        self._flag(f"{value} <> '' AND {parsed} IS NULL", "bad_choice", f"not an allowed value; use one of: {allowed}")
        self._flag(f"{parsed} <> {value}", "code_mapped", "a code or spelling was mapped to the contract's label",
                   warning=True)

    def _parse_yesno(self, value: str) -> None:
        parsed = (f"CASE WHEN lower({value}) IN ('yes', 'y', 'true', '1') THEN true "
                  f"WHEN lower({value}) IN ('no', 'n', 'false', '0') THEN false END")
        self._selects.append(f"{parsed} AS {self.column.name}")
        self._flag(f"{value} <> '' AND {parsed} IS NULL", "bad_choice", "not an allowed value; use yes or no")

    def _parse_list(self, value: str) -> None:
        vocabulary = "[" + ", ".join(sql_text(item) for item in self.column.choices) + "]"
        items = (f"list_filter(list_transform(string_split({value}, ';'), "
                 f"lambda x: regexp_replace(lower(trim(x)), '[ -]+', '_', 'g')), lambda x: x <> '')")
        self._selects.append(f"list_sort(list_distinct({items})) AS {self.column.name}")
        unknown = f"list_filter({items}, lambda x: NOT list_contains({vocabulary}, x))"
        self._flag(f"len({unknown}) > 0", "bad_list_item",
                   f"holds an item not in the list; separate items with ';' and use: {', '.join(self.column.choices)}")

    def _parse_quarter(self, value: str) -> None:
        match = f"regexp_extract(upper({value}), '^([0-9]{{4}})[ _-]?Q([1-4])$', ['year', 'quarter'])"
        parsed = f"CASE WHEN {match}.year <> '' THEN {match}.year || '-Q' || {match}.quarter END"
        self._selects.append(f"{parsed} AS {self.column.name}")
        self._flag(f"{value} <> '' AND {parsed} IS NULL", "bad_quarter", "not a quarter; use the form 2025-Q3")


SQL_TYPES = {"id": "VARCHAR", "text": "VARCHAR", "date": "DATE", "int": "BIGINT", "choice": "VARCHAR",
             "yesno": "BOOLEAN", "list": "VARCHAR[]", "quarter": "VARCHAR"}

# Rules that need more than one cell: (table, SQL condition over the table, rule, message, column).
ROW_RULES = {
    "missing_episodes": [
        ("end_date < start_date", "end_before_start", "the episode ends before it starts", "end_date"),
        ("return_interview_date < start_date", "interview_before_missing",
         "the return interview is dated before the child went missing", "return_interview_date"),
    ],
    "training": [
        ("staff_trained > staff_in_scope", "trained_exceeds_scope", "more staff trained than in scope", "staff_trained"),
    ],
    "population": [
        (f"NOT (age_band IN ({', '.join(sql_text(b) for b in AGE_BANDS)}) OR regexp_full_match(age_band, '1?[0-9]') "
         "AND TRY_CAST(age_band AS INT) <= 17)",
         "bad_age_band", "use an age band (" + ", ".join(AGE_BANDS) + ") or a single year of age 0-17", "age_band"),
    ],
}


def _check_across_rows(con, tables: dict[str, pa.Table], report: Report) -> None:
    """Uniqueness and rules that compare columns, over all files of a table together."""
    for name, typed in tables.items():
        con.register("typed", typed)
        unique = TABLES_BY_NAME[name].unique
        if unique:
            key = ", ".join(unique)
            duplicates = con.execute(
                f"SELECT {FILE}, {ROW}, concat_ws(' / ', {key}) FROM typed "
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {FILE}, {ROW}) > 1 "
                f"ORDER BY {FILE}, {ROW}").fetchall()
            what = unique[0] if len(unique) == 1 else "combination of " + ", ".join(unique)
            for file, row, value in duplicates:
                report.add(_problem("error", file, "duplicate_id", f"the {what} appears more than once; each must be unique",
                                    unique[0], row, value))
        for condition, rule, message, column in ROW_RULES.get(name, []):
            for file, row, value in con.execute(
                f"SELECT {FILE}, {ROW}, {column}::VARCHAR FROM typed WHERE {condition} ORDER BY {FILE}, {ROW}"
            ).fetchall():
                report.add(_problem("error", file, rule, message, column, row, value))
        con.unregister("typed")


PERIOD_DATE = {"referrals": "referral_date", "missing_episodes": "start_date"}


def _within_period(con, tables: dict[str, pa.Table], first: str, last: str, report: Report) -> dict[str, pa.Table]:
    """Rows dated outside the extract's period are left out, with a warning saying how many."""
    start, end = quarter_start(first), quarter_end(last)
    kept = {}
    for name, typed in tables.items():
        con.register("typed", typed)
        if name in PERIOD_DATE:
            condition = f"{PERIOD_DATE[name]} BETWEEN DATE '{start}' AND DATE '{end}'"
        elif name == "training":
            condition = f"period BETWEEN '{first}' AND '{last}'"
        else:
            condition = "true"
        outside = con.execute(f"SELECT {FILE}, count(*) FROM typed WHERE NOT ({condition}) GROUP BY ALL").fetchall()
        for file, count in outside:
            # counted per row, so the report (and the quality report) knows how many were left out
            report.add(Problem("warning", file, "outside_period",
                               f"{count} row{'' if count == 1 else 's'} dated outside the extract's period {first} to {last} were left out"),
                       count=count)
        names = [c.name for c in TABLES_BY_NAME[name].columns]
        kept[name] = con.sql(f"SELECT {', '.join(names)} FROM typed WHERE {condition}").to_arrow_table()
        con.unregister("typed")
    return kept

