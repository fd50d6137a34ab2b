"""The "Who is not being identified" page on the sample: it renders its section, and its cards equal pandas."""
from __future__ import annotations

import pandas as pd

import published
from conftest import data_tables, texts
from test_page_age_gender import charts, referrals_between

PAGE = "pages/questions/fairness.py"


def test_page_shows_disproportionality_looked_after_and_re_referrals(app, sample_tables, sample_keys):
    at = app(page=PAGE, query_params={"from": "2024-Q1", "to": "2025-Q4", "area": "Northgate"})
    every = referrals_between(sample_tables, "2000-Q1", "2099-Q4").sort_values(["referral_date", "referral_id"])
    dates = pd.to_datetime(every.referral_date)
    every["re_referral"] = (dates - dates.groupby(every.child_id).shift()).dt.days <= 365
    chosen = every.loc[referrals_between(sample_tables, "2024-Q1", "2025-Q4", area="Northgate").index]
    metrics = {metric.label: metric.value for metric in at.metric}
    referrals = published.referrals(chosen, sample_keys)
    re_referrals = published.referrals(chosen[chosen.re_referral], sample_keys)
    assert metrics["Referrals"] == published.text(referrals)
    assert metrics["Re-referrals within 12 months"] == published.text(re_referrals)
    assert metrics["Re-referrals, % of referrals"] == published.percent(re_referrals, referrals)
    drawn = charts(at)
    assert drawn[0]["layout"]["xaxis"]["type"] == "log"
    assert "Who is not being identified" in texts(at.title)


def test_page_draws_every_chart_on_the_default_period_and_is_in_the_menu(app):
    at = app(page=PAGE)
    # the looked-after share as SPC charts (all children, and by age band and gender, with its table) and as reported
    assert len(charts(at)) == 5 and len(data_tables(at)) == 4
    assert [tab.label for tab in at.tabs] == ["SPC chart", "As reported"]
    assert not at.exception
    links = [element.proto for element in at.get("page_link")]
    assert any("Who is not being identified" in str(link) for link in links)
