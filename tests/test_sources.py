"""Referral sources and outcomes: the page's views published from cell keys, the figures, and the titles."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cseboard.questions import sources
from cseboard.contract import OUTCOMES, REFERRAL_SOURCES
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions.sources import (ALL_SOURCES, BOYS, BOYS_SHARE, FROM_SOURCE, LOWER, OUTCOME, QUARTER, REFERRALS, RISK,
                              SHARE, SOURCE, UPPER, VERDICT)
from cseboard.methods.stats import NO_EVIDENCE_OF_DIFFERENCE, SIGNIFICANTLY_BELOW, TOO_FEW_TO_SAY, wilson_interval

QUARTERS = ["2025-Q1", "2025-Q2"]


def counts(*rows, keys=None) -> pd.DataFrame:
    """Rows of the sources_referral_counts query: (quarter, source, risk, outcome, is_boy, referrals), each with the
    cell key 255 unless keys are given (255 rounds a count down; a multiple of 5 is published as it is)."""
    frame = pd.DataFrame(rows, columns=["quarter", "referral_source", "risk_level", "outcome", "is_boy", "referrals"])
    return frame.assign(referrals_ckey=255 if keys is None else list(keys))


def views(table: pd.DataFrame, chosen=("Police", "Education", "Health"), policy=DisclosurePolicy(), benchmark=0.33):
    return sources.source_views(table, list(chosen), QUARTERS, benchmark, policy)


BIG = counts(
    ("2025-Q1", "Police", "High", "Child protection", True, 30),
    ("2025-Q1", "Police", "Low", "No further action", False, 50),
    ("2025-Q2", "Police", "Medium", "Early help", False, 40),
    ("2025-Q1", "Education", "Low", "No further action", False, 60),
    ("2025-Q2", "Education", "Medium", "Early help", True, 20),
    ("2025-Q2", "Health", "High", "Child protection", False, 25),
    ("2025-Q2", "Health", "High", "Child protection", True, 15),
)


def test_counts_add_up_as_pandas_does():
    built = views(BIG)
    by_source = built.by_source.numeric.set_index(SOURCE)
    assert by_source[REFERRALS].to_dict() == {"Police": 120, "Education": 80, "Health": 40}
    assert by_source[SHARE]["Police"] == pytest.approx(100 * 120 / 240)
    trend = built.trend.numeric.set_index([SOURCE, QUARTER])[REFERRALS]
    assert trend[("Police", "2025-Q1")] == 80 and math.isnan(trend[("Health", "2025-Q1")])  # none: withheld as c
    by_risk = built.outcomes_by_risk.numeric.set_index([RISK, OUTCOME])
    assert by_risk.loc[("High", "Child protection"), SHARE] == pytest.approx(100.0)
    assert by_risk.loc[("Low", "No further action"), REFERRALS] == 110
    by_outcome = built.outcomes_by_source.numeric.set_index([SOURCE, OUTCOME])
    assert by_outcome.loc[("Police", "Early help"), SHARE] == pytest.approx(100 * 40 / 120)
    assert by_outcome.loc[("Police", "Early help"), FROM_SOURCE] == 120


def test_share_of_boys_has_wilson_interval_and_a_verdict_against_the_benchmark():
    boys = views(BIG).boys.numeric.set_index(SOURCE)
    lower, upper = wilson_interval(20, 80)
    assert boys.loc["Education", BOYS_SHARE] == pytest.approx(25.0)
    assert (boys.loc["Education", LOWER], boys.loc["Education", UPPER]) == pytest.approx((100 * lower, 100 * upper))
    assert boys.loc[ALL_SOURCES, BOYS] == 65 and boys.loc[ALL_SOURCES, REFERRALS] == 240
    assert boys.loc["Education", VERDICT] == NO_EVIDENCE_OF_DIFFERENCE
    assert views(BIG, benchmark=0.6).boys.numeric.set_index(SOURCE).loc["Police", VERDICT] == SIGNIFICANTLY_BELOW


SMALL = counts(*BIG.iloc[:, :6].itertuples(index=False), ("2025-Q1", "Health", "Low", "Early help", True, 3))


def test_a_small_count_is_withheld_in_every_view():
    built = views(SMALL)
    trend = built.trend.mask.assign(**{SOURCE: built.trend.numeric[SOURCE], QUARTER: built.trend.numeric[QUARTER]})
    assert trend.set_index([SOURCE, QUARTER]).loc[("Health", "2025-Q1"), REFERRALS]
    shown = pd.concat([view.display() for view in (built.trend, built.outcomes_by_source, built.outcomes_by_risk)])
    assert "c" in set(shown[REFERRALS]) and "3" not in set(shown[REFERRALS])


def test_a_withheld_count_of_boys_gives_no_share_and_too_few_to_say():
    table = counts(*BIG.iloc[:, :6].itertuples(index=False), ("2025-Q1", "Housing", "Low", "Early help", True, 2),
                   ("2025-Q1", "Housing", "Low", "Early help", False, 40))
    boys = views(table, chosen=("Police", "Education", "Health", "Housing")).boys
    housing = boys.numeric.set_index(SOURCE).loc["Housing"]
    assert math.isnan(housing[BOYS]) and math.isnan(housing[BOYS_SHARE]) and math.isnan(housing[LOWER])
    assert housing[VERDICT] == TOO_FEW_TO_SAY
    assert "2" not in set(boys.display()[BOYS])


@pytest.mark.parametrize("keys", [range(0, 80, 10), range(7, 256, 31)[:8], [255] * 8])
def test_a_count_shown_in_several_views_is_the_same_figure_in_each(keys):
    built = views(counts(*SMALL.iloc[:, :6].itertuples(index=False), keys=keys))
    source_total = built.by_source.numeric.set_index(SOURCE)[REFERRALS]
    base = built.outcomes_by_source.numeric.groupby(SOURCE)[FROM_SOURCE]
    of_boys = built.boys.numeric.set_index(SOURCE)[REFERRALS]
    for source, published in source_total.items():
        assert base.get_group(source).tolist() == [published] * len(OUTCOMES) and of_boys[source] == published
    assert of_boys[ALL_SOURCES] == built.by_source.numeric[sources.ALL_REFERRALS].iloc[0]


def test_policy_switched_off_shows_every_count():
    built = views(SMALL, policy=DisclosurePolicy(enabled=False))
    assert not built.trend.mask[REFERRALS].any()
    assert built.boys.numeric.set_index(SOURCE).loc["Health", BOYS] == 18


@pytest.mark.parametrize("chosen, present, expected", [
    ((), ["Police"], list(REFERRAL_SOURCES)),
    (("Health", "Police"), ["Police"], ["Health", "Police"]),
    ((), ["Police", "Carrier pigeon"], [*REFERRAL_SOURCES, "Carrier pigeon"]),
])
def test_sources_in_scope_lists_every_source_that_could_refer(chosen, present, expected):
    assert sources.sources_in_scope(chosen, present) == expected


def test_fewest_sources_a_source_with_none_reads_as_withheld_not_as_none():
    built = views(SMALL, chosen=("Police", "Education", "Health", "Housing"))
    fewest = sources.fewest_referrals(built.by_source, how_many=2)
    assert fewest[SOURCE].tolist() == ["Housing", "Health"]
    assert fewest[REFERRALS].tolist() == ["c", "40"]  # Health's 43 rounded down by its key


def test_fewest_lists_withheld_counts_first():
    table = counts(("2025-Q1", "Police", "Low", "Early help", False, 40), ("2025-Q1", "Health", "Low", "Early help", False, 2),
                   ("2025-Q1", "Education", "Low", "Early help", False, 30))
    fewest = sources.fewest_referrals(views(table).by_source)
    assert fewest[REFERRALS].tolist() == ["c", "30", "40"]
    assert fewest[SOURCE].tolist() == ["Health", "Education", "Police"]


@pytest.mark.parametrize("title, table, expected", [
    (lambda v: sources.who_refers_title(v.by_source.numeric), BIG, "Police made the most referrals: 50.0% of all referrals"),
    (lambda v: sources.trend_title(v.trend.numeric, QUARTERS), BIG, "Education referrals fell most: 60 in 2025-Q1, 20 in 2025-Q2"),
    (lambda v: sources.no_further_action_title(v.outcomes_by_source.numeric), BIG,
     "Referrals from Education most often ended with no further action (75.0%)"),
    (lambda v: sources.high_risk_title(v.outcomes_by_risk.numeric), BIG, "Outcome of referrals by risk level"),
    (lambda v: sources.boys_title(v.boys.numeric, 0.33), BIG, "No source referred significantly fewer boys than the 33% benchmark"),
])
def test_titles_state_the_finding(title, table, expected):
    assert title(views(table)) == expected


@pytest.mark.parametrize("benchmark, expected", [
    (0.45, "Police and Education referred significantly fewer boys than the 45% benchmark"),
    (0.9, "3 of 3 sources referred significantly fewer boys than the 90% benchmark"),
])
def test_boys_title_names_few_sources_and_counts_many(benchmark, expected):
    assert sources.boys_title(views(BIG, benchmark=benchmark).boys.numeric, benchmark) == expected


def test_outcomes_cover_every_outcome_in_order():
    table = views(BIG).outcomes_by_source.numeric
    assert table[table[SOURCE] == "Police"][OUTCOME].tolist() == list(OUTCOMES)


def test_a_source_whose_every_outcome_is_withheld_gets_no_bar_and_is_named():
    table = counts(*BIG.iloc[:, :6].itertuples(index=False), ("2025-Q1", "Housing", "Low", "Early help", False, 3),
                   ("2025-Q2", "Housing", "Low", "Ongoing", False, 4))
    outcomes = views(table, chosen=("Police", "Education", "Health", "Housing", "Self")).outcomes_by_source
    assert sources.rows_with_shares(outcomes, SOURCE) == ["Police", "Education", "Health"]
    assert sources.too_few_for_outcomes(outcomes, SOURCE, FROM_SOURCE) == ["Housing", "Self"]  # Self: none, read as c


def test_a_source_whose_every_quarter_is_withheld_is_named_instead_of_an_empty_small_chart():
    table = counts(*BIG.iloc[:, :6].itertuples(index=False), ("2025-Q1", "Housing", "Low", "Early help", False, 3),
                   ("2025-Q2", "Housing", "Low", "Ongoing", False, 4))
    trend = views(table, chosen=("Police", "Education", "Health", "Housing", "Self")).trend
    assert sources.withheld_every_quarter(trend) == ["Housing", "Self"], "Health has one shown quarter"
