"""The home page's headline: the latest quarter against the one before and the same quarter a year before."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cseboard.filters import Filters
from cseboard.methods import change
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, cell_key_column, figure_text, protect, share
from cseboard.methods.words import percent
from cseboard.periods import shift_quarter
from cseboard.questions.coverage import Coverage, coverage
from cseboard.questions.section import Fetch, Figure, Finding, Metric, Metrics, Note, Section, Signal

# (label, numerator column, denominator column or None for a plain count)
MEASURES = (
    ("Referrals", "referrals", None),
    ("Children referred", "children", None),
    ("Boys, as a share of children referred", "boys", "children"),
    ("Missing in the 90 days before referral", "children_missing_before_referral", "children"),
    ("Referrals screened as high risk", "high_risk_referrals", "referrals"),
    ("Workforce trained in CSE, all agencies", "staff_trained", "staff_in_scope"),
)
NEEDS = {"Missing in the 90 days before referral": "missing_episodes",
         "Workforce trained in CSE, all agencies": "training"}
"""Measures that need a table besides referrals: without it for a quarter, the measure has no figure there."""
MEASURE, QUARTER, COUNT, BASE, SHARE = "Measure", "Quarter", "Count", "Out of", "Share (%)"
SHARES = {label for label, _, denominator in MEASURES if denominator}


def headline_quarters(first_quarter: str, last_quarter: str) -> tuple[str, str]:
    """The quarters the home page needs: the period chosen, and back far enough for 'a year before'."""
    year_before = shift_quarter(last_quarter, -4)
    return min(first_quarter, year_before), last_quarter


def measures_by_quarter(by_quarter: pd.DataFrame, quarters: list[str]) -> pd.DataFrame:
    """One row per measure and quarter: numerator and denominator (0 for a plain count) with their cell keys.

    Staff counts are not of children and have no cell key (NaN): protect() publishes them as they are.
    """
    indexed = by_quarter.set_index("quarter")

    def value(quarter: str, column: str | None, default: float) -> float:
        if column is None or column not in indexed or quarter not in indexed.index:
            return default
        found = indexed.at[quarter, column]
        return default if pd.isna(found) else found

    records = []
    for label, numerator, denominator in MEASURES:
        for quarter in quarters:
            records.append({MEASURE: label, QUARTER: quarter,
                            COUNT: int(value(quarter, numerator, 0)), BASE: int(value(quarter, denominator, 0)),
                            cell_key_column(COUNT): value(quarter, f"{numerator}_ckey", float("nan")),
                            cell_key_column(BASE): value(quarter, denominator and f"{denominator}_ckey", float("nan"))})
    return pd.DataFrame(records)


def protect_measures(measures: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """The measures published from their cell keys, shares from the published counts (none for a plain count)."""
    def with_shares(published: pd.DataFrame) -> pd.DataFrame:
        return published.assign(**{SHARE: share(published[COUNT], published[BASE])
                                   .where(published[MEASURE].isin(SHARES))})
    return protect(measures, counts=[COUNT, BASE], rates={SHARE: (COUNT, BASE)}, policy=policy, derive=with_shares)


def metric_cards(protected: ProtectedTable, last_quarter: str, trend_quarters: list[str],
                 covered: Coverage, signals: Mapping[str, Signal] | None = None) -> list[Metric]:
    """One card per measure (text, change and trend), from protect_measures. A quarter not loaded, or without the
    table a measure needs, says so; a partial quarter is not compared with a complete one. signals: what each
    measure's SPC chart says, by measure label, where the page shows it."""
    numbers, withheld, symbol = protected.numeric, protected.mask, protected.policy.symbol
    compared = [last_quarter, shift_quarter(last_quarter, -1), shift_quarter(last_quarter, -4)]
    cards = []
    for measure, rows in numbers.groupby(MEASURE, sort=False):
        is_share = measure in SHARES
        column = SHARE if is_share else COUNT
        by_quarter = rows.set_index(QUARTER)
        hidden = withheld.loc[rows.index, column].set_axis(rows[QUARTER])
        gaps = [covered.gap(q, NEEDS.get(measure)) for q in compared]
        values = [float("nan") if gap else by_quarter.at[q, column] for q, gap in zip(compared, gaps)]
        flags = [bool(hidden[q]) and not gap for q, gap in zip(compared, gaps)]
        texts = [gap or figure_text(v, h, symbol, 1 if is_share else 0, "%" if is_share else "")
                 for v, h, gap in zip(values, flags, gaps)]
        partial = [q in covered.partial for q in compared]
        comparable = partial[0] == partial[1]
        change = (None if any(flags[:2]) or any(v != v for v in values[:2]) or not comparable
                  else values[0] - values[1])
        unit = " points" if is_share else ""
        basis = ("" if not is_share or flags[0] or gaps[0] else
                 f" Based on {by_quarter.at[last_quarter, COUNT]:,.0f} of {by_quarter.at[last_quarter, BASE]:,.0f}.")
        note = f" {last_quarter} is partial: not compared with {compared[1]}." if not comparable else ""
        cards.append(Metric(
            label=measure,
            value="No data" if gaps[0] else texts[0],
            delta=None if change is None else f"{change:+,.{1 if is_share else 0}f}{unit} on {compared[1]}",
            footnote=(f"{gaps[0]}. " if gaps[0] else "") + (
                f"Partial quarter: not compared with {compared[1]}." if not comparable
                else f"Same quarter a year before, {compared[2]}: {texts[2]}"),
            help=f"{compared[1]}: {texts[1]}; {compared[2]}: {texts[2]}.{basis}{note}",
            trend=tuple(float("nan") if covered.gap(q, NEEDS.get(measure)) else float(v)
                        for q, v in by_quarter.loc[trend_quarters, column].items()),
            signal=(signals or {}).get(measure),
        ))
    return cards


def readable(protected: ProtectedTable, covered: Coverage) -> pd.DataFrame:
    """The table behind the cards as read: no base for a plain count, and why a quarter has no figure in words."""
    shown = protected.display()
    shown.loc[~shown[MEASURE].isin(SHARES), BASE] = ""
    for row, (measure, quarter) in shown[[MEASURE, QUARTER]].iterrows():
        gap = covered.gap(quarter, NEEDS.get(measure))
        if gap:
            shown.loc[row, [COUNT, BASE, SHARE]] = [gap, "", ""]
        elif quarter in covered.partial:
            shown.loc[row, QUARTER] = f"{quarter} (partial)"
    return shown


CHANGES_FOR_THE_BOARD = {
    "Referrals": "Referrals",
    "Children referred": "Children referred",
    "Boys, as a share of children referred": "Boys' share of children referred",
}
"""The measures whose change the board is told of (measure: how a sentence names it)."""


def change_findings(protected: ProtectedTable, last_quarter: str, supplied: set[str],
                    partial: frozenset[str] = frozenset()) -> tuple[Finding, ...]:
    """What changed against the quarter before and the same quarter a year before, and whether more than chance.

    Judged from the published counts (rounded to 5), so a change of a few children is never called more than chance
    on the strength of the rounding; a quarter with no figures supplied, or a withheld figure, is not compared.
    """
    numbers, withheld, symbol = protected.numeric, protected.mask, protected.policy.symbol
    found = []
    for measure, name in CHANGES_FOR_THE_BOARD.items():
        rows = numbers[numbers[MEASURE] == measure].set_index(QUARTER)
        hidden = withheld.loc[numbers[MEASURE] == measure].set_axis(rows.index)
        is_share = measure in SHARES
        column = SHARE if is_share else COUNT

        def shown(quarter: str) -> str:
            if quarter not in supplied:
                return "no figures supplied"
            return figure_text(rows.at[quarter, column], bool(hidden.at[quarter, column]), symbol,
                               1 if is_share else 0, "%" if is_share else "")

        def compared(quarter: str) -> str:
            parts = (COUNT, BASE) if is_share else (COUNT,)
            if {quarter, last_quarter} - supplied or any(hidden.at[q, part] for q in (quarter, last_quarter)
                                                         for part in (*parts, column)):
                return f"Against {quarter} ({shown(quarter)}): not compared."
            if (quarter in partial) != (last_quarter in partial):
                return f"Against {quarter} ({shown(quarter)}): not compared, as one of them is a partial quarter."
            now, then = rows.loc[last_quarter], rows.loc[quarter]
            if is_share:
                interval, no_change = change.share_difference_interval(now[COUNT], now[BASE], then[COUNT],
                                                                       then[BASE]), 0
                moved = _moved(now[SHARE] - then[SHARE], f"{abs(now[SHARE] - then[SHARE]):.1f} points")
            else:
                interval, no_change = change.rate_ratio_interval(now[COUNT], then[COUNT]), 1
                difference = now[COUNT] - then[COUNT]
                moved = _moved(difference, f"{abs(difference):,.0f}"
                               + (f" ({percent(100 * abs(difference) / then[COUNT])})" if then[COUNT] else ""))
            verdict = change.change_verdict(*interval, no_change)
            return f"Against {quarter} ({shown(quarter)}): {moved}, {verdict}."

        found.append(Finding(f"{name} in {last_quarter}: {shown(last_quarter)}. "
                             f"{compared(shift_quarter(last_quarter, -1))} {compared(shift_quarter(last_quarter, -4))}",
                             "home_headline"))
    return tuple(found)


def _moved(difference: float, size: str) -> str:
    """A change in words: 'up 15 (7%)', 'down 2.1 points', 'no change'."""
    return "no change" if difference == 0 else f"{'up' if difference > 0 else 'down'} {size}"


def _with_year_before(filters: Filters) -> Filters:
    """The filters over the quarters the headline needs: the period chosen and back to a year before its last."""
    return filters.with_period(*headline_quarters(filters.first_quarter, filters.last_quarter))


def has_referrals(fetch: Fetch, filters: Filters) -> bool:
    """Whether any headline figure exists for the filters: the page says there is no data rather than draw zeros."""
    return not fetch("headline_by_quarter", _with_year_before(filters)).empty


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy,
            signals: Mapping[str, Signal] | None = None) -> Section:
    """This quarter's headline cards against the quarter before and a year before, and the table behind them;
    signals: each measure's SPC variation and assurance for its card (questions.trends.card_signals)."""
    wanted = _with_year_before(filters)
    by_quarter = fetch("headline_by_quarter", wanted)
    figures = measures_by_quarter(by_quarter, wanted.quarters())
    protected = protect_measures(figures, policy)
    covered = coverage(fetch, wanted)
    shown = readable(protected, covered)
    blocks = (
        Note(filters.last_quarter + (" (partial quarter)" if filters.last_quarter in covered.partial else ""),
             tone="subheader"),
        Metrics(tuple(metric_cards(protected, filters.last_quarter, filters.quarters(), covered, signals))),
        Note("Workforce training covers every agency and is not narrowed by the area, source, age band or gender "
             "filters; the other figures are."),
        Figure("home_headline", protected, f"headline_{filters.last_quarter}", table_frame=shown, csv_frame=shown),
    )
    return Section("headline", f"Headline figures for {filters.last_quarter}", filters.describe(), blocks,
                   findings=change_findings(protected, filters.last_quarter, set(by_quarter["quarter"]),
                                            covered.partial))
