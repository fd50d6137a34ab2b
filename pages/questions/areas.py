"""Areas: referrals per 10,000 children by area, against the partnership as a whole."""
import plotly.graph_objects as go
import streamlit as st

from cseboard.methods.disclosure import metric_text
from cseboard.display import charts, ui

from cseboard.questions import rates
from cseboard.methods.disclosure import safe_csv

filters = ui.page_header(
    "Areas",
    "Which areas refer more or fewer children per 10,000 living there than the partnership as a whole? "
    "Rates allow for the size of each area; a high rate can mean more exploitation or better identification.",
)
by_area = ui.query("areas_rates", filters) if filters is not None else None
if by_area is not None and not by_area[by_area.chosen].referrals.any():
    ui.no_data()
elif by_area is not None:
    policy = ui.policy()
    partnership = rates.partnership_rate(by_area, policy)
    areas = rates.area_rates(by_area, partnership, policy)
    centre = partnership.numeric.at[0, rates.RATE]
    st.caption(rates.population_note(filters))

    left, middle, right = st.columns(3)
    left.metric("Referrals in the partnership", metric_text(partnership, rates.REFERRALS), border=True)
    middle.metric("Children living in the partnership", f"{partnership.numeric.at[0, rates.POPULATION]:,.0f}",
                  border=True)
    right.metric("Referrals per 10,000 children", metric_text(partnership, rates.RATE), border=True,
                 help=f"95% CI {metric_text(partnership, rates.LOWER)} to "
                      f"{metric_text(partnership, rates.UPPER)} (Byar's method).")

    ordered = areas.numeric.assign(_hover=[charts.hover_html(lines) for lines in rates.hover(areas)], _note=rates.hidden_note(areas)).sort_values(
        rates.RATE, na_position="first")
    figure = go.Figure()
    for verdict, colour in charts.RATE_VERDICT_COLOURS.items():
        group = ordered[ordered[rates.COMPARED] == verdict]
        figure.add_trace(go.Scatter(
            x=group[rates.RATE], y=group[rates.AREA], mode="markers", name=verdict.capitalize(),
            marker={"color": colour, "size": 11},
            error_x={"type": "data", "symmetric": False, "array": group[rates.UPPER] - group[rates.RATE],
                     "arrayminus": group[rates.RATE] - group[rates.LOWER], "color": colour, "thickness": 1.5},
            customdata=group["_hover"], hovertemplate="%{customdata}<extra></extra>", showlegend=len(group) > 0))
    hidden = ordered[ordered["_note"] != ""]
    figure.add_trace(go.Scatter(x=[0] * len(hidden), y=hidden[rates.AREA], mode="text", text=hidden["_note"],
                                textposition="middle right", hoverinfo="skip", showlegend=False))
    if centre == centre:
        figure.add_vline(x=centre, line={"color": charts.BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                         annotation_text=f"Partnership {centre:.1f}", annotation_position="top")
    figure.update_yaxes(categoryorder="array", categoryarray=ordered[rates.AREA].tolist())
    figure.update_xaxes(rangemode="tozero")
    st.plotly_chart(charts.style(figure, rates.rates_title(areas, partnership), "Referrals per 10,000 children "
                                 "(95% confidence interval)", None, height=max(360, 34 * len(ordered) + 120)),
                    key="areas_rates_chart")

    if centre == centre:
        st.plotly_chart(charts.funnel_plot(
            areas.numeric, label=rates.AREA, size=rates.POPULATION, value=rates.RATE, position=rates.POSITION,
            hover=rates.hover(areas), limits=rates.rate_limits(centre), centre=centre,
            centre_label=f"Partnership {centre:.1f} per 10,000", title=rates.funnel_title(areas),
            x_title="Children living in the area", y_title="Referrals per 10,000 children"), key="areas_funnel_chart")
        st.caption("The limits show how far an area's rate could stray from the partnership's by chance alone "
                   "(exact Poisson limits, dashed 95%, dotted 99.8%); they narrow as areas get larger.")

    st.subheader("Every area")
    st.dataframe(rates.mark_no_population(ui.sortable(areas), areas), hide_index=True, width="stretch",
                 height="content", key="areas_table")
    st.download_button("Download CSV", data=safe_csv(rates.display(areas)), file_name="referrals_per_10000_by_area.csv",
                       mime="text/csv", key="areas_table_download")
