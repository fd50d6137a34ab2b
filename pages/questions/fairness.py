"""Who is not being identified: groups referred less often than their share of the child population, looked-after
children among those referred, and re-referrals by gender."""
from cseboard.display import answers, render, ui
from cseboard.questions import fairness

WHAT_IT_SHOWS = ("Each group's share of the children referred against its share of the child population, by gender, "
                 "ethnicity and age band; the share of children referred who are looked after; and re-referrals within "
                 "12 months by gender.")

filters = ui.page_header("Who is not being identified", WHAT_IT_SHOWS)
if filters is not None:
    if answers.worked_out(fairness.has_children, filters):
        render.section(answers.answer(fairness.section, filters, ui.policy()))
    else:
        ui.no_data()
