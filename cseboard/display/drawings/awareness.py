"""Prevention and awareness: people reached by setting against plan, each quarter by audience, and by area beside the
area's referral rate."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cseboard.contract import AUDIENCES
from cseboard.display.charts import (BENCHMARK_COLOUR, BLUE, GREEN, GREY, ORANGE, PURPLE, RATE_VERDICT_COLOURS,
                                     hover_html, markup_free, markup_free_all, style)
from cseboard.questions import awareness as aw
from cseboard.questions import rates
from cseboard.questions.section import Chart

AUDIENCE_COLOURS = dict(zip(AUDIENCES, (BLUE, ORANGE, GREEN, PURPLE)))


def against_plan(chart: Chart) -> go.Figure:
    """A bar of people reached per setting, grouped by audience, with a diamond at the planned reach."""
    table = chart.data
    rows = table.numeric[(table.numeric[aw.SETTING] != aw.ALL_SETTINGS)]
    labels = markup_free_all(f"{setting} ({audience.lower()})" for setting, audience in zip(rows[aw.SETTING],
                                                                                            rows[aw.AUDIENCE]))
    shown = table.display()
    figure = go.Figure()
    for audience in AUDIENCES:
        mine = rows.index[rows[aw.AUDIENCE] == audience]
        if not len(mine):
            continue
        names = [labels[rows.index.get_loc(i)] for i in mine]
        figure.add_trace(go.Bar(
            y=names, x=rows.loc[mine, aw.REACHED], orientation="h", name=markup_free(audience),
            marker_color=AUDIENCE_COLOURS[audience],
            customdata=[hover_html((name, f"{reached} people reached in {sessions} sessions",
                                    f"Planned: {planned or 'no plan given'}"))
                        for name, reached, sessions, planned in zip(
                            names, shown.loc[mine, aw.REACHED], shown.loc[mine, aw.SESSIONS], shown.loc[mine, aw.PLANNED])],
            hovertemplate="%{customdata}<extra></extra>"))
    planned = rows[rows[aw.PLANNED].notna()]
    figure.add_trace(go.Scatter(
        y=[labels[rows.index.get_loc(i)] for i in planned.index], x=planned[aw.PLANNED], mode="markers",
        name="Planned reach", marker={"symbol": "diamond", "size": 10, "color": BENCHMARK_COLOUR}, hoverinfo="skip"))
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)))
    figure.update_xaxes(rangemode="nonnegative")
    style(figure, chart.title, "People reached", None, height=max(380, 30 * len(rows) + 160))
    figure.update_layout(legend={"yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0})  # the title needs the top
    return figure


def by_quarter(chart: Chart) -> go.Figure:
    """People reached each quarter, a panel per audience on its own scale (schools reach far more people than the
    rest, which would lie flat on one scale)."""
    table = chart.data
    figure = make_subplots(rows=2, cols=2, subplot_titles=markup_free_all(AUDIENCES), vertical_spacing=0.18,
                           horizontal_spacing=0.08)
    for index, audience in enumerate(AUDIENCES):
        line = table.numeric[table.numeric[aw.AUDIENCE] == audience]
        figure.add_trace(go.Scatter(
            x=line[aw.QUARTER], y=line[aw.REACHED], mode="lines+markers", name=markup_free(audience), showlegend=False,
            line={"color": AUDIENCE_COLOURS[audience]}, customdata=table.hover_text(aw.REACHED)[line.index],
            hovertemplate=f"{markup_free(audience)}, %{{x}}: %{{customdata}} people reached<extra></extra>"),
            row=index // 2 + 1, col=index % 2 + 1)
    figure.update_xaxes(type="category")
    style(figure, chart.title, height=520)
    figure.update_yaxes(rangemode="tozero", gridcolor="#EEEEEE", showgrid=True)
    figure.update_yaxes(title_text="People reached", col=1)
    return figure


def areas(chart: Chart) -> go.Figure:
    """Each area's referral rate (across) against the children and young people its awareness work reached per 10,000
    children (up), coloured by how its referral rate compares with the partnership's."""
    table, overall, partnership = chart.data, chart.options["overall"], chart.options["partnership_rate"]
    points = table.numeric[table.numeric[aw.CYP_PER].notna() & table.numeric[rates.RATE].notna()]
    shown = table.display(decimals=0)
    figure = go.Figure()
    for verdict, colour in RATE_VERDICT_COLOURS.items():
        group = points[points[rates.COMPARED] == verdict]
        figure.add_trace(go.Scatter(
            x=group[rates.RATE], y=group[aw.CYP_PER], mode="markers+text", text=markup_free_all(group[aw.AREA]),
            textposition="top center", name=f"Referral rate {verdict}", marker={"color": colour, "size": 11},
            customdata=[hover_html((area, f"{rate} referrals per 10,000 children ({verdict})",
                                    f"{reached} children and young people reached ({per} per 10,000 children)"))
                        for area, rate, reached, per in zip(group[aw.AREA], shown.loc[group.index, rates.RATE],
                                                            shown.loc[group.index, aw.CYP_REACHED],
                                                            shown.loc[group.index, aw.CYP_PER])],
            hovertemplate="%{customdata}<extra></extra>", showlegend=len(group) > 0))
    if overall == overall:
        figure.add_hline(y=overall, line={"color": GREY, "dash": "dot", "width": 1.5},
                         annotation_text=f"Areas shown {overall:,.0f}", annotation_position="top left")
    if partnership == partnership:
        figure.add_vline(x=partnership, line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                         annotation_text=f"Partnership {partnership:.1f}", annotation_position="bottom right")
    figure.update_xaxes(rangemode="tozero")
    figure.update_yaxes(rangemode="tozero")
    return style(figure, chart.title, "Referrals per 10,000 children", "Children and young people reached per 10,000 "
                 "children", height=480)
