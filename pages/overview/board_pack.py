"""Board pack: the quarter's papers for the board (PDF and HTML), made from the same sections as these pages."""
from cseboard.display import pack_view, ui

filters = ui.page_header(
    "Board pack",
    "The pack for the last quarter of the period chosen in the sidebar, for the same filters: a title page, the "
    "findings for the board (as the home page opens with), one section per question with its charts and a short "
    "table, the data-quality caveats and the questions for the board. Figures are always protected in the pack, "
    "as it may be circulated or published. Making one is recorded in the audit trail.",
    action="board_pack",
)
if filters is not None:
    pack_view.maker(filters)
