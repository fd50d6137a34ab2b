"""The board pack made in the app: audited once when made, always protected, the same findings as the home page."""
from __future__ import annotations

import html
import re

from cseboard.access import audit
from cseboard.display import pack_view, ui
from cseboard.methods.disclosure import DEFAULT_POLICY, plain_words

PAGE = "pages/overview/board_pack.py"


def made(at) -> tuple:
    """The session's pack: (filters, HTML bytes, PDF bytes)."""
    return at.session_state[pack_view.MADE_KEY]


def test_a_viewer_makes_the_pack_for_the_sidebars_filters_and_it_is_audited_once(app, sample_db_copy):
    at = app(PAGE, db=sample_db_copy, query_params={"area": "Northgate"})
    at.button(key="board_pack_make").click().run(timeout=300)
    filters, html_bytes, pdf_bytes = made(at)
    assert filters.areas == ("Northgate",) and pdf_bytes.startswith(b"%PDF")
    page = html_bytes.decode("utf-8")
    assert "Findings for the board" in page and html.escape(filters.describe()) in page
    entries = audit.entries(ui.open_store(str(sample_db_copy)), actions=["board_pack"])
    assert len(entries) == 1 and entries.who[0] == "test-viewer" and "Northgate" in entries.detail[0]


def test_the_pack_is_protected_even_when_an_analyst_shows_exact_figures(app, sample_db_copy):
    at = app(PAGE, db=sample_db_copy, role="analyst")
    at.toggle(key=ui.UNSUPPRESS_KEY).set_value(True).run()
    at.button(key="board_pack_make").click().run(timeout=300)
    page = made(at)[1].decode("utf-8")
    assert html.escape(plain_words(DEFAULT_POLICY)) in page
    assert "Figures are exact" not in page


def test_the_packs_findings_are_the_home_pages(app, sample_db_copy):
    at = app(PAGE, db=sample_db_copy)
    at.button(key="board_pack_make").click().run(timeout=300)
    in_pack = [html.unescape(re.sub(r"\s*<a .*", "", item)) for item in re.findall(
        r"<li>(.*?)</li>", made(at)[1].decode("utf-8").split('id="findings"')[1].split("</ul>")[0])]
    home = app(db=sample_db_copy)
    assert in_pack == [m.value[2:].replace("\\", "") for m in home.markdown if m.value.startswith("- ")]
