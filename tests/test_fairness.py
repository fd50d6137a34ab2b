"""Who is not being identified: disproportionality, looked-after shares and re-referrals equal pandas on the sample's
CSVs for two filter settings, through the real store and the same disclosure control as the page."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cseboard.filters import Filters
from cseboard.methods import disproportionality as dp
from cseboard.methods.disclosure import DEFAULT_POLICY
from cseboard.questions import fairness as fair
from cseboard.questions.section import figures
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


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_relative_rate_index_matches_pandas(fetch, sample_tables, filters, equals):
    chosen = referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals)
    children = latest_per_child(chosen)
    population = sample_tables["population"].assign(children=lambda t: t.children.astype(int))
    table = fair.disproportionality(fetch("fairness_children", filters), fetch("fairness_population", filters),
                                    DEFAULT_POLICY).numeric.set_index([fair.COMPARISON, fair.GROUP])
    children["gender"] = children.gender.replace({"Other": "Other or not known", "Not known": "Other or not known"})
    judged = 0
    for label, column, with_population in (("Gender", "gender", ["Male", "Female"]),
                                           ("Ethnicity", "ethnicity", ["White", "Mixed", "Asian", "Black", "Other"]),
                                           ("Age band", "age_band", ["Under 10", "10-11", "12-13", "14-15", "16-17"])):
        referred = children[column].value_counts().reindex(with_population, fill_value=0)
        resident = population.groupby(column).children.sum().reindex(with_population)
        comparison = table.loc[label]
        if (comparison[fair.VERDICT] == fair.WITHHELD).all():
            assert comparison[list(fair.DERIVED)].isna().all().all()
            shown = comparison[fair.CHILDREN].dropna()
            assert len(shown) < len(comparison)
            assert (shown == children[column].value_counts().reindex(shown.index)).all()
            continue
        for group in with_population:
            row = table.loc[(label, group)]
            assert row[fair.CHILDREN] == referred[group]
            a, n = referred[group], resident[group]
            b, m = referred.sum() - a, resident.sum() - n
            if min(a, b, referred.sum() * n / resident.sum()) < dp.MINIMUM_REFERRED:
                assert row[fair.VERDICT] == dp.TOO_SMALL
                continue
            rri = (a / n) / (b / m)
            spread = Z95 * math.sqrt(1 / a - 1 / n + 1 / b - 1 / m)
            assert row[fair.RRI] == pytest.approx(rri)
            assert (row[fair.LOWER], row[fair.UPPER]) == pytest.approx((rri * math.exp(-spread), rri * math.exp(spread)))
            assert row[fair.SHARE_REFERRED] == pytest.approx(100 * a / referred.sum())
            assert row[fair.SHARE_POPULATION] == pytest.approx(100 * n / resident.sum())
            judged += 1
    assert judged >= (12 if not equals else 8)


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_looked_after_shares_match_pandas(fetch, sample_tables, filters, equals):
    chosen = referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals)
    chosen = chosen.assign(looked_after=chosen.looked_after == "yes")
    per_child = chosen.sort_values(["referral_date", "referral_id"]).groupby(["quarter", "child_id"]).agg(
        age_band=("age_band", "last"), gender=("gender", "last"), looked_after=("looked_after", "any"))
    per_child["gender"] = np.where(per_child.gender == "Male", "Boys", "Girls and other genders")
    expected = per_child.groupby(["quarter", "age_band", "gender"]).agg(
        children=("looked_after", "size"), looked_after=("looked_after", "sum"))
    table = fair.looked_after_over_time(fetch("looked_after_by_quarter", filters), filters.quarters(), DEFAULT_POLICY)
    shown = table.numeric.set_index([fair.QUARTER, fair.AGE_BAND, fair.GENDER])
    compared = 0
    for key, row in shown.iterrows():
        counts = expected.loc[key] if key in expected.index else pd.Series({"children": 0, "looked_after": 0})
        if not pd.isna(row[fair.CHILDREN]):
            assert row[fair.CHILDREN] == counts.children
        if not pd.isna(row[fair.LOOKED_AFTER_SHARE]):
            assert row[fair.LOOKED_AFTER_SHARE] == pytest.approx(100 * counts.looked_after / counts.children)
            compared += 1
    assert compared >= 3
    assert (table.mask[fair.CHILDREN] == ((shown[fair.CHILDREN].isna()).to_numpy())).all()


@pytest.mark.parametrize("filters, equals", SETTINGS, ids=["all", "police"])
def test_re_referrals_match_pandas(fetch, sample_tables, filters, equals):
    every = referrals_between(sample_tables, "2000-Q1", "2099-Q4").sort_values(["referral_date", "referral_id"])
    dates = pd.to_datetime(every.referral_date)
    every["re_referral"] = (dates - dates.groupby(every.child_id).shift()).dt.days <= 365
    chosen = every.loc[referrals_between(sample_tables, filters.first_quarter, filters.last_quarter, **equals).index]
    chosen["gender"] = chosen.gender.replace({"Other": "Other or not known", "Not known": "Other or not known"})
    expected = chosen.groupby("gender").agg(referrals=("re_referral", "size"), re_referrals=("re_referral", "sum"))
    rows = fetch("re_referrals", filters)
    table = fair.re_referrals_by_gender(rows, DEFAULT_POLICY).numeric.set_index(fair.GENDER)
    assert table.at["Female", fair.REFERRALS] == expected.at["Female", "referrals"]
    for gender, row in table.iterrows():
        for column, name in ((fair.REFERRALS, "referrals"), (fair.RE_REFERRALS, "re_referrals")):
            assert pd.isna(row[column]) or row[column] == expected.at[gender, name]
    overall = fair.all_re_referrals(rows, DEFAULT_POLICY).numeric.iloc[0]
    assert overall[fair.RE_REFERRAL_SHARE] == pytest.approx(100 * chosen.re_referral.mean())


def test_a_comparison_with_a_withheld_count_shows_no_share_or_ratio():
    children = pd.DataFrame({"dimension": "gender", "group": ["Male", "Female", "Other", "Not known"],
                             "children": [40, 200, 2, 1]})
    population = pd.DataFrame({"dimension": "gender", "group": ["Male", "Female"], "population": [5000, 5000]})
    table = fair.disproportionality(children, population, DEFAULT_POLICY)
    gender = table.numeric[table.numeric[fair.COMPARISON] == "Gender"]
    assert gender[list(fair.DERIVED)].isna().all().all()
    assert set(gender[fair.VERDICT]) == {fair.WITHHELD}
    assert table.mask.loc[gender.index, fair.RRI].all()
    assert not gender[fair.CHILDREN].isin([3]).any()


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
