"""Validate a whole extract before anything is written: every problem found, safe fixes as warnings."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cseboard.intake import pii
from cseboard.contract import AGE_BANDS, TABLES_BY_NAME, Column, Table
from cseboard.periods import parse_quarter, quarter_end, quarter_label, quarter_of, quarter_start, quarters_between
from cseboard.intake.readers import RawTable, SourceFile, read_tables
from cseboard.intake.report import Problem, Report

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
    """Headings compare without case, spaces, underscores, punctuation or invisible characters."""
    return pii.fold_heading(heading).replace(" ", "")


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
    checked_tables = _checked_tables(con, raw_tables, today)
    pa.default_memory_pool().release_unused()  # what the checks freed goes back to the system: -0.6 GB at 3M rows
    for raw, found, checked in checked_tables:
        for problem, count in found.made:
            report.add(problem, count=count)
        if checked is not None:
            typed.setdefault(raw.table, []).append(checked)
    if not any(raw.table == "referrals" for raw in raw_tables) and report.ok:
        report.error("extract", "missing_table", "the extract has no referrals file (referrals.csv); it is required")
    combined = {name: pa.concat_tables(parts) for name, parts in typed.items()}
    _check_across_rows(con, combined, report)
    if report.ok and "referrals" in combined:
        extract.period_start, extract.period_end = period or _inferred_period(combined["referrals"])
        combined = _within_period(con, combined, extract.period_start, extract.period_end, report)
        _check_period_holds_referrals(combined["referrals"], extract, declared=period is not None)
        extract.tables = combined if report.ok else {}
    con.close()
    return extract


class _Made(Report):
    """One file's findings, kept in the order they were made, for the extract's report to add in file order."""

    def __init__(self):
        super().__init__()
        self.made: list[tuple[Problem, int]] = []

    def add(self, problem: Problem, count: int = 1) -> None:
        self.made.append((problem, count))


def _checked_tables(con, raw_tables: list[RawTable], today: dt.date) -> list[tuple[RawTable, _Made, pa.Table | None]]:
    """Each file's table checked on its own thread, with its own DuckDB cursor: pyarrow and DuckDB release the
    GIL, so the two big tables (referrals, missing episodes) share the two cores. Findings come back in file
    order, to be added to the report exactly as if the files had been checked one after another."""

    def check(raw: RawTable, cursor) -> tuple[RawTable, _Made, pa.Table | None]:
        found = _Made()
        try:
            return raw, found, _TableCheck(cursor, raw, TABLES_BY_NAME[raw.table], found, today).run()
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(check, raw, con.cursor()) for raw in raw_tables]
        return [future.result() for future in futures]


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
        """The typed table (kept only if the whole extract passes), or None for an empty file.

        The cells are checked a batch at a time (one DuckDB pass per batch); what is found is added up over
        the batches and reported at the end exactly as for one pass over the whole file."""
        self.unknown: list[str] = []
        columns = self._map_headings()
        timed = TIMED.get(self.table.name, ())
        checks = [ColumnCheck(column, columns.get(column.name), self.today, keep_time=column.name in timed)
                  for column in self.table.columns]
        found = _Findings(checks, self.unknown, self.raw.spreadsheet_row)
        parts, first_row = [], 2
        for cells in _read_ahead(self.raw.batches(self.report)):
            hits: dict = {}
            typed: dict[str, pa.Array] = {}
            for c in checks:
                typed.update(_missing(c, cells.num_rows) if c.heading is None
                             else _check_rows(c, cells.column(c.heading), hits) if c.column.kind in ROW_KINDS
                             else self._check_values(c, cells.column(c.heading), hits, found))
            found.add(cells, hits, first_row - 2)
            file = pa.DictionaryArray.from_arrays(pa.array(np.zeros(cells.num_rows, dtype=np.int32)), pa.array([self.file]))
            rows = pa.array(self.raw.spreadsheet_rows(first_row - 2, cells.num_rows))
            # one chunk per column per batch: DuckDB scans (and the store inserts) aligned batches far faster
            parts.append(pa.table([*typed.values(), file, rows], names=[*typed, FILE, ROW]).combine_chunks())
            first_row += cells.num_rows
            pa.default_memory_pool().release_unused()  # freed batches go back to the system (mimalloc keeps them)
        if not parts:
            self.report.error(self.file, "no_rows", "the file has a header but no rows")
            return None
        found.report(self.report, self.file)
        return pa.concat_tables(parts)

    def _checked(self, sql: str, cells: pa.Table) -> pa.Table:
        self.con.register("raw_cells", cells)
        try:
            checked = self.con.sql(sql).to_arrow_table()
        finally:
            self.con.unregister("raw_cells")
        if not _ascending(checked.column(ROW)):  # DuckDB keeps scan order; this only guards that
            checked = checked.sort_by(ROW)
        return checked

    def _check_values(self, check: "ColumnCheck", column: pa.ChunkedArray, hits: dict,
                      found: "_Findings") -> dict[str, pa.Array]:
        """A column with few distinct values (dates, codes, choices, lists, areas) is parsed and checked once
        per distinct value, and the results spread back to the rows: the same answers for far less work.
        Text and lists stay dictionary-encoded (each distinct typed value stored once); dates, numbers and
        yes/no are spread back by `take`."""
        encoded = pc.dictionary_encode(column.combine_chunks())
        dictionary, characters = _characters(encoded.dictionary)
        values = pa.table({check.heading: dictionary, ROW: pa.array(np.arange(len(dictionary)))})
        checked = self._checked(_check_sql([check]), values)
        typed = checked.column(check.column.name).combine_chunks()
        if check.column.max_length is not None:
            characters["too_long"] = pc.greater(pc.utf8_length(typed), check.column.max_length)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        for flag in check.flags:
            hits[flag.name] = _ValueHits(checked.column(flag.name) if flag.in_sql else characters[flag.rule], indices)
        if check.column.kind == "text":
            found.scan_values(check.heading, dictionary, indices)
        if check.column.kind in ENCODED_KINDS:
            return {check.column.name: _encoded(typed, indices, check.column)}
        spread = {check.column.name: typed.take(encoded.indices)}
        if check.keep_time:
            spread[check.time_name] = checked.column(check.time_name).combine_chunks().take(encoded.indices)
        return spread

    def _map_headings(self) -> dict[str, str]:
        """Contract column name -> heading in the file; identifying, unknown and missing headings reported."""
        lookup = {}
        for column in self.table.columns:
            for name in (column.name, *column.aliases):
                lookup.setdefault(fold(name), column.name)
        mapped: dict[str, str] = {}
        for heading in self.raw.column_names:
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
        """Columns outside the contract are not stored, but are still refused if they hold identifying values
        (scanned with the cells, batch by batch: see _Findings)."""
        self.unknown.append(heading)


ROW_KINDS = ("id",)  # checked row by row; every other kind once per distinct value
ENCODED_KINDS = ("text", "choice", "quarter", "list")  # kept dictionary-encoded in the typed tables
ARROW_TYPES = {"id": pa.string(), "text": pa.string(), "date": pa.date32(), "int": pa.int64(), "choice": pa.string(),
               "yesno": pa.bool_(), "list": pa.list_(pa.string()), "quarter": pa.string()}
SPACES = " \t\r\n\u00a0"  # trimmed from both ends of every cell


def _index_type(column: Column) -> type:
    """A choice holds one of its few labels, so one byte per row indexes it; other columns may hold many."""
    return np.int8 if column.kind == "choice" else np.int32


def _missing(check: "ColumnCheck", rows: int) -> dict[str, pa.Array]:
    """An absent optional column: nulls of the type the column has when present."""
    column = check.column
    if column.kind in ENCODED_KINDS:
        return {column.name: pa.DictionaryArray.from_arrays(pa.nulls(rows, pa.from_numpy_dtype(_index_type(column))),
                                                            pa.array([], ARROW_TYPES[column.kind]))}
    nulls = {column.name: pa.nulls(rows, ARROW_TYPES[column.kind])}
    if check.keep_time:
        nulls[check.time_name] = pa.nulls(rows, pa.timestamp("us"))
    return nulls


def _characters(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array | pa.ChunkedArray, dict[str, pa.Array]]:
    """Values with zero-width and bidirectional characters removed, and where those and control characters
    (a NUL byte...) were found. One quick pass finds the values that are not plain printable ASCII; only
    where there are some is each kind sought."""
    if pc.all(pc.ascii_is_printable(values)).as_py() is not False:
        clean = pa.array(np.zeros(len(values), dtype=bool))
        return values, {"control_character": clean, "invisible_characters": clean}
    found = {"control_character": pc.match_substring_regex(values, pii.CONTROL),
             "invisible_characters": pc.match_substring_regex(values, pii.INVISIBLE)}
    if pc.any(found["invisible_characters"]).as_py():
        values = pc.replace_substring_regex(values, pii.INVISIBLE, "")
    return values, found


def _check_rows(check: "ColumnCheck", raw: pa.ChunkedArray, hits: dict) -> dict[str, pa.ChunkedArray]:
    """An id column (nearly every value distinct) is checked row by row in pyarrow: the same rules as the
    SQL of ColumnCheck (trim, required, formula-like start, characters, length), one vectorised pass each,
    no copy into DuckDB."""
    cleaned, flags = _characters(raw)
    value = pc.utf8_trim(cleaned, characters=SPACES)
    length = pc.binary_length(value)
    flags.update({"trimmed": pc.not_equal(pc.binary_length(cleaned), length),  # trimming only removes characters
                  "required": pc.equal(length, 0),
                  "formula_text": pc.match_substring_regex(value, r"^[=+\-@]"),
                  "too_long": pc.greater(pc.utf8_length(value), check.column.max_length)})
    for flag in check.flags:
        hits[flag.name] = _RowHits(flags[flag.rule])
    return {check.column.name: value}


def _encoded(values: pa.Array, indices: np.ndarray, column: Column) -> pa.DictionaryArray:
    """Typed values (one per distinct cell) spread to the rows as a dictionary array: each distinct typed value
    once in the dictionary (' Male', 'm' and 'Male' are one entry), null rows as null indices."""
    keys = pc.binary_join(values, ";") if column.kind == "list" else values  # items never hold ';'
    codes = pc.dictionary_encode(keys).indices.fill_null(-1).to_numpy()
    valid = np.flatnonzero(codes >= 0)
    _, first = np.unique(codes[valid], return_index=True)  # where each distinct typed value first appears
    dictionary = values.take(pa.array(valid[first]))
    rows = codes[indices].astype(_index_type(column))
    row_indices = pa.array(rows, mask=rows < 0) if (codes < 0).any() else pa.array(rows)
    return pa.DictionaryArray.from_arrays(row_indices, dictionary.cast(ARROW_TYPES[column.kind]))


def _read_ahead(batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """The next batch is read (CSV parsed on another thread, which releases the GIL) while this one is checked;
    at most two batches are held at once."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        following = reader.submit(next, batches, None)
        while (batch := following.result()) is not None:
            following = reader.submit(next, batches, None)
            yield batch


class _RowHits:
    """Where a flag computed row by row is set."""

    def __init__(self, flags: pa.ChunkedArray):
        self.flags = flags

    def count(self) -> int:
        return pc.sum(self.flags).as_py() or 0

    def rows(self, limit: int) -> np.ndarray:
        return np.flatnonzero(self.flags.to_numpy(zero_copy_only=False))[:limit]


class _ValueHits:
    """Where a flag computed once per distinct value is set: the rows holding a flagged value."""

    def __init__(self, flags: pa.ChunkedArray, indices: np.ndarray):
        self.flagged = np.flatnonzero(flags.to_numpy(zero_copy_only=False))
        self.indices = indices

    def count(self) -> int:
        if not self.flagged.size:
            return 0
        return int(np.isin(self.indices, self.flagged).sum())

    def rows(self, limit: int) -> np.ndarray:
        return np.flatnonzero(np.isin(self.indices, self.flagged))[:limit]


def _ascending(rows: pa.ChunkedArray) -> bool:
    values = rows.to_numpy()
    return values.size < 2 or bool(np.all(values[1:] > values[:-1]))


def _check_sql(checks: list["ColumnCheck"]) -> str:
    """One pass in three steps, so each cell is trimmed once and parsed once: trimmed text, parsed values,
    then the flags (each rule a boolean column) read off the parsed values."""
    trimmed = ", ".join([ROW, *(part for check in checks for part in check.trimmed)])
    parsed = ", ".join([ROW, *(part for check in checks for part in check.parsed)])
    final = ", ".join([ROW, *(part for check in checks for part in check.final)])
    return (f"WITH trimmed AS (SELECT {trimmed} FROM raw_cells), parsed AS (SELECT {parsed} FROM trimmed) "
            f"SELECT {final} FROM parsed")


class _Findings:
    """Rule breaks and identifying values found so far, batch by batch: exact counts, the first few rows."""

    def __init__(self, checks: list["ColumnCheck"], unknown: list[str], row_of: Callable[[int], int]):
        self.flags = [(check, flag) for check in checks for flag in check.flags]
        self.counts = [0] * len(self.flags)
        self.samples: list[list[tuple[int, str]]] = [[] for _ in self.flags]
        self.scans = [(check.heading, pii.ID_KINDS if check.column.kind == "id" else pii.TEXT_KINDS)
                      for check in checks if check.heading is not None and check.column.kind in ("id", "text")]
        self.unknown = unknown
        self.identifying: dict[tuple[str, str], list] = {}  # (heading, kind) -> [first row index, value, count]
        self.controls: dict[str, list] = {}  # unknown column -> [first row index, value, count] of control characters
        self.scanned: set[str] = set()  # headings of this batch already scanned by distinct value
        self.offset = 0  # rows before this batch
        self.row_of = row_of  # the spreadsheet row of a record, counted from 0

    def add(self, cells: pa.Table, hits: dict, offset: int) -> None:
        for index, (check, flag) in enumerate(self.flags):
            found = hits[flag.name]
            count = found.count()
            if not count:
                continue
            self.counts[index] += count
            wanted = SAMPLES - len(self.samples[index])
            if wanted > 0:
                rows = found.rows(wanted)
                values = cells.column(check.heading).take(pa.array(rows)).to_pylist()
                self.samples[index].extend((self.row_of(int(row) + offset), value) for row, value in zip(rows, values))
        for heading in self.unknown:
            control = _characters(cells.column(heading))[1]["control_character"]
            rows = np.flatnonzero(control.to_numpy(zero_copy_only=False))
            if rows.size:
                entry = self.controls.setdefault(heading, [int(rows[0]) + offset, cells.column(heading)[int(rows[0])].as_py(), 0])
                entry[2] += rows.size
        for heading, kinds in [*self.scans, *((h, pii.ANY_KINDS) for h in self.unknown)]:
            if heading in self.scanned:
                continue
            values = cells.column(heading)
            if not _may_identify(values, kinds):
                continue
            for kind, rows in pii.identifying_values(values, kinds).items():
                self._identifying(heading, kind, int(rows[0]) + offset, values[int(rows[0])].as_py(), len(rows))
        self.offset = offset + cells.num_rows
        self.scanned.clear()

    def scan_values(self, heading: str, dictionary: pa.Array, indices: np.ndarray) -> None:
        """The identifying-value scan of a column checked by distinct value: each value once."""
        self.scanned.add(heading)
        kinds = next(k for h, k in self.scans if h == heading)
        if not _may_identify(dictionary, kinds):
            return
        for kind, values in pii.identifying_values(dictionary, kinds).items():
            rows = np.flatnonzero(np.isin(indices, values))
            self._identifying(heading, kind, int(rows[0]) + self.offset, dictionary[int(indices[rows[0]])].as_py(), len(rows))

    def _identifying(self, heading: str, kind: str, first: int, value, count: int) -> None:
        entry = self.identifying.setdefault((heading, kind), [first, value, 0])
        entry[2] += count

    def report(self, report: Report, file: str) -> None:
        for (check, flag), count, samples in zip(self.flags, self.counts, self.samples):
            if not count:
                continue
            if flag.warning:  # a fix applied: one line per column, with its count and the first example
                row, value = samples[0]
                more = f" ({count:,} rows like this in the column; the first is shown)" if count > 1 else ""
                report.add(_problem("warning", file, flag.rule, flag.message + more, check.heading, row, value), count=count)
                continue
            for index, (row, value) in enumerate(samples):
                unsampled = count - len(samples) if index == len(samples) - 1 else 0  # counted with the last sample
                report.add(_problem("error", file, flag.rule, flag.message, check.heading, row, value), count=1 + unsampled)
        headings = [h for h, _ in self.scans] + self.unknown
        for heading in headings:
            for (seen, kind), (first, value, count) in self.identifying.items():
                if seen == heading:
                    report.add(_pii_problem_at(file, heading, kind, self.row_of(first), value, count), count=count)
        for heading, (first, value, count) in self.controls.items():
            more = f" ({count:,} rows like this in the column; the first is shown)" if count > 1 else ""
            report.add(_problem("error", file, "control_character", CONTROL_MESSAGE + more, heading, self.row_of(first), value),
                       count=count)
        for heading in self.unknown:
            if not any(seen == heading for seen, _ in self.identifying) and heading not in self.controls:
                what = "has no heading" if heading.startswith("(no heading") else "is not in the contract"
                report.warning(file, "unknown_column", f"the column {what}; it was not stored", column=heading)


SAMPLES = 20


def _may_identify(values, kinds: tuple[str, ...]) -> bool:
    """One pass with every pattern sought at once; the per-kind scan runs only where this finds something."""
    return bool(pc.any(pc.match_substring_regex(pii.searchable(values), pii.screen(kinds))).as_py())


def _problem(severity, file, rule, message, column, row, value) -> Problem:
    return Problem(severity, file, rule, message, column=column, row=int(row), value=None if value is None else str(value)[:60])


def _pii_problem_at(file: str, heading: str, kind: str, row: int, value, count: int) -> Problem:
    """One refusal for identifying values, naming the first row; the value itself is masked."""
    more = f" (and {count - 1} more rows)" if count > 1 else ""
    return Problem("error", file, "identifying_value",
                   f"the value looks like {kind}, which identifies a child{more}; remove it from the extract",
                   column=heading, row=row, value=pii.mask(str(value)))


@dataclass(frozen=True)
class Flag:
    """A boolean column computed in the check pass: true where the rule is broken (or a fix applied)."""

    name: str
    rule: str
    message: str
    warning: bool = False
    in_sql: bool = True  # False: computed in pyarrow (characters, length), not by the check's SQL


CONTROL_MESSAGE = ("the value holds a control character (such as a NUL byte) that no text holds; the file may be "
                   "damaged: export it again")


class ColumnCheck:
    """SQL that parses one contract column from text and flags each way a cell can be wrong, in three steps
    (see _check_sql): `trimmed` reads the cell, `parsed` parses it once, `final` holds the value and flags."""

    def __init__(self, column: Column, heading: str | None, today: dt.date, keep_time: bool = False):
        self.column, self.heading, self.today, self.keep_time = column, heading, today, keep_time
        self.time_name = f"{column.name}__at"  # the time of day, when given (kept only where keep_time)
        self.raw_name = f'"raw_{column.name}"'
        self.value = f'"v_{column.name}"'
        self.flags: list[Flag] = []
        self.trimmed: list[str] = []
        self.parsed: list[str] = []
        self.final: list[str] = []
        self._build()

    def _flag(self, condition: str, rule: str, message: str, warning: bool = False) -> None:
        name = f"flag_{self.column.name}_{len(self.flags)}"
        self.final.append(f"coalesce({condition}, false) AS {name}")
        self.flags.append(Flag(name, rule, message, warning))

    def _build(self) -> None:
        column = self.column
        if self.heading is None:  # an absent column is filled with nulls (_missing), not checked
            return
        source = '"' + self.heading.replace('"', '""') + '"'
        value = self.value
        self.trimmed += [f"{source} AS {self.raw_name}", f"trim({source}, ' \t\r\n\u00a0') AS {value}"]
        self.parsed += [self.raw_name, value]
        if column.kind != "list":
            self.final.append(column.name)
        self._flag(f"{self.raw_name} <> {value}", "trimmed", "spaces around the value were removed", warning=True)
        self.flags.append(Flag(f"flag_{column.name}_control", "control_character", CONTROL_MESSAGE, in_sql=False))
        self.flags.append(Flag(f"flag_{column.name}_invisible", "invisible_characters",
                               "zero-width or text-direction characters were removed (they make one value look "
                               "like another, or show it reversed)", warning=True, in_sql=False))
        if column.max_length is not None:
            self.flags.append(Flag(f"flag_{column.name}_length", "too_long",
                                   f"the value is longer than {column.max_length} characters, the most this column "
                                   "accepts", in_sql=False))
        if column.required:
            self._flag(f"{value} = ''", "required", "the value is empty but the column is required")
        getattr(self, f"_parse_{column.kind}")(value)

    def _parse_id(self, value: str) -> None:
        self.parsed.append(f"{value} AS {self.column.name}")
        self._flag(f"left({value}, 1) IN ('=', '+', '-', '@')", "formula_text",
                   "the value starts like a spreadsheet formula; it is stored as text and neutralised in downloads",
                   warning=True)

    _parse_text = _parse_id

    def _parse_date(self, value: str) -> None:
        formats = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                   "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
        parsed = "coalesce(" + ", ".join(f"try_strptime({value}, '{f}')" for f in formats) + ")"
        name, at = self.column.name, f'"{self.time_name}"'
        self.parsed.append(f"CASE WHEN {value} = '' THEN NULL ELSE {parsed} END AS {at}")
        self.parsed.append(f"{at}::DATE AS {name}")
        if self.keep_time:
            self.final.append(f"CASE WHEN {at}::TIME <> TIME '00:00:00' THEN {at} END AS {at}")
        self._flag(f"{at}::TIME <> TIME '00:00:00'", "time_dropped",
                   "the time of day was dropped; only the date is stored" +
                   (" (it was used to check that the episode ends after it starts)" if self.keep_time else ""),
                   warning=True)
        self._flag(f"{value} <> '' AND {name} IS NULL", "bad_date", "not a date; use YYYY-MM-DD or DD/MM/YYYY")
        self._flag(f"{name} > DATE '{self.today.isoformat()}'", "future_date", "the date is in the future")
        self._flag(f"{name} < DATE '2000-01-01'", "old_date", "the date is before 2000; is it a date of birth?")
        self._flag(f"{value} LIKE '%/%' AND {name} IS NOT NULL", "uk_date",
                   "a UK date (DD/MM/YYYY) was read as ISO YYYY-MM-DD", warning=True)

    def _parse_int(self, value: str) -> None:
        name = self.column.name
        self.parsed.append(f"TRY_CAST(regexp_extract({value}, '^(-?[0-9]+)(\\.0+)?$', 1) AS BIGINT) AS {name}")
        self._flag(f"{value} <> '' AND {name} IS NULL", "bad_integer", "not a whole number")
        low, high = self.column.minimum, self.column.maximum
        if low is not None or high is not None:
            within = " and ".join(part for part in (f"at least {low}" if low is not None else "",
                                                    f"at most {high}" if high is not None else "") if part)
            outside = " OR ".join(part for part in (f"{name} < {low}" if low is not None else "",
                                                    f"{name} > {high}" if high is not None else "") if part)
            self._flag(outside, "out_of_range", f"the number must be {within}")

    def _parse_choice(self, value: str) -> None:
        mapping = {label.lower(): label for label in self.column.choices}
        mapping.update({code.lower(): label for code, label in self.column.codes.items()})
        cases = " ".join(f"WHEN {sql_text(key)} THEN {sql_text(label)}" for key, label in mapping.items())
        name = self.column.name
        self.parsed.append(f"CASE lower({value}) {cases} END AS {name}")
        allowed = ", ".join(self.column.choices)
        self._flag(f"{value} <> '' AND {name} IS NULL", "bad_choice", f"not an allowed value; use one of: {allowed}")
        self._flag(f"{name} <> {value}", "code_mapped", "a code or spelling was mapped to the contract's label",
                   warning=True)

    def _parse_yesno(self, value: str) -> None:
        name = self.column.name
        self.parsed.append(f"CASE WHEN lower({value}) IN ('yes', 'y', 'true', '1') THEN true "
                           f"WHEN lower({value}) IN ('no', 'n', 'false', '0') THEN false END AS {name}")
        self._flag(f"{value} <> '' AND {name} IS NULL", "bad_choice", "not an allowed value; use yes or no")

    def _parse_list(self, value: str) -> None:
        vocabulary = "[" + ", ".join(sql_text(item) for item in self.column.choices) + "]"
        items_name = f'"items_{self.column.name}"'
        # Items are trimmed, lower-cased and their spaces and hyphens made underscores; a value that has no
        # capitals, spaces or hyphens is already in that form and is only split (the common, fast case).
        normalised = (f"list_transform(string_split({value}, ';'), "
                      f"lambda x: regexp_replace(lower(trim(x)), '[ -]+', '_', 'g'))")
        plain = f"{value} = lower({value}) AND NOT contains({value}, ' ') AND NOT contains({value}, '-')"
        items = f"list_filter(CASE WHEN {plain} THEN string_split({value}, ';') ELSE {normalised} END, lambda x: x <> '')"
        self.parsed.append(f"{items} AS {items_name}")
        self.final.append(f"list_sort(list_distinct({items_name})) AS {self.column.name}")
        unknown = f"list_filter({items_name}, lambda x: NOT list_contains({vocabulary}, x))"
        self._flag(f"len({unknown}) > 0", "bad_list_item",
                   f"holds an item not in the list; separate items with ';' and use: {', '.join(self.column.choices)}")

    def _parse_quarter(self, value: str) -> None:
        match = f"regexp_extract(upper({value}), '^([0-9]{{4}})[ _-]?Q([1-4])$', ['year', 'quarter'])"
        name = self.column.name
        self.parsed.append(f"CASE WHEN {match}.year <> '' THEN {match}.year || '-Q' || {match}.quarter END AS {name}")
        self._flag(f"{value} <> '' AND {name} IS NULL", "bad_quarter", "not a quarter; use the form 2025-Q3")


# Rules that need more than one cell: (table, SQL condition over the table, rule, message, column).
ROW_RULES = {
    "missing_episodes": [
        ("end_date < start_date", "end_before_start", "the episode ends before it starts", "end_date"),
        ("end_date = start_date AND end_date__at < start_date__at", "end_before_start",
         "the episode ends before it starts (on the same day, at an earlier time)", "end_date__at"),
        ("return_interview_date < start_date", "interview_before_missing",
         "the return interview is dated before the child went missing", "return_interview_date"),
    ],
    "training": [
        ("staff_trained > staff_in_scope", "trained_exceeds_scope", "more staff trained than in scope", "staff_trained"),
    ],
    "awareness": [
        ("people_reached > 0 AND sessions = 0", "reached_without_sessions",
         "people are reached but no session was delivered", "people_reached"),
    ],
    "population": [
        (f"NOT (age_band IN ({', '.join(sql_text(b) for b in AGE_BANDS)}) OR regexp_full_match(age_band, '1?[0-9]') "
         "AND TRY_CAST(age_band AS INT) <= 17)",
         "bad_age_band", "use an age band (" + ", ".join(AGE_BANDS) + ") or a single year of age 0-17", "age_band"),
        ("ethnicity IS NULL AND (SELECT count(ethnicity) FROM typed) > 0", "partial_ethnicity",
         "give an ethnicity on every population row or on none (rows without one would be counted twice)", "area"),
    ],
}


def _check_across_rows(con, tables: dict[str, pa.Table], report: Report) -> None:
    """Uniqueness and rules that compare columns, over all files of a table together."""
    for name, typed in tables.items():
        con.register("typed", typed)
        unique = TABLES_BY_NAME[name].unique
        if unique:
            key = ", ".join(unique)
            same_key = " AND ".join(f"typed.{c} IS NOT DISTINCT FROM repeated.{c}" for c in unique)  # optional: NULLs
            # Repeated keys first (one hash aggregate, no sort); rows are ranked only within those keys.
            duplicates = con.execute(
                f"WITH repeated AS (SELECT {key} FROM typed GROUP BY ALL HAVING count(*) > 1) "
                f"SELECT {FILE}, {ROW}, concat_ws(' / ', {key}) FROM typed SEMI JOIN repeated ON {same_key} "
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


# Date columns whose time of day, when given, is kept until the rules that compare rows have run.
TIMED = {"missing_episodes": ("start_date", "end_date")}
PERIOD_DATE = {"referrals": "referral_date", "missing_episodes": "start_date"}
QUARTERLY = ("training", "awareness")
"""Tables whose rows carry a quarter (period, such as 2026-Q3) rather than a date."""


def _within_period(con, tables: dict[str, pa.Table], first: str, last: str, report: Report) -> dict[str, pa.Table]:
    """Rows dated outside the extract's period are left out, with a warning saying how many."""
    start, end = quarter_start(first), quarter_end(last)
    kept = {}
    for name, typed in tables.items():
        con.register("typed", typed)
        column = PERIOD_DATE.get(name, "period" if name in QUARTERLY else "NULL")
        if name in PERIOD_DATE:
            condition = f"{column} BETWEEN DATE '{start}' AND DATE '{end}'"
        elif name in QUARTERLY:
            condition = f"period BETWEEN '{first}' AND '{last}'"
        else:
            condition = "true"
        outside = con.execute(f"SELECT {FILE}, count(*), min({ROW}), arg_min({column}::VARCHAR, {ROW}) FROM typed "
                              f"WHERE NOT ({condition}) GROUP BY ALL").fetchall()
        for file, count, row, value in outside:
            # one line per file and column, counted per row so the report (and the quality report) knows how many
            report.add(Problem("warning", file, "outside_period",
                               f"{count:,} row{'' if count == 1 else 's'} dated outside the extract's period {first} "
                               f"to {last} {'was' if count == 1 else 'were'} left out (the first is shown)",
                               column=column, row=int(row), value=value), count=count)
        names = [c.name for c in TABLES_BY_NAME[name].columns]
        if outside:
            # filtered in pyarrow, so that dictionary-encoded columns stay encoded
            keep = con.sql(f"SELECT {condition} FROM typed").to_arrow_table().column(0)
            kept[name] = typed.select(names).filter(keep)
        else:  # nothing to leave out: the columns as they are, without a copy
            kept[name] = typed.select(names)
        con.unregister("typed")
    return kept



def _check_period_holds_referrals(referrals: pa.Table, extract: Extract, declared: bool) -> None:
    """Loading replaces each quarter of the period: a period holding none of the extract's referrals (a wrong
    --period) is refused, and a quarter of it with none is pointed out."""
    first, last = extract.period_start, extract.period_end
    held = {quarter_of(day) for day in pc.unique(referrals.column("referral_date")).to_pylist() if day is not None}
    if not held and declared:
        extract.report.error("extract", "empty_period",
                             f"none of the extract's referrals is dated in the period {first} to {last}; loading it "
                             "would replace those quarters with nothing. Check the period (or choose 'From the "
                             "referral dates').")
        return
    for quarter in quarters_between(first, last):
        if quarter not in held:
            extract.report.warning("extract", "empty_quarter",
                                   f"no referral is dated in {quarter}, which the period covers: the dashboard will "
                                   f"show no referrals for {quarter} (replacing any extract loaded for it)")
