"""Referrals per 10,000 children by area, against the partnership as a whole, with Poisson funnel limits."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler
from scipy.stats import poisson

from cseboard.methods import stats
from cseboard.methods.funnel import FUNNEL_LEVELS, funnel_finding, funnel_positions
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, cell_key_column, metric_text, protect, sortable
from cseboard.methods.words import counted
from cseboard.filters import Filters
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Metric, Metrics, Note, Section

PER = 10_000
AREA, REFERRALS, POPULATION = "Area", "Referrals", "Children living in the area"
RATE, LOWER, UPPER = "Referrals per 10,000 children", "95% CI lower", "95% CI upper"
COMPARED, POSITION = "Against the partnership", "In the funnel"
HIGHER, LOWER_THAN, SIMILAR = "significantly higher", "significantly lower", "similar"
NO_POPULATION = "population not supplied"
PARTNERSHIP = "Partnership (all areas with a population)"
RATE_COLUMNS = (RATE, LOWER, UPPER)


def poisson_limit(expected, probability: float):
    """The count below which a Poisson(expected) falls with this probability, interpolated between whole counts.

    Spiegelhalter (2005, Statistics in Medicine 24:1185) exact Poisson limits: r - alpha, r the Poisson
    quantile and alpha = (P(Y <= r) - p) / P(Y = r), so the funnel is smooth; it is never below 0.
    """
    mean = np.asarray(expected, dtype=float)
    quantile = poisson.ppf(probability, mean)
    at_quantile = poisson.cdf(quantile, mean)
    below_quantile = poisson.cdf(quantile - 1, mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(at_quantile > below_quantile, (at_quantile - probability) / (at_quantile - below_quantile), 0.0)
    return np.maximum(quantile - alpha, 0.0)


def poisson_funnel_limits(centre_rate: float, populations, per: int = PER, levels=FUNNEL_LEVELS) -> pd.DataFrame:
    """Control limits for a rate funnel around the centre rate: the counts a population would show by chance.

    Same shape as stats.funnel_limits_proportion: one row per level and population, columns
    denominator, level, lower, upper (rates per `per`).
    """
    sizes = np.asarray(populations, dtype=float)
    if np.any(sizes <= 0):
        raise ValueError("funnel populations must be positive")
    expected = centre_rate * sizes / per
    bands = [pd.DataFrame({"denominator": sizes, "level": level,
                           "lower": poisson_limit(expected, (1 - level) / 2) * per / sizes,
                           "upper": poisson_limit(expected, 1 - (1 - level) / 2) * per / sizes})
             for level in levels]
    return pd.concat(bands, ignore_index=True)


def rate_limits(centre_rate: float):
    """Funnel limits around the partnership rate, for charts.funnel_plot and funnel_positions."""
    return lambda sizes: poisson_funnel_limits(centre_rate, sizes)


def compared_with(lower: float, upper: float, centre: float) -> str:
    """Plain-English comparison of a rate's 95% interval with the partnership rate."""
    if pd.isna(lower) or pd.isna(upper) or pd.isna(centre):
        return stats.TOO_FEW_TO_SAY
    if lower > centre:
        return HIGHER
    if upper < centre:
        return LOWER_THAN
    return SIMILAR


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Rates per 10,000 and Byar's 95% interval from the published referral counts."""
    known = table[POPULATION] > 0
    lower, upper = stats.byar_rate_interval(table[REFERRALS], table[POPULATION].where(known), per=PER)
    return table.assign(**{RATE: (table[REFERRALS] * PER / table[POPULATION]).where(known),
                           LOWER: lower.where(known), UPPER: upper.where(known)})


def _rates(names: Sequence[str], referrals, keys, population, policy: DisclosurePolicy) -> ProtectedTable:
    """Rates per 10,000 with Byar's 95% interval, from referral counts published from their cell keys."""
    table = pd.DataFrame({AREA: list(names), REFERRALS: np.asarray(referrals, dtype=int),
                          cell_key_column(REFERRALS): np.asarray(keys), POPULATION: np.asarray(population, dtype=float)})
    return protect(table, counts=[REFERRALS], rates={column: (REFERRALS, POPULATION) for column in RATE_COLUMNS},
                   policy=policy, derive=_with_rates)


def partnership_rate(by_area: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """The partnership's rate: referrals in every area with a population over all their children."""
    counted = by_area[by_area.population.notna()]
    return _rates([PARTNERSHIP], [counted.referrals.sum()], [counted.referrals_ckey.sum()], [counted.population.sum()],
                  policy)


def area_rates(by_area: pd.DataFrame, partnership: ProtectedTable, policy: DisclosurePolicy) -> ProtectedTable:
    """Each chosen area's rate, interval, comparison with the partnership and funnel position.

    by_area: the areas_rates query. Areas without a population keep their count.
    """
    everywhere = _rates(by_area.area, by_area.referrals, by_area.referrals_ckey, by_area.population, policy)
    chosen = by_area.chosen.to_numpy()
    protected = replace(everywhere, numeric=everywhere.numeric[chosen].reset_index(drop=True),
                        mask=everywhere.mask[chosen].reset_index(drop=True))
    shown = protected.numeric
    centre = partnership.numeric.at[0, RATE]
    comparison = [NO_POPULATION if pd.isna(people) else compared_with(low, high, centre)
                  for low, high, people in zip(shown[LOWER], shown[UPPER], shown[POPULATION])]
    positions = (funnel_positions(shown[RATE], shown[POPULATION], rate_limits(centre)) if pd.notna(centre)
                 else [""] * len(shown))
    numeric = shown.assign(**{COMPARED: comparison, POSITION: positions})
    return replace(protected, numeric=numeric)


def display(protected: ProtectedTable) -> pd.DataFrame:
    """The table as text for CSV: withheld cells "c", rates of areas without a population "population not supplied"."""
    shown = protected.display()
    missing = protected.numeric[POPULATION].isna()
    for column in RATE_COLUMNS:
        shown.loc[missing, column] = NO_POPULATION
    shown[POPULATION] = protected.numeric[POPULATION].map(lambda people: NO_POPULATION if pd.isna(people)
                                                           else f"{people:,.0f}")
    return shown


def mark_no_population(styler: Styler, areas: ProtectedTable) -> Styler:
    """In a sortable table (disclosure.sortable), populations with commas, and "population not supplied" where an area
    has none."""
    missing = areas.numeric[POPULATION].isna()
    styler = styler.format("{:,.0f}", subset=[POPULATION])
    if missing.any():
        styler = styler.format(lambda _: NO_POPULATION, subset=pd.IndexSlice[missing, [POPULATION, *RATE_COLUMNS]])
    return styler


def rates_title(areas: ProtectedTable, partnership: ProtectedTable) -> str:
    """How many areas are significantly higher or lower than the partnership rate."""
    centre = partnership.numeric.at[0, RATE]
    if pd.isna(centre):
        if partnership.numeric.at[0, POPULATION] > 0:
            return "Too few referrals to compare areas"
        return "No population supplied for the children chosen: referrals are counted, but there are no rates to compare"
    verdicts = areas.numeric[COMPARED]
    judged = int(verdicts.isin([HIGHER, LOWER_THAN, SIMILAR]).sum())
    higher, lower = int((verdicts == HIGHER).sum()), int((verdicts == LOWER_THAN).sum())
    if judged == 0:
        return f"Partnership: {centre:.1f} referrals per 10,000 children; too few in each area to compare"
    if higher == lower == 0:
        return (f"{'The only area' if judged == 1 else f'All {judged} areas'} compared "
                f"{'is' if judged == 1 else 'are'} similar to the partnership's {centre:.1f} referrals per 10,000 "
                "children")
    parts = [f"{count} significantly {side}" for count, side in ((higher, "higher"), (lower, "lower")) if count]
    verb = "is" if (higher or lower) == 1 else "are"
    return (f"Of {judged} areas, {' and '.join(parts).replace(' significantly', f' {verb} significantly', 1)} "
            f"than the partnership's {centre:.1f} referrals per 10,000 children")


def funnel_title(areas: ProtectedTable, name_all: bool = False) -> str:
    """How many areas lie outside the funnel's 95% limits around the partnership rate, naming them."""
    return funnel_finding(areas.numeric[AREA], areas.numeric[POSITION], "areas", name_all)


def hover(areas: ProtectedTable) -> list[tuple[str, ...]]:
    """Hover lines for each area, name first: rate, interval, counts and comparison as published (withheld as the symbol)."""
    columns = [areas.numeric[AREA], *(display(areas)[c] for c in (RATE, LOWER, UPPER, REFERRALS, POPULATION)),
               areas.numeric[COMPARED]]
    return [(area, f"{rate} referrals per 10,000 children (95% CI {low} to {high})",
             f"{count} referrals; {people} children", f"Against the partnership: {verdict}")
            for area, rate, low, high, count, people, verdict in zip(*columns)]


def hidden_note(areas: ProtectedTable) -> list[str]:
    """Why an area has no point on the chart: its count is withheld, or its population was not supplied; "" when shown."""
    rates, people = areas.numeric[RATE], areas.numeric[POPULATION]
    return [NO_POPULATION if pd.isna(p) else areas.policy.symbol + " referrals" if pd.isna(r) else ""
            for r, p in zip(rates, people)]


def population_note(filters: Filters) -> str:
    """Say plainly which children the rates are per 10,000 of, and what the filters do to it."""
    quarters = len(filters.quarters())
    ages = (f"children aged {', '.join(filters.age_bands)}" if filters.age_bands else "children aged 0-17")
    sexes = {"Male": "boys", "Female": "girls"}
    matched = [sexes[g] for g in filters.genders if g in sexes]
    who = " and ".join(matched) if filters.genders else "boys and girls"
    notes = [f"Rates are referrals in the period ({quarters} quarter{'s' * (quarters != 1)}) per 10,000 {ages} "
             f"living in each area ({who or 'population not supplied: see below'}), from the population table loaded most "
             "recently. They are not annual rates."]
    if not filters.genders or len(matched) < len(filters.genders):
        notes.append("Population estimates count boys and girls only; referrals of children recorded as Other or "
                     "Not known are counted against them.")
    if filters.sources:
        notes.append("Only referrals from the sources chosen are counted; the population is all such children.")
    notes.append("The partnership rate covers every area with a population, whichever areas are chosen.")
    return " ".join(notes)


def has_referrals(fetch: Fetch, filters: Filters) -> bool:
    """Whether any chosen area had a referral in the filters: the page says so rather than draw empty charts."""
    by_area = fetch("areas_rates", filters)
    return bool(by_area[by_area.chosen].referrals.any())


def partnership_cards(by_area: pd.DataFrame, partnership: ProtectedTable, policy: DisclosurePolicy) -> tuple[Metric, ...]:
    """The partnership's referrals (every area, population or not), its children and rate; where no population was
    supplied the cards say so, never 0: the referrals are there, only the rates are not."""
    everywhere = protect(pd.DataFrame({REFERRALS: [int(by_area.referrals.sum())],
                                       cell_key_column(REFERRALS): [by_area.referrals_ckey.sum()]}),
                         counts=[REFERRALS], policy=policy)
    referrals = Metric("Referrals in the partnership", metric_text(everywhere, REFERRALS),
                       help="Referrals in every area, whichever areas are chosen.")
    supplied = by_area[by_area.population.notna()].area
    if supplied.empty:
        why = "No population was supplied for the children chosen, so there are no rates per 10,000: only counts."
        return (referrals, Metric("Children living in the partnership", "Not supplied", help=why),
                Metric("Referrals per 10,000 children", "Not supplied", help=why))
    without = by_area[by_area.population.isna()].area
    covered = ("every area" if without.empty else
               f"the {counted(len(supplied), 'area')} with a population supplied, not {', '.join(without)}")
    return (
        referrals,
        Metric("Children living in the partnership", f"{partnership.numeric.at[0, POPULATION]:,.0f}",
               help=f"Children living in {covered}."),
        Metric("Referrals per 10,000 children", metric_text(partnership, RATE),
               help=f"Referrals in {covered}, per 10,000 children living there. 95% CI {metric_text(partnership, LOWER)}"
                    f" to {metric_text(partnership, UPPER)} (Byar's method)."),
    )


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> Section:
    """Which areas make more or fewer referrals per 10,000 children than the partnership: cards, the rates, the funnel,
    the table."""
    by_area = fetch("areas_rates", filters)
    partnership = partnership_rate(by_area, policy)
    areas = area_rates(by_area, partnership, policy)
    centre = partnership.numeric.at[0, RATE]
    title = rates_title(areas, partnership)
    blocks = [
        Note(population_note(filters)),
        Metrics(partnership_cards(by_area, partnership, policy)),
        Figure("areas_rates", chart=Chart("rates.area_rates", title, areas, {"centre": centre}), alt_text=title),
        *([Figure("areas_funnel", alt_text=funnel_title(areas), chart=Chart(
            "funnel", funnel_title(areas), areas.numeric,
            {"label": AREA, "size": POPULATION, "value": RATE, "position": POSITION, "hover": hover(areas),
             "limits": rate_limits(centre), "centre": centre, "centre_label": f"Partnership {centre:.1f} per 10,000",
             "x_title": "Children living in the area", "y_title": "Referrals per 10,000 children"}),
            caption="The limits show how far an area's rate could stray from the partnership's by chance alone "
                    "(exact Poisson limits, dashed 95%, dotted 99.8%); they narrow as areas get larger.")]
          if centre == centre else []),
        Figure("areas", areas, "referrals_per_10000_by_area", table_open=True, table_heading="Every area",
               table_frame=mark_no_population(sortable(areas), areas), csv_frame=display(areas)),
    ]
    findings = (Finding(f"Referrals per 10,000 children: {funnel_title(areas, name_all=True)}", "areas_funnel"),) \
        if centre == centre else (Finding(title, "areas_rates"),)
    return Section("areas", title, filters.describe(), tuple(blocks), findings=findings)
