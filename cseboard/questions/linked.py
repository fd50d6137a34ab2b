"""Linked crimes and vulnerabilities: how often each is recorded, by quarter, gender and age band, and which co-occur.

Every table is returned disclosure-protected, ready to chart (numeric), tabulate (display) and download.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from cseboard.methods import disclosure, spc
from cseboard.contract import AGE_BANDS, BOYS, CRIME_LABELS, OTHERS, VULNERABILITY_LABELS, gender_group
from cseboard.filters import Filters
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable, cell_key_column as key, visible
from cseboard.questions import trends
from cseboard.questions.section import Chart, Fetch, Figure, Finding, Note, Section, Slot, Tabs, nothing_to_draw
from cseboard.methods.words import percent

CRIME, VULNERABILITY = "crime", "vulnerability"
LABELS = {CRIME: CRIME_LABELS, VULNERABILITY: VULNERABILITY_LABELS}
ITEM_HEADINGS = {CRIME: "Linked crime", VULNERABILITY: "Vulnerability"}
KIND_WORDS = {CRIME: "linked crime", VULNERABILITY: "vulnerability"}
KINDS = {"Linked crimes": CRIME, "Vulnerabilities": VULNERABILITY}
"""The page's choice of what to show, by the words on its switch."""
TOGETHER = {CRIME: "Crimes with other crimes", VULNERABILITY: "Crimes with vulnerabilities"}

GROUP_COLUMNS = ["quarter", "gender", "age_band"]
WHOLE_PERIOD = "whole_period"
DIMENSIONS = {WHOLE_PERIOD: "Period", "quarter": "Quarter", "gender": "Gender", "age_band": "Age band"}

ORDERS = {"gender": (BOYS, OTHERS), "age_band": AGE_BANDS}

COUNT = "Referrals recording it"
BASE = "Referrals"
SHARE = "Share of referrals (%)"
BOTH = "Referrals recording both"


def shares(rows: pd.DataFrame, kind: str, by: str = WHOLE_PERIOD, *,
           policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Share of referrals recording each crime (or vulnerability) per value of `by`, with every item listed, even at 0.

    rows: the crimes_by_group query, counts with their cell keys; referrals are counted once per group, so the keys
    of groups merged (boys, all quarters) are the sums of theirs.
    """
    with_groups = {WHOLE_PERIOD: "Whole period", "gender": lambda frame: gender_group(frame.gender)}
    bases = rows.drop_duplicates(GROUP_COLUMNS).assign(**with_groups).groupby(by)[["referrals", "referrals_ckey"]].sum()
    rows = rows.assign(**with_groups)
    if by in ORDERS:
        bases = bases.reindex([value for value in ORDERS[by] if value in bases.index])
    labels = LABELS[kind]
    counts = rows[rows.kind == kind].groupby([by, "item"])[["referrals_with", "referrals_with_ckey"]].sum()
    grid = pd.MultiIndex.from_product([bases.index, list(labels)], names=[by, "item"])
    table = (counts.reindex(grid, fill_value=0)
             .rename(columns={"referrals_with": COUNT, "referrals_with_ckey": key(COUNT)}).reset_index())
    table[BASE] = table[by].map(bases.referrals).astype(int)
    table[key(BASE)] = table[by].map(bases.referrals_ckey)
    table["item"] = table["item"].map(labels)
    table = table.rename(columns={by: DIMENSIONS[by], "item": ITEM_HEADINGS[kind]})
    if by == WHOLE_PERIOD:
        table = table.drop(columns=DIMENSIONS[by])
    protected = disclosure.protect(table, counts=[COUNT, BASE], rates={SHARE: (COUNT, BASE)}, policy=policy)
    if by != WHOLE_PERIOD:
        return protected
    # Ordered on the published counts, never the true ones, which would rank the withheld items among themselves.
    order = protected.numeric[COUNT].sort_values(ascending=False, kind="stable", na_position="last").index
    return dataclasses.replace(protected, numeric=protected.numeric.loc[order].reset_index(drop=True),
                               mask=protected.mask.loc[order].reset_index(drop=True))


def co_occurrence(pairs: pd.DataFrame, kind: str, *,
                  policy: DisclosurePolicy = disclosure.DEFAULT_POLICY) -> ProtectedTable:
    """Referrals recording a crime (row) together with another crime or a vulnerability (column), each cell published.

    pairs: the crimes_co_occurrence query. Crimes with crimes are symmetric, so each pair is kept once (each crime
    with those listed before it: the lower triangle); the cells above it are left blank rather than shown as 0.
    No totals are shown: a referral can record several items, so the cells add up to nothing published.
    """
    crimes, items = LABELS[CRIME], LABELS[kind]
    chosen = pairs[pairs.kind == kind]
    table, keys = ((chosen.pivot_table(index="crime", columns="item", values=column, aggfunc="sum", fill_value=0)
                    .reindex(index=list(crimes), columns=list(items), fill_value=0))
                   for column in ("referrals", "referrals_ckey"))
    if kind == CRIME:
        table, keys = table.iloc[1:, :-1], keys.iloc[1:, :-1]
    shown = np.tril(np.ones(table.shape, dtype=bool)) if kind == CRIME else np.ones(table.shape, dtype=bool)
    table = table.where(shown, 0).rename(index=crimes, columns=items)
    cells = list(table.columns)
    keys = keys.where(shown, 0).set_axis(cells, axis=1).add_suffix(disclosure.CELL_KEY_SUFFIX).reset_index(drop=True)
    table = pd.concat([table.rename_axis(index=ITEM_HEADINGS[CRIME], columns=None).reset_index(), keys], axis=1)
    protected = disclosure.protect(table, counts=cells, policy=policy)
    numeric, mask = protected.numeric.copy(), protected.mask.copy()
    numeric[cells] = numeric[cells].where(shown)
    mask[cells] = mask[cells] & shown
    return dataclasses.replace(protected, numeric=numeric, mask=mask)


def overall_title(protected: ProtectedTable, kind: str) -> str:
    """The most often recorded item and its share, when shown."""
    item = ITEM_HEADINGS[kind]
    shown = protected.numeric.dropna(subset=[SHARE])
    if shown.empty or shown[COUNT].max() == 0:
        return f"No {KIND_WORDS[kind]} is recorded on the referrals chosen"
    top = shown.loc[shown[SHARE].idxmax()]
    return f"{top[item]} is the {KIND_WORDS[kind]} most often recorded: on {percent(top[SHARE])} of referrals"


def trend_title(protected: ProtectedTable, kind: str, label: str) -> str:
    """How one item's share moved from the first to the last quarter, when both are shown."""
    quarters = protected.numeric.Quarter.unique()
    first, last = (visible(protected, SHARE, Quarter=quarter, **{ITEM_HEADINGS[kind]: label})
                   for quarter in (quarters[0], quarters[-1]))
    if first is None or last is None or len(quarters) < 2:
        return f"Share of referrals recording each {KIND_WORDS[kind]}, by quarter"
    return f"{label}: recorded on {percent(first)} of referrals in {quarters[0]}, {percent(last)} in {quarters[-1]}"


def by_gender_title(protected: ProtectedTable, kind: str) -> str:
    """The item whose share differs most between boys and other children (boys' excess first), when both are shown."""
    item = ITEM_HEADINGS[kind]
    wide = protected.numeric.pivot(index=item, columns="Gender", values=SHARE).reindex(columns=[BOYS, OTHERS])
    both = wide.dropna()
    gap = both[BOYS] - both[OTHERS]
    if both.empty or gap.abs().max() == 0:
        return f"Share of referrals recording each {KIND_WORDS[kind]}: boys against girls and other genders"
    label = gap.idxmax() if gap.max() > 0 else gap.abs().idxmax()
    return (f"{label} is recorded on {percent(both.at[label, BOYS])} of boys' referrals, "
            f"against {percent(both.at[label, OTHERS])} of girls' and other children's")


def by_age_title(protected: ProtectedTable, kind: str) -> str:
    """The item whose share varies most across age bands, and the band where it is highest."""
    item = ITEM_HEADINGS[kind]
    wide = protected.numeric.pivot(index=item, columns="Age band", values=SHARE)
    spread = (wide.max(axis=1) - wide.min(axis=1)).dropna()
    if spread.empty or spread.max() == 0:
        return f"Share of referrals recording each {KIND_WORDS[kind]}, by age band"
    label = spread.idxmax()
    band = wide.loc[label].idxmax()
    who = "children under 10" if band == "Under 10" else f"children aged {band}"
    return f"{label} is recorded most for {who}: on {percent(wide.at[label, band])} of their referrals"


def co_occurrence_title(protected: ProtectedTable, kind: str) -> str:
    """The pair recorded together most often, when shown."""
    row_heading = ITEM_HEADINGS[CRIME]
    cells = protected.numeric.set_index(row_heading)
    stacked = cells.stack().dropna()
    if stacked.empty or stacked.max() == 0:
        return f"No crime is recorded with another {KIND_WORDS[kind]} on the referrals chosen"
    crime, other = stacked.idxmax()
    return f"{crime} and {other.lower()} are recorded together most often: on {stacked.max():,.0f} referrals"


def has_referrals(fetch: Fetch, filters: Filters) -> bool:
    """Whether any referral matches the filters: the page asks before drawing its controls."""
    return not fetch("crimes_by_group", filters).empty


def items_by_frequency(fetch: Fetch, filters: Filters, kind: str) -> list[str]:
    """The crimes (or vulnerabilities), most often recorded first: the choices of the page's trend selector."""
    return shares(fetch("crimes_by_group", filters), kind).numeric[ITEM_HEADINGS[kind]].tolist()


def _shares_figure(key: str, table: ProtectedTable, file_name: str, drawing: str, title: str, options: dict,
                   too_small: str, caption: str = "") -> Figure:
    """A chart of shares of referrals and its table; when every share is withheld or zero, the reason in words."""
    return Figure(key, table, file_name, too_small=too_small, alt_text=title, caption=caption,
                  chart=None if nothing_to_draw(table, [SHARE]) else Chart(drawing, title, table, options))


def shares_over_three_years(fetch: Fetch, filters: Filters, kind: str, chosen: list[str],
                            policy: DisclosurePolicy) -> dict[str, pd.Series]:
    """Each chosen item's share of referrals by quarter over the three years to the last quarter chosen (withheld:
    NaN; quarters with no referral left out): the SPC panels' points, from counts each published on its own cell key
    as the page's table over three whole years publishes them."""
    rows = shares(fetch("crimes_by_group", trends.looking_back(filters)), kind, "quarter", policy=policy).numeric
    item = ITEM_HEADINGS[kind]
    return {label: rows[rows[item] == label].set_index(DIMENSIONS["quarter"])[SHARE] for label in chosen}


def _trend(by_quarter: ProtectedTable, kind: str, chosen: list[str]) -> Figure:
    """The chosen items' shares by quarter; with none chosen, an empty chart that asks for one."""
    item, words = ITEM_HEADINGS[kind], KIND_WORDS[kind]
    title = trend_title(by_quarter, kind, chosen[0]) if chosen else f"Choose a {words} to see its trend"
    shown_rows = by_quarter.numeric.index[by_quarter.numeric[item].isin(chosen)]
    drawn = not (chosen and nothing_to_draw(by_quarter, [SHARE], shown_rows))
    return Figure("crimes_trend", by_quarter, f"{kind}_by_quarter",
                  chart=Chart("linked.trend", title, by_quarter, {"item": item, "chosen": chosen}) if drawn else None,
                  too_small=f"Share of referrals recording each {words}, by quarter", alt_text=title,
                  caption="A gap is a quarter withheld (c).")


def _together(pairs: pd.DataFrame, other: str, policy: DisclosurePolicy) -> Figure:
    """Referrals recording a crime together with another crime or with a vulnerability."""
    together = co_occurrence(pairs, other, policy=policy)
    title = co_occurrence_title(together, other)
    return Figure(f"crimes_together_{other}", together, f"crimes_with_{other}",
                  chart=None if nothing_to_draw(together, list(together.count_columns))
                  else Chart("linked.together", title, together),
                  too_small="Referrals recording both", alt_text=title,
                  caption="Each cell counts the referrals recording both. A blank cell marked c is withheld."
                          + (" Each pair is shown once." if other == CRIME else ""))


def section(fetch: Fetch, filters: Filters, policy: DisclosurePolicy, kind: str, chosen: list[str]) -> Section:
    """What else is recorded on CSE referrals: each crime's (or vulnerability's) share of referrals overall, by
    quarter for those chosen, for boys and girls and by age band, and which crimes are recorded together.
    A Slot stands where the page asks which items to follow by quarter."""
    rows = fetch("crimes_by_group", filters)
    item, words = ITEM_HEADINGS[kind], KIND_WORDS[kind]
    overall = shares(rows, kind, policy=policy)
    order = overall.numeric[item].tolist()
    by_gender = shares(rows, kind, "gender", policy=policy)
    by_age = shares(rows, kind, "age_band", policy=policy)
    pairs = fetch("crimes_co_occurrence", filters)
    titles = {"overall": overall_title(overall, kind), "gender": by_gender_title(by_gender, kind),
              "age": by_age_title(by_age, kind)}
    blocks = (
        Note(": referrals matching the filters that record it, out of all those referrals; a referral can record "
             "several, or none, so shares do not add up to 100%.", lead="Share of referrals"),
        _shares_figure("crimes_overall", overall, f"{kind}_share_of_referrals", "linked.overall", titles["overall"],
                       {"item": item}, f"Share of referrals recording each {words}"),
        Note("By quarter", tone="subheader"),
        Slot("items"),
        trends.with_raw_panels(
            "crimes_trend_spc", shares_over_three_years(fetch, filters, kind, chosen, policy),
            trends.Measure(spc.NEUTRAL),
            trends.Panels(item, SHARE, KIND_WORDS[kind], f"{kind}_by_quarter_spc", percent=True, columns=3),
            policy=policy, raw=_trend(shares(rows, kind, "quarter", policy=policy), kind, chosen)),
        Note("Boys and girls", tone="subheader"),
        _shares_figure("crimes_gender", by_gender, f"{kind}_by_gender", "linked.by_gender", titles["gender"],
                       {"item": item, "order": order}, f"Share of boys' and girls' referrals recording each {words}",
                       "Each bar is a share of that group's referrals. Children of another or unknown gender are "
                       "counted with girls: they are too few to show apart without withholding boys' figures too."),
        Note("Age", tone="subheader"),
        _shares_figure("crimes_age", by_age, f"{kind}_by_age_band", "linked.by_age", titles["age"],
                       {"item": item, "order": order}, f"Share of referrals recording each {words}, by age band",
                       "Each cell is the share of referrals of children in that age band. A blank cell marked c "
                       "is withheld."),
        Note("Recorded together", tone="subheader"),
        Tabs(tuple(TOGETHER.values()), tuple((_together(pairs, other, policy),) for other in TOGETHER)),
    )
    return Section("linked", titles["overall"], filters.describe(), blocks,
                   findings=(Finding(titles["overall"], "crimes_overall"),))
