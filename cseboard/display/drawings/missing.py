"""Missing from home or care: children and episodes by quarter, repeat missing, durations, return interviews and
their timeliness, and missing before a CSE referral."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from cseboard.contract import BOYS, OTHERS
from cseboard.display.charts import (BENCHMARK_COLOUR, BLUE, GENDER_GROUP_COLOURS, GREEN, GREY, ORANGE, PURPLE, SKY,
                                     bar_heights, style)
from cseboard.methods.disclosure import ProtectedTable
from cseboard.methods.words import percent
from cseboard.questions.missing import (ALL_CHILDREN, CHILDREN, DURATION_BANDS, EPISODES, GROUP,
                                        INTERVIEW_OUTCOMES, MISSING_BEFORE, QUARTER, REFERRED, SHARE, STEPS, TOTAL,
                                        WHOLE_PERIOD)
from cseboard.questions.section import Chart

INTERVIEW_COLOURS = dict(zip(INTERVIEW_OUTCOMES, [GREEN, SKY, ORANGE, GREY]))
LINE_STYLES = {BOYS: {"color": GENDER_GROUP_COLOURS[BOYS], "width": 3},
               OTHERS: {"color": GENDER_GROUP_COLOURS[OTHERS], "width": 3},
               ALL_CHILDREN: {"color": BENCHMARK_COLOUR, "width": 1.5, "dash": "dot"}}


def bars(protected: ProtectedTable, category: str, values: str, colours, horizontal: bool = False,
         rows=None) -> go.Bar:
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


def children(chart: Chart) -> go.Figure:
    """Episodes and children side by side for each quarter (the whole period is in the table only)."""
    table = chart.data
    per_quarter = table.numeric.index[table.numeric[QUARTER] != WHOLE_PERIOD]
    figure = go.Figure([bars(table, QUARTER, EPISODES, ORANGE, rows=per_quarter),
                        bars(table, QUARTER, CHILDREN, GREEN, rows=per_quarter)])
    return style(figure, chart.title, "Quarter started", "Episodes or children")


def repeat(chart: Chart) -> go.Figure:
    """Children by how many times they went missing, repeat missing in its own colour; half width."""
    figure = go.Figure(bars(chart.data, "Times missing in the period", CHILDREN, [GREY, GREY, PURPLE],
                            horizontal=True))
    figure.update_yaxes(autorange="reversed")
    return narrow(style(figure, chart.title, "Children", None, height=320))


def durations(chart: Chart) -> go.Figure:
    """Episodes by how long the child was missing, those still missing in their own colour; half width."""
    still_missing = [ORANGE if band == DURATION_BANDS[-1] else SKY for band in DURATION_BANDS]
    figure = go.Figure(bars(chart.data, "Time missing", EPISODES, still_missing, horizontal=True))
    figure.update_yaxes(autorange="reversed")
    return narrow(style(figure, chart.title, "Episodes", None, height=320))


def interviews(chart: Chart) -> go.Figure:
    """Episodes each quarter stacked by return interview outcome; a withheld figure is a gap in its bar."""
    table = chart.data
    in_quarters = table.numeric[QUARTER] != TOTAL
    figure = go.Figure([
        go.Bar(x=table.numeric.loc[in_quarters, QUARTER], y=table.numeric.loc[in_quarters, outcome],
               name=outcome, marker_color=INTERVIEW_COLOURS[outcome], customdata=table.hover_text(outcome)[in_quarters],
               hovertemplate=f"%{{x}}, {outcome.lower()}: %{{customdata}} episodes<extra></extra>")
        for outcome in INTERVIEW_OUTCOMES])
    style(figure, chart.title, "Quarter started", "Episodes", height=480)
    return figure.update_layout(barmode="stack", margin_b=110, legend={
        "orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left", "traceorder": "normal"})


def timeliness(chart: Chart) -> go.Figure:
    """The period's returns as steps: offered an interview, accepted it, held within 72 hours; half width."""
    table = chart.data
    total = table.numeric.index[table.numeric[QUARTER] == TOTAL]
    counts = [table.numeric.loc[total, step].iloc[0] for step in STEPS]
    shown = [table.hover_text(step)[total].iloc[0] for step in STEPS]
    returns = counts[0]
    shares = ["" if pd.isna(count) or not returns else f" ({percent(100 * min(count, returns) / returns)} of returns)"
              for count in counts]
    figure = go.Figure(go.Bar(
        x=[0 if pd.isna(count) else count for count in counts], y=list(STEPS), orientation="h",
        marker_color=[GREY, SKY, BLUE, GREEN], text=[f"{figure}{share}" for figure, share in zip(shown, shares)],
        textposition="auto", cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>"))
    figure.update_yaxes(autorange="reversed")
    return narrow(style(figure, chart.title, "Returns (episodes) in the period", None, height=480))


def before_referral(chart: Chart) -> go.Figure:
    """The share of children referred who went missing shortly before, a line for boys, other children and all."""
    shares = chart.data
    figure = go.Figure()
    for group, line in LINE_STYLES.items():
        rows = shares.numeric[GROUP] == group
        hover = list(zip(shares.hover_text(SHARE)[rows], shares.hover_text(MISSING_BEFORE)[rows],
                         shares.hover_text(REFERRED)[rows]))
        figure.add_trace(go.Scatter(
            x=shares.numeric.loc[rows, QUARTER], y=shares.numeric.loc[rows, SHARE], mode="lines+markers",
            name=group, line=line, customdata=hover,
            hovertemplate=f"{group}, %{{x}}: %{{customdata[0]}}% (%{{customdata[1]}} of %{{customdata[2]}})"
                          "<extra></extra>"))
    figure.update_yaxes(rangemode="tozero", ticksuffix="%")
    return style(figure, chart.title, "Quarter referred", "Children referred who went missing before (%)")
