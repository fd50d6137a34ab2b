"""Plotly figures in one house style: colour-blind-safe colours, the same colour for boys on every page.

A section names each chart by kind: "funnel" is drawn here; "identification.boys_trend" by the function boys_trend
in display/drawings/identification.py. Every text from the data is escaped (markup_free) before Plotly sees it.
"""
from __future__ import annotations

import html
import importlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cseboard.contract import BOYS, OTHERS
from cseboard.methods.disclosure import ProtectedTable
from cseboard.questions.section import Chart
from cseboard.questions import rates
from cseboard.methods.funnel import FUNNEL_LEVELS, WITHIN_LIMITS, level_label

# Okabe-Ito palette (safe for the common forms of colour blindness).
BLUE, VERMILLION, GREEN, ORANGE, SKY, PURPLE, YELLOW, GREY = (
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#7F7F7F")
SEQUENCE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]
GENDER_COLOURS = {"Male": BLUE, "Female": VERMILLION, "Other": GREEN, "Not known": GREY}
GENDER_GROUP_COLOURS = {BOYS: GENDER_COLOURS["Male"], OTHERS: GENDER_COLOURS["Female"]}
BENCHMARK_COLOUR = "#333333"
RATE_VERDICT_COLOURS = {rates.HIGHER: ORANGE, rates.SIMILAR: GREY, rates.LOWER_THAN: SKY}
RATE_VERDICT_SYMBOLS = {rates.HIGHER: "triangle-up", rates.SIMILAR: "circle", rates.LOWER_THAN: "triangle-down"}
FONT = "Source Sans Pro, Arial, sans-serif"
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
"""Second channels beside colour, by series in legend order: colour never carries meaning alone (WCAG 1.4.1)."""


def markup_free(text) -> str:
    """Text Plotly shows as written: its HTML-like markup (<a>, <b>, <br>, entities) is escaped."""
    return html.escape(str(text), quote=False)


def markup_free_all(values) -> list[str]:
    """markup_free for every value of a column or list (categories, labels, hover text from the data)."""
    return [markup_free(value) for value in values]


def hover_html(lines) -> str:
    """Hover text from plain lines: the first (a name) in bold, each line escaped, so the data adds no markup."""
    first, *rest = (markup_free(line) for line in lines)
    return "<br>".join([f"<b>{first}</b>", *rest])


def draw(chart: Chart) -> go.Figure:
    """The Plotly figure for a section's chart, from the drawing its kind names."""
    module, _, function = chart.kind.rpartition(".")
    owner = importlib.import_module(f"cseboard.display.drawings.{module}") if module else importlib.import_module(__name__)
    return getattr(owner, function)(chart)


def untitled(figure: go.Figure) -> go.Figure:
    """The figure without its title, for a renderer that writes the title as text above it (it then wraps at any
    width, and a screen reader reads it as text)."""
    return figure.update_layout(title_text=None)


def distinguishable(figure: go.Figure) -> go.Figure:
    """Give each named series a bar pattern, a marker symbol or a line dash of its own, in legend order, where its
    drawing set none (and never one a drawing chose for another series): a reader who cannot tell the colours apart
    tells the series apart by shape."""
    for kind, (choices, chosen, choose) in SECOND_CHANNELS.items():
        traces = [trace for trace in figure.data if _series_kind(trace) == kind]
        taken = {chosen(trace) for trace in traces if chosen(trace)}
        names = list(dict.fromkeys(trace.name for trace in traces
                                   if trace.name and trace.showlegend is not False and not chosen(trace)))
        if len(names) + len(taken) < 2:
            continue
        free = [choice for choice in choices if choice not in taken]
        for trace in traces:
            if trace.name in names and not chosen(trace):
                choose(trace, free[names.index(trace.name) % len(free)])
    return figure


SECOND_CHANNELS = {
    "bar": (PATTERNS, lambda trace: trace.marker.pattern.shape,
            lambda trace, shape: trace.marker.pattern.update(shape=shape, solidity=0.2, fgopacity=0.55)),
    "markers": (SYMBOLS, lambda trace: trace.marker.symbol, lambda trace, symbol: trace.marker.update(symbol=symbol)),
    "lines": (DASHES, lambda trace: trace.line.dash, lambda trace, dash: trace.line.update(dash=dash)),
}
"""Each kind of series: the shapes it may take, how to read the one it has, and how to give it one."""


def _series_kind(trace) -> str:
    """What tells a trace's series apart besides colour: a bar's pattern, a marker's symbol or a line's dash."""
    if trace.type == "bar":
        return "bar"
    if trace.type == "scatter":
        return "markers" if "markers" in (trace.mode or "") else "lines" if "lines" in (trace.mode or "") else ""
    return ""


def style(figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
          height: int = 420) -> go.Figure:
    """Title states the finding; axes say their units; no chart junk."""
    figure.update_layout(
        title={"text": markup_free(title), "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13},
        template="simple_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1, "title": None},
        hoverlabel={"font": {"family": FONT}},
        colorway=SEQUENCE,
    )
    distinguishable(figure)
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title, gridcolor="#EEEEEE", showgrid=True)
    return figure


def bar_heights(protected: ProtectedTable, column: str, rows=None) -> tuple[pd.Series, pd.Series]:
    """Bar lengths and labels for a chart: a withheld bar has no length and is labelled with the symbol instead."""
    rows = protected.numeric.index if rows is None else rows
    withheld = protected.mask.loc[rows, column]
    heights = protected.numeric.loc[rows, column].mask(withheld, 0)
    return heights, protected.hover_text(column)[rows].where(withheld, "")


FUNNEL_LINES = {0.95: "dash", 0.998: "dot"}
POSITION_COLOURS = {0.95: ORANGE, 0.998: PURPLE}
POSITION_SYMBOLS = {None: "circle", 0.95: "diamond", 0.998: "square"}


def _outermost_level(position: str) -> float | None:
    """The widest limit a point lies outside of, read from its funnel_positions label."""
    return next((level for level in sorted(FUNNEL_LEVELS, reverse=True)
                 if position.endswith(f"{level_label(level)} limit")), None)


def funnel_plot(table: pd.DataFrame, *, label: str, size: str, value: str, position: str, hover: Sequence[str],
                limits: Callable[[np.ndarray], pd.DataFrame], centre: float, centre_label: str,
                title: str, x_title: str, y_title: str, y_suffix: str = "") -> go.Figure:
    """Funnel plot of a share or a rate against its size, with 95% and 99.8% limits around a centre line.

    table: one row per unit (area, agency...), withheld values NaN (not plotted); position: the
    funnel_positions label of each row, so points outside the limits are coloured. Every point is named, beside it
    on the side away from the nearest line. limits: as for funnel_positions, in the same units as value; a limit
    is drawn only where it is defined (a lower limit at 0 is none), over the sizes the points span.
    """
    shown = table.assign(_hover=[hover_html(lines) for lines in hover])[table[value].notna() & (table[size] > 0)]
    largest = float(shown[size].max()) if len(shown) else 1.0
    smallest = float(shown[size].min()) if len(shown) else 1.0
    grid = np.linspace(max(smallest * 0.8, 1e-9), largest * 1.1, 200)
    bounds = limits(grid)
    lines = {(level, side): bounds.loc[bounds.level == level, side].to_numpy(dtype=float)
             for level in FUNNEL_LEVELS for side in ("upper", "lower")}
    lines = {key: np.where(line > 0, line, np.nan) for key, line in lines.items()}
    figure = go.Figure()
    for (level, side), line in lines.items():
        figure.add_trace(go.Scatter(
            x=grid, y=line, mode="lines", hoverinfo="skip", connectgaps=False,
            line={"color": GREY, "width": 1, "dash": FUNNEL_LINES[level]},
            name=f"{level_label(level)} limits", legendgroup=str(level), showlegend=side == "upper"))
    figure.add_trace(go.Scatter(x=[0, largest * 1.1], y=[centre, centre], mode="lines", hoverinfo="skip",
                                line={"color": BENCHMARK_COLOUR, "width": 1.5, "dash": "solid"}, name=centre_label))
    levels = shown[position].map(_outermost_level)
    for level, group in [(None, shown[levels.isna()])] + [(lv, shown[levels == lv]) for lv in FUNNEL_LEVELS]:
        outside = level is not None
        figure.add_trace(go.Scatter(
            x=group[size], y=group[value], mode="markers",
            marker={"color": POSITION_COLOURS[level] if outside else GREY, "size": 10 if outside else 8,
                    "symbol": POSITION_SYMBOLS[level],
                    "line": {"color": "white", "width": 1}},
            customdata=group["_hover"], hovertemplate="%{customdata}<extra></extra>",
            name=(f"Outside the {level_label(level)} limits" if outside else "Within the 95% limits"),
            showlegend=len(group) > 0))
    every_line = np.concatenate([*lines.values(), [centre]])
    low = float(np.nanmin(np.concatenate([every_line, shown[value], [0]])))
    high = float(np.nanmax(np.concatenate([every_line, shown[value]])))
    span = (high - low) or 1.0
    y_range = [max(0.0, low - 0.06 * span), high + 0.1 * span]
    x_range = [0, largest * 1.1]
    drawn = [np.column_stack([grid, line]) for line in lines.values()]
    drawn.append(np.column_stack([grid, np.full_like(grid, centre)]))
    for _, row in shown.iterrows():
        name = markup_free(row[label])
        shift = _clear_of_lines(row[size], row[value], len(str(row[label])), np.concatenate(drawn), x_range, y_range)
        figure.add_annotation(x=row[size], y=row[value], text=name, showarrow=False, yshift=shift,
                              bgcolor="rgba(255,255,255,0.85)", font={"size": 12})
    figure.update_yaxes(range=y_range, ticksuffix=y_suffix)
    figure.update_xaxes(range=x_range)
    return style(figure, title, x_title, y_title, height=480)


# Pixels a funnel's plot area spans at the least (its height is fixed; its width follows the page) and a label's
# size at 12px, so a label is placed where no line passes even on a narrow screen.
PLOT_PIXELS, LABEL_PIXELS = (500, 360), (7, 16)


def _clear_of_lines(x: float, y: float, characters: int, lines: np.ndarray, x_range, y_range) -> int:
    """The vertical offset (pixels) for a point's name that keeps it off every line: above, below, then further."""
    x_scale = (x_range[1] - x_range[0]) / PLOT_PIXELS[0]
    y_scale = (y_range[1] - y_range[0]) / PLOT_PIXELS[1]
    half_width = (characters * LABEL_PIXELS[0] / 2 + 6) * x_scale
    beside = lines[(np.abs(lines[:, 0] - x) <= half_width) & ~np.isnan(lines[:, 1])]

    def crossings(shift: int) -> int:
        centre = y + shift * y_scale
        return int(np.sum(np.abs(beside[:, 1] - centre) <= (LABEL_PIXELS[1] / 2 + 2) * y_scale))
    return min((12, -12, 26, -26, 40, -40, 54, -54), key=crossings)


def funnel(chart: Chart) -> go.Figure:
    """A section's funnel plot: chart.data is the table, chart.options funnel_plot's other arguments."""
    return funnel_plot(chart.data, title=chart.title, **chart.options)
