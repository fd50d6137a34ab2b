"""Who is not being identified: disproportionality, looked-after shares and re-referrals equal pandas on the sample's
CSVs for two filter settings, through the real store and the same disclosure control as the page."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import published
from cseboard.filters import Filters
from cseboard.methods import disproportionality as dp
from cseboard.methods.disclosure import DEFAULT_POLICY
from cseboard.questions import fairness as fair
from cseboard.periods import shift_quarter
from cseboard.questions.section import Tabs, figures
from cseboard.store.database import Store
from cseboard.store.queries import fetcher
from test_page_age_gender import referrals_between

Z95 = 1.959963984540054
SETTINGS = [
    (Filters("2023-Q4", "2026-Q3"), {}),
    (Filters("2024-Q3", "2025-Q4", sources=("Police",)), {"referral_source": "Police"}),
]


@pytest.fixture(scope="module")
def fetch(sample_db):
    opened = Store(sample_db)  # as the app opens it: DuckDB refuses a differently configured second connection
    yield fetcher(opened)
    opened.close()


def latest_per_child(chosen: pd.DataFrame) -> pd.DataFrame:
    """Each child once, as their latest referral in the selection records them."""
    return chosen.sort_values(["referral_date", "referral_id"]).groupby("child_id").tail(1)


def shown_text(figure: float) -> str:
    """A figure of a protected table as the page reads it, to compare with published.text."""
    return published.text(None if np.isnan(figure) else figure)


COMPARED = (("Gender", "gender", ["Male", "Female"]),
            ("Ethnicity", "ethnicity", ["White", "Mixed", "Asian", "Black", "Other"]),
            ("Age band", "age_band", ["Under 10", "10-11", "12-13", "14-15", "16-17"]))


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_relative_rate_index_matches_pandas(fetch, sample_tables, sample_keys, filters, equals):
    chosen = referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals)
    children = latest_per_child(chosen)
    population = sample_tables["population"].assign(children=lambda t: t.children.astype(int))
    table = fair.disproportionality(fetch("fairness_children", filters), fetch("fairness_population", filters),
                                    DEFAULT_POLICY)
    shown = table.numeric.set_index([fair.COMPARISON, fair.GROUP])
    children["gender"] = children.gender.replace({"Other": "Other or not known", "Not known": "Other or not known"})
    judged = withheld = 0
    for label, column, with_population in COMPARED:
        referred = pd.Series({group: published.children(children[children[column] == group], sample_keys)
                              for group in shown.loc[label].index}, dtype=float)
        resident = population.groupby(column).children.sum().reindex(with_population)
        total = referred[with_population].sum()  # a withheld group counts as none among the others
        for group in referred.index:
            row = shown.loc[(label, group)]
            a = referred[group]
            if np.isnan(a):
                assert np.isnan(row[fair.CHILDREN]) and row[fair.VERDICT] in (dp.TOO_SMALL, dp.NO_POPULATION)
                assert row[list(fair.DERIVED)].isna().all()
                withheld += 1
                continue
            assert row[fair.CHILDREN] == a
            if group not in with_population:
                assert row[fair.VERDICT] == dp.NO_POPULATION
                continue
            n = resident[group]
            b, m = total - a, resident.sum() - n
            assert row[fair.SHARE_REFERRED] == pytest.approx(100 * a / total)
            assert row[fair.SHARE_POPULATION] == pytest.approx(100 * n / resident.sum())
            if min(a, b, total * n / resident.sum()) < dp.MINIMUM_REFERRED:
                assert row[fair.VERDICT] == dp.TOO_SMALL
                continue
            rri = (a / n) / (b / m)
            spread = Z95 * math.sqrt(1 / a - 1 / n + 1 / b - 1 / m)
            assert row[fair.RRI] == pytest.approx(rri)
            lower, upper = rri * math.exp(-spread), rri * math.exp(spread)
            assert (row[fair.LOWER], row[fair.UPPER]) == pytest.approx((lower, upper))
            verdict = dp.OVER if lower > 1 else dp.UNDER if upper < 1 else dp.NO_DIFFERENCE
            assert row[fair.VERDICT] == verdict
            judged += 1
    assert judged >= (12 if not equals else 8)
    assert (table.mask[fair.CHILDREN] == table.numeric[fair.CHILDREN].isna()).all()


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_looked_after_shares_match_pandas(fetch, sample_tables, sample_keys, filters, equals):
    chosen = referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals)
    chosen = chosen.assign(looked_after=chosen.looked_after == "yes")
    latest = chosen.sort_values(["referral_date", "referral_id"]).groupby(["quarter", "child_id"])
    per_child = latest.agg(age_band=("age_band", "last"), gender=("gender", "last"),
                           looked_after=("looked_after", "any")).reset_index()
    per_child["gender"] = np.where(per_child.gender == "Male", "Boys", "Girls and other genders")
    table = fair.looked_after_over_time(fetch("looked_after_by_quarter", filters), filters.quarters(), DEFAULT_POLICY)
    shown = table.numeric.set_index([fair.QUARTER, fair.AGE_BAND, fair.GENDER])
    compared = 0
    for (quarter, band, gender), row in shown.iterrows():
        cell = per_child[(per_child.quarter == quarter) & (per_child.age_band == band) & (per_child.gender == gender)]
        children, looked_after = (published.children(cell, sample_keys),
                                  published.children(cell[cell.looked_after], sample_keys))
        assert shown_text(row[fair.CHILDREN]) == published.text(children)
        if children is None or looked_after is None:
            assert np.isnan(row[fair.LOOKED_AFTER_SHARE])
            continue
        assert row[fair.LOOKED_AFTER] == looked_after
        assert row[fair.LOOKED_AFTER_SHARE] == pytest.approx(100 * min(looked_after, children) / children)
        compared += 1
    assert compared >= 3


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_the_spc_chart_of_the_looked_after_share_matches_pandas(fetch, sample_tables, sample_keys, filters, equals):
    three_years = filters.with_period(shift_quarter(filters.last_quarter, -11), filters.last_quarter)
    chosen = referrals_between(sample_tables, three_years.first_quarter, three_years.last_quarter, **equals)
    per_child = chosen.assign(looked_after=chosen.looked_after == "yes").groupby(["quarter", "child_id"]).looked_after.any()
    shares = {}
    for quarter, children in per_child.groupby(level="quarter"):
        rows = children.reset_index()
        referred, looked_after = (published.children(rows, sample_keys),
                                  published.children(rows[rows.looked_after], sample_keys))
        if referred is not None and looked_after is not None:
            shares[quarter] = 100 * min(looked_after, referred) / referred
    values = fair.looked_after_share_over_three_years(fetch, filters, DEFAULT_POLICY).dropna()
    assert values.to_dict() == pytest.approx(shares)
    tabs = next(block for block in fair.section(fetch, filters, DEFAULT_POLICY).blocks if isinstance(block, Tabs))
    assert tabs.tabs[0][0].chart.data.value.tolist() == pytest.approx(list(values))


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_re_referrals_match_pandas(fetch, sample_tables, sample_keys, filters, equals):
    every = referrals_between(sample_tables, "2000-Q1", "2099-Q4").sort_values(["referral_date", "referral_id"])
    dates = pd.to_datetime(every.referral_date)
    every["re_referral"] = (dates - dates.groupby(every.child_id).shift()).dt.days <= 365
    chosen = every.loc[referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals).index]
    chosen["gender"] = chosen.gender.replace({"Other": "Other or not known", "Not known": "Other or not known"})
    rows = fetch("re_referrals", filters)
    table = fair.re_referrals_by_gender(rows, DEFAULT_POLICY).numeric.set_index(fair.GENDER)
    for gender, row in table.iterrows():
        referrals = published.referrals(chosen[chosen.gender == gender], sample_keys)
        re_referrals = published.referrals(chosen[(chosen.gender == gender) & chosen.re_referral], sample_keys)
        assert (shown_text(row[fair.REFERRALS]), shown_text(row[fair.RE_REFERRALS])) == (
            published.text(referrals), published.text(re_referrals))
    assert table.at["Female", fair.REFERRALS] == published.referrals(chosen[chosen.gender == "Female"], sample_keys)
    overall = fair.all_re_referrals(rows, DEFAULT_POLICY).numeric.iloc[0]
    referrals, re_referrals = (published.referrals(chosen, sample_keys),
                               published.referrals(chosen[chosen.re_referral], sample_keys))
    assert (overall[fair.REFERRALS], overall[fair.RE_REFERRALS]) == (referrals, re_referrals)
    assert f"{overall[fair.RE_REFERRAL_SHARE]:.1f}%" == published.percent(re_referrals, referrals)


def test_a_withheld_group_shows_no_share_or_ratio_and_counts_as_none_among_the_others():
    children = pd.DataFrame({"dimension": "gender", "group": ["Male", "Female", "Other", "Not known"],
                             "children": [40, 200, 2, 1], "children_ckey": [0, 0, 255, 0]})  # 3, keyed 255: rounded down
    population = pd.DataFrame({"dimension": "gender", "group": ["Male", "Female"], "population": [5000, 5000]})
    table = fair.disproportionality(children, population, DEFAULT_POLICY)
    gender = table.numeric[table.numeric[fair.COMPARISON] == "Gender"].set_index(fair.GROUP)
    assert np.isnan(gender.at["Other or not known", fair.CHILDREN])
    assert table.mask.loc[table.numeric[fair.GROUP] == "Other or not known", list(fair.DERIVED)].all().all()
    assert gender.at["Male", fair.SHARE_REFERRED] == pytest.approx(100 * 40 / 240)
    assert gender.at["Male", fair.RRI] == pytest.approx(40 / 200)


@pytest.mark.parametrize("kept, says", [
    (lambda population: population[population.dimension != "ethnicity"], "no ethnicity breakdown"),
    (lambda population: population.iloc[0:0], "no population table is loaded"),
])
def test_a_population_without_ethnicity_or_none_at_all_says_so(fetch, kept, says):
    def fetch_with_less_population(name, filters, **extra):
        result = fetch(name, filters, **extra)
        return kept(result) if name == "fairness_population" else result
    answered = fair.section(fetch_with_less_population, Filters("2023-Q4", "2026-Q3"), DEFAULT_POLICY)
    notes = [block.text for block in answered.blocks if getattr(block, "tone", "") == "info"]
    assert any(says in note for note in notes)
    rri = next(figure for figure in figures(answered.blocks) if figure.key == "fairness_rri")
    compared = rri.table.numeric
    without = len(compared) if says.startswith("no population") else 1 + 6  # other or not known gender; ethnicities
    assert (compared[fair.VERDICT] == dp.NO_POPULATION).sum() == without


@pytest.mark.parametrize("filters", [Filters("2025-Q4", "2026-Q3"), Filters("2025-Q4", "2026-Q3", areas=("Northgate",))],
                         ids=["all", "Northgate"])
def test_the_looked_after_finding_names_only_a_group_large_enough_to_compare(fetch, filters):
    """A group of a handful of children, each count rounded to 5, can show 100% looked after: it is not named."""
    table = fair.looked_after_over_time(fetch("looked_after_by_quarter", filters), filters.quarters(), DEFAULT_POLICY)
    shown = table.numeric.dropna(subset=[fair.LOOKED_AFTER, fair.CHILDREN])
    totals = shown.groupby([fair.AGE_BAND, fair.GENDER])[[fair.LOOKED_AFTER, fair.CHILDREN]].sum()
    large = totals[totals[fair.CHILDREN] >= 20]
    title = fair.looked_after_title(table)
    if large.empty:
        assert title.endswith("(each group too small to compare)")
        return
    band, gender = (large[fair.LOOKED_AFTER] / large[fair.CHILDREN]).idxmax()
    group = f"{gender} {'under 10' if band == 'Under 10' else 'aged ' + band}"
    assert title.startswith(f"{group} have the highest share looked after"), title
