"""Are boys under-identified? Shares of boys with intervals and verdicts, and how referrals spread over age bands."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from cseboard.config import BOYS_BENCHMARK_SOURCE, settings
from cseboard.contract import AGE_BANDS
from cseboard.filters import Filters
from cseboard.periods import quarters_held
from cseboard.methods import spc, stats
from cseboard.questions import trends
from cseboard.methods.funnel import FUNNEL_LEVELS, funnel_finding, funnel_positions
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Metric, Metrics, Note, Section, Slot, nothing_to_draw
from cseboard.methods.disclosure import (DisclosurePolicy, ProtectedTable, cell_key_column as key, metric_text, protect,
                                         protect_crosstab, share)

CHILDREN, BOYS, SHARE = "Children referred", "Boys referred", "Boys (% of children referred)"
LOWER, UPPER = "95% CI lower (%)", "95% CI upper (%)"
VERDICT, POSITION = "Against the benchmark", "In the funnel"
BREAKDOWN_LABELS = {"all": "Children", "quarter": "Quarter", "area": "Area", "referral_source": "Referral source"}
AGE_BAND, GENDER, QUARTER, REFERRALS = "Age band", "Gender", "Quarter", "Referrals"
PANEL = "Gender and age band"
OTHER_OR_NOT_KNOWN = "Other or not known"
GENDER_GROUPS = {"Male": "Male", "Female": "Female", "Other": OTHER_OR_NOT_KNOWN, "Not known": OTHER_OR_NOT_KNOWN}
"""Age band views merge the two smallest genders, so fewer cells are withheld."""
IN_WORDS = {"Male": "boys", "Female": "girls", OTHER_OR_NOT_KNOWN: "children of another or unknown gender"}


def share_limits(benchmark: float):
    """Funnel limits around the benchmark share, in percent, for charts.funnel_plot and funnel_positions."""
    def limits(sizes: np.ndarray) -> pd.DataFrame:
        bounds = stats.funnel_limits_proportion(benchmark, sizes, FUNNEL_LEVELS)
        bounds[["lower", "upper"]] *= 100
        return bounds
    return limits


def boys_shares(counts: pd.DataFrame, breakdown: str, benchmark: float, policy: DisclosurePolicy,
                groups_in_order: Sequence[str] | None = None) -> ProtectedTable:
    """Share of boys per group with its 95% Wilson interval, verdict and funnel position, from the published counts.

    counts: the age_gender_boys_share query (breakdown, group, children, boys and their cell keys). groups_in_order
    keeps groups with no referrals (e.g. quarters) as zero rows, so a chart shows a gap rather than skipping them.
    """
    label = BREAKDOWN_LABELS[breakdown]
    names = {"children": CHILDREN, "boys": BOYS, "children_ckey": key(CHILDREN), "boys_ckey": key(BOYS)}
    rows = counts[counts.breakdown == breakdown].set_index("group")[list(names)]
    if groups_in_order is not None:
        rows = rows.reindex(groups_in_order, fill_value=0)
    table = rows.rename(columns=names).rename_axis(label).reset_index()

    def judged(published: pd.DataFrame) -> pd.DataFrame:
        boys = published[BOYS].clip(upper=published[CHILDREN])
        lower, upper = stats.wilson_interval(boys, published[CHILDREN])
        return published.assign(**{
            SHARE: share(boys, published[CHILDREN]).to_numpy(), LOWER: 100 * lower, UPPER: 100 * upper,
            VERDICT: [stats.compare_to_benchmark(b, c, benchmark) for b, c in zip(boys, published[CHILDREN])],
        })

    protected = protect(table, counts=[CHILDREN, BOYS], rates={c: (BOYS, CHILDREN) for c in (SHARE, LOWER, UPPER)},
                        policy=policy, derive=judged)
    shown = protected.numeric
    numeric = shown.assign(**{POSITION: funnel_positions(shown[SHARE], shown[CHILDREN], share_limits(benchmark))})
    return replace(protected, numeric=numeric, mask=protected.mask.assign(**{POSITION: False}))


def percent(value: float) -> str:
    """A share in percent for prose: 33 -> "33%", 17.66 -> "17.7%"."""
    return f"{value:.1f}%".replace(".0%", "%")


def headline_title(overall: ProtectedTable, benchmark: float, period: str = "") -> str:
    """The finding on boys for the whole selection, with its interval and verdict, for the page's main chart (and,
    naming the period, for the board)."""
    row = overall.numeric.iloc[0]
    target = percent(100 * benchmark)
    if row[VERDICT] == stats.TOO_FEW_TO_SAY:
        return f"Too few children referred to compare the share of boys with the {target} benchmark"
    relation = ("no evidence of a difference from the" if row[VERDICT] == stats.NO_EVIDENCE_OF_DIFFERENCE
                else row[VERDICT].replace("the benchmark", "the"))
    return (f"Boys are {percent(row[SHARE])} of children referred{period and ' in ' + period} (95% CI {percent(row[LOWER])} to "
            f"{percent(row[UPPER])}): {relation} {target} benchmark")


def trend_title(by_quarter: ProtectedTable, benchmark: float) -> str:
    """How many quarters the share of boys was significantly below or above the benchmark."""
    verdicts = by_quarter.numeric[VERDICT]
    judged = int((verdicts != stats.TOO_FEW_TO_SAY).sum())
    target = percent(100 * benchmark)
    if judged == 0:
        return "Share of boys by quarter: too few children referred in each quarter to compare"
    below = int((verdicts == stats.SIGNIFICANTLY_BELOW).sum())
    above = int((verdicts == stats.SIGNIFICANTLY_ABOVE).sum())
    parts = [f"significantly below the {target} benchmark in {below} of {judged} quarters"]
    if above:
        parts.append(f"significantly above it in {above}")
    return "The share of boys was " + ", ".join(parts)


def funnel_title(shares: ProtectedTable, breakdown: str, name_all: bool = False) -> str:
    """How many areas or referral sources lie outside the funnel's limits around the benchmark, naming them."""
    noun = {"area": "areas", "referral_source": "referral sources"}[breakdown]
    return funnel_finding(shares.numeric[BREAKDOWN_LABELS[breakdown]], shares.numeric[POSITION], noun, name_all)


def funnel_hover(shares: ProtectedTable, label: str) -> list[tuple[str, ...]]:
    """Hover lines for each funnel point, name first: share, counts and interval as published (withheld as the symbol)."""
    columns = [shares.numeric[label], *(shares.hover_text(c) for c in (SHARE, BOYS, CHILDREN, LOWER, UPPER)),
               shares.numeric[POSITION]]
    return [(name, f"Boys {share}% ({boys} of {children} children)", f"95% CI {low}% to {high}%", position)
            for name, share, boys, children, low, high, position in zip(*columns)]


def _index_as_column(protected: ProtectedTable) -> ProtectedTable:
    """A crosstab's row labels as its first column, so tables that hide the index still show them."""
    numeric = protected.numeric.reset_index()
    mask = protected.mask.reset_index(drop=True)
    mask.insert(0, numeric.columns[0], False)
    return replace(protected, numeric=numeric, mask=mask)


def genders_present(referrals: pd.DataFrame) -> list[str]:
    """Gender groups with referrals, boys first."""
    present = set(referrals.gender.map(GENDER_GROUPS))
    return [group for group in dict.fromkeys(GENDER_GROUPS.values()) if group in present]


def _by_gender_group(referrals: pd.DataFrame) -> pd.DataFrame:
    """Referrals per quarter, age band and gender group, with their cell keys (summed: each referral is in one)."""
    grouped = referrals.assign(gender=referrals.gender.map(GENDER_GROUPS))
    return grouped.groupby(["quarter", "age_band", "gender"], as_index=False)[["referrals", "referrals_ckey"]].sum()


def genders_shown(table: ProtectedTable) -> list[str]:
    """Genders with at least one visible non-zero count, so lines of zeros and gaps do not clutter a chart."""
    visible = table.numeric[table.numeric[REFERRALS] > 0]
    return [group for group in dict.fromkeys(GENDER_GROUPS.values()) if group in set(visible[GENDER])]


def age_gender_table(referrals: pd.DataFrame, bands: Sequence[str], policy: DisclosurePolicy) -> ProtectedTable:
    """Referrals by age band and gender over the period, with totals; every band kept, even when empty."""
    table, keys = (_by_gender_group(referrals)
                   .pivot_table(index="age_band", columns="gender", values=column, aggfunc="sum", fill_value=0)
                   .reindex(index=list(bands), columns=genders_present(referrals), fill_value=0)
                   for column in ("referrals", "referrals_ckey"))
    table.index.name, table.columns.name = AGE_BAND, None
    return _index_as_column(protect_crosstab(table, keys, policy))


def age_band_title(table: ProtectedTable) -> str:
    """The largest age band and where boys make up the largest share, from the visible cells only."""
    rows = table.numeric.set_index(AGE_BAND).drop(index="Total")
    grand = table.numeric.set_index(AGE_BAND).at["Total", "Total"]
    totals = rows["Total"].dropna()
    if totals.empty or pd.isna(grand) or grand == 0:
        return "Referrals by age band and gender (numbers too small to describe)"
    peak = totals.idxmax()
    title = f"Most referrals are of children aged {peak} ({percent(100 * totals[peak] / grand)} of all)"
    if "Male" in rows:
        boys_share = (rows["Male"] / rows["Total"]).dropna()
        if not boys_share.empty:
            band = boys_share.idxmax()
            title += f"; boys are the largest share at {band} ({percent(100 * boys_share[band])})"
    return title


def age_band_quarters(referrals: pd.DataFrame, quarters: Sequence[str], bands: Sequence[str],
                      policy: DisclosurePolicy) -> ProtectedTable:
    """Referrals per quarter, age band and gender, every combination kept, each published from its cell key."""
    grid = pd.MultiIndex.from_product([quarters, bands, genders_present(referrals)], names=[QUARTER, AGE_BAND, GENDER])
    counts = (_by_gender_group(referrals).set_index(["quarter", "age_band", "gender"])
              .rename_axis([QUARTER, AGE_BAND, GENDER]).reindex(grid, fill_value=0)
              .rename(columns={"referrals": REFERRALS, "referrals_ckey": key(REFERRALS)}).reset_index())
    return protect(counts, counts=[REFERRALS], policy=policy)


def age_band_trend_title(table: ProtectedTable) -> str:
    """Which band and gender has the most referrals, in every quarter or in the latest, from visible cells only."""
    shown = table.numeric.dropna(subset=[REFERRALS])
    shown = shown[shown[REFERRALS] > 0]
    if shown.empty:
        return "Referrals by age band each quarter (numbers too small to show)"
    largest = shown.loc[shown.groupby(QUARTER, sort=False)[REFERRALS].idxmax()]
    groups = set(zip(largest[AGE_BAND], largest[GENDER]))
    if len(groups) == 1 and len(largest) == table.numeric[QUARTER].nunique():
        band, gender = groups.pop()
        return f"{IN_WORDS[gender].capitalize()} aged {band} are the largest group in every quarter"
    latest = largest.iloc[-1]
    return (f"In {latest[QUARTER]} the largest group was {IN_WORDS[latest[GENDER]]} aged {latest[AGE_BAND]} "
            f"({latest[REFERRALS]:.0f} referrals)")


def boys_share_over_three_years(fetch: Fetch, filters: Filters, policy: DisclosurePolicy,
                                benchmark: float) -> pd.Series:
    """Boys' share of children referred each quarter of the three years to the last quarter chosen, from the published
    counts (withheld: NaN), for the SPC chart: three whole years is a period a viewer can choose, so nothing new is
    published."""
    wanted = trends.looking_back(filters)
    counts = fetch("age_gender_boys_share", wanted)
    shares = boys_shares(counts, "quarter", benchmark, policy, groups_in_order=quarters_held(
        wanted.quarters(), counts.loc[counts.breakdown == "quarter", "group"]))
    return shares.numeric.set_index(BREAKDOWN_LABELS["quarter"])[SHARE]


def band_group(gender: str, band: str) -> str:
    """A gender group in an age band, as a panel is titled: "Male aged 12-13", "Female under 10"."""
    return f"{gender} {'under 10' if band == 'Under 10' else 'aged ' + band}"


def referrals_by_band_over_three_years(fetch: Fetch, filters: Filters, bands: Sequence[str],
                                       policy: DisclosurePolicy) -> dict[str, pd.Series]:
    """Referrals by quarter for each gender group and age band with a figure shown, over the three years to the last
    quarter chosen (withheld: NaN; quarters the store holds no referral in left out): the SPC panels' points, each
    published from its own cell key as the page's table over three whole years publishes it."""
    wanted = trends.looking_back(filters)
    referrals = fetch("age_gender_referrals", wanted)
    table = age_band_quarters(referrals, quarters_held(wanted.quarters(), referrals.quarter), bands, policy)
    rows = table.numeric.set_index(QUARTER)
    return {band_group(gender, band): rows.loc[(rows[GENDER] == gender) & (rows[AGE_BAND] == band), REFERRALS]
            for gender in genders_shown(table) for band in bands}


def has_children(fetch: Fetch, filters: Filters) -> bool:
    """Whether any child was referred in the filters: the page asks before drawing its controls."""
    return bool(fetch("age_gender_boys_share", filters).children.any())


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, benchmark: float, breakdown: str) -> Section:
    """Are boys under-identified: the share of boys against the benchmark overall, by quarter and by area or source,
    and how referrals spread over age bands for boys and girls. A Slot stands where the page asks for the breakdown."""
    counts = fetch("age_gender_boys_share", filters)
    overall = boys_shares(counts, "all", benchmark, policy)
    by_quarter = boys_shares(counts, "quarter", benchmark, policy, groups_in_order=filters.quarters())
    shares = boys_shares(counts, breakdown, benchmark, policy)
    referrals = fetch("age_gender_referrals", filters)
    bands = [band for band in AGE_BANDS if band in filters.age_bands or not filters.age_bands]
    by_band = age_gender_table(referrals, bands, policy)
    over_time = age_band_quarters(referrals, filters.quarters(), bands, policy)
    target = 100 * benchmark
    label = BREAKDOWN_LABELS[breakdown]
    title = headline_title(overall, benchmark)
    hidden = shares.numeric[shares.numeric[SHARE].isna()][label].tolist()
    band_trend_drawn = not nothing_to_draw(over_time, [REFERRALS])
    blocks = [
        Note(f"Default benchmark {percent(100 * settings().boys_benchmark)}. Source: {BOYS_BENCHMARK_SOURCE} Children are "
             "counted once (distinct children, not referrals), as boys if a referral records them as Male. Intervals "
             "are 95% Wilson score intervals."),
        *([Note("The gender filter is set, so the share of boys covers only the genders chosen.", tone="warning")]
          if filters.genders else []),
        Note(title, tone="subheader"),
        Metrics((
            Metric("Children referred", metric_text(overall, CHILDREN)),
            Metric("Boys referred", metric_text(overall, BOYS)),
            Metric("Boys, % of children referred", metric_text(overall, SHARE, "%"),
                   help=f"95% CI {metric_text(overall, LOWER, '%')} to {metric_text(overall, UPPER, '%')}; "
                        f"benchmark {percent(target)}."),
        )),
        Figure("age_gender_overall", overall, "boys_share_overall"),
        trends.with_raw_line(
            "age_gender_trend_spc", "Boys, % of children referred",
            boys_share_over_three_years(fetch, filters, policy, benchmark),
            trends.Measure(spc.INCREASE, target), percent=True,
            raw=Figure("age_gender_trend", by_quarter, "boys_share_by_quarter",
                       chart=None if nothing_to_draw(by_quarter, [SHARE]) else Chart(
                           "identification.boys_trend", trend_title(by_quarter, benchmark), by_quarter,
                           {"target": target}),
                       too_small="Share of boys by quarter", alt_text=trend_title(by_quarter, benchmark))),
        Slot("breakdown"),
        Figure(f"age_gender_funnel_{breakdown}", shares, f"boys_share_by_{breakdown}",
               chart=None if nothing_to_draw(shares, [SHARE]) else Chart("funnel", funnel_title(shares, breakdown),
                   shares.numeric, {"label": label, "size": CHILDREN, "value": SHARE, "position": POSITION,
                                    "hover": funnel_hover(shares, label), "limits": share_limits(benchmark),
                                    "centre": target, "centre_label": f"Benchmark {percent(target)}",
                                    "x_title": "Children referred (distinct children)",
                                    "y_title": "Boys, % of children referred", "y_suffix": "%"}),
               too_small=f"Share of boys by {label.lower()}", alt_text=funnel_title(shares, breakdown),
               caption="Points outside the dashed (95%) or dotted (99.8%) limits differ from the benchmark by more "
                       "than chance would explain; the funnel narrows as more children are referred."
                       + (f" Not shown, as numbers are too small: {', '.join(hidden)}." if hidden else "")),
        Figure("age_gender_bands", by_band, "referrals_by_age_band_and_gender",
               chart=Chart("identification.age_bands", age_band_title(by_band), by_band,
                           {"bands": bands, "genders": genders_present(referrals)}),
               alt_text=age_band_title(by_band)),
        trends.with_raw_panels(
            "age_gender_band_trend_spc", referrals_by_band_over_three_years(fetch, filters, bands, policy),
            trends.Measure(spc.NEUTRAL),
            trends.Panels(PANEL, REFERRALS, "group", "referrals_by_quarter_age_band_gender_spc", columns=len(bands)),
            policy=policy,
            raw=Figure("age_gender_band_trend", over_time, "referrals_by_quarter_age_band_gender",
                       chart=Chart("identification.age_band_trend", age_band_trend_title(over_time), over_time,
                                   {"bands": bands}) if band_trend_drawn else None,
                       too_small="Referrals by age band each quarter", alt_text=age_band_trend_title(over_time),
                       caption=(f"Each panel is one age band, from {filters.first_quarter} (left) to "
                                f"{filters.last_quarter} (right). Gaps are quarters whose numbers are too small to "
                                "show.") if band_trend_drawn else "")),
    ]
    period = filters.first_quarter if filters.first_quarter == filters.last_quarter else (
        f"{filters.first_quarter} to {filters.last_quarter}")
    findings = (Finding(headline_title(overall, benchmark, period), "age_gender_trend"),
                *([Finding(f"Share of boys by {label.lower()}: {funnel_title(shares, breakdown, name_all=True)}",
                           f"age_gender_funnel_{breakdown}")]
                  if not nothing_to_draw(shares, [SHARE]) else []))
    return Section("age_gender", title, filters.describe(), tuple(blocks), findings=findings)
