"""The board-pack renderer: the same sections as the screen, as one self-contained HTML file and an A4 PDF.

The HTML carries plotly.js inline and asks no other host for anything, so it opens offline and its charts stay
interactive. The PDF is that HTML printed by Debian's chromium (the browser the project already installs for its
end-to-end tests): charts are drawn by the same plotly.js and printed as static vector images, with page numbers.
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from cseboard.config import CHROMIUM, CHROMIUM_ARGS
from cseboard.display import charts
from cseboard.display.drawings import spc
from cseboard.questions.board import BoardPack
from cseboard.questions.section import BoardFinding, Columns, Definitions, Figure, Metrics, Note, Section, Slot, Tabs

SHORT_TABLE_ROWS = 12
"""A pack shows the first rows of each table; the dashboard and its CSV downloads hold the rest."""
STYLE = """
body { font-family: "Source Sans Pro", Arial, sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 60rem;
       padding: 1rem 1.5rem; line-height: 1.45; }
h1 { font-size: 2rem; margin: 0 0 .5rem; } h2 { font-size: 1.5rem; border-bottom: 2px solid #0072B2;
padding-bottom: .2rem; } h3 { font-size: 1.15rem; }
.title-page { min-height: 80vh; display: flex; flex-direction: column; justify-content: center; }
.lead { font-size: 1.2rem; } .caption { color: #4a4a4a; font-size: .92rem; }
.note-info, .note-warning, .note-too_small { border-left: 4px solid #0072B2; background: #eef5fb; padding: .5rem .8rem; }
.note-warning { border-color: #a35a00; background: #fff4e5; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .6rem; margin: .6rem 0; }
.card { border: 1px solid #c8c8c8; border-radius: .4rem; padding: .5rem .7rem; break-inside: avoid; }
.card .label { font-size: .9rem; color: #3a3a3a; } .card .value { font-size: 1.6rem; font-weight: 600; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
figure { margin: 1rem 0; break-inside: avoid; } figcaption { font-size: .92rem; color: #3a3a3a; }
table { border-collapse: collapse; font-size: .85rem; margin: .4rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: .2rem .45rem; text-align: left; } th { background: #f1f1f1; }
nav li, .findings li { margin-bottom: .5rem; } nav a, .findings a { display: inline-block; min-height: 24px; line-height: 24px; } .chart-title { font-weight: 600; font-size: 1.05rem; margin: .2rem 0; } a { color: #005a8c; }
section.question { break-before: page; } header.title-page { break-after: page; }
h2, h3 { break-after: avoid; }
@media (max-width: 40rem) { .columns { grid-template-columns: 1fr; } }
@media print { body { max-width: none; padding: 0; } .modebar { display: none !important; } a { color: inherit; } }
@page { size: A4; margin: 16mm 14mm 18mm; }
"""
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
          '<span class="title"></span> &middot; page <span class="pageNumber"></span> of '
          '<span class="totalPages"></span></div>')


def text(value) -> str:
    """Data and words as HTML text: nothing in them is read as markup."""
    return html.escape(str(value))


def document(contents: BoardPack) -> str:
    """The whole pack as one self-contained HTML document (plotly.js inline, no request to any other host)."""
    sections = contents.sections
    parts = [_title_page(contents), _contents_page(sections), _findings(contents)]
    parts += [_section(title, answered) for title, answered in sections]
    parts += [_caveats(contents), _closing(contents)]
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{text(contents.partnership)}: CSE board pack, {text(contents.period)}</title>"
            f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
            + "\n".join(parts) + "</body></html>")


def _title_page(contents: BoardPack) -> str:
    return (f'<header class="title-page"><p class="lead">{text(contents.partnership)}</p>'
            f"<h1>Child sexual exploitation: board pack for {text(contents.period)}</h1>"
            f'<p class="lead">Made on {text(contents.made_on)}</p><p>{text(contents.filters)}</p>'
            f"<p><strong>Protecting children's privacy.</strong> {text(contents.protection)}</p></header>")


def _contents_page(sections) -> str:
    entries = ['<li><a href="#findings">Findings for the board</a></li>']
    entries += [f'<li><a href="#{text(answered.question)}">{text(title)}</a></li>' for title, answered in sections]
    entries += ['<li><a href="#data-quality">Data quality</a></li>',
                '<li><a href="#questions-for-the-board">Questions for the board</a></li>']
    return f'<nav aria-label="Contents"><h2>Contents</h2><ol>{"".join(entries)}</ol></nav>'


def _findings(contents: BoardPack) -> str:
    items = [f'<li>{text(item.finding.sentence())} <a href="#{_anchor(item)}">See {text(item.question_title)}.</a></li>'
             for item in contents.findings]
    return f'<section id="findings"><h2>Findings for the board</h2><ul class="findings">{"".join(items)}</ul></section>'


def _anchor(item: BoardFinding) -> str:
    """Where a finding's link goes: the figure it rests on, or its section when it names none."""
    return text(f"figure-{item.finding.figure}" if item.finding.figure else item.question)


def _section(title: str, answered: Section) -> str:
    body = "".join(_block(block) for block in answered.blocks)
    caveats = "".join(f'<p class="caption">{text(caveat)}</p>' for caveat in answered.caveats)
    return (f'<section class="question" id="{text(answered.question)}"><h2>{text(title)}</h2>'
            f'<p class="caption">Showing: {text(answered.filters)}</p>{body}{caveats}</section>')


def _block(block) -> str:
    """One block as HTML; a Slot (a screen widget) has no place on paper."""
    if isinstance(block, Note):
        lead = f"<strong>{text(block.lead)}</strong>" if block.lead else ""
        if block.tone == "subheader":
            return f"<h3>{lead}{text(block.text)}</h3>"
        return f'<p class="note-{text(block.tone)}">{lead}{text(block.text)}</p>'
    if isinstance(block, Definitions):
        return _definitions(block.terms)
    if isinstance(block, Metrics):
        return '<div class="cards">' + "".join(
            f'<div class="card"><div class="label">{text(card.label)}</div><div class="value">{text(card.value)}</div>'
            + (f'<div class="caption">{text(card.delta)}</div>' if card.delta else "")
            + (f'<div class="caption">{text(card.footnote)}</div>' if card.footnote else "")
            + (spc.signal_html(card.signal) if card.signal else "") + "</div>"
            for card in block.cards) + "</div>"
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Columns):
        return '<div class="columns">' + "".join(
            "<div>" + "".join(_block(inner) for inner in column) + "</div>" for column in block.columns) + "</div>"
    if isinstance(block, Tabs):
        return "".join(f"<h3>{text(label)}</h3>" + "".join(_block(inner) for inner in tab)
                       for label, tab in zip(block.labels, block.tabs))
    assert isinstance(block, Slot)
    return ""


def _definitions(terms) -> str:
    return ('<dl class="caption">' + "".join(f"<dt><strong>{text(term)}</strong></dt><dd>{text(meaning)}</dd>"
                                              for term, meaning in terms) + "</dl>")


def _figure(block: Figure) -> str:
    """A chart with its text alternative, or why there is none; its caption; the first rows of its table."""
    parts = []
    if block.chart is not None:
        drawn = pio.to_html(charts.untitled(charts.draw(block.chart)), full_html=False, include_plotlyjs=False,
                            config={"displaylogo": False, "responsive": True})
        parts.append(f'<p class="chart-title">{text(block.chart.title)}</p>{drawn}')
    elif block.too_small:
        parts.append(f'<p class="note-too_small"><strong>{text(block.too_small)}</strong>: the numbers are too small '
                     "to draw.</p>")
    if block.caption:
        parts.append(f"<figcaption>{text(block.caption)}</figcaption>")
    if block.definitions:
        parts.append(_definitions(block.definitions))
    if block.table is not None:
        parts.append(_short_table(block))
    label = block.alt_text or (block.chart.title if block.chart is not None else block.too_small or "")
    return f'<figure id="figure-{text(block.key)}" aria-label="{text(label)}">' + "".join(parts) + "</figure>"


def _short_table(block: Figure) -> str:
    """The first rows of a figure's protected table, as published (withheld cells show the symbol)."""
    shown = block.table.display() if block.csv_frame is None else block.csv_frame
    note = (f'<p class="caption">First {SHORT_TABLE_ROWS} of {len(shown)} rows; the dashboard has them all.</p>'
            if len(shown) > SHORT_TABLE_ROWS else "")
    table = shown.head(SHORT_TABLE_ROWS).to_html(index=not _plain_index(shown), escape=True, na_rep="",
                                                  border=0, float_format=lambda value: f"{value:,.1f}")
    return table + note


def _plain_index(frame) -> bool:
    return frame.index.name is None and list(frame.index) == list(range(len(frame)))


def _caveats(contents: BoardPack) -> str:
    items = "".join(f"<li>{text(caveat)}</li>" for caveat in contents.caveats)
    return f'<section class="question" id="data-quality"><h2>Data quality</h2><ul>{items}</ul></section>'


def _closing(contents: BoardPack) -> str:
    items = "".join(f"<li>{text(question)}</li>" for question in contents.questions_for_the_board)
    return (f'<section class="question" id="questions-for-the-board"><h2>Questions for the board</h2>'
            f"<ol>{items}</ol></section>")


def pdf_bytes(html: str) -> bytes:
    """The pack as PDF bytes, printed from its HTML in a folder of its own (for the app's download)."""
    with tempfile.TemporaryDirectory(prefix="board-pack-") as folder:
        html_path, pdf_path = Path(folder) / "board-pack.html", Path(folder) / "board-pack.pdf"
        html_path.write_text(html, encoding="utf-8")
        print_pdf(html_path, pdf_path)
        return pdf_path.read_bytes()


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print the HTML pack to an A4 PDF with page numbers in Debian's chromium; any request off the file is refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                       else route.abort())
            page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_function("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                   ".every(div => div.querySelector('.main-svg'))", timeout=120_000)
            page.emulate_media(media="print")
            page.pdf(path=str(pdf_path), format="A4", print_background=True, display_header_footer=True,
                     header_template="<div></div>", footer_template=FOOTER,
                     margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        finally:
            browser.close()
