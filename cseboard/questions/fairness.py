"""Who is not being identified? Each group's share of children referred against its share of the child population
(gender, ethnicity, age band), the share of children referred who are looked after, and re-referrals by gender."""
from __future__ import annotations

import pandas as pd

from cseboard.contract import AGE_BANDS, ETHNICITIES, GENDERS, gender_group
from cseboard.filters import Filters
from cseboard.periods import quarters_held
from cseboard.methods import disproportionality as dp, spc
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, cell_key_column as key, metric_text, protect
from cseboard.questions import trends
from cseboard.questions.identification import GENDER_GROUPS, OTHER_OR_NOT_KNOWN, band_group, percent
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Metric, Metrics, Note, Section, nothing_to_draw

COMPARISON, GROUP = "Comparison", "Group"
CHILDREN, SHARE_REFERRED = "Children referred", "Share of children referred (%)"
POPULATION, SHARE_POPULATION = "Children resident", "Share of children resident (%)"
RATE, RRI, LOWER, UPPER, VERDICT = ("Referred per 10,000 children", "Relative rate index", "95% CI lower",
                                    "95% CI upper", "Compared with other children")
DERIVED = (SHARE_REFERRED, RATE, RRI, LOWER, UPPER)
COMPARISONS = {"gender": ("Gender", tuple(dict.fromkeys(GENDER_GROUPS.values()))),
               "ethnicity": ("Ethnicity", ETHNICITIES), "age_band": ("Age band", AGE_BANDS)}
"""Other and not known genders are one group: neither has a population, and apart they are more often withheld."""
QUARTER, AGE_BAND, GENDER = "Quarter", "Age band", "Gender"
LOOKED_AFTER, LOOKED_AFTER_SHARE = "Looked after", "Looked after (% of children referred)"
PANEL = "Gender and age band"
LOOKED_AFTER_MEASURE = trends.Measure(spc.NEUTRAL)
"""A higher share looked after may mean better recording or more risk among looked-after children: no better way."""
REFERRALS, RE_REFERRALS, RE_REFERRAL_SHARE = "Referrals", "Re-referrals within 12 months", "Re-referrals (% of referrals)"


def disproportionality(children: pd.DataFrame, population: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """Every group of each comparison with its shares, rate, RRI, interval and verdict, protected.

    Each group's count of children is published from its cell key; shares, rates, ratios, intervals and verdicts are
    worked out from the published counts alone (a withheld group counts as none among the other children), so none
    of them can give a true count back.
    """
    grouped = children.assign(group=children.group.where(children.dimension != "gender",
                                                         children.group.map(GENDER_GROUPS)))
    frames = []
    for dimension, (label, groups) in COMPARISONS.items():
        counted = (grouped[grouped.dimension == dimension].groupby("group")[["children", "children_ckey"]].sum()
                   .reindex(groups, fill_value=0))
        resident = population[population.dimension == dimension].set_index("group")["population"]
        frames.append(pd.DataFrame({COMPARISON: label, GROUP: list(groups),
                                    CHILDREN: counted.children.to_numpy(dtype=int),
                                    key(CHILDREN): counted.children_ckey.to_numpy(dtype=float),
                                    POPULATION: resident.reindex(groups).to_numpy(dtype=float)}))
    table = pd.concat(frames, ignore_index=True)

    def with_rates(published: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for _, rows in published.groupby(COMPARISON, sort=False):
            rates = dp.relative_rates(rows[CHILDREN], rows[POPULATION])
            parts.append(rows.assign(**{SHARE_REFERRED: rates.share_referred, SHARE_POPULATION: rates.share_population,
                                        RATE: rates.rate, RRI: rates.rri, LOWER: rates.lower, UPPER: rates.upper,
                                        VERDICT: rates.verdict}))
        return pd.concat(parts)[[COMPARISON, GROUP, CHILDREN, SHARE_REFERRED, POPULATION, SHARE_POPULATION, RATE, RRI,
                                 LOWER, UPPER, VERDICT]]

    return protect(table, counts=[CHILDREN], rates={column: (CHILDREN, CHILDREN) for column in DERIVED},
                   policy=policy, derive=with_rates)


def published(table: ProtectedTable) -> pd.DataFrame:
    """The comparison as read on screen and in the CSV: ratios to two decimals, shares to one, withheld as the symbol."""
    frame = table.display()
    for column in (RRI, LOWER, UPPER):
        frame[column] = table.hover_text(column, 2)
    frame[POPULATION] = table.numeric[POPULATION].map(lambda value: "" if pd.isna(value) else f"{value:.0f}")
    frame[SHARE_POPULATION] = table.numeric[SHARE_POPULATION].map(lambda value: "" if pd.isna(value) else f"{value:.1f}")
    return frame


def group_in_words(comparison: str, group: str) -> str:
    """A group as a sentence names it: "boys", "children of mixed ethnicity", "children aged 12-13"."""
    if comparison == "Gender":
        return {"Male": "boys", "Female": "girls"}.get(group, "children of another or unknown gender")
    if comparison == "Ethnicity":
        return f"{group} children" if group in ("White", "Asian", "Black") else f"children of {group.lower()} ethnicity"
    return f"children aged {group}" if group != "Under 10" else "children under 10"


def disproportionality_title(table: ProtectedTable) -> str:
    """The finding: which groups are referred less often than other children, with their RRI and interval."""
    rows = table.numeric
    under = rows[rows[VERDICT] == dp.UNDER]
    over = rows[rows[VERDICT] == dp.OVER]
    if under.empty and over.empty:
        return "No group is referred significantly more or less often than other children, for the numbers shown"
    parts = [f"{group_in_words(row[COMPARISON], row[GROUP])} (RRI {row[RRI]:.2f}, 95% CI {row[LOWER]:.2f} to "
             f"{row[UPPER]:.2f})" for _, row in under.iterrows()]
    if parts:
        return "Referred less often than other children: " + "; ".join(parts)
    return f"Every group judged is referred as often as or more often than other children ({len(over)} more often)"


def dots_title(table: ProtectedTable) -> str:
    """The dot chart's finding in a line: the groups referred less often than other children, named."""
    under = table.numeric[table.numeric[VERDICT] == dp.UNDER]
    if under.empty:
        return "No group shown is referred significantly less often than other children"
    named = ", ".join(group_in_words(comparison, group) for comparison, group in zip(under[COMPARISON], under[GROUP]))
    counted = "1 group is" if len(under) == 1 else f"{len(under)} groups are"
    return f"{counted} referred less often than other children: {named}"


def dots_hover(table: ProtectedTable) -> list[tuple[str, ...]]:
    """Hover lines for each group on the dot chart: counts and shares as published."""
    shown = table.numeric
    return [(f"{comparison}: {group}", f"{children} children referred ({share}% of those referred)",
             f"{share_population}% of children resident", f"RRI {rri} (95% CI {lower} to {upper})", verdict)
            for comparison, group, children, share, share_population, rri, lower, upper, verdict in zip(
                shown[COMPARISON], shown[GROUP], table.hover_text(CHILDREN), table.hover_text(SHARE_REFERRED),
                shown[SHARE_POPULATION].map(lambda v: "" if pd.isna(v) else f"{v:.1f}"),
                table.hover_text(RRI, 2), table.hover_text(LOWER, 2), table.hover_text(UPPER, 2), shown[VERDICT])]


def looked_after_over_time(rows: pd.DataFrame, quarters: list[str], policy: DisclosurePolicy) -> ProtectedTable:
    """Children referred each quarter and the share looked after, by age band and boys or girls and other genders;
    each count published from its cell key, the share from the published counts."""
    grouped = rows.assign(gender=gender_group(rows.gender))
    grid = pd.MultiIndex.from_product([quarters, AGE_BANDS, sorted(set(gender_group(pd.Series(GENDERS))))],
                                      names=[QUARTER, AGE_BAND, GENDER])
    counted = ["children", "looked_after", "children_ckey", "looked_after_ckey"]
    counts = (grouped.groupby(["quarter", "age_band", "gender"])[counted].sum()
              .rename_axis([QUARTER, AGE_BAND, GENDER]).reindex(grid, fill_value=0)
              .rename(columns={"children": CHILDREN, "looked_after": LOOKED_AFTER, "children_ckey": key(CHILDREN),
                               "looked_after_ckey": key(LOOKED_AFTER)}).reset_index())
    return protect(counts, counts=[CHILDREN, LOOKED_AFTER], rates={LOOKED_AFTER_SHARE: (LOOKED_AFTER, CHILDREN)},
                   policy=policy)


def looked_after_share_over_three_years(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> pd.Series:
    """The share of children referred who are looked after, all children, each quarter of the three years to the last
    quarter chosen, from counts published on their own keys (each child is in one row a quarter): the SPC chart's
    points (withheld: NaN)."""
    wanted = trends.looking_back(filters)
    rows = fetch("looked_after_by_quarter", wanted)
    counted = ["children", "looked_after", "children_ckey", "looked_after_ckey"]
    by_quarter = (rows.groupby("quarter")[counted].sum().rename_axis(QUARTER).reset_index()
                  .rename(columns={"children": CHILDREN, "looked_after": LOOKED_AFTER, "children_ckey": key(CHILDREN),
                                   "looked_after_ckey": key(LOOKED_AFTER)}))
    return protect(by_quarter, counts=[CHILDREN, LOOKED_AFTER], rates={LOOKED_AFTER_SHARE: (LOOKED_AFTER, CHILDREN)},
                   policy=policy).numeric.set_index(QUARTER)[LOOKED_AFTER_SHARE]


def looked_after_by_group_over_three_years(fetch: Fetch, filters: Filters, policy: DisclosurePolicy
                                           ) -> dict[str, pd.Series]:
    """The share looked after by quarter for each gender group and age band chosen, over the three years to the last
    quarter chosen (withheld: NaN; quarters with no child referred left out): the SPC panels' points, from counts each
    published on its own cell key as the page's table over three whole years publishes them."""
    wanted = trends.looking_back(filters)
    rows = fetch("looked_after_by_quarter", wanted)
    table = looked_after_over_time(rows, quarters_held(wanted.quarters(), rows.quarter), policy).numeric
    genders = set(gender_group(pd.Series(filters.genders or GENDERS)))
    return {band_group(gender, band): table[(table[GENDER] == gender) & (table[AGE_BAND] == band)]
            .set_index(QUARTER)[LOOKED_AFTER_SHARE]
            for gender in dict.fromkeys(table[GENDER]) if gender in genders
            for band in AGE_BANDS if band in filters.age_bands or not filters.age_bands}


FEWEST_TO_COMPARE = 20
"""Children referred (published) a group needs to be named as having the highest share: a handful of counts, each
rounded to 5, can make any small group's share 100%."""


def looked_after_title(table: ProtectedTable) -> str:
    """Where the share looked after is highest, from the cells shown, over the whole period, among groups large
    enough to compare."""
    shown = table.numeric.dropna(subset=[LOOKED_AFTER, CHILDREN])
    totals = shown.groupby([AGE_BAND, GENDER])[[LOOKED_AFTER, CHILDREN]].sum()
    totals = totals[totals[CHILDREN] > 0]
    if totals.empty:
        return "Looked-after children among those referred (numbers too small to describe)"
    shares = 100 * totals[LOOKED_AFTER] / totals[CHILDREN]
    if shares.max() == 0:
        return "None of the children referred in the figures shown are looked after"
    compared = shares[totals[CHILDREN] >= FEWEST_TO_COMPARE]
    if compared.empty:
        return "Looked-after children among those referred (each group too small to compare)"
    band, gender = compared.idxmax()
    return (f"{band_group(gender, band)} have the highest share looked after of the children referred "
            f"({percent(compared.max())} over the quarters shown)")


RE_REFERRAL_COUNTS = {"referrals": REFERRALS, "re_referrals": RE_REFERRALS, "referrals_ckey": key(REFERRALS),
                      "re_referrals_ckey": key(RE_REFERRALS)}


def re_referrals_by_gender(rows: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """Referrals and re-referrals within 12 months by gender (other and not known together), with the share."""
    order = list(dict.fromkeys(GENDER_GROUPS.values()))
    grouped = (rows.assign(gender=rows.gender.map(GENDER_GROUPS)).groupby("gender")[list(RE_REFERRAL_COUNTS)].sum()
               .reindex(order, fill_value=0).rename(columns=RE_REFERRAL_COUNTS).rename_axis(GENDER).reset_index())
    return protect(grouped, counts=[REFERRALS, RE_REFERRALS], rates={RE_REFERRAL_SHARE: (RE_REFERRALS, REFERRALS)},
                   policy=policy)


def all_re_referrals(rows: pd.DataFrame, policy: DisclosurePolicy) -> ProtectedTable:
    """Referrals and re-referrals for all children, published on their own keys (the gender rows may not add up)."""
    totals = rows[list(RE_REFERRAL_COUNTS)].sum().to_frame().T.rename(columns=RE_REFERRAL_COUNTS)
    return protect(totals, counts=[REFERRALS, RE_REFERRALS], rates={RE_REFERRAL_SHARE: (RE_REFERRALS, REFERRALS)},
                   policy=policy)


def re_referral_title(by_gender: ProtectedTable) -> str:
    """Boys' and girls' re-referral shares side by side, from the cells shown."""
    shown = by_gender.numeric.set_index(GENDER)[RE_REFERRAL_SHARE]
    boys, girls = shown.get("Male"), shown.get("Female")
    if pd.isna(boys) or pd.isna(girls):
        return "Re-referrals within 12 months by gender (numbers too small to compare)"
    return (f"{percent(boys)} of referrals of boys and {percent(girls)} of referrals of girls were re-referrals "
            "within 12 months")


def has_children(fetch: Fetch, filters: Filters) -> bool:
    """Whether any child was referred in the filters: the page says so instead of drawing empty charts."""
    return not fetch("fairness_children", filters).empty


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy) -> Section:
    """Who is not being identified: disproportionality by gender, ethnicity and age band; looked-after children over
    time; re-referrals by gender."""
    population = fetch("fairness_population", filters)
    compared = disproportionality(fetch("fairness_children", filters), population, policy)
    looked_after = looked_after_over_time(fetch("looked_after_by_quarter", filters), filters.quarters(), policy)
    re_referral_rows = fetch("re_referrals", filters)
    by_gender, overall = re_referrals_by_gender(re_referral_rows, policy), all_re_referrals(re_referral_rows, policy)
    title = disproportionality_title(compared)
    missing = ("no population table is loaded, so no group can be compared with the child population"
               if population.empty else "the population table has no ethnicity breakdown, so ethnicity cannot be "
               "compared" if "ethnicity" not in set(population.dimension) else "")
    la_title, rr_title = looked_after_title(looked_after), re_referral_title(by_gender)
    dots_drawn = compared.numeric[RRI].notna().any()
    blocks = (
        Note("Each group's rate of children referred per 10,000 children resident is compared with the rate among all "
             "other children in the same comparison: the relative rate index (RRI) is their ratio, with a 95% "
             "log-normal (Katz) interval. Above 1 the group is referred more often than other children, below 1 less "
             f"often. Groups with fewer than {dp.MINIMUM_REFERRED} children referred, or expected, are too small to "
             "judge; groups the population table does not cover (gender other or not known, ethnicity not known) are "
             "shown but not compared. A child counts once, with their latest referral's gender, ethnicity and age "
             "band. The population is not narrowed by the referral source filter."),
        *((Note(f"For the filters chosen {missing}. data/CONTRACT.md says how to add one (ONS Census 2021 is the "
                "default source for ethnicity).", tone="info"),) if missing else ()),
        Note(title, tone="subheader"),
        Figure("fairness_rri", compared, "disproportionality_by_gender_ethnicity_age", table_frame=published(compared),
               csv_frame=published(compared),
               chart=Chart("fairness.rri_dots", dots_title(compared), compared, {"hover": dots_hover(compared)})
               if dots_drawn else None,
               too_small="Relative rate index by group", alt_text=title,
               caption="Each dot is a group's relative rate index with its 95% interval; the line at 1 is the rate "
                       "among other children. The axis is logarithmic, so half and double lie equally far from 1."),
        Note(la_title, tone="subheader"),
        trends.spc_tabs(
            Figure("fairness_looked_after", looked_after, "looked_after_by_quarter_age_band_gender",
                   chart=Chart("fairness.looked_after_trend", la_title, looked_after, {"bands": list(AGE_BANDS)})
                   if not nothing_to_draw(looked_after, [LOOKED_AFTER_SHARE]) else None,
                   too_small="Looked-after share by quarter", alt_text=la_title,
                   caption="A child counts once a quarter, as looked after if any referral that quarter says so. Gaps "
                           "are quarters whose numbers are too small to show."),
            trends.xmr_line("fairness_looked_after_spc", "Looked after, as a share of children referred",
                            looked_after_share_over_three_years(fetch, filters, policy), LOOKED_AFTER_MEASURE,
                            percent=True),
            trends.xmr_panels("fairness_looked_after_panels_spc",
                              looked_after_by_group_over_three_years(fetch, filters, policy), LOOKED_AFTER_MEASURE,
                              trends.Panels(PANEL, LOOKED_AFTER_SHARE, "group",
                                            "looked_after_by_quarter_age_band_gender_spc", percent=True,
                                            columns=len(AGE_BANDS)), policy)),
        Note(rr_title, tone="subheader"),
        Metrics((
            Metric("Referrals", metric_text(overall, REFERRALS)),
            Metric("Re-referrals within 12 months", metric_text(overall, RE_REFERRALS)),
            Metric("Re-referrals, % of referrals", metric_text(overall, RE_REFERRAL_SHARE, "%")),
        )),
        Figure("fairness_re_referrals", by_gender, "re_referrals_by_gender",
               chart=Chart("fairness.re_referrals", rr_title, by_gender)
               if not nothing_to_draw(by_gender, [RE_REFERRAL_SHARE]) else None,
               too_small="Re-referrals by gender", alt_text=rr_title,
               caption="A re-referral is a referral within 365 days of the same child's previous referral, from any "
                       "area or source, as DfE's children in need statistics count them. Referrals early in the "
                       "first loaded year may have an earlier referral the store does not hold."),
    )
    findings = (Finding(title, "fairness_rri"), Finding(la_title, "fairness_looked_after"),
                Finding(rr_title, "fairness_re_referrals"))
    return Section("fairness", title, filters.describe(), blocks, findings=findings,
                   caveats=("The population is resident children; children referred from outside the area are "
                            "counted against it.",))
