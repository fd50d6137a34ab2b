"""Shared fixtures: a store file on disk per test, and the validation entry point with a fixed 'today'."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cseboard.config import SAMPLE_DIR
from cseboard.ingest import load, prepare_path
from cseboard.store import Store

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def store(tmp_path):
    """A real DuckDB file on disk, closed after the test."""
    opened = Store(tmp_path / "store" / "cse.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def prepare():
    """Validate a folder as the shell command and the upload page do, with today fixed."""
    def run(folder, period=None, **kwargs):
        return prepare_path(folder, period=period, today=TODAY, **kwargs)
    return run


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled synthetic sample loaded once into a DuckDB file, as the dashboard opens it."""
    path = tmp_path_factory.mktemp("sample") / "cse.duckdb"
    opened = Store(path)
    prepared = prepare_path(SAMPLE_DIR)
    assert prepared.ok, prepared.report.text()
    load(opened, prepared)
    opened.close()
    return path


@pytest.fixture(scope="session")
def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's CSV files read with pandas alone: the independent side of every figure check."""
    return {name: pd.read_csv(SAMPLE_DIR / f"{name}.csv", keep_default_na=False, dtype=str)
            for name in ("referrals", "missing_episodes", "training", "population")}


@pytest.fixture
def app(sample_db, monkeypatch):
    """Open the dashboard under Streamlit's AppTest on a store, optionally on one page with URL parameters."""
    def open_page(page: str | None = None, db: Path = sample_db, query_params: dict | None = None,
                  role: str = "viewer") -> AppTest:
        monkeypatch.setenv("CSEBOARD_DB", str(db))
        monkeypatch.setenv("CSEBOARD_ROLE", role)
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return open_page
