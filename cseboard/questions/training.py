"""Workforce CSE training coverage: staff trained as a share of staff in scope, by agency and level, against a target.

Each period's staff counts are a two-way table, agency by level, with row, column and grand totals (coverage of an
agency, of a level, of the whole workforce). Staff counts are not counts of children: they are shown as reported,
without the cell-key rounding that protects children's figures (docs/disclosure.md).
"""
from __future__ import annotations

import math

import pandas as pd

from cseboard.contract import TRAINING_AGENCIES, TRAINING_LEVELS
from cseboard.filters import Filters
from cseboard.methods import disclosure, spc
from cseboard.questions import trends
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Note, Section, Slot
from cseboard.methods.words import counted, percent

PERIOD, AGENCY, LEVEL = "Period", "Agency", "Level"
TRAINED, IN_SCOPE, COVERAGE = "Staff trained", "Staff in scope", "Trained (%)"
GAP, TO_TRAIN = "Against target (percentage points)", "Staff still to train"
ALL_AGENCIES, ALL_LEVELS = "All agencies", "All levels"
MEASURES = {"staff_trained": TRAINED, "staff_in_scope": IN_SCOPE}


def protect_coverage(training: pd.DataFrame, policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Coverage per period, agency and level, with 'All agencies' and 'All levels' totals, as reported.

    training: one row per period, agency and level with staff_in_scope and staff_trained (the training query).
    Combinations with nobody in scope are left out: there is no coverage to show.
    """
    values = [_long({name: disclosure.protect_crosstab(_agency_by_level(rows, column), None, policy).numeric
                     for column, name in MEASURES.items()}, period)
              for period, rows in training.groupby("period", sort=True)]
    columns = [PERIOD, AGENCY, LEVEL, TRAINED, IN_SCOPE, COVERAGE]
    frame = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=columns[:-1])
    frame[COVERAGE] = 100 * frame[TRAINED] / frame[IN_SCOPE].where(frame[IN_SCOPE] > 0)
    frame = frame[frame[IN_SCOPE] > 0].reset_index(drop=True)[columns]
    return disclosure.ProtectedTable(numeric=frame, mask=pd.DataFrame(False, index=frame.index, columns=columns),
                                     policy=policy, count_columns=(TRAINED, IN_SCOPE), rate_columns=(COVERAGE,))


def _agency_by_level(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """One period's staff counts as agencies by levels, in the contract's order, zero where not reported."""
    agencies = [agency for agency in TRAINING_AGENCIES if agency in set(rows["agency"])]
    table = rows.pivot_table(index="agency", columns="level", values=column, aggfunc="sum", fill_value=0)
    return table.reindex(index=agencies, columns=list(TRAINING_LEVELS), fill_value=0)


def _long(crosstabs: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """Stack agency-by-level crosstabs (with totals) into one row per agency and level, one column per measure."""
    stacked = [table.rename(index={"Total": ALL_AGENCIES}, columns={"Total": ALL_LEVELS})
               .rename_axis(index=AGENCY, columns=LEVEL).stack(future_stack=True).rename(name)
               for name, table in crosstabs.items()]
    return pd.concat(stacked, axis=1).reset_index().assign(**{PERIOD: period})


def latest_period(coverage: pd.DataFrame) -> str | None:
    """The newest period with training figures."""
    return max(coverage[PERIOD], default=None)


def gap_table(coverage: disclosure.ProtectedTable, period: str, target: float) -> disclosure.ProtectedTable:
    """Agencies (all levels) in one period, furthest below the target first (most negative), with staff still to train."""
    chosen = (coverage.numeric[PERIOD] == period) & (coverage.numeric[LEVEL] == ALL_LEVELS) & (
        coverage.numeric[AGENCY] != ALL_AGENCIES)
    frame = coverage.numeric.loc[chosen, [AGENCY, TRAINED, IN_SCOPE, COVERAGE]]
    mask = coverage.mask.loc[chosen, [AGENCY, TRAINED, IN_SCOPE, COVERAGE]]
    frame[GAP] = frame[COVERAGE] - 100 * target
    frame[TO_TRAIN] = [staff_to_reach(target, trained, in_scope)
                       for trained, in_scope in zip(frame[TRAINED], frame[IN_SCOPE])]
    mask[GAP] = mask[TO_TRAIN] = mask[COVERAGE]
    order = frame[GAP].sort_values(na_position="last", kind="stable").index
    return disclosure.ProtectedTable(numeric=frame.loc[order].reset_index(drop=True),
                                     mask=mask.loc[order].reset_index(drop=True), policy=coverage.policy,
                                     count_columns=(TRAINED, IN_SCOPE, TO_TRAIN), rate_columns=(COVERAGE, GAP))


def staff_to_reach(target: float, trained: float, in_scope: float) -> float:
    """How many more staff must be trained for the share trained to reach the target (0 if it already has)."""
    if pd.isna(trained) or pd.isna(in_scope):
        return float("nan")
    return float(max(0, math.ceil(round(target * in_scope, 6)) - trained))


def coverage_title(gaps: pd.DataFrame, period: str, target: float) -> str:
    """Say how many agencies reached the target in the period, or who came closest when none did."""
    known = gaps.dropna(subset=[COVERAGE])
    if known.empty:
        return f"Training coverage by agency and level, {period}"
    reached = int((known[COVERAGE] >= 100 * target).sum())
    if reached == 0:
        best = known.sort_values(COVERAGE, ascending=False).iloc[0]
        return (f"No agency had trained {target:.0%} of its staff in {period}; "
                f"{best[AGENCY]} came closest ({percent(best[COVERAGE])})")
    return (f"{reached} of {counted(len(known), 'agency', 'agencies')} had trained at least {target:.0%} of their "
            f"staff in {period}")


def trend_title(coverage: pd.DataFrame) -> str:
    """Say how the share of the whole workforce trained moved from the first period to the last."""
    overall = coverage[(coverage[AGENCY] == ALL_AGENCIES) & (coverage[LEVEL] == ALL_LEVELS)].dropna(subset=[COVERAGE])
    if len(overall) < 2:
        return "Training coverage over time"
    first, last = overall.iloc[0], overall.iloc[-1]
    verb = "rose" if last[COVERAGE] > first[COVERAGE] else "fell" if last[COVERAGE] < first[COVERAGE] else "stayed"
    return (f"The share of all staff trained {verb} from {percent(first[COVERAGE])} in {first[PERIOD]} "
            f"to {percent(last[COVERAGE])} in {last[PERIOD]}")


def gap_title(gaps: pd.DataFrame, target: float) -> str:
    """Name the agency furthest below the target and how many staff it still has to train."""
    below = gaps[gaps[GAP] < 0]
    if below.empty:
        return f"Every agency shown has reached the {target:.0%} target"
    worst = below.iloc[0]
    return (f"{worst[AGENCY]} is furthest from the {target:.0%} target: {percent(worst[COVERAGE])} trained, "
            f"{worst[TO_TRAIN]:,.0f} staff still to train")


FURTHEST_NAMED = 3
"""How many agencies below the target the board's finding names."""


def furthest_finding(gaps: pd.DataFrame, target: float, period: str) -> str:
    """The board's finding on training: the agencies furthest below the target, each with its share and staff to train."""
    below = gaps[gaps[GAP] < 0].head(FURTHEST_NAMED)
    if below.empty:
        return f"Every agency shown had reached the {target:.0%} training target in {period}"
    named = "; ".join(f"{row[AGENCY]} {row[COVERAGE]:.0f}% ({row[TO_TRAIN]:,.0f} staff to train)"
                      for _, row in below.iterrows())
    lead = "Agency furthest" if len(below) == 1 else "Agencies furthest"
    return f"{lead} from the {target:.0%} training target in {period}: {named}"


def _coverage(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy) -> disclosure.ProtectedTable:
    """Protected coverage for the period chosen (training figures are for whole agencies: only the period applies)."""
    return protect_coverage(fetch("training_coverage", filters), policy)


def coverage_over_three_years(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy) -> pd.Series:
    """The share of all staff trained, every agency and level, each quarter of the three years to the last quarter
    chosen: the SPC chart's points."""
    shown = _coverage(fetch, trends.looking_back(filters), policy).numeric
    return shown[(shown[AGENCY] == ALL_AGENCIES) & (shown[LEVEL] == ALL_LEVELS)].set_index(PERIOD)[COVERAGE]


def has_figures(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy) -> bool:
    """Whether the period has training figures: the page asks before drawing the trend's choice of lines."""
    return latest_period(_coverage(fetch, filters, policy).numeric) is not None


def section(fetch: Fetch, filters: Filters, policy: disclosure.DisclosurePolicy, target: float,
            trend_by: str | None) -> Section:
    """Coverage by agency and level in the latest period, its trend by agency or level, and who is furthest from the
    target. Slots stand where the page asks for the target and, when there are figures, for the trend's lines."""
    blocks = [Note("Training figures are for whole agencies: the area, age band, gender and referral source filters "
                   "do not apply on this page. The period filter does.", tone="info", icon=":material/info:"),
              Slot("target")]
    coverage = _coverage(fetch, filters, policy)
    period = latest_period(coverage.numeric)
    if period is None:
        blocks.append(Note("There are no training figures for the period chosen. Widen the period in the sidebar, or "
                           "load an extract that has a training table.", tone="info"))
        return Section("training", "No training figures for the period", filters.describe(), tuple(blocks))
    gaps = gap_table(coverage, period, target)
    title = coverage_title(gaps.numeric, period, target)
    changed = trend_title(coverage.numeric)
    other, everyone = (LEVEL, ALL_LEVELS) if trend_by == AGENCY else (AGENCY, ALL_AGENCIES)
    periods = sorted(coverage.numeric.loc[coverage.numeric[other] == everyone, PERIOD].unique())
    if period != filters.last_quarter:
        blocks.append(Note(f"There are no training figures for {filters.last_quarter}; the latest in the period, "
                           f"{period}, are shown.", tone="warning"))
    blocks += [
        Note(f"Coverage in {period}", tone="subheader"),
        Figure("training_by_agency_level", coverage, "training_coverage", alt_text=title,
               chart=Chart("training.coverage", title, coverage,
                           {"period": period, "target": target, "agency_order": gaps.numeric[AGENCY].tolist()}),
               caption="Agencies are ordered from furthest below the target to furthest above it. Staff counts are not "
                       "counts of children: they are shown as reported."),
        Note("Trend", tone="subheader"),
        Slot("trend_by"),
        trends.with_raw_line("training_spc", "Share of all staff trained",
                             coverage_over_three_years(fetch, filters, policy),
                             trends.Measure(spc.INCREASE, 100 * target),
                             Figure("training_trend", alt_text=changed,
                                    chart=Chart("training.trend", changed, coverage,
                                                {"by": trend_by, "periods": filters.quarters(), "target": target}),
                                    caption=f"Share of staff trained each quarter, {periods[0]} (left) to {periods[-1]} "
                                            f"(right); the dashed line is the {target:.0%} target."),
                             percent=True),
        Note("Agencies furthest from the target", tone="subheader"),
        Note(f" All levels of training together, {period}. A negative figure is how far below the target an agency "
             "is.", tone="markdown", lead=f"{gap_title(gaps.numeric, target)}."),
        Figure("training_gap", gaps, f"training_gap_to_target_{period}", table_open=True),
    ]
    return Section("training", title, filters.describe(), tuple(blocks),
                   findings=(Finding(furthest_finding(gaps.numeric, target, period), "training_gap"),))
