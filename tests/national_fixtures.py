"""Small invented files in the exact formats of the published DfE and ONS benchmark files, for tests.

The areas and numbers are made up so that rates are easy to work out by hand; the layout copies the real files:
DfE symbols in cells, quoted names containing commas, and in the neighbours file a byte-order mark and
closeness labels with trailing spaces.
"""
from __future__ import annotations

import csv
from pathlib import Path

NO_AUTHORITY = {"old_la_code": "", "new_la_code": "", "la_name": ""}
ENGLAND = {"geographic_level": "National", "region_code": "", "region_name": "", **NO_AUTHORITY}


def _region(code: str, name: str) -> dict[str, str]:
    """Describe a regional row, which has no authority codes."""
    return {"geographic_level": "Regional", "region_code": code, "region_name": name, **NO_AUTHORITY}


def _authority(old_code: str, name: str, region: dict[str, str]) -> dict[str, str]:
    """Describe a local authority row inside a region."""
    return {
        "geographic_level": "Local authority",
        "region_code": region["region_code"],
        "region_name": region["region_name"],
        "old_la_code": old_code,
        "new_la_code": f"E06000{old_code}",
        "la_name": name,
    }


NORTH_EAST = _region("E12000001", "North East")
NORTH_WEST = _region("E12000002", "North West")
LONDON = _region("E12000007", "London")
INNER_LONDON = _region("E13000001", "Inner London")

# 101 is the authority under test; 102-111 are its ten statistical neighbours; 112 is a London borough.
AREAS = {
    "England": ENGLAND,
    "North East": NORTH_EAST,
    "North West": NORTH_WEST,
    "London": LONDON,
    "Inner London": INNER_LONDON,
    "101": _authority("101", "Northby, City of", NORTH_EAST),
    "102": _authority("102", "Eastdale", NORTH_EAST),
    "103": _authority("103", "Westmere", NORTH_EAST),
    "104": _authority("104", "Southholm", NORTH_EAST),
    "105": _authority("105", "Fellside", NORTH_EAST),
    "106": _authority("106", "Brackenford, County of", NORTH_EAST),
    "107": _authority("107", "Millbrook", NORTH_WEST),
    "108": _authority("108", "Harbourton", NORTH_WEST),
    "109": _authority("109", "Oakridge", NORTH_WEST),
    "110": _authority("110", "Lowmoor", NORTH_WEST),
    "111": _authority("111", "Stonebridge", NORTH_WEST),
    "112": _authority("112", "Riverside", INNER_LONDON),
}

SHOWN_FACTORS = ["Going_missing", "Child_sexual_exploitation", "Trafficking", "Gangs", "Child_criminal_exploitation"]

# 2025 cells: Going_missing, Child_sexual_exploitation, Trafficking, Gangs, Child_criminal_exploitation.
FACTOR_CELLS_2025 = {
    "England": ("2000", "1000", "100", "500", "800"),
    "North East": ("600", "360", "30", "150", "200"),
    "North West": ("700", "250", "40", "200", "300"),
    "London": ("900", "400", "60", "300", "400"),
    "Inner London": ("300", "300", "20", "100", "100"),
    "101": ("40", "30", "c", "12", "25"),
    "102": ("x", "5", "c", "1", "2"),
    "103": ("z", "10", "c", "2", "4"),
    "104": ("u", "15", "c", "3", "6"),
    "105": ("low", "20", "c", "4", "8"),
    "106": ("10", "c", "c", "5", "10"),
    "107": ("20", "25", "c", "6", "12"),
    "108": ("30", "30", "c", "7", "14"),
    "109": ("40", "c", "c", "8", "16"),
    "110": ("50", "35", "c", "9", "18"),
    "111": ("60", "40", "c", "10", "20"),
    "112": ("15", "20", "c", "5", "5"),
}
FACTOR_CELLS_2024 = {
    **FACTOR_CELLS_2025,
    "England": ("2100", "1100", "110", "550", "700"),
    "101": ("36", "24", "3", "10", "20"),
}

# Children aged 0 to 17: England 1,000,000; each neighbour 10,000 so its rate per 10,000 equals its count.
POPULATION_2024 = {
    "England": "1000000",
    "North East": "200000",
    "North West": "250000",
    "London": "400000",
    "Inner London": "100000",
    "101": "20000",
    **{code: "10000" for code in ["102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112"]},
}
POPULATION_2023 = {**POPULATION_2024, "101": "19000", "111": "x"}

FACTORS_FILE_NAME = "c3_factors_identified_at_end_of_assessment_2024_to_2025.csv"
POPULATION_FILE_NAME = "ons_mid-year_population_estimates_2023_to_2024.csv"
NEIGHBOURS_FILE_NAME = "sn_model_2025_wide.csv"
CLOSENESS = ["Very close"] * 3 + ["Close "] * 4 + ["Somewhat close"] * 3


def _dfe_row(year: int, area: str) -> dict[str, str]:
    """Start a DfE row with the columns every published file shares."""
    return {
        "time_period": str(year),
        "time_identifier": "Reporting year",
        "geographic_level": AREAS[area]["geographic_level"],
        "country_code": "E92000001",
        "country_name": "England",
        **{column: AREAS[area][column] for column in ["region_code", "region_name", *NO_AUTHORITY]},
    }


def factor_rows() -> list[dict[str, str]]:
    """Rows of the factors file for 2025 then 2024, newest first as DfE publishes them."""
    rows = []
    for year, cells_by_area in [(2025, FACTOR_CELLS_2025), (2024, FACTOR_CELLS_2024)]:
        for area, cells in cells_by_area.items():
            row = _dfe_row(year, area)
            row["category"] = "Factors identified at the end of assessment"
            row["Episodes_with_assessment_factor"] = "900"
            row["Alcohol_Misuse_child"] = "7"
            row.update(zip(SHOWN_FACTORS[:4], cells[:4]))
            row["Self_harm"] = "3"
            row["Child_criminal_exploitation"] = cells[4]
            row["Other"] = "c"
            rows.append(row)
    return rows


def population_rows() -> list[dict[str, str]]:
    """Rows of the ONS population file for 2024 then 2023."""
    rows = []
    for year, population_by_area in [(2024, POPULATION_2024), (2023, POPULATION_2023)]:
        for area, population in population_by_area.items():
            row = _dfe_row(year, area)
            row["age_group"] = "Children aged 0 to 17 years"
            row["population_estimate"] = population
            rows.append(row)
    return rows


def neighbour_rows() -> list[dict[str, str]]:
    """Rows of the statistical neighbours file: 101's neighbours are 102-111, the borough 112's are 101-110."""
    rows = []
    for code, region_ind, neighbour_codes in [("101", "1", range(102, 112)), ("112", "3", range(101, 111))]:
        area = AREAS[code]
        row = {"old_la_code": code, "la_name": area["la_name"], "region_ind": region_ind}
        row["region_name"] = area["region_name"]
        for rank, (neighbour, closeness) in enumerate(zip(neighbour_codes, CLOSENESS), start=1):
            row[f"SN_{rank}"] = str(neighbour)
            row[f"SN_{rank}P"] = closeness
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], *, bom: bool = False) -> Path:
    """Write rows as DfE does: comma separated, quoted only where a field holds a comma, optional BOM."""
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_factors(directory: Path, rows: list[dict[str, str]] | None = None, *, bom: bool = False) -> Path:
    """Write a factors file (no BOM, like the real one, unless asked)."""
    return write_csv(directory / FACTORS_FILE_NAME, rows or factor_rows(), bom=bom)


def write_population(directory: Path, rows: list[dict[str, str]] | None = None, *, bom: bool = False) -> Path:
    """Write a population file (no BOM, like the real one, unless asked)."""
    return write_csv(directory / POPULATION_FILE_NAME, rows or population_rows(), bom=bom)


def write_neighbours(directory: Path, rows: list[dict[str, str]] | None = None, *, bom: bool = True) -> Path:
    """Write a statistical neighbours file, with the BOM the real one starts with unless asked not to."""
    return write_csv(directory / NEIGHBOURS_FILE_NAME, rows or neighbour_rows(), bom=bom)
