"""Referral sources and outcomes: who refers, what happens next, and which agencies refer few boys or few children.

The page's views share their totals: a source's referrals in the period are the row total of the trend by
quarter, of the outcomes by source and the base of its share of boys; an outcome's referrals are the column
total of both outcome views. Protecting each view on its own could withhold a total in one view and show it in
another, so the counts of every view are protected together, as linked tables: each published count is one
cell, each "these add up to that" is one equation, and no withheld count can be worked out from all of them.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pandas as pd

from cseboard.config import settings
from cseboard.contract import OUTCOMES, REFERRAL_SOURCES, RISK_LEVELS
from cseboard.filters import Filters
from cseboard.methods import disclosure
from cseboard.methods.stats import SIGNIFICANTLY_BELOW, compare_to_benchmark, wilson_interval
from cseboard.questions.section import Chart, Fetch, Figure, Note, Section, nothing_to_draw

SOURCE, QUARTER, OUTCOME, RISK = "Referral source", "Quarter", "Outcome", "Risk level"
REFERRALS, SHARE = "Referrals", "Share (%)"
ALL_REFERRALS = "All referrals"
FROM_SOURCE, AT_RISK_LEVEL = "Referrals from this source", "Referrals at this risk level"
BOYS, BOYS_SHARE, LOWER, UPPER, VERDICT = ("Referrals of boys", "Boys (% of referrals)", "95% CI lower (%)",
                                           "95% CI upper (%)", "Against the benchmark")
ALL_SOURCES = "All sources"
NO_FURTHER_ACTION = "No further action"


@dataclass(frozen=True)
class SourceViews:
    """The page's tables after linked disclosure control, one per chart."""

    trend: disclosure.ProtectedTable
    by_source: disclosure.ProtectedTable
    outcomes_by_source: disclosure.ProtectedTable
    outcomes_by_risk: disclosure.ProtectedTable
    boys: disclosure.ProtectedTable


def sources_in_scope(chosen: Sequence[str], present: Sequence[str]) -> list[str]:
    """The sources the page reports on, in the contract's order: those filtered to, else every source a referral can have."""
    return list(chosen) or [*REFERRAL_SOURCES, *sorted(set(present) - set(REFERRAL_SOURCES))]


def _counts(counts: pd.DataFrame, by: list[str], index: pd.MultiIndex | pd.Index) -> pd.Series:
    """Referrals summed by the given columns, with every combination in the index (zero where there are none)."""
    summed = counts.groupby(by)["referrals"].sum() if len(counts) else pd.Series(dtype=float)
    return summed.reindex(index, fill_value=0).astype(float)


def source_views(counts: pd.DataFrame, sources: Sequence[str], quarters: Sequence[str], benchmark: float,
                 policy: disclosure.DisclosurePolicy) -> SourceViews:
    """Build and protect every view of the page from referral counts by quarter, source, risk, outcome and boy."""
    counts = counts[counts["referral_source"].isin(sources)]
    product = pd.MultiIndex.from_product
    by_source_quarter = _counts(counts, ["referral_source", "quarter"], product([sources, quarters]))
    by_source_outcome = _counts(counts, ["referral_source", "outcome"], product([sources, OUTCOMES]))
    by_risk_outcome = _counts(counts, ["risk_level", "outcome"], product([RISK_LEVELS, OUTCOMES]))
    boys_by_source = _counts(counts[counts["is_boy"].astype(bool)], ["referral_source"], pd.Index(sources))
    source_totals = by_source_quarter.groupby(level=0, sort=False).sum()
    quarter_totals = by_source_quarter.groupby(level=1, sort=False).sum()
    outcome_totals = by_source_outcome.groupby(level=1, sort=False).sum()
    risk_totals = by_risk_outcome.groupby(level=0, sort=False).sum()

    values: dict[Hashable, float] = {("all",): float(source_totals.sum()), ("boys",): float(boys_by_source.sum())}
    sums: list[tuple[Hashable, list[Hashable]]] = []
    for name, series in [("source", source_totals), ("quarter", quarter_totals), ("outcome", outcome_totals),
                         ("risk", risk_totals), ("source boys", boys_by_source)]:
        values.update({(name, key): value for key, value in series.items()})
        total = ("boys",) if name == "source boys" else ("all",)
        sums.append((total, [(name, key) for key in series.index]))
    for name, series, row_total, column_total in [
        ("source quarter", by_source_quarter, "source", "quarter"),
        ("source outcome", by_source_outcome, "source", "outcome"),
        ("risk outcome", by_risk_outcome, "risk", "outcome"),
    ]:
        values.update({(name, row, column): value for (row, column), value in series.items()})
        rows, columns = series.index.levels[0], series.index.levels[1]
        sums += [((row_total, row), [(name, row, column) for column in columns]) for row in rows]
        sums += [((column_total, column), [(name, row, column) for row in rows]) for column in columns]
    withheld = disclosure.protect_linked(values, sums, policy)

    trend = pd.DataFrame({SOURCE: by_source_quarter.index.get_level_values(0),
                          QUARTER: by_source_quarter.index.get_level_values(1), REFERRALS: by_source_quarter.values})
    by_source = pd.DataFrame({SOURCE: source_totals.index, REFERRALS: source_totals.values,
                              ALL_REFERRALS: values[("all",)]})
    by_source[SHARE] = _percent(by_source[REFERRALS], by_source[ALL_REFERRALS])
    return SourceViews(
        trend=_view(trend, {REFERRALS: [("source quarter", s, q) for s, q in zip(trend[SOURCE], trend[QUARTER])]},
                    {}, withheld, policy),
        by_source=_view(by_source, {REFERRALS: [("source", s) for s in by_source[SOURCE]],
                                    ALL_REFERRALS: [("all",)] * len(by_source)},
                        {SHARE: (REFERRALS, ALL_REFERRALS)}, withheld, policy),
        outcomes_by_source=_view(*_outcome_view(by_source_outcome, source_totals, SOURCE, "source", FROM_SOURCE), withheld, policy),
        outcomes_by_risk=_view(*_outcome_view(by_risk_outcome, risk_totals, RISK, "risk", AT_RISK_LEVEL), withheld, policy),
        boys=_boys_view(boys_by_source, source_totals, benchmark, withheld, policy),
    )


def _view(frame: pd.DataFrame, keys: dict[str, list], rates: dict[str, tuple[str, str]],
          withheld: dict[Hashable, bool], policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Blank withheld counts, and rates over them, in a view whose count columns hold linked cells (keys per row)."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for column, column_keys in keys.items():
        mask[column] = [withheld[key] for key in column_keys]
    for rate, (numerator, denominator) in rates.items():
        mask[rate] = mask[numerator] | mask[denominator]
    return disclosure.ProtectedTable(numeric=frame.mask(mask), mask=mask, policy=policy,
                                     count_columns=tuple(keys), rate_columns=tuple(rates))


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """100 × numerator / denominator, missing where the denominator is zero."""
    return 100 * numerator / denominator.where(denominator > 0)


def _outcome_view(by_outcome: pd.Series, row_totals: pd.Series, row_label: str, row_name: str, base: str):
    """Outcomes as shares of a row's referrals (a source or a risk level), with the keys of their linked cells."""
    rows = by_outcome.index.get_level_values(0)
    frame = pd.DataFrame({row_label: rows, OUTCOME: by_outcome.index.get_level_values(1),
                          REFERRALS: by_outcome.values, base: row_totals.reindex(rows).values})
    frame[SHARE] = _percent(frame[REFERRALS], frame[base])
    keys = {REFERRALS: [(f"{row_name} outcome", row, outcome) for row, outcome in zip(frame[row_label], frame[OUTCOME])],
            base: [(row_name, row) for row in frame[row_label]]}
    return frame, keys, {SHARE: (REFERRALS, base)}


def _boys_view(boys_by_source: pd.Series, source_totals: pd.Series, benchmark: float,
               withheld: dict[Hashable, bool], policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Boys as a share of each source's referrals and of all referrals, with Wilson intervals and a verdict."""
    frame = pd.DataFrame({SOURCE: [*boys_by_source.index, ALL_SOURCES],
                          BOYS: [*boys_by_source.values, boys_by_source.sum()],
                          REFERRALS: [*source_totals.values, source_totals.sum()]})
    lower, upper = wilson_interval(frame[BOYS], frame[REFERRALS])
    frame[BOYS_SHARE] = _percent(frame[BOYS], frame[REFERRALS])
    frame[LOWER], frame[UPPER] = 100 * lower, 100 * upper
    keys = {BOYS: [("source boys", s) for s in boys_by_source.index] + [("boys",)],
            REFERRALS: [("source", s) for s in source_totals.index] + [("all",)]}
    protected = _view(frame, keys, {column: (BOYS, REFERRALS) for column in (BOYS_SHARE, LOWER, UPPER)}, withheld, policy)
    shown = protected.numeric
    # The verdict is read from what is shown, so a withheld count gives "too few to say" and reveals nothing.
    verdicts = [compare_to_benchmark(b, n, benchmark) for b, n in zip(shown[BOYS], shown[REFERRALS])]
    return disclosure.ProtectedTable(numeric=shown.assign(**{VERDICT: verdicts}),
                                     mask=protected.mask.assign(**{VERDICT: False}), policy=protected.policy,
                                     count_columns=protected.count_columns, rate_columns=protected.rate_columns)


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


def absent_sources(by_source: pd.DataFrame) -> list[str]:
    """Sources with no referral at all in the period (zero is never withheld)."""
    return by_source.loc[by_source[REFERRALS] == 0, SOURCE].tolist()


def fewest_referrals(by_source: disclosure.ProtectedTable, how_many: int = 3) -> pd.DataFrame:
    """The sources that referred at least once but least often, fewest first; withheld counts (1-4) come first."""
    shown = by_source.display()
    referred = by_source.numeric[REFERRALS].ne(0)
    order = by_source.numeric.loc[referred, REFERRALS].fillna(0).sort_values(kind="stable").index
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


def trend_sources(views: SourceViews) -> list[str]:
    """Sources that get a small chart of their own: those that referred, less those withheld in every quarter."""
    blank = withheld_every_quarter(views.trend)
    referred = views.by_source.numeric.loc[views.by_source.numeric[REFERRALS] != 0, SOURCE]
    return [source for source in dict.fromkeys(views.trend.numeric[SOURCE]) if source in set(referred)
            and source not in blank]


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
    absent = absent_sources(views.by_source.numeric)
    blocks = [
        Note("Who refers", tone="subheader"),
        Figure("sources_who_refers", views.by_source, "referrals_by_source", alt_text=who_title,
               too_small="Referrals by source",
               chart=None if nothing_to_draw(views.by_source, [REFERRALS])
               else Chart("sources.who_refers", who_title, views.by_source)),
        Figure("sources_trend", views.trend, "referrals_by_source_and_quarter", alt_text=changed_title,
               too_small="Referrals by source each quarter",
               chart=Chart("sources.trend", changed_title, views.trend, {"quarters": quarters, "sources": shown_trend})
               if shown_trend else None,
               caption=(f"Referrals per quarter, {quarters[0]} (left) to {quarters[-1]} (right), on the same scale. "
                        "A gap is a quarter withheld as <5."
                        + (f" Not shown, as every quarter is withheld: {', '.join(blank)}." if blank else ""))
               if shown_trend else ""),
        Note("What happens next", tone="subheader"),
        _outcome_figure("sources_outcome_by_source", views.outcomes_by_source, SOURCE, FROM_SOURCE,
                        no_further_action_title(views.outcomes_by_source.numeric), "Outcome of referrals by source",
                        "outcome_by_source",
                        "A bar that stops short of 100% has outcomes withheld as <5; hover over a bar for the count."
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
                       "Sources withheld as <5 have no dot."),
        Note("Which agencies refer few children", tone="subheader"),
        *([Note(" " + ", ".join(f"{row[SOURCE]} ({row[REFERRALS]})" for _, row in fewest.iterrows()) + ".",
                tone="markdown", lead="Fewest referrals in the period:")] if not fewest.empty else []),
        Note(f" {', '.join(absent)}.", tone="markdown", lead="No referrals at all from:") if absent
        else Note("", tone="markdown", lead="Every source made at least one referral in the period."),
        Note("A source that rarely refers may not be recognising CSE: consider whether it needs training "
             "(see Training coverage) or a clearer route to refer."),
    ]
    return Section("sources", who_title, filters.describe(), tuple(blocks), findings=(who_title,))
