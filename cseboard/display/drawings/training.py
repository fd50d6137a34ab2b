"""Training coverage: the share of staff trained by agency and level against the target, and its trend."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from cseboard.contract import TRAINING_LEVELS
from cseboard.display.charts import BENCHMARK_COLOUR, GREEN, ORANGE, PURPLE, SKY, markup_free_all, style
from cseboard.methods.disclosure import ProtectedTable
from cseboard.questions.section import Chart
from cseboard.questions.training import AGENCY, ALL_AGENCIES, ALL_LEVELS, COVERAGE, IN_SCOPE, LEVEL, PERIOD, TRAINED

LEVEL_COLOURS = dict(zip([*TRAINING_LEVELS, ALL_LEVELS], [SKY, ORANGE, PURPLE, GREEN]))
HOVER = ("%{customdata[0]} · %{customdata[1]} · %{customdata[2]}: %{customdata[3]} of %{customdata[4]} staff trained "
         "(%{customdata[5]}%)<extra></extra>")
TARGET_LINE = {"color": BENCHMARK_COLOUR, "dash": "dash", "width": 1.5}


def with_hover(coverage: ProtectedTable, rows: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """The chosen rows with their counts as shown (c where withheld) for the hover labels, agency names escaped."""
    hover = {f"{column} shown": coverage.hover_text(column) for column in (TRAINED, IN_SCOPE, COVERAGE)}
    shown = coverage.numeric.assign(**hover)[rows]
    shown[AGENCY] = markup_free_all(shown[AGENCY])
    return shown, [PERIOD, AGENCY, LEVEL, *hover]


def coverage(chart: Chart) -> go.Figure:
    """One period's coverage as grouped bars, an agency per row and a bar per level, against the target line."""
    protected, target = chart.data, chart.options["target"]
    numbers = protected.numeric
    shown, hover = with_hover(protected, (numbers[PERIOD] == chart.options["period"])
                              & (numbers[AGENCY] != ALL_AGENCIES) & (numbers[LEVEL] != ALL_LEVELS))
    figure = px.bar(shown, x=COVERAGE, y=AGENCY, color=LEVEL, barmode="group", orientation="h",
                    color_discrete_map=LEVEL_COLOURS, custom_data=hover,
                    category_orders={LEVEL: list(reversed(TRAINING_LEVELS)),
                                     AGENCY: markup_free_all(chart.options["agency_order"])})
    figure.update_traces(hovertemplate=HOVER)
    figure.add_vline(x=100 * target, line=TARGET_LINE, annotation_text=f"Target {target:.0%}",
                     annotation_position="top left")
    figure.update_xaxes(range=[0, 100], ticksuffix="%")
    figure.update_yaxes(title_text=None)
    figure.update_layout(legend_traceorder="reversed")  # levels read top to bottom, in the bars and the legend
    return style(figure, chart.title, "Staff in scope who are trained (%)", None,
                 height=140 + 75 * shown[AGENCY].nunique())


def trend(chart: Chart) -> go.Figure:
    """Small multiples: the share trained each period, a panel per agency (all levels) or per level (all agencies)."""
    protected, by = chart.data, chart.options["by"]
    other, everyone = (LEVEL, ALL_LEVELS) if by == AGENCY else (AGENCY, ALL_AGENCIES)
    shown, hover = with_hover(protected, protected.numeric[other] == everyone)
    figure = px.line(shown, x=PERIOD, y=COVERAGE, facet_col=by, facet_col_wrap=4, markers=True, custom_data=hover,
                     category_orders={PERIOD: chart.options["periods"], LEVEL: [*TRAINING_LEVELS, ALL_LEVELS]},
                     facet_row_spacing=0.14, facet_col_spacing=0.04)
    figure.update_traces(line_color=GREEN, hovertemplate=HOVER)
    figure.add_hline(y=100 * chart.options["target"], line=TARGET_LINE)
    figure.for_each_annotation(lambda note: note.update(text=note.text.split("=", 1)[-1]))
    figure.update_xaxes(title_text=None, showticklabels=False)
    figure.update_yaxes(title_text=None, range=[0, 100], ticksuffix="%")
    rows = -(-shown[by].nunique() // 4)
    return style(figure, chart.title, None, None, height=140 + 190 * rows)
