"""The Linked crimes and vulnerabilities page on the sample: shares equal pandas on the CSV files after the
perturbation table; no count of 1 to 4 is shown."""
from __future__ import annotations

import pandas as pd
import pytest

from cseboard.contract import CRIME_LABELS, VULNERABILITY_LABELS
from cseboard.periods import quarter_of, quarters_between
from cseboard.methods.disclosure import WITHHELD_SORT_VALUE
import published
from conftest import data_tables
from factory import rows
from test_page_missing import figures

PAGE = "pages/questions/crimes_vulnerabilities.py"


def chosen_referrals(tables, first="2025-Q4", last="2026-Q3", **equals) -> pd.DataFrame:
    referrals = tables["referrals"].assign(
        quarter=pd.to_datetime(tables["referrals"].referral_date).dt.date.map(quarter_of))
    referrals = referrals[referrals.quarter.isin(quarters_between(first, last))]
    for column, value in equals.items():
        referrals = referrals[referrals[column] == value]
    return referrals


def recording(referrals: pd.DataFrame, column: str, item: str) -> pd.Series:
    return referrals[column].str.split(";").map(lambda items: item in items)


def table_of(at, first_column: str) -> pd.DataFrame:
    """The data table under a chart, found by its first column."""
    return next(frame.value for frame in data_tables(at) if frame.value.columns[0] == first_column)


def shown_as(count: float | None):
    """How a published count sits in a sortable table: the number, or the value that sorts withheld cells lowest."""
    return WITHHELD_SORT_VALUE if count is None else count


@pytest.mark.parametrize("query_params, equals", [
    ({}, {}),
    ({"area": "Northgate", "from": "2024-Q4"}, {"area": "Northgate"}),
    ({"gender": "Male", "from": "2023-Q4"}, {"gender": "Male"}),
])
def test_share_of_referrals_matches_pandas(app, sample_tables, sample_keys, query_params, equals):
    at = app(PAGE, query_params=query_params)
    referrals = chosen_referrals(sample_tables, query_params.get("from", "2025-Q4"), **equals)
    base = published.referrals(referrals, sample_keys)
    overall = table_of(at, "Linked crime").set_index("Linked crime")
    for crime, label in CRIME_LABELS.items():
        count = published.referrals(referrals[recording(referrals, "linked_crimes", crime)], sample_keys)
        assert overall.loc[label, "Referrals recording it"] == shown_as(count)
        if count is not None:
            assert overall.loc[label, "Share of referrals (%)"] == pytest.approx(100 * min(count, base) / base)
    assert set(overall["Referrals"]) == {base}


def test_vulnerabilities_on_the_switch(app, sample_tables, sample_keys):
    at = app(PAGE)
    at.segmented_control(key="crimes_kind").set_value("Vulnerabilities").run()
    referrals = chosen_referrals(sample_tables)
    overall = table_of(at, "Vulnerability").set_index("Vulnerability")
    count = published.referrals(referrals[recording(referrals, "vulnerabilities", "mental_health")], sample_keys)
    assert overall.loc[VULNERABILITY_LABELS["mental_health"], "Referrals recording it"] == shown_as(count)


@pytest.mark.parametrize("query_params, equals", [({}, {}), ({"area": "Riverside", "from": "2023-Q4"},
                                                             {"area": "Riverside"})])
def test_boys_against_other_children_match_pandas(app, sample_tables, sample_keys, query_params, equals):
    at = app(PAGE, query_params=query_params)
    referrals = chosen_referrals(sample_tables, query_params.get("from", "2025-Q4"), **equals)
    boys = referrals.gender == "Male"
    by_gender = table_of(at, "Gender").set_index(["Gender", "Linked crime"])
    compared = 0
    for group, chosen in (("Boys", referrals[boys]), ("Girls and other genders", referrals[~boys])):
        count = published.referrals(chosen[recording(chosen, "linked_crimes", "criminal_exploitation")], sample_keys)
        base = published.referrals(chosen, sample_keys)
        shown = by_gender.loc[(group, CRIME_LABELS["criminal_exploitation"])]
        assert shown["Referrals recording it"] == shown_as(count)
        if count is not None:
            assert shown["Share of referrals (%)"] == pytest.approx(100 * min(count, base) / base)
            compared += 1
    assert compared == 2


def test_crimes_recorded_together_match_pandas(app, sample_tables, sample_keys):
    at = app(PAGE)
    referrals = chosen_referrals(sample_tables)
    both = recording(referrals, "linked_crimes", "gangs") & recording(referrals, "linked_crimes", "drugs")
    together = next(frame.value for frame in data_tables(at)
                    if frame.value.columns[0] == "Linked crime" and CRIME_LABELS["drugs"] in frame.value.columns)
    cell = together.set_index("Linked crime").loc[CRIME_LABELS["gangs"], CRIME_LABELS["drugs"]]
    assert cell == shown_as(published.referrals(referrals[both], sample_keys))


@pytest.fixture
def tiny_db(tiny_store):
    """Three referrals recording drugs and gangs (the factory default): every count on the page is 1 to 4."""
    return tiny_store(referrals=rows("referrals", 3))


def test_small_counts_show_as_published_and_never_as_themselves(app, tiny_db):
    at = app(PAGE, db=tiny_db)
    keys = published.record_keys(tiny_db)
    three = published.referrals(keys["referrals"], keys)
    cells = pd.concat([frame.value.stack() for frame in data_tables(at)])
    numbers = pd.to_numeric(cells, errors="coerce")
    assert (numbers == WITHHELD_SORT_VALUE).any()
    assert not numbers.between(1, 4).any()
    assert set(numbers[numbers > 0]) <= {5.0, 100.0}, "the 3 referrals are published as c or 5 (a share of 100%)"
    assert (three is None) == (not (numbers == 5).any())
    for figure in figures(at):
        for trace in figure.data:
            if trace.type == "heatmap":
                assert not pd.DataFrame(trace.z, dtype=float).stack().between(1, 4).any()
