"""SPC small multiples on the pages' multi-series trends: each panel's points, mean and process limits equal an XmR
chart worked out in pandas from the sample's CSVs and the record keys (each quarter's figure as published; withheld
quarters left out), over the three years to the last quarter chosen, for two filter settings each."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import published
from cseboard.contract import CRIME_LABELS, REFERRAL_SOURCES, VULNERABILITY_LABELS
from cseboard.display import charts
from cseboard.display.drawings import spc as spc_drawing
from cseboard.filters import Filters
from cseboard.methods import spc
from cseboard.methods.disclosure import DEFAULT_POLICY
from cseboard.periods import shift_quarter
from cseboard.questions import fairness, identification, linked, sources, trends
from cseboard.questions.section import Figure, Note, Tabs, figures
from cseboard.store.database import Store
from cseboard.store.queries import fetcher
from test_page_age_gender import referrals_between
from test_trends import xmr_by_hand

ALL = Filters("2025-Q4", "2026-Q3")
NORTHGATE = Filters("2024-Q1", "2025-Q4", areas=("Northgate",))  # looks back to 2023-Q1: the sample starts in Q4
POLICE = Filters("2024-Q3", "2025-Q4", sources=("Police",))
SETTINGS = [(ALL, {}), (NORTHGATE, {"area": "Northgate"}), (POLICE, {"referral_source": "Police"})]
IDS = ["all", "Northgate", "Police"]


@pytest.fixture(scope="module")
def fetch(sample_db):
    opened = Store(sample_db)  # as the app opens it: DuckDB refuses a differently configured second connection
    yield fetcher(opened)
    opened.close()


def three_years(sample_tables, filters: Filters, equals: dict) -> pd.DataFrame:
    """The sample's referrals matching the filters in the three years to the last quarter chosen."""
    return referrals_between(sample_tables, shift_quarter(filters.last_quarter, -11), filters.last_quarter, **equals)


def by_quarter(chosen: pd.DataFrame, figure: Callable[[pd.DataFrame], float | None]) -> pd.Series:
    """A series' figure as published each quarter that has a referral matching the filters; withheld left out."""
    values = {quarter: figure(rows) for quarter, rows in chosen.groupby("quarter")}
    return pd.Series({quarter: value for quarter, value in values.items() if value is not None}, dtype=float)


def panel_figure(blocks, key: str) -> Figure:
    """A section's SPC small multiples, found by key under its tabs."""
    return next(figure for figure in figures(blocks) if figure.key == key)


def assert_panels_match(figure: Figure, label: str, value: str, expected: dict[str, pd.Series]) -> None:
    """Every series with two quarters shown and limits apart from its mean has a panel whose points, mean and limits
    equal pandas'; no other has."""
    drawn = {name: rows.set_index(trends.QUARTER) for name, rows in figure.table.numeric.groupby(label, sort=False)}
    chartable = {name for name, values in expected.items()
                 if len(values) >= 2 and xmr_by_hand(values)[2] - xmr_by_hand(values)[1] > 1e-9}
    assert set(drawn) == chartable and drawn, (set(drawn) ^ chartable)  # which depends on the store's secret keys
    for name, rows in drawn.items():
        values = expected[name]
        mean, lower, upper = xmr_by_hand(values)
        assert rows.index.tolist() == values.index.tolist(), name
        assert rows[value].tolist() == pytest.approx(values.round(1).tolist(), abs=0.051), name
        for column, by_hand in ((trends.MEAN, mean), (trends.LOWER, lower), (trends.UPPER, upper)):
            assert rows[column].tolist() == pytest.approx([by_hand] * len(rows), abs=0.051, nan_ok=True), (name, column)
        assert set(rows[trends.TRIAL]) == {"yes" if len(values) < 12 else "no"}
    chart = figure.chart.data
    assert set(chart.panel) == set(drawn)
    assert [name for name in figure.chart.options["panels"] if name in drawn] == list(drawn)


@pytest.mark.parametrize("filters, equals", SETTINGS[:2], ids=IDS[:2])
def test_referrals_by_source_panels_match_pandas(fetch, sample_tables, sample_keys, filters, equals):
    chosen = three_years(sample_tables, filters, equals)
    expected = {source: by_quarter(chosen, lambda rows, source=source: published.referrals(
        rows[rows.referral_source == source], sample_keys))
        for source in dict.fromkeys([*REFERRAL_SOURCES, *sorted(chosen.referral_source)])}
    answered = sources.section(fetch, filters, DEFAULT_POLICY)
    assert_panels_match(panel_figure(answered.blocks, "sources_trend_spc"), sources.SOURCE, sources.REFERRALS, expected)


@pytest.mark.parametrize("filters, equals", SETTINGS[:2], ids=IDS[:2])
def test_referrals_by_age_band_and_gender_panels_match_pandas(fetch, sample_tables, sample_keys, filters, equals):
    chosen = three_years(sample_tables, filters, equals)
    chosen = chosen.assign(gender=chosen.gender.map(identification.GENDER_GROUPS))
    expected = {identification.band_group(gender, band): by_quarter(
        chosen[(chosen.gender == gender) & (chosen.age_band == band)],
        lambda rows: published.referrals(rows, sample_keys))
        for gender in ("Male", "Female", identification.OTHER_OR_NOT_KNOWN)
        for band in ("Under 10", "10-11", "12-13", "14-15", "16-17")}
    answered = identification.section(fetch, filters, DEFAULT_POLICY, 0.33, "area")
    assert_panels_match(panel_figure(answered.blocks, "age_gender_band_trend_spc"), identification.PANEL,
                        identification.REFERRALS, expected)


@pytest.mark.parametrize("filters, equals, kind, column, labels", [
    (ALL, {}, linked.CRIME, "linked_crimes", CRIME_LABELS),
    (NORTHGATE, {"area": "Northgate"}, linked.VULNERABILITY, "vulnerabilities", VULNERABILITY_LABELS),
], ids=IDS[:2])
def test_share_recording_each_item_panels_match_pandas(fetch, sample_tables, sample_keys, filters, equals, kind,
                                                       column, labels):
    chosen = three_years(sample_tables, filters, equals)
    items = list(labels)[:4]

    def share(rows: pd.DataFrame, item: str) -> float | None:
        base = published.referrals(rows, sample_keys)
        count = published.referrals(rows[rows[column].str.split(";").map(lambda recorded: item in recorded)],
                                    sample_keys)
        return None if base is None or count is None else 100 * min(count, base) / base

    expected = {labels[item]: by_quarter(chosen, lambda rows, item=item: share(rows, item)) for item in items}
    answered = linked.section(fetch, filters, DEFAULT_POLICY, kind, [labels[item] for item in items])
    assert_panels_match(panel_figure(answered.blocks, "crimes_trend_spc"), linked.ITEM_HEADINGS[kind], linked.SHARE,
                        expected)


@pytest.mark.parametrize("filters, equals", [SETTINGS[0], SETTINGS[2]], ids=[IDS[0], IDS[2]])
def test_looked_after_share_by_age_band_and_gender_panels_match_pandas(fetch, sample_tables, sample_keys, filters,
                                                                        equals):
    chosen = three_years(sample_tables, filters, equals)
    latest = chosen.assign(looked_after=chosen.looked_after == "yes").sort_values(["referral_date", "referral_id"])
    per_child = latest.groupby(["quarter", "child_id"]).agg(age_band=("age_band", "last"), gender=("gender", "last"),
                                                            looked_after=("looked_after", "any")).reset_index()
    per_child["gender"] = np.where(per_child.gender == "Male", "Boys", "Girls and other genders")

    def share(rows: pd.DataFrame) -> float | None:
        children = published.children(rows, sample_keys)
        looked_after = published.children(rows[rows.looked_after], sample_keys)
        return None if children is None or looked_after is None else 100 * min(looked_after, children) / children

    expected = {identification.band_group(gender, band): by_quarter(
        per_child[(per_child.gender == gender) & (per_child.age_band == band)], share)
        for gender in ("Boys", "Girls and other genders") for band in ("Under 10", "10-11", "12-13", "14-15", "16-17")}
    tabs = next(block for block in fairness.section(fetch, filters, DEFAULT_POLICY).blocks if isinstance(block, Tabs))
    assert tabs.labels == ("SPC chart", "As reported")
    assert [figure.key for figure in figures(tabs.tabs[0])] == ["fairness_looked_after_spc",
                                                                "fairness_looked_after_panels_spc"]
    assert_panels_match(panel_figure(tabs.tabs[0], "fairness_looked_after_panels_spc"), fairness.PANEL,
                        fairness.LOOKED_AFTER_SHARE, expected)


SETTING = trends.Measure(spc.NEUTRAL)
PANELS = trends.Panels("Source", "Referrals", "source", "referrals_spc")


def test_withheld_quarters_are_left_out_and_a_series_with_too_few_is_named_not_drawn():
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    series = {"Police": pd.Series([20.0, np.nan, 30.0, 25.0], index=quarters),
              "Self": pd.Series([np.nan, 5.0, np.nan, np.nan], index=quarters)}
    figure = trends.xmr_panels("spc", series, SETTING, PANELS, DEFAULT_POLICY, rebase_at=())
    police = figure.table.numeric.set_index(trends.QUARTER)
    assert police.index.tolist() == ["2025-Q1", "2025-Q3", "2025-Q4"] and set(police.Source) == {"Police"}
    assert police[trends.MEAN].iloc[0] == pytest.approx(25.0)  # the mean of 20, 30 and 25: no zero for the gap
    assert "Too few quarters shown for an XmR chart: Self." in figure.caption
    assert "Police: common cause variation" in figure.alt_text
    assert figure.chart.options["panels"] == ["Police", "Self"]


def test_only_the_chart_as_reported_when_no_series_has_an_xmr_chart():
    raw = Figure("raw")
    few = {"Police": pd.Series([20.0], index=["2025-Q1"])}
    assert trends.with_raw_panels("spc", few, SETTING, PANELS, raw, DEFAULT_POLICY, rebase_at=()) is raw
    tabs = trends.with_raw_panels("spc", {"Police": pd.Series([20.0, 25.0], index=["a", "b"])}, SETTING, PANELS, raw,
                                  DEFAULT_POLICY, rebase_at=())
    assert tabs.labels == ("SPC chart", "As reported") and tabs.tabs[1] == (raw,)
    assert isinstance(tabs.tabs[0][-1], Note) and tabs.tabs[0][-1].text == trends.METHOD


def test_each_panel_has_its_own_limits_coloured_points_and_variation_icon():
    quarters = [f"2025-Q{quarter}" for quarter in range(1, 5)] + [f"2026-Q{quarter}" for quarter in range(1, 5)]
    series = {"Rising <b>": pd.Series([10.0, 11, 10, 11, 10, 11, 10, 60], index=quarters),
              "Steady": pd.Series([50.0, 55, 50, 55, 50, 55, 50, 55], index=quarters),
              "Gone": pd.Series(np.nan, index=quarters)}
    figure = trends.xmr_panels("spc", series, trends.Measure(spc.INCREASE), PANELS, DEFAULT_POLICY, rebase_at=())
    drawn = charts.draw(figure.chart)
    improvement = [trace for trace in drawn.data if trace.name == spc.VARIATION_WORDS[spc.IMPROVEMENT].capitalize()]
    assert len(improvement) == 1 and list(improvement[0].y) == [60] and improvement[0].xaxis == "x"
    assert improvement[0].marker.color == spc_drawing.BLUE
    means = [trace for trace in drawn.data if trace.legendgroup == "mean"]
    assert [trace.xaxis for trace in means] == ["x", "x2"] and means[1].y[0] == pytest.approx(52.5)
    icons = [note for note in drawn.layout.annotations if note.xref and note.xref.endswith("domain")]
    assert [(note.text, note.xref) for note in icons] == [("<b>+</b>", "x domain"), ("<b>~</b>", "x2 domain")]
    titles = [note.text for note in drawn.layout.annotations if note not in icons]
    assert titles[0] == "Rising &lt;b&gt;" and titles[2].replace("<br>", " ") == "Gone: too few quarters shown"
    assert drawn.layout.xaxis3.visible is False


def test_a_panel_named_in_markup_or_template_syntax_is_shown_as_written():
    series = {"<b>%{y}</b>": pd.Series([10.0, 12, 11], index=["2025-Q1", "2025-Q2", "2025-Q3"])}
    figure = trends.xmr_panels("spc", series, SETTING, PANELS, DEFAULT_POLICY, rebase_at=())
    drawn = charts.draw(figure.chart)
    points = [trace for trace in drawn.data if trace.mode == "markers"]
    assert points and all("%{y}</b>" not in trace.hovertemplate and "&lt;" not in trace.hovertemplate
                          for trace in points)
    assert {item[0] for trace in points for item in trace.customdata} == {"&lt;b&gt;%{y}&lt;/b&gt;, "}
    assert drawn.layout.annotations[0].text == "&lt;b&gt;%{y}&lt;/b&gt;"


def test_a_series_whose_limits_would_collapse_onto_its_mean_is_named_not_drawn():
    """Small published figures rounded to the same value most quarters leave no moving range after the screen: every
    point off the mean would read as special cause, a signal that is only rounding."""
    quarters = [f"{year}-Q{quarter}" for year in (2024, 2025) for quarter in (1, 2, 3, 4)]
    series = {"Police": pd.Series([20.0, 26, 31, 24, 22, 29, 25, 27], index=quarters),
              "Self": pd.Series([5.0, 5, 5, 5, 5, 5, 5, 10], index=quarters)}
    figure = trends.xmr_panels("spc", series, SETTING, PANELS, DEFAULT_POLICY, rebase_at=())
    assert set(figure.table.numeric.Source) == {"Police"}
    assert "too alike to set limits" in figure.caption and "Self" in figure.caption.split("too alike")[1]
    assert figure.chart.options["flat"] == ["Self"]
    assert trends.xmr_line("spc", "Referrals", series["Self"], SETTING) is None
