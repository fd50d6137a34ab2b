"""SPC on the headline measures (questions/trends): the summary equals XmR limits worked out in pandas from the
sample's CSVs for two filter settings; withheld quarters are left out; the chart colours special-cause points."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import published
from cseboard.display import charts
from cseboard.display.drawings import spc as spc_drawing
from cseboard.filters import Filters
from cseboard.periods import shift_quarter
from cseboard.methods import spc
from cseboard.methods.disclosure import DEFAULT_POLICY, DisclosurePolicy
from cseboard.questions import trends
from cseboard.questions.section import figures
from cseboard.store.database import Store
from cseboard.store.queries import fetcher
from test_page_age_gender import referrals_between

SETTINGS = [
    (Filters("2023-Q4", "2026-Q3"), {}),
    (Filters("2025-Q1", "2025-Q4", areas=("Northgate",)), {"area": ("Northgate",)}),
]


@pytest.fixture(scope="module")
def fetch(sample_db):
    opened = Store(sample_db)  # as the app opens it: DuckDB refuses a differently configured second connection
    yield fetcher(opened)
    opened.close()


def pandas_measures(sample_tables, sample_keys, filters: Filters, equals: dict) -> dict[str, pd.Series]:
    """Referrals, children and the boys' share per quarter as published, from the CSVs and the record keys; withheld
    quarters left out."""
    chosen = referrals_between(sample_tables, filters.first_quarter, filters.last_quarter)
    for column, values in equals.items():
        chosen = chosen[chosen[column].isin(values)]
    by_quarter = {quarter: rows for quarter, rows in chosen.groupby("quarter")}
    referrals = {quarter: published.referrals(rows, sample_keys) for quarter, rows in by_quarter.items()}
    children = {quarter: published.children(rows, sample_keys) for quarter, rows in by_quarter.items()}
    boys = {quarter: published.children(rows[rows.gender == "Male"], sample_keys) for quarter, rows in by_quarter.items()}
    shares = {quarter: 100 * min(boys[quarter], children[quarter]) / children[quarter] for quarter in by_quarter
              if boys[quarter] is not None and children[quarter] is not None}
    return {"Referrals": pd.Series(referrals, dtype=float).dropna(),
            "Children referred": pd.Series(children, dtype=float).dropna(),
            "Boys, as a share of children referred": pd.Series(shares, dtype=float)}


def xmr_by_hand(values: pd.Series) -> tuple[float, float, float]:
    ranges = values.diff().abs().dropna()
    kept = ranges[ranges < 3.267 * ranges.mean()]
    return values.mean(), values.mean() - 2.66 * kept.mean(), values.mean() + 2.66 * kept.mean()


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "one area"])
def test_spc_summary_matches_xmr_limits_from_pandas(fetch, sample_tables, sample_keys, filters, equals):
    answered = trends.section(fetch, filters, DEFAULT_POLICY, rebase_at=())
    summary = figures(answered.blocks)[0].table.numeric.set_index(trends.MEASURE)
    three_years = filters.with_period(shift_quarter(filters.last_quarter, -11), filters.last_quarter)
    for measure, values in pandas_measures(sample_tables, sample_keys, three_years, equals).items():
        mean, lower, upper = xmr_by_hand(values)
        row = summary.loc[measure]
        assert row[trends.LATEST_QUARTER] == values.index[-1] == filters.last_quarter
        assert row[trends.LATEST] == pytest.approx(values.iloc[-1], abs=0.051)
        assert (row[trends.MEAN], row[trends.LOWER], row[trends.UPPER]) == pytest.approx((mean, lower, upper), abs=0.051)
    assert answered.title == answered.blocks[0].text


def test_a_rebase_recorded_in_the_settings_starts_new_limits(fetch, monkeypatch):
    monkeypatch.setenv("CSEBOARD_SPC_REBASE", "2025-Q2")
    answered = trends.section(fetch, Filters("2023-Q4", "2026-Q3"), DEFAULT_POLICY)
    chart = next(figure.chart.data for figure in figures(answered.blocks) if figure.chart is not None)
    assert chart.group.tolist() == [0] * 6 + [1] * 6
    assert chart.trial_limits.all()


def test_withheld_quarters_are_left_out_of_the_chart():
    by_quarter = pd.DataFrame({"quarter": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"], "referrals": [20, 3, 22, 25],
                               "children": [18, 3, 20, 22], "boys": [4, 1, 5, 6],
                               "children_missing_before_referral": [2, 0, 3, 3], "high_risk_referrals": [5, 1, 6, 6],
                               "staff_trained": [50, 50, 50, 50], "staff_in_scope": [100, 100, 100, 100]})
    for count in ("referrals", "children", "boys", "children_missing_before_referral", "high_risk_referrals"):
        by_quarter[f"{count}_ckey"] = 255  # the highest key: every count rounded down, 3 to 0 (withheld)
    measures = trends.protected_measures(by_quarter, ["2024-Q4", *by_quarter.quarter], DisclosurePolicy())
    drawn = trends.measure_charts(measures, trends.measure_settings())
    assert drawn["Referrals"].period.tolist() == ["2025-Q1", "2025-Q3", "2025-Q4"]
    assert drawn["Referrals"]["mean"].iloc[0] == pytest.approx(np.mean([20, 20, 25]))
    assert drawn["Boys, as a share of children referred"].period.tolist() == ["2025-Q3", "2025-Q4"]  # 4 boys: c


def test_card_sentence_names_variation_assurance_and_trial_limits():
    chart = spc.spc(pd.Series([10.0, 12, 10, 12, 10, 12], index=list("abcdef")), spc.INCREASE)
    assert trends.card_sentence(chart, trends.Measure(spc.INCREASE, 40.0)) == (
        "Common cause variation; consistently fails the target (trial limits: fewer than 12 quarters)")
    assert trends.card_sentence(chart, trends.Measure(spc.NEUTRAL)) == (
        "Common cause variation (trial limits: fewer than 12 quarters)")


def test_xmr_chart_colours_special_cause_points_and_shows_the_icons():
    values = pd.Series([8.0, 16] * 6 + [60], index=[f"Q{i}" for i in range(13)])
    chart = trends.Chart("spc.xmr", "A <b>title</b>", spc.spc(values, spc.DECREASE), {"target": -20.0,
                                                                                     "improvement": spc.DECREASE})
    drawn = charts.draw(chart)
    concern = [trace for trace in drawn.data if trace.name == "Special cause: concern"]
    assert len(concern) == 1 and list(concern[0].y) == [60] and concern[0].marker.color == spc_drawing.ORANGE
    assert {annotation.text for annotation in drawn.layout.annotations} == {"<b>!</b>", "<b>F</b>"}
    assert "&lt;b&gt;" in drawn.layout.title.text


def test_icon_svg_escapes_its_label():
    svg = spc_drawing.icon_svg("<", "#000", 'a "label" <b>')
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&quot;label&quot;" in svg
    assert spc_drawing.assurance_svg(spc.NO_TARGET) is None
    assert "special cause: improvement" in spc_drawing.variation_svg(spc.IMPROVEMENT)


def test_home_page_shows_the_spc_summary_under_its_cards(app):
    at = app()
    assert "SPC summary" in [header.value for header in at.header]
    summary = next(table.value for table in at.dataframe if trends.VARIATION in table.value.columns)
    assert len(summary) == len(trends.measure_settings())
    assert set(summary[trends.VARIATION]) <= set(spc.VARIATION_WORDS.values()) | {"too few quarters shown"}


def test_home_cards_show_each_measures_spc_icon_and_sentence(app):
    at = app()
    summary = next(table.value for table in at.dataframe if trends.VARIATION in table.value.columns)
    signals = [element.proto.body for element in at.get("html") if "spc-signal" in element.proto.body]
    assert len(signals) == len(at.metric) == len(summary)
    by_measure = summary.set_index(trends.MEASURE)
    for body, metric in zip(signals, at.metric):  # each card's signal is drawn right under it
        variation, assurance = by_measure.loc[metric.label, [trends.VARIATION, trends.ASSURANCE]]
        assert f'aria-label="{variation}"' in body and f"<span>{variation.capitalize()}" in body
        assert (f'aria-label="{assurance}"' in body) == (assurance in spc.ASSURANCE_WORDS.values()
                                                         and assurance != spc.ASSURANCE_WORDS[spc.NO_TARGET])


def test_card_signals_name_no_icon_for_a_measure_with_too_few_quarters():
    charts = {"Referrals": spc.spc(pd.Series([5.0], index=["2026-Q3"]), spc.NEUTRAL),
              "Workforce trained in CSE, all agencies": spc.spc(pd.Series([50.0, 60, 55], index=list("abc")),
                                                                spc.INCREASE)}
    signals = trends.card_signals(charts)
    assert signals["Referrals"].variation is None and signals["Referrals"].sentence.startswith("Too few quarters")
    trained = signals["Workforce trained in CSE, all agencies"]
    assert (trained.variation, trained.assurance) == (spc.COMMON_CAUSE, spc.assurance(
        charts["Workforce trained in CSE, all agencies"], trends.measure_settings()[
            "Workforce trained in CSE, all agencies"].target, spc.INCREASE))
    drawn = spc_drawing.signal_html(trained)
    assert 'aria-label="common cause variation"' in drawn and "<span>Common cause variation" in drawn
