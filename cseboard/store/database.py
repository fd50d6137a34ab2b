"""The DuckDB store on disk: all-or-nothing loads, extract history, and undo."""
from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import threading
import weakref
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cseboard.config import settings
from cseboard.contract import AGE_BANDS, GENDERS
from cseboard.periods import quarter_start



class ValidatedExtract(Protocol):
    """What the store needs of an extract that passed validation (intake.validate.Extract), without importing intake."""

    ok: bool
    tables: dict
    period_start: str
    period_end: str
    report: object

    def rows(self, table: str) -> int: ...


SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"
DATA_TABLES = ("missing_episodes", "referrals", "training", "population", "awareness")  # episodes first: see INSERTS
CHILD_TABLES = ("referrals", "missing_episodes")

# Child-level counts (children, boys, repeat missing) group on this number rather than on the text id: hashing
# 10 million ids once at load instead of in every query made the child-level queries 3-4 times faster.
CHILD_KEY_SQL = "hash(child_id)"
DERIVED_COLUMNS_SQL = "SELECT 'columns v4, hash ' || hash('cseboard child key')"


def record_key_sql(kind: str, id_column: str) -> str:
    """A record's key for the cell-key method: 0-255 from its id and the installation's secret ($secret).

    DuckDB's hash() keyed with a 256-bit secret: a cryptographic hash (md5 in DuckDB) took 0.5-2 s per million ids
    on the benchmark machine, against 0.03 s, which the load's 200k rows/s target cannot afford. The keys only
    decide which way each published figure is rounded, and are never shown; see docs/disclosure.md.
    """
    return f"(hash($secret || '{kind}:' || {id_column}) % 256)::UTINYINT"
# How far back a referral looks for a missing episode (days_since_missing); the pages use 90 days.
MISSING_LOOKBACK_DAYS = 365
EVERY_QUARTER = (dt.date.min, dt.date(9000, 1, 1))


def age_band_sql(age: str) -> str:
    """SQL for contract.age_band: under 10, then two-year bands."""
    return (f"CASE WHEN {age} < 10 THEN 'Under 10' "
            f"ELSE ({age} - {age} % 2)::VARCHAR || '-' || ({age} - {age} % 2 + 1)::VARCHAR END")


INSERTS = {
    # days_since_missing and child_referrals as this extract alone gives them (its missing episodes are stored
    # first); the refresh after the insert corrects the rows where other extracts change them. A first load then
    # updates nothing, which keeps a 10M-row load's memory down. child_quarter_referrals needs no refresh: a
    # quarter's current referrals all come from one extract.
    "referrals": f"""
        INSERT INTO referrals
        WITH child_quarters AS (
            SELECT {CHILD_KEY_SQL} AS child_key, date_trunc('quarter', referral_date)::DATE AS quarter_start,
                   count(*) AS referrals
            FROM incoming GROUP BY ALL
        ),
        children AS (
            SELECT child_key, sum(referrals)::INTEGER AS referrals FROM child_quarters GROUP BY child_key
        ),
        episodes AS (
            SELECT child_key, list(start_date) AS starts FROM missing_episodes
            WHERE extract_id = $extract_id GROUP BY child_key
        )
        SELECT $extract_id, referral_id, child_id, referral_date,
               year(referral_date) || '-Q' || quarter(referral_date), date_trunc('quarter', referral_date)::DATE,
               age_at_referral, {age_band_sql('age_at_referral')}, gender, ethnicity, area,
               referral_source, risk_level, outcome, looked_after,
               linked_crimes, vulnerabilities, children.child_key,
               (referral_date - list_max(list_filter(episodes.starts, lambda start: start <= referral_date
                   AND start >= referral_date - {MISSING_LOOKBACK_DAYS})))::SMALLINT,
               children.referrals, child_quarters.referrals,
               {record_key_sql('referral', 'referral_id')}, {record_key_sql('child', 'child_id')}
        FROM incoming
        JOIN children ON children.child_key = {CHILD_KEY_SQL}
        JOIN child_quarters ON child_quarters.child_key = children.child_key
            AND child_quarters.quarter_start = date_trunc('quarter', referral_date)::DATE
        LEFT JOIN episodes ON episodes.child_key = children.child_key
        ORDER BY referral_date""",
    "missing_episodes": f"""
        INSERT INTO missing_episodes
        SELECT $extract_id, episode_id, child_id, start_date, end_date,
               year(start_date) || '-Q' || quarter(start_date), date_trunc('quarter', start_date)::DATE,
               return_interview, return_interview_date, {CHILD_KEY_SQL},
               {record_key_sql('episode', 'episode_id')}, {record_key_sql('child', 'child_id')}
        FROM incoming ORDER BY start_date""",
    "training": """
        INSERT INTO training
        SELECT $extract_id, period,
               make_date(left(period, 4)::INT, right(period, 1)::INT * 3 - 2, 1),
               agency, level, staff_in_scope, staff_trained
        FROM incoming""",
    "awareness": """
        INSERT INTO awareness
        SELECT $extract_id, period,
               make_date(left(period, 4)::INT, right(period, 1)::INT * 3 - 2, 1),
               audience, setting, nullif(area, ''), sessions, people_reached, planned_reach
        FROM incoming""",
    "population": f"""
        INSERT INTO population
        SELECT $extract_id, area,
               CASE WHEN regexp_full_match(age_band, '[0-9]+')
                    THEN {age_band_sql('age_band::INT')} ELSE age_band END,
               gender, children, ethnicity
        FROM incoming""",
}


DATE_ORDER = {"referrals": "referral_date", "missing_episodes": "start_date"}


def _insert_sql(table: str, incoming) -> str:
    """Rows are stored in date order (so a period filter skips whole row groups); an extract that is already in
    date order, as most are, is inserted without the sort (about half the store time, measured at 1M and 10M)."""
    sql = INSERTS[table]
    column = DATE_ORDER.get(table)
    if column is not None and _in_order(incoming.column(column)):
        sql = sql.rsplit(" ORDER BY ", 1)[0]
    return sql


def _lists_never_null(table: pa.Table) -> pa.Table:
    """A list column's nulls (an absent column, a row without a value) as empty lists, set on the Arrow dictionary:
    a `coalesce` in the insert undid DuckDB's use of the dictionary and cost a quarter of a 1M-row insert."""
    for index, field in enumerate(table.schema):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        column = table.column(index)
        if pa.types.is_list(kind) and column.null_count:
            table = table.set_column(index, field.name, pa.chunked_array(
                [_empty_for_null(chunk) for chunk in column.chunks]))
    return table


def _empty_for_null(chunk: pa.Array) -> pa.Array:
    if not isinstance(chunk, pa.DictionaryArray):
        return pc.if_else(chunk.is_valid(), chunk, pa.scalar([], chunk.type))
    dictionary = pa.concat_arrays([chunk.dictionary, pa.array([[]], chunk.dictionary.type)])
    indices = pc.fill_null(chunk.indices.cast(pa.int32()), len(chunk.dictionary))
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _in_order(dates) -> bool:
    if dates.null_count:
        return False
    days = dates.cast("int32").to_numpy()
    return days.size < 2 or bool(np.all(days[1:] >= days[:-1]))


# Record keys for every stored row: a store made before them gets them when opened.
RECORD_KEYS_SQL = (f"UPDATE referrals SET referral_rkey = {record_key_sql('referral', 'referral_id')}, "
                   f"child_rkey = {record_key_sql('child', 'child_id')}",
                   f"UPDATE missing_episodes SET episode_rkey = {record_key_sql('episode', 'episode_id')}, "
                   f"child_rkey = {record_key_sql('child', 'child_id')}")

# The child's referrals in the same quarter of the same extract, set at insert (a quarter's current referrals all
# come from one extract, so no refresh); here for stores made before the column.
CHILD_QUARTER_REFERRALS_SQL = """
    UPDATE referrals SET child_quarter_referrals = counted.referrals
    FROM (SELECT extract_id, quarter_start, child_key, count(*) AS referrals FROM referrals GROUP BY ALL) AS counted
    WHERE referrals.extract_id = counted.extract_id AND referrals.quarter_start = counted.quarter_start
      AND referrals.child_key = counted.child_key"""


class StoreError(Exception):
    """A load or removal that could not be completed; the store is unchanged."""


class AuditError(StoreError):
    """The audit trail could not be written, so the action it would record did not happen."""


AUDIT_INSERT_SQL = ("INSERT INTO audit_log (happened_at, who, role, action, detail) "
                    "VALUES (now()::TIMESTAMP, $who, $role, $action, $detail)")


def write_audit(cursor, entry: dict) -> None:
    """Append one entry ({who, role, action, detail}) inside the caller's transaction."""
    cursor.execute(AUDIT_INSERT_SQL, {"who": entry["who"], "role": entry.get("role"), "action": entry["action"],
                                      "detail": json.dumps(entry.get("detail") or {}, sort_keys=True, default=str)})

# While serving, DuckDB may touch no file outside the store's folder, installs or loads no extension by itself, and
# its settings cannot be changed afterwards (DuckDB's "Securing DuckDB" guide).
LOCK_DOWN_SQL = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allowed_directories = $directories",
    "SET enable_external_access = false",
    "SET threads = $threads",
    "SET lock_configuration = true",
)


class StoreBusy(StoreError):
    """The store file is open for writing in another process (the dashboard, or another load)."""

    def __init__(self, path: Path):
        super().__init__(f"the store {path} is in use by another process (the dashboard, or another load); load "
                         "through the dashboard's 'Load an extract' page, or stop the dashboard first")


class StoreDamaged(StoreError):
    """The store file cannot be read as it should: say so, where it is and how to get it back."""

    def __init__(self, path: Path, reason: str):
        super().__init__(
            f"the store file {path} is damaged ({reason}); nothing in it can be shown or changed. To restore it: "
            f"stop the dashboard, move the file aside (for example to {path.name}.damaged), then put back your "
            f"latest backup copy of {path.name}, or start an empty store and load the extracts again, oldest first, "
            "with python -m cseboard.load (the Extract history page of the last good copy lists them, with the "
            "period each covered)")


# What DuckDB says when the file itself is wrong, rather than a query or the machine, in the user's words.
DAMAGE_SIGNS = {"not a valid DuckDB database file": "it is not a DuckDB database file",
                "checksum": "part of it does not match its checksum",
                "Could not read enough bytes": "it is shorter than DuckDB expects (cut off?)",
                "Corrupt database file": "part of it is corrupt"}
FILE_HEADER_BYTES = 3 * 4096  # DuckDB's file header and its two database headers, before the first block
LOCK_SIGNS = ("Could not set lock", "Conflicting lock")
OPEN_IN_THIS_PROCESS: dict[Path, weakref.WeakSet] = {}
"""Stores open in this process, by file (a Store dropped without close() leaves as it is collected): a second opening
shares DuckDB's instance, whose block count includes blocks not yet on disk (sessions and audit entries written
since), so the file's length says nothing then."""


def damage(path: Path, exc: Exception) -> StoreDamaged | None:
    """The StoreDamaged a DuckDB error means, if it says the file is damaged."""
    reason = next((words for sign, words in DAMAGE_SIGNS.items() if sign in str(exc)), None)
    return StoreDamaged(path, reason) if reason else None


# Columns kept up to date at load and undo, so that child-level queries need no join and no grouping on text.
# When the extracts covering quarters [$first, $last] change:
# - days_since_missing may change for referrals in those quarters and the year after them;
# - child_referrals (how many current referrals the child has) may change for the children with a referral in
#   those quarters in any extract, noted in affected_children before anything is deleted.
# Only these rows are recomputed, so adding a quarter to a large store stays cheap.
AFFECTED_CHILDREN_SQL = """
    CREATE OR REPLACE TEMP TABLE affected_children AS
    SELECT DISTINCT child_key FROM referrals WHERE quarter_start BETWEEN $first AND $last"""

REFRESH_SQL = (f"""
    UPDATE referrals SET days_since_missing = fresh.days
    FROM (
        SELECT
            r.rowid AS row_id,
            r.days_since_missing AS stored,
            CASE WHEN r.referral_date - m.start_date <= {MISSING_LOOKBACK_DAYS}
                 THEN (r.referral_date - m.start_date)::SMALLINT END AS days
        FROM (SELECT rowid, child_key, referral_date, days_since_missing FROM referrals
              WHERE quarter_start BETWEEN $first AND $last + INTERVAL {MISSING_LOOKBACK_DAYS} DAY) AS r
        ASOF LEFT JOIN (SELECT child_key, start_date FROM current_missing_episodes) AS m
            ON r.child_key = m.child_key AND r.referral_date >= m.start_date
    ) AS fresh
    WHERE referrals.rowid = fresh.row_id AND fresh.days IS DISTINCT FROM fresh.stored""", """
    UPDATE referrals SET child_referrals = fresh.referrals
    FROM (
        SELECT affected.child_key, coalesce(counted.referrals, 0) AS referrals
        FROM affected_children AS affected
        LEFT JOIN (
            SELECT child_key, count(*) AS referrals FROM current_referrals
            WHERE child_key IN (SELECT child_key FROM affected_children)
            GROUP BY child_key
        ) AS counted USING (child_key)
    ) AS fresh
    WHERE referrals.child_key = fresh.child_key AND referrals.child_referrals IS DISTINCT FROM fresh.referrals""", """
    DROP TABLE affected_children""")


def _note_affected_children(cursor, first: dt.date, last: dt.date) -> None:
    """Before a change to quarters first..last: which children's referral counts it may change."""
    cursor.execute(AFFECTED_CHILDREN_SQL, {"first": first, "last": last})


def _refresh(cursor, first: dt.date, last: dt.date) -> None:
    """After the change: recompute the columns kept up to date at load for the rows it may have changed."""
    for sql in REFRESH_SQL:
        cursor.execute(sql, {"first": first, "last": last} if "$first" in sql else None)


# Two different child ids with one key would merge two children in every count, so a load that makes one is
# refused, however unlikely (64-bit keys: about 1 in 400,000 for 10 million children). Two ids are told apart by a
# second hash of the text, which is quicker than comparing the texts; a clash would be missed only if it clashed too.
KEY_CLASHES_SQL = """
    WITH ids AS (
        SELECT child_key, hash('#' || child_id) AS id_hash FROM referrals
        UNION ALL SELECT child_key, hash('#' || child_id) FROM missing_episodes
    ),
    distinct_ids AS (
        SELECT DISTINCT child_key, id_hash FROM ids
    ),
    final AS (
        SELECT count(*) - count(DISTINCT child_key) AS clashes FROM distinct_ids
    )
    SELECT clashes FROM final"""


# The next extract id, counted in the load's own transaction: a failed load gives none away (a sequence, which
# stores used before, moves on even when the load that drew from it is rolled back).
NEXT_EXTRACT_ID_SQL = "UPDATE store_meta SET last_extract_id = last_extract_id + 1 RETURNING last_extract_id"


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


class Store:
    """One DuckDB file; each query or load takes its own cursor, so one Store can serve many sessions."""

    def __init__(self, path: Path | str, read_only: bool = False, demo: bool = False):
        self.path = Path(path)
        self.writing = threading.RLock()  # one write at a time: a failed load or removal is undone to the byte, so
        # no other write (an audit entry, a session) may land while it runs; see write()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            if any(sign in str(exc) for sign in LOCK_SIGNS):
                raise StoreBusy(self.path) from exc
            raise damage(self.path, exc) or StoreDamaged(self.path, f"DuckDB cannot open it: {_first_line(exc)}") from exc
        try:
            if not self.locked_down():  # a locked store in this process already has its settings
                self.connection.execute(f"SET memory_limit = '{settings().duckdb_memory}'")
            if not read_only:
                self.connection.execute(SCHEMA_SQL.read_text())
                self.connection.execute("INSERT INTO record_key_secret SELECT $secret WHERE NOT EXISTS "
                                        "(SELECT 1 FROM record_key_secret)", {"secret": secrets.token_hex(32)})
                self._upgrade()
                if demo:
                    self.connection.execute("UPDATE store_meta SET demo = true WHERE NOT demo")
            self._check(read_only)
            OPEN_IN_THIS_PROCESS.setdefault(self.path.resolve(), weakref.WeakSet()).add(self)
        except duckdb.Error as exc:
            self.connection.close()
            raise damage(self.path, exc) or StoreDamaged(self.path, f"its tables cannot be read: {_first_line(exc)}") from exc

    def lock_down(self, threads: int = 2) -> None:
        """Serve with DuckDB confined to the store's folder, no automatic extensions, and settings locked."""
        if self.locked_down():
            return
        folder = str(self.path.resolve().parent) + "/"
        for sql in LOCK_DOWN_SQL:
            self.connection.execute(sql.replace("$directories", "$1").replace("$threads", str(int(threads))),
                                    [[folder]] if "$directories" in sql else None)

    def locked_down(self) -> bool:
        return bool(self.connection.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0])

    def _check(self, read_only: bool) -> None:
        """The file is as long as its blocks, and the history and the bookkeeping read whole: a store cut short or
        with a damaged header or catalogue is found when it is opened, rather than on a page (damage inside a
        data block shows when that block is read). A read-only store may still have blocks in its log."""
        cursor = self.cursor()
        blocks, block_size = cursor.execute("SELECT total_blocks, block_size FROM pragma_database_size() "
                                            "WHERE database_name = current_database()").fetchall()[0]
        already_open = len(OPEN_IN_THIS_PROCESS.get(self.path.resolve(), ())) > 0  # blocks may be in memory only
        if not read_only and not already_open and self.path.with_name(self.path.name + ".wal").exists():
            cursor.execute("CHECKPOINT")  # blocks replayed from the log are written, so the file's length is whole
            blocks = cursor.execute("SELECT total_blocks FROM pragma_database_size() "
                                    "WHERE database_name = current_database()").fetchall()[0][0]
        if not read_only and not already_open and self.path.stat().st_size < FILE_HEADER_BYTES + blocks * block_size:
            self.connection.close()
            raise StoreDamaged(self.path, "it is shorter than DuckDB expects (cut off?)")
        cursor.execute("SELECT * FROM extracts").fetchall()
        cursor.execute("SELECT * FROM store_meta").fetchall()
        for table in DATA_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}").fetchall()

    def _secret(self, cursor) -> dict:
        """The record-key secret as a bound parameter for the SQL that makes record keys; never returned elsewhere."""
        return {"secret": cursor.execute("SELECT secret FROM record_key_secret").fetchall()[0][0]}

    def _upgrade(self) -> None:
        """A store made by an older version, or keyed by a DuckDB whose hash() differs, gets its derived columns."""
        cursor = self.cursor()
        made_with = cursor.execute(DERIVED_COLUMNS_SQL).fetchall()[0][0]
        if cursor.execute("SELECT made_with FROM derived_columns").fetchall() == [(made_with,)]:
            return
        cursor.begin()
        for table in CHILD_TABLES:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS child_key UBIGINT")
            cursor.execute(f"UPDATE {table} SET child_key = {CHILD_KEY_SQL}")
        cursor.execute("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS days_since_missing SMALLINT")
        cursor.execute("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS child_referrals INTEGER")
        cursor.execute("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS child_quarter_referrals INTEGER")
        cursor.execute("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS referral_rkey UTINYINT")
        cursor.execute("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS child_rkey UTINYINT")
        cursor.execute("ALTER TABLE missing_episodes ADD COLUMN IF NOT EXISTS episode_rkey UTINYINT")
        cursor.execute("ALTER TABLE missing_episodes ADD COLUMN IF NOT EXISTS child_rkey UTINYINT")
        for sql in RECORD_KEYS_SQL:
            cursor.execute(sql, self._secret(cursor))
        cursor.execute(CHILD_QUARTER_REFERRALS_SQL)
        _note_affected_children(cursor, *EVERY_QUARTER)
        _refresh(cursor, *EVERY_QUARTER)
        cursor.execute("DELETE FROM derived_columns")
        cursor.execute("INSERT INTO derived_columns VALUES ($made_with)", {"made_with": made_with})
        cursor.execute(SCHEMA_SQL.read_text())
        cursor.commit()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()
        OPEN_IN_THIS_PROCESS.get(self.path.resolve(), weakref.WeakSet()).discard(self)

    def version(self) -> int:
        """Changes with every load or removal: the key that keeps cached figures honest."""
        return self.cursor().execute("SELECT version FROM store_meta").fetchall()[0][0]

    def is_empty(self) -> bool:
        return self.cursor().execute("SELECT count(*) FROM extracts").fetchall()[0][0] == 0

    def extracts(self) -> pd.DataFrame:
        """The load history, newest first."""
        return self.cursor().execute(
            "SELECT extract_id, source_name, period_start, period_end, loaded_at, files_sha256, rows_referrals, "
            "rows_missing_episodes, rows_training, rows_population, rows_awareness, warnings, quality_json, synthetic "
            "FROM extracts ORDER BY extract_id DESC").df()

    def overlapping(self, period_start: str, period_end: str) -> pd.DataFrame:
        """Loaded extracts a new extract for this period would replace, wholly or in part."""
        return self.cursor().execute(
            "SELECT extract_id, source_name, period_start, period_end, loaded_at FROM extracts "
            "WHERE period_start_date <= $end AND period_end_date >= $start ORDER BY extract_id",
            {"start": quarter_start(period_start), "end": quarter_start(period_end)}).df()

    def load(self, extract: ValidatedExtract, source_name: str, sha256: str, quality: dict | None = None,
             loaded_at: dt.datetime | None = None, synthetic: bool = False, audit: dict | None = None) -> int:
        """Write a validated extract in one transaction; nothing is written unless all of it is (audit entry too).

        Synthetic and real data never share a store: a demo store or a store of real extracts refuses the other
        kind; a real extract loaded into a store holding only the synthetic sample removes the sample first.
        """
        if not extract.ok or not extract.tables:
            raise StoreError("the extract did not pass validation, so nothing was loaded")
        with self.writing, self._undone_on_failure():
            return self._load(extract, source_name, sha256, quality, loaded_at, synthetic, audit)

    def _load(self, extract: ValidatedExtract, source_name: str, sha256: str, quality: dict | None,
              loaded_at: dt.datetime | None, synthetic: bool, audit: dict | None) -> int:
        kinds = self.kinds()
        if not synthetic and self.is_demo():
            raise StoreError("this is the demo, which shows the synthetic sample only. To load your partnership's "
                             "extract, configure sign-in (README, 'Sign-in and roles')")
        if synthetic and "real" in kinds:
            raise StoreError("the synthetic sample is never loaded beside real extracts")
        cursor = self.cursor()
        cursor.begin()
        try:
            if not synthetic and "synthetic" in kinds:
                self._remove_synthetic(cursor)
            # Into a store holding no other extract the insert has already set the columns kept up to date from
            # this extract alone, which is all there is: the refresh would change nothing (0.3 s of a 1M load).
            alone = not cursor.execute("SELECT count(*) FROM extracts").fetchall()[0][0]
            extract_id = cursor.execute(NEXT_EXTRACT_ID_SQL).fetchall()[0][0]
            keyed = {"extract_id": extract_id, **self._secret(cursor)}
            for table in DATA_TABLES:
                if table in extract.tables:
                    cursor.register("incoming", _lists_never_null(extract.tables[table]))
                    sql = _insert_sql(table, extract.tables[table])
                    cursor.execute(sql, {name: keyed[name] for name in keyed if f"${name}" in sql})
                    cursor.unregister("incoming")
            period = quarter_start(extract.period_start), quarter_start(extract.period_end)
            cursor.execute(
                "INSERT INTO extracts VALUES ($id, $source, $first, $last, $first_date, $last_date, $at, $sha, "
                "$referrals, $missing, $training, $population, $warnings, $quality, $synthetic, $awareness)",
                {"id": extract_id, "source": source_name, "first": extract.period_start, "last": extract.period_end,
                 "first_date": period[0], "last_date": period[1],
                 "at": loaded_at or dt.datetime.now(), "sha": sha256,
                 "referrals": extract.rows("referrals"), "missing": extract.rows("missing_episodes"),
                 "training": extract.rows("training"), "population": extract.rows("population"),
                 "awareness": extract.rows("awareness"),
                 "warnings": extract.report.count("warning"),
                 "quality": json.dumps(quality) if quality is not None else None, "synthetic": synthetic})
            if cursor.execute(KEY_CLASHES_SQL).fetchall()[0][0]:
                raise StoreError("two different child ids in it share an internal key (a very rare clash); "
                                 "please report this to the maintainers")
            if not alone:
                _note_affected_children(cursor, *period)
                _refresh(cursor, *period)
            cursor.execute("UPDATE store_meta SET version = version + 1")
            if audit is not None:
                write_audit(cursor, {**audit, "detail": {**audit.get("detail", {}), "extract_id": extract_id}})
            cursor.commit()
        except (duckdb.Error, KeyError, ValueError) as exc:
            cursor.rollback()
            raise damage(self.path, exc) or StoreError(
                f"the extract could not be stored ({_first_line(exc)}); the store is unchanged") from exc
        except StoreError as exc:
            cursor.rollback()
            raise StoreError(f"the extract could not be stored: {exc}; the store is unchanged") from exc
        return extract_id

    @contextmanager
    def _undone_on_failure(self) -> Iterator[None]:
        """A failed write leaves the file as it was, to the byte: DuckDB rolls the rows back but keeps the blocks it
        had written (a full disk leaves the file grown), so the file is cut back to its size before. Safe because
        writes go one at a time (self.writing) and rolled-back blocks lie past the old end."""
        sizes = {path: path.stat().st_size for path in (self.path, self.wal) if path.exists()}
        try:
            yield
        except Exception:
            for path, size in sizes.items():
                if path.exists() and path.stat().st_size > size:
                    os.truncate(path, size)
            raise

    @property
    def wal(self) -> Path:
        return self.path.with_name(self.path.name + ".wal")

    def remove(self, extract_id: int, audit: dict | None = None) -> None:
        """Undo a load: its rows go, and the quarters it covered fall back to the extract before it."""
        with self.writing, self._undone_on_failure():
            self._remove(extract_id, audit)

    def _remove(self, extract_id: int, audit: dict | None) -> None:
        cursor = self.cursor()
        cursor.begin()
        try:
            self._remove_one(cursor, extract_id)
            cursor.execute("UPDATE store_meta SET version = version + 1")
            if audit is not None:
                write_audit(cursor, audit)
            cursor.commit()
        except duckdb.Error as exc:
            cursor.rollback()
            raise damage(self.path, exc) or StoreError(
                f"the extract could not be removed ({_first_line(exc)}); the store is unchanged") from exc
        except StoreError:
            cursor.rollback()
            raise

    def _remove_one(self, cursor, extract_id: int) -> None:
        """Inside the caller's transaction: delete one extract's rows and recompute what they changed."""
        period = cursor.execute("SELECT period_start_date, period_end_date FROM extracts WHERE extract_id = $id",
                                {"id": extract_id}).fetchall()
        if not period:
            raise StoreError(f"there is no extract {extract_id}")
        _note_affected_children(cursor, *period[0])
        for table in (*DATA_TABLES, "extracts"):
            cursor.execute(f"DELETE FROM {table} WHERE extract_id = $id", {"id": extract_id})
        _refresh(cursor, *period[0])

    def _remove_synthetic(self, cursor) -> None:
        """Inside the caller's transaction: every extract of the synthetic sample goes before real data comes."""
        for (extract_id,) in cursor.execute("SELECT extract_id FROM extracts WHERE synthetic").fetchall():
            self._remove_one(cursor, extract_id)

    def kinds(self) -> set[str]:
        """What the store holds: "synthetic" (the sample), "real" (partnership extracts), or nothing."""
        return {"synthetic" if synthetic else "real" for (synthetic,) in self.cursor().execute(
            "SELECT DISTINCT coalesce(synthetic, false) FROM extracts").fetchall()}

    def is_demo(self) -> bool:
        return bool(self.cursor().execute("SELECT demo FROM store_meta").fetchall()[0][0])

    def write(self, sql: str, parameters: dict | None = None, wait: bool = True) -> bool:
        """One statement that changes the store, taken in turn with loads and removals (whose undo cuts the file back
        to its length before them, which would cut off a write that landed meanwhile). wait=False: skip it rather than
        wait for a load (a session's last-seen time); returns whether it was written."""
        if not self.writing.acquire(blocking=wait):
            return False
        try:
            self.cursor().execute(sql, parameters)
        finally:
            self.writing.release()
        return True

    def append_audit(self, entry: dict) -> None:
        """Append one audit entry ({who, role, action, detail}) on its own, in turn with other writes; AuditError if
        it cannot be written."""
        try:
            with self.writing:
                write_audit(self.cursor(), entry)
        except duckdb.Error as exc:
            raise AuditError(f"the audit trail could not be written ({str(exc).splitlines()[0]})") from exc

    def snapshot(self) -> dict[str, pd.DataFrame]:
        """Every stored row of every table, in a fixed order, to compare states before and after."""
        cursor = self.cursor()
        return {table: cursor.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
                for table in (*DATA_TABLES, "extracts")}

    def quarters(self) -> list[str]:
        """Quarters that have referrals, oldest first, for the period filter."""
        return [row[0] for row in self.cursor().execute(
            "SELECT DISTINCT quarter FROM current_referrals ORDER BY quarter").fetchall()]

    def distinct(self, column: str) -> list[str]:
        """Values present for a filter column (area, referral source...)."""
        if column not in ("area", "referral_source", "age_band", "gender"):
            raise ValueError(column)
        values = [row[0] for row in self.cursor().execute(
            f"SELECT DISTINCT {column} FROM current_referrals ORDER BY 1").fetchall()]
        return sorted(values, key=AGE_BANDS.index) if column == "age_band" else values

    def filter_options(self) -> dict[str, list[str]]:
        """Each sidebar filter's options (the areas and sources held; every age band and gender), as the screen and the
        board-pack job both offer them, so neither can slice what the other refuses."""
        return {"areas": self.distinct("area"), "sources": self.distinct("referral_source"),
                "age_bands": list(AGE_BANDS), "genders": list(GENDERS)}
