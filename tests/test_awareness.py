"""Prevention and awareness: plans summed only when complete, small counts of people withheld across every view that
shares their totals, and the findings in the guidance's words."""
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


def recoverable(withheld: dict, sums: list) -> list:
    """Withheld keys a reader could work out: the only withheld part of a shown total, or a withheld total of shown parts."""
    found = []
    for total, parts in sums:
        hidden = [key for key in (total, *parts) if withheld[key]]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def views(reach: aw.Reach) -> tuple[dict, dict, list]:
    """Every count of people the three views show, whether withheld, and the totals that tie them together."""
    values, withheld, sums = {}, {}, []
    setting, quarter, area = reach.by_setting, reach.by_quarter, reach.by_area
    for index, row in setting.numeric.iterrows():
        key = ("setting", row[aw.AUDIENCE], row[aw.SETTING])
        values[key], withheld[key] = row[aw.REACHED], setting.mask.at[index, aw.REACHED]
    for index, row in quarter.numeric.iterrows():
        key = ("quarter", row[aw.QUARTER], row[aw.AUDIENCE])
        values[key], withheld[key] = row[aw.REACHED], quarter.mask.at[index, aw.REACHED]
    for index, row in area.numeric.iterrows():
        for column, kind in ((aw.REACHED, "area"), (aw.CYP_REACHED, "area_cyp")):
            key = (kind, row[aw.AREA])
            values[key], withheld[key] = row[column], area.mask.at[index, column]
    audiences = setting.numeric[aw.AUDIENCE].unique()
    for audience in audiences:
        if audience == aw.ALL_AUDIENCES:
            continue
        parts = [k for k in values if k[0] == "setting" and k[1] == audience and k[2] != aw.ALL_SETTINGS]
        sums.append((("setting", audience, aw.ALL_SETTINGS), parts))
        sums.append((("setting", audience, aw.ALL_SETTINGS), [("quarter", q, audience) for q in QUARTERS]))
    total = ("setting", aw.ALL_AUDIENCES, aw.ALL_SETTINGS)
    sums.append((total, [("setting", a, aw.ALL_SETTINGS) for a in audiences if a != aw.ALL_AUDIENCES]))
    sums.append((total, [k for k in values if k[0] == "area"]))
    sums.append((("setting", aw.CYP, aw.ALL_SETTINGS), [k for k in values if k[0] == "area_cyp"]))
    for q in QUARTERS:
        sums.append((("quarter", q, aw.ALL_AUDIENCES), [("quarter", q, a) for a in audiences if a != aw.ALL_AUDIENCES]))
    return values, withheld, sums


def test_a_small_count_of_people_is_withheld_in_every_view_and_cannot_be_worked_out():
    reach = aw.protect_reach(work(*SMALL), AREAS, QUARTERS, DisclosurePolicy())
    values, withheld, sums = views(reach)
    assert withheld[("setting", "Communities", "Fast food")]
    assert withheld[("setting", "Communities", "Hotels")]  # its partner: the smallest other part of Communities' total
    assert not withheld[("quarter", "2026-Q3", "Communities")]  # 9 + 3 together give neither away
    assert recoverable(withheld, sums) == []
    for key, hidden in withheld.items():
        assert not hidden or np.isnan(values[key])
        assert hidden or not 0 < values[key] < 5, key


def test_nothing_is_withheld_when_suppression_is_off():
    reach = aw.protect_reach(work(*SMALL), AREAS, QUARTERS, DisclosurePolicy(enabled=False))
    _, withheld, _ = views(reach)
    assert not any(withheld.values())
    assert reach.by_setting.numeric.set_index(aw.SETTING).at["Fast food", aw.REACHED] == 3


def test_counts_of_five_and_more_are_shown_as_they_are_with_sessions_and_plans():
    reach = aw.protect_reach(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    table = reach.by_setting.numeric.set_index([aw.AUDIENCE, aw.SETTING])
    assert not reach.by_setting.mask[aw.REACHED].any()
    assert table.loc[("Children and young people", "Secondary school"), [aw.SESSIONS, aw.REACHED, aw.PLANNED]].tolist() == [
        5, 390, 500]
    assert table.at[("Children and young people", "Secondary school"), aw.OF_PLAN] == pytest.approx(78.0)
    assert table.at[("Communities", aw.ALL_SETTINGS), aw.REACHED] == 23
    assert table.at[(aw.ALL_AUDIENCES, aw.ALL_SETTINGS), aw.REACHED] == 609
    assert table.at[("Practitioners", aw.ALL_SETTINGS), aw.REACHED] == 0


def test_a_plan_is_summed_only_when_all_of_the_work_had_one():
    reach = aw.protect_reach(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
    table = reach.by_setting.numeric.set_index([aw.AUDIENCE, aw.SETTING])
    assert np.isnan(table.at[("Children and young people", "Online"), aw.PLANNED])
    assert np.isnan(table.at[("Children and young people", aw.ALL_SETTINGS), aw.PLANNED])
    assert table.at[("Communities", aw.ALL_SETTINGS), aw.PLANNED] == 30
    assert reach.with_a_plan == (489.0, 640.0)  # every setting but online


def test_the_area_view_counts_children_and_young_people_per_10000_children_and_keeps_work_not_tied_to_an_area():
    reach = aw.protect_reach(work(*BASE), AREAS, QUARTERS, DisclosurePolicy())
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
    reach = aw.protect_reach(rows, AREAS, QUARTERS, DisclosurePolicy())
    assert aw.furthest_below_plan(reach) == "Parents' groups reached: 16 of 30 people planned (53%)"
    parents = work(*BASE, ("2026-Q3", "Parents and carers", "Secondary school", "Northgate", 1, 14, 22))
    assert aw.furthest_below_plan(aw.protect_reach(parents, AREAS, QUARTERS, DisclosurePolicy())) == (
        "Parents' groups reached: 16 of 30 people planned (53%)")


def test_a_setting_serving_two_audiences_is_named_with_its_audience():
    rows = work(*BASE, ("2026-Q3", "Parents and carers", "Secondary school", "Northgate", 1, 5, 22))
    reach = aw.protect_reach(rows, AREAS, QUARTERS, DisclosurePolicy())
    assert aw.furthest_below_plan(reach) == (
        "Secondary schools (parents and carers) reached: 5 of 22 people planned (23%)")


def test_every_setting_and_audience_has_its_words():
    assert set(aw.WITH_WHOM) == set(aw.REACHED_IN) == set(AWARENESS_SETTINGS)
    assert set(aw.GUIDANCE) == set(aw.GUIDANCE_WORK) == set(AUDIENCES)
    assert all(heading.startswith("Educating ") for heading in aw.GUIDANCE.values())


@pytest.mark.parametrize("people", [1, 4])
def test_any_small_count_in_any_cell_is_protected(people):
    """Every cell of a small table in turn holds a small count: none can be worked out from what is shown."""
    for index in range(len(BASE)):
        rows = [list(row) for row in BASE]
        rows[index][5] = people
        reach = aw.protect_reach(work(*map(tuple, rows)), AREAS, QUARTERS, DisclosurePolicy())
        values, withheld, sums = views(reach)
        assert recoverable(withheld, sums) == [], index
        assert not any(0 < value < 5 for key, value in values.items() if not withheld[key]), index


def test_an_area_named_with_markup_is_drawn_as_written():
    """Area names come from the extract: the charts show them escaped, never as links or bold."""
    named = '<a href="https://example.invalid">x</a>'
    rows = work(*[(q, a, s, named if area == "Northgate" else area, n, p, plan) for q, a, s, area, n, p, plan in BASE])
    areas = AREAS.assign(area=[named, "Riverside"])
    reach = aw.protect_reach(rows, areas, QUARTERS, DisclosurePolicy())
    by_area = pd.DataFrame({"area": [named, "Riverside"], "referrals": [90, 40], "population": [10_000.0, 8_000.0],
                            "chosen": [True, True]})
    partnership = rates.partnership_rate(by_area, DisclosurePolicy())
    beside = aw.beside_referrals(reach.by_area, by_area, partnership, DisclosurePolicy())
    figure = charts.draw(Chart("awareness.areas", named, beside, {"overall": aw.partnership_cyp_rate(beside),
                                                                   "partnership_rate": 72.0}))
    drawn = figure.to_json()
    assert "<a href" not in drawn and "\\u003ca href" not in drawn
    assert "&lt;a href" in drawn


def test_the_share_of_plan_is_withheld_not_called_missing_when_a_planned_count_is_withheld():
    fetched = {"awareness_reach": work(*SMALL), "awareness_areas": AREAS,
               "areas_rates": pd.DataFrame({"area": ["Northgate", "Riverside"], "referrals": [90, 40],
                                            "population": [10_000.0, 8_000.0], "chosen": [True, True]})}
    answered = aw.section(lambda name, filters, **_: fetched[name], Filters("2026-Q2", "2026-Q3"), DisclosurePolicy())
    cards = {card.label: card.value for block in answered.blocks if isinstance(block, Metrics) for card in block.cards}
    assert cards["Work with a plan: reached, % of plan"] == "<5"
    assert cards["People reached"] == "612"
