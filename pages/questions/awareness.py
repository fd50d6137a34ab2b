"""Prevention and awareness: whom the partnership's education reached, where, against its plan, beside referral rates."""
from cseboard.display import answers, render, ui
from cseboard.questions import awareness

filters = ui.page_header(
    "Prevention and awareness",
    "Whom did the partnership's prevention and awareness work reach, in which settings, against its plan, each "
    "quarter, and by area beside the area's referral rate?",
)
if filters is not None:
    render.section(answers.answer(awareness.section, filters, ui.policy()))
