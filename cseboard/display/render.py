"""The Streamlit renderer: draws a question's section (notes, cards, charts, tables) the same way on every page."""
from __future__ import annotations

import copy

import streamlit as st

from cseboard.display import ui
from cseboard.display.answers import Answer
from cseboard.display.drawings import spc
from cseboard.display.ui import plain
from cseboard.questions.section import Columns, Definitions, Figure, Findings, Folded, Metrics, Note, Slot, Tabs

TABLE_FOLD = "_table_fold"  # a folded table's key ends so: its state says whether it is open

QUESTION_PAGES = {
    "age_gender": "pages/questions/age_gender.py",
    "missing": "pages/questions/missing.py",
    "linked": "pages/questions/crimes_vulnerabilities.py",
    "sources": "pages/questions/sources_outcomes.py",
    "areas": "pages/questions/areas.py",
    "training": "pages/questions/training.py",
}
"""The page that answers each question, for a finding's link (the home page's own findings need none)."""


def section(answered: Answer, *containers) -> None:
    """Draw a section's blocks in order; each Slot moves on to the next container (the page drew its widget between)."""
    places = list(containers) or [st.container()]
    place = places.pop(0)
    for block in answered.section.blocks:
        if isinstance(block, Slot):
            place = places.pop(0)
        else:
            with place:
                _block(block, answered)


def _block(block, answered: Answer) -> None:
    """One block of a section, in the current container; figures and CSV come ready made with the answer."""
    if isinstance(block, Note):
        note(block)
    elif isinstance(block, Definitions):
        definitions(block.terms, block.listed)
    elif isinstance(block, Metrics):
        metrics(block)
    elif isinstance(block, Figure):
        figure(block, answered)
    elif isinstance(block, Columns):
        for column, blocks in zip(st.columns(len(block.columns)), block.columns):
            with column:
                for inner in blocks:
                    _block(inner, answered)
    elif isinstance(block, Tabs):
        for tab, blocks in zip(st.tabs([plain(label) for label in block.labels]), block.tabs):
            with tab:
                for inner in blocks:
                    _block(inner, answered)
    elif isinstance(block, Findings):
        findings(block)
    elif isinstance(block, Folded):
        with st.expander(plain(block.label)):
            for inner in block.blocks:
                _block(inner, answered)


def note(block: Note) -> None:
    """Words in their tone: a subheading, a caption, or an info or warning box."""
    text = plain(block.before) + (f"**{plain(block.lead)}**" if block.lead else "") + plain(block.text)
    if block.tone == "subheader":
        st.header(text)
    elif block.tone == "info":
        st.info(text, icon=block.icon)
    elif block.tone == "warning":
        st.warning(text, icon="⚠️")
    elif block.tone == "too_small":
        st.info(text, icon=":material/visibility_off:")
    elif block.tone == "markdown":
        st.markdown(text)
    else:
        st.caption(text)


def definitions(terms, listed: bool = False) -> None:
    """The definitions behind a chart, one line each, right under it (or as a list where they stand on their own)."""
    if listed:
        st.markdown("\n".join(f"- **{plain(term)}**: {plain(meaning)}" for term, meaning in terms))
    else:
        st.caption("  \n".join(f"**{plain(term)}**: {plain(meaning)}" for term, meaning in terms))


def metrics(block: Metrics) -> None:
    """A row of cards; a card's footnote sits under it."""
    columns = st.columns(block.per_row)
    for index, card in enumerate(block.cards):
        with columns[index % block.per_row]:
            st.metric(plain(card.label), card.value, delta=card.delta, delta_color="off",
                      help=plain(card.help) if card.help else None, border=True,
                      chart_data=list(card.trend) if card.trend is not None else None, chart_type="line")
            if card.footnote:
                st.caption(plain(card.footnote))
            if card.signal:
                st.html(spc.signal_html(card.signal))


def findings(block: Findings) -> None:
    """The findings for the board, each with a link to the page that answers its question, as the pack opens."""
    with st.container(border=True):
        st.header("Findings for the board")
        for item in block.items:
            st.markdown(f"- {plain(item.finding.sentence())}")
            if item.question in QUESTION_PAGES:
                st.page_link(QUESTION_PAGES[item.question], label=f"See {item.question_title}",
                             icon=":material/arrow_forward:")


def too_small(what: str) -> None:
    """In place of a chart whose every figure is withheld or zero: say so, rather than draw an empty frame."""
    note(Note(f": the numbers are too small to draw (each shows as {ui.policy().symbol}, under 5). Widen the "
              "period or clear a filter in the sidebar.", tone="too_small", lead=what))


def figure(block: Figure, answered: Answer) -> None:
    """A chart (or why there is none), its caption and definitions, then the table behind it."""
    if block.chart is not None:
        st.markdown(f"**{plain(block.chart.title)}**")
        st.plotly_chart(answered.figures[block.key], key=f"{block.key}_chart")
    elif block.too_small:
        too_small(block.too_small)
    if block.caption:
        st.caption(plain(block.caption))
    if block.definitions:
        definitions(block.definitions)
    if block.table is not None:
        table(block, answered.csv[block.key])


def table(block: Figure, csv: bytes) -> None:
    """The figures behind a chart: protected as the chart is, sortable, downloadable as formula-safe CSV; a table
    shown open is shown whole, as part of the page."""
    if block.table_heading:
        st.header(plain(block.table_heading))
    if block.table_open:
        ui.table_view(block.table, block.key, block.file_name, own_copy(block.table_frame), csv, height="content")
        return
    # A folded table is drawn only once its reader opens it: tables (their styles worked out and sent for every
    # session) were the largest part of a page view's cost, and most readers never open most of them.
    with st.expander(block.table_label, key=f"{block.key}{TABLE_FOLD}", on_change="rerun") as fold:
        if fold.open:
            ui.table_view(block.table, block.key, block.file_name, own_copy(block.table_frame), csv)


def own_copy(frame):
    """This session's copy of a shared table: a Styler works out its styles as it is drawn."""
    return copy.deepcopy(frame)
