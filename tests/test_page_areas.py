"""The Areas page on the sample: rates per 10,000, their intervals and comparisons equal pandas on the CSVs."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import chart_titles, data_tables
from scipy.stats import chi2

import published
from factory import numbered, rows
from test_page_age_gender import charts, referrals_between

PAGE = "pages/questions/areas.py"


def byar(count: int, population: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Byar's limits (exact Poisson below 10), written out independently of cseboard.stats."""
    if count < 10:
        low = chi2.ppf(0.025, 2 * count) / 2 if count else 0.0
        high = chi2.ppf(0.975, 2 * count + 2) / 2
    else:
        low = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
        high = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * np.sqrt(count + 1))) ** 3
    return low * 10_000 / population, high * 10_000 / population


@pytest.mark.parametrize("query_params, first, last, equals, population_filter", [
    ({}, "2025-Q4", "2026-Q3", {}, {}),
    ({"gender": "Female", "age": "14-15", "from": "2024-Q4"}, "2024-Q4", "2026-Q3",
     {"gender": "Female", "age_band": "14-15"}, {"gender": "Female", "age_band": "14-15"}),
    ({"area": ["Northgate", "Oakmere"]}, "2025-Q4", "2026-Q3", {}, {}),
])
def test_rates_and_comparisons_match_pandas(app, sample_tables, sample_keys, query_params, first, last, equals,
                                            population_filter):
    at = app(page=PAGE, query_params=query_params)
    chosen_referrals = referrals_between(sample_tables, first, last, **equals)
    population = sample_tables["population"].astype({"children": int})
    for column, value in population_filter.items():
        population = population[population[column] == value]
    children = population.groupby("area").children.sum()
    referrals = {area: published.referrals(rows, sample_keys) for area, rows in chosen_referrals.groupby("area")}
    in_partnership = published.referrals(chosen_referrals[chosen_referrals.area.isin(children.index)], sample_keys)
    partnership = 10_000 * in_partnership / children.sum()
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Referrals in the partnership"] == published.text(in_partnership)
    assert metrics["Referrals per 10,000 children"] == f"{partnership:,.1f}"

    table = data_tables(at)[0].value.set_index("Area")
    chosen = query_params.get("area", list(children.index))[:1] if "area" in query_params else list(children.index)
    assert sorted(table.index) == sorted(chosen), "an area filter takes one area (or all)"
    for area in chosen:
        rate = 10_000 * referrals[area] / children[area]
        low, high = byar(int(referrals[area]), children[area])
        verdict = "significantly higher" if low > partnership else "significantly lower" if high < partnership \
            else "similar"
        assert table.at[area, "Referrals"] == referrals[area]
        assert table.at[area, "Referrals per 10,000 children"] == pytest.approx(rate)
        assert (table.at[area, "95% CI lower"], table.at[area, "95% CI upper"]) == pytest.approx((low, high))
        assert table.at[area, "Against the partnership"] == verdict
    dots, funnel = charts(at)
    assert chart_titles(at)[-1].endswith(("limits", ")")) and len(funnel["data"]) >= 5


@pytest.fixture
def tiny_db(tiny_store):
    """Northgate with 7 referrals, Highcliffe with 2, Riverside with 6 and no population rows."""
    referrals = numbered(rows("referrals", 7, area="Northgate") + rows("referrals", 2, area="Highcliffe")
                         + rows("referrals", 6, area="Riverside"))
    population = [{"area": "Northgate", "age_band": "14-15", "gender": "Female", "children": "900"},
                  {"area": "Highcliffe", "age_band": "14-15", "gender": "Female", "children": "400"}]
    return tiny_store(referrals=referrals, population=population)


def test_counts_are_published_rounded_and_areas_without_population_say_so(app, tiny_db):
    at = app(page=PAGE, db=tiny_db)
    keys = published.record_keys(tiny_db)
    referrals = keys["referrals"].assign(number=keys["referrals"].referral_id.str[1:].astype(int))
    area = {"Northgate": referrals.number <= 7, "Highcliffe": referrals.number.between(8, 9),
            "Riverside": referrals.number >= 10}
    expected = {name: published.referrals(referrals[rows], keys) for name, rows in area.items()}
    table = data_tables(at)[0].value.set_index("Area")
    for name, figure in expected.items():
        assert table.at[name, "Referrals"] == (float("-inf") if figure is None else figure)
    assert table.at["Highcliffe", "Referrals per 10,000 children"] == (
        float("-inf") if expected["Highcliffe"] is None else pytest.approx(expected["Highcliffe"] * 10_000 / 400))
    assert np.isnan(table.at["Riverside", "Referrals per 10,000 children"])
    assert table.at["Riverside", "Against the partnership"] == "population not supplied"
    assert not {2, 2.0, 6, 6.0, 7, 7.0, 50.0} & set(table.to_numpy().ravel())
    dots = charts(at)[0]
    notes = [text for trace in dots["data"] if trace.get("mode") == "text" for text in trace["text"]]
    assert "population not supplied" in notes and all(note in ("c referrals", "population not supplied")
                                                       for note in notes)
    metrics = {metric.label: metric.value for metric in at.metric}
    partnership = published.referrals(referrals, keys)
    assert metrics["Referrals in the partnership"] == published.text(partnership)  # every area, Riverside too


@pytest.mark.parametrize("population, children", [
    ([], "Not supplied"),
    ([{"area": "Northgate", "age_band": "14-15", "gender": "Female", "children": "900"}], "900"),
])
def test_no_population_is_said_to_be_not_supplied_and_never_zero(app, tiny_store, population, children):
    """The referrals are there whether or not a population was supplied: only the rates are not."""
    db = tiny_store(referrals=numbered(rows("referrals", 20, area="Northgate") + rows("referrals", 15, area="Riverside")),
                    population=population)
    at = app(page=PAGE, db=db)
    keys = published.record_keys(db)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Referrals in the partnership"] == published.text(published.referrals(keys["referrals"], keys))
    assert metrics["Children living in the partnership"] == children
    if not population:
        assert metrics["Referrals per 10,000 children"] == "Not supplied"
        assert chart_titles(at)[0].startswith("No population supplied")
    assert "0" not in metrics.values()
    intro = at.caption[0].value
    assert "more or fewer referrals per 10,000 children" in intro and "refer more or fewer children" not in intro
    table = data_tables(at)[0].value.set_index("Area")
    assert table.at["Riverside", "Against the partnership"] == "population not supplied"
    assert np.isnan(table.at["Riverside", "Referrals per 10,000 children"])


def test_a_filter_that_matches_nothing_says_so(app, tiny_db):
    at = app(page=PAGE, db=tiny_db, query_params={"gender": "Other"})
    assert not at.get("plotly_chart")
    assert any("No referrals match" in info.value for info in at.info)
