"""Missing episodes: how often children go missing, for how long, return interviews, and missing before a CSE referral."""
import streamlit as st

from cseboard.display import answers, render, ui
from cseboard.questions import missing

filters = ui.page_header(
    "Missing from home or care",
    "How often children go missing, for how long, whether return interviews happen in time, and how many children "
    "referred for CSE went missing shortly before.",
)
if filters is not None:
    referred_only = st.toggle("Only children with a CSE referral matching the filters", key="missing_referred_only",
                              bind="query-params")
    render.section(answers.answer(missing.section, filters, ui.policy(), referred_only))
