"""XmR charts in the Making Data Count style: the values, mean and process limits per rebase group, special-cause
points coloured by improvement or concern, and the variation and assurance icons as small SVG or text."""
from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cseboard.display.charts import BENCHMARK_COLOUR, BLUE, GREY, ORANGE, PURPLE, markup_free, markup_free_all, style
from cseboard.methods import spc
from cseboard.questions.section import Chart, Signal

POINT_COLOURS = {spc.COMMON_CAUSE: GREY, spc.IMPROVEMENT: BLUE, spc.CONCERN: ORANGE, spc.NEUTRAL_HIGH: PURPLE,
                 spc.NEUTRAL_LOW: PURPLE}
"""Making Data Count colours, from the colour-blind-safe house palette: blue improvement, orange concern, purple
neither, grey common cause."""
VARIATION_ICONS = {spc.COMMON_CAUSE: ("~", GREY), spc.IMPROVEMENT: ("+", BLUE), spc.CONCERN: ("!", ORANGE),
                   spc.NEUTRAL_HIGH: ("H", PURPLE), spc.NEUTRAL_LOW: ("L", PURPLE)}
ASSURANCE_ICONS = {spc.CONSISTENT_PASS: ("P", BLUE), spc.CONSISTENT_FAIL: ("F", ORANGE), spc.INCONSISTENT: ("?", GREY)}
VALUES = "Figures as published"
"""The line joining the points: named so that the figures can be found on the chart."""
LIMIT_LINE = {"color": GREY, "width": 1.2, "dash": "dash"}
PANEL_GAP = 0.05
"""Between small multiples, as a share of the figure's width."""


def icon_svg(letter: str, colour: str, label: str, size: int = 24) -> str:
    """A round icon with a letter, as Making Data Count draws its variation and assurance icons; label is its text
    alternative."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 28 28" role="img" '
            f'aria-label="{html.escape(label)}"><title>{html.escape(label)}</title>'
            f'<circle cx="14" cy="14" r="12" fill="white" stroke="{colour}" stroke-width="3"/>'
            f'<text x="14" y="19" text-anchor="middle" font-family="Arial, sans-serif" font-size="14" '
            f'font-weight="bold" fill="{colour}">{html.escape(letter)}</text></svg>')


def variation_svg(point_type: str) -> str:
    """The variation icon for a chart's latest point type."""
    letter, colour = VARIATION_ICONS[point_type]
    return icon_svg(letter, colour, spc.VARIATION_WORDS[point_type])


def assurance_svg(assurance: str) -> str | None:
    """The assurance icon, or None when there is no target or no direction to judge it by."""
    if assurance not in ASSURANCE_ICONS:
        return None
    letter, colour = ASSURANCE_ICONS[assurance]
    return icon_svg(letter, colour, spc.ASSURANCE_WORDS[assurance])


def signal_html(signal: Signal) -> str:
    """A card's SPC signal as HTML for the screen and the pack: its variation and assurance icons, then its sentence
    (escaped: every part is the dashboard's own words, escaped all the same)."""
    icons = [variation_svg(signal.variation) if signal.variation in VARIATION_ICONS else None,
             assurance_svg(signal.assurance) if signal.assurance else None]
    drawn = "".join(icon for icon in icons if icon)
    return (f'<div class="spc-signal" style="display:flex;align-items:center;gap:.3rem;font-size:.9rem">{drawn}'
            f'<span>{html.escape(signal.sentence)}</span></div>')


def _by_group(chart: pd.DataFrame, column: str) -> tuple[list, list]:
    """A limit line drawn per rebase group, broken between groups so a rebase shows as a step."""
    x, y = [], []
    for _, rows in chart.groupby("group", sort=True):
        x += [*rows.period.astype(str), None]
        y += [*rows[column], None]
    return x, y


def _icon_annotations(figure: go.Figure, chart: pd.DataFrame, target, improvement: str) -> None:
    """The variation (and assurance) icons as text in the chart's top right corner."""
    icons = [VARIATION_ICONS[spc.variation(chart)]]
    judged = spc.assurance(chart, target, improvement)
    if judged in ASSURANCE_ICONS:
        icons.append(ASSURANCE_ICONS[judged])
    for offset, (letter, colour) in enumerate(reversed(icons)):
        figure.add_annotation(x=1 - 0.05 * offset, y=1.02, xref="paper", yref="paper", xanchor="right",
                              yanchor="bottom", text=f"<b>{markup_free(letter)}</b>", showarrow=False,
                              font={"color": colour, "size": 14}, bordercolor=colour, borderwidth=2, borderpad=3,
                              bgcolor="white")


def _limit_traces(drawn: pd.DataFrame, legend: bool) -> list[go.Scatter]:
    """The process limits (dashed) and the mean (solid) of a chart, drawn per rebase group."""
    traces = []
    for column, name, line in (("upper", "Process limits", LIMIT_LINE), ("lower", None, LIMIT_LINE),
                               ("mean", "Mean", {"color": BENCHMARK_COLOUR, "width": 1.5, "dash": "solid"})):
        x, y = _by_group(drawn, column)
        traces.append(go.Scatter(x=x, y=y, mode="lines", line=line, name=name or "", hoverinfo="skip",
                                 showlegend=legend and name is not None,
                                 legendgroup=column if column == "mean" else "limits"))
    return traces


def _point_traces(drawn: pd.DataFrame, suffix: str, in_legend: set[str], where: str = "") -> list[go.Scatter]:
    """The line joining the figures, then a trace of points per point type in its Making Data Count colour; a type
    goes in the legend the first time it is drawn (in_legend: the types already there, updated). where (a panel's
    name, from the data) opens each hover as data, never as part of the template."""
    traces = [go.Scatter(x=list(drawn.period.astype(str)), y=drawn.value, mode="lines", name=VALUES,
                         line={"color": GREY, "width": 1.5}, showlegend=False, hoverinfo="skip")]
    for point_type, colour in POINT_COLOURS.items():
        points = drawn[drawn.point_type == point_type]
        if points.empty:
            continue
        words = spc.VARIATION_WORDS[point_type]
        traces.append(go.Scatter(
            x=list(points.period.astype(str)), y=points.value, mode="markers", name=words.capitalize(),
            legendgroup=point_type, showlegend=point_type not in in_legend,
            marker={"color": colour, "size": 9 if point_type != spc.COMMON_CAUSE else 7,
                    "line": {"color": "white", "width": 1}},
            customdata=[(markup_free(where), markup_free(rule or "no rule met")) for rule in points.rule],
            hovertemplate=f"%{{customdata[0]}}%{{x}}: %{{y:,.1f}}{suffix}<br>{markup_free(words)}: "
                          "%{customdata[1]}<extra></extra>"))
        in_legend.add(point_type)
    return traces


def xmr(chart: Chart) -> go.Figure:
    """An XmR chart: values joined by a line, mean and process limits per group, special-cause points coloured."""
    drawn: pd.DataFrame = chart.data
    target, percent = chart.options.get("target"), chart.options.get("percent", False)
    improvement = chart.options.get("improvement", spc.NEUTRAL)
    periods = drawn.period.astype(str)
    suffix = "%" if percent else ""
    figure = go.Figure(_limit_traces(drawn, legend=True))
    if target is not None:
        figure.add_trace(go.Scatter(x=list(periods), y=[target] * len(drawn), mode="lines", name=f"Target {target:g}"
                                    f"{suffix}", line={"color": PURPLE, "width": 1.2, "dash": "dot"}, hoverinfo="skip"))
    figure.add_traces(_point_traces(drawn, suffix, set()))
    _icon_annotations(figure, drawn, target, improvement)
    figure.update_xaxes(type="category")
    if percent:
        figure.update_yaxes(ticksuffix="%")
    lowest = float(np.nanmin([drawn.value.min(), drawn.lower.min(), target if target is not None else np.inf]))
    if lowest >= 0:
        figure.update_yaxes(rangemode="tozero")
    style(figure, chart.title, "Quarter", "Percent" if percent else "Number", height=400)
    figure.update_layout(legend={"y": -0.25, "yanchor": "top", "x": 0, "xanchor": "left"})  # the icons sit top right
    return figure


def panel_title(name: str, columns: int) -> str:
    """A panel's title as Plotly shows it: markup-free, wrapped to the panel's width, clear of its icon."""
    return "<br>".join(markup_free(line) for line in textwrap.wrap(name, max(12, 110 // columns)))


def xmr_panels(chart: Chart) -> go.Figure:
    """XmR small multiples: a panel per series, each with its own mean and limits, its special-cause points coloured,
    and its latest point's variation icon in its top right corner. Panels stand in the order of the option panels
    (every series, so a grid of groups keeps its rows and columns); one with no chart (too few quarters shown, or
    figures too alike to set limits) says so. The quarters run left to right on one axis in every panel, so a
    withheld quarter is a gap."""
    drawn: pd.DataFrame = chart.data
    names = chart.options["panels"]
    columns = min(chart.options["columns"], len(names))
    suffix = "%" if chart.options.get("percent", False) else ""
    charted = set(drawn.panel)

    def why_no_chart(name: str) -> str:
        return "too alike to set limits" if name in chart.options.get("flat", ()) else "too few quarters shown"

    rows = -(-len(names) // columns)
    figure = make_subplots(rows=rows, cols=columns, horizontal_spacing=PANEL_GAP, vertical_spacing=0.3 / rows,
                           subplot_titles=[panel_title(name if name in charted else f"{name}: {why_no_chart(name)}",
                                                       columns) for name in names])
    half_panel = (1 - PANEL_GAP * (columns - 1)) / columns / 2
    figure.for_each_annotation(lambda title: title.update(x=title.x - half_panel, xanchor="left", align="left",
                                                          font={"size": 12}))
    in_legend: set[str] = set()
    for index, name in enumerate(names):
        panel = drawn[drawn.panel == name]
        place = {"row": index // columns + 1, "col": index % columns + 1}
        if panel.empty:
            figure.update_xaxes(visible=False, **place)
            figure.update_yaxes(visible=False, **place)
            continue
        for trace in (*_limit_traces(panel, legend=not in_legend), *_point_traces(panel, suffix, in_legend,
                                                                                   f"{name}, ")):
            figure.add_trace(trace, **place)
        letter, colour = VARIATION_ICONS[spc.variation(panel)]
        axis = "" if index == 0 else str(index + 1)
        figure.add_annotation(x=1, y=1.0, xref=f"x{axis} domain", yref=f"y{axis} domain", xanchor="right",
                              yanchor="bottom", text=f"<b>{markup_free(letter)}</b>", showarrow=False,
                              font={"color": colour, "size": 11}, bordercolor=colour, borderwidth=1.5, borderpad=2,
                              bgcolor="white")
        if float(np.nanmin([panel.value.min(), panel.lower.min()])) >= 0:
            figure.update_yaxes(rangemode="tozero", **place)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=sorted(set(drawn.period.astype(str))),
                        showticklabels=False)
    figure.update_yaxes(gridcolor="#EEEEEE", showgrid=True, ticksuffix=suffix)
    style(figure, chart.title, height=160 + 200 * rows)
    figure.update_layout(margin={"t": 100}, legend={"y": 1, "yanchor": "top", "yref": "container"})
    return figure
