"""Home: this quarter's headline figures against the previous quarter and the same quarter a year before."""
from cseboard.display import render, ui
from cseboard.questions import board, headline

filters = ui.page_header(
    "Child sexual exploitation: this quarter",
    "Headline figures for the latest quarter in the period chosen, against the quarter before and the same "
    "quarter a year before; the small lines show the period chosen. The pages on the left take each question "
    "in depth.",
)
if filters is not None and not headline.has_referrals(ui.query, filters):
    ui.no_data()
elif filters is not None:
    render.section(board.findings_section(ui.query, filters, ui.policy()))
    render.section(headline.section(ui.query, filters, ui.policy()))
