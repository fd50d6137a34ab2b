"""`make run` (`python -m cseboard.serve`): the dashboard served with a word on what it is doing, its default views
worked out at start; and the same server on a free local port for the end-to-end tests and the benchmark."""
from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

from cseboard.access import accounts
from cseboard.access.deployment import SignIn
from cseboard.config import PROJECT_ROOT, SAMPLE_DIR, settings
from cseboard.intake.ingest import load, prepare_path
from cseboard.store.database import Store

ENTRY = PROJECT_ROOT / "dashboard.py"
LOCAL_SIGN_IN = '[cseboard]\nsign_in = "local"\n'


def main(argv: list[str] | None = None) -> None:
    """Load the sample into the demo's empty store (saying so; only for the demo), then serve the entry script as
    `streamlit run` does, working out the default views beside it (a visitor arriving sooner waits for the same
    computation)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    arguments = sys.argv[1:] if argv is None else argv
    if serves_the_demo(arguments):
        load_the_demo_sample()
    print("Starting the dashboard: open the address printed below in a browser (Ctrl+C stops it).", flush=True)
    # Streamlit 1.67 treats a pages/ folder beside the entry script as its old multipage mode until st.navigation
    # has run once in the process: a first visit through a deep link would then see 'Page not found' over the
    # right page. The entry script always calls st.navigation, so the old mode is switched off from the start.
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_warm, name="warm-up", daemon=True).start()  # the first visitor finds them made
    cli.main(["run", str(ENTRY), *arguments], prog_name="streamlit")


def load_the_demo_sample() -> None:
    """The demo's empty store gets the bundled synthetic sample before the server starts, saying so."""
    db_path = settings().demo_db_path
    store = Store(db_path, demo=True)
    try:
        if store.is_empty():
            print(f"The demo's store {db_path} is empty: loading the bundled synthetic sample (no real child's data) "
                  "into it; this takes a few seconds, once.", flush=True)
            prepared = prepare_path(SAMPLE_DIR)
            if prepared.ok:
                load(store, prepared)
            print(f"Sample loaded: quarters {store.quarters()[0]} to {store.quarters()[-1]}.", flush=True)
    finally:
        store.close()


def serves_the_demo(arguments: list[str]) -> bool:
    """Whether the server will run as the demo (no sign-in configured in the secrets file it will read): only then is
    the sample loaded into the demo's store before it starts; a partnership's store is never given the sample."""
    chosen = next((arguments[index + 1] for index, argument in enumerate(arguments[:-1])
                   if argument == "--secrets.files"), None)
    path = Path(chosen) if chosen else PROJECT_ROOT / ".streamlit" / "secrets.toml"
    secrets = tomllib.loads(path.read_text()) if path.is_file() else {}
    return SignIn.from_secrets(secrets).demo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(db: Path | str, log, secrets: Path | None = None, port: int | None = None, **env) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on its own store and wait until it answers; returns the process and its URL.

    secrets: the secrets.toml to read instead of .streamlit's (an empty file: the demo, whose store is then db too)."""
    port = port or free_port()
    if secrets is None:
        secrets = Path(db).parent / "no-secrets.toml"
        secrets.write_text("")
    process = subprocess.Popen(
        [sys.executable, "-m", "cseboard.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--secrets.files", str(secrets)],
        cwd=PROJECT_ROOT, env={**os.environ, "CSEBOARD_DB": str(db), "CSEBOARD_DEMO_DB": str(db), **env},
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError("streamlit did not start; see its log")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_idle(page, timeout: float, first_seen: str | None = None) -> float | None:
    """Until Streamlit's running indicator has gone (the script finished) and stayed gone for a moment; with
    first_seen (a selector), the seconds until it first matched (None if it had not by then).

    The indicator appears a few tenths of a second after a page starts, so until it has been seen the page must stay
    quiet for longer before it counts as finished."""
    start = time.monotonic()
    deadline = start + timeout
    quiet_since = seen = None
    running_seen = False
    status = page.locator('[data-testid="stStatusWidget"]')
    while time.monotonic() < deadline:
        if first_seen and seen is None and page.locator(first_seen).count():
            seen = time.monotonic() - start
        if status.count() and status.is_visible():
            quiet_since, running_seen = None, True
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > (0.5 if running_seen else IDLE_BEFORE_RUNNING_SEEN):
            return seen
        time.sleep(0.05)
    return seen


IDLE_BEFORE_RUNNING_SEEN = 1.5
"""Seconds a page must stay quiet to count as finished when its running indicator was never seen."""


def _warm() -> None:
    """The default views, without Streamlit's warnings that no page is running (none is: this is the server)."""
    from streamlit.runtime import Runtime

    from cseboard.display import answers

    while not Runtime.exists():  # the server's options (its secrets file, which says which store) are read first
        time.sleep(0.1)
    for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    made = answers.warm()
    logging.getLogger("cseboard").info("warm-up: %d default views worked out", made)


def local_account(db: Path | str, username: str, role: str) -> str:
    """An account for an automated visitor (tests, the benchmark) on a store no server has open: its new password."""
    password = secrets.token_urlsafe(18)
    store = Store(db)
    try:
        if username in set(accounts.listing(store).username):
            accounts.set_role(store, username, role)
            accounts.reset_password(store, username, password)
        else:
            accounts.add(store, username, role, password)
    finally:
        store.close()
    return password


def sign_in(page, url: str, username: str, password: str, timeout: float = 60_000) -> None:
    """Sign in through the dashboard's own form in a browser page (Playwright), and wait for the menu."""
    page.goto(url)
    page.get_by_label("Username", exact=True).fill(username, timeout=timeout)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {username}").wait_for(timeout=timeout)
