"""The store on disk: loads are all or nothing, a newer extract replaces a period, undo restores exactly."""
from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import pandas as pd
import pytest

from conftest import TODAY, assert_same_snapshot
from cseboard.config import SAMPLE_DIR
from cseboard.intake.ingest import load, prepare_path
from cseboard.tools import synth
from cseboard.tools.load import main as load_command
from cseboard.questions import missing
from cseboard.store import database as store_module
from cseboard.store.database import Store, StoreDamaged, StoreError
from cseboard.store.queries import query_names, query_text
from factory import rows, write_csv, write_extract


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


@pytest.mark.parametrize("linked_crimes, header_has_it", [("", True), ("drugs", False)])
def test_a_list_not_supplied_is_stored_as_an_empty_list(tmp_path, store, prepare, linked_crimes, header_has_it):
    records = rows("referrals", 3, linked_crimes=linked_crimes)
    records[0]["linked_crimes"] = "gangs"
    header = [name for name in records[0] if header_has_it or name != "linked_crimes"]
    folder = write_extract(tmp_path / "lists", referrals=[])
    write_csv(folder / "referrals.csv", records, header)
    load(store, prepare(folder))
    stored = store.cursor().execute(
        "SELECT linked_crimes, vulnerabilities FROM current_referrals ORDER BY referral_id").fetchall()
    first = ["gangs"] if header_has_it else []
    assert stored == [(first, ["missing_education"]), ([], ["missing_education"]), ([], ["missing_education"])]


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


def test_load_command_says_a_store_that_is_not_a_store_is_damaged(tmp_path, capsys):
    not_a_store = tmp_path / "cse.duckdb"
    not_a_store.write_bytes(b"this is not a DuckDB file")
    assert load_command([str(good_extract(tmp_path)), "--db", str(not_a_store)]) == 1
    out = capsys.readouterr().out
    assert f"Not loaded: the store file {not_a_store} is damaged (it is not a DuckDB database file)" in out
    assert "put back your latest backup copy of cse.duckdb" in out and "Traceback" not in out
    assert "holds the lock" not in out and "in use by another process" not in out
    assert not_a_store.read_bytes() == b"this is not a DuckDB file"


BLOCK_BYTES = 256 * 1024  # DuckDB's default block size


def damaged_copy(path, how: str):
    """The store file damaged as a disk or a copy damages it: its header overwritten, cut short, or a data block
    overwritten (DuckDB notices that one only when the block is read)."""
    data = bytearray(path.read_bytes())
    if how == "header":
        data[:64] = b"\xde\xad\xbe\xef" * 16
    elif how == "cut short":  # to its first block: a cut that spares every block in use leaves a store that opens whole
        data = data[:store_module.FILE_HEADER_BYTES + BLOCK_BYTES]
    elif how == "data block":
        data[3 * 4096 + 1000:3 * 4096 + 5096] = b"\xde\xad\xbe\xef" * 1024
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how", ["header", "cut short"])
def test_a_damaged_store_is_found_when_it_is_opened(sample_db_copy, how):
    damaged_copy(sample_db_copy, how)
    with pytest.raises(StoreDamaged) as refused:
        Store(sample_db_copy)
    message = str(refused.value)
    assert message.startswith(f"the store file {sample_db_copy} is damaged (")
    assert "move the file aside (for example to cse.duckdb.damaged)" in message
    assert "load the extracts again, oldest first" in message


def test_a_damaged_data_block_is_reported_as_damage_when_it_is_read(tmp_path, sample_db_copy, prepare):
    damaged_copy(sample_db_copy, "data block")
    try:
        opened = Store(sample_db_copy)
    except StoreDamaged:
        return  # the block held the catalogue or the history: found on opening, as it should be
    with pytest.raises(StoreDamaged, match="is damaged"):
        try:
            opened.snapshot()
        except duckdb.Error as exc:
            raise store_module.damage(opened.path, exc) or exc
    opened.close()


def test_a_store_in_use_by_another_process_is_not_called_damaged(tmp_path, capsys):
    path = tmp_path / "cse.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert load_command([str(good_extract(tmp_path)), "--db", str(path)]) == 1
    finally:
        holder.kill()
        holder.wait()
    out = capsys.readouterr().out
    assert f"Not loaded: the store {path} is in use by another process" in out and "damaged" not in out


def test_a_load_that_fails_while_writing_leaves_the_file_and_the_ids_as_they_were(tmp_path, partnership_db_copy, monkeypatch):
    """A full disk, simulated: DuckDB fails at the write step after the rows went in. The file must be the same bytes
    afterwards (not grown by the blocks written for the rolled-back rows), and the next load gets the next id."""
    folder = synth.write_extract(synth.generate(150_000, seed=7, end_quarter="2026-Q2", quarters=4), tmp_path / "big")
    prepared = prepare_path(folder, today=TODAY)
    assert prepared.ok, prepared.report.text()
    opened = Store(partnership_db_copy)
    last_id = int(opened.extracts().extract_id.max())
    before, version = opened.snapshot(), opened.version()
    opened.cursor().execute("CHECKPOINT")
    size, data = partnership_db_copy.stat().st_size, partnership_db_copy.read_bytes()
    grown = []

    def disk_full(cursor, first, last):
        grown.append(partnership_db_copy.stat().st_size > size)
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(store_module, "_refresh", disk_full)
    with pytest.raises(StoreError, match="No space left on device.*the store is unchanged"):
        load(opened, prepared)
    assert grown == [True], "the rows were not written before the failure: the test would prove nothing"
    assert partnership_db_copy.stat().st_size == size and partnership_db_copy.read_bytes() == data
    assert_same_snapshot(before, opened.snapshot())
    assert opened.version() == version
    monkeypatch.undo()
    assert load(opened, prepared) == last_id + 1
    loaded = opened.snapshot()
    opened.close()
    reopened = Store(partnership_db_copy)  # the blocks cut off were free: the store written after it opens whole
    assert_same_snapshot(loaded, reopened.snapshot())
    reopened.close()


# Referrals and missing episodes of two extracts: the second replaces 2025-Q1, so the look-back of the Q2 referrals
# (kept from the first extract) reaches missing episodes of the second.
FIRST_REFERRALS = [("R1", "C1", "2025-04-10"), ("R2", "C2", "2025-05-01"), ("R3", "C3", "2025-02-10"),
                   ("R4", "C4", "2024-11-01"), ("R5", "C1", "2025-01-15"), ("R6", "C2", "2025-05-20")]
FIRST_EPISODES = [("E1", "C1", "2025-02-01"), ("E2", "C2", "2025-01-20"), ("E3", "C3", "2025-02-10"),
                  ("E4", "C1", "2024-10-05"), ("E5", "C4", "2024-11-02")]
SECOND_REFERRALS = [("R3", "C3", "2025-02-10"), ("R5", "C1", "2025-01-15")]
SECOND_EPISODES = [("E6", "C2", "2025-03-01"), ("E7", "C3", "2025-01-01")]


def timeline_extract(folder, referrals, episodes):
    return write_extract(
        folder,
        referrals=[{**rows("referrals", 1)[0], "referral_id": r, "child_id": c, "referral_date": d} for r, c, d in referrals],
        missing_episodes=[{**rows("missing_episodes", 1)[0], "episode_id": e, "child_id": c, "start_date": d,
                           "end_date": d, "return_interview_date": d} for e, c, d in episodes])


def expected_days_since_missing(referrals, episodes) -> list[tuple]:
    """Worked out in pandas from the rows written, not from the store: latest episode on or before, within 365 days."""
    refs = pd.DataFrame(referrals, columns=["referral_id", "child_id", "referral_date"])
    eps = pd.DataFrame(episodes, columns=["episode_id", "child_id", "start_date"])
    pairs = refs.merge(eps, on="child_id", how="left")
    pairs["days"] = (pd.to_datetime(pairs.referral_date) - pd.to_datetime(pairs.start_date)).dt.days
    pairs = pairs[(pairs.days >= 0) & (pairs.days <= 365)]
    latest = pairs.groupby("referral_id").days.min()
    return sorted((r, None if r not in latest else int(latest[r])) for r in refs.referral_id)


def expected_child_referrals(referrals) -> list[tuple]:
    """Each referral with the number of current referrals its child has, counted in pandas from the rows written."""
    refs = pd.DataFrame(referrals, columns=["referral_id", "child_id", "referral_date"])
    refs["count"] = refs.groupby("child_id").referral_id.transform("size")
    return sorted(zip(refs.referral_id, refs["count"].astype(int)))


def stored_days_since_missing(store) -> list[tuple]:
    return sorted(store.cursor().execute("SELECT referral_id, days_since_missing FROM current_referrals").fetchall())


def stored_child_referrals(store) -> list[tuple]:
    return sorted(store.cursor().execute("SELECT referral_id, child_referrals FROM current_referrals").fetchall())


def expected_per_quarter(referrals) -> list[tuple]:
    """Each referral with the child's referrals in the same quarter, counted in pandas from the rows written."""
    frame = pd.DataFrame(referrals, columns=["id", "child_id", "date"])
    frame["quarter"] = pd.PeriodIndex(pd.to_datetime(frame.date), freq="Q").astype(str)
    frame["count"] = frame.groupby(["child_id", "quarter"]).id.transform("size")
    return sorted(zip(frame.id, frame["count"].astype(int)))


def stored_per_quarter(store) -> list[tuple]:
    return sorted(store.cursor().execute("SELECT referral_id, child_quarter_referrals FROM current_referrals").fetchall())


def test_columns_kept_at_load_follow_loads_replacements_and_undo(tmp_path, store, prepare):
    load(store, prepare(timeline_extract(tmp_path / "first", FIRST_REFERRALS, FIRST_EPISODES), period=("2024-Q4", "2025-Q2")))
    first = expected_days_since_missing(FIRST_REFERRALS, FIRST_EPISODES)
    assert stored_days_since_missing(store) == first
    assert stored_child_referrals(store) == expected_child_referrals(FIRST_REFERRALS)
    assert ("R1", 68) in first and ("R2", 101) in first and ("R3", 0) in first and ("R4", None) in first
    assert ("R2", 2) in stored_per_quarter(store)  # C2 was referred twice in 2025-Q2
    second = load(store, prepare(timeline_extract(tmp_path / "second", SECOND_REFERRALS, SECOND_EPISODES),
                                 period=("2025-Q1", "2025-Q1")))
    in_q1 = lambda row: "2025-01-01" <= row[2] < "2025-04-01"  # noqa: E731 - the quarter the second replaces
    current_referrals = [r for r in FIRST_REFERRALS if not in_q1(r)] + SECOND_REFERRALS
    current_episodes = [e for e in FIRST_EPISODES if not in_q1(e)] + SECOND_EPISODES
    replaced = expected_days_since_missing(current_referrals, current_episodes)
    assert ("R1", 187) in replaced and ("R2", 61) in replaced and ("R3", 40) in replaced
    assert stored_days_since_missing(store) == replaced
    assert stored_child_referrals(store) == expected_child_referrals(current_referrals)
    assert stored_per_quarter(store) == expected_per_quarter(current_referrals)
    store.remove(second)
    assert stored_days_since_missing(store) == first
    assert stored_child_referrals(store) == expected_child_referrals(FIRST_REFERRALS)
    assert stored_per_quarter(store) == expected_per_quarter(FIRST_REFERRALS)


def test_a_first_real_extract_after_the_sample_keeps_its_own_columns(tmp_path, store, prepare):
    """The sample is removed in the same load, so the extract is the store's only one and nothing is refreshed:
    its columns must be what it alone gives, with none of the sample's episodes in them."""
    load(store, prepare(SAMPLE_DIR))
    load(store, prepare(timeline_extract(tmp_path / "first", FIRST_REFERRALS, FIRST_EPISODES), period=("2024-Q4", "2025-Q2")))
    assert store.kinds() == {"real"}
    assert stored_days_since_missing(store) == expected_days_since_missing(FIRST_REFERRALS, FIRST_EPISODES)
    assert stored_child_referrals(store) == expected_child_referrals(FIRST_REFERRALS)
    assert stored_per_quarter(store) == expected_per_quarter(FIRST_REFERRALS)


def test_two_children_sharing_a_key_are_refused(tmp_path, store, prepare, monkeypatch):
    for table in ("referrals", "missing_episodes"):
        monkeypatch.setitem(store_module.INSERTS, table,
                            store_module.INSERTS[table].replace(store_module.CHILD_KEY_SQL, "42::UBIGINT"))
    before = store.snapshot()
    with pytest.raises(StoreError, match="two different child ids in it share an internal key.*the store is unchanged"):
        load(store, prepare(good_extract(tmp_path)))
    assert_same_snapshot(before, store.snapshot())


@pytest.mark.parametrize("made_by", ["a version before child keys", "a DuckDB whose hash() differs"])
def test_an_older_store_gets_its_child_keys_when_opened(tmp_path, prepare, made_by):
    path = tmp_path / "old.duckdb"
    opened = Store(path)
    load(opened, prepare(timeline_extract(tmp_path / "first", FIRST_REFERRALS, FIRST_EPISODES), period=("2024-Q4", "2025-Q2")))
    expected = opened.snapshot()
    cursor = opened.cursor()
    if made_by == "a version before child keys":
        for table, column in [("referrals", "days_since_missing"), ("referrals", "child_referrals"),
                              ("referrals", "child_quarter_referrals"), ("referrals", "referral_rkey"),
                              ("referrals", "child_rkey"), ("referrals", "child_key"),
                              ("missing_episodes", "episode_rkey"), ("missing_episodes", "child_rkey"),
                              ("missing_episodes", "child_key")]:
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        cursor.execute("DELETE FROM derived_columns")
    else:
        cursor.execute("UPDATE derived_columns SET made_with = 'columns v2, hash 1'")
        cursor.execute("UPDATE referrals SET child_key = 1, days_since_missing = NULL, child_referrals = NULL, "
                       "child_quarter_referrals = NULL, referral_rkey = NULL, child_rkey = NULL")
        cursor.execute("UPDATE missing_episodes SET child_key = 2, episode_rkey = NULL, child_rkey = NULL")
    opened.close()
    reopened = Store(path)
    assert_same_snapshot(expected, reopened.snapshot())
    assert stored_days_since_missing(reopened) == expected_days_since_missing(FIRST_REFERRALS, FIRST_EPISODES)
    reopened.close()


def awareness_extract(tmp_path, name="aware"):
    return write_extract(tmp_path / name, referrals=rows("referrals", 2), awareness=[
        *rows("awareness", 1), *rows("awareness", 1, setting="Online", area="", planned_reach="")])


def test_a_store_made_before_the_awareness_table_gets_it_when_opened(tmp_path, prepare):
    path = tmp_path / "old.duckdb"
    opened = Store(path)
    load(opened, prepare(good_extract(tmp_path)))
    cursor = opened.cursor()
    for older in ("DROP VIEW current_awareness", "DROP TABLE awareness", "ALTER TABLE extracts DROP COLUMN rows_awareness"):
        cursor.execute(older)
    expected = {table: cursor.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
                for table in ("missing_episodes", "referrals", "training", "population")}
    opened.close()
    reopened = Store(path)
    upgraded = reopened.snapshot()
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(frame, upgraded[table], obj=table)
    assert upgraded["extracts"].rows_awareness.tolist() == [0] and upgraded["awareness"].empty
    load(reopened, prepare(awareness_extract(tmp_path)))
    assert reopened.cursor().execute("SELECT count(*) FROM current_awareness").fetchall() == [(2,)]
    reopened.close()


def test_awareness_rows_are_stored_by_quarter_and_go_with_their_extract(tmp_path, store, prepare):
    before = store.snapshot()
    extract_id = load(store, prepare(awareness_extract(tmp_path)))
    stored = store.cursor().execute(
        "SELECT period, quarter_start::VARCHAR, setting, area, sessions, people_reached, planned_reach "
        "FROM current_awareness ORDER BY setting").fetchall()
    assert stored == [("2025-Q1", "2025-01-01", "Online", None, 4, 320, None),
                      ("2025-Q1", "2025-01-01", "Secondary school", "Northgate", 4, 320, 400)]
    assert store.extracts().rows_awareness.tolist() == [2]
    store.remove(extract_id)
    assert_same_snapshot(before, store.snapshot())


def test_the_missing_look_back_the_pages_use_is_kept_at_load():
    assert missing.DAYS_BEFORE_REFERRAL <= store_module.MISSING_LOOKBACK_DAYS


def test_duckdb_memory_comes_from_the_settings_and_a_bad_value_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CSEBOARD_DUCKDB_MEMORY", "700MB")
    opened = Store(tmp_path / "limited.duckdb")
    assert opened.cursor().execute("SELECT current_setting('memory_limit')").fetchall() == [("667.5 MiB",)]
    opened.close()
    monkeypatch.setenv("CSEBOARD_DUCKDB_MEMORY", "1GB'; DROP TABLE referrals; --")
    with pytest.raises(ValueError, match="CSEBOARD_DUCKDB_MEMORY must be a size"):
        Store(tmp_path / "other.duckdb")


def record_keys_of(store: Store) -> dict[str, dict]:
    """Each stored referral's, child's and episode's record key, by id."""
    cursor = store.cursor()
    referrals = cursor.execute("SELECT referral_id, referral_rkey, child_id, child_rkey FROM referrals").fetchall()
    episodes = cursor.execute("SELECT episode_id, episode_rkey, child_id, child_rkey FROM missing_episodes").fetchall()
    children = {(child, key) for _, _, child, key in referrals + episodes}
    return {"referrals": {row[0]: row[1] for row in referrals}, "episodes": {row[0]: row[1] for row in episodes},
            "children": dict(children), "pairs": children}


def test_record_keys_are_bytes_one_per_child_and_depend_on_the_stores_secret(tmp_path, prepare):
    extract = prepare(timeline_extract(tmp_path / "first", FIRST_REFERRALS, FIRST_EPISODES), period=("2024-Q4", "2025-Q2"))
    keys = []
    for name in ("one", "two"):
        opened = Store(tmp_path / name / "cse.duckdb")
        load(opened, extract)
        keys.append(record_keys_of(opened))
        opened.close()
    for found in keys:
        assert len(found["pairs"]) == len(found["children"]), "a child has one key in every table"
        values = [*found["referrals"].values(), *found["episodes"].values(), *found["children"].values()]
        assert all(isinstance(value, int) and 0 <= value <= 255 for value in values)
    assert keys[0]["referrals"].keys() == keys[1]["referrals"].keys()
    assert keys[0]["referrals"] != keys[1]["referrals"] or keys[0]["children"] != keys[1]["children"], (
        "two installations (two secrets) key the same ids differently")


def test_the_record_key_secret_is_made_once_and_no_query_reads_it(tmp_path):
    path = tmp_path / "cse.duckdb"
    opened = Store(path)
    secret = opened.cursor().execute("SELECT secret FROM record_key_secret").fetchall()
    opened.close()
    reopened = Store(path)
    assert reopened.cursor().execute("SELECT secret FROM record_key_secret").fetchall() == secret
    reopened.close()
    assert len(secret) == 1 and len(secret[0][0]) == 64
    assert not [name for name in query_names() if "secret" in query_text(name).lower()]


def test_writes_wait_their_turn_behind_a_load_and_a_last_seen_time_is_skipped_instead(store):
    """A failed load is undone by cutting the file back, so no write may land while one runs: an audit entry waits
    for it, and a session's last-seen time (rewritten at the next view) is skipped rather than wait."""
    from cseboard.access import audit

    loading, finished = threading.Event(), threading.Event()

    def load_in_progress():
        with store.writing:
            loading.set()
            finished.wait(timeout=30)

    holder = threading.Thread(target=load_in_progress)
    holder.start()
    loading.wait(timeout=30)
    assert store.write("UPDATE store_meta SET version = version", wait=False) is False
    waiting = threading.Thread(target=audit.record, args=(store, "someone", "sign_in"))
    waiting.start()
    waiting.join(timeout=1)
    assert waiting.is_alive() and audit.entries(store).empty
    finished.set()
    holder.join(timeout=30)
    waiting.join(timeout=30)
    assert audit.entries(store).action.tolist() == ["sign_in"]
    assert store.write("UPDATE store_meta SET version = version", wait=False) is True
