"""Areas: each area's rate per 10,000 children with its 95% interval, coloured by how it compares with the partnership."""
from __future__ import annotations

import plotly.graph_objects as go

from cseboard.display.charts import BENCHMARK_COLOUR, RATE_VERDICT_COLOURS, RATE_VERDICT_SYMBOLS, hover_html, markup_free_all, style
from cseboard.questions import rates
from cseboard.questions.section import Chart


def area_rates(chart: Chart) -> go.Figure:
    """A dot per area with its interval, against the partnership's rate; an area with no dot says why beside its name."""
    areas, centre = chart.data, chart.options["centre"]
    ordered = areas.numeric.assign(_hover=[hover_html(lines) for lines in rates.hover(areas)],
                                   _note=rates.hidden_note(areas)).sort_values(rates.RATE, na_position="first")
    ordered[rates.AREA] = markup_free_all(ordered[rates.AREA])
    figure = go.Figure()
    for verdict, colour in RATE_VERDICT_COLOURS.items():
        group = ordered[ordered[rates.COMPARED] == verdict]
        figure.add_trace(go.Scatter(
            x=group[rates.RATE], y=group[rates.AREA], mode="markers", name=verdict.capitalize(),
            marker={"color": colour, "size": 11, "symbol": RATE_VERDICT_SYMBOLS[verdict]},
            error_x={"type": "data", "symmetric": False, "array": group[rates.UPPER] - group[rates.RATE],
                     "arrayminus": group[rates.RATE] - group[rates.LOWER], "color": colour, "thickness": 1.5},
            customdata=group["_hover"], hovertemplate="%{customdata}<extra></extra>", showlegend=len(group) > 0))
    hidden = ordered[ordered["_note"] != ""]
    figure.add_trace(go.Scatter(x=[0] * len(hidden), y=hidden[rates.AREA], mode="text", text=hidden["_note"],
                                textposition="middle right", hoverinfo="skip", showlegend=False))
    if centre == centre:
        figure.add_vline(x=centre, line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 1.5},
                         annotation_text=f"Partnership {centre:.1f}", annotation_position="top")
    figure.update_yaxes(categoryorder="array", categoryarray=ordered[rates.AREA].tolist())
    figure.update_xaxes(rangemode="tozero")
    return style(figure, chart.title, "Referrals per 10,000 children (95% confidence interval)", None,
                 height=max(360, 34 * len(ordered) + 120))
