"""Who is not being identified: relative rate indices as dots with intervals, looked-after shares over time by age
band and gender, and re-referral shares by gender."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cseboard.display.charts import (BENCHMARK_COLOUR, GENDER_COLOURS, GENDER_GROUP_COLOURS, GREY, ORANGE, SKY,
                                     bar_heights, hover_html, markup_free, markup_free_all, style)
from cseboard.methods import disproportionality as dp
from cseboard.questions import fairness as fair
from cseboard.questions.identification import OTHER_OR_NOT_KNOWN
from cseboard.questions.section import Chart

VERDICT_COLOURS = {dp.OVER: ORANGE, dp.UNDER: SKY, dp.NO_DIFFERENCE: GREY}


def rri_dots(chart: Chart) -> go.Figure:
    """Each judged group's RRI with its 95% interval, one row per group, grouped by comparison, against 1."""
    table = chart.data.numeric.assign(_hover=[hover_html(lines) for lines in chart.options["hover"]])
    shown = table[table[fair.RRI].notna()].iloc[::-1]
    labels = markup_free_all(f"{comparison}: {group}" for comparison, group in zip(shown[fair.COMPARISON],
                                                                                   shown[fair.GROUP]))
    figure = go.Figure()
    for verdict, colour in VERDICT_COLOURS.items():
        rows = shown[shown[fair.VERDICT] == verdict]
        if rows.empty:
            continue
        names = [label for label, keep in zip(labels, shown[fair.VERDICT] == verdict) if keep]
        figure.add_trace(go.Scatter(
            x=rows[fair.RRI], y=names, mode="markers", name=verdict.capitalize(),
            marker={"color": colour, "size": 10, "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": rows[fair.UPPER] - rows[fair.RRI],
                     "arrayminus": rows[fair.RRI] - rows[fair.LOWER], "color": colour, "thickness": 1.5},
            customdata=rows["_hover"], hovertemplate="%{customdata}<extra></extra>"))
    figure.add_vline(x=1, line={"color": BENCHMARK_COLOUR, "width": 1.2})
    figure.update_xaxes(type="log")
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=labels)
    return style(figure, chart.title, "Relative rate index (log scale; 1 = the rate among other children)", None,
                 height=max(360, 28 * len(shown) + 140))


def looked_after_trend(chart: Chart) -> go.Figure:
    """Small multiples: one panel per age band, a line per gender group, the share looked after each quarter."""
    table, bands = chart.data, chart.options["bands"]
    series = table.numeric.assign(_text=table.hover_text(fair.LOOKED_AFTER_SHARE),
                                  _of=table.hover_text(fair.LOOKED_AFTER), _children=table.hover_text(fair.CHILDREN))
    figure = make_subplots(rows=1, cols=len(bands), shared_yaxes=True, subplot_titles=markup_free_all(bands),
                           horizontal_spacing=0.02)
    for column, band in enumerate(bands, start=1):
        for gender, colour in GENDER_GROUP_COLOURS.items():
            line = series[(series[fair.AGE_BAND] == band) & (series[fair.GENDER] == gender)]
            figure.add_trace(go.Scatter(
                x=line[fair.QUARTER], y=line[fair.LOOKED_AFTER_SHARE], mode="lines+markers", name=gender,
                legendgroup=gender, showlegend=column == 1, marker={"size": 5}, line={"color": colour},
                customdata=list(zip(line["_text"], line["_of"], line["_children"])),
                hovertemplate=f"{markup_free(gender)}, aged {markup_free(band)}, %{{x}}: %{{customdata[0]}}% "
                              "(%{customdata[1]} of %{customdata[2]} children)<extra></extra>"),
                row=1, col=column)
    figure.update_xaxes(showticklabels=False, type="category")
    style(figure, chart.title, height=380)
    figure.update_yaxes(gridcolor="#EEEEEE", showgrid=True, ticksuffix="%", rangemode="tozero")
    figure.update_yaxes(title_text="Looked after, % of children referred", row=1, col=1)
    figure.update_layout(margin={"t": 110}, legend={"y": 1.12})
    return figure


def re_referrals(chart: Chart) -> go.Figure:
    """The share of referrals that were re-referrals within 12 months, a bar per gender; withheld bars say so."""
    table = chart.data
    heights, labels = bar_heights(table, fair.RE_REFERRAL_SHARE)
    genders = table.numeric[fair.GENDER]
    colours = [GENDER_COLOURS.get(gender, GREY) if gender != OTHER_OR_NOT_KNOWN else GREY for gender in genders]
    figure = go.Figure(go.Bar(
        x=markup_free_all(genders), y=heights, marker_color=colours, text=labels, textposition="outside",
        cliponaxis=False, showlegend=False,
        customdata=list(zip(table.hover_text(fair.RE_REFERRAL_SHARE), table.hover_text(fair.RE_REFERRALS),
                            table.hover_text(fair.REFERRALS))),
        hovertemplate="%{x}: %{customdata[0]}% (%{customdata[1]} of %{customdata[2]} referrals)<extra></extra>"))
    figure.update_yaxes(rangemode="nonnegative", ticksuffix="%")
    return style(figure, chart.title, "Gender", "Re-referrals, % of referrals")
