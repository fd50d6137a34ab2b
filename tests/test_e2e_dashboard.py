"""End to end in a real browser: a shared link opens its page with its filters, every page renders, and a
filter chosen on a page is kept in the address bar with that page."""
from __future__ import annotations

import os

import pytest

from conftest import CHROMIUM, browser_tab
from cseboard.tools import serve

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (make test installs Debian's chromium)")

PAGES = ["", "board-pack", "age-gender", "missing", "crimes-vulnerabilities", "sources-outcomes", "areas", "fairness",
         "training", "awareness", "national", "upload", "history"]


@pytest.fixture
def page(browser):
    """A fresh browser tab; tests that ask for `warmed` get a server whose first visit has happened."""
    yield from browser_tab(browser, 60_000)


def showing(page) -> str:
    return page.get_by_text("Showing:").first.locator("..").inner_text()


def test_a_shared_link_opens_its_page_with_its_filters_even_as_the_first_visit(server, page):
    """/areas may be a fresh server's first visit: Streamlit runs a page file directly, without the entry script,
    when a file at the top of pages/ has the link's name, so the page files sit in section folders."""
    url, _ = server
    page.goto(f"{url}/areas?from=2025-Q3&to=2026-Q2&area=Northgate&gender=Male")
    page.get_by_role("heading", name="Areas").first.wait_for()
    assert showing(page) == ("Showing: Period 2025-Q3 to 2026-Q2; areas: Northgate; all referral sources; "
                             "all age bands; genders: Male.")
    page.get_by_role("link", name="Load an extract").first.wait_for()
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_an_error(warmed, page, path):
    url, _ = warmed
    page.goto(f"{url}/{path}")
    page.locator("h1").first.wait_for()
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden")
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Page not found" not in page.content()


def choose_in_sidebar(page, label: str, option: str, url_pattern: str, tries: int = 3) -> None:
    """Choose a sidebar option and wait for the address bar to carry it. A sidebar redrawn by a rerun under way (a
    loaded machine) can swallow the click, so the choice is made again, up to `tries` times, until the link shows it;
    an option the widget already shows as chosen is not clicked again (a second click would take it away)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(tries):
        serve.wait_until_idle(page, 60)
        widget = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text=label)
        if not widget.locator(f'[data-tag][aria-label="{option}"]').count():
            widget.click()
            page.get_by_role("option", name=option, exact=True).click()
            page.keyboard.press("Escape")
        try:
            page.wait_for_url(url_pattern, timeout=20_000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def test_a_filter_chosen_on_a_page_stays_in_the_address_bar_with_that_page(warmed, page):
    url, _ = warmed
    page.goto(f"{url}/areas?from=2024-Q4")
    page.get_by_role("heading", name="Areas").first.wait_for()
    page.get_by_text("Showing:").first.wait_for()
    choose_in_sidebar(page, "Referral source", "Police", "**/areas?from=2024-Q4&to=2026-Q3&source=Police")
    # The address bar changes as the sidebar is drawn, before the page below it: wait for the page's rerun too.
    page.get_by_text("referral sources: Police").first.wait_for()
    assert "referral sources: Police" in showing(page)
    page.get_by_role("link", name="Missing from home or care").click()
    page.wait_for_url("**/missing?from=2024-Q4&to=2026-Q3&source=Police")
    page.get_by_role("heading", name="Missing from home or care").first.wait_for()
    assert "referral sources: Police" in showing(page)


@pytest.mark.parametrize("path", ["", "history"])
def test_every_table_fits_the_page_on_a_laptop_screen(warmed, browser, path):
    """A table wider than the page hides columns behind a sideways scroll that a board member may never find."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{warmed[0]}/{path}")
        page.locator("[data-testid=stDataFrame]").first.wait_for(state="attached")
        serve.wait_until_idle(page, 60)
        for summary in page.locator("[data-testid=stExpander] summary").all():
            summary.click()  # a folded table is drawn once its fold is open: each click asks the server for it
            serve.wait_until_idle(page, 60)
        tables = page.locator("[data-testid=stDataFrame]")
        tables.last.locator(".dvn-scroller").wait_for()
        widths = [table.locator(".dvn-scroller").evaluate("scroller => [scroller.scrollWidth, scroller.clientWidth]")
                  for table in tables.all()]
        assert len(widths) >= (3 if path else 1)
        assert all(scrolled <= shown for scrolled, shown in widths), widths
    finally:
        context.close()
