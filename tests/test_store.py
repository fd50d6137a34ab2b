"""The store on disk: loads are all or nothing, a newer extract replaces a period, undo restores exactly."""
from __future__ import annotations

import pytest

from conftest import assert_same_snapshot
from cseboard.ingest import load
from cseboard.load import main as load_command
from cseboard.store import Store, StoreError
from factory import rows, write_extract


def good_extract(tmp_path, name="good", **overrides):
    return write_extract(tmp_path / name, referrals=rows("referrals", 4, **overrides),
                         missing_episodes=rows("missing_episodes", 2), training=rows("training", 1),
                         population=rows("population", 1))


def test_good_extract_is_stored_with_its_history(tmp_path, store, prepare):
    extract_id = load(store, prepare(good_extract(tmp_path)))
    history = store.extracts()
    assert history[["extract_id", "period_start", "period_end", "rows_referrals", "rows_missing_episodes"]].values.tolist() == [
        [extract_id, "2025-Q1", "2025-Q1", 4, 2]]
    assert len(history.files_sha256[0]) == 64
    current = store.cursor().execute("SELECT referral_id, quarter, age_band FROM current_referrals ORDER BY 1").fetchall()
    assert current == [(f"R{i}", "2025-Q1", "14-15") for i in range(1, 5)]


def test_bad_extract_after_a_good_one_changes_nothing(tmp_path, store, prepare):
    load(store, prepare(good_extract(tmp_path)))
    before, version = store.snapshot(), store.version()
    records = rows("referrals", 4)
    records[3]["age_at_referral"] = "18"
    bad = prepare(write_extract(tmp_path / "bad", referrals=records))
    with pytest.raises(StoreError):
        load(store, bad)
    assert_same_snapshot(before, store.snapshot())
    assert store.version() == version


def test_failure_inside_the_transaction_rolls_everything_back(tmp_path, store, prepare):
    load(store, prepare(good_extract(tmp_path)))
    before = store.snapshot()
    prepared = prepare(good_extract(tmp_path, "second", referral_date="2025-05-01"))
    prepared.extract.tables["training"] = prepared.extract.tables["training"].drop_columns(["level"])
    with pytest.raises(StoreError, match="the store is unchanged"):
        load(store, prepared)
    assert_same_snapshot(before, store.snapshot())


def test_newer_extract_replaces_the_quarters_it_covers_and_undo_restores(tmp_path, store, prepare):
    first = load(store, prepare(good_extract(tmp_path)))
    before = store.snapshot()
    assert store.overlapping("2025-Q1", "2025-Q1").extract_id.tolist() == [first]
    second = load(store, prepare(good_extract(tmp_path, "again", area="Riverside")))
    areas = store.cursor().execute("SELECT DISTINCT area, extract_id FROM current_referrals").fetchall()
    assert areas == [("Riverside", second)]
    store.remove(second)
    assert_same_snapshot(before, store.snapshot())


def test_data_survives_reopening_the_file(tmp_path, prepare):
    path = tmp_path / "cse.duckdb"
    opened = Store(path)
    load(opened, prepare(good_extract(tmp_path)))
    opened.close()
    reopened = Store(path, read_only=True)
    assert reopened.cursor().execute("SELECT count(*) FROM current_referrals").fetchall() == [(4,)]
    reopened.close()


def test_removing_an_unknown_extract_is_refused(store):
    with pytest.raises(StoreError, match="there is no extract 42"):
        store.remove(42)


def test_load_command_loads_and_refuses_with_the_same_messages(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert load_command([str(good_extract(tmp_path)), "--db", str(db)]) == 0
    assert "Loaded extract 1: 2025-Q1 to 2025-Q1, 4 referrals." in capsys.readouterr().out
    records = rows("referrals", 2)
    records[0]["gender"] = "x"
    assert load_command([str(write_extract(tmp_path / "bad", referrals=records)), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "referrals.csv, row 2, column 'gender' (value 'x'): not an allowed value" in out
    assert "Nothing was loaded; the store is unchanged." in out


def test_load_command_explains_a_store_it_cannot_open(tmp_path, capsys):
    not_a_store = tmp_path / "cse.duckdb"
    not_a_store.write_bytes(b"this is not a DuckDB file")
    assert load_command([str(good_extract(tmp_path)), "--db", str(not_a_store)]) == 1
    out = capsys.readouterr().out
    assert f"Not loaded: the store {not_a_store} could not be opened" in out
    assert not_a_store.read_bytes() == b"this is not a DuckDB file"
