"""Training coverage: the share of each agency's staff trained in CSE, by level, against the partnership's target."""
import streamlit as st

from cseboard.config import settings
from cseboard.display import answers, render, ui
from cseboard.questions import training

filters = ui.page_header(
    "Training coverage",
    "How much of each agency's workforce has been trained to recognise and respond to CSE, by level of training, "
    "against the partnership's target.",
)
if filters is not None:
    before_target = st.container()
    target = st.columns([1, 3])[0].number_input(
        "Target: share of staff in scope trained (%)", min_value=0, max_value=100, step=5,
        value=round(100 * settings().training_target), key="training_target", bind="query-params") / 100
    before_trend_by, trend_by = st.container(), None
    if answers.worked_out(training.has_figures, filters, ui.policy()):
        trend_by = st.radio("Show a line for each", [training.AGENCY, training.LEVEL], horizontal=True,
                            key="training_trend_by", bind="query-params", format_func=lambda choice: choice.lower())
    answered = answers.answer(training.section, filters, ui.policy(), target, trend_by)
    render.section(answered, before_target, before_trend_by, st.container())
