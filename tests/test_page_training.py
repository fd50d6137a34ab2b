"""The training coverage page under AppTest: coverage and gaps equal pandas on the sample; staff counts, not counts
of children, are shown as reported."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from conftest import data_tables, decoded
from factory import rows

PAGE = "pages/questions/training.py"
WITHHELD = float("-inf")  # how disclosure.sortable hands a withheld cell to st.dataframe


def training_in(sample_tables, first: str, last: str) -> pd.DataFrame:
    """The sample's training rows in a run of quarters, as numbers."""
    training = sample_tables["training"].astype({"staff_in_scope": int, "staff_trained": int})
    return training[(training.period >= first) & (training.period <= last)]


def coverage_table(at) -> pd.DataFrame:
    return next(frame.value for frame in data_tables(at) if "Level" in frame.value.columns)


def gap_table(at) -> pd.DataFrame:
    return next(frame.value for frame in data_tables(at) if "Staff still to train" in frame.value.columns)


# The area filter must not change anything: training has no area.
@pytest.mark.parametrize("query_params, first, last", [
    ({}, "2025-Q4", "2026-Q3"),
    ({"area": "Northgate", "from": "2024-Q1", "to": "2024-Q4"}, "2024-Q1", "2024-Q4"),
])
def test_coverage_by_agency_and_level_matches_pandas(app, sample_tables, query_params, first, last):
    at = app(PAGE, query_params=query_params)
    training = training_in(sample_tables, first, last)
    shown = coverage_table(at).set_index(["Period", "Agency", "Level"])
    assert sorted(shown.index.get_level_values("Period").unique()) == sorted(training.period.unique())
    for (period, agency), rows_ in training.groupby(["period", "agency"]):
        row = shown.loc[(period, agency, "All levels")]
        assert (row["Staff trained"], row["Staff in scope"]) == (rows_.staff_trained.sum(), rows_.staff_in_scope.sum())
        assert row["Trained (%)"] == pytest.approx(100 * rows_.staff_trained.sum() / rows_.staff_in_scope.sum())
    police = training[(training.period == last) & (training.agency == "Police") & (training.level == "Awareness")].iloc[0]
    assert shown.loc[(last, "Police", "Awareness"), "Trained (%)"] == pytest.approx(
        100 * police.staff_trained / police.staff_in_scope)
    assert any("do not apply on this page" in info.value for info in at.info)


@pytest.mark.parametrize("target", [90, 60])
def test_gap_table_is_sorted_from_furthest_below_the_target(app, sample_tables, target):
    at = app(PAGE)
    if target != 90:
        at.number_input(key="training_target").set_value(target).run()
    latest = training_in(sample_tables, "2026-Q3", "2026-Q3").groupby("agency")[["staff_trained", "staff_in_scope"]].sum()
    latest["coverage"] = 100 * latest.staff_trained / latest.staff_in_scope
    latest["to_train"] = [max(0, math.ceil(round(target / 100 * n, 6)) - t)
                          for t, n in zip(latest.staff_trained, latest.staff_in_scope)]
    expected = latest.sort_values("coverage")
    gaps = gap_table(at)
    assert gaps["Agency"].tolist() == expected.index.tolist()
    assert gaps["Against target (percentage points)"].tolist() == pytest.approx((expected.coverage - target).tolist())
    assert gaps["Staff still to train"].tolist() == expected.to_train.tolist()
    worst = expected.iloc[0]
    if worst.coverage < target:
        assert any(f"{expected.index[0]} is furthest from the {target}% target" in m.value for m in at.markdown)


def test_trend_lines_by_level(app):
    at = app(PAGE)
    at.radio(key="training_trend_by").set_value("Level").run()
    assert not at.exception
    titles = [annotation["text"] for chart in at.get("plotly_chart")
              for annotation in json.loads(chart.proto.spec)["layout"].get("annotations", [])]
    assert {"Awareness", "Advanced", "Specialist"} <= set(titles)


@pytest.fixture
def tiny_db(tiny_store):
    """One quarter of training: Housing has 3 specialist staff, 2 trained; Police and Health are large."""
    training = [
        *rows("training", 1, agency="Police", level="Awareness", staff_in_scope="100", staff_trained="80"),
        *rows("training", 1, agency="Housing", level="Specialist", staff_in_scope="3", staff_trained="2"),
        *rows("training", 1, agency="Housing", level="Awareness", staff_in_scope="40", staff_trained="30"),
        *rows("training", 1, agency="Health", level="Awareness", staff_in_scope="200", staff_trained="150"),
    ]
    return tiny_store(training=training)


def test_small_staff_counts_are_shown_as_reported(app, tiny_db):
    at = app(PAGE, db=tiny_db)
    shown = coverage_table(at).set_index(["Agency", "Level"])
    housing = shown.loc[("Housing", "Specialist")]
    assert (housing["Staff trained"], housing["Staff in scope"]) == (2, 3)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    hover = [row for trace in chart["data"] for row in trace["customdata"]]
    assert any(row[2] == "Specialist" and row[3] == "2" and row[4] == "3" for row in hover)


def test_no_training_in_the_period_says_so(app, tiny_store):
    at = app(PAGE, db=tiny_store())
    assert any("no training figures for the period chosen" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_a_share_reads_the_same_on_the_home_page_and_the_training_page(app, tiny_store):
    """200 of 300 staff trained: 66.7% on both pages (not 66.7% on one and 67% on the other)."""
    db = tiny_store(referrals=rows("referrals", 30, referral_date="2026-05-10"),
                    training=rows("training", 1, period="2026-Q2", staff_in_scope="300", staff_trained="200"))
    home = app("pages/overview/home.py", db=db)
    assert {m.label: m.value for m in home.metric}["Workforce trained in CSE, all agencies"] == "66.7%"
    page = app(PAGE, db=db)
    words = "\n".join(str(e.value) for e in [*page.markdown, *page.caption, *page.subheader, *page.header])
    assert "66.7%" in words and "67%" not in words.replace("66.7%", "")


@pytest.mark.parametrize("last, three_years_before", [("2026-Q3", "2023-Q4"), ("2025-Q2", "2022-Q3")])
def test_the_spc_chart_of_the_whole_workforce_matches_pandas(app, sample_tables, last, three_years_before):
    """Three years to the last quarter chosen: the share of every agency's staff trained, as reported, each quarter."""
    at = app(PAGE, query_params={"from": last, "to": last})
    training = (training_in(sample_tables, three_years_before, last).groupby("period")
                [["staff_trained", "staff_in_scope"]].sum())
    expected = 100 * training.staff_trained / training.staff_in_scope
    xmr = next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart")
               if any(trace.get("name") == "Mean" for trace in json.loads(chart.proto.spec)["data"]))
    line = next(trace for trace in xmr["data"] if trace.get("name") == "Figures as published")
    assert line["x"] == list(expected.index)
    assert decoded(line["y"]) == pytest.approx(list(expected))
