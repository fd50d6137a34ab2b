"""Missing episodes domain logic: bands, return interviews, missing before referral, and what titles may say."""
from __future__ import annotations

import pandas as pd
import pytest

import published
from cseboard.questions import missing
from cseboard.contract import BOYS, OTHERS
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions.missing import (ACCEPTED, ALL_CHILDREN, CHILDREN, EPISODES, GROUP, LATER, QUARTER, SHARE, TOTAL,
                              WHOLE_PERIOD, WITHIN_72_HOURS)

POLICY = DisclosurePolicy()
QUARTERS = ["2025-Q1", "2025-Q2"]


def episode_rows(*rows) -> pd.DataFrame:
    """missing_episodes_by_quarter rows: (quarter, days missing or None, return interview, within 72 hours, episodes),
    each with the cell key 255, which rounds a count down (a multiple of 5 is published as it is)."""
    frame = pd.DataFrame(rows, columns=["quarter", "days_missing", "return_interview", "interviewed_within_72_hours",
                                        "episodes"])
    return frame.astype({"days_missing": "Int64"}).assign(episodes_ckey=255)


@pytest.mark.parametrize("days, band", [
    (None, "Still missing"), (0, "Same day"), (1, "1 day"), (2, "2-3 days"), (3, "2-3 days"), (4, "4-7 days"),
    (7, "4-7 days"), (8, "Over a week"), (40, "Over a week"),
])
def test_duration_band(days, band):
    assert missing.duration_band(pd.NA if days is None else days) == band


@pytest.mark.parametrize("episodes, band", [(1, "Once"), (2, "Twice"), (3, "3 or more times"), (12, "3 or more times")])
def test_repeat_band(episodes, band):
    assert missing.repeat_band(episodes) == band


@pytest.mark.parametrize("offered, timely, outcome", [
    ("Accepted", True, WITHIN_72_HOURS), ("Accepted", False, LATER), ("Declined", False, "Declined"),
    ("Not offered", False, "Not offered"),
])
def test_interview_outcome(offered, timely, outcome):
    assert missing.interview_outcome(offered, timely) == outcome


def test_interviews_fill_every_quarter_and_total_each_way():
    rows = episode_rows(("2025-Q2", 0, "Accepted", True, 30), ("2025-Q2", 1, "Accepted", False, 10),
                        ("2025-Q2", 2, "Declined", False, 20), ("2025-Q2", 0, "Not offered", False, 40))
    table = missing.interviews(rows, QUARTERS, POLICY).numeric.set_index(QUARTER)
    assert table.loc["2025-Q1"].sum() == 0
    assert table.loc["2025-Q2", [WITHIN_72_HOURS, LATER, "Declined", "Not offered", TOTAL]].tolist() == [30, 10, 20, 40,
                                                                                                        100]
    assert table.loc[TOTAL, TOTAL] == 100


def test_timeliness_is_a_share_of_all_returns_with_offered_and_accepted_as_steps():
    """40 of 100 returns were never offered an interview: 30% had one within 72 hours (not 75% of those accepted)."""
    rows = episode_rows(("2025-Q1", 0, "Accepted", True, 30), ("2025-Q1", 0, "Accepted", False, 10),
                        ("2025-Q1", 0, "Declined", False, 20), ("2025-Q1", 0, "Not offered", False, 40))
    timely = missing.timeliness(rows, QUARTERS, POLICY)
    total = timely.numeric.set_index(QUARTER).loc[TOTAL]
    assert total[list(missing.STEPS)].tolist() == [100, 60, 40, 30]
    assert total[SHARE] == pytest.approx(30.0)
    assert missing.timeliness_title(timely, "2025-Q1") == (
        "30.0% of the 100 returns in the period had an interview within 72 hours; 60 were offered one and 40 accepted")


def test_each_timeliness_step_is_published_from_its_own_records():
    """Offered is not returns less 'not offered' (a withheld 2), nor accepted the sum of its parts (a withheld 3):
    each step is its own records' count, published on their keys."""
    rows = episode_rows(("2025-Q1", 0, "Accepted", True, 30), ("2025-Q1", 0, "Accepted", False, 3),
                        ("2025-Q1", 0, "Declined", False, 20), ("2025-Q1", 0, "Not offered", False, 2))
    interviews = missing.interviews(rows, QUARTERS, POLICY).display().set_index(QUARTER)
    assert interviews.loc["2025-Q1", [LATER, "Not offered"]].tolist() == ["c", "c"]
    timely = missing.timeliness(rows, QUARTERS, POLICY).display().set_index(QUARTER)
    key_of = {rows_counted: 255 * rows_counted % 256 for rows_counted in (1, 2, 3, 4)}
    expected = [published.figure(55, key_of[4]), published.figure(53, key_of[3]), published.figure(33, key_of[2]),
                published.figure(30, key_of[1])]
    assert timely.loc["2025-Q1", list(missing.STEPS)].tolist() == [published.text(value) for value in expected]
    assert timely.loc["2025-Q2", list(missing.STEPS)].tolist() == ["c"] * 4  # none, published as c like 1 to 4


def children_rows(episodes: list[int], children: list[int], key: int = 255) -> pd.DataFrame:
    """missing_children_by_quarter rows for 2025-Q1, 2025-Q2 and the whole period, each count's key `key` per quarter."""
    return pd.DataFrame({"quarter": ["2025-Q1", "2025-Q2", None], "whole_period": [False, False, True],
                         "episodes": episodes, "children": children, "episodes_ckey": [key, key, 2 * key],
                         "children_ckey": [key, key, 2 * key]})


@pytest.mark.parametrize("q1_episodes", [3, 12, 43])
def test_a_quarters_episodes_are_the_same_figure_in_both_tables(q1_episodes):
    """A quarter's episodes appear twice (its own chart and the interview totals): the same records, the same figure."""
    rows = episode_rows(("2025-Q1", 0, "Declined", False, q1_episodes), ("2025-Q2", 0, "Declined", False, 40))
    interviews = missing.interviews(rows, QUARTERS, POLICY)
    table = missing.children_by_quarter(children_rows([q1_episodes, 40, q1_episodes + 40], [3, 30, 33]), QUARTERS,
                                        POLICY)
    assert table.display()[EPISODES].tolist()[:2] == interviews.display()[TOTAL].tolist()[:2]
    assert table.display()[EPISODES].tolist()[2] == interviews.display()[TOTAL].tolist()[2]


def test_repeat_and_durations_share_of_their_total():
    repeat = missing.repeat_missing(pd.DataFrame({"episodes_in_period": [1, 2, 3, 7], "children": [50, 20, 6, 4],
                                                  "children_ckey": 255}), POLICY)
    assert repeat.numeric[CHILDREN].tolist() == [50, 20, 10]
    assert repeat.numeric[SHARE].tolist() == pytest.approx([62.5, 25.0, 12.5])
    assert missing.repeat_title(repeat) == "10 of the 80 children who went missing (12.5%) went missing 3 or more times in the period"
    durations = missing.durations(episode_rows(("2025-Q1", 0, "Declined", False, 60), ("2025-Q1", None, "Not offered",
                                                                                        False, 2)), POLICY)
    assert durations.display()[EPISODES].tolist() == ["60", "c", "c", "c", "c", "c"]


def before_rows(boys: int, boys_missing: int, girls: int, girls_missing: int) -> pd.DataFrame:
    """missing_before_referral rows for one quarter: each gender, then all genders."""
    return pd.DataFrame({"quarter": ["2025-Q1"] * 3, "gender": ["Female", "Male", None],
                         "all_genders": [False, False, True], "children": [girls, boys, girls + boys],
                         "children_missing_before": [girls_missing, boys_missing, girls_missing + boys_missing],
                         "children_ckey": [255, 255, 254], "children_missing_before_ckey": [255, 255, 254]})


def test_before_referral_boys_against_the_others():
    table = missing.before_referral(before_rows(40, 10, 160, 20), ["2025-Q1"], POLICY)
    shares = table.numeric.set_index(GROUP)[SHARE]
    assert shares[[BOYS, OTHERS, ALL_CHILDREN]].tolist() == pytest.approx([25.0, 12.5, 15.0])
    assert missing.before_referral_title(table, "2025-Q1") == ("In 2025-Q1, 25.0% of boys referred had gone missing in "
                                                               "the 90 days before, against 12.5% of girls and other "
                                                               "children")


def test_before_referral_small_count_is_withheld_and_not_titled():
    table = missing.before_referral(before_rows(40, 3, 160, 20), ["2025-Q1"], POLICY)
    shown = table.display().set_index(GROUP)
    assert shown.loc[BOYS, missing.MISSING_BEFORE] == "c" and shown.loc[BOYS, SHARE] == "c"
    assert shown.loc[OTHERS, missing.MISSING_BEFORE] == "20"
    assert shown.loc[ALL_CHILDREN, missing.MISSING_BEFORE] == "20"  # 23 rounded down by its key
    assert missing.before_referral_title(table, "2025-Q1").startswith("In 2025-Q1, 10.0% of children referred")


def test_headline_reads_the_protected_tables():
    rows = episode_rows(("2025-Q1", 0, "Accepted", True, 2), ("2025-Q1", 0, "Declined", False, 1))
    children = missing.children_by_quarter(
        pd.DataFrame({"quarter": ["2025-Q1", None], "whole_period": [False, True], "episodes": [3, 3],
                      "children": [2, 2], "episodes_ckey": 255, "children_ckey": 255}), ["2025-Q1"], POLICY)
    repeat = missing.repeat_missing(pd.DataFrame({"episodes_in_period": [1, 2], "children": [1, 1],
                                                  "children_ckey": 255}), POLICY)
    figures = dict(missing.headline(children, repeat, missing.timeliness(rows, ["2025-Q1"], POLICY)))
    assert set(figures.values()) == {"c"}
    assert set(figures) == set(missing.CARD_HELP), "every card has its help text"
    assert missing.children_title(children, "2025-Q1") == "In 2025-Q1, c children went missing, in c episodes"
    assert WHOLE_PERIOD in children.numeric[QUARTER].tolist()
