"""The home page on the sample: headline figures equal a pandas computation on the sample's CSV files."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from scipy.stats import binomtest

import published
from conftest import data_tables
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
def test_headline_counts_match_pandas(app, sample_tables, sample_keys, query_params, equals):
    at = app(query_params=query_params)
    last = query_params.get("to", "2026-Q3")
    chosen = referrals_in(sample_tables, last, **equals)
    cards = {m.label: m.value for m in at.metric}
    referrals = published.referrals(chosen, sample_keys)
    assert cards["Referrals"] == published.text(referrals)
    children = published.children(chosen, sample_keys)
    assert cards["Children referred"] == published.text(children)
    boys = published.children(chosen[chosen.gender == "Male"], sample_keys)
    assert cards["Boys, as a share of children referred"] == published.percent(boys, children)
    high = published.referrals(chosen[chosen.risk_level == "High"], sample_keys)
    assert cards["Referrals screened as high risk"] == published.percent(high, referrals)


def test_missing_before_referral_and_training_match_pandas(app, sample_tables, sample_keys):
    at = app()
    chosen = referrals_in(sample_tables, "2026-Q3")
    episodes = sample_tables["missing_episodes"]
    joined = chosen.merge(episodes, on="child_id")
    days = (pd.to_datetime(joined.referral_date) - pd.to_datetime(joined.start_date)).dt.days
    missing_children = published.children(joined[(days >= 0) & (days <= 90)], sample_keys)
    training = sample_tables["training"]
    quarter = training[training.period == "2026-Q3"]
    coverage = 100 * quarter.staff_trained.astype(int).sum() / quarter.staff_in_scope.astype(int).sum()
    cards = {m.label: m.value for m in at.metric}
    assert cards["Missing in the 90 days before referral"] == published.percent(
        missing_children, published.children(chosen, sample_keys))
    assert cards["Workforce trained in CSE, all agencies"] == f"{coverage:.1f}%"


def test_filters_are_kept_in_the_url_one_area_and_whole_years(app):
    at = app(query_params={"area": ["Northgate", "Oakmere"], "from": "2025-Q2"})
    assert at.query_params["area"] == ["Northgate"] or at.query_params["area"] == "Northgate"
    assert at.query_params["from"] == ["2025-Q4"] or at.query_params["from"] == "2025-Q4"
    assert "Period 2025-Q4 to 2026-Q3; areas: Northgate;" in at.markdown[0].value


def test_only_an_analyst_can_switch_protection_off_and_the_page_says_so(app, sample_tables):
    viewer = app()
    assert not [t for t in viewer.toggle if t.key == "disclosure_off"]
    assert any("rows may not add to totals" in caption.value for caption in viewer.caption)
    analyst = app(role="analyst")
    analyst.toggle(key="disclosure_off").set_value(True).run()
    assert any("Disclosure control is OFF" in w.value for w in analyst.warning)
    exact = {m.label: m.value for m in analyst.metric}
    assert exact["Referrals"] == f"{len(referrals_in(sample_tables, '2026-Q3')):,}"



def test_the_same_referrals_show_the_same_figure_on_every_page(app, sample_tables, sample_keys):
    """One quarter's referrals: the home page's card, the Areas page's partnership count and the Age and gender
    page's grand total are the same records, so the same published figure, whatever the record keys."""
    one_quarter = {"from": "2026-Q3", "to": "2026-Q3"}
    expected = published.text(published.referrals(referrals_in(sample_tables, "2026-Q3"), sample_keys))
    home = {m.label: m.value for m in app(query_params=one_quarter).metric}
    areas = {m.label: m.value for m in app(page="pages/questions/areas.py", query_params=one_quarter).metric}
    age_gender = app(page="pages/questions/age_gender.py", query_params=one_quarter)
    crosstab = next(frame.value for frame in data_tables(age_gender) if "Age band" == frame.value.columns[0]
                    and "Total" in frame.value.columns).set_index("Age band")
    assert home["Referrals"] == areas["Referrals in the partnership"] == expected
    assert f"{crosstab.at['Total', 'Total']:,.0f}" == expected


def board_findings_on(at) -> list[str]:
    """The findings for the board as the home page lists them (a bullet each), read back as plain text."""
    return [m.value[2:].replace("\\", "") for m in at.markdown if m.value.startswith("- ")]


def test_the_home_page_opens_with_the_board_packs_findings(app, board_pack_files):
    shown = board_findings_on(app())
    in_pack = [html.unescape(re.sub(r"\s*<a .*", "", item))
               for item in re.findall(r"<li>(.*?)</li>", board_pack_files[0].read_text().split('id="findings"')[1]
                                      .split("</ul>")[0])]
    assert shown and shown == in_pack


def change_verdict(now: float, then: float) -> str:
    """The verdict on a change in a count, from scipy's exact binomial interval (equal time, no change: p = 1/2)."""
    interval = binomtest(int(now), int(now + then), 0.5).proportion_ci(method="exact")
    return ("a rise beyond" if interval.low > 0.5 else "a fall beyond" if interval.high < 0.5 else "within") + \
        " what chance would give"


def test_what_changed_is_judged_on_the_published_counts(app, sample_tables, sample_keys):
    finding = next(text for text in board_findings_on(app()) if text.startswith("Referrals in 2026-Q3"))
    now, *earlier = (published.referrals(referrals_in(sample_tables, quarter), sample_keys)
                     for quarter in ("2026-Q3", "2026-Q2", "2025-Q3"))
    assert finding.startswith(f"Referrals in 2026-Q3: {published.text(now)}.")
    for quarter, then in zip(("2026-Q2", "2025-Q3"), earlier):
        moved = f"{'up' if now > then else 'down'} {abs(now - then):,.0f} ({100 * abs(now - then) / then:.1f}%)"
        assert f"Against {quarter} ({published.text(then)}): {moved}, {change_verdict(now, then)}." in finding


def test_the_agencies_furthest_from_the_training_target_are_named_in_order(app, sample_tables):
    finding = next(text for text in board_findings_on(app()) if "training target" in text)
    training = sample_tables["training"]
    quarter = training[training.period == "2026-Q3"].astype({"staff_trained": int, "staff_in_scope": int})
    by_agency = quarter.groupby("agency")[["staff_trained", "staff_in_scope"]].sum()
    coverage = (100 * by_agency.staff_trained / by_agency.staff_in_scope).sort_values()
    furthest = coverage[coverage < 90].head(3)
    assert finding.startswith("Agencies furthest from the 90% training target in 2026-Q3: ")
    assert [part.split(" ")[0] for part in finding.split(": ", 1)[1].split("; ")] == \
        [agency.split(" ")[0] for agency in furthest.index]
    for agency, share in furthest.items():
        assert f"{agency} {share:.0f}%" in finding
