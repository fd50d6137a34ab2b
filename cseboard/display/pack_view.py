"""The board pack in the app: made for the sidebar's filters (always protected), audited when made, handed out as
an A4 PDF and a self-contained HTML file; the shell's `python -m cseboard.pack` makes the same pack."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from cseboard.access import audit
from cseboard.config import settings
from cseboard.display import pack, ui
from cseboard.filters import Filters
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions.board import board_pack

MADE_KEY = "board_pack_made"
"""The session's last pack: (its filters, HTML bytes, PDF bytes), so its downloads survive the rerun a click makes."""


def pack_policy() -> DisclosurePolicy:
    """A pack is for the board and may be published: protected, whatever the page's switch for exact figures."""
    return DisclosurePolicy(threshold=settings().suppression_threshold)


def maker(filters: Filters) -> None:
    """A button that makes the pack for the filters (the audit entry first: no entry, no pack), then its downloads."""
    user = ui.require("board_pack")
    if st.button("Make the board pack", key="board_pack_make", type="primary", icon=":material/picture_as_pdf:"):
        current = ui.store()
        with st.spinner("Making the pack: every section, its charts, and the PDF (a few seconds)..."):
            current.append_audit(audit.entry(user, "board_pack", filters=filters.describe(),
                                             what=f"board pack for {filters.last_quarter}"))
            contents = board_pack(ui.query, filters, pack_policy(), current.extracts(), settings().partnership,
                                  dt.date.today())
            html = pack.document(contents)
            st.session_state[MADE_KEY] = (filters, html.encode("utf-8"), pack.pdf_bytes(html))
    made = st.session_state.get(MADE_KEY)
    if made is None or made[0] != filters:
        return
    _, html_bytes, pdf_bytes = made
    name = f"board-pack-{filters.last_quarter}"
    st.success(ui.plain(f"The pack for {filters.describe()} is ready."), icon=":material/check_circle:")
    st.download_button("Download the pack (PDF, A4)", pdf_bytes, file_name=f"{name}.pdf", mime="application/pdf",
                       key="board_pack_pdf", on_click="ignore", icon=":material/download:")
    st.download_button("Download the pack (HTML, opens offline)", html_bytes, file_name=f"{name}.html",
                       mime="text/html", key="board_pack_html", on_click="ignore", icon=":material/download:")
