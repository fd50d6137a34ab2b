"""The bad-input corpus: each upload gets its specific message and rule, never a traceback, and the store is unchanged.

Every case is validated as the upload page does it (in memory, with the upload size limit), against a store
that already holds a good extract. Refused uploads must leave the store exactly as it was; uploads that
can load (fixed with a warning) are loaded and then undone, which must give back exactly the same store.
"""
from __future__ import annotations

import os
import tempfile

import pytest

from bad_inputs import CASES, Case, extract_zip
from conftest import TODAY, assert_same_snapshot
from cseboard.intake import quality
from cseboard.methods import disclosure
from cseboard.intake.ingest import load, prepare_path, prepare_uploads
from cseboard.intake.readers import Limits
from cseboard.store.database import StoreError
from cseboard.tools.load import main as load_command
from factory import rows, write_csv


@pytest.fixture
def loaded_store(store):
    """A store that already holds a good extract (2024-Q4 and 2025-Q1, with training and awareness rows), so a change
    to any table would show."""
    referrals = rows("referrals", 5)
    referrals[0]["referral_date"] = "2024-11-20"
    prepared = prepare_uploads([("extract.zip", extract_zip(referrals=referrals, training=rows("training", 1),
                                                            awareness=rows("awareness", 1)))], today=TODAY)
    assert prepared.ok, prepared.report.text()
    load(store, prepared)
    return store


@pytest.fixture
def no_disk(tmp_path, monkeypatch):
    """An empty temp folder and working folder: anything a check wrote to disk would show up in them."""
    temp, work = tmp_path / "temp", tmp_path / "work"
    temp.mkdir()
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.chdir(work)
    return temp, work


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)
    assert sum(not case.can_load for case in CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_bad_input_gets_its_message_and_leaves_the_store_unchanged(case: Case, loaded_store, no_disk):
    before, version = loaded_store.snapshot(), loaded_store.version()
    limits = Limits(max_file_bytes=case.limit if case.limit is not None else 100 * 1024**2)
    prepared = prepare_uploads(case.uploads(), period=case.period, limits=limits, today=TODAY)
    found = [p for p in prepared.report.problems
             if p.rule == case.rule and p.severity == case.severity and case.message in p.message]
    assert found, prepared.report.text()
    assert prepared.ok is case.can_load, prepared.report.text()
    if case.row is not None:
        assert [p.row for p in found] == [case.row]
    assert all(p.file for p in prepared.report.problems)
    for temp_or_work in no_disk:
        assert list(temp_or_work.iterdir()) == [], "checking an upload wrote files to disk"
    if case.can_load:
        extract_id = load(loaded_store, prepared)
        assert loaded_store.version() == version + 1
        assert prepared.quality is not None and loaded_store.extracts().quality_json.iloc[0] is not None
        loaded_store.remove(extract_id)
    else:
        assert prepared.extract.tables == {} and prepared.quality is None
        with pytest.raises(StoreError, match="nothing was loaded"):
            load(loaded_store, prepared)
    assert_same_snapshot(before, loaded_store.snapshot())


@pytest.mark.parametrize("case", [c for c in CASES if c.rule in ("identifying_value",) or c.secret], ids=lambda c: c.id)
def test_identifying_values_are_never_repeated_in_the_report(case: Case):
    """Not on screen (the findings and their samples), in the shell, or in the report download."""
    prepared = prepare_uploads(case.uploads(), today=TODAY)
    report = prepared.report
    shown = [report.text(), quality.summary_table(report).to_csv(),
             *(group["samples"].to_csv() for severity in ("error", "warning")
               for group in quality.problem_groups(report, severity)),
             *quality.headline_refusals(report), disclosure.safe_csv(quality.summary_table(report)).decode()]
    for secret in ("jo.bloggs", "Jane Smith", "LS1 4AB", "9434765919", "03/04/2011", *filter(None, [case.secret])):
        assert not any(secret in text for text in shown), secret


def test_a_200_mb_file_above_the_limit_is_refused_without_being_read(tmp_path, loaded_store):
    big = tmp_path / "big" / "referrals.csv"
    big.parent.mkdir()
    with open(big, "wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024**2)
    before = loaded_store.snapshot()
    prepared = prepare_path(big.parent, limits=Limits(max_file_bytes=100 * 1024**2), today=TODAY)
    assert [(p.file, p.rule, p.message) for p in prepared.report.errors] == [
        ("referrals.csv", "too_large", "the file is 200.0 MB, above the limit of 100.0 MB")]
    with pytest.raises(StoreError):
        load(loaded_store, prepared)
    assert_same_snapshot(before, loaded_store.snapshot())


def test_formula_like_text_is_stored_as_text_and_neutralised_in_downloads(loaded_store):
    case = next(c for c in CASES if c.id == "formula-like-text-kept-as-text")
    prepared = prepare_uploads(case.uploads(), today=TODAY)
    load(loaded_store, prepared)
    stored = loaded_store.cursor().execute(
        "SELECT area FROM current_referrals WHERE area LIKE '=%'").df()
    assert stored.area.tolist() == ["=HYPERLINK(1)"]
    assert b"'=HYPERLINK(1)" in disclosure.safe_csv(stored)
    assert b"\n=HYPERLINK" not in disclosure.safe_csv(stored)


def test_several_bad_files_are_all_reported_at_once(tmp_path):
    uploads = [*next(c for c in CASES if c.id == "semicolons").uploads(),
               ("missing_episodes.csv", b""), ("notes.exe", b"MZ")]
    prepared = prepare_uploads(uploads, today=TODAY)
    assert {(p.file, p.rule) for p in prepared.report.errors} >= {("notes.exe", "file_type")}
    write_csv(tmp_path / "x.csv", rows("referrals", 1))  # the factory still writes files for the shell path
    assert os.path.exists(tmp_path / "x.csv")


def test_undo_after_two_loads_restores_each_previous_state(loaded_store):
    states = [loaded_store.snapshot()]
    ids = []
    for area in ("Riverside", "Hillside"):
        prepared = prepare_uploads([("extract.zip", extract_zip(referrals=rows("referrals", 3, area=area)))], today=TODAY)
        ids.append(load(loaded_store, prepared))
        states.append(loaded_store.snapshot())
    loaded_store.remove(ids[1])
    assert_same_snapshot(states[1], loaded_store.snapshot())
    loaded_store.remove(ids[0])
    assert_same_snapshot(states[0], loaded_store.snapshot())


SHELL_CASES = ["heading-given-twice", "parquet-list-column", "encrypted-zip", "deflate64-zip-member",
               "nul-byte-past-the-first-64-kb", "100000-columns", "3-mb-field", "postcode-in-gender",
               "declared-period-holds-no-referral"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SHELL_CASES], ids=lambda c: c.id)
def test_the_shell_says_the_same_without_a_traceback(case: Case, tmp_path, capsys):
    folder = tmp_path / "extract"
    folder.mkdir()
    for name, data in case.uploads():
        (folder / name).write_bytes(data)
    period = ["--period", ":".join(case.period)] if case.period else []
    assert load_command([str(folder), "--check", *period]) == 1
    out = capsys.readouterr()
    assert case.message in out.out and "Nothing was loaded; the store is unchanged." in out.out
    assert "Traceback" not in out.out + out.err
    if case.secret:
        assert case.secret not in out.out
