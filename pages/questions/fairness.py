"""Who is not being identified: groups referred less often than their share of the child population, looked-after
children among those referred, and re-referrals by gender."""
from cseboard.display import render, ui
from cseboard.questions import fairness

filters = ui.page_header(
    "Who is not being identified",
    "Each group's share of the children referred against its share of the child population, by gender, ethnicity "
    "and age band; the share of children referred who are looked after; and re-referrals within 12 months by gender.",
)
if filters is not None and not fairness.has_children(ui.query, filters):
    ui.no_data()
elif filters is not None:
    render.section(fairness.section(ui.query, filters, ui.policy()))
