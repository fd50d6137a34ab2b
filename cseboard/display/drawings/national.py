"""National benchmarks: one factor's rate per 10,000 children by year, for the authority, England, region, neighbours."""
from __future__ import annotations

import plotly.graph_objects as go

from cseboard.display.charts import BENCHMARK_COLOUR, ORANGE, PURPLE, SKY, markup_free, style
from cseboard.questions.section import Chart

LINES = (  # (column, name, colour, dash, width); the authority and the region are named from the data
    ("la_rate_per_10k", None, ORANGE, "solid", 3),
    ("england_rate_per_10k", "England", BENCHMARK_COLOUR, "dash", 2),
    ("region_rate_per_10k", None, SKY, "solid", 2),
    ("neighbour_median_rate_per_10k", "Statistical neighbours (median)", PURPLE, "dot", 2),
)


def factor_trend(chart: Chart) -> go.Figure:
    """One factor's rate per 10,000 children by year: the authority, England, its region and its neighbours."""
    rows = chart.data
    names = {"la_rate_per_10k": chart.options["la_name"], "region_rate_per_10k": chart.options["region_name"]}
    figure = go.Figure()
    for column, name, colour, dash, width in LINES:
        label = markup_free(names.get(column, name))
        figure.add_trace(go.Scatter(
            x=rows["time_period"], y=rows[column], name=label, mode="lines+markers",
            line={"color": colour, "dash": dash, "width": width}, connectgaps=False,
            hovertemplate=f"{label}, %{{x}}: %{{y:.1f}} per 10,000 children<extra></extra>"))
    figure.update_xaxes(dtick=1, tickformat="d")
    figure.update_yaxes(rangemode="tozero")
    style(figure, chart.title, None, "Per 10,000 children aged 0-17", height=430)
    # The finding goes under the factor's name, in smaller type; both escaped, so only this line break is markup.
    figure.update_layout(title_text=f"{markup_free(chart.title)}<br><sup>{markup_free(chart.options['finding'])}</sup>")
    # Four lines in half a page: the legend goes under the chart, clear of the title.
    return figure.update_layout(legend={"orientation": "v", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
                                margin={"t": 70})
