"""Missing episodes: how often children go missing, for how long, return interviews, and missing before a CSE referral."""
import textwrap

import plotly.graph_objects as go
import streamlit as st

from cseboard.display import charts, ui

from cseboard.questions import missing
from cseboard.display.charts import GENDER_GROUP_COLOURS, bar_heights
from cseboard.contract import BOYS, OTHERS
from cseboard.questions.missing import (ACCEPTED, ALL_CHILDREN, CHILDREN, DURATION_BANDS, EPISODES, GROUP, INTERVIEW_OUTCOMES,
                              MISSING_BEFORE, QUARTER, REFERRED, SHARE, TOTAL, WHOLE_PERIOD, WITHIN_72_HOURS)

INTERVIEW_COLOURS = dict(zip(INTERVIEW_OUTCOMES, [charts.GREEN, charts.SKY, charts.ORANGE, charts.GREY]))
LINE_STYLES = {BOYS: {"color": GENDER_GROUP_COLOURS[BOYS], "width": 3},
               OTHERS: {"color": GENDER_GROUP_COLOURS[OTHERS], "width": 3},
               ALL_CHILDREN: {"color": charts.BENCHMARK_COLOUR, "width": 1.5, "dash": "dot"}}


def define(*names: str) -> None:
    """The definitions behind a chart, one line each, right under it."""
    st.caption("  \n".join(f"**{name}**: {missing.DEFINITIONS[name]}" for name in names))


def bars(protected, category: str, values: str, colours, horizontal: bool = False, rows=None) -> go.Bar:
    """One bar per row (all, or those chosen); a withheld bar has no length and is labelled with the symbol."""
    rows = protected.numeric.index if rows is None else rows
    heights, labels = bar_heights(protected, values, rows)
    categories = protected.numeric.loc[rows, category]
    axis = {"y": categories, "x": heights} if horizontal else {"x": categories, "y": heights}
    return go.Bar(**axis, name=values, orientation="h" if horizontal else "v", marker_color=colours, text=labels,
                  textposition="outside", cliponaxis=False, customdata=protected.hover_text(values)[rows],
                  hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: %{{customdata}} {values.lower()}<extra></extra>")


def narrow(figure: go.Figure, characters: int = 52) -> go.Figure:
    """Wrap a finding title over lines so it fits a half-width chart."""
    title = "<br>".join(textwrap.wrap(figure.layout.title.text, characters))
    return figure.update_layout(title_text=title, margin_t=40 + 22 * title.count("<br>") + 22)


filters = ui.page_header(
    "Missing from home or care",
    "How often children go missing, for how long, whether return interviews happen in time, and how many children "
    "referred for CSE went missing shortly before.",
)
if filters is not None:
    policy = ui.policy()
    referred_only = st.toggle("Only children with a CSE referral matching the filters", key="missing_referred_only")
    if referred_only:
        st.caption("Showing only children with a CSE referral in the period that matches the area, source, age and "
                   "gender filters.")
    else:
        st.caption("Showing **every child who went missing** in the period, with or without a CSE referral: the area, "
                   "source, age and gender filters describe referrals, so they cannot apply to children with none. "
                   "Switch on the toggle to apply them through each child's referrals.")

    episodes = ui.query("missing_episodes_by_quarter", filters, referred_only=referred_only)
    if episodes.empty:
        st.info("No missing episodes started in the period for the children chosen. Widen the period, clear a filter, "
                "or switch off the toggle.")
    else:
        quarters = filters.quarters()
        interviews = missing.interviews(episodes, quarters, policy)
        timely = missing.timeliness(interviews)
        children = missing.children_by_quarter(
            ui.query("missing_children_by_quarter", filters, referred_only=referred_only), quarters, policy)
        repeat = missing.repeat_missing(ui.query("missing_repeat", filters, referred_only=referred_only), policy)
        durations = missing.durations(episodes, policy)

        st.subheader("In the period")
        for column, (label, value) in zip(st.columns(4), missing.headline(children, repeat, timely)):
            column.metric(label, value, border=True, help=missing.CARD_HELP[label])

        per_quarter = children.numeric.index[children.numeric[QUARTER] != WHOLE_PERIOD]
        figure = go.Figure([bars(children, QUARTER, EPISODES, charts.ORANGE, rows=per_quarter),
                            bars(children, QUARTER, CHILDREN, charts.GREEN, rows=per_quarter)])
        st.plotly_chart(charts.style(figure, missing.children_title(children, filters.last_quarter), "Quarter started",
                                     "Episodes or children"), key="missing_children_chart")
        define("Missing episode", "Children who went missing")
        ui.data_table(children, key="missing_children", file_name="missing_children_by_quarter")

        left, right = st.columns(2)
        with left:
            figure = go.Figure(bars(repeat, "Times missing in the period", CHILDREN,
                                    [charts.GREY, charts.GREY, charts.PURPLE], horizontal=True))
            figure.update_yaxes(autorange="reversed")
            st.plotly_chart(narrow(charts.style(figure, missing.repeat_title(repeat), "Children", None, height=320)),
                            key="missing_repeat_chart")
            define("Repeat missing")
            ui.data_table(repeat, key="missing_repeat", file_name="missing_repeat")
        with right:
            still_missing = [charts.ORANGE if band == DURATION_BANDS[-1] else charts.SKY for band in DURATION_BANDS]
            figure = go.Figure(bars(durations, "Time missing", EPISODES, still_missing, horizontal=True))
            figure.update_yaxes(autorange="reversed")
            st.plotly_chart(narrow(charts.style(figure, missing.durations_title(durations), "Episodes", None,
                                                height=320)),
                            key="missing_durations_chart")
            define("Time missing")
            ui.data_table(durations, key="missing_durations", file_name="missing_durations")

        st.subheader("Return interviews")
        left, right = st.columns(2)
        in_quarters = interviews.numeric[QUARTER] != TOTAL
        with left:
            figure = go.Figure([
                go.Bar(x=interviews.numeric.loc[in_quarters, QUARTER], y=interviews.numeric.loc[in_quarters, outcome],
                       name=outcome, marker_color=INTERVIEW_COLOURS[outcome],
                       customdata=interviews.hover_text(outcome)[in_quarters],
                       hovertemplate=f"%{{x}}, {outcome.lower()}: %{{customdata}} episodes<extra></extra>")
                for outcome in INTERVIEW_OUTCOMES])
            charts.style(figure, "Return interviews after each episode, by quarter", "Quarter started", "Episodes",
                         height=480)
            figure.update_layout(barmode="stack", margin_b=110, legend={
                "orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left", "traceorder": "normal"})
            st.plotly_chart(figure, key="missing_interviews_chart")
            st.caption("A gap in a bar is a figure withheld (c); hover over a bar for the figures.")
            define("Return interview")
            ui.data_table(interviews, key="missing_interviews", file_name="missing_return_interviews")
        with right:
            over_time = timely.numeric[timely.numeric[QUARTER] != TOTAL]
            hover = timely.hover_text(SHARE)[over_time.index]
            accepted = timely.hover_text(ACCEPTED)[over_time.index]
            figure = go.Figure(go.Scatter(
                x=over_time[QUARTER], y=over_time[SHARE], mode="lines+markers", name=WITHIN_72_HOURS,
                line={"color": charts.GREEN, "width": 3}, customdata=list(zip(hover, accepted)),
                hovertemplate="%{x}: %{customdata[0]}% of %{customdata[1]} accepted interviews<extra></extra>"))
            figure.update_yaxes(range=[0, 105], ticksuffix="%")
            st.plotly_chart(narrow(charts.style(figure, missing.timeliness_title(timely, filters.last_quarter),
                                                "Quarter started", "Held within 72 hours (%)", height=480)),
                            key="missing_timeliness_chart")
            define("Within 72 hours")
            ui.data_table(timely, key="missing_timeliness", file_name="missing_return_interviews_72_hours")

    st.subheader("Children referred for CSE who went missing shortly before")
    before = ui.query("missing_before_referral", filters, days_before=missing.DAYS_BEFORE_REFERRAL)
    if before.empty:
        ui.no_data()
    else:
        shares = missing.before_referral(before, filters.quarters(), policy)
        if charts.nothing_to_draw(shares, [SHARE]):
            ui.too_small(f"Children referred who had gone missing in the {missing.DAYS_BEFORE_REFERRAL} days before")
        else:
            figure = go.Figure()
            for group, style in LINE_STYLES.items():
                rows = shares.numeric[GROUP] == group
                hover = list(zip(shares.hover_text(SHARE)[rows], shares.hover_text(MISSING_BEFORE)[rows],
                                 shares.hover_text(REFERRED)[rows]))
                figure.add_trace(go.Scatter(
                    x=shares.numeric.loc[rows, QUARTER], y=shares.numeric.loc[rows, SHARE], mode="lines+markers",
                    name=group, line=style, customdata=hover,
                    hovertemplate=f"{group}, %{{x}}: %{{customdata[0]}}% (%{{customdata[1]}} of %{{customdata[2]}})"
                                  "<extra></extra>"))
            figure.update_yaxes(rangemode="tozero", ticksuffix="%")
            st.plotly_chart(charts.style(figure, missing.before_referral_title(shares, filters.last_quarter),
                                         "Quarter referred", "Children referred who went missing before (%)"),
                            key="missing_before_referral_chart")
            st.caption("These children match all the filters, whatever the toggle above. A gap is a share withheld "
                       "(c). Children of another or unknown gender are shown with girls: they are too few to show "
                       "apart.")
        define("Missing before referral")
        ui.data_table(shares, key="missing_before_referral", file_name="missing_before_referral")
