"""Linked crimes and vulnerabilities: shares per group, co-occurrence, and what titles may say."""
from __future__ import annotations

import pandas as pd
import pytest

from cseboard.display import charts

from cseboard.questions import linked
from cseboard.contract import BOYS, CRIME_LABELS, OTHERS, VULNERABILITY_LABELS
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions.linked import BASE, COUNT, CRIME, SHARE, VULNERABILITY

POLICY = DisclosurePolicy()
COLUMNS = ["quarter", "gender", "age_band", "kind", "item", "referrals_with", "referrals"]


def group_rows(*rows, key: int = 255) -> pd.DataFrame:
    """crimes_by_group rows: (quarter, gender, age band, kind, item, referrals with it, referrals in the group), every
    cell key 255 unless given: a count that is a multiple of 5 is published as it is, any other rounded down."""
    return pd.DataFrame(rows, columns=COLUMNS).assign(referrals_with_ckey=key, referrals_ckey=key)


ROWS = group_rows(
    ("2025-Q1", "Male", "14-15", "crime", "gangs", 20, 50),
    ("2025-Q1", "Male", "14-15", "crime", "criminal_exploitation", 25, 50),
    ("2025-Q1", "Female", "14-15", "crime", "gangs", 10, 150),
    ("2025-Q1", "Female", "14-15", "vulnerability", "mental_health", 30, 150),
    ("2025-Q2", "Other", "Under 10", "crime", "online_grooming", 30, 40),
    ("2025-Q2", "Female", "Under 10", None, None, 0, 60),
)


@pytest.mark.parametrize("kind, labels", [(CRIME, CRIME_LABELS), (VULNERABILITY, VULNERABILITY_LABELS)])
def test_overall_lists_every_item_with_its_share_of_all_referrals(kind, labels):
    table = linked.shares(ROWS, kind, policy=POLICY).numeric
    assert sorted(table[linked.ITEM_HEADINGS[kind]]) == sorted(labels.values())
    assert set(table[BASE]) == {300}
    if kind == CRIME:
        shares = table.set_index(linked.ITEM_HEADINGS[kind])[SHARE]
        assert shares[CRIME_LABELS["gangs"]] == pytest.approx(10.0)
        assert shares[CRIME_LABELS["online_grooming"]] == pytest.approx(10.0)
        assert table[COUNT].fillna(0).is_monotonic_decreasing


@pytest.mark.parametrize("by, expected", [
    ("gender", {(BOYS, "gangs"): (20, 50), (OTHERS, "gangs"): (10, 250), (OTHERS, "online_grooming"): (30, 250)}),
    ("age_band", {("Under 10", "online_grooming"): (30, 100), ("14-15", "criminal_exploitation"): (25, 200)}),
    ("quarter", {("2025-Q2", "gangs"): (None, 100), ("2025-Q1", "gangs"): (30, 200)}),
])
def test_shares_by_group_count_each_referral_group_once(by, expected):
    table = linked.shares(ROWS, CRIME, by, policy=POLICY).numeric
    indexed = table.set_index([linked.DIMENSIONS[by], linked.ITEM_HEADINGS[CRIME]])
    for (group, item), (count, base) in expected.items():
        shown = indexed.loc[(group, CRIME_LABELS[item]), [COUNT, BASE]].tolist()
        assert [None if pd.isna(value) else value for value in shown] == [count, base]


def test_gender_and_age_groups_in_reading_order():
    assert linked.shares(ROWS, CRIME, "gender", policy=POLICY).numeric.Gender.unique().tolist() == [BOYS, OTHERS]
    assert linked.shares(ROWS, CRIME, "age_band", policy=POLICY).numeric["Age band"].unique().tolist() == [
        "Under 10", "14-15"]


def test_titles_state_findings_from_shown_figures():
    assert linked.overall_title(linked.shares(ROWS, CRIME, policy=POLICY), CRIME) == (
        "Grooming (incl. online) is the linked crime most often recorded: on 10.0% of referrals")
    by_gender = linked.shares(ROWS, CRIME, "gender", policy=POLICY)
    assert linked.by_gender_title(by_gender, CRIME) == (
        "Gang-related activity is recorded on 40.0% of boys' referrals, against 4.0% of girls' and other children's")
    assert linked.by_age_title(linked.shares(ROWS, CRIME, "age_band", policy=POLICY), CRIME) == (
        "Share of referrals recording each linked crime, by age band")  # grooming at 14-15 is 0: withheld, no spread


def test_small_counts_withheld_in_shares_and_never_titled():
    rows = group_rows(("2025-Q1", "Male", "14-15", "crime", "gangs", 3, 40),
                      ("2025-Q1", "Female", "14-15", "crime", "gangs", 2, 160))
    by_gender = linked.shares(rows, CRIME, "gender", policy=POLICY)
    shown = by_gender.display().set_index(linked.ITEM_HEADINGS[CRIME]).loc[CRIME_LABELS["gangs"]]
    assert shown[COUNT].tolist() == ["c", "c"] and shown[SHARE].tolist() == ["c", "c"]
    assert linked.by_gender_title(by_gender, CRIME).startswith("Share of referrals recording each linked crime")
    heights, labels = charts.bar_heights(by_gender, SHARE)
    gangs = by_gender.numeric[linked.ITEM_HEADINGS[CRIME]] == CRIME_LABELS["gangs"]
    assert heights[gangs].tolist() == [0, 0] and labels[gangs].tolist() == ["c", "c"]


def test_a_small_count_rounded_up_by_its_key_is_shown_as_five_and_its_share_from_it():
    rows = group_rows(("2025-Q1", "Male", "14-15", "crime", "gangs", 3, 40), key=0)
    shown = linked.shares(rows, CRIME, policy=POLICY).numeric.set_index(linked.ITEM_HEADINGS[CRIME])
    assert shown.loc[CRIME_LABELS["gangs"], [COUNT, BASE, SHARE]].tolist() == [5, 40, 12.5]


def symmetric(pairs: dict[tuple[str, str], int]) -> list[tuple]:
    """crimes_co_occurrence rows for crime pairs, which the query returns both ways round."""
    return [row for (a, b), n in pairs.items() for row in ((a, "crime", b, n), (b, "crime", a, n))]


CRIME_PAIRS = {("gangs", "criminal_exploitation"): 40, ("gangs", "drugs"): 3, ("drugs", "criminal_exploitation"): 30,
               ("trafficking", "criminal_exploitation"): 12, ("trafficking", "drugs"): 15, ("trafficking", "gangs"): 9}
VULNERABILITY_PAIRS = [("gangs", "vulnerability", "gang_affected", 25), ("gangs", "vulnerability", "mental_health", 8),
                       ("online_grooming", "vulnerability", "gang_affected", 30),
                       ("online_grooming", "vulnerability", "mental_health", 2)]
PAIRS = pd.DataFrame(symmetric(CRIME_PAIRS) + VULNERABILITY_PAIRS,
                     columns=["crime", "kind", "item", "referrals"]).assign(referrals_ckey=255)


def test_crimes_with_crimes_show_each_pair_once_with_small_cells_withheld():
    table = linked.co_occurrence(PAIRS, CRIME, policy=POLICY)
    cells = table.numeric.set_index(linked.ITEM_HEADINGS[CRIME])
    assert "Total" not in cells.index and "Total" not in cells.columns
    assert list(cells.index) == list(CRIME_LABELS.values())[1:]
    assert list(cells.columns) == list(CRIME_LABELS.values())[:-1]
    pair = cells.loc[CRIME_LABELS["criminal_exploitation"], CRIME_LABELS["gangs"]]
    assert pair == 40
    assert cells.loc[CRIME_LABELS["gangs"], CRIME_LABELS["trafficking"]] == 5  # 9 rounded down by key 255
    assert pd.isna(cells.loc[CRIME_LABELS["domestic_abuse"], CRIME_LABELS["gangs"]])
    shown = table.display().set_index(linked.ITEM_HEADINGS[CRIME])
    assert shown.loc[CRIME_LABELS["gangs"], CRIME_LABELS["drugs"]] == "c"
    assert shown.loc[CRIME_LABELS["domestic_abuse"], CRIME_LABELS["gangs"]] == ""
    assert linked.co_occurrence_title(table, CRIME) == (
        "Criminal exploitation and gang-related activity are recorded together most often: on 40 referrals")


def test_crimes_with_vulnerabilities_full_grid():
    table = linked.co_occurrence(PAIRS, VULNERABILITY, policy=POLICY)
    cells = table.numeric.set_index(linked.ITEM_HEADINGS[CRIME])
    assert cells.shape == (len(CRIME_LABELS), len(VULNERABILITY_LABELS))
    assert cells.loc[CRIME_LABELS["gangs"], VULNERABILITY_LABELS["gang_affected"]] == 25
    assert table.display().set_index(linked.ITEM_HEADINGS[CRIME]).loc[
        CRIME_LABELS["online_grooming"], VULNERABILITY_LABELS["mental_health"]] == "c"
