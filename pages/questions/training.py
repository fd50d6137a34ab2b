"""Training coverage: the share of each agency's staff trained in CSE, by level, against the partnership's target."""
import plotly.express as px
import streamlit as st

from cseboard.display import charts, ui

from cseboard.methods import disclosure

from cseboard.questions import training
from cseboard.config import settings
from cseboard.contract import TRAINING_LEVELS
from cseboard.questions.training import AGENCY, ALL_AGENCIES, ALL_LEVELS, COVERAGE, IN_SCOPE, LEVEL, PERIOD, TRAINED

LEVEL_COLOURS = dict(zip([*TRAINING_LEVELS, ALL_LEVELS], [charts.SKY, charts.ORANGE, charts.PURPLE, charts.GREEN]))
HOVER = ("%{customdata[0]} · %{customdata[1]} · %{customdata[2]}: %{customdata[3]} of %{customdata[4]} staff trained "
         "(%{customdata[5]}%)<extra></extra>")


def with_hover(coverage: disclosure.ProtectedTable, rows):
    """The chosen rows with their counts as shown (c where withheld), for the hover labels."""
    hover = {f"{column} shown": coverage.hover_text(column) for column in (TRAINED, IN_SCOPE, COVERAGE)}
    return coverage.numeric.assign(**hover)[rows], [PERIOD, AGENCY, LEVEL, *hover]


filters = ui.page_header(
    "Training coverage",
    "How much of each agency's workforce has been trained to recognise and respond to CSE, by level of training, "
    "against the partnership's target.",
)
if filters is not None:
    st.info("Training figures are for whole agencies: the area, age band, gender and referral source filters do not "
            "apply on this page. The period filter does.", icon=":material/info:")
    target = st.columns([1, 3])[0].number_input(
        "Target: share of staff in scope trained (%)", min_value=0, max_value=100, step=5,
        value=round(100 * settings().training_target), key="training_target") / 100
    coverage = training.protect_coverage(ui.query("training_coverage", filters), ui.policy())
    period = training.latest_period(coverage.numeric)
    if period is None:
        st.info("There are no training figures for the period chosen. Widen the period in the sidebar, or load an "
                "extract that has a training table.")
    else:
        gaps = training.gap_table(coverage, period, target)
        if period != filters.last_quarter:
            st.warning(f"There are no training figures for {filters.last_quarter}; the latest in the period, "
                       f"{period}, are shown.")

        st.subheader(f"Coverage in {period}")
        numbers = coverage.numeric
        shown, hover = with_hover(coverage, (numbers[PERIOD] == period) & (numbers[AGENCY] != ALL_AGENCIES)
                                  & (numbers[LEVEL] != ALL_LEVELS))
        figure = px.bar(shown, x=COVERAGE, y=AGENCY, color=LEVEL, barmode="group", orientation="h",
                        color_discrete_map=LEVEL_COLOURS, custom_data=hover,
                        category_orders={LEVEL: list(reversed(TRAINING_LEVELS)), AGENCY: gaps.numeric[AGENCY].tolist()})
        figure.update_traces(hovertemplate=HOVER)
        figure.add_vline(x=100 * target, line={"color": charts.BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                         annotation_text=f"Target {target:.0%}", annotation_position="top left")
        figure.update_xaxes(range=[0, 100], ticksuffix="%")
        figure.update_yaxes(title_text=None)
        figure.update_layout(legend_traceorder="reversed")  # levels read top to bottom, in the bars and the legend
        st.plotly_chart(charts.style(figure, training.coverage_title(gaps.numeric, period, target),
                                     "Staff in scope who are trained (%)", None,
                                     height=140 + 75 * shown[AGENCY].nunique()),
                        width="stretch", key="training_by_agency_level_chart")
        st.caption("Agencies are ordered from furthest below the target to furthest above it. Staff counts are shown as "
                   "reported: they are not counts of children.")
        ui.data_table(coverage, key="training_by_agency_level", file_name="training_coverage")

        st.subheader("Trend")
        by = st.radio("Show a line for each", [AGENCY, LEVEL], horizontal=True, key="training_trend_by",
                      format_func=lambda choice: choice.lower())
        other, everyone = (LEVEL, ALL_LEVELS) if by == AGENCY else (AGENCY, ALL_AGENCIES)
        shown, hover = with_hover(coverage, numbers[other] == everyone)
        figure = px.line(shown, x=PERIOD, y=COVERAGE, facet_col=by, facet_col_wrap=4, markers=True, custom_data=hover,
                         category_orders={PERIOD: filters.quarters(), LEVEL: [*TRAINING_LEVELS, ALL_LEVELS]},
                         facet_row_spacing=0.14, facet_col_spacing=0.04)
        figure.update_traces(line_color=charts.GREEN, hovertemplate=HOVER)
        figure.add_hline(y=100 * target, line={"color": charts.BENCHMARK_COLOUR, "dash": "dash", "width": 1.5})
        figure.for_each_annotation(lambda note: note.update(text=note.text.split("=", 1)[-1]))
        figure.update_xaxes(title_text=None, showticklabels=False)
        figure.update_yaxes(title_text=None, range=[0, 100], ticksuffix="%")
        rows = -(-shown[by].nunique() // 4)
        st.plotly_chart(charts.style(figure, training.trend_title(numbers), None, None, height=140 + 190 * rows),
                        width="stretch", key="training_trend_chart")
        periods = sorted(shown[PERIOD].unique())
        st.caption(f"Share of staff trained each quarter, {periods[0]} (left) to {periods[-1]} (right); the dashed "
                   f"line is the {target:.0%} target.")

        st.subheader("Agencies furthest from the target")
        st.markdown(f"**{training.gap_title(gaps.numeric, target)}.** All levels of training together, {period}. "
                    "A negative figure is how far below the target an agency is.")
        st.dataframe(ui.sortable(gaps), hide_index=True, width="stretch", height="content", key="training_gap_table")
        st.download_button("Download CSV", data=disclosure.safe_csv(gaps.display()),
                           file_name=f"training_gap_to_target_{period}.csv", mime="text/csv",
                           key="training_gap_download")
