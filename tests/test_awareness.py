"""Prevention and awareness: plans summed only when complete, people reached shown as reported (not counts of
children's records), referral rates beside them from the published referral counts, and the findings in the
guidance's words."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cseboard.contract import AUDIENCES, AWARENESS_SETTINGS
from cseboard.display import charts
from cseboard.filters import Filters
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.questions import awareness as aw
from cseboard.questions import rates
from cseboard.questions.section import Chart, Metrics

QUARTERS = ["2026-Q2", "2026-Q3"]
AREAS = pd.DataFrame({"area": ["Northgate", "Riverside"], "children": [10_000.0, 8_000.0], "chosen": [True, True]})


def work(*rows) -> pd.DataFrame:
    """Awareness rows as the awareness_reach query returns them: (quarter, audience, setting, area, sessions, people,
    plan)."""
    frame = pd.DataFrame(rows, columns=["quarter", "audience", "setting", "area", "sessions", "people_reached",
                                        "planned_reach"])
    frame["planned_reach"] = frame["planned_reach"].astype("Int64")
    return frame


BASE = [
    ("2026-Q2", "Children and young people", "Secondary school", "Northgate", 3, 240, 300),
    ("2026-Q2", "Children and young people", "Secondary school", "Riverside", 2, 150, 200),
    ("2026-Q3", "Children and young people", "Primary school", "Northgate", 2, 60, 80),
    ("2026-Q3", "Children and young people", "Online", None, 1, 120, None),
    ("2026-Q2", "Communities", "Taxi and private hire", "Riverside", 1, 14, 20),
    ("2026-Q3", "Communities", "Hotels", "Northgate", 1, 9, 10),
    ("2026-Q3", "Parents and carers", "Parents' group", "Riverside", 2, 16, 30),
]
SMALL = [*BASE, ("2026-Q3", "Communities", "Fast food", "Riverside", 1, 3, 5)]


def areas_rates(**columns) -> pd.DataFrame:
    """The areas_rates query's rows for the two areas: referrals with their cell keys, population, chosen."""
    return pd.DataFrame({"area": ["Northgate", "Riverside"], "referrals": [92, 3], "referrals_ckey": [255, 255],
                         "population": [10_000.0, 8_000.0], "chosen": [True, True], **columns})


@pytest.mark.parametrize("enabled", [True, False])
def test_small_counts_of_people_are_shown_as_reported_whether_protection_is_on_or_off(enabled):
    reach = aw.reach_views(work(*SMALL), AREAS, QUARTERS, DisclosurePolicy(enabled=enabled))
    for view in (reach.by_setting, reach.by_quarter, reach.by_area):
        assert not view.mask.to_numpy().any()
    assert reach.by_setting.numeric.set_index(aw.SETTING).at["Fast food", aw.REACHED] == 3
    quarter = reach.by_quarter.numeric.set_index([aw.QUARTER, aw.AUDIENCE])
    assert quarter.at[("2026-Q3", "Communities"), aw.REACHED] == 12
    assert "c" not in reach.by_setting.display()[aw.REACHED].tolist()


def test_sessions_people_and_plans_are_summed_per_setting_and_audience():
    reach = aw.reach_views(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    table = reach.by_setting.numeric.set_index([aw.AUDIENCE, aw.SETTING])
    assert not reach.by_setting.mask[aw.REACHED].any()
    assert table.loc[("Children and young people", "Secondary school"), [aw.SESSIONS, aw.REACHED, aw.PLANNED]].tolist() == [
        5, 390, 500]
    assert table.at[("Children and young people", "Secondary school"), aw.OF_PLAN] == pytest.approx(78.0)
    assert table.at[("Communities", aw.ALL_SETTINGS), aw.REACHED] == 23
    assert table.at[(aw.ALL_AUDIENCES, aw.ALL_SETTINGS), aw.REACHED] == 609
    assert table.at[("Practitioners", aw.ALL_SETTINGS), aw.REACHED] == 0


def test_a_plan_is_summed_only_when_all_of_the_work_had_one():
    reach = aw.reach_views(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    table = reach.by_setting.numeric.set_index([aw.AUDIENCE, aw.SETTING])
    assert np.isnan(table.at[("Children and young people", "Online"), aw.PLANNED])
    assert np.isnan(table.at[("Children and young people", aw.ALL_SETTINGS), aw.PLANNED])
    assert table.at[("Communities", aw.ALL_SETTINGS), aw.PLANNED] == 30
    assert reach.with_a_plan == (489.0, 640.0)  # every setting but online


def test_the_area_view_counts_children_and_young_people_per_10000_children_and_keeps_work_not_tied_to_an_area():
    reach = aw.reach_views(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    table = reach.by_area.numeric.set_index(aw.AREA)
    assert table.index.tolist() == ["Northgate", "Riverside", aw.NO_AREA]
    assert table.at["Northgate", aw.CYP_REACHED] == 300 and table.at["Northgate", aw.REACHED] == 309
    assert table.at["Northgate", aw.CYP_PER] == pytest.approx(300.0)
    assert table.at[aw.NO_AREA, aw.REACHED] == 120 and np.isnan(table.at[aw.NO_AREA, aw.CYP_PER])
    assert aw.partnership_cyp_rate(reach.by_area) == pytest.approx(10_000 * 450 / 18_000)


@pytest.mark.parametrize("settings, expected", [
    (["with taxi and private-hire drivers"], "No awareness work with taxi and private-hire drivers in 2026-Q3"),
    (["online", "in licensed premises"], "No awareness work online or in licensed premises in 2026-Q3"),
    ([], ""),
])
def test_settings_with_no_work_are_named_in_words(settings, expected):
    assert aw.no_work_sentence(settings, "2026-Q3") == expected


def test_settings_with_no_work_in_the_quarter_include_planned_work_not_delivered():
    rows = work(*BASE, ("2026-Q3", "Communities", "Taxi and private hire", "Northgate", 0, 0, 20))
    missing = aw.no_work(rows, "2026-Q3")
    assert "with taxi and private-hire drivers" in missing and "in secondary schools" in missing
    assert "in primary schools" not in missing and "online" not in missing


def test_the_setting_furthest_below_its_plan_reads_like_the_board_asks():
    rows = work(*BASE, ("2026-Q3", "Children and young people", "Secondary school", "Northgate", 1, 14, 200))
    reach = aw.reach_views(rows, AREAS, QUARTERS, DisclosurePolicy())
    assert aw.furthest_below_plan(reach) == "Parents' groups reached: 16 of 30 people planned (53%)"
    parents = work(*BASE, ("2026-Q3", "Parents and carers", "Secondary school", "Northgate", 1, 14, 22))
    assert aw.furthest_below_plan(aw.reach_views(parents, AREAS, QUARTERS, DisclosurePolicy())) == (
        "Parents' groups reached: 16 of 30 people planned (53%)")


def test_a_setting_serving_two_audiences_is_named_with_its_audience():
    rows = work(*BASE, ("2026-Q3", "Parents and carers", "Secondary school", "Northgate", 1, 5, 22))
    reach = aw.reach_views(rows, AREAS, QUARTERS, DisclosurePolicy())
    assert aw.furthest_below_plan(reach) == (
        "Secondary schools (parents and carers) reached: 5 of 22 people planned (23%)")


def test_every_setting_and_audience_has_its_words():
    assert set(aw.WITH_WHOM) == set(aw.REACHED_IN) == set(AWARENESS_SETTINGS)
    assert set(aw.GUIDANCE) == set(aw.GUIDANCE_WORK) == set(AUDIENCES)
    assert all(heading.startswith("Educating ") for heading in aw.GUIDANCE.values())


def test_an_area_named_with_markup_is_drawn_as_written():
    """Area names come from the extract: the charts show them escaped, never as links or bold."""
    named = '<a href="https://example.invalid">x</a>'
    rows = work(*[(q, a, s, named if area == "Northgate" else area, n, p, plan) for q, a, s, area, n, p, plan in BASE])
    areas = AREAS.assign(area=[named, "Riverside"])
    reach = aw.reach_views(rows, areas, QUARTERS, DisclosurePolicy())
    by_area = areas_rates(area=[named, "Riverside"])
    partnership = rates.partnership_rate(by_area, DisclosurePolicy())
    beside = aw.beside_referrals(reach.by_area, by_area, partnership, DisclosurePolicy())
    figure = charts.draw(Chart("awareness.areas", named, beside, {"overall": aw.partnership_cyp_rate(beside),
                                                                   "partnership_rate": 72.0}))
    drawn = figure.to_json()
    assert "<a href" not in drawn and "\\u003ca href" not in drawn
    assert "&lt;a href" in drawn


def test_the_cards_show_people_reached_and_the_share_of_plan_as_reported():
    fetched = {"awareness_reach": work(*SMALL), "awareness_areas": AREAS, "areas_rates": areas_rates()}
    answered = aw.section(lambda name, filters, **_: fetched[name], Filters("2026-Q2", "2026-Q3"), DisclosurePolicy())
    cards = {card.label: card.value for block in answered.blocks if isinstance(block, Metrics) for card in block.cards}
    assert cards["People reached"] == "612"
    assert cards["Work with a plan: reached, % of plan"] == f"{100 * 492 / 645:.0f}%"


def test_the_referral_rate_beside_reach_is_worked_out_from_published_referral_counts():
    """92 referrals (key 255: rounded down to 90) and 3 (rounded to 0: withheld), not the true counts."""
    reach = aw.reach_views(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    partnership = rates.partnership_rate(areas_rates(), DisclosurePolicy())
    beside = aw.beside_referrals(reach.by_area, areas_rates(), partnership, DisclosurePolicy())
    table, withheld = beside.numeric.set_index(aw.AREA), beside.mask.set_index(beside.numeric[aw.AREA])
    assert table.at["Northgate", rates.RATE] == pytest.approx(90.0)
    assert withheld.at["Riverside", rates.RATE] and np.isnan(table.at["Riverside", rates.RATE])
    assert beside.display().set_index(aw.AREA).at["Riverside", rates.RATE] == "c"
    assert partnership.numeric.at[0, rates.RATE] == pytest.approx(10_000 * 95 / 18_000)
