"""Home: this quarter's headline figures against the previous quarter and the same quarter a year before."""
import streamlit as st

from cseboard.display import ui
from cseboard.questions.headline import headline_quarters, measures_by_quarter, metric_cards, protect_measures

filters = ui.page_header(
    "Child sexual exploitation: this quarter",
    "Headline figures for the latest quarter in the period chosen, against the quarter before and the same "
    "quarter a year before; the small lines show the period chosen. The pages on the left take each question "
    "in depth.",
)
if filters is not None:
    wanted = filters.with_period(*headline_quarters(filters.first_quarter, filters.last_quarter))
    by_quarter = ui.query("headline_by_quarter", wanted)
    if by_quarter.empty:
        ui.no_data()
    else:
        figures = measures_by_quarter(by_quarter, wanted.quarters())
        protected = protect_measures(figures, ui.policy())
        st.subheader(filters.last_quarter)
        columns = st.columns(3)
        for index, card in enumerate(metric_cards(protected, filters.last_quarter, filters.quarters())):
            with columns[index % 3]:
                st.metric(card["label"], card["value"], delta=card["delta"], delta_color="off",
                          help=card["help"], border=True, chart_data=card["trend"], chart_type="line")
                st.caption(f"Same quarter a year before, {card['year_ago']}")
        st.caption("Workforce training covers every agency and is not narrowed by the area, source, age band or "
                   "gender filters; the other figures are.")
        ui.data_table(protected, key="home_headline", file_name=f"headline_{filters.last_quarter}")
