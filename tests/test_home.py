"""The home page on the sample: headline figures equal a pandas computation on the sample's CSV files."""
from __future__ import annotations

import pandas as pd
import pytest

from cseboard.periods import quarter_of


def referrals_in(sample_tables, quarter: str, **equals) -> pd.DataFrame:
    referrals = sample_tables["referrals"].copy()
    referrals["quarter"] = pd.to_datetime(referrals.referral_date).dt.date.map(quarter_of)
    chosen = referrals[referrals.quarter == quarter]
    for column, value in equals.items():
        chosen = chosen[chosen[column] == value]
    return chosen


@pytest.mark.parametrize("query_params, equals", [
    ({}, {}),
    ({"area": "Northgate", "to": "2026-Q2"}, {"area": "Northgate"}),
    ({"gender": "Male", "from": "2025-Q1", "to": "2025-Q4"}, {"gender": "Male"}),
])
def test_headline_counts_match_pandas(app, sample_tables, query_params, equals):
    at = app(query_params=query_params)
    last = query_params.get("to", "2026-Q3")
    chosen = referrals_in(sample_tables, last, **equals)
    cards = {m.label: m.value for m in at.metric}
    expected_referrals = len(chosen)
    shown = cards["Referrals"]
    assert shown == (f"{expected_referrals:,}" if expected_referrals >= 5 or expected_referrals == 0 else "<5")
    children = chosen.child_id.nunique()
    boys = chosen[chosen.gender == "Male"].child_id.nunique()
    if boys >= 5 and children >= 5:
        assert cards["Boys, as a share of children referred"] == f"{100 * boys / children:.1f}%"
    high = (chosen.risk_level == "High").sum()
    if high >= 5:
        assert cards["Referrals screened as high risk"] == f"{100 * high / expected_referrals:.1f}%"


def test_missing_before_referral_and_training_match_pandas(app, sample_tables):
    at = app()
    chosen = referrals_in(sample_tables, "2026-Q3")
    episodes = sample_tables["missing_episodes"]
    joined = chosen.merge(episodes, on="child_id")
    days = (pd.to_datetime(joined.referral_date) - pd.to_datetime(joined.start_date)).dt.days
    missing_children = joined[(days >= 0) & (days <= 90)].child_id.nunique()
    training = sample_tables["training"]
    quarter = training[training.period == "2026-Q3"]
    coverage = 100 * quarter.staff_trained.astype(int).sum() / quarter.staff_in_scope.astype(int).sum()
    cards = {m.label: m.value for m in at.metric}
    assert cards["Missing in the 90 days before referral"] == f"{100 * missing_children / chosen.child_id.nunique():.1f}%"
    assert cards["Workforce trained in CSE, all agencies"] == f"{coverage:.1f}%"


def test_filters_are_kept_in_the_url(app):
    at = app(query_params={"area": ["Northgate"], "from": "2025-Q2"})
    assert at.query_params["area"] == ["Northgate"] or at.query_params["area"] == "Northgate"
    assert "Period 2025-Q2 to 2026-Q3; areas: Northgate" in at.markdown[0].value


def test_only_an_analyst_can_switch_suppression_off_and_the_page_says_so(app):
    viewer = app()
    assert not [t for t in viewer.toggle if t.key == "disclosure_off"]
    analyst = app(role="analyst")
    analyst.toggle(key="disclosure_off").set_value(True).run()
    assert any("Small-number suppression is OFF" in w.value for w in analyst.warning)

