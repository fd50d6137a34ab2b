"""Import published national benchmarks (DfE children in need factors, ONS population, statistical neighbours).

Pure functions over CSV paths or file-like objects (a Streamlit UploadedFile is a BytesIO), so the page only
draws what these return. DfE symbols (c, x, u, z, low) are kept as symbols beside a NaN value and never read as
zero: a suppressed count is a small number, not no children.
"""
from __future__ import annotations

import datetime as dt
from os import PathLike
from pathlib import Path
from typing import IO

import duckdb
import pandas as pd

from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable
from cseboard.questions.section import Chart, Columns, Definitions, Figure, Finding, Folded, Note, Section, Slot

CsvSource = str | PathLike | IO

SYMBOLS = {
    "c": "Suppressed: a small number withheld so that children cannot be identified.",
    "x": "Not available: not collected or not published for this year or area (for example a factor added later).",
    "u": "Low reliability: the authority's return had data quality problems, so the figure is not published.",
    "z": "Not applicable: the figure does not apply to this area or year.",
    "low": "Rounds to zero but is not zero.",
}

FACTORS = {
    "Child_sexual_exploitation": "Child sexual exploitation",
    "Going_missing": "Going missing",
    "Trafficking": "Trafficking",
    "Gangs": "Gangs",
    "Child_criminal_exploitation": "Child criminal exploitation",
}

CAVEAT = (
    "These are the Department for Education's children in need statistics. Factors are recorded by social "
    "workers at the end of an assessment, and recording practice differs between local authorities, so a "
    "difference between areas may reflect how factors are recorded as much as how often they occur. Figures "
    "count assessment episodes, not children: a child assessed more than once in the year is counted once per "
    "assessment, and one assessment can record several factors. National and regional figures are rounded to "
    "the nearest 10; small local numbers are suppressed."
)

# The real c3 file holds one category; filtering on it by name keeps any other category a future release adds
# (such as a percentage breakdown) from being added into these episode counts.
FACTORS_CATEGORY = "Factors identified at the end of assessment"
CHILDREN_AGE_GROUP = "Children aged 0 to 17 years"
NEIGHBOUR_RANKS = range(1, 11)
PER_CHILDREN = 10_000

NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
# DfE files place London boroughs in Inner or Outer London; benchmark them against London, the English region.
LONDON = ("E12000007", "London")
LONDON_SUB_REGIONS = {"E13000001", "E13000002"}
MEASURES = ["value", "rate", "symbol"]
AREA_COLUMNS = ["geographic_level", "region_code", "region_name", "old_la_code", "new_la_code", "la_name"]


class NationalFileError(ValueError):
    """A published file is unreadable or not the one expected, worded for the person who uploaded it."""


def read_factors(path_or_buffer: CsvSource) -> pd.DataFrame:
    """Read the DfE 'factors identified at the end of assessment' file as one row per year, area and shown factor."""
    what = "the DfE children in need 'factors identified at the end of assessment' file"
    table, name = _read_csv(path_or_buffer, ["time_period", *AREA_COLUMNS, "category", *FACTORS], what)
    table = table[table["category"] == FACTORS_CATEGORY]
    if table.empty:
        raise NationalFileError(f"{name} has no rows with category '{FACTORS_CATEGORY}', so it is not {what}.")
    long = table.melt(
        id_vars=["time_period", *AREA_COLUMNS], value_vars=list(FACTORS), var_name="factor", value_name="cell"
    )
    long["time_period"] = _whole_years(long["time_period"], name)
    long["value"], long["symbol"] = _numbers_and_symbols(long["cell"], long["factor"], name)
    return _blank_codes_to_missing(long.drop(columns="cell")).reset_index(drop=True)


def read_population(path_or_buffer: CsvSource) -> pd.DataFrame:
    """Read the ONS mid-year estimates of children aged 0-17, the denominator for rates per 10,000 children."""
    what = "the ONS mid-year population estimates file"
    table, name = _read_csv(path_or_buffer, ["time_period", *AREA_COLUMNS, "age_group", "population_estimate"], what)
    children = table[table["age_group"] == CHILDREN_AGE_GROUP]
    if children.empty:
        found = ", ".join(sorted(table["age_group"].unique()))
        raise NationalFileError(f"{name} has no '{CHILDREN_AGE_GROUP}' rows (age groups found: {found}).")
    population = children[["time_period", *AREA_COLUMNS]].copy()
    population["time_period"] = _whole_years(children["time_period"], name)
    population["children_0_to_17"], population["symbol"] = _numbers_and_symbols(
        children["population_estimate"], pd.Series("population_estimate", index=children.index), name
    )
    return _blank_codes_to_missing(population).reset_index(drop=True)


def read_neighbours(path_or_buffer: CsvSource) -> pd.DataFrame:
    """Read the DfE statistical neighbours model as one row per authority and neighbour rank 1-10."""
    what = "the DfE statistical neighbours file"
    rank_columns = [column for rank in NEIGHBOUR_RANKS for column in (f"SN_{rank}", f"SN_{rank}P")]
    table, _ = _read_csv(path_or_buffer, ["old_la_code", "la_name", *rank_columns], what)
    by_rank = [
        table[["old_la_code", "la_name"]].assign(
            neighbour_rank=rank, neighbour_old_la_code=table[f"SN_{rank}"], closeness=table[f"SN_{rank}P"]
        )
        for rank in NEIGHBOUR_RANKS
    ]
    return pd.concat(by_rank).sort_values(["old_la_code", "neighbour_rank"]).reset_index(drop=True)


def local_authorities(factors: pd.DataFrame) -> pd.DataFrame:
    """List each authority once, under its latest code and name, with the last year it appears (old ones end early)."""
    authorities = factors[factors["geographic_level"] == LOCAL_AUTHORITY]
    latest = authorities.sort_values("time_period").drop_duplicates("old_la_code", keep="last")
    return (
        latest[["old_la_code", "new_la_code", "la_name", "region_name", "time_period"]]
        .rename(columns={"time_period": "last_time_period"})
        .sort_values("la_name")
        .reset_index(drop=True)
    )


def compare(
    factors: pd.DataFrame, population: pd.DataFrame, neighbours: pd.DataFrame, la_code: str | int
) -> pd.DataFrame:
    """Set an authority's count and rate per 10,000 children beside England, its region and its neighbours' median."""
    la_code = str(la_code).strip()
    rated = _with_rates(factors[factors["factor"].isin(FACTORS)], population)
    authority = rated[(rated["geographic_level"] == LOCAL_AUTHORITY) & (rated["old_la_code"] == la_code)]
    if authority.empty:
        raise ValueError(f"No local authority with old_la_code {la_code} in the factors file.")
    keys = ["time_period", "factor"]
    result = _measures_named(authority[[*keys, "region_code", "region_name", *MEASURES, "population_year"]], "la")
    in_london = result["region_code"].isin(LONDON_SUB_REGIONS)
    result.loc[in_london, ["region_code", "region_name"]] = LONDON
    england = rated.loc[rated["geographic_level"] == NATIONAL, [*keys, *MEASURES]]
    result = result.merge(_measures_named(england, "england"), on=keys, how="left")
    regions = rated.loc[rated["geographic_level"] == REGIONAL, [*keys, "region_code", *MEASURES]]
    result = result.merge(_measures_named(regions, "region"), on=[*keys, "region_code"], how="left")
    # A neighbour whose value is a symbol, or that has no row that year (an authority created later), has no
    # rate: it is left out of the median, and neighbours_used counts those that were not.
    neighbour_codes = neighbours.loc[neighbours["old_la_code"] == la_code, "neighbour_old_la_code"]
    neighbour_rates = rated[
        (rated["geographic_level"] == LOCAL_AUTHORITY) & rated["old_la_code"].isin(neighbour_codes)
    ].groupby(keys)["rate"]
    neighbour_summary = pd.DataFrame(
        {"neighbour_median_rate_per_10k": neighbour_rates.median(), "neighbours_used": neighbour_rates.count()}
    ).reset_index()
    result = result.merge(neighbour_summary, on=keys, how="left")
    result["neighbours_used"] = result["neighbours_used"].fillna(0).astype(int)
    result["factor_label"] = result["factor"].map(FACTORS)
    result["population_is_from_earlier_year"] = result["population_year"] < result["time_period"]
    for symbol_column in ["la_symbol", "england_symbol", "region_symbol"]:
        result[symbol_column] = _none_where_missing(result[symbol_column])
    result["factor_order"] = result["factor"].map({factor: order for order, factor in enumerate(FACTORS)})
    columns = [
        "time_period", "factor", "factor_label",
        "la_count", "la_rate_per_10k", "la_symbol",
        "england_count", "england_rate_per_10k", "england_symbol",
        "region_name", "region_count", "region_rate_per_10k", "region_symbol",
        "neighbour_median_rate_per_10k", "neighbours_used",
        "population_year", "population_is_from_earlier_year",
    ]  # fmt: skip
    return result.sort_values(["time_period", "factor_order"])[columns].reset_index(drop=True)


def _measures_named(frame: pd.DataFrame, area: str) -> pd.DataFrame:
    """Prefix count, rate and symbol with the area they describe, so several areas can sit on one row."""
    return frame.rename(
        columns={"value": f"{area}_count", "rate": f"{area}_rate_per_10k", "symbol": f"{area}_symbol"}
    )


def _with_rates(factors: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Add the population year used and the rate per 10,000 children, matching each area to its own population."""
    # Factor years newer than the latest population estimate borrow the nearest earlier one; compare reports it.
    population_years = sorted(population["time_period"].unique())
    nearest_not_after = {
        year: max((p for p in population_years if p <= year), default=pd.NA) for year in factors["time_period"].unique()
    }
    rated = factors.assign(
        population_year=factors["time_period"].map(nearest_not_after).astype("Int64"), area=_area_key(factors)
    )
    children = population.assign(area=_area_key(population))[["time_period", "area", "children_0_to_17"]]
    rated = rated.merge(
        children.rename(columns={"time_period": "population_year"}), on=["population_year", "area"], how="left"
    )
    rated["rate"] = rated["value"] / rated["children_0_to_17"] * PER_CHILDREN
    return rated


def _area_key(frame: pd.DataFrame) -> pd.Series:
    """Identify an area the same way in every file: authorities by old code, regions by region code."""
    level = frame["geographic_level"]
    return frame["old_la_code"].where(level == LOCAL_AUTHORITY, frame["region_code"].where(level == REGIONAL, level))


def _read_csv(source: CsvSource, required: list[str], what: str) -> tuple[pd.DataFrame, str]:
    """Read every cell as stripped text (BOM and trailing spaces removed) and name the file if columns are missing."""
    name = _source_name(source)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise NationalFileError(f"{name} could not be read as a CSV file; expected {what}. ({error})") from error
    table.columns = table.columns.str.replace("\ufeff", "").str.strip()
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise NationalFileError(f"{name} is not {what}: missing columns {', '.join(missing)}.")
    return table.apply(lambda column: column.str.strip()), name


def _source_name(source: CsvSource) -> str:
    """Name a path by its file name and an upload by the name it was uploaded under."""
    if isinstance(source, (str, PathLike)):
        return Path(source).name
    return getattr(source, "name", None) or "The uploaded file"


def _whole_years(cells: pd.Series, name: str) -> pd.Series:
    """Turn time_period into whole years, refusing academic-year codes such as 202425 that would mis-join."""
    years = pd.to_numeric(cells, errors="coerce")
    not_years = ~years.between(1900, 2999)
    if not_years.any():
        bad = ", ".join(sorted(set(cells[not_years]))[:5])
        raise NationalFileError(f"{name} has time_period values that are not single years: {bad}.")
    return years.astype(int)


def _numbers_and_symbols(cells: pd.Series, columns: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
    """Split cells into float values and DfE symbols, so a symbol becomes NaN with its code kept and never zero."""
    values = pd.to_numeric(cells, errors="coerce").astype(float)
    not_numbers = values.isna()
    unknown = not_numbers & ~cells.isin(SYMBOLS)
    if unknown.any():
        examples = ", ".join(
            f"'{cell}' in {column}" for cell, column in sorted(set(zip(cells[unknown], columns[unknown])))[:5]
        )
        known = ", ".join(SYMBOLS)
        raise NationalFileError(f"{name} has cells that are neither numbers nor DfE symbols ({known}): {examples}.")
    return values, _none_where_missing(cells.where(not_numbers))


def _none_where_missing(symbols: pd.Series) -> pd.Series:
    """Hold symbols as None where there is none, so `symbol is None` reads plainly on the page and in tests."""
    return symbols.astype(object).where(symbols.notna(), None)


def _blank_codes_to_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Show empty area codes (England has no region; regions have no authority) as missing, not as empty text."""
    return frame.assign(**{column: frame[column].replace("", pd.NA) for column in AREA_COLUMNS})


# Keeping imports in the store (tables national_* in schema.sql), so they survive a restart.

UPLOADS = {  # kind: (what to upload, where to find it)
    "factors": ("Children in need: factors identified at the end of assessment (DfE, CSV)",
                "From explore-education-statistics.service.gov.uk, 'Children in need', the 'Factors identified at "
                "the end of assessment' data file (c3_factors_identified_at_end_of_assessment_...csv)."),
    "population": ("Mid-year population estimates (ONS, CSV)",
                   "The population estimates file published with the same DfE release "
                   "(ons_mid-year_population_estimates_...csv): children aged 0 to 17 by local authority."),
    "neighbours": ("Statistical neighbours (DfE, CSV)",
                   "The DfE children's services statistical neighbour benchmarking tool, saved as CSV in its wide "
                   "form (sn_model_..._wide.csv): each authority's ten closest neighbours."),
}

FIRST_VISIT = (
    "Once the three files are imported and you choose your local authority, one chart per factor (child sexual "
    "exploitation, going missing, trafficking, gangs, criminal exploitation) shows, for each DfE reporting year, how "
    "many children in need assessments per 10,000 children identified it in your authority, with England, your "
    "region and your ten statistical neighbours as lines beside it. Under each factor's name a sentence says where "
    "your authority stands in the latest year; for example: \"In 2025, 12.0 per 10,000 in your authority, against "
    "9.5 in England and 10.1 in your region\" (an illustration, not a figure from any file). DfE's suppressed "
    "figures show as gaps with DfE's symbol, never as zero.")
DOWNLOAD_PAGES = (
    ("Children in need, factors and population estimates (DfE, explore education statistics)",
     "https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need: "
     "'Download all data', then the factors identified at the end of assessment file and the ONS mid-year "
     "population estimates file."),
    ("Statistical neighbours (DfE)",
     "https://www.gov.uk/government/publications/childrens-services-statistical-neighbour-benchmarking-tool: the "
     "benchmarking tool, saved as CSV in its wide form."),
)
IMPORT_TIME = ("Downloading the files takes a few minutes; importing them here takes a few seconds, and is needed "
               "once per publication: they are kept with the dashboard's data.")

READERS = {"factors": read_factors, "population": read_population, "neighbours": read_neighbours}
SYMBOL_COLUMNS = {"factors": "symbol", "population": "symbol"}


def save_imports(cursor: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame], file_names: dict[str, str],
                 imported_at: dt.datetime | None = None) -> None:
    """Replace the stored copy of each table read (factors, population, neighbours) in one transaction: all or none."""
    cursor.begin()
    try:
        for kind, table in tables.items():
            cursor.execute(f"DELETE FROM national_{kind}")
            cursor.register("incoming", table)
            cursor.execute(f"INSERT INTO national_{kind} BY NAME SELECT * FROM incoming")
            cursor.unregister("incoming")
            cursor.execute("INSERT OR REPLACE INTO national_imports VALUES ($kind, $file_name, $at)",
                           {"kind": kind, "file_name": file_names[kind], "at": imported_at or dt.datetime.now()})
        cursor.commit()
    except duckdb.Error:
        cursor.rollback()
        raise


def load_imports(cursor: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The stored tables, by kind, as the readers return them; a kind never imported is left out."""
    imported = set(imports(cursor)["kind"])
    tables = {}
    for kind in READERS:
        if kind in imported:
            table = cursor.execute(f"SELECT * FROM national_{kind}").df()
            if kind in SYMBOL_COLUMNS:
                table[SYMBOL_COLUMNS[kind]] = _none_where_missing(table[SYMBOL_COLUMNS[kind]])
            tables[kind] = table
    return tables


def imports(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Which files are stored: kind, the name it was uploaded under, and when."""
    return cursor.execute("SELECT kind, file_name, imported_at FROM national_imports ORDER BY kind").df()


# Words for the page.


def factor_finding(rows: pd.DataFrame, la_name: str) -> str:
    """The finding for one factor's chart: the authority's latest rate against England's, or that it has none."""
    latest = rows.sort_values("time_period").iloc[-1]
    year, own, england = latest["time_period"], latest["la_rate_per_10k"], latest["england_rate_per_10k"]
    if pd.isna(own):
        return f"No published figure for {la_name} in {year}"
    if pd.isna(england):
        return f"{la_name}: {own:.1f} per 10,000 children in {year}"
    relation = "above" if own > england else "below" if own < england else "the same as"
    return f"{la_name}: {own:.1f} per 10,000 children in {year}, {relation} England ({england:.1f})"


def missing_figures(comparison: pd.DataFrame, la_name: str) -> list[str]:
    """One sentence per year and factor where the authority's figure is a DfE symbol, saying what the symbol means."""
    withheld = comparison[comparison["la_symbol"].notna()]
    years = withheld.groupby(["factor_label", "la_symbol"], sort=False)["time_period"].agg(list)
    return [f"{label}, {', '.join(map(str, sorted(in_years)))}: {la_name} shows '{symbol}' "
            f"({SYMBOLS[symbol].split(':')[0].lower()})" for (label, symbol), in_years in years.items()]


def comparison_table(comparison: pd.DataFrame, la_name: str) -> pd.DataFrame:
    """The comparison as published: rates to one decimal, and a DfE symbol in place of any figure not published."""
    def shown(values: pd.Series, symbols: pd.Series | None, pattern: str) -> pd.Series:
        text = values.map(lambda value: "no figure" if pd.isna(value) else pattern.format(value))
        return text if symbols is None else text.where(symbols.isna(), symbols)

    rows = comparison
    return pd.DataFrame({
        "Year": rows["time_period"],
        "Factor": rows["factor_label"],
        f"{la_name}: assessments with the factor": shown(rows["la_count"], rows["la_symbol"], "{:,.0f}"),
        f"{la_name}: per 10,000 children": shown(rows["la_rate_per_10k"], rows["la_symbol"], "{:.1f}"),
        "England: per 10,000 children": shown(rows["england_rate_per_10k"], rows["england_symbol"], "{:.1f}"),
        "Region": rows["region_name"],
        "Region: per 10,000 children": shown(rows["region_rate_per_10k"], rows["region_symbol"], "{:.1f}"),
        "Statistical neighbours' median: per 10,000 children": shown(rows["neighbour_median_rate_per_10k"], None,
                                                                      "{:.1f}"),
        "Neighbours with a figure": rows["neighbours_used"],
        "Population estimate used (year)": rows["population_year"],
    })


def missing_files(tables: dict[str, pd.DataFrame]) -> list[str]:
    """What still has to be imported before the comparison can be drawn, as the uploaders name it."""
    return [UPLOADS[kind][0] for kind in READERS if kind not in tables]


def authority_choices(factors: pd.DataFrame) -> dict[str, str]:
    """Each authority's code and how the page offers it: "name (region)", by name."""
    authorities = local_authorities(factors)
    return {code: f"{name} ({region})" for code, name, region
            in zip(authorities["old_la_code"], authorities["la_name"], authorities["region_name"])}


def published_table(comparison: pd.DataFrame, la_name: str) -> ProtectedTable:
    """The comparison table as DfE published it: DfE has rounded and suppressed it, so nothing more is withheld."""
    published = comparison_table(comparison, la_name)
    return ProtectedTable(numeric=published, policy=DisclosurePolicy(enabled=False),
                          mask=pd.DataFrame(False, index=published.index, columns=published.columns))


def section(tables: dict[str, pd.DataFrame], la_code: str | None) -> Section:
    """The authority's rate for each factor against England, its region and its neighbours, with DfE's gaps in words.

    A Slot stands where the page draws its import panel and, once every file is stored, its choice of authority.
    """
    blocks: list = [Note("These are figures the Department for Education has published for whole local authorities: "
                         "the sidebar filters do not apply. DfE has already rounded and suppressed them, so the "
                         "dashboard applies no further suppression; a figure DfE withheld stays withheld and shows "
                         "DfE's symbol, never zero.", tone="info", icon=":material/public:"),
                    Slot("imports")]
    missing = missing_files(tables)
    if missing:
        blocks.append(Note(f"To see the comparison, import: {'; '.join(missing)}.", tone="info"))
        if len(missing) == len(UPLOADS):
            blocks += [Note("What this page will show", tone="subheader"), Note(FIRST_VISIT),
                       Definitions(DOWNLOAD_PAGES, listed=True), Note(IMPORT_TIME)]
        return Section("national", "National benchmarks", "", tuple(blocks))
    if la_code is None:
        blocks.append(Note("Choose your local authority to compare it with England, its region and its statistical "
                           "neighbours.", tone="info"))
        return Section("national", "National benchmarks", "", tuple(blocks))
    la_name = local_authorities(tables["factors"]).set_index("old_la_code").at[la_code, "la_name"]
    comparison = compare(tables["factors"], tables["population"], tables["neighbours"], la_code)
    charts = []
    for factor, rows in comparison.groupby("factor", sort=False):
        label, finding = rows["factor_label"].iloc[0], factor_finding(rows, la_name)
        charts.append(Figure(f"national_{factor}", alt_text=f"{label}: {finding}", chart=Chart(
            "national.factor_trend", label, rows,
            {"la_name": la_name, "region_name": rows["region_name"].iloc[0], "finding": finding})))
    blocks += [Note(CAVEAT), Columns((tuple(charts[0::2]), tuple(charts[1::2]))),
               Note("Years are DfE reporting years, ending 31 March.")]
    gaps = missing_figures(comparison, la_name)
    if gaps:
        blocks.append(Note(" (a gap in its line):\n" + "\n".join(f"- {gap}" for gap in gaps), tone="markdown",
                           lead=f"Figures not published for {la_name}"))
    earlier = comparison[comparison["population_is_from_earlier_year"]]
    blocks += [Note(f"Rates for {year} use the {rows['population_year'].iloc[0]} population estimate, the latest in "
                    "the population file.") for year, rows in earlier.groupby("time_period")]
    blocks += [Folded("What DfE's symbols mean", (Definitions(tuple(SYMBOLS.items()), listed=True),)),
               Figure("national_comparison", published_table(comparison, la_name), f"national_benchmarks_{la_code}")]
    title = f"{la_name} against England, its region and its statistical neighbours"
    return Section("national", title, "", tuple(blocks),
                   findings=tuple(Finding(figure.chart.options["finding"], figure.key) for figure in charts))
