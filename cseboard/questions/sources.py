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

from cseboard.methods import disclosure
from cseboard.contract import OUTCOMES, REFERRAL_SOURCES, RISK_LEVELS
from cseboard.methods.disclosure import cell_key_column as key, share
from cseboard.methods.stats import SIGNIFICANTLY_BELOW, compare_to_benchmark, wilson_interval

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


def source_views(counts: pd.DataFrame, sources: Sequence[str], quarters: Sequence[str], benchmark: float,
                 policy: disclosure.DisclosurePolicy) -> SourceViews:
    """Build and protect every view of the page from referral counts by quarter, source, risk, outcome and boy."""
    counts = counts[counts["referral_source"].isin(sources)]
    product = pd.MultiIndex.from_product
    by_source_quarter = _counts(counts, ["referral_source", "quarter"], product([sources, quarters]))
    source_totals = _counts(counts, ["referral_source"], pd.Index(sources))
    everything = counts[COUNTED].sum()
    trend = pd.DataFrame({SOURCE: by_source_quarter.index.get_level_values(0),
                          QUARTER: by_source_quarter.index.get_level_values(1), **_columns(by_source_quarter, REFERRALS)})
    by_source = pd.DataFrame({SOURCE: source_totals.index, **_columns(source_totals, REFERRALS),
                              ALL_REFERRALS: int(everything["referrals"]), key(ALL_REFERRALS): everything["referrals_ckey"]})
    risk_totals = _counts(counts, ["risk_level"], pd.Index(RISK_LEVELS))
    return SourceViews(
        trend=disclosure.protect(trend, counts=[REFERRALS], policy=policy),
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
    return f"{top[SOURCE].iloc[0]} made the most referrals: {top[SHARE].iloc[0]:.0f}% of all referrals"


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
            f"({top[SHARE]:.0f}%)")


def high_risk_title(outcomes: pd.DataFrame) -> str:
    """Say how often a referral screened as high risk ended with no further action: the strategic worry."""
    high = outcomes[(outcomes[RISK] == "High") & (outcomes[OUTCOME] == NO_FURTHER_ACTION)][SHARE].dropna()
    if high.empty:
        return "Outcome of referrals by risk level"
    return f"{high.iloc[0]:.0f}% of referrals screened as high risk ended with no further action"


def boys_title(boys: pd.DataFrame, benchmark: float) -> str:
    """Say which sources, or how many, referred significantly fewer boys than the benchmark share."""
    by_source = boys[boys[SOURCE] != ALL_SOURCES]
    below = by_source.loc[by_source[VERDICT] == SIGNIFICANTLY_BELOW, SOURCE].tolist()
    if not below:
        return f"No source referred significantly fewer boys than the {benchmark:.0%} benchmark"
    if len(below) > 2:
        return f"{len(below)} of {len(by_source)} sources referred significantly fewer boys than the {benchmark:.0%} benchmark"
    return f"{' and '.join(below)} referred significantly fewer boys than the {benchmark:.0%} benchmark"
