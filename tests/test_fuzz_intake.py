"""Fuzzing the intake: whatever bytes arrive as a CSV, a zip or a workbook, the answer is a report, never a traceback.

Each test checks a bounded number of examples, derandomized so that CI sees the same ones every run. An example
fails if anything escapes prepare_uploads, or if only the catch-all caught it (the rule 'unexpected'): a file no
rule foresaw is a bug to fix, with its own message.
"""
from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bad_inputs import HEADER, csv_bytes, xlsx_bytes, zip_bytes
from conftest import TODAY
from cseboard.intake.ingest import prepare_uploads
from cseboard.intake.readers import Limits
from factory import rows

FUZZ = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOOD_CSV = csv_bytes(rows("referrals", 3))
LIMITS = Limits(max_file_bytes=10 * 1024**2)

# Cells as an attacker or a careless export might write them: quotes, separators, line breaks, NULs, invisible
# and right-to-left characters, identifying-looking values, very long runs.
awkward_text = st.text(alphabet=st.sampled_from(list('ab,;"\'\r\n\t\x00 =+-@0123456789/:.()') +
                                                ["\u200b", "\u202e", "\u00a0", "é", "北", "\ufeff", "\U0001f600"]),
                       max_size=40)
cell = st.one_of(awkward_text, st.sampled_from(["", "LS1 4AP", "07700 900123", "943-476-5919", "jo@x.org", "2025-02-30",
                                                "10/02/2025", "Male", "18", "=1+1", "N" * 200]))


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """The bytes with a few bytes replaced, dropped or added at places drawn by Hypothesis."""
    edits = st.lists(st.tuples(st.integers(0, max(0, len(data) - 1)), st.sampled_from(["set", "drop", "add"]),
                               st.binary(min_size=1, max_size=4)), max_size=6)

    def apply(changes) -> bytes:
        result = bytearray(data)
        for at, how, chunk in changes:
            at = min(at, len(result))
            if how == "set":
                result[at:at + len(chunk)] = chunk
            elif how == "drop":
                del result[at:at + len(chunk)]
            else:
                result[at:at] = chunk
        return bytes(result)

    return edits.map(apply)


def refused_by_a_rule(uploads: list[tuple[str, bytes]]) -> None:
    prepared = prepare_uploads(uploads, limits=LIMITS, today=TODAY)
    unexpected = [p for p in prepared.report.problems if p.rule == "unexpected"]
    assert not unexpected, prepared.report.text()
    assert prepared.ok or prepared.extract.tables == {}


@FUZZ
@given(st.one_of(st.binary(max_size=2000), mutated(GOOD_CSV)))
def test_any_csv_bytes_get_a_report(data):
    refused_by_a_rule([("referrals.csv", data)])


@FUZZ
@given(st.lists(st.lists(cell, min_size=1, max_size=16), min_size=1, max_size=6),
       st.sampled_from(["utf-8", "utf-16", "utf-32", "cp1252"]))
def test_any_csv_text_gets_a_report(records, encoding):
    lines = [",".join(HEADER[:len(records[0])])] + [",".join(record) for record in records]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    refused_by_a_rule([("referrals.csv", data)])


GOOD_ZIP = zip_bytes({"referrals.csv": GOOD_CSV, "training.csv": csv_bytes(rows("training", 1))})


@FUZZ
@given(st.one_of(mutated(GOOD_ZIP),
                 st.dictionaries(st.sampled_from(["referrals.csv", "missing.csv", "a/../referrals.csv", "x.zip",
                                                  "referrals.parquet", "referrals.xlsx", ".hidden.csv", "notes.txt"]),
                                 st.one_of(st.binary(max_size=300), mutated(GOOD_CSV)), min_size=1, max_size=3)
                 .map(lambda members: zip_bytes(members, compression=zipfile.ZIP_STORED))))
def test_any_zip_bytes_get_a_report(data):
    refused_by_a_rule([("extract.zip", data)])


# A workbook cannot hold control characters (openpyxl refuses to write them, as Excel does), so its cells go without.
xlsx_cell = cell.map(lambda value: ILLEGAL_CHARACTERS_RE.sub("", value))
GOOD_XLSX = xlsx_bytes({"referrals": [HEADER] + [[r[c] for c in HEADER] for r in rows("referrals", 2)]})


@FUZZ
@given(st.one_of(mutated(GOOD_XLSX),
                 st.lists(st.lists(st.one_of(xlsx_cell, st.integers(-10, 10**12), st.floats(allow_nan=True), st.none()),
                                   max_size=15), min_size=1, max_size=5)
                 .map(lambda table: xlsx_bytes({"referrals": table}))))
def test_any_xlsx_bytes_get_a_report(data):
    refused_by_a_rule([("referrals.xlsx", data)])


def test_the_fuzzers_reach_past_the_first_check():
    """The strategies make files that get as far as the cell rules, not only ones refused at the door."""
    text = "\r\n".join([",".join(HEADER), ",".join(["R1", "C1", "2025-02-10", "14", "Female", "White", "LS1 4AP",
                                                    "Police", "High", "Child protection", "no", "", ""])])
    prepared = prepare_uploads([("referrals.csv", text.encode())], limits=LIMITS, today=TODAY)
    assert [p.rule for p in prepared.report.errors] == ["identifying_value"]
    assert io.BytesIO(GOOD_XLSX).read(2) == b"PK"
