"""Linked crimes and vulnerabilities: how often each is recorded on CSE referrals, for whom, and which go together."""
import streamlit as st

from cseboard.display import answers, render, ui
from cseboard.questions import linked

filters = ui.page_header(
    "Linked crimes and vulnerabilities",
    "What else is recorded on CSE referrals: the crimes linked to the exploitation and what makes the child more "
    "vulnerable (DfE 2017 guidance), how often, for boys and girls, at what ages, and which are recorded together.",
)
if filters is not None and not answers.worked_out(linked.has_referrals, filters):
    ui.no_data()
elif filters is not None:
    choice = st.segmented_control("Show", list(linked.KINDS), default="Linked crimes", key="crimes_kind",
                                  bind="query-params") or "Linked crimes"
    kind = linked.KINDS[choice]
    before_choice = st.container()
    order = answers.worked_out(linked.items_by_frequency, filters, kind)
    chosen = st.multiselect(f"Which {choice.lower()} to show", order, default=order[:3], key=f"crimes_trend_{kind}",
                            bind="query-params")
    render.section(answers.answer(linked.section, filters, ui.policy(), kind, chosen), before_choice, st.container())
