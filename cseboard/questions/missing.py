"""Missing episodes: children and episodes per quarter, repeat missing, durations, return interviews, and missing
in the 90 days before a CSE referral. Every table is returned disclosure-protected, ready to chart and tabulate.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from cseboard.methods import disclosure, spc
from cseboard.contract import BOYS, OTHERS, gender_group
from cseboard.filters import Filters
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, cell_key_column as key, visible
from cseboard.methods.words import percent
from cseboard.questions.coverage import coverage
from cseboard.questions import trends
from cseboard.questions.section import (Chart, Columns, Fetch, Figure, Finding, Metric, Metrics, Note, Section, no_data,
                                        figures, nothing_to_draw)

DAYS_BEFORE_REFERRAL = 90
REPEAT_FROM = 3
WHOLE_PERIOD = "Whole period"
ALL_CHILDREN = "All children"
DURATION_BANDS = ("Same day", "1 day", "2-3 days", "4-7 days", "Over a week", "Still missing")
REPEAT_BANDS = ("Once", "Twice", f"{REPEAT_FROM} or more times")
WITHIN_72_HOURS, LATER = "Accepted, held within 72 hours", "Accepted, later or no date recorded"
INTERVIEW_OUTCOMES = (WITHIN_72_HOURS, LATER, "Declined", "Not offered")

QUARTER, EPISODES, CHILDREN, SHARE, TOTAL = "Quarter", "Episodes", "Children", "Share (%)", "Total"
REFERRED, MISSING_BEFORE = "Children referred", f"Missing in the {DAYS_BEFORE_REFERRAL} days before referral"
ACCEPTED, GROUP = "Accepted interviews", "Group"
RETURNS, OFFERED, INTERVIEWED_IN_TIME = "Returns", "Interview offered", "Interview within 72 hours"
STEPS = (RETURNS, OFFERED, ACCEPTED, INTERVIEWED_IN_TIME)
"""Every return (an episode's end) should lead to an offer, an accepted interview, and one within 72 hours."""

DEFINITIONS = {
    "Missing episode": "a child absent from home or care, counted in the quarter it started.",
    "Children who went missing": "each child once per quarter, and once in the whole period however often.",
    "Repeat missing": f"a child with {REPEAT_FROM} or more episodes that started in the period.",
    "Missing before referral": f"a child referred in the quarter who had an episode that started in the "
                               f"{DAYS_BEFORE_REFERRAL} days up to one of their referrals, the referral day included.",
    "Time missing": "whole days from the date missing to the date returned (the extract has dates, not times); "
                    "'still missing' means no return date yet.",
    "Return interview": "the independent return home interview after each episode: accepted, declined or not offered.",
    "Within 72 hours": "an accepted interview dated no more than 3 days after the return date; one with no date "
                       "recorded counts as later.",
}


def duration_band(days) -> str:
    """The band an episode's length in days falls in; no return date means the child is still missing."""
    if pd.isna(days):
        return "Still missing"
    for band, longest in zip(DURATION_BANDS, (0, 1, 3, 7)):
        if days <= longest:
            return band
    return "Over a week"


def repeat_band(episodes: int) -> str:
    """Once, twice, or repeat missing (three or more episodes)."""
    return REPEAT_BANDS[min(int(episodes), REPEAT_FROM) - 1]


def interview_outcome(return_interview: str, within_72_hours: bool) -> str:
    """Accepted interviews split by timeliness, since the statutory expectation is within 72 hours of return."""
    if return_interview == "Accepted":
        return WITHIN_72_HOURS if within_72_hours else LATER
    return return_interview


def all_of(unit: str) -> str:
    """The column holding the total the bands add up to."""
    return f"All {unit.lower()}"


def band_shares(counts: pd.DataFrame, band: str, unit: str, policy: DisclosurePolicy) -> ProtectedTable:
    """Counts per band and each band's share of them all; the bands add up to a total shown elsewhere on the page.

    counts: one row per band, the count and its cell key (records each in one band, so the keys add up).
    """
    count, ckey = counts.columns
    everything = all_of(unit)
    table = pd.DataFrame({band: counts.index, unit: counts[count].to_numpy(dtype=int),
                          key(unit): counts[ckey].to_numpy(), everything: int(counts[count].sum()),
                          key(everything): counts[ckey].sum()})
    return disclosure.protect(table, counts=[unit, everything], rates={SHARE: (unit, everything)}, policy=policy)


def durations(episodes: pd.DataFrame, policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Episodes in the period by how long the child was missing (missing_episodes_by_quarter rows)."""
    counts = episodes.groupby(episodes.days_missing.map(duration_band))[["episodes", "episodes_ckey"]].sum()
    return band_shares(counts.reindex(DURATION_BANDS, fill_value=0), "Time missing", EPISODES, policy)


def repeat_missing(children: pd.DataFrame, policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Children who went missing in the period by how many times (missing_repeat rows)."""
    counts = children.groupby(children.episodes_in_period.map(repeat_band))[["children", "children_ckey"]].sum()
    return band_shares(counts.reindex(REPEAT_BANDS, fill_value=0), "Times missing in the period", CHILDREN, policy)


def outcomes(episodes: pd.DataFrame) -> pd.Series:
    """Each row's return interview outcome (missing_episodes_by_quarter rows), accepted ones split by timeliness."""
    return pd.Series([interview_outcome(offered, timely) for offered, timely
                      in zip(episodes.return_interview, episodes.interviewed_within_72_hours)], index=episodes.index)


def interviews(episodes: pd.DataFrame, quarters: list[str],
               policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Episodes per quarter by return interview outcome, with totals both ways (the quarter totals are its episodes).

    The quarter is a column rather than the index, since tables on the page hide the index.
    """
    tables = [(episodes.assign(outcome=outcomes(episodes))
               .pivot_table(index="quarter", columns="outcome", values=column, aggfunc="sum", fill_value=0)
               .reindex(index=quarters, columns=list(INTERVIEW_OUTCOMES), fill_value=0))
              for column in ("episodes", "episodes_ckey")]
    table = tables[0]
    table.index.name, table.columns.name = QUARTER, None
    protected = disclosure.protect_crosstab(table, tables[1], policy, total_label=TOTAL)
    return dataclasses.replace(protected, numeric=protected.numeric.reset_index(),
                               mask=protected.mask.reset_index().assign(**{QUARTER: False}))


def timeliness(episodes: pd.DataFrame, quarters: list[str],
               policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Each return's steps (offered, accepted, interviewed within 72 hours) per quarter and in total, and the share
    of all returns interviewed within 72 hours. Each step is published from its own records' cell keys, so a step is
    never a difference of published figures (missing_episodes_by_quarter rows)."""
    outcome = outcomes(episodes)
    reached = {RETURNS: pd.Series(True, index=outcome.index), OFFERED: outcome != "Not offered",
               ACCEPTED: outcome.isin([WITHIN_72_HOURS, LATER]), INTERVIEWED_IN_TIME: outcome == WITHIN_72_HOURS}
    columns = {}
    for step, chosen in reached.items():
        columns[step] = episodes.episodes.where(chosen, 0)
        columns[key(step)] = episodes.episodes_ckey.where(chosen, 0)
    per_quarter = pd.DataFrame(columns).groupby(episodes.quarter).sum().reindex(quarters, fill_value=0)
    table = pd.concat([per_quarter, per_quarter.sum().to_frame(TOTAL).T]).rename_axis(QUARTER).reset_index()
    return disclosure.protect(table, counts=list(STEPS), rates={SHARE: (INTERVIEWED_IN_TIME, RETURNS)}, policy=policy)


def children_by_quarter(rows: pd.DataFrame, quarters: list[str],
                        policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Episodes and children per quarter and in the whole period (missing_children_by_quarter rows).

    A quarter's episodes are the total of the return interview table too: the same episodes, so the same cell key
    and the same published figure in both.
    """
    labelled = rows.assign(**{QUARTER: rows.quarter.where(~rows.whole_period, WHOLE_PERIOD)})
    names = {"episodes": EPISODES, "children": CHILDREN, "episodes_ckey": key(EPISODES), "children_ckey": key(CHILDREN)}
    table = (labelled.set_index(QUARTER)[list(names)]
             .reindex([*quarters, WHOLE_PERIOD], fill_value=0).rename(columns=names).reset_index())
    return disclosure.protect(table, counts=[EPISODES, CHILDREN], policy=policy)


def before_referral(rows: pd.DataFrame, quarters: list[str],
                    policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Children referred per quarter who went missing in the 90 days before: boys, other children and all.

    rows: the missing_before_referral query. Boys and the other children add up to all children in the quarter.
    """
    group = gender_group(rows.gender).where(~rows.all_genders, ALL_CHILDREN)
    groups = [BOYS, OTHERS, ALL_CHILDREN]
    grid = pd.MultiIndex.from_product([quarters, groups], names=[QUARTER, GROUP])
    names = {"children": REFERRED, "children_missing_before": MISSING_BEFORE,
             "children_ckey": key(REFERRED), "children_missing_before_ckey": key(MISSING_BEFORE)}
    counts = (rows.assign(group=group).groupby(["quarter", "group"])[list(names)].sum()
              .rename_axis(grid.names).reindex(grid, fill_value=0).astype(int))
    table = counts.rename(columns=names).reset_index()
    return disclosure.protect(table, counts=[REFERRED, MISSING_BEFORE], rates={SHARE: (MISSING_BEFORE, REFERRED)},
                              policy=policy)


def _count(value: float | None, policy: DisclosurePolicy) -> str:
    return policy.symbol if value is None else f"{value:,.0f}"


def _percent(value: float | None, policy: DisclosurePolicy) -> str:
    return policy.symbol if value is None else f"{value:.1f}%"


def headline(children: ProtectedTable, repeat: ProtectedTable, timely: ProtectedTable) -> list[tuple[str, str]]:
    """The period's figures for the metric cards, read from the protected tables so they show what the charts show."""
    policy, repeat_row = children.policy, {"Times missing in the period": REPEAT_BANDS[-1]}
    return [
        ("Missing episodes", _count(visible(children, EPISODES, **{QUARTER: WHOLE_PERIOD}), policy)),
        ("Children who went missing", _count(visible(children, CHILDREN, **{QUARTER: WHOLE_PERIOD}), policy)),
        (f"Went missing {REPEAT_FROM} or more times", _percent(visible(repeat, SHARE, **repeat_row), policy)),
        (TIMELY_CARD, _percent(visible(timely, SHARE, **{QUARTER: TOTAL}), policy)),
    ]


TIMELY_CARD = "Returns with an interview within 72 hours"
CARD_HELP = {
    "Missing episodes": "Episodes that started in the period: " + DEFINITIONS["Missing episode"],
    "Children who went missing": "Each child counted once in the period, however often they went missing.",
    f"Went missing {REPEAT_FROM} or more times": f"Of the children who went missing, the share with {REPEAT_FROM} "
                                                 "or more episodes that started in the period.",
    TIMELY_CARD: "Of all returns (every episode: an interview should be offered after each), the share with a "
                 "return interview held within 72 hours of the child's return: " + DEFINITIONS["Within 72 hours"],
}
"""A card label is kept short so it fits its card; the help (?) says exactly what the figure is."""


def children_title(protected: ProtectedTable, quarter: str) -> str:
    """The latest quarter's children and episodes, as shown in the chart ("c" when withheld)."""
    children = _count(visible(protected, CHILDREN, **{QUARTER: quarter}), protected.policy)
    episodes = _count(visible(protected, EPISODES, **{QUARTER: quarter}), protected.policy)
    return f"In {quarter}, {children} children went missing, in {episodes} episodes"


def repeat_title(protected: ProtectedTable) -> str:
    """How many of the children who went missing did so three or more times, when shown."""
    repeat = REPEAT_BANDS[-1]
    count = visible(protected, CHILDREN, **{"Times missing in the period": repeat})
    share = visible(protected, SHARE, **{"Times missing in the period": repeat})
    total = visible(protected, all_of(CHILDREN), **{"Times missing in the period": repeat})
    if count is None or share is None or total is None:
        return "Children by how many times they went missing in the period"
    return (f"{count:,.0f} of the {total:,.0f} children who went missing ({percent(share)}) "
            f"went missing {REPEAT_FROM} or more times in the period")


def before_referral_title(protected: ProtectedTable, quarter: str) -> str:
    """The latest quarter's share for boys against other children, or for all children when one is withheld."""
    boys, others, everyone = (visible(protected, SHARE, **{QUARTER: quarter, GROUP: group})
                              for group in (BOYS, OTHERS, ALL_CHILDREN))
    lead, since = f"In {quarter}, ", f"had gone missing in the {DAYS_BEFORE_REFERRAL} days before"
    if boys is not None and others is not None:
        return f"{lead}{percent(boys)} of boys referred {since}, against {percent(others)} of girls and other children"
    if everyone is not None:
        return f"{lead}{percent(everyone)} of children referred {since}"
    return f"Children referred who had gone missing in the {DAYS_BEFORE_REFERRAL} days before referral"


def durations_title(protected: ProtectedTable) -> str:
    """Share of episodes that ended within a day, when both bands are shown."""
    parts = [visible(protected, SHARE, **{"Time missing": band}) for band in DURATION_BANDS[:2]]
    if None in parts:
        return "Missing episodes in the period by how long the child was missing"
    return f"{percent(sum(parts))} of missing episodes in the period ended the same day or the next"


def timeliness_title(protected: ProtectedTable, quarter: str) -> str:
    """The period's returns and how many reached each step, when shown."""
    steps = [visible(protected, step, **{QUARTER: TOTAL}) for step in STEPS]
    share = visible(protected, SHARE, **{QUARTER: TOTAL})
    if None in steps or share is None:
        return "Returns in the period: interviews offered, accepted and held within 72 hours"
    returns, offered, accepted, _ = steps
    return (f"{percent(share)} of the {returns:,.0f} returns in the period had an interview within 72 hours; "
            f"{offered:,.0f} were offered one and {accepted:,.0f} accepted")


def defined(*names: str) -> tuple[tuple[str, str], ...]:
    """The definitions behind a chart, by name."""
    return tuple((name, DEFINITIONS[name]) for name in names)


def _scope(referred_only: bool) -> Note:
    """Which children the episode figures cover, since the sidebar's filters describe referrals."""
    if referred_only:
        return Note("Showing only children with a CSE referral in the period that matches the area, source, age and "
                    "gender filters.")
    return Note(" in the period, with or without a CSE referral: the area, source, age and gender filters describe "
                "referrals, so they cannot apply to children with none. Switch on the toggle to apply them through "
                "each child's referrals.", before="Showing ", lead="every child who went missing")


def children_over_three_years(fetch: Fetch, filters: Filters, policy: DisclosurePolicy,
                              referred_only: bool) -> pd.Series:
    """Children who went missing each quarter of the three years to the last quarter chosen, as published (withheld:
    NaN), for the SPC chart: three whole years is a period a viewer can choose, so nothing new is published."""
    wanted = trends.looking_back(filters)
    rows = fetch("missing_children_by_quarter", wanted, referred_only=referred_only)
    held = [quarter for quarter in wanted.quarters() if quarter in set(rows.quarter)]
    published = children_by_quarter(rows, held, policy).numeric
    return published[published[QUARTER] != WHOLE_PERIOD].set_index(QUARTER)[CHILDREN]


def _episodes(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, referred_only: bool) -> list:
    """How often children went missing, for how long, and the return interviews after: cards, then charts by pairs."""
    covered = coverage(fetch, filters)
    without = [covered.gap(quarter, "missing_episodes") for quarter in covered.quarters
               if covered.gap(quarter, "missing_episodes")]
    gaps = [Note(f"{'; '.join(without)}: no figure here counts those quarters (they are unknown, not "
                 "zero).", tone="warning")] if without else []
    if len(without) == len(covered.quarters):
        return gaps
    episodes = fetch("missing_episodes_by_quarter", filters, referred_only=referred_only)
    if episodes.empty:
        return [Note("No missing episodes started in the period for the children chosen. Widen the period, clear a "
                     "filter, or switch off the toggle.", tone="info")]
    quarters = filters.quarters()
    interview_table = interviews(episodes, quarters, policy)
    timely = timeliness(episodes, quarters, policy)
    by_quarter = children_by_quarter(fetch("missing_children_by_quarter", filters, referred_only=referred_only),
                                     quarters, policy)
    repeat = repeat_missing(fetch("missing_repeat", filters, referred_only=referred_only), policy)
    lengths = durations(episodes, policy)
    titles = {"children": covered.gap(filters.last_quarter, "missing_episodes")
              or children_title(by_quarter, filters.last_quarter), "repeat": repeat_title(repeat),
              "durations": durations_title(lengths), "timeliness": timeliness_title(timely, filters.last_quarter),
              "interviews": "Return interviews after each episode, by quarter"}
    return [
        *gaps,
        Note("In the period", tone="subheader"),
        Metrics(tuple(Metric(label, value, help=CARD_HELP[label])
                      for label, value in headline(by_quarter, repeat, timely)), per_row=4),
        trends.with_raw_line("missing_children_spc", "Children who went missing",
                             children_over_three_years(fetch, filters, policy, referred_only),
                             trends.Measure(spc.NEUTRAL),
                             Figure("missing_children", by_quarter, "missing_children_by_quarter",
                                    chart=Chart("missing.children", titles["children"], by_quarter),
                                    alt_text=titles["children"],
                                    definitions=defined("Missing episode", "Children who went missing"))),
        Columns((
            (Figure("missing_repeat", repeat, "missing_repeat", chart=Chart("missing.repeat", titles["repeat"], repeat),
                    alt_text=titles["repeat"], definitions=defined("Repeat missing")),),
            (Figure("missing_durations", lengths, "missing_durations",
                    chart=Chart("missing.durations", titles["durations"], lengths), alt_text=titles["durations"],
                    definitions=defined("Time missing")),),
        )),
        Note("Return interviews", tone="subheader"),
        Columns((
            (Figure("missing_interviews", interview_table, "missing_return_interviews",
                    chart=Chart("missing.interviews", titles["interviews"], interview_table),
                    alt_text=titles["interviews"], definitions=defined("Return interview"),
                    caption="A gap in a bar is a figure withheld (c); hover over a bar for the figures."),),
            (Figure("missing_timeliness", timely, "missing_return_interviews_72_hours",
                    chart=Chart("missing.timeliness", titles["timeliness"], timely), alt_text=titles["timeliness"],
                    definitions=defined("Within 72 hours")),),
        )),
    ]


def _before_referral(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> list:
    """Children referred who had gone missing in the days before, boys against other children, each quarter."""
    rows = fetch("missing_before_referral", filters, days_before=DAYS_BEFORE_REFERRAL)
    if rows.empty:
        return [no_data()]
    shares = before_referral(rows, filters.quarters(), policy)
    title = before_referral_title(shares, filters.last_quarter)
    drawn = not nothing_to_draw(shares, [SHARE])
    return [Figure(
        "missing_before_referral", shares, "missing_before_referral",
        chart=Chart("missing.before_referral", title, shares) if drawn else None,
        too_small=f"Children referred who had gone missing in the {DAYS_BEFORE_REFERRAL} days before", alt_text=title,
        caption=("These children match all the filters, whatever the toggle above. A gap is a share withheld (c). "
                 "Children of another or unknown gender are shown with girls: they are too few to show apart.")
        if drawn else "",
        definitions=defined("Missing before referral"))]


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, referred_only: bool) -> Section:
    """Missing from home or care: episodes, children, repeats, durations and return interviews for the children
    chosen (every child who went missing, or only those referred, as the page's toggle says), then missing before
    a CSE referral, which always follows the filters."""
    blocks = [
        _scope(referred_only),
        *_episodes(fetch, filters, policy, referred_only),
        Note("Children referred for CSE who went missing shortly before", tone="subheader"),
        *_before_referral(fetch, filters, policy),
    ]
    return Section("missing", "Missing from home or care", filters.describe(), tuple(blocks),
                   findings=tuple(Finding(figure.alt_text, figure.key) for figure in figures(tuple(blocks))
                                  if figure.key == "missing_timeliness"))
