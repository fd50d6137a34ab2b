"""Prevention and awareness, as section B of the DfE 2017 guidance asks of strategic leaders: whom the work reached
(educating children and young people, parents and carers, communities and practitioners), in which settings, against
its plan, each quarter, and by area beside where referrals come from.

People reached are adults and children at sessions, sessions and planned reach are events and targets: none is a
count of children's records, so, like the training page's staff counts, they are shown as reported (docs/disclosure.md).
The referral rates beside them come from questions.rates, worked out from the published referral counts as on the
Areas page.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from cseboard.contract import AUDIENCES, AWARENESS_SETTINGS
from cseboard.filters import Filters
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable
from cseboard.questions import rates
from cseboard.questions.section import (Chart, Definitions, Fetch, Figure, Finding, Metric, Metrics, Note, Section,
                                        nothing_to_draw)

AUDIENCE, SETTING, QUARTER, AREA = "Audience", "Setting", "Quarter", "Area"
SESSIONS, REACHED, PLANNED, OF_PLAN = "Sessions delivered", "People reached", "Planned reach", "Reached (% of plan)"
CYP = "Children and young people"
CYP_REACHED, CHILDREN = "Children and young people reached", "Children living in the area"
CYP_PER = "Children and young people reached per 10,000 children"
ALL_SETTINGS, ALL_AUDIENCES, NO_AREA = "All settings", "All audiences", "Not tied to one area"
PER = 10_000

GUIDANCE = {
    "Children and young people": "Educating children and young people",
    "Parents and carers": "Educating parents and carers",
    "Communities": "Educating communities",
    "Practitioners": "Educating practitioners",
}
"""Each audience under the heading the guidance's section B gives its education."""
GUIDANCE_WORK = {
    "Children and young people": "sessions in primary and secondary schools, alternative provision, youth groups "
                                 "and online",
    "Parents and carers": "parents' groups, and sessions for parents and carers at schools",
    "Communities": "the night-time economy: taxi and private-hire drivers (through licensing), hotels, licensed "
                   "premises, fast-food outlets and security staff",
    "Practitioners": "briefings and awareness sessions; workforce training by agency is on the Training coverage page",
}
SETTING_WORDS = {
    "Primary school": ("in primary schools", "Primary schools"),
    "Secondary school": ("in secondary schools", "Secondary schools"),
    "Alternative provision": ("in alternative provision", "Alternative provision"),
    "Youth group": ("in youth groups", "Youth groups"),
    "Online": ("online", "Online sessions"),
    "Parents' group": ("with parents' groups", "Parents' groups"),
    "Taxi and private hire": ("with taxi and private-hire drivers", "Taxi and private-hire drivers"),
    "Hotels": ("with hotel staff", "Hotel staff"),
    "Licensed premises": ("in licensed premises", "Licensed premises"),
    "Fast food": ("with fast-food staff", "Fast-food staff"),
    "Security": ("with security staff", "Security staff"),
    "Other": ("in other settings", "Other settings"),
}
"""Each setting in the words a board reads in a finding: the end of "no awareness work ..." and the start of
"... reached: 14 of 22 people planned"."""
WITH_WHOM = {setting: words[0] for setting, words in SETTING_WORDS.items()}
REACHED_IN = {setting: words[1] for setting, words in SETTING_WORDS.items()}


@dataclass(frozen=True)
class Reach:
    """The page's three views of people reached: by audience and setting, by quarter, by area."""

    by_setting: ProtectedTable
    by_quarter: ProtectedTable
    by_area: ProtectedTable
    with_a_plan: tuple[float, float] | None
    """People reached and planned in the settings whose every row had a plan; None when no setting had one."""


def _planned(values: pd.Series) -> float:
    """A group's planned reach: the sum of its plans when every row of it had one, else unknown (NaN)."""
    return float(values.sum()) if len(values) and values.notna().all() else float("nan")


def setting_table(work: pd.DataFrame) -> pd.DataFrame:
    """Sessions, people reached and plan per audience and setting, with each audience's total and the grand total;
    every audience is listed, with zeros where it had no work."""
    rows = []
    for audience in AUDIENCES:
        mine = work[work.audience == audience]
        for setting in [s for s in AWARENESS_SETTINGS if s in set(mine.setting)]:
            chosen = mine[mine.setting == setting]
            rows.append((audience, setting, chosen.sessions.sum(), chosen.people_reached.sum(),
                         _planned(chosen.planned_reach)))
        rows.append((audience, ALL_SETTINGS, mine.sessions.sum(), mine.people_reached.sum(),
                     _planned(mine.planned_reach)))
    rows.append((ALL_AUDIENCES, ALL_SETTINGS, work.sessions.sum(), work.people_reached.sum(),
                 _planned(work.planned_reach)))
    table = pd.DataFrame(rows, columns=[AUDIENCE, SETTING, SESSIONS, REACHED, PLANNED])
    table[[SESSIONS, REACHED]] = table[[SESSIONS, REACHED]].astype(float)
    table[OF_PLAN] = 100 * table[REACHED] / table[PLANNED].where(table[PLANNED] > 0)
    return table


def quarter_table(work: pd.DataFrame, quarters: list[str]) -> pd.DataFrame:
    """People reached and sessions per quarter and audience, every quarter and audience kept, with each quarter's total."""
    grid = pd.MultiIndex.from_product([quarters, [*AUDIENCES, ALL_AUDIENCES]], names=[QUARTER, AUDIENCE])
    sums = work.groupby(["quarter", "audience"])[["sessions", "people_reached"]].sum()
    totals = work.groupby("quarter")[["sessions", "people_reached"]].sum()
    totals.index = pd.MultiIndex.from_product([totals.index, [ALL_AUDIENCES]])
    both = pd.concat([sums, totals]).rename_axis([QUARTER, AUDIENCE]).reindex(grid, fill_value=0)
    return both.rename(columns={"sessions": SESSIONS, "people_reached": REACHED}).astype(float).reset_index()


def area_table(work: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per chosen area (and the work not tied to one): sessions, people and children and young people reached, the
    children living there and how many of them per 10,000 the work reached."""
    chosen = areas[areas.chosen].set_index("area")
    names = list(chosen.index) + ([NO_AREA] if work.area.isna().any() else [])
    located = work.assign(area=work.area.fillna(NO_AREA), cyp=work.people_reached.where(work.audience == CYP, 0))
    sums = located.groupby("area")[["sessions", "people_reached", "cyp"]].sum().reindex(names, fill_value=0)
    table = pd.DataFrame({AREA: names, SESSIONS: sums.sessions.to_numpy(dtype=float),
                          REACHED: sums.people_reached.to_numpy(dtype=float), CYP_REACHED: sums.cyp.to_numpy(dtype=float),
                          CHILDREN: chosen.children.reindex(names).to_numpy(dtype=float)})
    table[CYP_PER] = PER * table[CYP_REACHED] / table[CHILDREN].where(table[CHILDREN] > 0)
    return table


def as_reported(table: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """A view as reported, nothing withheld: people at sessions, sessions and plans are not counts of children's
    records (as staff trained are not)."""
    counts = tuple(c for c in (SESSIONS, REACHED, PLANNED, CYP_REACHED, CHILDREN) if c in table)
    return ProtectedTable(table, pd.DataFrame(False, index=table.index, columns=table.columns), policy, counts,
                          tuple(c for c in (OF_PLAN, CYP_PER) if c in table))


def reach_views(work: pd.DataFrame, areas: pd.DataFrame, quarters: list[str], policy: DisclosurePolicy) -> Reach:
    """The three views of the work, and how the settings that had a plan did against it."""
    by_setting = setting_table(work)
    planned = by_setting[(by_setting[SETTING] != ALL_SETTINGS) & by_setting[PLANNED].notna()]
    return Reach(by_setting=as_reported(by_setting, policy),
                 by_quarter=as_reported(quarter_table(work, quarters), policy),
                 by_area=as_reported(area_table(work, areas), policy),
                 with_a_plan=(float(planned[REACHED].sum()), float(planned[PLANNED].sum())) if len(planned) else None)


def beside_referrals(by_area: ProtectedTable, areas_rates: pd.DataFrame, partnership: ProtectedTable,
                     policy: DisclosurePolicy) -> ProtectedTable:
    """The area view with each area's referral rate and how it compares with the partnership (questions.rates)."""
    referral_rates = rates.area_rates(areas_rates, partnership, policy)
    found = referral_rates.numeric.set_index(rates.AREA)
    hidden = referral_rates.mask.set_index(referral_rates.numeric[rates.AREA])
    places = by_area.numeric[AREA]
    numeric = by_area.numeric.assign(**{
        rates.RATE: places.map(found[rates.RATE]).astype(float),
        rates.COMPARED: places.map(found[rates.COMPARED]).fillna("").astype(str),
    })
    mask = by_area.mask.assign(**{rates.RATE: places.map(hidden[rates.RATE]).fillna(False).astype(bool),
                                  rates.COMPARED: False})
    return replace(by_area, numeric=numeric, mask=mask, rate_columns=(*by_area.rate_columns, rates.RATE))


def percent(value: float) -> str:
    """A share as a board reads it in a sentence: whole percent."""
    return f"{value:.0f}%"


def reach_title(reach: Reach, period: str) -> str:
    """People reached in the period, and how the work with a plan did against it."""
    total = reach.by_setting.numeric[REACHED].iloc[-1]
    sessions = reach.by_setting.numeric[SESSIONS].iloc[-1]
    title = f"{total:,.0f} people reached in {sessions:,.0f} awareness sessions, {period}"
    if reach.with_a_plan is not None and reach.with_a_plan[1] > 0:
        reached, planned = reach.with_a_plan
        title += f"; work with a plan reached {percent(100 * reached / planned)} of the people planned"
    return title


def _setting_words(table: pd.DataFrame, setting: str, audience: str, template: dict[str, str]) -> str:
    """A setting in words, naming its audience when the setting serves more than one."""
    served = table[(table[SETTING] == setting)][AUDIENCE].nunique()
    words = template[setting]
    return f"{words} ({audience.lower()})" if served > 1 else words


def no_work(work: pd.DataFrame, quarter: str) -> list[str]:
    """The settings with no awareness work in a quarter, in words ("with taxi and private-hire drivers")."""
    active = set(work.loc[(work.quarter == quarter) & (work.sessions > 0), "setting"])
    return [WITH_WHOM[setting] for setting in AWARENESS_SETTINGS if setting not in active]


def no_work_sentence(settings: list[str], when: str, where: str = "") -> str:
    """'No awareness work with taxi and private-hire drivers or in licensed premises in 2026-Q3', or ''."""
    if not settings:
        return ""
    listed = settings[0] if len(settings) == 1 else ", ".join(settings[:-1]) + " or " + settings[-1]
    return f"No awareness work {listed} in {when}{where}"


def furthest_below_plan(reach: Reach) -> str:
    """The setting whose people reached fell furthest short of its plan, as '... reached: 14 of 22 planned (64%)'."""
    table = reach.by_setting.numeric
    settings = table[(table[SETTING] != ALL_SETTINGS) & table[OF_PLAN].notna() & (table[OF_PLAN] < 100)]
    if settings.empty:
        return ""
    worst = settings.sort_values(OF_PLAN, kind="stable").iloc[0]
    words = _setting_words(table, worst[SETTING], worst[AUDIENCE], REACHED_IN)
    return (f"{words} reached: {worst[REACHED]:,.0f} of {worst[PLANNED]:,.0f} people planned "
            f"({percent(worst[OF_PLAN])})")


def partnership_cyp_rate(by_area: ProtectedTable) -> float:
    """Children and young people reached per 10,000 children over the areas shown with a population; NaN if none has."""
    counted = by_area.numeric[by_area.numeric[CHILDREN] > 0]
    if counted.empty:
        return float("nan")
    return PER * counted[CYP_REACHED].sum() / counted[CHILDREN].sum()


def thin_where_referrals_are_high(beside: ProtectedTable) -> str:
    """Areas whose referral rate is significantly higher than the partnership's while their children and young
    people were reached less than in the areas shown as a whole."""
    overall = partnership_cyp_rate(beside)
    shown = beside.numeric
    thin = shown[(shown[rates.COMPARED] == rates.HIGHER) & (shown[CYP_PER] < overall)][AREA].tolist()
    if not thin:
        return ""
    return (f"Awareness work is thin where referrals are high: {', '.join(thin)} "
            f"{'has' if len(thin) == 1 else 'have'} a referral rate significantly higher than the partnership's, and "
            f"reached fewer children and young people per 10,000 children than the areas shown ({overall:,.0f})")


def area_note(beside: ProtectedTable, policy: DisclosurePolicy) -> str:
    """Why an area has no point on the chart: its referral rate is withheld, or it has no population."""
    shown = beside.numeric
    missing = shown[(shown[AREA] != NO_AREA) & (shown[CYP_PER].isna() | shown[rates.RATE].isna())][AREA].tolist()
    return (f"Not drawn, as its referral rate is withheld ({policy.symbol}) or it has no population: "
            f"{', '.join(missing)}." if missing else "")


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> Section:
    """Prevention and awareness: reach by audience and setting against plan, by quarter, and by area beside the area's
    referral rate; settings with no work in the latest quarter named in words."""
    work = fetch("awareness_reach", filters)
    period = filters.first_quarter if filters.first_quarter == filters.last_quarter else (
        f"{filters.first_quarter} to {filters.last_quarter}")
    audiences = Definitions(tuple((GUIDANCE[a], GUIDANCE_WORK[a]) for a in AUDIENCES))
    if work.empty:
        message = ("No prevention or awareness work is recorded for the filters chosen. Widen the period or clear the "
                   "area filter, or load an extract that has an awareness table (data/CONTRACT.md).")
        return Section("awareness", "No awareness work recorded", filters.describe(),
                       (audiences, Note(message, tone="info")))
    reach = reach_views(work, fetch("awareness_areas", filters), filters.quarters(), policy)
    areas_rates = fetch("areas_rates", filters)
    partnership = rates.partnership_rate(areas_rates, policy)
    beside = beside_referrals(reach.by_area, areas_rates, partnership, policy)
    title = reach_title(reach, period)
    where = " in the areas chosen" if filters.areas else ""
    gaps = no_work_sentence(no_work(work, filters.last_quarter), filters.last_quarter, where)
    never = no_work_sentence([WITH_WHOM[s] for s in AWARENESS_SETTINGS
                              if s not in set(work.loc[work.sessions > 0, "setting"])], period, where)
    below = furthest_below_plan(reach)
    thin = thin_where_referrals_are_high(beside)
    total = reach.by_setting
    plan_text = (percent(100 * reach.with_a_plan[0] / reach.with_a_plan[1]) if reach.with_a_plan and reach.with_a_plan[1]
                 else "no plan given")
    blocks = (
        Note("The guidance's section B asks strategic leaders to plan prevention through education: of practitioners, "
             "of children and young people, of parents and carers, and of communities. This page shows where that "
             "work reached people and where it did not; workforce training is on the Training coverage page."),
        audiences,
        Note("Only the period and area filters apply: awareness work has no referral source, age band or gender "
             "(referral rates beside it do follow those filters)"
             + ("; with areas chosen, work not tied to one area (such as online sessions) is left out. " if filters.areas
                else ". ") + "People reached are adults and children at sessions, not children referred: like staff "
             "trained, they are not counts of children's records, so people reached, sessions and plans are shown as "
             "reported. Referral rates are worked out from rounded referral counts, as on the Areas page."),
        Note(title, tone="subheader"),
        Metrics((
            Metric("People reached", f"{total.numeric[REACHED].iloc[-1]:,.0f}"),
            Metric("Sessions delivered", f"{total.numeric[SESSIONS].iloc[-1]:,.0f}"),
            Metric("Work with a plan: reached, % of plan", plan_text,
                   help="People reached in the settings where all of the work had a planned reach, against that plan."),
        )),
        *([Note(gaps + ".", tone="warning")] if gaps else []),
        *([Note(never.replace("No awareness work", "No awareness work at all", 1) + ".", tone="info")]
          if never else []),
        Figure("awareness_settings", total, "awareness_by_audience_and_setting",
               chart=None if nothing_to_draw(total, [REACHED]) else Chart(
                   "awareness.against_plan", below or title, total),
               too_small="People reached by setting", alt_text=below or title,
               caption="Bars are people reached; a diamond marks the planned reach where all of that work had a plan. "
                       "Work planned but not delivered counts 0 sessions and 0 people."),
        Figure("awareness_quarters", reach.by_quarter, "awareness_by_quarter",
               chart=None if nothing_to_draw(reach.by_quarter, [REACHED]) else Chart(
                   "awareness.by_quarter", quarter_title(reach.by_quarter), reach.by_quarter),
               too_small="People reached each quarter", alt_text=quarter_title(reach.by_quarter),
               caption="Each audience has its own scale. Work in schools usually dips in July to September, when "
                       "schools are closed."),
        Figure("awareness_areas", beside, "awareness_by_area_beside_referral_rates",
               chart=None if beside.numeric[CYP_PER].notna().sum() == 0 else Chart(
                   "awareness.areas", thin or areas_title(beside), beside,
                   {"overall": partnership_cyp_rate(beside), "partnership_rate": partnership.numeric.at[0, rates.RATE]}),
               too_small="Awareness work by area", alt_text=thin or areas_title(beside),
               caption=" ".join(part for part in (
                   "Each point is an area: how often its children are referred (across) and how many of its children "
                   "and young people awareness work reached (up). Areas low and to the right have high referral rates "
                   "and little awareness work.", area_note(beside, policy), rates.population_note(filters)) if part)),
    )
    findings = tuple(Finding(finding, figure) for finding, figure in (
        (title, "awareness_settings"), (gaps, "awareness_settings"), (below, "awareness_settings"),
        (thin, "awareness_areas")) if finding)
    return Section("awareness", title, filters.describe(), blocks, findings=findings)


def quarter_title(by_quarter: ProtectedTable) -> str:
    """How people reached moved from the first quarter to the last."""
    totals = by_quarter.numeric[by_quarter.numeric[AUDIENCE] == ALL_AUDIENCES].dropna(subset=[REACHED])
    if len(totals) < 2:
        return "People reached each quarter"
    low = totals.loc[totals[REACHED].idxmin()]
    high = totals.loc[totals[REACHED].idxmax()]
    return (f"People reached each quarter: most in {high[QUARTER]} ({high[REACHED]:,.0f}), "
            f"fewest in {low[QUARTER]} ({low[REACHED]:,.0f})")


def areas_title(beside: ProtectedTable) -> str:
    """The area view's title when no area is both high-referring and thinly reached (or that cannot be said)."""
    if pd.isna(partnership_cyp_rate(beside)):
        return "Awareness work by area, beside each area's referral rate"
    return "No area with a significantly high referral rate had less awareness work than the areas shown as a whole"
