"""The referral sources and outcomes page under AppTest: figures equal pandas on the sample after the perturbation
table; no count of 1 to 4 is shown."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import published
from conftest import data_tables, decoded
from cseboard.periods import quarter_of
from factory import numbered, rows

PAGE = "pages/questions/sources_outcomes.py"
WITHHELD = float("-inf")  # how disclosure.sortable hands a withheld cell to st.dataframe


def referrals_in(sample_tables, first: str, last: str, **equals) -> pd.DataFrame:
    """The sample's referrals in a run of quarters, with the sidebar filters given as column=value."""
    referrals = sample_tables["referrals"].copy()
    referrals["quarter"] = pd.to_datetime(referrals.referral_date).dt.date.map(quarter_of)
    chosen = referrals[(referrals.quarter >= first) & (referrals.quarter <= last)]
    for column, value in equals.items():
        chosen = chosen[chosen[column] == value]
    return chosen


# The column that tells each chart's data table apart (st.dataframe elements carry no key under AppTest); only an
# SPC chart's table has a mean.
TABLE_COLUMNS = {"sources_who_refers": "All referrals", "sources_trend": "Quarter", "sources_trend_spc": "Mean",
                 "sources_outcome_by_source": "Referrals from this source",
                 "sources_outcome_by_risk": "Referrals at this risk level", "sources_boys": "Referrals of boys"}


def table(at, key: str) -> pd.DataFrame:
    """The data behind a chart, as the page hands it to st.dataframe."""
    return next(frame.value for frame in data_tables(at) if TABLE_COLUMNS[key] in frame.value.columns
                and (key.endswith("_spc") or "Mean" not in frame.value.columns))


def chart(at, key: str) -> dict:
    """A chart's Plotly JSON, with typed arrays decoded to lists."""
    element = next(e for e in at.get("plotly_chart") if e.proto.id.endswith(f"{key}_chart"))
    return decoded(json.loads(element.proto.spec))


def assert_shown_as(shown, referrals: pd.DataFrame, keys, label) -> None:
    """A count of these referrals is shown as the perturbation table publishes it (withheld when rounded to 0)."""
    expected = published.referrals(referrals, keys)
    assert shown == (WITHHELD if expected is None else expected), (label, shown, len(referrals))


CASES = [
    ({}, "2025-Q4", "2026-Q3", {}),
    ({"area": "Northgate", "from": "2024-Q1", "to": "2025-Q4"}, "2024-Q1", "2025-Q4", {"area": "Northgate"}),
    ({"age": "14-15", "from": "2025-Q2", "to": "2026-Q1"}, "2025-Q2", "2026-Q1", {"age_band": "14-15"}),
]


def with_age_band(sample_tables):
    referrals = sample_tables["referrals"].copy()
    age = referrals.age_at_referral.astype(int)
    referrals["age_band"] = np.where(age < 10, "Under 10", (age - age % 2).astype(str) + "-" + (age - age % 2 + 1).astype(str))
    return {**sample_tables, "referrals": referrals}


@pytest.mark.parametrize("query_params, first, last, equals", CASES)
def test_referrals_by_source_and_share_of_boys_match_pandas(app, sample_tables, sample_keys, query_params, first, last,
                                                            equals):
    at = app(PAGE, query_params=query_params)
    chosen = referrals_in(with_age_band(sample_tables), first, last, **equals)
    by_source = table(at, "sources_who_refers").set_index("Referral source")["Referrals"]
    for source, shown in by_source.items():
        assert_shown_as(shown, chosen[chosen.referral_source == source], sample_keys, source)
    boys = table(at, "sources_boys").set_index("Referral source")
    for source in ["Police", "Education", "Children's social care"]:
        from_source = chosen[chosen.referral_source == source]
        referrals_of_boys = published.referrals(from_source[from_source.gender == "Male"], sample_keys)
        base = published.referrals(from_source, sample_keys)
        if referrals_of_boys is not None:
            assert boys.loc[source, "Boys (% of referrals)"] == pytest.approx(100 * min(referrals_of_boys, base) / base)
    assert_shown_as(boys.loc["All sources", "Referrals of boys"], chosen[chosen.gender == "Male"], sample_keys, "boys")


@pytest.mark.parametrize("query_params, first, last, equals", CASES[:2])
def test_outcome_shares_match_pandas(app, sample_tables, sample_keys, query_params, first, last, equals):
    at = app(PAGE, query_params=query_params)
    chosen = referrals_in(sample_tables, first, last, **equals)
    high = chosen[chosen.risk_level == "High"]
    by_risk = table(at, "sources_outcome_by_risk").set_index(["Risk level", "Outcome"])
    assert_shown_as(by_risk.loc[("High", "No further action"), "Referrals"], high[high.outcome == "No further action"],
                    sample_keys, "high risk, no further action")
    protection = published.referrals(high[high.outcome == "Child protection"], sample_keys)
    base = published.referrals(high, sample_keys)
    assert by_risk.loc[("High", "Child protection"), "Share (%)"] == pytest.approx(100 * min(protection, base) / base)
    by_source = table(at, "sources_outcome_by_source").set_index(["Referral source", "Outcome"])
    assert_shown_as(by_source.loc[("Police", "Early help"), "Referrals from this source"],
                    chosen[chosen.referral_source == "Police"], sample_keys, "Police")


def test_trend_has_every_quarter_of_the_period(app, sample_tables, sample_keys):
    at = app(PAGE, query_params={"from": "2025-Q1", "to": "2025-Q4"})
    trend = table(at, "sources_trend")
    police = trend[trend["Referral source"] == "Police"].set_index("Quarter")["Referrals"]
    chosen = referrals_in(sample_tables, "2025-Q1", "2025-Q4")
    assert police.index.tolist() == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    for quarter, shown in police.items():
        assert_shown_as(shown, chosen[(chosen.referral_source == "Police") & (chosen.quarter == quarter)], sample_keys,
                        quarter)


def test_a_gender_filter_hides_the_share_of_boys(app):
    at = app(PAGE, query_params={"gender": "Male"})
    assert any("clear the gender filter" in info.value for info in at.info)
    assert not any(TABLE_COLUMNS["sources_boys"] in frame.value.columns for frame in data_tables(at))


@pytest.fixture
def tiny_db(tiny_store):
    """An extract of seven referrals in one quarter: Police 3 (2 of them boys), Education 4; nothing else."""
    referrals = numbered([*rows("referrals", 3, referral_source="Police"),
                          *rows("referrals", 4, referral_source="Education", outcome="Early help")])
    referrals[0]["gender"] = referrals[1]["gender"] = "Male"
    return tiny_store(referrals=referrals)


def test_small_counts_show_as_published_and_never_as_the_number(app, tiny_db):
    at = app(PAGE, db=tiny_db)
    keys = published.record_keys(tiny_db)
    referrals = keys["referrals"].assign(number=keys["referrals"].referral_id.str[1:].astype(int))
    by_source = table(at, "sources_who_refers").set_index("Referral source")["Referrals"]
    assert_shown_as(by_source["Police"], referrals[referrals.number <= 3], keys, "Police")
    assert_shown_as(by_source["Education"], referrals[referrals.number >= 4], keys, "Education")
    assert by_source["Housing"] == WITHHELD, "none reads as c, as a few would"
    for key in ["sources_who_refers", "sources_trend", "sources_outcome_by_source", "sources_outcome_by_risk",
                "sources_boys"]:
        counts = table(at, key).select_dtypes("number")
        assert not counts.isin([1, 2, 3, 4, 7]).any().any(), key
    fewest = next(m.value for m in at.markdown if m.value.startswith("**Fewest"))
    assert not any(d in fewest for d in "123467")
    assert not any(m.value.startswith("**No referrals at all") for m in at.markdown), "a true zero is never told apart"


def test_no_referrals_in_the_filters_shows_no_data(app, tiny_db):
    at = app(PAGE, db=tiny_db, query_params={"gender": "Other"})
    assert any("No referrals match" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_a_folded_table_is_drawn_only_once_its_reader_opens_it(app):
    """Tables cost the server most of a page view and most readers never open them: none is sent until asked for."""
    at = app(PAGE)
    assert not at.dataframe and [fold.label for fold in at.expander].count("Show the data") >= 3
    assert len(data_tables(at)) >= 3
