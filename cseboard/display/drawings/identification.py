"""Age and gender: the share of boys by quarter, referrals by age band and gender, and by age band each quarter."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cseboard.display.charts import (BENCHMARK_COLOUR, GENDER_COLOURS, GREY, bar_heights, markup_free,
                                     markup_free_all, style)
from cseboard.questions import identification as ident
from cseboard.questions.section import Chart


def boys_trend(chart: Chart) -> go.Figure:
    """The share of boys each quarter with its 95% interval as a band, against the benchmark line."""
    by_quarter, target = chart.data, chart.options["target"]
    trend = by_quarter.numeric
    quarter = ident.BREAKDOWN_LABELS["quarter"]
    figure = go.Figure([
        go.Scatter(x=trend[quarter], y=trend[ident.UPPER], mode="lines", line={"width": 0}, hoverinfo="skip",
                   showlegend=False),
        go.Scatter(x=trend[quarter], y=trend[ident.LOWER], mode="lines", line={"width": 0}, fill="tonexty",
                   fillcolor="rgba(0, 114, 178, 0.18)", hoverinfo="skip", name="95% confidence interval"),
        go.Scatter(x=trend[quarter], y=trend[ident.SHARE], mode="lines+markers", name="Boys",
                   line={"color": GENDER_COLOURS["Male"], "width": 2.5},
                   customdata=list(zip(by_quarter.hover_text(ident.SHARE), by_quarter.hover_text(ident.BOYS),
                                       by_quarter.hover_text(ident.CHILDREN), trend[ident.VERDICT])),
                   hovertemplate="%{x}: boys %{customdata[0]}% (%{customdata[1]} of %{customdata[2]} children)"
                                 "<br>%{customdata[3]}<extra></extra>"),
        go.Scatter(x=trend[quarter], y=[target] * len(trend), mode="lines", name=f"Benchmark {ident.percent(target)}",
                   line={"color": BENCHMARK_COLOUR, "dash": "dash", "width": 1.5}, hoverinfo="skip"),
    ])
    figure.update_yaxes(rangemode="tozero", ticksuffix="%")
    return style(figure, chart.title, "Quarter", "Boys, % of children referred")


def age_bands(chart: Chart) -> go.Figure:
    """Referrals in each age band, a bar per gender group; a withheld bar is labelled with the symbol."""
    by_band, bands = chart.data, chart.options["bands"]
    cells = by_band.numeric[by_band.numeric[ident.AGE_BAND] != "Total"]
    figure = go.Figure()
    for gender in chart.options["genders"]:
        heights, labels = bar_heights(by_band, gender, cells.index)
        figure.add_trace(go.Bar(
            x=cells[ident.AGE_BAND], y=heights, name=gender, marker_color=GENDER_COLOURS.get(gender, GREY),
            customdata=by_band.hover_text(gender)[cells.index], text=labels, textposition="outside", cliponaxis=False,
            hovertemplate=f"{markup_free(gender)}, aged %{{x}}: %{{customdata}} referrals<extra></extra>"))
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=bands)
    figure.update_yaxes(rangemode="nonnegative")  # bars withheld in every band still read from 0, not -1 to 1
    return style(figure, chart.title, "Age band (years)", "Referrals")


def age_band_trend(chart: Chart) -> go.Figure:
    """Small multiples: one panel per age band, a line per gender group over the quarters."""
    over_time, bands = chart.data, chart.options["bands"]
    series = over_time.numeric.assign(_text=over_time.hover_text(ident.REFERRALS))
    figure = make_subplots(rows=1, cols=len(bands), shared_yaxes=True, subplot_titles=markup_free_all(bands),
                           horizontal_spacing=0.02)
    for column, band in enumerate(bands, start=1):
        for gender in ident.genders_shown(over_time):
            line = series[(series[ident.AGE_BAND] == band) & (series[ident.GENDER] == gender)]
            figure.add_trace(go.Scatter(
                x=line[ident.QUARTER], y=line[ident.REFERRALS], mode="lines+markers", name=gender,
                legendgroup=gender, showlegend=column == 1, marker={"size": 5},
                line={"color": GENDER_COLOURS.get(gender, GREY)}, customdata=line["_text"],
                hovertemplate=f"{markup_free(gender)}, aged {markup_free(band)}, %{{x}}: %{{customdata}} referrals"
                              "<extra></extra>"),
                row=1, col=column)
    figure.update_xaxes(showticklabels=False, type="category")
    style(figure, chart.title, height=380)
    figure.update_yaxes(gridcolor="#EEEEEE", showgrid=True)
    figure.update_yaxes(title_text="Referrals per quarter", row=1, col=1)
    figure.update_layout(margin={"t": 110}, legend={"y": 1.12})
    return figure
