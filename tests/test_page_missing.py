"""The Missing episodes page on the sample: its figures equal a pandas computation on the CSV files after the
perturbation table; no count of 1 to 4 is shown."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

import published
from conftest import chart_titles, data_tables, decoded
from cseboard.periods import quarter_of, quarters_between
from cseboard.methods.disclosure import WITHHELD_SORT_VALUE
from cseboard.questions import missing
from factory import rows

PAGE = "pages/questions/missing.py"
DEFAULT_QUARTERS = quarters_between("2025-Q4", "2026-Q3")


def with_quarter(frame: pd.DataFrame, date_column: str) -> pd.DataFrame:
    return frame.assign(quarter=pd.to_datetime(frame[date_column]).dt.date.map(quarter_of))


def expected_figures(tables, keys, quarters, referred_only=False, **equals) -> dict[str, str]:
    """The four period figures, from the CSV files and the store's record keys alone."""
    episodes = with_quarter(tables["missing_episodes"], "start_date")
    episodes = episodes[episodes.quarter.isin(quarters)]
    if referred_only:
        referrals = with_quarter(tables["referrals"], "referral_date")
        referrals = referrals[referrals.quarter.isin(quarters)]
        for column, value in equals.items():
            referrals = referrals[referrals[column] == value]
        episodes = episodes[episodes.child_id.isin(referrals.child_id)]
    per_child = episodes.groupby("child_id").size()
    accepted = episodes[episodes.return_interview == "Accepted"]
    returned = pd.to_datetime(accepted.end_date, errors="coerce")
    timely = pd.to_datetime(accepted.return_interview_date, errors="coerce") <= returned + pd.Timedelta(days=3)
    children = published.children(episodes, keys)
    returns = published.episodes(episodes, keys)
    repeat = published.children(episodes[episodes.child_id.isin(per_child[per_child >= 3].index)], keys)
    within = published.episodes(accepted[timely], keys)
    # Of every return, not only of the interviews accepted: an interview should be offered after each.
    return {
        "Missing episodes": published.text(returns),
        "Children who went missing": published.text(children),
        "Went missing 3 or more times": published.percent(repeat, children),
        "Returns with an interview within 72 hours": published.percent(within, returns),
    }


def figures(at) -> list[go.Figure]:
    """The page's plotly figures, with their data arrays decoded."""
    shown = []
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        for trace in spec["data"]:
            trace.update({axis: decoded(trace[axis]) for axis in ("x", "y", "z") if axis in trace})
        shown.append(go.Figure(spec))
    return shown


def chart_with(at, trace_name: str) -> go.Figure:
    """The plotly figure on the page that has a trace of that name."""
    return next(f for f in figures(at) if any(trace.name == trace_name for trace in f.data))


@pytest.mark.parametrize("query_params, referred_only, equals", [
    ({}, False, {}),
    ({"area": "Northgate"}, True, {"area": "Northgate"}),
    ({"gender": "Male", "from": "2024-Q1", "to": "2025-Q4"}, True, {"gender": "Male"}),
])
def test_period_figures_match_pandas(app, sample_tables, sample_keys, query_params, referred_only, equals):
    at = app(PAGE, query_params=query_params)
    if referred_only:
        at.toggle(key="missing_referred_only").set_value(True).run()
    assert not at.exception
    quarters = quarters_between(query_params.get("from", "2025-Q4"), query_params.get("to", "2026-Q3"))
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == expected_figures(sample_tables, sample_keys, quarters, referred_only, **equals)


def test_filters_do_not_apply_to_all_missing_children_until_asked(app, sample_tables, sample_keys):
    at = app(PAGE, query_params={"area": "Northgate"})
    everyone = {metric.label: metric.value for metric in at.metric}
    assert everyone == expected_figures(sample_tables, sample_keys, DEFAULT_QUARTERS)
    assert any("cannot apply to children with none" in caption.value for caption in at.caption)


@pytest.mark.parametrize("query_params, equals", [({}, {}), ({"area": "Riverside"}, {"area": "Riverside"})])
def test_missing_before_referral_by_quarter_matches_pandas(app, sample_tables, sample_keys, query_params, equals):
    at = app(PAGE, query_params=query_params)
    referrals = with_quarter(sample_tables["referrals"], "referral_date")
    for column, value in equals.items():
        referrals = referrals[referrals[column] == value]
    joined = referrals.merge(sample_tables["missing_episodes"][["child_id", "start_date"]], on="child_id", how="left")
    days = (pd.to_datetime(joined.referral_date) - pd.to_datetime(joined.start_date)).dt.days
    joined["before"] = days.between(0, 90)
    children = joined.groupby(["quarter", "child_id"]).agg(boy=("gender", lambda g: (g == "Male").any()),
                                                           before=("before", "any")).reset_index()
    figure = chart_with(at, "All children")
    lines = {trace.name: dict(zip(trace.x, trace.y)) for trace in figure.data}
    compared = 0
    for quarter in DEFAULT_QUARTERS:
        in_quarter = children[children.quarter == quarter]
        for name, chosen in (("Boys", in_quarter[in_quarter.boy]), ("All children", in_quarter)):
            missing_before = published.children(chosen[chosen.before], sample_keys)
            referred = published.children(chosen, sample_keys)
            plotted = lines[name][quarter]
            if missing_before is None or referred is None:
                assert pd.isna(plotted)
            else:
                assert plotted == pytest.approx(100 * min(missing_before, referred) / referred)
                compared += 1
    assert compared >= 2
    if not equals:
        assert chart_titles(at)[-1].startswith("In 2026-Q3, ")


@pytest.fixture
def tiny_db(tiny_store):
    """Three referred children and a few missing episodes: every count on the page is 1 to 4."""
    referrals = rows("referrals", 3, referral_date="2025-02-10")
    referrals[0]["gender"] = "Male"
    episodes = rows("missing_episodes", 4, start_date="2025-02-01", end_date="2025-02-02")
    for episode, child in zip(episodes, ("C1", "C1", "C2", "C9")):
        episode["child_id"] = child
    return tiny_store(referrals=referrals, missing_episodes=episodes)


def test_small_counts_show_as_published_and_never_as_themselves(app, tiny_db):
    at = app(PAGE, db=tiny_db)
    keys = published.record_keys(tiny_db)
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards["Missing episodes"] == published.text(published.episodes(keys["missing_episodes"], keys))
    assert cards["Children who went missing"] == published.text(published.children(keys["missing_episodes"], keys))
    cells = pd.concat([frame.value.stack() for frame in data_tables(at)])
    numbers = pd.to_numeric(cells, errors="coerce")
    assert (numbers == WITHHELD_SORT_VALUE).any()
    assert not numbers.between(1, 4).any()
    for figure in figures(at):
        assert not any(word in title for title in chart_titles(at) for word in (" 1 ", " 2 ", " 3 ", " 4 "))
        for trace in figure.data:
            if trace.type == "bar":
                lengths = pd.to_numeric(pd.Series(trace.y if trace.orientation != "h" else trace.x), errors="coerce")
                assert not lengths.between(1, 4).any()


def test_return_interviews_are_headlined_as_a_share_of_every_return_with_the_steps_shown(app, tiny_store):
    """100 returns: 40 never offered an interview, 20 declined, 10 accepted but late, 30 within 72 hours."""
    episodes = [*rows("missing_episodes", 30), *rows("missing_episodes", 10, return_interview_date="2025-02-20"),
                *rows("missing_episodes", 20, return_interview="Declined", return_interview_date=""),
                *rows("missing_episodes", 40, return_interview="Not offered", return_interview_date="")]
    for number, episode in enumerate(episodes, start=1):
        episode["episode_id"] = f"E{number}"
    at = app(PAGE, db=tiny_store(missing_episodes=episodes), query_params={"from": "2025-Q1", "to": "2025-Q1"})
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards["Returns with an interview within 72 hours"] == "30.0%"
    steps = next(chart for chart in figures(at) if chart.data and chart.data[0].y == tuple(missing.STEPS))
    assert list(steps.data[0].x) == [100, 60, 40, 30]
    assert list(steps.data[0].text) == ["100 (100.0% of returns)", "60 (60.0% of returns)", "40 (40.0% of returns)",
                                        "30 (30.0% of returns)"]


@pytest.mark.parametrize("query_params, referred_only, equals", [
    ({}, False, {}),
    ({"area": "Northgate"}, True, {"area": "Northgate"}),
])
def test_the_spc_chart_of_children_missing_matches_pandas(app, sample_tables, sample_keys, query_params,
                                                          referred_only, equals):
    """Three years to the last quarter chosen, each quarter's children as published, withheld quarters left out."""
    at = app(PAGE, query_params=query_params)
    if referred_only:
        at.toggle(key="missing_referred_only").set_value(True).run()
    three_years = quarters_between("2023-Q4", "2026-Q3")
    episodes = with_quarter(sample_tables["missing_episodes"], "start_date")
    episodes = episodes[episodes.quarter.isin(three_years)]
    if referred_only:
        referrals = with_quarter(sample_tables["referrals"], "referral_date")
        referrals = referrals[referrals.quarter.isin(three_years) & (referrals.area == equals["area"])]
        episodes = episodes[episodes.child_id.isin(referrals.child_id)]
    expected = {quarter: published.children(rows_, sample_keys) for quarter, rows_ in episodes.groupby("quarter")}
    xmr = next(figure for figure in figures(at) if any(trace.name == "Mean" for trace in figure.data))
    points = next(trace for trace in xmr.data if trace.name == "Figures as published")
    assert dict(zip(points.x, points.y)) == {quarter: value for quarter, value in expected.items() if value is not None}
    assert [tab.label for tab in at.tabs] == ["SPC chart", "As reported"]
