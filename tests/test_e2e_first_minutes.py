"""A newcomer's first minutes in a real browser: the console says what `make run` is doing, and after a restart the
first visitor through a shared link sees the page, with no 'Page not found' dialog over it."""
from __future__ import annotations

import os

import pytest

from conftest import CHROMIUM
from cseboard.tools import serve

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (make test installs Debian's chromium)")


def test_the_console_says_the_sample_is_loading_and_a_deep_link_after_a_restart_opens_without_a_dialog(
        tmp_path, browser):
    db, log_path = tmp_path / "cse.duckdb", tmp_path / "streamlit.log"
    with open(log_path, "wb") as log:
        process, _ = serve.start(db, log)
        serve.stop(process)
    console = log_path.read_text()
    assert "loading the bundled synthetic sample" in console
    assert "Sample loaded: quarters 2023-Q4 to 2026-Q3." in console
    assert "open the address printed below in a browser" in console

    with open(log_path, "wb") as log:
        process, url = serve.start(db, log)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{url}/areas?from=2025-Q1")
            page.get_by_role("heading", name="Areas").first.wait_for()
            serve.wait_until_idle(page, 60)
            assert page.get_by_role("dialog").count() == 0
            assert "Page not found" not in page.content()
            context.close()
        finally:
            serve.stop(process)
    assert "sample" not in log_path.read_text()  # a second start finds the store full and says nothing of it
