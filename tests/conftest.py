"""Shared fixtures: a store file on disk per test, and the validation entry point with a fixed 'today'."""
from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cseboard.tools import serve
from cseboard.config import CHROMIUM, CHROMIUM_ARGS, SAMPLE_DIR
from cseboard.intake.ingest import load, prepare_path
from cseboard.store.database import Store
from factory import write_extract
from published import record_keys

TODAY = dt.date(2026, 11, 23)
PACK_PERIOD = "2026-Q3"
"""The sample's latest quarter, for which the tests make a board pack."""
ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture
def tiny_store(tmp_path):
    """Build a store file from factory rows, validated and ingested as the dashboard loads an extract."""
    def build(**tables: list[dict]) -> Path:
        prepared = prepare_path(write_extract(tmp_path / "extract", **tables), today=TODAY)
        assert prepared.ok, prepared.report.text()
        path = tmp_path / "tiny" / "cse.duckdb"
        opened = Store(path)
        load(opened, prepared)
        opened.close()
        return path
    return build


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
def sample_keys(sample_db) -> dict[str, pd.DataFrame]:
    """The sample store's record keys, read once: the input of every independent check of a published figure."""
    return record_keys(sample_db)


@pytest.fixture
def sample_db_copy(tmp_path, sample_db) -> Path:
    """A copy of the sample store (2023-Q4 to 2026-Q3) for one test, so what a test loads or removes no other sees."""
    path = tmp_path / "store" / "cse.duckdb"
    path.parent.mkdir()
    shutil.copy(sample_db, path)
    return path


@pytest.fixture(scope="session")
def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's CSV files read with pandas alone: the independent side of every figure check."""
    return {name: pd.read_csv(SAMPLE_DIR / f"{name}.csv", keep_default_na=False, dtype=str)
            for name in ("referrals", "missing_episodes", "training", "population", "awareness")}


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


def assert_same_snapshot(before: dict, after: dict) -> None:
    """Fail unless two Store.snapshot() results hold the same tables with the same rows: nothing was written."""
    assert before.keys() == after.keys()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def texts(elements) -> str:
    """The values of AppTest elements (info, warning, markdown...) as one text to search."""
    return "\n".join(str(e.value) for e in elements)


def chart_titles(at) -> list[str]:
    """The findings written in bold above each chart (the renderer writes a chart's title as text), in page order."""
    return [m.value[2:-2] for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]


def decoded(value):
    """A Plotly chart's JSON with its base64 typed arrays (how Plotly sends numbers) read back as lists."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a free port with its own store file; stopped (and its files removed) afterwards."""
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "cse.duckdb"
    with open(folder / "streamlit.log", "wb") as log:
        try:
            process, url = serve.start(db, log, CSEBOARD_ROLE="viewer")
        except RuntimeError as exc:
            pytest.fail(f"{exc}:\n" + (folder / "streamlit.log").read_text()[-2000:])
        try:
            yield url, db
        finally:
            serve.stop(process)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def warmed(server, browser):
    """Open the home page once: it loads the sample into the empty store, and it is the server's first visit, so
    later deep links are served without Streamlit's first-visit 'Page not found' notice (see README)."""
    context = browser.new_context()
    first = context.new_page()
    first.goto(server[0])
    first.get_by_role("link", name="Load an extract").first.wait_for(timeout=60_000)
    context.close()
    return server


@pytest.fixture(scope="session")
def board_pack_files(tmp_path_factory, sample_db):
    """The board pack for the sample's latest quarter, made once by the shell command (as a scheduled job runs it) on
    its own copy of the store."""
    out = tmp_path_factory.mktemp("pack")
    db = shutil.copy(sample_db, out / "cse.duckdb")
    made = subprocess.run([sys.executable, "-m", "cseboard.pack", "--db", str(db), "--period", PACK_PERIOD, "--out",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    return out / f"board-pack-{PACK_PERIOD}.html", out / f"board-pack-{PACK_PERIOD}.pdf"
