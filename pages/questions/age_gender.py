"""Age and gender: how referrals spread over age bands for boys and girls, and whether boys are under-identified."""
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from cseboard.display import charts, ui

from cseboard.questions import identification as ident
from cseboard.config import BOYS_BENCHMARK_SOURCE, settings
from cseboard.contract import AGE_BANDS

filters = ui.page_header(
    "Age and gender",
    "Are boys under-identified? The share of boys among children referred, against a benchmark, over time, "
    "by area and by referral source; and how referrals spread over age bands for boys and girls.",
)
counts = ui.query("age_gender_boys_share", filters) if filters is not None else None
if counts is not None and not counts.children.any():
    ui.no_data()
elif counts is not None:
    policy = ui.policy()
    benchmark = st.number_input(
        "Benchmark: the share of children referred we would expect to be boys (%)", min_value=1.0, max_value=99.0,
        value=100 * settings().boys_benchmark, step=1.0, format="%.0f", key="age_gender_benchmark",
        help="Set it to your partnership's own expectation if you have one.") / 100
    st.caption(f"Default benchmark {ident.percent(100 * settings().boys_benchmark)}. Source: {BOYS_BENCHMARK_SOURCE} "
               "Children are counted once (distinct children, not referrals), as boys if a referral records them as "
               "Male. Intervals are 95% Wilson score intervals.")
    if filters.genders:
        st.warning("The gender filter is set, so the share of boys covers only the genders chosen.", icon="⚠️")

    overall = ident.boys_shares(counts, "all", benchmark, policy)
    by_quarter = ident.boys_shares(counts, "quarter", benchmark, policy, groups_in_order=filters.quarters())
    target = 100 * benchmark
    quarter = ident.BREAKDOWN_LABELS["quarter"]

    st.subheader(ident.headline_title(overall, benchmark))
    left, middle, right = st.columns(3)
    left.metric("Children referred", ui.metric_value(overall, ident.CHILDREN), border=True)
    middle.metric("Boys referred", ui.metric_value(overall, ident.BOYS), border=True)
    right.metric("Boys, % of children referred", ui.metric_value(overall, ident.SHARE, suffix="%"), border=True,
                 help=f"95% CI {ui.metric_value(overall, ident.LOWER, suffix='%')} to "
                      f"{ui.metric_value(overall, ident.UPPER, suffix='%')}; benchmark {ident.percent(target)}.")
    ui.data_table(overall, key="age_gender_overall", file_name="boys_share_overall")

    trend = by_quarter.numeric
    figure = None if charts.nothing_to_draw(by_quarter, [ident.SHARE]) else go.Figure([
        go.Scatter(x=trend[quarter], y=trend[ident.UPPER], mode="lines", line={"width": 0}, hoverinfo="skip",
                   showlegend=False),
        go.Scatter(x=trend[quarter], y=trend[ident.LOWER], mode="lines", line={"width": 0}, fill="tonexty",
                   fillcolor="rgba(0, 114, 178, 0.18)", hoverinfo="skip", name="95% confidence interval"),
        go.Scatter(x=trend[quarter], y=trend[ident.SHARE], mode="lines+markers", name="Boys",
                   line={"color": charts.GENDER_COLOURS["Male"], "width": 2.5},
                   customdata=list(zip(by_quarter.hover_text(ident.SHARE), by_quarter.hover_text(ident.BOYS),
                                       by_quarter.hover_text(ident.CHILDREN), trend[ident.VERDICT])),
                   hovertemplate="%{x}: boys %{customdata[0]}% (%{customdata[1]} of %{customdata[2]} children)"
                                 "<br>%{customdata[3]}<extra></extra>"),
        go.Scatter(x=trend[quarter], y=[target] * len(trend), mode="lines", name=f"Benchmark {ident.percent(target)}",
                   line={"color": charts.BENCHMARK_COLOUR, "dash": "dash", "width": 1.5}, hoverinfo="skip"),
    ])
    if figure is None:
        ui.too_small("Share of boys by quarter")
    else:
        figure.update_yaxes(rangemode="tozero", ticksuffix="%")
        st.plotly_chart(charts.style(figure, ident.trend_title(by_quarter, benchmark), "Quarter",
                                     "Boys, % of children referred"), key="age_gender_trend_chart")
    ui.data_table(by_quarter, key="age_gender_trend", file_name="boys_share_by_quarter")

    breakdown = st.radio("Compare the share of boys by", ["area", "referral_source"], horizontal=True,
                         format_func=ident.BREAKDOWN_LABELS.get, key="age_gender_funnel_by")
    shares = ident.boys_shares(counts, breakdown, benchmark, policy)
    label = ident.BREAKDOWN_LABELS[breakdown]
    if charts.nothing_to_draw(shares, [ident.SHARE]):
        ui.too_small(f"Share of boys by {label.lower()}")
    else:
        st.plotly_chart(charts.funnel_plot(
            shares.numeric, label=label, size=ident.CHILDREN, value=ident.SHARE, position=ident.POSITION,
            hover=ident.funnel_hover(shares, label), limits=ident.share_limits(benchmark), centre=target,
            centre_label=f"Benchmark {ident.percent(target)}", title=ident.funnel_title(shares, breakdown),
            x_title="Children referred (distinct children)", y_title="Boys, % of children referred"),
            key="age_gender_funnel_chart")
    hidden = shares.numeric[shares.numeric[ident.SHARE].isna()][label].tolist()
    st.caption("Points outside the dashed (95%) or dotted (99.8%) limits differ from the benchmark by more than "
               "chance would explain; the funnel narrows as more children are referred."
               + (f" Not shown, as numbers are too small: {', '.join(hidden)}." if hidden else ""))
    ui.data_table(shares, key=f"age_gender_funnel_{breakdown}", file_name=f"boys_share_by_{breakdown}")

    referrals = ui.query("age_gender_referrals", filters)
    bands = [band for band in AGE_BANDS if band in filters.age_bands or not filters.age_bands]
    by_band = ident.age_gender_table(referrals, bands, policy)
    cells = by_band.numeric[by_band.numeric[ident.AGE_BAND] != "Total"]
    genders = ident.genders_present(referrals)
    figure = go.Figure()
    for gender in genders:
        heights, labels = charts.bar_heights(by_band, gender, cells.index)
        figure.add_trace(go.Bar(
            x=cells[ident.AGE_BAND], y=heights, name=gender, marker_color=charts.GENDER_COLOURS.get(gender, charts.GREY),
            customdata=by_band.hover_text(gender)[cells.index], text=labels, textposition="outside", cliponaxis=False,
            hovertemplate=f"{gender}, aged %{{x}}: %{{customdata}} referrals<extra></extra>"))
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=bands)
    figure.update_yaxes(rangemode="nonnegative")  # bars withheld in every band still read from 0, not -1 to 1
    st.plotly_chart(charts.style(figure, ident.age_band_title(by_band), "Age band (years)", "Referrals"),
                    key="age_gender_bands_chart")
    ui.data_table(by_band, key="age_gender_bands", file_name="referrals_by_age_band_and_gender")

    over_time = ident.age_band_quarters(referrals, filters.quarters(), bands, policy)
    if charts.nothing_to_draw(over_time, [ident.REFERRALS]):
        ui.too_small("Referrals by age band each quarter")
        ui.data_table(over_time, key="age_gender_band_trend", file_name="referrals_by_quarter_age_band_gender")
        st.stop()
    series = over_time.numeric.assign(_text=over_time.hover_text(ident.REFERRALS))
    figure = make_subplots(rows=1, cols=len(bands), shared_yaxes=True, subplot_titles=bands, horizontal_spacing=0.02)
    for column, band in enumerate(bands, start=1):
        for gender in ident.genders_shown(over_time):
            line = series[(series[ident.AGE_BAND] == band) & (series[ident.GENDER] == gender)]
            figure.add_trace(go.Scatter(
                x=line[ident.QUARTER], y=line[ident.REFERRALS], mode="lines+markers", name=gender,
                legendgroup=gender, showlegend=column == 1, marker={"size": 5},
                line={"color": charts.GENDER_COLOURS.get(gender, charts.GREY)}, customdata=line["_text"],
                hovertemplate=f"{gender}, aged {band}, %{{x}}: %{{customdata}} referrals<extra></extra>"),
                row=1, col=column)
    figure.update_xaxes(showticklabels=False, type="category")
    charts.style(figure, ident.age_band_trend_title(over_time), height=380)
    figure.update_yaxes(gridcolor="#EEEEEE", showgrid=True)
    figure.update_yaxes(title_text="Referrals per quarter", row=1, col=1)
    figure.update_layout(margin={"t": 110}, legend={"y": 1.12})
    st.plotly_chart(figure, key="age_gender_band_trend_chart")
    st.caption(f"Each panel is one age band, from {filters.first_quarter} (left) to {filters.last_quarter} (right). "
               "Gaps are quarters whose numbers are too small to show.")
    ui.data_table(over_time, key="age_gender_band_trend", file_name="referrals_by_quarter_age_band_gender")
