"""Age and gender: are boys under-identified, and how referrals spread over age bands for boys and girls."""
import streamlit as st

from cseboard.config import settings
from cseboard.display import answers, render, ui
from cseboard.questions import identification

filters = ui.page_header(
    "Age and gender",
    "Are boys under-identified? The share of boys among children referred, against a benchmark, over time, "
    "by area and by referral source; and how referrals spread over age bands for boys and girls.",
)
if filters is not None and not answers.worked_out(identification.has_children, filters):
    ui.no_data()
elif filters is not None:
    benchmark = st.number_input(
        "Benchmark: the share of children referred we would expect to be boys (%)", min_value=1.0, max_value=99.0,
        value=100 * settings().boys_benchmark, step=1.0, format="%.0f", key="age_gender_benchmark", bind="query-params",
        help="Set it to your partnership's own expectation if you have one.") / 100
    before_breakdown = st.container()
    breakdown = st.radio("Compare the share of boys by", ["area", "referral_source"], horizontal=True,
                         format_func=identification.BREAKDOWN_LABELS.get, key="age_gender_funnel_by", bind="query-params")
    answered = answers.answer(identification.section, filters, ui.policy(), benchmark, breakdown)
    render.section(answered, before_breakdown, st.container())
