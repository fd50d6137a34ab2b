"""Referral sources and outcomes: referrals by source, by source each quarter, outcome shares, and the share of boys."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from cseboard.contract import OUTCOMES
from cseboard.display.charts import (BENCHMARK_COLOUR, GENDER_COLOURS, GREEN, GREY, ORANGE, PURPLE, SKY, YELLOW,
                                     markup_free, markup_free_all, style)
from cseboard.questions import sources
from cseboard.questions.section import Chart
from cseboard.questions.sources import (BOYS, BOYS_SHARE, LOWER, OUTCOME, QUARTER, REFERRALS, SHARE, SOURCE, UPPER,
                                        VERDICT)

OUTCOME_COLOURS = dict(zip(markup_free_all(OUTCOMES), [GREY, SKY, GREEN, ORANGE, PURPLE, YELLOW, "#BBBBBB"]))
SOURCE_COLOUR = GREEN
DRAWN = "Width drawn (%)"


def who_refers(chart: Chart) -> go.Figure:
    """Referrals in the period by source, largest at the top."""
    view = chart.data
    by_source = view.numeric.sort_values(REFERRALS, ascending=True, na_position="first")
    figure = go.Figure(go.Bar(
        x=by_source[REFERRALS], y=markup_free_all(by_source[SOURCE]), orientation="h", marker_color=SOURCE_COLOUR,
        customdata=list(zip(view.hover_text(REFERRALS)[by_source.index], view.hover_text(SHARE)[by_source.index])),
        hovertemplate="%{y}: %{customdata[0]} referrals (%{customdata[1]}% of all)<extra></extra>"))
    return style(figure, chart.title, "Referrals in the period", None, height=120 + 30 * len(by_source))


def trend(chart: Chart) -> go.Figure:
    """Small multiples: referrals each quarter, one panel per source shown, on the same scale."""
    view, quarters = chart.data, chart.options["quarters"]
    shown = view.numeric.assign(hover=view.hover_text(REFERRALS))
    shown = shown[shown[SOURCE].isin(chart.options["sources"])]
    shown[SOURCE] = markup_free_all(shown[SOURCE])
    figure = px.line(shown, x=QUARTER, y=REFERRALS, facet_col=SOURCE, facet_col_wrap=4, markers=True,
                     custom_data=["hover"], category_orders={QUARTER: quarters},
                     facet_row_spacing=0.12, facet_col_spacing=0.04)
    figure.update_traces(line_color=SOURCE_COLOUR, hovertemplate="%{x}: %{customdata[0]} referrals<extra></extra>")
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=", 1)[-1]))
    figure.update_xaxes(title_text=None, showticklabels=False)
    figure.update_yaxes(title_text=None, rangemode="tozero")
    rows = -(-shown[SOURCE].nunique() // 4)
    return style(figure, chart.title, None, None, height=140 + 170 * rows)


def outcome_shares(chart: Chart) -> go.Figure:
    """100%-stacked bars of outcomes per row (source or risk level), with counts in the hover."""
    view, row_label, base = chart.data, chart.options["row_label"], chart.options["base"]
    hover = {f"{column} shown": view.hover_text(column) for column in (REFERRALS, base, SHARE)}
    shown = view.numeric.assign(**hover)[view.numeric[row_label].isin(sources.rows_with_shares(view, row_label))]
    shown[DRAWN] = drawn_widths(shown, row_label)
    shown[row_label], shown[OUTCOME] = markup_free_all(shown[row_label]), markup_free_all(shown[OUTCOME])
    figure = px.bar(shown, x=DRAWN, y=row_label, color=OUTCOME, orientation="h", barmode="stack",
                    color_discrete_map=OUTCOME_COLOURS, category_orders={OUTCOME: list(OUTCOME_COLOURS)},
                    custom_data=[*hover, OUTCOME])
    figure.update_traces(hovertemplate="%{y}: %{customdata[3]}<br>%{customdata[0]} of %{customdata[1]} "
                                       "referrals (%{customdata[2]}%)<extra></extra>")
    _withheld_segment(figure, shown, row_label, view.policy.symbol)
    figure.update_yaxes(autorange="reversed", title_text=None)
    figure.update_xaxes(range=[0, 100], tick0=0, dtick=20, ticksuffix="%")
    style(figure, chart.title, "Share of referrals (%)", None, height=150 + 34 * shown[row_label].nunique())
    # Seven outcomes take two rows of legend: keep them clear of the title; room on the right for the 100% tick.
    return figure.update_layout(margin={"t": 105, "r": 30}, title={"y": 0.98, "yanchor": "top", "yref": "container"})


def drawn_widths(shown: pd.DataFrame, row_label: str) -> pd.Series:
    """Each outcome's width in its bar: its published share, scaled so a bar never runs past 100%.

    Every count is rounded on its own, so a row's published parts can add up to more or less than its published
    total. A row with nothing withheld is drawn as its parts' shares of their sum (a whole bar); a row with outcomes
    withheld keeps its shares and leaves the rest for the withheld segment, unless its parts already pass 100%.
    A withheld share is drawn with no width: plotly.js mis-stacks a bar that holds a missing value."""
    shares, rows = shown[SHARE].fillna(0), shown[row_label]
    total = shares.groupby(rows, sort=False).transform("sum")
    withheld = shown[SHARE].isna().groupby(rows, sort=False).transform("any")
    return shares * 100 / total.where(~withheld | (total > 100), 100)


def _withheld_segment(figure: go.Figure, shown: pd.DataFrame, row_label: str, symbol: str) -> None:
    """What the withheld outcomes add up to, as one hatched segment at the end, so every bar still reads as 100%."""
    rest = (100 - shown.groupby(row_label, sort=False)[DRAWN].sum()).clip(lower=0).round(6)
    rest = rest[rest > 0]
    if rest.empty:
        return
    figure.add_bar(x=rest.values, y=rest.index, orientation="h", name=f"Withheld ({markup_free(symbol)})",
                   marker={"color": "white", "line": {"color": GREY, "width": 1},
                           "pattern": {"shape": "/", "fgcolor": GREY, "size": 6}},
                   hovertemplate=f"%{{y}}: outcomes withheld to protect children's privacy ({markup_free(symbol)}), "
                                 "%{x:.0f}% of the referrals together<extra></extra>")


def boys(chart: Chart) -> go.Figure:
    """Boys as a share of each source's referrals with its 95% interval, all sources first, against the benchmark."""
    view, benchmark = chart.data, chart.options["benchmark"]
    overall = view.numeric[SOURCE] == sources.ALL_SOURCES
    shown = pd.concat([view.numeric[overall],  # all sources first, then each source, most boys first
                       view.numeric[~overall].sort_values(BOYS_SHARE, ascending=False, na_position="last")])
    everyone = (shown[SOURCE] == sources.ALL_SOURCES).tolist()
    figure = go.Figure(go.Scatter(
        x=shown[BOYS_SHARE], y=markup_free_all(shown[SOURCE]), mode="markers",
        marker={"color": GENDER_COLOURS["Male"], "size": [14 if e else 10 for e in everyone],
                "symbol": ["diamond" if e else "circle" for e in everyone]},
        error_x={"type": "data", "symmetric": False, "array": shown[UPPER] - shown[BOYS_SHARE],
                 "arrayminus": shown[BOYS_SHARE] - shown[LOWER], "color": GENDER_COLOURS["Male"]},
        customdata=list(zip(*(view.hover_text(column)[shown.index]
                              for column in (BOYS, REFERRALS, BOYS_SHARE, LOWER, UPPER)), shown[VERDICT])),
        hovertemplate="%{y}: %{customdata[0]} of %{customdata[1]} referrals were of boys (%{customdata[2]}%;"
                      " 95% CI %{customdata[3]}% to %{customdata[4]}%)<br>%{customdata[5]}<extra></extra>"))
    figure.add_vline(x=100 * benchmark, line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                     annotation_text=f"Benchmark {benchmark:.0%}", annotation_position="top")
    figure.update_xaxes(range=[0, 100], ticksuffix="%")
    figure.update_yaxes(autorange="reversed")
    return style(figure, chart.title, "Boys as a share of the source's referrals (%), with 95% confidence interval",
                 None, height=140 + 30 * len(shown))
