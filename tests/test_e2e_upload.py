"""End to end in a real browser: `streamlit run dashboard.py`, then upload, confirm, see it in the history; a bad
file gets its specific message and the store file is untouched.

Drives Debian's chromium with Playwright (no browser download); `make test` installs it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bad_inputs import extract_zip, referrals_with
from conftest import CHROMIUM, browser_tab
from cseboard.tools import serve
from factory import rows

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (make test installs Debian's chromium)")


@pytest.fixture
def page(browser, local_server):
    """A tab signed in through the form as the administrator (who may load, see the history and remove)."""
    url, _, passwords = local_server
    for opened in browser_tab(browser, 20_000):
        serve.sign_in(opened, url, "administrator", passwords["administrator"])
        yield opened


def open_upload(page, url: str) -> None:
    page.goto(f"{url}/upload")
    page.get_by_text("Choose or drop the extract's files above").wait_for()


def choose(page, name: str, data: bytes, mime: str = "application/octet-stream") -> None:
    page.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_good_extract_uploaded_confirmed_and_listed_in_the_history(local_server, page):
    url, db, _ = local_server
    open_upload(page, url)
    good = extract_zip(referrals=rows("referrals", 6, referral_date="2026-10-01"),
                       training=rows("training", 1, period="2026-Q4"))
    choose(page, "extract.zip", good, "application/zip")
    page.get_by_text("This extract can load").wait_for()
    page.get_by_text("No extract is loaded for 2026-Q4 to 2026-Q4 yet").wait_for()
    page.get_by_role("button", name="Load this extract").click()
    page.get_by_text("These files were loaded as extract").wait_for()
    loaded = page.get_by_text("Loaded extract").first.inner_text()
    assert "2026-Q4 to 2026-Q4, 6 referrals" in loaded
    page.goto(f"{url}/history")
    page.get_by_text("Extract history").first.wait_for()
    page.get_by_text("Removing extract 1 deletes its rows from the store.").wait_for()
    newest = page.get_by_role("combobox", name="Extract", exact=True).input_value()
    assert newest == "Extract 1: 2026-Q4 to 2026-Q4 (extract.zip)"


def loaded_extracts(page, url: str) -> str:
    """What the history page says is loaded: the newest extract, or that there is none. (The store's bytes change
    with every page a signed-in user opens, as the session is kept alive, so they cannot show that nothing loaded.)"""
    page.goto(f"{url}/history")
    page.get_by_text("Every extract loaded, newest first.").wait_for()
    serve.wait_until_idle(page, 20)
    if page.get_by_text("No extract is loaded.").count():
        return "none"
    return page.get_by_role("combobox", name="Extract", exact=True).input_value()


def test_bad_file_gets_its_message_and_the_store_is_unchanged(local_server, page):
    url, db, _ = local_server
    before = loaded_extracts(page, url)
    open_upload(page, url)
    bad = referrals_with({1: {"area": "LS1 4AB"}, 2: {"age_at_referral": "18"}})
    choose(page, "referrals.csv", bad, "text/csv")
    page.get_by_text("This extract cannot load").wait_for()
    message = page.locator("[data-testid=stAlertContentError]").first.inner_text()
    assert "the value looks like a full postcode, which identifies a child" in message
    assert "LS1 4AB" not in page.content()
    assert page.get_by_role("button", name="Load this extract").count() == 0
    page.get_by_text("Number out of range: 1 row").wait_for()
    assert loaded_extracts(page, url) == before
