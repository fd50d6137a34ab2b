"""Linked crimes and vulnerabilities: how often each is recorded on CSE referrals, for whom, and which go together."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cseboard.display import charts, ui

from cseboard.questions import linked
from cseboard.display.charts import GENDER_GROUP_COLOURS
from cseboard.questions.linked import BOTH, COUNT, CRIME, ITEM_HEADINGS, SHARE, VULNERABILITY

KINDS = {"Linked crimes": CRIME, "Vulnerabilities": VULNERABILITY}
TREND_COLOURS = [charts.GREEN, charts.ORANGE, charts.PURPLE, charts.SKY, charts.YELLOW, charts.GREY]


def percent_text(protected, rows=None):
    """Shares as labels ("24.0%"), the symbol where withheld."""
    rows = protected.numeric.index if rows is None else rows
    shown = protected.hover_text(SHARE)[rows]
    return shown.where(protected.mask[SHARE][rows] | (shown == ""), shown + "%")


def share_bars(protected, item: str, rows, name: str, colour: str) -> go.Bar:
    """Horizontal bars of share of referrals; a withheld bar has no length and is labelled with the symbol."""
    heights, labels = charts.bar_heights(protected, SHARE, rows)
    return go.Bar(x=heights, y=protected.numeric.loc[rows, item], orientation="h", name=name, marker_color=colour,
                  text=labels, textposition="outside", cliponaxis=False,
                  customdata=list(zip(percent_text(protected, rows), protected.hover_text(COUNT)[rows],
                                      protected.hover_text(linked.BASE)[rows])),
                  hovertemplate=f"{name}, %{{y}}: %{{customdata[0]}} (%{{customdata[1]}} of %{{customdata[2]}} "
                                "referrals)<extra></extra>")


def heatmap(values: pd.DataFrame, text: pd.DataFrame, colour_title: str, hover: str, title: str,
            x_title: str | None) -> go.Figure:
    """Rows by columns; withheld cells are blank with the symbol as their label, and only shown figures hover."""
    figure = go.Figure(go.Heatmap(
        z=values.to_numpy(dtype=float), x=list(values.columns), y=list(values.index), text=text.to_numpy(),
        texttemplate="%{text}", colorscale="Blues", hoverongaps=False, colorbar={"title": {"text": colour_title}},
        hovertemplate=hover + "<extra></extra>"))
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(tickangle=-30, type="category")
    return charts.style(figure, title, x_title, None, height=160 + 34 * len(values))


filters = ui.page_header(
    "Linked crimes and vulnerabilities",
    "What else is recorded on CSE referrals: the crimes linked to the exploitation and what makes the child more "
    "vulnerable (DfE 2017 guidance), how often, for boys and girls, at what ages, and which are recorded together.",
)
if filters is not None:
    policy = ui.policy()
    rows = ui.query("crimes_by_group", filters)
    if rows.empty:
        ui.no_data()
    else:
        choice = st.segmented_control("Show", list(KINDS), default="Linked crimes", key="crimes_kind") or "Linked crimes"
        kind = KINDS[choice]
        item, words = ITEM_HEADINGS[kind], linked.KIND_WORDS[kind]
        st.caption("**Share of referrals**: referrals matching the filters that record it, out of all those referrals; "
                   "a referral can record several, or none, so shares do not add up to 100%.")

        overall = linked.shares(rows, kind, policy=policy)
        order = overall.numeric[item].tolist()
        if charts.nothing_to_draw(overall, [SHARE]):
            ui.too_small(f"Share of referrals recording each {words}")
        else:
            figure = go.Figure(share_bars(overall, item, overall.numeric.index, "All referrals", charts.GREEN))
            figure.update_yaxes(autorange="reversed")
            figure.update_xaxes(ticksuffix="%", rangemode="tozero")
            st.plotly_chart(charts.style(figure, linked.overall_title(overall, kind), "Share of referrals (%)", None,
                                         height=140 + 28 * len(order)), key="crimes_overall_chart")
        ui.data_table(overall, key="crimes_overall", file_name=f"{kind}_share_of_referrals")

        st.subheader("By quarter")
        by_quarter = linked.shares(rows, kind, "quarter", policy=policy)
        chosen = st.multiselect(f"Which {choice.lower()} to show", order, default=order[:3],
                                key=f"crimes_trend_{kind}")
        figure = go.Figure()
        for colour, label in zip(TREND_COLOURS * 5, chosen):
            series = by_quarter.numeric.index[by_quarter.numeric[item] == label]
            figure.add_trace(go.Scatter(
                x=by_quarter.numeric.loc[series, "Quarter"], y=by_quarter.numeric.loc[series, SHARE],
                mode="lines+markers", name=label, line={"color": colour, "width": 2.5},
                customdata=list(zip(percent_text(by_quarter, series), by_quarter.hover_text(COUNT)[series])),
                hovertemplate=f"{label}, %{{x}}: %{{customdata[0]}} (%{{customdata[1]}} referrals)<extra></extra>"))
        figure.update_yaxes(rangemode="tozero", ticksuffix="%")
        title = linked.trend_title(by_quarter, kind, chosen[0]) if chosen else f"Choose a {words} to see its trend"
        shown_rows = by_quarter.numeric.index[by_quarter.numeric[item].isin(chosen)]
        if chosen and charts.nothing_to_draw(by_quarter, [SHARE], shown_rows):
            ui.too_small(f"Share of referrals recording each {words}, by quarter")
        else:
            st.plotly_chart(charts.style(figure, title, "Quarter referred", "Share of referrals (%)"),
                            key="crimes_trend_chart")
        st.caption("A gap is a quarter withheld (c).")
        ui.data_table(by_quarter, key="crimes_trend", file_name=f"{kind}_by_quarter")

        st.subheader("Boys and girls")
        by_gender = linked.shares(rows, kind, "gender", policy=policy)
        if charts.nothing_to_draw(by_gender, [SHARE]):
            ui.too_small(f"Share of boys' and girls' referrals recording each {words}")
        else:
            figure = go.Figure([share_bars(by_gender, item, by_gender.numeric.index[by_gender.numeric.Gender == group],
                                           group, colour) for group, colour in GENDER_GROUP_COLOURS.items()])
            figure.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
            figure.update_xaxes(ticksuffix="%", rangemode="tozero")
            figure.update_layout(barmode="group")
            st.plotly_chart(charts.style(figure, linked.by_gender_title(by_gender, kind),
                                         "Share of their referrals (%)", None, height=160 + 44 * len(order)),
                            key="crimes_gender_chart")
        st.caption("Each bar is a share of that group's referrals. Children of another or unknown gender are counted "
                   "with girls: they are too few to show apart without withholding boys' figures too.")
        ui.data_table(by_gender, key="crimes_gender", file_name=f"{kind}_by_gender")

        st.subheader("Age")
        by_age = linked.shares(rows, kind, "age_band", policy=policy)
        in_grid = {"index": item, "columns": "Age band"}
        grid = {"index": order, "columns": by_age.numeric["Age band"].unique()}
        values = by_age.numeric.pivot(**in_grid, values=SHARE).reindex(**grid)
        text = by_age.numeric.assign(_text=percent_text(by_age)).pivot(**in_grid, values="_text").reindex(**grid)
        if charts.nothing_to_draw(by_age, [SHARE]):
            ui.too_small(f"Share of referrals recording each {words}, by age band")
        else:
            st.plotly_chart(heatmap(values, text, "%", "%{y}, aged %{x}: %{text} of referrals",
                                    linked.by_age_title(by_age, kind), "Age band at referral"), key="crimes_age_chart")
        st.caption("Each cell is the share of referrals of children in that age band. A blank cell marked c is withheld.")
        ui.data_table(by_age, key="crimes_age", file_name=f"{kind}_by_age_band")

        st.subheader("Recorded together")
        pairs = ui.query("crimes_co_occurrence", filters)
        for tab, other in zip(st.tabs(["Crimes with other crimes", "Crimes with vulnerabilities"]), (CRIME, VULNERABILITY)):
            with tab:
                together = linked.co_occurrence(pairs, other, policy=policy)
                crimes = together.numeric[ITEM_HEADINGS[CRIME]]
                columns = list(together.count_columns)
                text = pd.DataFrame({column: together.hover_text(column) for column in columns}).set_index(crimes)
                if charts.nothing_to_draw(together, columns):
                    ui.too_small("Referrals recording both")
                else:
                    st.plotly_chart(heatmap(together.numeric.set_index(crimes)[columns], text, "Referrals",
                                            f"%{{y}} with %{{x}}: %{{text}} {BOTH.lower()}",
                                            linked.co_occurrence_title(together, other), None),
                                    key=f"crimes_together_{other}_chart")
                st.caption("Each cell counts the referrals recording both. A blank cell marked c is withheld."
                           + (" Each pair is shown once." if other == CRIME else ""))
                ui.data_table(together, key=f"crimes_together_{other}", file_name=f"crimes_with_{other}")
