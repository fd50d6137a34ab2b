"""Shared fixtures: a store file on disk per test, and the validation entry point with a fixed 'today'."""
from __future__ import annotations

import base64
import contextlib
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

from cseboard.access import accounts
from cseboard.access.deployment import SignIn
from cseboard.display import render, ui
from cseboard.tools import serve
from cseboard.config import CHROMIUM, CHROMIUM_ARGS, SAMPLE_DIR
from cseboard.intake.ingest import is_sample, load, prepare_path
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


def build_store(folder: Path, today: dt.date = TODAY, **tables: list[dict]) -> Path:
    """A store file in folder from factory rows, validated and ingested as the dashboard loads an extract."""
    prepared = prepare_path(write_extract(folder / "extract", **tables), today=today)
    assert prepared.ok, prepared.report.text()
    path = folder / "tiny" / "cse.duckdb"
    opened = Store(path)
    load(opened, prepared)
    opened.close()
    return path


@pytest.fixture
def tiny_store(tmp_path):
    """Build a store file from factory rows (build_store) for one test."""
    return lambda today=TODAY, **tables: build_store(tmp_path, today, **tables)


def stored(folder: Path, path: Path, **prepare) -> Path:
    """A store file at path holding the extract in folder, validated and ingested as the dashboard loads one."""
    prepared = prepare_path(folder, **prepare)
    assert prepared.ok, prepared.report.text()
    opened = Store(path)
    load(opened, prepared)
    opened.close()
    return path


def copied(source: Path, tmp_path: Path) -> Path:
    """A copy of a store for one test, so what a test loads or removes no other sees."""
    path = tmp_path / "store" / "cse.duckdb"
    path.parent.mkdir()
    shutil.copy(source, path)
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The bundled synthetic sample loaded once into a DuckDB file, as the dashboard opens it."""
    return stored(SAMPLE_DIR, tmp_path_factory.mktemp("sample") / "cse.duckdb")


@pytest.fixture(scope="session")
def sample_keys(sample_db) -> dict[str, pd.DataFrame]:
    """The sample store's record keys, read once: the input of every independent check of a published figure."""
    return record_keys(sample_db)


@pytest.fixture
def sample_db_copy(tmp_path, sample_db) -> Path:
    """A copy of the sample store (2023-Q4 to 2026-Q3) for one test."""
    return copied(sample_db, tmp_path)


@pytest.fixture(scope="session")
def partnership_db(tmp_path_factory) -> Path:
    """A store holding a real (not synthetic) extract: the sample's rows in other bytes (CRLF line ends), so the
    dashboard treats it as a partnership's extract (2023-Q4 to 2026-Q3, source "partnership")."""
    folder = tmp_path_factory.mktemp("partnership") / "partnership"
    folder.mkdir()
    for csv_file in SAMPLE_DIR.glob("*.csv"):
        (folder / csv_file.name).write_bytes(csv_file.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert not is_sample(prepare_path(folder))
    return stored(folder, folder.parent / "cse.duckdb")


@pytest.fixture
def partnership_db_copy(tmp_path, partnership_db) -> Path:
    """A copy of the partnership store for one test."""
    return copied(partnership_db, tmp_path)


@pytest.fixture(scope="session")
def sample_tables() -> dict[str, pd.DataFrame]:
    """The sample's CSV files read with pandas alone: the independent side of every figure check."""
    return {name: pd.read_csv(SAMPLE_DIR / f"{name}.csv", keep_default_na=False, dtype=str)
            for name in ("referrals", "missing_episodes", "training", "population", "awareness")}


TEST_PASSWORD = "a test password, long enough"


def local_session(db: Path, role: str, config: SignIn = SignIn(method="local")) -> str:
    """A real local sign-in for an account test-<role> (added to the store if new): its session token."""
    opened = Store(db)
    try:
        if f"test-{role}" not in set(accounts.listing(opened).username):
            accounts.add(opened, f"test-{role}", role, TEST_PASSWORD)
        user, token = accounts.sign_in(opened, config, f"test-{role}", TEST_PASSWORD)
    finally:
        opened.close()
    assert user is not None and user.role == role
    return token


@pytest.fixture
def app(sample_db, monkeypatch):
    """Open the dashboard under Streamlit's AppTest on a store, optionally on one page with URL parameters.

    role: a local account of that role signs in for real (accounts.sign_in) and its session token is put in the
    session state, as the sign-in form does (a browser cannot set it); None: nobody is signed in; "demo": no
    sign-in is configured, and db is the demo's store."""
    def open_page(page: str | None = None, db: Path = sample_db, query_params: dict | None = None,
                  role: str | None = "viewer") -> AppTest:
        monkeypatch.setenv("CSEBOARD_DEMO_DB" if role == "demo" else "CSEBOARD_DB", str(db))
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        if role != "demo":
            at.secrets["cseboard"] = {"sign_in": "local"}
        if role not in (None, "demo"):
            at.session_state[ui.SESSION_KEY] = local_session(db, role)
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


@contextlib.contextmanager
def serving(folder: Path, secrets: Path | None = None, port: int | None = None):
    """The dashboard on its own store in folder (its log there too) until the block ends: (url, db)."""
    db = folder / "cse.duckdb"
    with open(folder / "streamlit.log", "wb") as log:
        try:
            process, url = serve.start(db, log, secrets=secrets, port=port)
        except RuntimeError as exc:
            pytest.fail(f"{exc}:\n" + (folder / "streamlit.log").read_text()[-2000:])
        try:
            yield url, db
        finally:
            serve.stop(process)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard as the demo (no sign-in configured) on a free port with its own store file; stopped (and its
    files removed) afterwards."""
    folder = tmp_path_factory.mktemp("e2e")
    with serving(folder) as running:
        yield running
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    """The dashboard with local accounts (one per role, named after it) on an empty real store: (url, db,
    {role: password}); stopped (and its files removed) afterwards."""
    folder = tmp_path_factory.mktemp("e2e-local")
    passwords = {role: serve.local_account(folder / "cse.duckdb", role, role)
                 for role in ("viewer", "analyst", "administrator")}
    (folder / "secrets.toml").write_text(serve.LOCAL_SIGN_IN)
    with serving(folder, folder / "secrets.toml") as (url, db):
        yield url, db, passwords
    shutil.rmtree(folder, ignore_errors=True)


def browser_tab(browser, timeout_ms: float):
    """A fresh tab in a context of its own (no cookies shared with other tabs), closed afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(timeout_ms)
    yield opened
    context.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def warmed(server, browser):
    """Open the home page once, so every test after it finds the sample's queries warm."""
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


def data_tables(at: AppTest) -> list:
    """The page's tables, every "Show the data" fold opened first as a reader opens it (a folded table is drawn only
    once its fold is open)."""
    closed = [fold.key for fold in at.expander if fold.key and fold.key.endswith(render.TABLE_FOLD)
              and not (fold.key in at.session_state and at.session_state[fold.key])]
    if closed:
        for key in closed:
            at.session_state[key] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return list(at.dataframe)
