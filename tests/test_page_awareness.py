"""The Prevention and awareness page under AppTest: its figures equal pandas on the sample's CSVs for two filter
settings (people reached as reported, referral rates from the published referral counts), small counts of people are
shown as they are, and an extract without awareness work says so."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import published
from conftest import chart_titles, data_tables, decoded, texts
from factory import rows
from test_page_age_gender import referrals_between
from test_home import board_findings_on
from test_page_areas import byar

PAGE = "pages/questions/awareness.py"
WITHHELD = float("-inf")  # how ui.sortable hands a withheld cell to st.dataframe
SETTING_WORDS = {"Taxi and private hire": "with taxi and private-hire drivers", "Online": "online",
                 "Licensed premises": "in licensed premises", "Fast food": "with fast-food staff",
                 "Hotels": "with hotel staff", "Security": "with security staff",
                 "Alternative provision": "in alternative provision", "Other": "in other settings",
                 "Secondary school": "in secondary schools", "Primary school": "in primary schools",
                 "Youth group": "in youth groups", "Parents' group": "with parents' groups"}


def awareness_in(sample_tables, first: str, last: str, areas: list[str] | None) -> pd.DataFrame:
    """The sample's awareness rows in a run of quarters (and areas), as numbers, read with pandas alone."""
    work = sample_tables["awareness"].copy()
    work["sessions"] = work.sessions.astype(int)
    work["people_reached"] = work.people_reached.astype(int)
    work["planned_reach"] = pd.to_numeric(work.planned_reach.replace("", np.nan))
    work = work[(work.period >= first) & (work.period <= last)]
    return work[work.area.isin(areas)] if areas else work


def table_with(at, column: str) -> pd.DataFrame:
    return next(frame.value for frame in data_tables(at) if column in frame.value.columns)


def matches(shown: pd.Series, expected: pd.Series) -> None:
    """Shown cells equal the independent figure, every one of them: people reached are shown as reported."""
    pd.testing.assert_series_equal(shown.astype(float), expected.reindex(shown.index, fill_value=0).astype(float),
                                   check_names=False)


CASES = [
    ({}, "2025-Q4", "2026-Q3", None),
    ({"area": "Northgate", "from": "2024-Q1", "to": "2024-Q4"}, "2024-Q1", "2024-Q4", ["Northgate"]),
]


@pytest.mark.parametrize("query_params, first, last, areas", CASES)
def test_reach_by_audience_setting_and_quarter_matches_pandas(app, sample_tables, query_params, first, last, areas):
    at = app(PAGE, query_params=query_params)
    work = awareness_in(sample_tables, first, last, areas)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["People reached"] == f"{work.people_reached.sum():,}"
    assert metrics["Sessions delivered"] == f"{work.sessions.sum():,}"

    by_setting = table_with(at, "Planned reach").set_index(["Audience", "Setting"])
    settings = work.groupby(["audience", "setting"])
    matches(by_setting["People reached"].drop(index="All settings", level=1), settings.people_reached.sum())
    assert by_setting["Sessions delivered"].drop(index="All settings", level=1).to_dict() == settings.sessions.sum().to_dict()
    planned = settings.planned_reach.agg(lambda plans: plans.sum() if plans.notna().all() else np.nan)
    shown_plans = by_setting["Planned reach"].drop(index="All settings", level=1)
    pd.testing.assert_series_equal(shown_plans.astype(float), planned.reindex(shown_plans.index).astype(float),
                                   check_names=False)
    audiences = work.groupby("audience").people_reached.sum()
    matches(by_setting["People reached"].xs("All settings", level=1).drop("All audiences"),
            audiences.reindex(["Children and young people", "Parents and carers", "Communities", "Practitioners"],
                              fill_value=0))

    complete = planned.dropna()
    reached = settings.people_reached.sum()[complete.index]
    assert metrics["Work with a plan: reached, % of plan"] == f"{100 * reached.sum() / complete.sum():.0f}%"

    by_quarter = table_with(at, "Quarter").set_index(["Quarter", "Audience"])
    quarters = work.groupby(["period", "audience"]).people_reached.sum()
    quarters.index = quarters.index.set_names(["Quarter", "Audience"])
    matches(by_quarter["People reached"].drop(index="All audiences", level=1),
            quarters.reindex(by_quarter.drop(index="All audiences", level=1).index, fill_value=0))


@pytest.mark.parametrize("query_params, first, last, areas", CASES)
def test_reach_by_area_beside_the_referral_rate_matches_pandas(app, sample_tables, sample_keys, query_params, first,
                                                              last, areas):
    at = app(PAGE, query_params=query_params)
    work = awareness_in(sample_tables, first, last, areas)
    population = sample_tables["population"].astype({"children": int}).groupby("area").children.sum()
    chosen = referrals_between(sample_tables, first, last)
    referred = {area: published.referrals(rows, sample_keys) for area, rows in chosen.groupby("area")}
    partnership = 10_000 * published.referrals(chosen[chosen.area.isin(population.index)], sample_keys) / (
        population.sum())
    young = work[work.audience == "Children and young people"].groupby("area").people_reached.sum()

    by_area = table_with(at, "Children and young people reached per 10,000 children").set_index("Area")
    named = by_area.drop(index="Not tied to one area", errors="ignore")
    assert sorted(named.index) == sorted(areas or population.index)
    matches(named["People reached"], work[work.area != ""].groupby("area").people_reached.sum())
    matches(named["Children and young people reached"], young.reindex(named.index, fill_value=0))
    assert named["Children and young people reached per 10,000 children"].to_numpy() == pytest.approx(
        (10_000 * young.reindex(named.index, fill_value=0) / population[named.index]).to_numpy())
    for area in named.index:  # the Areas page's published figures (tests/published.py), never the true counts
        low, high = byar(int(referred[area]), population[area])
        assert named.at[area, "Referrals per 10,000 children"] == pytest.approx(
            10_000 * referred[area] / population[area])
        assert named.at[area, "Against the partnership"] == ("significantly higher" if low > partnership else
                                                             "significantly lower" if high < partnership else "similar")
    if areas:
        assert "Not tied to one area" not in by_area.index
    else:
        assert by_area.at["Not tied to one area", "People reached"] == work[work.area == ""].people_reached.sum()


@pytest.mark.parametrize("query_params, first, last, areas", CASES)
def test_settings_with_no_work_in_the_latest_quarter_are_named(app, sample_tables, query_params, first, last, areas):
    at = app(PAGE, query_params=query_params)
    work = awareness_in(sample_tables, last, last, areas)
    active = set(work[work.sessions > 0].setting)
    idle = [words for setting, words in SETTING_WORDS.items() if setting not in active]
    warnings = texts(at.warning)
    for words in idle:
        assert words in warnings
    for setting in active:
        assert f"No awareness work {SETTING_WORDS[setting]} in" not in warnings
    assert f"in {last}" in warnings


def test_the_sample_names_taxi_drivers_and_the_setting_furthest_below_plan(app, sample_tables):
    at = app(PAGE)
    assert "with taxi and private-hire drivers" in texts(at.warning)
    work = awareness_in(sample_tables, "2025-Q4", "2026-Q3", None)
    plans = work.groupby(["audience", "setting"]).agg(reached=("people_reached", "sum"),
                                                      planned=("planned_reach", lambda p: p.sum() if p.notna().all()
                                                               else np.nan)).dropna()
    worst = plans.assign(share=plans.reached / plans.planned).sort_values("share").iloc[0]
    assert chart_titles(at)[0] == (f"Taxi and private-hire drivers reached: {worst.reached:,.0f} of {worst.planned:,.0f} people "
                     f"planned ({100 * worst.share:.0f}%)")


@pytest.fixture
def tiny_db(tiny_store):
    """Awareness work with one small count of people (3 at a fast-food outlet), among larger ones."""
    work = [
        *rows("awareness", 1),
        *rows("awareness", 1, setting="Primary school", people_reached="60"),
        *rows("awareness", 1, audience="Communities", setting="Hotels", people_reached="9", sessions="1"),
        *rows("awareness", 1, audience="Communities", setting="Fast food", people_reached="3", sessions="1"),
        *rows("awareness", 1, audience="Communities", setting="Taxi and private hire", people_reached="14",
              area="Riverside"),
    ]
    return tiny_store(awareness=work)


def test_small_counts_of_people_are_shown_as_reported(app, tiny_db):
    """People at sessions are not children's records: 3 and 9 are shown as they are, in the table and on the chart."""
    at = app(PAGE, db=tiny_db)
    by_setting = table_with(at, "Planned reach").set_index(["Audience", "Setting"])
    assert by_setting.at[("Communities", "Fast food"), "People reached"] == 3
    assert by_setting.at[("Communities", "Hotels"), "People reached"] == 9
    assert not (by_setting == WITHHELD).any().any()
    spec = decoded(json.loads(at.get("plotly_chart")[0].proto.spec))
    bars = [trace for trace in spec["data"] if trace.get("type") == "bar" and trace["name"] == "Communities"][0]
    assert sorted(bars["x"]) == [3, 9, 14]
    assert any("3 people reached" in hover for hover in bars["customdata"])
    assert "shown as reported" in texts(at.caption)


def test_an_extract_without_awareness_work_says_so(app, tiny_store):
    at = app(PAGE, db=tiny_store())
    assert "No prevention or awareness work is recorded" in texts(at.info)
    assert not at.get("plotly_chart")
    assert "Educating parents and carers" in texts(at.caption)


def test_the_home_page_findings_draw_on_awareness_work_and_training(app):
    """Section B as one picture: the home page lists the gap in awareness work beside the training finding."""
    shown = board_findings_on(app())
    assert any(text.startswith("No awareness work") and "with taxi and private-hire drivers" in text for text in shown)
    assert any(text.startswith("Taxi and private-hire drivers reached:") for text in shown)
    assert any("training target" in text for text in shown)
