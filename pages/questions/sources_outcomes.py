"""Referral sources and outcomes: who refers, what happens next, and which agencies refer few boys or few children."""
from cseboard.display import answers, render, ui
from cseboard.questions import sources

filters = ui.page_header(
    "Referral sources and outcomes",
    "Who refers children for CSE, what happens after a referral, and which agencies refer few boys or few "
    "children.",
)
if filters is not None and not answers.worked_out(sources.has_referrals, filters):
    ui.no_data()
elif filters is not None:
    render.section(answers.answer(sources.section, filters, ui.policy()))
