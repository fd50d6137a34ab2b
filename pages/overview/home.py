"""Home: this quarter's headline figures against the previous quarter and the same quarter a year before."""
from cseboard.display import answers, render, ui
from cseboard.questions import board, headline, trends

filters = ui.page_header(
    "Child sexual exploitation: this quarter",
    "Headline figures for the latest quarter in the period chosen, against the quarter before and the same "
    "quarter a year before; the small lines show the period chosen. Below them, the same figures over three years "
    "as SPC charts, to tell signal from noise. The pages on the left take each question in depth.",
)
if filters is not None and not answers.worked_out(headline.has_referrals, filters):
    ui.no_data()
elif filters is not None:
    render.section(answers.answer(board.findings_section, filters, ui.policy()))
    render.section(answers.answer(trends.headline_with_signals, filters, ui.policy()))
    render.section(answers.answer(trends.section, filters, ui.policy()))
