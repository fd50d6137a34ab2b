"""Untrusted extract files in, tables of text out: every refusal is a Problem, never a traceback."""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cseboard.contract import MAX_COLUMNS, TABLES_BY_NAME
from cseboard.intake import pii
from cseboard.intake.report import Report

DATA_SUFFIXES = (".csv", ".parquet", ".xlsx")
IGNORED_SUFFIXES = (".txt", ".md", ".json")
TABLE_FILE_NAMES = {
    "referrals": "referrals", "csereferrals": "referrals", "referral": "referrals",
    "missingepisodes": "missing_episodes", "missing": "missing_episodes", "missingfromhome": "missing_episodes",
    "training": "training", "trainingcoverage": "training", "workforcetraining": "training",
    "population": "population", "populationestimates": "population",
    "awareness": "awareness", "awarenesssessions": "awareness", "prevention": "awareness",
}
SNIFF_BYTES = 64 * 1024
BATCH_ROWS = 1_000_000  # rows validated at a time: bounds memory whatever the extract's size
CSV_BLOCK_BYTES = 1024**2  # pyarrow reads ~25 blocks ahead of the parser: 16 MB blocks held ~400 MB per open file
CHECK_BYTES = 16 * 1024**2


@dataclass(frozen=True)
class Limits:
    """Size limits for untrusted input; the upload page uses the configured file size limit."""

    max_file_bytes: int | None = None
    max_expanded_bytes: int = 4 * 1024**3
    max_zip_ratio: int = 200
    max_zip_members: int = 50


@dataclass(frozen=True)
class SourceFile:
    """A file of the extract, held either on disk (shell loads) or in memory (uploads)."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with open(self.path, "rb") as handle:
            return handle.read(n)

    def source(self):
        """Something pyarrow and openpyxl can read from."""
        return pa.BufferReader(self.data) if self.data is not None else str(self.path)

    def raw(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()


@dataclass(frozen=True)
class RawTable:
    """One table's cells as text (empty string for blank), with the contract table it claims to be.

    Small inputs hold their `cells` whole; CSV and Parquet files are instead read as a `stream` of record
    batches when validation asks for them, so that a ten-million-row extract never sits in memory whole.
    Problems found while streaming (rows with the wrong number of fields, a file that breaks off) go to the
    report given to `batches`, so that a table checked on its own thread reports into its own report.
    """

    table: str
    file: str
    cells: pa.Table | None = None
    stream: Callable[[Report], Iterator[pa.RecordBatch]] | None = None
    names: tuple[str, ...] = ()
    sheet_rows: np.ndarray | None = None  # a workbook's own row numbers, where blank rows were skipped

    def spreadsheet_row(self, index: int) -> int:
        """The row a spreadsheet shows for the record at index (from 0): the header is row 1."""
        return int(self.sheet_rows[index]) if self.sheet_rows is not None else index + 2

    def spreadsheet_rows(self, start: int, count: int) -> np.ndarray:
        if self.sheet_rows is not None:
            return self.sheet_rows[start:start + count]
        return np.arange(start + 2, start + 2 + count)

    @property
    def column_names(self) -> list[str]:
        return list(self.cells.column_names) if self.cells is not None else list(self.names)

    def batches(self, report: Report) -> Iterator[pa.Table]:
        """The cells in slices of about BATCH_ROWS rows (read only once for a stream); nothing for no rows."""
        rows = BATCH_ROWS  # read here, not bound at import, so that tests can check small batches
        if self.cells is not None:
            for start in range(0, self.cells.num_rows, rows):
                yield self.cells.slice(start, rows)
            return
        pending, count = [], 0
        for batch in self.stream(report):
            if batch.num_rows:
                pending.append(batch)
                count += batch.num_rows
            if count >= rows:
                yield pa.Table.from_batches(pending)
                pending, count = [], 0
        if pending:
            yield pa.Table.from_batches(pending)


def table_for_file(name: str) -> str | None:
    """Which contract table a file (or sheet) name claims to be."""
    stem = re.sub(r"[^a-z]", "", PurePosixPath(name).stem.lower())
    return TABLE_FILE_NAMES.get(stem)


def collect_path(path: Path, limits: Limits, report: Report) -> list[SourceFile]:
    """A folder, a .zip or a single file given on the shell."""
    if not path.exists():
        report.error(str(path), "not_found", "no such file or folder")
        return []
    if path.is_dir():
        candidates = sorted(p for p in path.iterdir() if p.is_file())
        files = [SourceFile(p.name, path=p) for p in candidates]
    else:
        files = [SourceFile(path.name, path=path)]
    return collect_files(files, limits, report)


def collect_uploads(uploads: list[tuple[str, bytes]], limits: Limits, report: Report) -> list[SourceFile]:
    """Files uploaded in the browser, as (name, bytes)."""
    return collect_files([SourceFile(PurePosixPath(name).name, data=data) for name, data in uploads], limits, report)


def collect_files(files: list[SourceFile], limits: Limits, report: Report) -> list[SourceFile]:
    """Check sizes, open zips safely, and keep only data files."""
    collected = []
    for file in files:
        if limits.max_file_bytes is not None and file.size > limits.max_file_bytes:
            report.error(file.name, "too_large",
                         f"the file is {_megabytes(file.size)}, above the limit of {_megabytes(limits.max_file_bytes)}")
        elif file.suffix == ".zip":
            collected.extend(_open_zip(file, limits, report))
        elif file.suffix in DATA_SUFFIXES:
            collected.append(file)
        elif file.suffix in IGNORED_SUFFIXES:
            report.warning(file.name, "not_data", "not a data file; it was not read")
        else:
            report.error(file.name, "file_type",
                         "only .csv, .parquet, .xlsx files (or a .zip of them) can be loaded")
    return collected


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB" if size >= 1024**2 else f"{size / 1024:,.1f} KB"


def _open_zip(file: SourceFile, limits: Limits, report: Report) -> list[SourceFile]:
    """Refuse broken zips, zip bombs and members whose paths escape the folder."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.raw()))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        report.error(file.name, "bad_zip", "this is not a readable .zip file (it may be damaged or incomplete)")
        return []
    expanded = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if len(members) > limits.max_zip_members:
        report.error(file.name, "zip_bomb", f"the zip holds {len(members)} files; at most {limits.max_zip_members} are accepted")
        return []
    if expanded > limits.max_expanded_bytes or (expanded > 10 * 1024**2 and expanded / compressed > limits.max_zip_ratio):
        report.error(file.name, "zip_bomb",
                     f"the zip would expand to {_megabytes(expanded)} from {_megabytes(compressed)}; "
                     "this looks like a zip bomb and was refused")
        return []
    unsafe = [m.filename for m in members if _escapes_folder(m.filename)]
    if unsafe:
        report.error(file.name, "zip_path",
                     f"the zip holds paths that point outside its folder ({', '.join(unsafe[:3])}); it was refused")
        return []
    inner = []
    for member in members:
        name = PurePosixPath(member.filename).name
        label = f"{file.name}/{member.filename}"
        if name.startswith(".") or member.filename.startswith("__MACOSX/"):
            continue
        if member.flag_bits & 0x1:
            report.error(label, "zip_encrypted", "this file inside the zip is password-protected; the loader cannot "
                         "open it. Zip the extract again without a password")
            continue
        if member.compress_type not in ZIP_METHODS:
            method = ZIP_METHOD_NAMES.get(member.compress_type, f"method {member.compress_type}")
            report.error(label, "zip_method", f"this file inside the zip is compressed with {method}, which the loader "
                         "cannot read; zip the extract again with ordinary (Deflate) compression")
            continue
        try:
            data = _read_member(archive, member, limits)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
            report.error(label, "bad_zip", "this file inside the zip is damaged")
            continue
        if data is None:
            report.error(file.name, "zip_bomb", f"{member.filename} expands beyond what its header says; refused")
            return []
        inner.append(SourceFile(f"{file.name}/{member.filename}", data=data))
    nested = [f for f in inner if f.suffix == ".zip"]
    for nested_zip in nested:
        report.error(nested_zip.name, "file_type", "zips inside zips are not accepted")
    return collect_files([f for f in inner if f.suffix != ".zip"], limits, report)


ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
ZIP_METHOD_NAMES = {9: "Deflate64 (Windows' compression for large zips)", 93: "Zstandard", 98: "PPMd", 99: "AES encryption"}


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bytes | None:
    """Read at most the declared size (plus one byte to catch lying headers)."""
    with archive.open(member) as handle:
        data = handle.read(min(member.file_size, limits.max_expanded_bytes) + 1)
    return None if len(data) > member.file_size else data


def _escapes_folder(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or bool(re.match(r"^[a-zA-Z]:", name))


def read_tables(file: SourceFile, report: Report) -> list[RawTable]:
    """Read one data file into text tables; problems go to the report."""
    readers = {".csv": _read_csv, ".parquet": _read_parquet, ".xlsx": _read_xlsx}
    return readers[file.suffix](file, report)


def _claimed_table(name: str, file_label: str, report: Report) -> str | None:
    table = table_for_file(name)
    if table is None:
        report.error(file_label, "unknown_table",
                     "the file name does not say which table it is; name it " + ", ".join(f"{t}.csv" for t in TABLES_BY_NAME))
    return table


def _read_csv(file: SourceFile, report: Report) -> list[RawTable]:
    table = _claimed_table(file.name, file.name, report)
    head = file.head()
    if table is None or not _looks_like_text(file, head, report):
        return []
    encoding = _encoding(file, head, report)
    if encoding is None:
        return []
    first_line = head.decode(encoding, errors="replace").split("\n", 1)[0]
    if first_line.count(",") >= MAX_COLUMNS:
        _too_wide(file.name, f"more than {MAX_COLUMNS:,}", report)
        return []
    if not _delimiter_is_comma(file.name, first_line, report):
        return []
    return _stream_csv(file, table, encoding, report)


def _too_wide(label: str, columns: str, report: Report) -> None:
    report.error(label, "too_many_columns", f"the file has {columns} columns; a table of the extract has at most "
                 f"{MAX_COLUMNS:,} (the contract's columns and a few more). Is this the right file?")


def checked_headings(label: str, names: list, report: Report) -> list[str] | None:
    """Headings as they will be read: a blank heading named by its position (its column is then reported as not
    in the contract and dropped, unless it holds identifying values); None, after an error, for a repeated
    heading, a heading with a control character or a file far too wide to be an extract."""
    if len(names) > MAX_COLUMNS:
        _too_wide(label, f"{len(names):,}", report)
        return None
    headings = [str(name).strip() or f"(no heading, column {index})" for index, name in enumerate(names, start=1)]
    damaged = [heading for heading in headings if re.search(pii.CONTROL, heading)]
    for heading in damaged:
        report.error(label, "control_character", "the heading holds a control character (such as a NUL byte) that "
                     "no text holds; the file may be damaged: export it again", column=heading, row=1)
    seen: dict[str, int] = {}
    repeated = bool(damaged)
    for index, heading in enumerate(headings, start=1):
        if heading in seen:
            report.error(label, "repeated_heading", f"the heading appears twice (columns {seen[heading]} and {index}); "
                         "each column needs its own heading", column=heading, row=1)
            repeated = True
        seen.setdefault(heading, index)
    return None if repeated else headings


def _looks_like_text(file: SourceFile, head: bytes, report: Report) -> bool:
    if not head.strip():
        report.error(file.name, "empty_file", "the file is empty")
        return False
    if head.startswith(b"PK\x03\x04"):
        report.error(file.name, "not_text", "this is a zip or Excel file with a .csv name; save it as CSV or upload it as .xlsx/.zip")
        return False
    if b"\x00" in head and not head.startswith(WIDE_BOMS):
        report.error(file.name, "not_text", "this is not a text CSV file (it holds binary data)")
        return False
    return True


WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _encoding(file: SourceFile, head: bytes, report: Report) -> str | None:
    """UTF-8 (with or without BOM) as is; UTF-32, UTF-16 and Windows-1252 converted with a warning."""
    if head.startswith(b"\xef\xbb\xbf"):
        report.warning(file.name, "bom", "a byte-order mark at the start of the file was removed")
        return "utf8"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        report.warning(file.name, "encoding", "the file is UTF-32 text; it was converted to UTF-8")
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.warning(file.name, "encoding", "the file is UTF-16 text; it was converted to UTF-8")
        return "utf-16"
    if _is_utf8(file):
        return "utf8"
    try:
        file.raw().decode("cp1252")
    except UnicodeDecodeError:
        report.error(file.name, "encoding", "the file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8")
        return None
    report.warning(file.name, "encoding", "the file is Windows-1252 text (Excel's default); it was converted to UTF-8")
    return "cp1252"


def _is_utf8(file: SourceFile) -> bool:
    """The whole file decodes as UTF-8, checked in blocks (ASCII blocks cost almost nothing)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for block in _blocks(file):
            if decoder.buffer or not block.isascii():  # a character split across blocks is completed
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _blocks(file: SourceFile) -> Iterator[bytes]:
    if file.data is not None:
        view = memoryview(file.data)
        for start in range(0, len(view), CHECK_BYTES):
            yield bytes(view[start:start + CHECK_BYTES])
        return
    with open(file.path, "rb") as handle:
        yield from iter(lambda: handle.read(CHECK_BYTES), b"")


def _delimiter_is_comma(name: str, header: str, report: Report) -> bool:
    if "," in header:
        return True
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        if delimiter in header:
            report.error(name, "delimiter", f"the columns are separated by {label}, not commas; save the file as CSV (comma delimited)",
                         row=1)
            return False
    if header.strip().lower() in TABLES_BY_NAME:
        return True
    report.error(name, "delimiter", "the first line has only one column; the file must be comma-separated with a header row", row=1)
    return False


def _stream_csv(file: SourceFile, table: str, encoding: str, report: Report) -> list[RawTable]:
    """Every cell as text, read in blocks as validation asks for them; rows with the wrong number of fields
    are reported with their line once the file has been read.

    The reader is serial, so it knows every line number and parses no further than the block asked for (a
    threaded reader parsed ahead of validation); validation overlaps reading with checking itself
    (validate._read_ahead)."""
    bad_rows: list[tuple[int, int, int]] = []
    try:
        header_names = _header_names(file, encoding)
        headings = checked_headings(file.name, header_names, report)
        if headings is None:
            return []
        reader = _open_csv(file, encoding, header_names, bad_rows)  # parses the first block
    except (pa.ArrowInvalid, UnicodeError, OSError) as exc:
        _unreadable_csv(file.name, exc, report)
        return []

    def batches(report: Report) -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                yield batch.rename_columns(headings)
        except (pa.ArrowInvalid, UnicodeError, OSError) as exc:
            _unreadable_csv(file.name, exc, report)
            return
        for number, expected, actual in bad_rows:
            report.error(file.name, "field_count",
                         f"the row has {actual} fields but the header has {expected} (a truncated line or an unquoted comma?)",
                         row=number)

    return [RawTable(table, file.name, stream=batches, names=tuple(headings))]


def _unreadable_csv(name: str, exc: Exception, report: Report) -> None:
    """Arrow's reasons in the user's words where they are known: a value or line over a block is one of them."""
    if "straddling" in str(exc) or "block size" in str(exc):
        report.error(name, "too_long", f"a line or value is longer than {CSV_BLOCK_BYTES // 1024**2} MB, far beyond "
                     "anything an extract holds (the longest value accepted is 100 characters); the file may be "
                     "damaged or not an extract")
    else:
        report.error(name, "unreadable", f"the file could not be read as CSV ({_plain(exc)})")


def _open_csv(file: SourceFile, encoding: str, header_names: list[str], bad_rows: list):
    def on_invalid_row(row) -> str:
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    return pacsv.open_csv(
        file.source(),
        read_options=pacsv.ReadOptions(encoding=encoding, use_threads=False, block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header_names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )


def _header_names(file: SourceFile, encoding: str) -> list[str]:
    # bad rows are skipped here: _stream_csv reports them with their line numbers
    reader = pacsv.open_csv(file.source(), read_options=pacsv.ReadOptions(encoding=encoding, block_size=1024**2),
                            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip"))
    return reader.schema.names


def _plain(exc: Exception) -> str:
    """Arrow's message without its internal prefixes, short enough to show."""
    text = str(exc).split("\n")[0]
    return re.sub(r"^(CSV parse error: |Invalid: )", "", text)[:200]


def _read_parquet(file: SourceFile, report: Report) -> list[RawTable]:
    table = _claimed_table(file.name, file.name, report)
    if table is None:
        return []
    try:
        parquet = pq.ParquetFile(file.source())
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        report.error(file.name, "unreadable", f"the file is not a readable Parquet file ({_plain(exc)})")
        return []
    headings = checked_headings(file.name, schema.names, report)
    unreadable = [(heading, field.type) for heading, field in zip(headings or [], schema) if not _text_like(field.type)]
    for heading, kind in unreadable:
        report.error(file.name, "column_type", f"the column holds {_type_words(kind)}, not plain values; export it as "
                     "text, numbers or dates", column=heading)
    if headings is None or unreadable:
        return []

    def batches(report: Report) -> Iterator[pa.RecordBatch]:
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                yield from _as_text(pa.Table.from_batches([batch]).rename_columns(headings)).to_batches()
        except (pa.ArrowException, OSError) as exc:
            report.error(file.name, "unreadable", f"the file is not a readable Parquet file ({_plain(exc)})")

    return [RawTable(table, file.name, stream=batches, names=tuple(headings))]


def _text_like(kind: pa.DataType) -> bool:
    """Types every value of which reads as text: strings, numbers, booleans, dates and times."""
    if pa.types.is_dictionary(kind):
        return _text_like(kind.value_type)
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            or pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_boolean(kind)
            or pa.types.is_temporal(kind) and not pa.types.is_duration(kind) and not pa.types.is_interval(kind)
            or pa.types.is_null(kind))


def _type_words(kind: pa.DataType) -> str:
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return "lists"
    if pa.types.is_struct(kind) or pa.types.is_map(kind) or pa.types.is_union(kind):
        return "structured records"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return "binary data"
    return f"values of type {kind}"


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as text: dates as ISO, blanks as empty strings."""
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.date32())
        text = column.cast(pa.string())
        columns.append(pa.compute.fill_null(text, ""))
    return pa.table(columns, names=table.column_names)


def _read_xlsx(file: SourceFile, report: Report) -> list[RawTable]:
    """Each sheet named like a table is read; formulas are refused (export values only)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.raw()), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        report.error(file.name, "unreadable", f"the file is not a readable Excel workbook ({type(exc).__name__})")
        return []
    tables = []
    for sheet in workbook.worksheets:
        label = f"{file.name} [{sheet.title}]"
        table = table_for_file(sheet.title) or (table_for_file(file.name) if len(workbook.worksheets) == 1 else None)
        if table is None:
            report.warning(label, "unknown_table", "the sheet name is not a table of the contract; it was not read")
            continue
        try:
            raw = _sheet_table(sheet, table, label, report)
        except Exception as exc:  # openpyxl reads a read-only sheet lazily: damage shows only here
            report.error(label, "unreadable", f"the sheet could not be read ({type(exc).__name__})")
            continue
        if raw is not None:
            tables.append(raw)
    workbook.close()
    return tables


def _sheet_table(sheet, table: str, label: str, report: Report) -> RawTable | None:
    """A sheet's cells as text, headed by its first row that holds anything, with the sheet's row numbers of the
    rows kept (blank rows are skipped)."""
    if (sheet.max_column or 0) > MAX_COLUMNS:
        _too_wide(label, f"{sheet.max_column:,}", report)
        return None
    numbered = [(index, [_cell_text(cell, label, index, report) for cell in row])
                for index, row in enumerate(sheet.iter_rows(), start=1)]
    numbered = [(index, row) for index, row in numbered if any(row)]
    rows = [row for _, row in numbered]
    if not rows:
        report.error(label, "empty_file", "the sheet is empty")
        return None
    width = max(len(row) - next((i for i, cell in enumerate(reversed(row)) if cell), len(row)) for row in rows)
    header, body = rows[0][:width], rows[1:]  # columns blank to the right of every row are no columns at all
    headings = checked_headings(label, header + [""] * (width - len(header)), report)
    if headings is None:
        return None
    columns = [[row[i] if i < len(row) else "" for row in body] for i in range(len(headings))]
    return RawTable(table, label, pa.table(columns, names=headings),
                    sheet_rows=np.array([index for index, _ in numbered[1:]], dtype=np.int64))


def _cell_text(cell, label: str, row: int, report: Report) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        report.error(label, "formula", "the cell holds a spreadsheet formula; export the values only (Paste Special > Values)",
                     row=row, column=getattr(cell, "column_letter", None), value=str(value)[:40])
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def files_sha256(files: list[SourceFile]) -> str:
    """One hash over the extract's files (names and bytes), to tell a re-load of the same files."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        digest.update(file.name.encode() + b"\0")
        if file.data is not None:
            digest.update(file.data)
        else:
            with open(file.path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()
