"""Shell command for the quarterly board pack: `python -m cseboard.pack --period 2026-Q3 --out DIR [filters]`.

Writes DIR/board-pack-<period>.html (self-contained, opens offline) and DIR/board-pack-<period>.pdf (A4).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from cseboard.access import audit
from cseboard.config import settings
from cseboard.contract import AGE_BANDS, GENDERS
from cseboard.display import pack
from cseboard.filters import Filters, from_url
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.periods import shift_quarter
from cseboard.questions.board import board_pack
from cseboard.store.database import Store, StoreError
from cseboard.store.queries import fetcher
from cseboard.tools.load import open_for_shell

LIST_OPTIONS = {"area": "areas", "source": "sources", "age": "age_bands", "gender": "genders"}
"""The command's one-value options and the filter each sets."""

TREND_QUARTERS = 4
"""A pack shows the quarter and the three before it, as the dashboard's default period does."""


def pack_filters(args: argparse.Namespace, store: Store) -> Filters:
    """The sidebar's filters from the command line, under the sidebar's limits (one value or all, a period of one
    quarter or whole years ending at --period), so a pack can never slice what the screen refuses."""
    query = {"from": [args.first or shift_quarter(args.period, -(TREND_QUARTERS - 1))], "to": [args.period],
             **{key: [getattr(args, key)] if getattr(args, key) else [] for key in LIST_OPTIONS}}
    return from_url(query, store.quarters(), store.filter_options())


def refused_value(args: argparse.Namespace, filters: Filters) -> str | None:
    """A filter value asked for that the store does not hold: the job stops rather than make a pack for all."""
    for key, name in LIST_OPTIONS.items():
        asked = getattr(args, key)
        if asked and getattr(filters, name) != (asked,):
            return f"No pack made: there is no {key} {asked!r} in the store."
    return None


def write(store: Store, filters: Filters, out: Path, made_on: dt.date) -> tuple[Path, Path]:
    """Build the pack's sections from the store, write its HTML, then print that HTML to PDF."""
    config = settings()
    policy = DisclosurePolicy(threshold=config.suppression_threshold)
    contents = board_pack(fetcher(store), filters, policy, store.extracts(), config.partnership, made_on)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / f"board-pack-{filters.last_quarter}.html"
    pdf_path = out / f"board-pack-{filters.last_quarter}.pdf"
    html_path.write_text(pack.document(contents), encoding="utf-8")
    pack.print_pdf(html_path, pdf_path)
    return html_path, pdf_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cseboard.pack", description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True, help="the quarter the pack is for, e.g. 2026-Q3")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write the HTML and PDF into")
    parser.add_argument("--from", dest="first", help="first quarter of the trends (default: three quarters before; "
                                                    "the period is one quarter or whole years, as on screen)")
    parser.add_argument("--db", type=Path, default=None, help="the store's DuckDB file (default: CSEBOARD_DB)")
    for name, choices in (("area", None), ("source", None), ("age", AGE_BANDS), ("gender", GENDERS)):
        parser.add_argument(f"--{name}", choices=choices, help=f"only this {name} (default all; one value or all, as "
                                                                "on screen)")
    args = parser.parse_args(argv)
    db = args.db or settings().db_path
    if not db.exists():
        print(f"No pack made: there is no store at {db}.")
        return 1
    store = open_for_shell(db, "No pack made: ", "run it on a copy of the store")
    if store is None:
        return 1
    try:
        quarters = store.quarters()
        if args.period not in quarters:
            print(f"No pack made: {args.period} is not loaded (loaded: {', '.join(quarters) or 'nothing'}).")
            return 1
        filters = pack_filters(args, store)
        refused = refused_value(args, filters)
        if refused:
            print(refused)
            return 1
        audit.record(store, audit.shell_user(), "board_pack", filters=filters.describe(), out=str(args.out))
        html_path, pdf_path = write(store, filters, args.out, dt.date.today())
    except StoreError as exc:  # an audit entry that cannot be written (AuditError) stops the pack too
        print(f"No pack made: {exc}")
        return 1
    finally:
        store.close()
    print(f"Board pack for {args.period}:\n  {html_path}\n  {pdf_path}")
    return 0
