"""The Age and gender page on the sample: the share of boys, funnel points and age bands equal pandas on the CSVs."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import published
from conftest import data_tables, decoded
from factory import numbered, rows

PAGE = "pages/questions/age_gender.py"
Z95 = 1.959963984540054


def referrals_between(sample_tables, first: str, last: str, **equals) -> pd.DataFrame:
    """The sample's referrals in a run of quarters, with quarter and age band worked out in pandas."""
    referrals = sample_tables["referrals"].copy()
    referrals["quarter"] = pd.to_datetime(referrals.referral_date).dt.to_period("Q").astype(str).str.replace("Q", "-Q")
    age = referrals.age_at_referral.astype(int)
    referrals["age_band"] = np.select([age < 10, age < 12, age < 14, age < 16], ["Under 10", "10-11", "12-13", "14-15"],
                                      "16-17")
    chosen = referrals[(referrals.quarter >= first) & (referrals.quarter <= last)]
    for column, value in equals.items():
        chosen = chosen[chosen[column] == value]
    return chosen


def wilson(boys: int, children: int) -> tuple[float, float]:
    p = boys / children
    centre = (p + Z95**2 / (2 * children)) / (1 + Z95**2 / children)
    half = Z95 * np.sqrt(p * (1 - p) / children + Z95**2 / (4 * children**2)) / (1 + Z95**2 / children)
    return centre - half, centre + half


def pct(value: float) -> str:
    return f"{value:.1f}%".replace(".0%", "%")


def charts(at) -> list[dict]:
    return [decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def shown_values(at) -> set:
    """Every value in every table on the page (withheld cells are -inf, shown as the symbol)."""
    return {value for table in data_tables(at) for value in table.value.to_numpy().ravel()}


def points(chart: dict) -> dict[str, tuple[float, float]]:
    """Funnel points by name: (size, value), read from the hover text that starts with the bold name."""
    found = {}
    for trace in chart["data"]:
        if "markers" in trace.get("mode", "") and trace.get("customdata"):
            for x, y, hover in zip(trace["x"], trace["y"], trace["customdata"]):
                found[hover.split("</b>")[0].removeprefix("<b>")] = (x, y)
    return found


CASES = [
    ({}, "2025-Q4", "2026-Q3", {}),
    ({"area": "Northgate", "from": "2024-Q1", "to": "2025-Q4"}, "2024-Q1", "2025-Q4", {"area": "Northgate"}),
    ({"source": "Police", "from": "2023-Q4"}, "2023-Q4", "2026-Q3", {"referral_source": "Police"}),
]


@pytest.mark.parametrize("query_params, first, last, equals", CASES)
def test_share_of_boys_and_verdict_match_pandas(app, sample_tables, sample_keys, query_params, first, last, equals):
    at = app(page=PAGE, query_params=query_params)
    chosen = referrals_between(sample_tables, first, last, **equals)
    children = published.children(chosen, sample_keys)
    boys = min(published.children(chosen[chosen.gender == "Male"], sample_keys), children)
    lower, upper = wilson(boys, children)
    verdict = ("significantly below the" if upper < 0.33 else "significantly above the" if lower > 0.33
               else "no evidence of a difference from the")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Children referred"] == f"{children:,.0f}"
    assert metrics["Boys referred"] == published.text(published.children(chosen[chosen.gender == "Male"], sample_keys))
    assert metrics["Boys, % of children referred"] == f"{100 * boys / children:.1f}%"
    assert at.header[0].value == (f"Boys are {pct(100 * boys / children)} of children referred (95% CI "
                                     f"{pct(100 * lower)} to {pct(100 * upper)}): {verdict} 33% benchmark")


@pytest.mark.parametrize("query_params, first, last, equals", CASES[:2])
def test_funnel_points_and_age_bars_match_pandas(app, sample_tables, sample_keys, query_params, first, last, equals):
    at = app(page=PAGE, query_params=query_params)
    chosen = referrals_between(sample_tables, first, last, **equals)
    _, trend, funnel, bars, *_ = charts(at)  # SPC charts come first, the charts as reported a tab away
    shown = points(funnel)
    assert shown, "no funnel point is shown"
    for area, (size, share) in shown.items():
        in_area = chosen[chosen.area == area]
        children = published.children(in_area, sample_keys)
        boys = published.children(in_area[in_area.gender == "Male"], sample_keys)
        assert size == children
        assert share == pytest.approx(100 * min(boys, children) / children)
    merged = chosen.gender.replace({"Other": "Other or not known", "Not known": "Other or not known"})
    for trace in bars["data"]:
        assert trace["x"] == ["Under 10", "10-11", "12-13", "14-15", "16-17"]
        for band, value, text in zip(trace["x"], trace["y"], trace["customdata"]):
            expected = published.referrals(chosen[(chosen.age_band == band) & (merged == trace["name"])], sample_keys)
            assert (value, text) == ((0, "c") if expected is None else (expected, f"{expected:.0f}"))
    quarters = [q for q in trend["data"] if q.get("name") == "Boys"][0]
    assert quarters["x"][0] == first and quarters["x"][-1] == last


def test_benchmark_input_and_funnel_by_referral_source(app, sample_tables, sample_keys):
    at = app(page=PAGE)
    at.number_input(key="age_gender_benchmark").set_value(10.0).run()
    assert at.header[0].value.endswith("significantly above the 10% benchmark")
    at.radio(key="age_gender_funnel_by").set_value("referral_source").run()
    chosen = referrals_between(sample_tables, "2025-Q4", "2026-Q3", referral_source="Youth justice")
    children = published.children(chosen, sample_keys)
    boys = published.children(chosen[chosen.gender == "Male"], sample_keys)
    size, share = points(charts(at)[2])["Youth justice"]
    assert (size, share) == (children, pytest.approx(100 * min(boys, children) / children))


@pytest.fixture
def tiny_db(tiny_store):
    """Seven children in Northgate, three of them boys: every boys' figure is small."""
    return tiny_store(referrals=numbered(rows("referrals", 3, gender="Male", age_at_referral="14")
                                         + rows("referrals", 4, gender="Female", age_at_referral="14")))


def test_small_numbers_show_as_published_and_never_as_themselves(app, tiny_db):
    at = app(page=PAGE, db=tiny_db, query_params={"from": "2025-Q1", "to": "2025-Q1"})
    keys = published.record_keys(tiny_db)
    referrals = keys["referrals"].sort_values("referral_id").assign(gender=["Male"] * 3 + ["Female"] * 4)
    boys = published.children(referrals[referrals.gender == "Male"], keys)
    children = published.children(referrals, keys)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Boys referred"] == published.text(boys) in {"c", "5"}
    assert metrics["Children referred"] == published.text(children) in {"5", "10"}
    assert metrics["Boys, % of children referred"] == published.percent(boys, children)
    shown = shown_values(at)
    assert not shown & {3, 4, 7, 3.0, 4.0, 7.0}
    assert not any(isinstance(value, float) and 42 < value < 43 for value in shown)
    bars = next(chart for chart in charts(at) if chart["data"][0]["type"] == "bar")
    for trace in bars["data"]:
        expected = published.referrals(referrals[referrals.gender == trace["name"]], keys)
        assert trace["y"][3] == (expected or 0) and trace["customdata"][3] == published.text(expected)


def test_a_filter_that_matches_nothing_says_so(app, tiny_db):
    at = app(page=PAGE, db=tiny_db, query_params={"gender": "Other"})
    assert not at.get("plotly_chart")
    assert any("No referrals match" in info.value for info in at.info)


@pytest.mark.parametrize("query_params, first, last, equals", [CASES[0], CASES[1]])
def test_the_spc_chart_of_the_share_of_boys_matches_pandas(app, sample_tables, sample_keys, query_params, first, last,
                                                            equals):
    """Three years to the last quarter chosen (the sample starts in 2023-Q4): each quarter's share of boys from the
    published counts, the page's own chart a tab away."""
    at = app(page=PAGE, query_params=query_params)
    chosen = referrals_between(sample_tables, "2023-Q4", last, **equals)
    expected = {}
    for quarter, in_quarter in chosen.groupby("quarter"):
        if quarter < f"{int(last[:4]) - 3}{last[4:]}":
            continue
        children = published.children(in_quarter, sample_keys)
        boys = published.children(in_quarter[in_quarter.gender == "Male"], sample_keys)
        if children and boys is not None:
            expected[quarter] = pytest.approx(100 * min(boys, children) / children)
    spc = next(chart for chart in charts(at) if any(trace.get("name") == "Mean" for trace in chart["data"]))
    line = next(trace for trace in spc["data"] if trace.get("name") == "Figures as published")
    assert dict(zip(line["x"], line["y"])) == expected
    assert [tab.label for tab in at.tabs][:2] == ["SPC chart", "As reported"]
