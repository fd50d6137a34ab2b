"""A corpus of bad (and awkward but acceptable) extract files, built in code: nothing binary is committed.

Each case is the upload a user might make, as (file name, bytes) pairs, and what the loader must say:
the rule, a piece of the message, and whether the extract can still load (fixed with a warning) or not.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from factory import DEFAULTS, rows

HEADER = list(DEFAULTS["referrals"])


def csv_bytes(records: list[dict], header: list[str] | None = None, encoding: str = "utf-8",
              delimiter: str = ",") -> bytes:
    handle = io.StringIO(newline="")
    writer = csv.DictWriter(handle, fieldnames=header or list(records[0]) if records else header or HEADER,
                            extrasaction="ignore", delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return handle.getvalue().encode(encoding)


def referrals(count: int = 3, **overrides) -> bytes:
    return csv_bytes(rows("referrals", count, **overrides))


def referrals_with(changes: dict[int, dict], count: int = 3, extra: dict | None = None) -> bytes:
    """Good referrals with some cells changed: {record index: {column: value}}; extra columns for every row."""
    records = rows("referrals", count)
    for record in records:
        record.update(extra or {})
    for index, change in changes.items():
        records[index].update(change)
    return csv_bytes(records)


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def extract_zip(**tables: list[dict]) -> bytes:
    """A good extract as a .zip, from the factory's rows: referrals (4 rows) unless given, plus any other tables."""
    tables.setdefault("referrals", rows("referrals", 4))
    return zip_bytes({f"{name}.csv": csv_bytes(records) for name, records in tables.items() if records})


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, cells in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in cells:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_formula() -> bytes:
    records = rows("referrals", 2)
    cells = [HEADER] + [[r[c] for c in HEADER] for r in records]
    cells[2][HEADER.index("age_at_referral")] = "=13+1"
    return xlsx_bytes({"referrals": cells})


def _truncated() -> bytes:
    data = referrals(3)
    return data[: len(data) - 60]  # the last line cut off part-way, as an interrupted copy leaves it


def _zip_bomb() -> bytes:
    # 24 MB of one repeated line compresses to a few kilobytes: far above the allowed expansion ratio.
    line = b"R1,C1,2025-02-10,14,Female,White,Northgate,Police,High,Child protection,no,,\r\n"
    return zip_bytes({"referrals.csv": b",".join(h.encode() for h in HEADER) + b"\r\n" + line * (24 * 1024**2 // len(line))})


def _broken_zip() -> bytes:
    whole = extract_zip()
    return whole[: len(whole) // 2]


def with_awareness(changes: dict[int, dict] | None = None, count: int = 2, extra: dict | None = None,
                   header: list[str] | None = None) -> object:
    """Good referrals with an awareness.csv beside them: rows for different settings, some cells changed."""
    def build():
        records = [{**row, **(extra or {})} for row in rows("awareness", count)]
        for index, record in enumerate(records):
            record["setting"] = ("Secondary school", "Primary school", "Parents' group")[index % 3]
            record.update((changes or {}).get(index, {}))
        return [("referrals.csv", referrals()), ("awareness.csv", csv_bytes(records, header=header))]
    return build


def _zip_patched(flag_bits: int = 0, method: int | None = None) -> bytes:
    """A good extract zip whose member headers (local and central) say it is encrypted, or compressed by another
    method: what Windows' Deflate64 or a password-protected zip looks like to a reader."""
    data = bytearray(zip_bytes({"referrals.csv": referrals()}))
    for signature, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = data.index(signature)
        data[start + flags_at] |= flag_bits
        if method is not None:
            data[start + method_at:start + method_at + 2] = method.to_bytes(2, "little")
    return bytes(data)


def parquet_bytes(table) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _parquet_with(column, values) -> bytes:
    """Good referrals as Parquet with one more column of a nested or binary type."""
    import pyarrow as pa

    records = rows("referrals", 2)
    table = pa.table({name: [r[name] for r in records] for name in HEADER})
    return parquet_bytes(table.append_column(column, pa.array(values)))


def _nul_past_the_sniff() -> bytes:
    """A NUL byte in a cell far past the first 64 KB, where the binary-file sniff does not look."""
    records = rows("referrals", 1200)
    records[-1]["area"] = "North\x00gate"
    return csv_bytes(records)


def _very_wide() -> bytes:
    extra = {f"x{index}": "" for index in range(100_000)}
    return referrals_with({}, count=1, extra=extra)


def _field_of(size: int) -> bytes:
    return referrals_with({0: {"area": "N" * size}}, count=2)


def _quoted_newline_then_bad_date() -> bytes:
    """A note that spans two lines, then a bad date: the row given is the spreadsheet row (the record), not the line."""
    records = rows("referrals", 3)
    for record in records:
        record["notes"] = ""
    records[0]["notes"] = "first line\nsecond line"
    records[1]["referral_date"] = "2025-02-30"
    return csv_bytes(records)


def _uk_dates(count: int) -> bytes:
    return csv_bytes(rows("referrals", count, referral_date="10/02/2025"))


def _episodes(**overrides) -> object:
    return lambda: [("referrals.csv", referrals()),
                    ("missing_episodes.csv", csv_bytes(rows("missing_episodes", 1, **overrides)))]


@dataclass(frozen=True)
class Case:
    """One upload and what must be said about it."""

    id: str
    files: tuple[tuple[str, bytes], ...] | object
    rule: str
    message: str
    can_load: bool = False
    severity: str = "error"
    period: tuple[str, str] | None = None
    limit: int | None = None
    extra: dict = field(default_factory=dict)
    secret: str | None = None  # an identifying value the report must never repeat
    row: int | None = None  # the row the problem must name, where that is what the case tests

    def uploads(self) -> list[tuple[str, bytes]]:
        files = self.files() if callable(self.files) else self.files
        return list(files)


def _one(name: str, data) -> object:
    """Build lazily, so collecting the tests stays quick."""
    return lambda: [(name, data() if callable(data) else data)]


CASES = [
    # Encodings
    Case("shift-jis-not-cp1252", _one("referrals.csv", lambda: referrals(area="北区、南区").replace(
        "北区、南区".encode(), "北区、南区".encode("shift_jis"))), "encoding",
         "the file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8"),
    Case("latin-1-that-cp1252-reads", _one("referrals.csv", lambda: referrals(area="Bishop's Wood Côte").replace(
        "Côte".encode(), "Côte".encode("latin-1"))), "encoding", "Windows-1252 text (Excel's default); it was converted",
         can_load=True, severity="warning"),
    Case("utf-16", _one("referrals.csv", lambda: referrals().decode().encode("utf-16")), "encoding",
         "the file is UTF-16 text; it was converted to UTF-8", can_load=True, severity="warning"),
    Case("utf-8-bom", _one("referrals.csv", lambda: b"\xef\xbb\xbf" + referrals()), "bom",
         "a byte-order mark at the start of the file was removed", can_load=True, severity="warning"),
    # The shape of the file
    Case("truncated", _one("referrals.csv", _truncated), "field_count", "fields but the header has 13"),
    Case("semicolons", _one("referrals.csv", lambda: csv_bytes(rows("referrals", 2), delimiter=";")), "delimiter",
         "the columns are separated by semicolons, not commas"),
    Case("tabs", _one("referrals.csv", lambda: csv_bytes(rows("referrals", 2), delimiter="\t")), "delimiter",
         "the columns are separated by tabs, not commas"),
    Case("extra-harmless-column", _one("referrals.csv", lambda: referrals_with({}, extra={"team": "Duty"})),
         "unknown_column", "the column is not in the contract; it was not stored", can_load=True, severity="warning"),
    Case("missing-column", _one("referrals.csv", lambda: csv_bytes(rows("referrals", 2),
                                                                   header=[h for h in HEADER if h != "gender"])),
         "missing_column", "the required column 'gender' is missing"),
    Case("two-headings-one-column", _one("referrals.csv", lambda: referrals_with({}, extra={"Sex": "Male"})),
         "duplicate_column", "both 'gender' and 'Sex' would be the gender column"),
    Case("empty-file", _one("referrals.csv", b""), "empty_file", "the file is empty"),
    Case("header-only", _one("referrals.csv", lambda: ",".join(HEADER).encode() + b"\r\n"), "no_rows",
         "the file has a header but no rows"),
    Case("binary-named-csv", _one("referrals.csv", bytes(range(256)) * 8), "not_text",
         "this is not a text CSV file (it holds binary data)"),
    Case("zip-named-csv", _one("referrals.csv", lambda: extract_zip()), "not_text",
         "this is a zip or Excel file with a .csv name"),
    Case("not-a-data-file", _one("referrals.docx", b"PK\x03\x04 not really"), "file_type",
         "only .csv, .parquet, .xlsx files (or a .zip of them) can be loaded"),
    Case("file-name-says-no-table", _one("export.csv", lambda: referrals()), "unknown_table",
         "the file name does not say which table it is"),
    Case("no-referrals-file", _one("training.csv", lambda: csv_bytes(rows("training", 1))), "missing_table",
         "the extract has no referrals file (referrals.csv); it is required"),
    Case("garbage-parquet", _one("referrals.parquet", b"PAR1 this is not parquet at all"), "unreadable",
         "the file is not a readable Parquet file"),
    Case("text-named-xlsx", _one("referrals.xlsx", lambda: referrals()), "unreadable",
         "the file is not a readable Excel workbook"),
    Case("xlsx-with-formula", _one("referrals.xlsx", _with_formula), "formula",
         "the cell holds a spreadsheet formula; export the values only"),
    # Size and zips
    Case("above-the-size-limit", _one("referrals.csv", lambda: referrals(40)), "too_large",
         "above the limit of 2.0 KB", limit=2048),
    Case("zip-bomb", _one("extract.zip", _zip_bomb), "zip_bomb", "this looks like a zip bomb and was refused"),
    Case("path-traversal-zip", _one("extract.zip", lambda: zip_bytes({"../../etc/referrals.csv": referrals()})),
         "zip_path", "the zip holds paths that point outside its folder"),
    Case("absolute-path-zip", _one("extract.zip", lambda: zip_bytes({"/tmp/referrals.csv": referrals()})),
         "zip_path", "the zip holds paths that point outside its folder"),
    Case("broken-zip", _one("extract.zip", _broken_zip), "bad_zip",
         "this is not a readable .zip file (it may be damaged or incomplete)"),
    Case("zip-in-zip", _one("extract.zip", lambda: zip_bytes({"inner.zip": extract_zip()})), "file_type",
         "zips inside zips are not accepted"),
    # Cells
    Case("duplicate-ids", _one("referrals.csv", lambda: referrals_with({2: {"referral_id": "R1"}})), "duplicate_id",
         "the referral_id appears more than once; each must be unique"),
    Case("impossible-date", _one("referrals.csv", lambda: referrals_with({1: {"referral_date": "2025-02-30"}})),
         "bad_date", "not a date; use YYYY-MM-DD or DD/MM/YYYY"),
    Case("future-date", _one("referrals.csv", lambda: referrals_with({1: {"referral_date": "2027-01-01"}})),
         "future_date", "the date is in the future"),
    Case("age-18", _one("referrals.csv", lambda: referrals_with({1: {"age_at_referral": "18"}})), "out_of_range",
         "the number must be at least 0 and at most 17"),
    Case("age-minus-1", _one("referrals.csv", lambda: referrals_with({1: {"age_at_referral": "-1"}})), "out_of_range",
         "the number must be at least 0 and at most 17"),
    Case("mixed-iso-and-uk-dates", _one("referrals.csv", lambda: referrals_with({1: {"referral_date": "10/02/2025"}})),
         "uk_date", "a UK date (DD/MM/YYYY) was read", can_load=True, severity="warning"),
    Case("us-date-among-iso", _one("referrals.csv", lambda: referrals_with({1: {"referral_date": "02/13/2025"}})),
         "bad_date", "not a date; use YYYY-MM-DD or DD/MM/YYYY"),
    Case("two-digit-year", _one("referrals.csv", lambda: referrals_with({1: {"referral_date": "10/02/25"}})),
         "old_date", "the date is before 2000"),
    Case("episode-ends-before-it-starts", lambda: [
        ("referrals.csv", referrals()),
        ("missing_episodes.csv", csv_bytes(rows("missing_episodes", 1, end_date="2025-01-01")))],
         "end_before_start", "the episode ends before it starts"),
    Case("more-trained-than-in-scope", lambda: [
        ("referrals.csv", referrals()), ("training.csv", csv_bytes(rows("training", 1, staff_trained="120")))],
         "trained_exceeds_scope", "more staff trained than in scope"),
    Case("formula-like-text-kept-as-text", _one("referrals.csv", lambda: referrals_with({0: {"area": "=HYPERLINK(1)"}})),
         "formula_text", "stored as text and neutralised in downloads", can_load=True, severity="warning"),
    # Awareness: one case per rule of the table
    Case("awareness-bad-quarter", with_awareness({0: {"period": "Spring 2025"}}), "bad_quarter",
         "not a quarter; use the form 2025-Q3"),
    Case("awareness-unknown-audience", with_awareness({1: {"audience": "Governors"}}), "bad_choice",
         "not an allowed value; use one of: Children and young people, Parents and carers, Communities, Practitioners"),
    Case("awareness-unknown-setting", with_awareness({1: {"setting": "Barber shop"}}), "bad_choice",
         "not an allowed value; use one of: Primary school, Secondary school, Alternative provision, Youth group"),
    Case("awareness-empty-audience", with_awareness({0: {"audience": ""}}), "required",
         "the value is empty but the column is required"),
    Case("awareness-sessions-not-a-number", with_awareness({0: {"sessions": "four"}}), "bad_integer",
         "not a whole number"),
    Case("awareness-negative-reach", with_awareness({0: {"people_reached": "-3"}}), "out_of_range",
         "the number must be at least 0"),
    Case("awareness-negative-plan", with_awareness({1: {"planned_reach": "-10"}}), "out_of_range",
         "the number must be at least 0"),
    Case("awareness-reach-without-sessions", with_awareness({1: {"sessions": "0", "people_reached": "25"}}),
         "reached_without_sessions", "people are reached but no session was delivered"),
    Case("awareness-same-row-twice", with_awareness({1: {"setting": "Secondary school"}}), "duplicate_id",
         "the combination of period, audience, setting, area appears more than once"),
    Case("awareness-missing-column", with_awareness(header=[c for c in DEFAULTS["awareness"] if c != "people_reached"]),
         "missing_column", "the required column 'people_reached' is missing"),
    Case("awareness-postcode-in-area", with_awareness({0: {"area": "LS1 4AB"}}), "identifying_value",
         "the value looks like a full postcode"),
    Case("awareness-identifying-heading", with_awareness(extra={"Contact phone": "none"}), "identifying_column",
         "the column looks like a phone number, which identifies a child"),
    Case("awareness-outside-the-period", with_awareness({1: {"period": "2023-Q2"}}), "outside_period",
         "1 row dated outside the extract's period 2025-Q1 to 2025-Q1 was left out", can_load=True, severity="warning"),
    Case("awareness-aliases-mapped", with_awareness({0: {"audience": "Parents", "setting": "taxi drivers"}}),
         "code_mapped", "a code or spelling was mapped to the contract's label", can_load=True, severity="warning"),
    # Identifying data
    Case("identifying-heading", _one("referrals.csv", lambda: referrals_with({}, extra={"DOB": "2011-04-03"})),
         "identifying_column", "the column looks like a date of birth, which identifies a child"),
    Case("emails-under-innocent-heading", _one("referrals.csv", lambda: referrals_with(
        {1: {"notes": "ask jo.bloggs@example.org"}}, extra={"notes": "ok"})), "identifying_value",
         "the value looks like an email address, which identifies a child"),
    Case("names-under-innocent-heading", _one("referrals.csv", lambda: referrals_with(
        {0: {"info": "Jane Smith"}, 1: {"info": "Tom Jones"}}, extra={"info": "none"})), "identifying_value",
         "the value looks like a person's name, which identifies a child (and 1 more rows)"),
    Case("dates-of-birth-under-innocent-heading", _one("referrals.csv", lambda: referrals_with(
        {}, extra={"ref_2": "03/04/2011"})), "identifying_value", "a full date (a date of birth?)"),
    Case("postcode-in-area", _one("referrals.csv", lambda: referrals_with({2: {"area": "LS1 4AB"}})),
         "identifying_value", "the value looks like a full postcode"),
    Case("valid-nhs-number-as-child-id", _one("referrals.csv", lambda: referrals_with({0: {"child_id": "9434765919"}})),
         "identifying_value", "the value looks like a valid NHS number"),
    Case("invalid-nhs-number-is-a-pseudonym", _one("referrals.csv", lambda: referrals_with(
        {0: {"child_id": "9434765918"}, 1: {"area": " Northgate"}})),
         "trimmed", "spaces around the value were removed", can_load=True, severity="warning"),
    # Identifying values in any spelling (issue 12)
    Case("postcode-with-two-spaces", _one("referrals.csv", lambda: referrals_with({1: {"area": "LS1  4AP"}})),
         "identifying_value", "the value looks like a full postcode", secret="LS1  4AP"),
    Case("postcode-with-a-no-break-space", _one("referrals.csv", lambda: referrals_with({1: {"area": "LS1\u00a04AP"}})),
         "identifying_value", "the value looks like a full postcode", secret="4AP"),
    Case("postcode-with-a-hyphen", _one("referrals.csv", lambda: referrals_with({1: {"area": "LS1-4AP"}})),
         "identifying_value", "the value looks like a full postcode", secret="LS1-4AP"),
    Case("phone-in-brackets", _one("referrals.csv", lambda: referrals_with({0: {"area": "(07700) 900123"}})),
         "identifying_value", "the value looks like a phone number", secret="900123"),
    Case("phone-with-a-hyphen-in-notes", _one("referrals.csv", lambda: referrals_with(
        {1: {"notes": "mum on 07700-900123"}}, extra={"notes": ""})), "identifying_value",
         "the value looks like a phone number", secret="900123"),
    Case("nhs-number-with-hyphens-as-child-id", _one("referrals.csv", lambda: referrals_with(
        {0: {"child_id": "943-476-5919"}})), "identifying_value", "the value looks like a valid NHS number",
         secret="5919"),
    Case("phone-number-as-child-id", _one("referrals.csv", lambda: referrals_with({2: {"child_id": "07700900123"}})),
         "identifying_value", "the value looks like a phone number", secret="07700900123"),
    Case("full-width-phone-number-as-referral-id", _one("referrals.csv", lambda: referrals_with(
        {2: {"referral_id": "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13"}})),
         "identifying_value", "the value looks like a phone number"),
    # Identifying headings in ordinary spellings
    *(Case(f"heading-{heading.lower().replace(' ', '-').replace('/', '-').replace(chr(39), '')}",
           _one("referrals.csv", lambda heading=heading: referrals_with({}, extra={heading: "x"})),
           "identifying_column", f"the column looks like {kind}, which identifies a child")
      for heading, kind in (("Child's name", "a name"), ("Name of child", "a name"),
                            ("Surname/Family name", "a name"), ("Contact no", "a phone number"),
                            ("Born", "a date of birth"))),
    Case("date-times-under-an-innocent-heading", _one("referrals.csv", lambda: referrals_with(
        {}, extra={"ref_time": "2011-04-03 14:22:00"})), "identifying_value", "a full date (a date of birth?)"),
    # Identifying values in a column that breaks another rule: masked all the same
    Case("postcode-in-gender", _one("referrals.csv", lambda: referrals_with({1: {"gender": "LS1 4AP"}})),
         "bad_choice", "not an allowed value", secret="LS1 4AP"),
    Case("email-in-vulnerabilities", _one("referrals.csv", lambda: referrals_with(
        {1: {"vulnerabilities": "jo.bloggs@example.org"}})), "bad_list_item", "holds an item not in the list",
         secret="jo.bloggs"),
    Case("nhs-number-in-age", _one("referrals.csv", lambda: referrals_with({0: {"age_at_referral": "943 476 5919"}})),
         "bad_integer", "not a whole number", secret="5919"),
    Case("name-in-outcome", _one("referrals.csv", lambda: referrals_with({0: {"outcome": "Jane Smith"}})),
         "bad_choice", "not an allowed value", secret="Jane Smith"),
    # Files that once gave a traceback
    Case("heading-given-twice", _one("referrals.csv", lambda: csv_bytes(
        [{**r, "notes": "a"} for r in rows("referrals", 2)], header=[*HEADER, "notes"]).replace(
        b"vulnerabilities,notes", b"vulnerabilities,area", 1)), "repeated_heading",
         "the heading appears twice (columns 7 and 14); each column needs its own heading"),
    Case("blank-headings", _one("referrals.csv", lambda: b"".join(line + b",,\r\n" for line in referrals().splitlines())),
         "unknown_column",
         "the column has no heading; it was not stored", can_load=True, severity="warning"),
    Case("parquet-list-column", _one("referrals.parquet", lambda: _parquet_with("tags", [["a"], ["b", "c"]])),
         "column_type", "the column holds lists, not plain values"),
    Case("parquet-struct-column", _one("referrals.parquet", lambda: _parquet_with("extra", [{"a": 1}, {"a": 2}])),
         "column_type", "the column holds structured records, not plain values"),
    Case("parquet-binary-column", _one("referrals.parquet", lambda: _parquet_with("blob", [b"\x00\x01", b"\xff"])),
         "column_type", "the column holds binary data, not plain values"),
    Case("encrypted-zip", _one("extract.zip", lambda: _zip_patched(flag_bits=0x1)), "zip_encrypted",
         "this file inside the zip is password-protected"),
    Case("deflate64-zip-member", _one("extract.zip", lambda: _zip_patched(method=9)), "zip_method",
         "compressed with Deflate64"),
    Case("utf-32", _one("referrals.csv", lambda: referrals().decode().encode("utf-32")), "encoding",
         "the file is UTF-32 text; it was converted to UTF-8", can_load=True, severity="warning"),
    # Characters and lengths
    Case("nul-byte-past-the-first-64-kb", _one("referrals.csv", _nul_past_the_sniff), "control_character",
         "the value holds a control character (such as a NUL byte)", row=1201),
    Case("nul-byte-in-a-heading", _one("referrals.parquet", lambda: _parquet_with("no\x00tes", ["a", "b"])),
         "control_character", "the heading holds a control character (such as a NUL byte)", row=1),
    Case("zero-width-space-in-area", _one("referrals.csv", lambda: referrals_with({0: {"area": "North\u200bgate"}})),
         "invisible_characters", "zero-width or text-direction characters were removed", can_load=True,
         severity="warning"),
    Case("right-to-left-override-in-area", _one("referrals.csv", lambda: referrals_with(
        {0: {"area": "\u202eetaghtroN"}})), "invisible_characters", "zero-width or text-direction characters",
         can_load=True, severity="warning"),
    Case("10000-character-area", _one("referrals.csv", lambda: _field_of(10_000)), "too_long",
         "the value is longer than 100 characters"),
    Case("episode-ends-hours-before-it-starts-on-the-same-day", _episodes(
        start_date="2025-02-01 18:00", end_date="2025-02-01 09:30"), "end_before_start",
         "the episode ends before it starts (on the same day, at an earlier time)"),
    Case("episode-times-dropped-with-a-warning", _episodes(start_date="2025-02-01 09:00", end_date="2025-02-01 18:30"),
         "time_dropped", "the time of day was dropped; only the date is stored", can_load=True, severity="warning"),
    # Periods
    Case("declared-period-holds-no-referral", _one("referrals.csv", lambda: referrals()), "empty_period",
         "none of the extract's referrals is dated in the period 2026-Q1 to 2026-Q3", period=("2026-Q1", "2026-Q3")),
    Case("declared-quarter-with-no-referral", _one("referrals.csv", lambda: referrals()), "empty_quarter",
         "no referral is dated in 2025-Q2, which the period covers", period=("2025-Q1", "2025-Q2"), can_load=True,
         severity="warning"),
    # Scale
    Case("100000-columns", _one("referrals.csv", _very_wide), "too_many_columns",
         "the file has more than 1,000 columns; a table of the extract has at most 1,000"),
    Case("3-mb-field", _one("referrals.csv", lambda: _field_of(3 * 1024**2)), "too_long",
         "a line or value is longer than 1 MB"),
    Case("uk-dates-grouped", _one("referrals.csv", lambda: _uk_dates(30)), "uk_date",
         "(30 rows like this in the column; the first is shown)", can_load=True, severity="warning"),
    # Row numbers
    Case("row-after-a-quoted-newline", _one("referrals.csv", _quoted_newline_then_bad_date), "bad_date",
         "not a date", row=3),
    Case("row-after-blank-rows-in-a-workbook", _one("referrals.xlsx", lambda: xlsx_bytes({"referrals": [
        [], HEADER, *([r[c] for c in HEADER] for r in rows("referrals", 2)), [],
        [r[c] if c != "age_at_referral" else "18" for c in HEADER for r in rows("referrals", 1, referral_id="R9")]]})),
         "out_of_range", "the number must be at least 0 and at most 17", row=6),
]
