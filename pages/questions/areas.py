"""Areas: referrals per 10,000 children by area, against the partnership as a whole."""
from cseboard.display import answers, render, ui
from cseboard.questions import rates

filters = ui.page_header(
    "Areas",
    "Which areas make more or fewer referrals per 10,000 children living there than the partnership as a whole? "
    "Rates allow for the size of each area; a high rate can mean more exploitation or better identification.",
)
if filters is not None and not answers.worked_out(rates.has_referrals, filters):
    ui.no_data()
elif filters is not None:
    render.section(answers.answer(rates.section, filters, ui.policy()))
