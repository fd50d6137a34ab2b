"""The board pack from the shell: HTML that opens offline and an A4 PDF holding the sections and the screen's figures."""
from __future__ import annotations

import argparse
import re
from html import escape

import pytest
from pypdf import PdfReader

from conftest import PACK_PERIOD
from cseboard.access import audit
from cseboard.questions import trends
from cseboard.store.database import AuditError, Store
from cseboard.tools.pack import main as pack_command, pack_filters


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
                    "Prevention and awareness", "Data quality", "Questions for the board", "Is there more that we could do?",
                    "Trends: signal or noise", "SPC summary", "Who is not being identified"):
        assert heading in text, heading
    html = board_pack_files[0].read_text()
    assert html.count('class="spc-signal"') == len(trends.measure_settings())  # each headline card's SPC icon


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
        assert f"<li>{escape(finding)}. <a href=\"#figure-awareness_settings\">" in html


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


@pytest.mark.parametrize("option, value", [("--area", "Atlantis"), ("--source", "Carrier pigeon")])
def test_a_filter_value_not_in_the_store_is_refused_rather_than_packing_everything(tmp_path, sample_db_copy, capsys,
                                                                                 option, value):
    out = tmp_path / "pack"
    assert pack_command(["--db", str(sample_db_copy), "--period", PACK_PERIOD, "--out", str(out), option, value]) == 1
    assert f"{value!r} in the store" in capsys.readouterr().out
    assert not out.exists()


@pytest.mark.parametrize("first, expected_first", [("2025-Q4", "2025-Q4"), ("2026-Q1", "2026-Q3"),
                                                   ("2024-Q2", "2024-Q4"), (None, "2025-Q4")])
def test_the_packs_period_is_one_quarter_or_whole_years_as_on_screen(sample_db_copy, first, expected_first):
    args = argparse.Namespace(period=PACK_PERIOD, first=first, area="Northgate", source=None, age=None, gender=None)
    store = Store(sample_db_copy)
    try:
        filters = pack_filters(args, store)
    finally:
        store.close()
    assert (filters.first_quarter, filters.last_quarter, filters.areas) == (expected_first, PACK_PERIOD, ("Northgate",))


def test_making_the_pack_leaves_one_audit_entry_naming_the_shell_user_and_the_filters(board_pack_files):
    opened = Store(board_pack_files[0].parent / "cse.duckdb")
    made = audit.entries(opened, actions=["board_pack"])
    opened.close()
    assert len(made) == 1
    assert made.who[0] == audit.shell_user() and made.role.isna().all()
    assert f"to {PACK_PERIOD}" in made.detail[0]


def test_a_pack_whose_audit_entry_cannot_be_written_is_not_made(tmp_path, sample_db_copy, monkeypatch, capsys):
    def full_trail(store, entry):
        raise AuditError("the audit trail could not be written (disk full)")

    monkeypatch.setattr(Store, "append_audit", full_trail)
    out = tmp_path / "pack"
    assert pack_command(["--db", str(sample_db_copy), "--period", PACK_PERIOD, "--out", str(out)]) == 1
    assert "No pack made: the audit trail could not be written" in capsys.readouterr().out
    assert not out.exists()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
