"""The board pack from the shell: HTML that opens offline and an A4 PDF holding the sections and the screen's figures."""
from __future__ import annotations

import re
from html import escape

import pytest
from pypdf import PdfReader

from conftest import PACK_PERIOD
from cseboard.tools.pack import main as pack_command


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_pdf_is_a4_with_page_numbers_contents_and_every_section(board_pack_files):
    _, pdf = board_pack_files
    reader = PdfReader(pdf)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points (210 x 297 mm)
    text = pdf_text(pdf)
    assert f"page 1 of {len(reader.pages)}" in text
    for heading in ("Contents", "Findings for the board", "This quarter", "Age and gender", "Missing from home or care",
                    "Linked crimes and vulnerabilities", "Referral sources and outcomes", "Areas", "Training coverage",
                    "Prevention and awareness", "Data quality", "Questions for the board", "Is there more that we could do?"):
        assert heading in text, heading


def test_the_pdf_holds_the_figures_the_page_shows_for_the_same_filters(board_pack_files, app):
    at = app("pages/questions/age_gender.py", query_params={"from": "2025-Q4", "to": PACK_PERIOD})
    shown = [metric.value for metric in at.metric]
    headline = at.header[0].value
    text = re.sub(r"\s+", " ", pdf_text(board_pack_files[1]))
    assert headline in text
    for value in shown:
        assert value in text


def test_the_pack_holds_the_awareness_section_and_its_findings_as_the_page_shows_them(board_pack_files, app):
    at = app("pages/questions/awareness.py", query_params={"from": "2025-Q4", "to": PACK_PERIOD})
    html = board_pack_files[0].read_text()
    assert 'id="awareness"' in html
    for finding in (at.header[0].value, at.warning[0].value.removesuffix(".")):
        assert f"<li>{escape(finding)} <a href=\"#awareness\">" in html


def test_the_html_opens_offline_and_asks_no_other_host(board_pack_files, browser_page):
    html, _ = board_pack_files
    requested = []
    browser_page.on("request", lambda request: requested.append(request.url))
    browser_page.goto(html.as_uri())
    browser_page.wait_for_selector(".plotly-graph-div .main-svg")
    assert browser_page.locator("h2", has_text="Findings for the board").count() == 1
    assert [url for url in requested if not url.startswith(("file:", "data:", "blob:"))] == []


def test_a_quarter_not_loaded_is_refused_with_a_message(tmp_path, sample_db_copy, capsys):
    out = tmp_path / "pack"
    assert pack_command(["--db", str(sample_db_copy), "--period", "2030-Q1", "--out", str(out)]) == 1
    assert "2030-Q1 is not loaded" in capsys.readouterr().out
    assert not out.exists()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
