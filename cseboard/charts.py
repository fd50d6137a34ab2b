"""Plotly figures in one house style: colour-blind-safe colours, the same colour for boys on every page."""
from __future__ import annotations

import plotly.graph_objects as go

# Okabe-Ito palette (safe for the common forms of colour blindness).
BLUE, VERMILLION, GREEN, ORANGE, SKY, PURPLE, YELLOW, GREY = (
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#7F7F7F")
SEQUENCE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]
GENDER_COLOURS = {"Male": BLUE, "Female": VERMILLION, "Other": GREEN, "Not known": GREY}
BENCHMARK_COLOUR = "#333333"
FONT = "Source Sans Pro, Arial, sans-serif"


def style(figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
          height: int = 420) -> go.Figure:
    """Title states the finding; axes say their units; no chart junk."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13},
        template="simple_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1, "title": None},
        hoverlabel={"font": {"family": FONT}},
        colorway=SEQUENCE,
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title, gridcolor="#EEEEEE", showgrid=True)
    return figure
