"""Linked crimes and vulnerabilities: shares of referrals overall, by quarter, for boys and girls, by age band, and
the crimes recorded together."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cseboard.display.charts import (GENDER_GROUP_COLOURS, GREEN, GREY, ORANGE, PURPLE, SKY, YELLOW, markup_free,
                                     markup_free_all, bar_heights, style)
from cseboard.methods.disclosure import ProtectedTable
from cseboard.questions.linked import BASE, BOTH, COUNT, CRIME, ITEM_HEADINGS, SHARE
from cseboard.questions.section import Chart

TREND_COLOURS = [GREEN, ORANGE, PURPLE, SKY, YELLOW, GREY]


def percent_text(protected: ProtectedTable, rows=None) -> pd.Series:
    """Shares as labels ("24.0%"), the symbol where withheld."""
    rows = protected.numeric.index if rows is None else rows
    shown = protected.hover_text(SHARE)[rows]
    return shown.where(protected.mask[SHARE][rows] | (shown == ""), shown + "%")


def share_bars(protected: ProtectedTable, item: str, rows, name: str, colour: str) -> go.Bar:
    """Horizontal bars of share of referrals; a withheld bar has no length and is labelled with the symbol."""
    heights, labels = bar_heights(protected, SHARE, rows)
    return go.Bar(x=heights, y=markup_free_all(protected.numeric.loc[rows, item]), orientation="h", name=name,
                  marker_color=colour, text=labels, textposition="outside", cliponaxis=False,
                  customdata=list(zip(percent_text(protected, rows), protected.hover_text(COUNT)[rows],
                                      protected.hover_text(BASE)[rows])),
                  hovertemplate=f"{name}, %{{y}}: %{{customdata[0]}} (%{{customdata[1]}} of %{{customdata[2]}} "
                                "referrals)<extra></extra>")


def heatmap(values: pd.DataFrame, text: pd.DataFrame, colour_title: str, hover: str, title: str,
            x_title: str | None) -> go.Figure:
    """Rows by columns; withheld cells are blank with the symbol as their label, and only shown figures hover."""
    figure = go.Figure(go.Heatmap(
        z=values.to_numpy(dtype=float), x=markup_free_all(values.columns), y=markup_free_all(values.index),
        text=text.to_numpy(), texttemplate="%{text}", colorscale="Blues", hoverongaps=False,
        colorbar={"title": {"text": colour_title}}, hovertemplate=hover + "<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(tickangle=-30, type="category")
    return style(figure, title, x_title, None, height=160 + 34 * len(values))


def overall(chart: Chart) -> go.Figure:
    """Share of referrals recording each item over the period, most often recorded first."""
    table = chart.data
    figure = go.Figure(share_bars(table, chart.options["item"], table.numeric.index, "All referrals", GREEN))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    return style(figure, chart.title, "Share of referrals (%)", None, height=140 + 28 * len(table.numeric))


def trend(chart: Chart) -> go.Figure:
    """A line per chosen item: its share of referrals each quarter; a withheld quarter is a gap."""
    table, item = chart.data, chart.options["item"]
    figure = go.Figure()
    for colour, label in zip(TREND_COLOURS * 5, chart.options["chosen"]):
        series = table.numeric.index[table.numeric[item] == label]
        figure.add_trace(go.Scatter(
            x=table.numeric.loc[series, "Quarter"], y=table.numeric.loc[series, SHARE],
            mode="lines+markers", name=markup_free(label), line={"color": colour, "width": 2.5},
            customdata=list(zip(percent_text(table, series), table.hover_text(COUNT)[series])),
            hovertemplate=f"{markup_free(label)}, %{{x}}: %{{customdata[0]}} (%{{customdata[1]}} referrals)"
                          "<extra></extra>"))
    figure.update_yaxes(rangemode="tozero", ticksuffix="%")
    return style(figure, chart.title, "Quarter referred", "Share of referrals (%)")


def by_gender(chart: Chart) -> go.Figure:
    """Bars for boys and for other children side by side, each a share of that group's referrals."""
    table, item, order = chart.data, chart.options["item"], chart.options["order"]
    figure = go.Figure([share_bars(table, item, table.numeric.index[table.numeric.Gender == group], group, colour)
                        for group, colour in GENDER_GROUP_COLOURS.items()])
    figure.update_yaxes(categoryorder="array", categoryarray=markup_free_all(order), autorange="reversed")
    figure.update_xaxes(ticksuffix="%", rangemode="tozero")
    figure.update_layout(barmode="group")
    return style(figure, chart.title, "Share of their referrals (%)", None, height=160 + 44 * len(order))


def by_age(chart: Chart) -> go.Figure:
    """Items by age band: each cell the share of that band's referrals recording the item."""
    table, item, order = chart.data, chart.options["item"], chart.options["order"]
    in_grid = {"index": item, "columns": "Age band"}
    grid = {"index": order, "columns": table.numeric["Age band"].unique()}
    values = table.numeric.pivot(**in_grid, values=SHARE).reindex(**grid)
    text = table.numeric.assign(_text=percent_text(table)).pivot(**in_grid, values="_text").reindex(**grid)
    return heatmap(values, text, "%", "%{y}, aged %{x}: %{text} of referrals", chart.title, "Age band at referral")


def together(chart: Chart) -> go.Figure:
    """Crimes (rows) by the crimes or vulnerabilities recorded with them: each cell the referrals recording both."""
    table = chart.data
    crimes = table.numeric[ITEM_HEADINGS[CRIME]]
    columns = list(table.count_columns)
    text = pd.DataFrame({column: table.hover_text(column) for column in columns}).set_index(crimes)
    return heatmap(table.numeric.set_index(crimes)[columns], text, "Referrals",
                   f"%{{y}} with %{{x}}: %{{text}} {BOTH.lower()}", chart.title, None)
