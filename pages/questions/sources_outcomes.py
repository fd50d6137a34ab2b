"""Referral sources and outcomes: who refers, what happens next, and which agencies refer few boys or few children."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from cseboard.display import charts, ui

from cseboard.questions import sources
from cseboard.config import settings
from cseboard.contract import OUTCOMES
from cseboard.questions.sources import (BOYS, BOYS_SHARE, LOWER, OUTCOME, QUARTER, REFERRALS, RISK, SHARE, SOURCE, UPPER,
                              VERDICT)

OUTCOME_COLOURS = dict(zip(OUTCOMES, [charts.GREY, charts.SKY, charts.GREEN, charts.ORANGE, charts.PURPLE,
                                      charts.YELLOW, "#BBBBBB"]))
SOURCE_COLOUR = charts.GREEN


def outcome_shares_figure(view, row_label: str, base: str, title: str) -> go.Figure:
    """100%-stacked bars of outcomes per row (source or risk level), with counts in the hover."""
    hover = {f"{column} shown": view.hover_text(column) for column in (REFERRALS, base, SHARE)}
    shown = view.numeric.assign(**hover)[view.numeric[row_label].isin(sources.rows_with_shares(view, row_label))]
    # A withheld share is drawn with no width: plotly.js mis-stacks a bar that holds a missing value.
    shown[SHARE] = shown[SHARE].fillna(0)
    figure = px.bar(shown, x=SHARE, y=row_label, color=OUTCOME, orientation="h", barmode="stack",
                    color_discrete_map=OUTCOME_COLOURS, category_orders={OUTCOME: list(OUTCOMES)},
                    custom_data=[*hover, OUTCOME])
    figure.update_traces(hovertemplate="%{y}: %{customdata[3]}<br>%{customdata[0]} of %{customdata[1]} "
                                       "referrals (%{customdata[2]}%)<extra></extra>")
    figure.update_yaxes(autorange="reversed", title_text=None)
    figure.update_xaxes(range=[0, 100], ticksuffix="%")
    charts.style(figure, title, "Share of referrals (%)", None, height=150 + 34 * shown[row_label].nunique())
    # Seven outcomes take two rows of legend: keep them clear of the title.
    return figure.update_layout(margin={"t": 105}, title={"y": 0.98, "yanchor": "top", "yref": "container"})


def outcome_chart(view, row_label: str, base: str, title: str, what: str, key: str) -> None:
    """The outcome shares of a view, or a note when every row is too small to show them."""
    if not sources.rows_with_shares(view, row_label):
        ui.too_small(what)
    else:
        st.plotly_chart(outcome_shares_figure(view, row_label, base, title), width="stretch", key=key)


def who_refers_chart(view, by_source: pd.DataFrame) -> None:
    """Referrals in the period by source, largest at the top."""
    figure = go.Figure(go.Bar(
        x=by_source[REFERRALS], y=by_source[SOURCE], orientation="h", marker_color=SOURCE_COLOUR,
        customdata=list(zip(view.hover_text(REFERRALS)[by_source.index],
                            view.hover_text(SHARE)[by_source.index])),
        hovertemplate="%{y}: %{customdata[0]} referrals (%{customdata[1]}% of all)<extra></extra>"))
    st.plotly_chart(charts.style(figure, sources.who_refers_title(view.numeric),
                                 "Referrals in the period", None, height=120 + 30 * len(by_source)),
                    width="stretch", key="sources_who_refers_chart")


filters = ui.page_header(
    "Referral sources and outcomes",
    "Who refers children for CSE, what happens after a referral, and which agencies refer few boys or few "
    "children.",
)
if filters is not None:
    counts = ui.query("sources_referral_counts", filters)
    if counts.empty:
        ui.no_data()
    else:
        benchmark = settings().boys_benchmark
        views = sources.source_views(counts, sources.sources_in_scope(filters.sources, counts["referral_source"]),
                                     filters.quarters(), benchmark, ui.policy())

        st.subheader("Who refers")
        by_source = views.by_source.numeric.sort_values(REFERRALS, ascending=True, na_position="first")
        if charts.nothing_to_draw(views.by_source, [REFERRALS]):
            ui.too_small("Referrals by source")
        else:
            who_refers_chart(views.by_source, by_source)
        ui.data_table(views.by_source, key="sources_who_refers", file_name="referrals_by_source")

        quarters = filters.quarters()
        trend = views.trend.numeric.assign(hover=views.trend.hover_text(REFERRALS))
        blank = sources.withheld_every_quarter(views.trend)
        referred = views.by_source.numeric.loc[views.by_source.numeric[REFERRALS] != 0, SOURCE]
        trend = trend[trend[SOURCE].isin(referred) & ~trend[SOURCE].isin(blank)]
        if trend.empty:
            ui.too_small("Referrals by source each quarter")
        else:
            figure = px.line(trend, x=QUARTER, y=REFERRALS, facet_col=SOURCE, facet_col_wrap=4, markers=True,
                             custom_data=["hover"], category_orders={QUARTER: quarters},
                             facet_row_spacing=0.12, facet_col_spacing=0.04)
            figure.update_traces(line_color=SOURCE_COLOUR,
                                 hovertemplate="%{x}: %{customdata[0]} referrals<extra></extra>")
            figure.for_each_annotation(lambda note: note.update(text=note.text.split("=", 1)[-1]))
            figure.update_xaxes(title_text=None, showticklabels=False)
            figure.update_yaxes(title_text=None, rangemode="tozero")
            rows = -(-trend[SOURCE].nunique() // 4)
            st.plotly_chart(charts.style(figure, sources.trend_title(views.trend.numeric, quarters), None, None,
                                         height=140 + 170 * rows),
                            width="stretch", key="sources_trend_chart")
            st.caption(f"Referrals per quarter, {quarters[0]} (left) to {quarters[-1]} (right), on the same scale. "
                       "A gap is a quarter withheld (c)."
                       + (f" Not shown, as every quarter is withheld: {', '.join(blank)}." if blank else ""))
        ui.data_table(views.trend, key="sources_trend", file_name="referrals_by_source_and_quarter")

        st.subheader("What happens next")
        outcome_chart(views.outcomes_by_source, SOURCE, sources.FROM_SOURCE,
                      sources.no_further_action_title(views.outcomes_by_source.numeric),
                      "Outcome of referrals by source", "sources_outcome_by_source_chart")
        hidden = sources.too_few_for_outcomes(views.outcomes_by_source, SOURCE, sources.FROM_SOURCE)
        st.caption("A bar that stops short of 100% has outcomes withheld (c); hover over a bar for the count."
                   + (f" Too few referrals to show what happened next: {', '.join(hidden)}." if hidden else ""))
        ui.data_table(views.outcomes_by_source, key="sources_outcome_by_source", file_name="outcome_by_source")
        outcome_chart(views.outcomes_by_risk, RISK, sources.AT_RISK_LEVEL,
                      sources.high_risk_title(views.outcomes_by_risk.numeric),
                      "Outcome of referrals by risk level", "sources_outcome_by_risk_chart")
        st.caption("Risk level is the outcome of the local CSE screening tool.")
        ui.data_table(views.outcomes_by_risk, key="sources_outcome_by_risk", file_name="outcome_by_risk_level")

        st.subheader("Which agencies refer few boys")
        if filters.genders:
            st.info("The share of boys needs referrals of every gender: clear the gender filter in the sidebar to see it.")
        else:
            overall = views.boys.numeric[SOURCE] == sources.ALL_SOURCES
            boys = pd.concat([views.boys.numeric[overall],  # all sources first, then each source, most boys first
                              views.boys.numeric[~overall].sort_values(BOYS_SHARE, ascending=False, na_position="last")])
            everyone = (boys[SOURCE] == sources.ALL_SOURCES).tolist()
            figure = go.Figure(go.Scatter(
                x=boys[BOYS_SHARE], y=boys[SOURCE], mode="markers",
                marker={"color": charts.GENDER_COLOURS["Male"], "size": [14 if e else 10 for e in everyone],
                        "symbol": ["diamond" if e else "circle" for e in everyone]},
                error_x={"type": "data", "symmetric": False, "array": boys[UPPER] - boys[BOYS_SHARE],
                         "arrayminus": boys[BOYS_SHARE] - boys[LOWER], "color": charts.GENDER_COLOURS["Male"]},
                customdata=list(zip(*(views.boys.hover_text(column)[boys.index]
                                      for column in (BOYS, REFERRALS, BOYS_SHARE, LOWER, UPPER)), boys[VERDICT])),
                hovertemplate="%{y}: %{customdata[0]} of %{customdata[1]} referrals were of boys (%{customdata[2]}%;"
                              " 95% CI %{customdata[3]}% to %{customdata[4]}%)<br>%{customdata[5]}<extra></extra>"))
            figure.add_vline(x=100 * benchmark, line={"color": charts.BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                             annotation_text=f"Benchmark {benchmark:.0%}", annotation_position="top")
            figure.update_xaxes(range=[0, 100], ticksuffix="%")
            figure.update_yaxes(autorange="reversed")
            st.plotly_chart(charts.style(figure, sources.boys_title(views.boys.numeric, benchmark),
                                         "Boys as a share of the source's referrals (%), with 95% confidence interval",
                                         None, height=140 + 30 * len(boys)),
                            width="stretch", key="sources_boys_chart")
            st.caption(f"The benchmark is {benchmark:.0%}: about one in three children supported by CSE services "
                       "are boys (Barnardo's, 2014), so a source well below it may be missing boys at risk. A line "
                       "that does not reach the benchmark means the difference is unlikely to be chance. "
                       "Sources withheld (c) have no dot.")
            ui.data_table(views.boys, key="sources_boys", file_name="boys_by_source")

        st.subheader("Which agencies refer few children")
        fewest = sources.fewest_referrals(views.by_source)
        if not fewest.empty:
            listed = ", ".join(f"{row[SOURCE]} ({row[REFERRALS]})" for _, row in fewest.iterrows())
            st.markdown(f"**Fewest referrals in the period:** {listed}.")
        st.caption("A source that rarely refers may not be recognising CSE: consider whether it needs training "
                   "(see Training coverage) or a clearer route to refer.")
