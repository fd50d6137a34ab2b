"""Shell command for scheduled loads: `python -m cseboard.load EXTRACT [--db PATH] [--period 2025-Q1:2025-Q4]`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from cseboard.access import audit
from cseboard.config import settings
from cseboard.intake.ingest import load, prepare_path
from cseboard.intake import pii
from cseboard.store.database import Store, StoreBusy, StoreError, damage


def open_for_shell(db: Path | None, prefix: str, in_the_app: str) -> Store | None:
    """The store for a shell command, or None after saying why it could not be opened (often: the dashboard has it)."""
    db = db or settings().db_path
    try:
        return Store(db)
    except StoreBusy:
        print(f"{prefix}the store {db} is in use by another process (the dashboard, or another command); "
              f"{in_the_app}, or stop the dashboard first.")
    except StoreError as exc:  # damaged: says so and how to get it back
        print(f"{prefix}{exc}.")
    except duckdb.Error as exc:
        print(f"{prefix}the store {db} could not be opened ({str(exc).splitlines()[0]}).")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate an extract and load it into the store (all or nothing).")
    parser.add_argument("extract", type=Path, help="a folder, .zip, or single .csv/.parquet/.xlsx file")
    parser.add_argument("--db", type=Path, default=None, help="the store's DuckDB file (default: CSEBOARD_DB or data/store/cse.duckdb)")
    parser.add_argument("--period", help="the quarters the extract covers, e.g. 2025-Q1:2025-Q4 (default: from its referral dates)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    args = parser.parse_args(argv)
    period = tuple(args.period.split(":", 1)) if args.period else None
    if period is not None and len(period) != 2:
        parser.error("--period takes FIRST:LAST, e.g. 2025-Q1:2025-Q4")
    prepared = prepare_path(args.extract, period=period)
    print(prepared.report.text())
    if not prepared.ok:
        print("Nothing was loaded; the store is unchanged.")
        return 1
    if args.check:
        return 0
    store = open_for_shell(args.db, "Not loaded: ", "load through the dashboard's 'Load an extract' page")
    if store is None:
        return 1
    try:
        replaced = store.overlapping(prepared.extract.period_start, prepared.extract.period_end)
        period = f"{prepared.extract.period_start} to {prepared.extract.period_end}"
        extract_id = load(store, prepared, audit=audit.entry(
            audit.shell_user(), "extract_replaced" if len(replaced) else "extract_loaded", source=prepared.source_name,
            period=period, referrals=prepared.extract.rows("referrals"), sha256=prepared.sha256,
            replaced=replaced.extract_id.tolist()))
    except StoreError as exc:
        print(f"Not loaded: {pii.masked_within(str(exc))}")
        return 1
    except duckdb.Error as exc:  # reading the history before the load: damage, or the machine
        print(f"Not loaded: {damage(store.path, exc) or pii.masked_within(str(exc).splitlines()[0])}")
        return 1
    finally:
        store.close()
    print(f"Loaded extract {extract_id}: {prepared.extract.period_start} to {prepared.extract.period_end}, "
          f"{prepared.extract.rows('referrals'):,} referrals.")
    for row in replaced.itertuples():
        print(f"  It replaces extract {row.extract_id} ({row.source_name}) for the quarters they share.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
