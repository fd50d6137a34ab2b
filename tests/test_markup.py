"""No text from an extract or a URL is read as Markdown, HTML or Plotly markup; tables offer no export of their own."""
from __future__ import annotations

import json
import tomllib

import pytest

from conftest import ROOT, chart_titles, decoded
from cseboard.display.ui import plain
from factory import numbered, rows

LINK_AREA = '<a href="https://example.invalid">x</a>'
MARKDOWN_AREA = "[text](http://example.invalid)"


@pytest.mark.parametrize("text", [MARKDOWN_AREA, "**bold** _it_ `code` $x$ :red[alarm] ~~gone~~", "<b>bold</b> &amp;"])
def test_plain_escapes_every_markdown_and_html_mark(text):
    escaped = plain(text)
    for mark in ("[", "]", "*", "_", "`", "$", "~"):
        assert mark not in escaped.replace("\\" + mark, "")
    assert "<b>" not in escaped.replace("\\<b>", "")


@pytest.fixture
def markup_db(tiny_store):
    """Two areas whose names are markup: a link in HTML and a link in Markdown; enough referrals to be shown."""
    referrals = numbered(rows("referrals", 12, area=LINK_AREA) + rows("referrals", 12, area=MARKDOWN_AREA))
    return tiny_store(referrals=referrals, population=[])


def test_area_names_that_are_markup_are_shown_as_text(app, markup_db):
    at = app("pages/questions/areas.py", db=markup_db, query_params={"area": MARKDOWN_AREA})
    showing = next(m.value for m in at.markdown if m.value.startswith("**Showing:**"))
    assert "\\[text\\](http://example.invalid)" in showing  # escaped: Streamlit shows the brackets, not a link
    every = app("pages/questions/areas.py", db=markup_db)
    specs = [json.dumps(decoded(json.loads(chart.proto.spec))) for chart in every.get("plotly_chart")]
    assert specs and not any("<a href" in spec for spec in specs)  # Plotly would draw a live link
    assert any("&lt;a href" in spec for spec in specs)  # escaped: drawn as the text it is
    assert all("<a href" not in title.replace("\\<a href", "") for title in chart_titles(every))


def test_tables_offer_no_export_that_bypasses_the_formula_safe_csv():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
