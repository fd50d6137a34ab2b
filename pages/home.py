"""Home: this quarter's headline figures against the previous quarter and the same quarter a year before."""
import streamlit as st

from cseboard import disclosure, ui
from cseboard.headline import compare_quarters, metric_cards

filters = ui.page_header(
    "Child sexual exploitation: this quarter",
    "Headline figures for the latest quarter in the period chosen, against the quarter before and the same "
    "quarter a year before. The pages on the left take each question in depth.",
)
if filters is not None:
    by_quarter = ui.query("headline_by_quarter", filters.year_to_last())
    if by_quarter.empty:
        ui.no_data()
    else:
        figures = compare_quarters(by_quarter, filters.last_quarter)
        protected = disclosure.protect(figures, counts=["count", "base"], rates={"percent": ("count", "base")},
                                       groups=["measure", "comparison"], policy=ui.policy())
        st.subheader(filters.last_quarter)
        columns = st.columns(3)
        for index, card in enumerate(metric_cards(protected)):
            with columns[index % 3]:
                st.metric(card["label"], card["value"], delta=card["delta"], delta_color="off",
                          help=card["help"], border=True)
                st.caption(f"Same quarter a year before, {card['year_ago']}")
        ui.data_table(protected, key="home_headline", file_name=f"headline_{filters.last_quarter}")
