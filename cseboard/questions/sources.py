"""Referral sources and outcomes: who refers, what happens next, and which agencies refer few boys or few children.

The page's views share their totals: a source's referrals in the period are the row total of the trend by
quarter, of the outcomes by source and the base of its share of boys. Every count is published from its cell key,
so a source's total is the same figure in every view (the same referrals, the same key), and no view's rows or
columns give a withheld count back by subtraction: each is rounded on its own.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cseboard.config import settings
from cseboard.contract import OUTCOMES, REFERRAL_SOURCES, RISK_LEVELS
from cseboard.filters import Filters
from cseboard.periods import quarters_held
from cseboard.methods import disclosure, spc
from cseboard.methods.disclosure import cell_key_column as key, share
from cseboard.methods.stats import SIGNIFICANTLY_BELOW, compare_to_benchmark, wilson_interval
from cseboard.questions import trends
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Note, Section, nothing_to_draw
from cseboard.methods.words import counted, percent

SOURCE, QUARTER, OUTCOME, RISK = "Referral source", "Quarter", "Outcome", "Risk level"
REFERRALS, SHARE = "Referrals", "Share (%)"
ALL_REFERRALS = "All referrals"
FROM_SOURCE, AT_RISK_LEVEL = "Referrals from this source", "Referrals at this risk level"
BOYS, BOYS_SHARE, LOWER, UPPER, VERDICT = ("Referrals of boys", "Boys (% of referrals)", "95% CI lower (%)",
                                           "95% CI upper (%)", "Against the benchmark")
ALL_SOURCES = "All sources"
NO_FURTHER_ACTION = "No further action"
COUNTED = ["referrals", "referrals_ckey"]


@dataclass(frozen=True)
class SourceViews:
    """The page's tables after disclosure control, one per chart."""

    trend: disclosure.ProtectedTable
    by_source: disclosure.ProtectedTable
    outcomes_by_source: disclosure.ProtectedTable
    outcomes_by_risk: disclosure.ProtectedTable
    boys: disclosure.ProtectedTable


def sources_in_scope(chosen: Sequence[str], present: Sequence[str]) -> list[str]:
    """The sources the page reports on, in the contract's order: those filtered to, else every source a referral can have."""
    return list(chosen) or [*REFERRAL_SOURCES, *sorted(set(present) - set(REFERRAL_SOURCES))]


def _counts(counts: pd.DataFrame, by: list[str], index: pd.MultiIndex | pd.Index) -> pd.DataFrame:
    """Referrals and their cell keys summed by the given columns, every combination in the index (zero where none)."""
    summed = counts.groupby(by)[COUNTED].sum() if len(counts) else pd.DataFrame(columns=COUNTED, dtype=float)
    return summed.reindex(index, fill_value=0)


def _columns(counted: pd.DataFrame, name: str) -> dict:
    """A count and its cell key as the columns `name` and its key column of a view."""
    return {name: counted["referrals"].to_numpy(dtype=int), key(name): counted["referrals_ckey"].to_numpy()}


def trend_view(counts: pd.DataFrame, sources: Sequence[str], quarters: Sequence[str],
               policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Referrals by source and quarter, every combination kept, each published from its cell key."""
    by_source_quarter = _counts(counts[counts["referral_source"].isin(sources)], ["referral_source", "quarter"],
                                pd.MultiIndex.from_product([sources, quarters]))
    return disclosure.protect(pd.DataFrame({SOURCE: by_source_quarter.index.get_level_values(0),
                                            QUARTER: by_source_quarter.index.get_level_values(1),
                                            **_columns(by_source_quarter, REFERRALS)}),
                              counts=[REFERRALS], policy=policy)


def source_views(counts: pd.DataFrame, sources: Sequence[str], quarters: Sequence[str], benchmark: float,
                 policy: disclosure.DisclosurePolicy) -> SourceViews:
    """Build and protect every view of the page from referral counts by quarter, source, risk, outcome and boy."""
    counts = counts[counts["referral_source"].isin(sources)]
    product = pd.MultiIndex.from_product
    source_totals = _counts(counts, ["referral_source"], pd.Index(sources))
    everything = counts[COUNTED].sum()
    by_source = pd.DataFrame({SOURCE: source_totals.index, **_columns(source_totals, REFERRALS),
                              ALL_REFERRALS: int(everything["referrals"]), key(ALL_REFERRALS): everything["referrals_ckey"]})
    risk_totals = _counts(counts, ["risk_level"], pd.Index(RISK_LEVELS))
    return SourceViews(
        trend=trend_view(counts, sources, quarters, policy),
        by_source=disclosure.protect(by_source, counts=[REFERRALS, ALL_REFERRALS],
                                     rates={SHARE: (REFERRALS, ALL_REFERRALS)}, policy=policy),
        outcomes_by_source=_outcome_view(_counts(counts, ["referral_source", "outcome"], product([sources, OUTCOMES])),
                                         source_totals, SOURCE, FROM_SOURCE, policy),
        outcomes_by_risk=_outcome_view(_counts(counts, ["risk_level", "outcome"], product([RISK_LEVELS, OUTCOMES])),
                                       risk_totals, RISK, AT_RISK_LEVEL, policy),
        boys=_boys_view(counts, sources, source_totals, everything, benchmark, policy),
    )


def _outcome_view(by_outcome: pd.DataFrame, row_totals: pd.DataFrame, row_label: str, base: str,
                  policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Outcomes as shares of a row's referrals (a source or a risk level), from the published counts."""
    rows = by_outcome.index.get_level_values(0)
    frame = pd.DataFrame({row_label: rows, OUTCOME: by_outcome.index.get_level_values(1),
                          **_columns(by_outcome, REFERRALS), **_columns(row_totals.reindex(rows), base)})
    return disclosure.protect(frame, counts=[REFERRALS, base], rates={SHARE: (REFERRALS, base)}, policy=policy)


def _boys_view(counts: pd.DataFrame, sources: Sequence[str], source_totals: pd.DataFrame, everything: pd.Series,
               benchmark: float, policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Boys as a share of each source's referrals and of all referrals, with Wilson intervals and a verdict."""
    boys = _counts(counts[counts["is_boy"].astype(bool)], ["referral_source"], pd.Index(sources))
    all_boys = boys.sum()
    frame = pd.DataFrame({SOURCE: [*boys.index, ALL_SOURCES],
                          BOYS: [*boys["referrals"], all_boys["referrals"]],
                          key(BOYS): [*boys["referrals_ckey"], all_boys["referrals_ckey"]],
                          REFERRALS: [*source_totals["referrals"], everything["referrals"]],
                          key(REFERRALS): [*source_totals["referrals_ckey"], everything["referrals_ckey"]]})

    def judged(published: pd.DataFrame) -> pd.DataFrame:
        """Shares, intervals and verdicts from the published counts, so a withheld count gives "too few to say"."""
        boys_shown = published[BOYS].clip(upper=published[REFERRALS])
        lower, upper = wilson_interval(boys_shown, published[REFERRALS])
        return published.assign(**{
            BOYS_SHARE: share(boys_shown, published[REFERRALS]).to_numpy(), LOWER: 100 * lower, UPPER: 100 * upper,
            VERDICT: [compare_to_benchmark(b, n, benchmark) for b, n in zip(boys_shown, published[REFERRALS])]})

    return disclosure.protect(frame, counts=[BOYS, REFERRALS],
                              rates={column: (BOYS, REFERRALS) for column in (BOYS_SHARE, LOWER, UPPER)},
                              policy=policy, derive=judged)


def rows_with_shares(view: disclosure.ProtectedTable, row_label: str) -> list[str]:
    """Rows (sources or risk levels) with at least one outcome share above zero that can be shown."""
    showable = view.numeric[view.numeric[SHARE] > 0]
    return list(dict.fromkeys(showable[row_label]))


def too_few_for_outcomes(view: disclosure.ProtectedTable, row_label: str, base: str) -> list[str]:
    """Rows that had referrals but every outcome withheld, so they have no bar."""
    referred = view.numeric.loc[view.numeric[base] != 0, row_label]
    return [row for row in dict.fromkeys(referred) if row not in rows_with_shares(view, row_label)]


def withheld_every_quarter(trend: disclosure.ProtectedTable) -> list[str]:
    """Sources with referrals whose every quarter is withheld: their small chart would be an empty box."""
    numbers, withheld = trend.numeric, trend.mask[REFERRALS]
    rows = numbers.assign(_withheld=withheld | numbers[REFERRALS].isna()).groupby(SOURCE, sort=False)["_withheld"]
    referred = numbers.loc[withheld | (numbers[REFERRALS] > 0), SOURCE]
    return [source for source, hidden in rows.all().items() if hidden and source in set(referred)]


def fewest_referrals(by_source: disclosure.ProtectedTable, how_many: int = 3) -> pd.DataFrame:
    """The sources that referred least often, fewest first; withheld counts (under 5, possibly none) come first."""
    shown = by_source.display()
    order = by_source.numeric[REFERRALS].fillna(0).sort_values(kind="stable").index
    return shown.loc[order[:how_many], [SOURCE, REFERRALS, SHARE]].reset_index(drop=True)


def who_refers_title(by_source: pd.DataFrame) -> str:
    """Name the biggest referrer and its share of all referrals."""
    top = by_source.dropna(subset=[REFERRALS]).sort_values(REFERRALS, ascending=False)
    if top.empty or pd.isna(top[SHARE].iloc[0]):
        return "Referrals by source"
    return f"{top[SOURCE].iloc[0]} made the most referrals: {percent(top[SHARE].iloc[0])} of all referrals"


def trend_title(trend: pd.DataFrame, quarters: Sequence[str]) -> str:
    """Say which source changed most between the first and the last quarter of the period."""
    if len(quarters) < 2:
        return f"Referrals by source in {quarters[0]}"
    wide = trend.pivot(index=SOURCE, columns=QUARTER, values=REFERRALS)
    first, last = wide[quarters[0]], wide[quarters[-1]]
    change = (last - first).dropna()
    if change.empty or change.abs().max() == 0:
        return f"Referrals by source, {quarters[0]} to {quarters[-1]}"
    source = change.abs().idxmax()
    direction = "rose" if change[source] > 0 else "fell"
    return (f"{source} referrals {direction} most: {first[source]:.0f} in {quarters[0]}, "
            f"{last[source]:.0f} in {quarters[-1]}")


def no_further_action_title(outcomes: pd.DataFrame) -> str:
    """Name the source whose referrals most often ended with no further action."""
    nfa = outcomes[outcomes[OUTCOME] == NO_FURTHER_ACTION].dropna(subset=[SHARE])
    if nfa.empty:
        return "Outcome of referrals by source"
    top = nfa.sort_values(SHARE, ascending=False).iloc[0]
    return (f"Referrals from {top[SOURCE]} most often ended with no further action "
            f"({percent(top[SHARE])})")


def high_risk_title(outcomes: pd.DataFrame) -> str:
    """Say how often a referral screened as high risk ended with no further action: the strategic worry."""
    high = outcomes[(outcomes[RISK] == "High") & (outcomes[OUTCOME] == NO_FURTHER_ACTION)][SHARE].dropna()
    if high.empty:
        return "Outcome of referrals by risk level"
    return f"{percent(high.iloc[0])} of referrals screened as high risk ended with no further action"


def boys_title(boys: pd.DataFrame, benchmark: float, name_all: bool = False) -> str:
    """Say which sources, or how many, referred significantly fewer boys than the benchmark share (the board's finding
    names every one)."""
    by_source = boys[boys[SOURCE] != ALL_SOURCES]
    below = by_source.loc[by_source[VERDICT] == SIGNIFICANTLY_BELOW, SOURCE].tolist()
    if not below:
        return f"No source referred significantly fewer boys than the {benchmark:.0%} benchmark"
    if len(below) > 2 and not name_all:
        return (f"{len(below)} of {counted(len(by_source), 'source')} referred significantly fewer boys than the "
                f"{benchmark:.0%} benchmark")
    return (f"{', '.join(below[:-1])}{' and ' if len(below) > 1 else ''}{below[-1]} referred significantly fewer boys "
            f"than the {benchmark:.0%} benchmark")


def trend_sources(views: SourceViews) -> list[str]:
    """Sources that get a small chart of their own: those that referred, less those withheld in every quarter."""
    blank = withheld_every_quarter(views.trend)
    referred = views.by_source.numeric.loc[views.by_source.numeric[REFERRALS] != 0, SOURCE]
    return [source for source in dict.fromkeys(views.trend.numeric[SOURCE]) if source in set(referred)
            and source not in blank]


def referrals_over_three_years(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy
                               ) -> dict[str, pd.Series]:
    """Each source's published referrals by quarter over the three years to the last quarter chosen (withheld: NaN),
    quarters the store holds no referral in left out: the SPC panels' points. Three whole years is a period a viewer
    can choose, and each figure is published from its own cell key as there, so nothing new is published."""
    wanted = trends.looking_back(filters)
    counts = fetch("sources_referral_counts", wanted)
    trend = trend_view(counts, sources_in_scope(filters.sources, counts["referral_source"]),
                       quarters_held(wanted.quarters(), counts["quarter"]), policy).numeric
    return {source: rows.set_index(QUARTER)[REFERRALS] for source, rows in trend.groupby(SOURCE, sort=False)}


def has_referrals(fetch: Fetch, filters: Filters) -> bool:
    """Whether any referral matches the filters: the page says so rather than draw empty charts."""
    return not fetch("sources_referral_counts", filters).empty


def _outcome_figure(key: str, view: disclosure.ProtectedTable, row_label: str, base: str, title: str, what: str,
                    file_name: str, caption: str) -> Figure:
    """The outcome shares of a view as 100% bars, or a note when every row is too small to show them."""
    return Figure(key, view, file_name, too_small=what, alt_text=title, caption=caption,
                  chart=Chart("sources.outcome_shares", title, view, {"row_label": row_label, "base": base})
                  if rows_with_shares(view, row_label) else None)


def section(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy) -> Section:
    """Who refers, what happens next, and which agencies refer few boys or few children, from linked-protected views."""
    counts = fetch("sources_referral_counts", filters)
    benchmark = settings().boys_benchmark
    quarters = filters.quarters()
    views = source_views(counts, sources_in_scope(filters.sources, counts["referral_source"]), quarters, benchmark,
                         policy)
    who_title = who_refers_title(views.by_source.numeric)
    shown_trend = trend_sources(views)
    blank = withheld_every_quarter(views.trend)
    changed_title = trend_title(views.trend.numeric, quarters)
    hidden = too_few_for_outcomes(views.outcomes_by_source, SOURCE, FROM_SOURCE)
    fewest = fewest_referrals(views.by_source)
    blocks = [
        Note("Who refers", tone="subheader"),
        Figure("sources_who_refers", views.by_source, "referrals_by_source", alt_text=who_title,
               too_small="Referrals by source",
               chart=None if nothing_to_draw(views.by_source, [REFERRALS])
               else Chart("sources.who_refers", who_title, views.by_source)),
        trends.with_raw_panels(
            "sources_trend_spc", referrals_over_three_years(fetch, filters, policy), trends.Measure(spc.NEUTRAL),
            trends.Panels(SOURCE, REFERRALS, "source", "referrals_by_source_and_quarter_spc"), policy=policy,
            raw=Figure("sources_trend", views.trend, "referrals_by_source_and_quarter", alt_text=changed_title,
                       too_small="Referrals by source each quarter",
                       chart=Chart("sources.trend", changed_title, views.trend,
                                   {"quarters": quarters, "sources": shown_trend}) if shown_trend else None,
                       caption=(f"Referrals per quarter, {quarters[0]} (left) to {quarters[-1]} (right), on the same "
                                "scale. A gap is a quarter withheld (c)."
                                + (f" Not shown, as every quarter is withheld: {', '.join(blank)}." if blank else ""))
                       if shown_trend else "")),
        Note("What happens next", tone="subheader"),
        _outcome_figure("sources_outcome_by_source", views.outcomes_by_source, SOURCE, FROM_SOURCE,
                        no_further_action_title(views.outcomes_by_source.numeric), "Outcome of referrals by source",
                        "outcome_by_source",
                        "A hatched end of a bar is outcomes withheld (c). Each published count is rounded on its own, so "
                        "a bar is drawn as the parts of its whole; hover over a part for its count."
                        + (f" Too few referrals to show what happened next: {', '.join(hidden)}." if hidden else "")),
        _outcome_figure("sources_outcome_by_risk", views.outcomes_by_risk, RISK, AT_RISK_LEVEL,
                        high_risk_title(views.outcomes_by_risk.numeric), "Outcome of referrals by risk level",
                        "outcome_by_risk_level", "Risk level is the outcome of the local CSE screening tool."),
        Note("Which agencies refer few boys", tone="subheader"),
        Note("The share of boys needs referrals of every gender: clear the gender filter in the sidebar to see it.",
             tone="info") if filters.genders else
        Figure("sources_boys", views.boys, "boys_by_source", alt_text=boys_title(views.boys.numeric, benchmark),
               chart=Chart("sources.boys", boys_title(views.boys.numeric, benchmark), views.boys,
                           {"benchmark": benchmark}),
               caption=f"The benchmark is {benchmark:.0%}: about one in three children supported by CSE services "
                       "are boys (Barnardo's, 2014), so a source well below it may be missing boys at risk. A line "
                       "that does not reach the benchmark means the difference is unlikely to be chance. "
                       "Sources withheld (c) have no dot."),
        Note("Which agencies refer few children", tone="subheader"),
        *([Note(" " + ", ".join(f"{row[SOURCE]} ({row[REFERRALS]})" for _, row in fewest.iterrows()) + ".",
                tone="markdown", lead="Fewest referrals in the period:")] if not fewest.empty else []),
        Note("A source that rarely refers may not be recognising CSE: consider whether it needs training "
             "(see Training coverage) or a clearer route to refer."),
    ]
    findings = () if filters.genders else (Finding(boys_title(views.boys.numeric, benchmark, name_all=True), "sources_boys"),)
    return Section("sources", who_title, filters.describe(), tuple(blocks), findings=findings)
