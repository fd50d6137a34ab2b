"""XmR charts in the Making Data Count style: the values, mean and process limits per rebase group, special-cause
points coloured by improvement or concern, and the variation and assurance icons as small SVG or text."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cseboard.display.charts import BENCHMARK_COLOUR, BLUE, GREY, ORANGE, PURPLE, markup_free, style
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


def xmr(chart: Chart) -> go.Figure:
    """An XmR chart: values joined by a line, mean and process limits per group, special-cause points coloured."""
    drawn: pd.DataFrame = chart.data
    target, percent = chart.options.get("target"), chart.options.get("percent", False)
    improvement = chart.options.get("improvement", spc.NEUTRAL)
    periods = drawn.period.astype(str)
    suffix = "%" if percent else ""
    figure = go.Figure()
    for column, name, line in (("upper", "Process limits", LIMIT_LINE), ("lower", None, LIMIT_LINE),
                               ("mean", "Mean", {"color": BENCHMARK_COLOUR, "width": 1.5, "dash": "solid"})):
        x, y = _by_group(drawn, column)
        figure.add_trace(go.Scatter(x=x, y=y, mode="lines", line=line, name=name or "", showlegend=name is not None,
                                    legendgroup=column if column == "mean" else "limits", hoverinfo="skip"))
    if target is not None:
        figure.add_trace(go.Scatter(x=list(periods), y=[target] * len(drawn), mode="lines", name=f"Target {target:g}"
                                    f"{suffix}", line={"color": PURPLE, "width": 1.2, "dash": "dot"}, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=list(periods), y=drawn.value, mode="lines", line={"color": GREY, "width": 1.5},
                                name=VALUES, showlegend=False, hoverinfo="skip"))
    for point_type, colour in POINT_COLOURS.items():
        points = drawn[drawn.point_type == point_type]
        if points.empty:
            continue
        words = spc.VARIATION_WORDS[point_type]
        figure.add_trace(go.Scatter(
            x=list(points.period.astype(str)), y=points.value, mode="markers", name=words.capitalize(),
            marker={"color": colour, "size": 9 if point_type != spc.COMMON_CAUSE else 7,
                    "line": {"color": "white", "width": 1}},
            customdata=[markup_free(rule or "no rule met") for rule in points.rule],
            hovertemplate=f"%{{x}}: %{{y:,.1f}}{suffix}<br>{markup_free(words)}: %{{customdata}}<extra></extra>"))
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
