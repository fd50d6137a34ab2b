"""Run the named SQL files in queries/ with bound parameters, returning DataFrames."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import duckdb
import pandas as pd

from cseboard.config import QUERIES_DIR

PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(Exception):
    """A query asked for by name does not exist or was not given a parameter it needs."""


def query_names() -> list[str]:
    return sorted(path.stem for path in QUERIES_DIR.glob("*.sql"))


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise QueryError(f"there is no query named {name!r} in {QUERIES_DIR}")
    return path.read_text()


def query_parameters(name: str) -> set[str]:
    """The $names a named query binds."""
    return sql_parameters(query_text(name))


def sql_parameters(sql: str) -> set[str]:
    """The $names a query's text binds; its comments are not parsed for them."""
    return set(PARAMETER.findall(re.sub(r"--[^\n]*", "", sql)))


def run_filtered(cursor: duckdb.DuckDBPyConnection, name: str, filters, extra: dict) -> pd.DataFrame:
    """A named query for the sidebar's filters (None for none) and any parameters of its own."""
    return run_query(cursor, name, {**(filters.params() if filters else {}), **extra})


def fetcher(store) -> Callable[..., pd.DataFrame]:
    """fetch(name, filters, **extra) on a store, uncached: what the board pack and shell commands ask questions with."""
    return lambda name, filters=None, **extra: run_filtered(store.cursor(), name, filters, extra)


def run_query(cursor: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """Bind exactly the parameters the query uses (never formatted into the SQL) and fetch it all."""
    wanted = query_parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"query {name!r} needs {', '.join(sorted(missing))}")
    return cursor.execute(query_text(name), {key: params[key] for key in wanted}).df()
