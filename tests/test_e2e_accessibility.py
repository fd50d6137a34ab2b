"""WCAG 2.2 AA in a real browser: axe-core on every page and on the board pack, the keyboard alone, and phone width."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from cseboard.tools import serve
from test_e2e_dashboard import PAGES

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
STREAMLIT_OWN = ["[data-testid=stMetric] svg"]
"""Markup Streamlit draws and the project cannot label: the sparkline of a metric card (its figures are in the card's
help and the table under the cards). Listed in docs/accessibility.md."""
PHONE = {"width": 390, "height": 844}


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG A/AA violations axe-core finds on what the page shows now."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("([tags, own]) => axe.run({exclude: own.map(selector => [selector])}, "
                           "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", [WCAG_AA, STREAMLIT_OWN])
    return [{"rule": violation["id"], "impact": violation["impact"],
             "where": [node["target"] for node in violation["nodes"][:3]]}
            for violation in result["violations"] if violation["impact"] in BLOCKING]


def opened(browser, url: str, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return context, page


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation_on_any_page(warmed, browser, path):
    url, _ = warmed
    context, page = opened(browser, f"{url}/{path}")
    try:
        page.locator("h1").first.wait_for()
        serve.wait_until_idle(page, 60)
        assert axe_violations(page) == [], json.dumps(axe_violations(page), indent=1)
    finally:
        context.close()


def test_no_serious_accessibility_violation_in_the_board_pack(board_pack_files, browser):
    context, page = opened(browser, Path(board_pack_files[0]).as_uri())
    try:
        page.wait_for_selector(".plotly-graph-div .main-svg")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_a_page_can_be_reached_and_read_with_the_keyboard_alone(warmed, browser):
    """Tab from the top of the home page to the menu link of another page, press Enter: that page opens."""
    url, _ = warmed
    context, page = opened(browser, url)
    try:
        page.locator("h1").first.wait_for()
        serve.wait_until_idle(page, 60)
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.innerText || ''").endswith("Age and gender"):
                break
        else:
            pytest.fail("the Age and gender link was never reached with Tab")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Age and gender", level=1).wait_for()
        assert "/age-gender" in page.url
    finally:
        context.close()


def test_the_board_pack_can_be_read_with_the_keyboard_alone(board_pack_files, browser):
    """Tab reaches the contents; Enter on a section's entry moves to that section."""
    context, page = opened(browser, Path(board_pack_files[0]).as_uri())
    try:
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.innerText") == "Age and gender":
                break
        else:
            pytest.fail("the contents entry was never reached with Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#age_gender"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "age-gender", "missing", "sources-outcomes", "areas", "training", "awareness"])
def test_at_phone_width_chart_titles_fit_and_legends_leave_them_clear(warmed, browser, path):
    url, _ = warmed
    context, page = opened(browser, f"{url}/{path}", PHONE)
    try:
        page.locator("h1").first.wait_for()
        serve.wait_until_idle(page, 60)
        problems = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot => {
            const frame = plot.getBoundingClientRect();
            const title = plot.querySelector('.gtitle');
            const legend = plot.querySelector('.legend');
            const found = [];
            if (title) {
                const box = title.getBoundingClientRect();
                if (box.left < frame.left - 1 || box.right > frame.right + 1) found.push('title cut: ' + title.textContent);
                if (legend) {
                    const key = legend.getBoundingClientRect();
                    const apart = key.bottom <= box.top || key.top >= box.bottom || key.right <= box.left || key.left >= box.right;
                    if (!apart) found.push('legend over title: ' + title.textContent);
                }
            }
            return found;
        })""")
        assert problems == []
    finally:
        context.close()
