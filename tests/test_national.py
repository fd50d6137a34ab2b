"""Tests for the importer of published national benchmarks, on small invented files of the real formats."""
from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from cseboard.questions import national
from cseboard.questions.national import NationalFileError, compare, read_factors, read_neighbours, read_population
from tests import national_fixtures as fx


@pytest.fixture
def files(tmp_path):
    """Write the three published files into a temporary folder."""
    return {
        "factors": fx.write_factors(tmp_path),
        "population": fx.write_population(tmp_path),
        "neighbours": fx.write_neighbours(tmp_path),
    }


@pytest.fixture
def loaded(files):
    """Read the three files the way the page does."""
    return read_factors(files["factors"]), read_population(files["population"]), read_neighbours(files["neighbours"])


def _row(frame: pd.DataFrame, **where) -> pd.Series:
    """Pick the single row matching every column=value given."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


def _with_cell(rows: list[dict], year: int, area: str, column: str, cell: str) -> list[dict]:
    """Change one cell of fixture rows, as a published file with a different value there would have."""
    for row in rows:
        if row["time_period"] == str(year) and fx.AREAS[area]["old_la_code"] == row["old_la_code"] and (
            fx.AREAS[area]["region_code"] == row["region_code"]
        ):
            row[column] = cell
    return rows


# Reading the factors file


def test_factors_are_tidy_with_typed_values(files):
    factors = read_factors(files["factors"])
    assert list(factors.columns) == [
        "time_period", "geographic_level", "region_code", "region_name", "old_la_code", "new_la_code", "la_name",
        "factor", "value", "symbol",
    ]  # fmt: skip
    assert set(factors["factor"]) == set(national.FACTORS)
    assert len(factors) == 2 * len(fx.AREAS) * len(national.FACTORS)
    northby = _row(factors, time_period=2025, old_la_code="101", factor="Child_sexual_exploitation")
    assert northby["value"] == 30.0 and northby["symbol"] is None
    assert northby["la_name"] == "Northby, City of"
    england = _row(factors, time_period=2025, geographic_level="National", factor="Going_missing")
    assert england["value"] == 2000.0 and pd.isna(england["old_la_code"]) and pd.isna(england["region_code"])


@pytest.mark.parametrize("symbol", sorted(national.SYMBOLS))
def test_every_dfe_symbol_is_kept_and_never_read_as_zero(tmp_path, symbol):
    rows = _with_cell(fx.factor_rows(), 2025, "101", "Child_sexual_exploitation", symbol)
    factors = read_factors(fx.write_factors(tmp_path, rows))
    cell = _row(factors, time_period=2025, old_la_code="101", factor="Child_sexual_exploitation")
    assert math.isnan(cell["value"]) and cell["symbol"] == symbol


@pytest.mark.parametrize("symbol", sorted(national.SYMBOLS))
def test_every_symbol_has_a_plain_english_meaning(symbol):
    assert len(national.SYMBOLS[symbol]) > 20


def test_only_the_factors_category_is_read(tmp_path):
    percentages = [
        dict(row, category="Percentage of episodes", Child_sexual_exploitation="99") for row in fx.factor_rows()
    ]
    factors = read_factors(fx.write_factors(tmp_path, fx.factor_rows() + percentages))
    assert _row(factors, time_period=2025, old_la_code="101", factor="Child_sexual_exploitation")["value"] == 30.0


def test_a_file_without_the_factors_category_is_refused(tmp_path):
    rows = [dict(row, category="Percentage of episodes") for row in fx.factor_rows()]
    with pytest.raises(NationalFileError, match="Factors identified at the end of assessment"):
        read_factors(fx.write_factors(tmp_path, rows))


def test_text_that_is_neither_number_nor_symbol_is_refused_by_column(tmp_path):
    rows = _with_cell(fx.factor_rows(), 2025, "101", "Gangs", "n/a")
    with pytest.raises(NationalFileError, match=r"'n/a' in Gangs"):
        read_factors(fx.write_factors(tmp_path, rows))


def test_academic_year_codes_are_refused(tmp_path):
    rows = [dict(row, time_period="202425") for row in fx.factor_rows()]
    with pytest.raises(NationalFileError, match="202425"):
        read_factors(fx.write_factors(tmp_path, rows))


# Reading the population and neighbours files


def test_population_is_children_by_year_and_area_with_symbols(files):
    population = read_population(files["population"])
    assert _row(population, time_period=2024, geographic_level="National")["children_0_to_17"] == 1_000_000.0
    assert _row(population, time_period=2023, old_la_code="101")["children_0_to_17"] == 19_000.0
    suppressed = _row(population, time_period=2023, old_la_code="111")
    assert math.isnan(suppressed["children_0_to_17"]) and suppressed["symbol"] == "x"


def test_other_age_groups_are_ignored(tmp_path):
    adults = [dict(row, age_group="Adults aged 18 and over", population_estimate="5") for row in fx.population_rows()]
    population = read_population(fx.write_population(tmp_path, fx.population_rows() + adults))
    assert _row(population, time_period=2024, old_la_code="101")["children_0_to_17"] == 20_000.0


def test_neighbours_are_long_with_ranks_and_stripped_labels(files):
    neighbours = read_neighbours(files["neighbours"])
    assert list(neighbours.columns) == [
        "old_la_code", "la_name", "neighbour_rank", "neighbour_old_la_code", "closeness",
    ]  # fmt: skip
    northby = neighbours[neighbours["old_la_code"] == "101"]
    assert list(northby["neighbour_rank"]) == list(range(1, 11))
    assert list(northby["neighbour_old_la_code"]) == [str(code) for code in range(102, 112)]
    assert set(northby["closeness"]) == {"Very close", "Close", "Somewhat close"}
    assert set(northby["la_name"]) == {"Northby, City of"}


@pytest.mark.parametrize("bom", [True, False], ids=["with BOM", "without BOM"])
@pytest.mark.parametrize(
    ("write", "read", "first_column"),
    [
        (fx.write_factors, read_factors, "time_period"),
        (fx.write_population, read_population, "time_period"),
        (fx.write_neighbours, read_neighbours, "old_la_code"),
    ],
    ids=["factors", "population", "neighbours"],
)
def test_byte_order_mark_is_handled_from_path_and_upload(tmp_path, bom, write, read, first_column):
    path = write(tmp_path, bom=bom)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == bom
    upload = io.BytesIO(path.read_bytes())
    for source in (path, str(path), upload):
        table = read(source)
        assert table.columns[0] == first_column and table[first_column].notna().all()


def test_an_upload_can_be_read_again(files):
    upload = io.BytesIO(files["neighbours"].read_bytes())
    assert read_neighbours(upload).equals(read_neighbours(upload))


def test_trailing_spaces_in_cells_and_headers_are_stripped(tmp_path):
    rows = [{f"{column} ": f"{cell} " for column, cell in row.items()} for row in fx.factor_rows()]
    factors = read_factors(fx.write_factors(tmp_path, rows))
    assert _row(factors, time_period=2025, old_la_code="101", factor="Trafficking")["symbol"] == "c"
    assert _row(factors, time_period=2025, old_la_code="101", factor="Going_missing")["la_name"] == "Northby, City of"


def test_names_with_commas_are_quoted_and_read_whole(files):
    assert '"Northby, City of"' in files["factors"].read_text()
    assert "Brackenford, County of" in set(read_population(files["population"])["la_name"])


# Wrong files


@pytest.mark.parametrize(
    ("read", "wrong_file", "expected", "missing_columns"),
    [
        (read_factors, "population", "end of assessment", ["category", "Child_sexual_exploitation"]),
        (read_population, "factors", "population estimates", ["age_group", "population_estimate"]),
        (read_neighbours, "population", "statistical neighbours", ["SN_1", "SN_10P"]),
    ],
)
def test_a_wrong_file_is_named_with_its_missing_columns(files, read, wrong_file, expected, missing_columns):
    with pytest.raises(NationalFileError) as error:
        read(files[wrong_file])
    message = str(error.value)
    assert files[wrong_file].name in message and expected in message
    assert all(column in message for column in missing_columns)


def test_a_wrong_upload_is_named_by_its_upload_name(files):
    upload = io.BytesIO(files["neighbours"].read_bytes())
    upload.name = "neighbours.csv"
    with pytest.raises(NationalFileError, match=r"^neighbours\.csv is not .* missing columns time_period"):
        read_factors(upload)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04\x14\x00\x06\x00\xff\xfe\x00\x00"], ids=["empty", "spreadsheet"])
def test_a_file_that_is_not_csv_is_refused_clearly(content):
    with pytest.raises(NationalFileError, match="could not be read as a CSV file"):
        read_factors(io.BytesIO(content))


# Comparison


def test_local_authorities_lists_each_once_with_codes(loaded):
    authorities = national.local_authorities(loaded[0])
    assert len(authorities) == 12 and authorities["old_la_code"].is_unique
    assert list(authorities.columns) == ["old_la_code", "new_la_code", "la_name", "region_name", "last_time_period"]
    assert authorities["la_name"].iloc[0] == "Brackenford, County of"
    assert _row(authorities, old_la_code="101")["new_la_code"] == "E06000101"


def test_comparison_matches_a_hand_computation(loaded):
    comparison = compare(*loaded, la_code="101")
    assert len(comparison) == 2 * len(national.FACTORS)
    assert list(comparison["factor"].iloc[:5]) == list(national.FACTORS)
    cse_2025 = _row(comparison, time_period=2025, factor="Child_sexual_exploitation")
    assert cse_2025["factor_label"] == "Child sexual exploitation"
    assert cse_2025["la_count"] == 30 and cse_2025["la_symbol"] is None
    assert cse_2025["la_rate_per_10k"] == pytest.approx(15.0)  # 30 / 20,000 * 10,000 (2024 population)
    assert cse_2025["england_count"] == 1000
    assert cse_2025["england_rate_per_10k"] == pytest.approx(10.0)  # 1,000 / 1,000,000 * 10,000
    assert cse_2025["region_name"] == "North East"
    assert cse_2025["region_rate_per_10k"] == pytest.approx(18.0)  # 360 / 200,000 * 10,000
    # Neighbours 102-111 have 10,000 children each: rates 5, 10, 15, 20, c, 25, 30, c, 35, 40 -> median of 8 = 22.5
    assert cse_2025["neighbour_median_rate_per_10k"] == pytest.approx(22.5)
    assert cse_2025["neighbours_used"] == 8
    cse_2024 = _row(comparison, time_period=2024, factor="Child_sexual_exploitation")
    assert cse_2024["la_rate_per_10k"] == pytest.approx(12.0)  # 24 / 20,000 * 10,000
    assert cse_2024["england_rate_per_10k"] == pytest.approx(11.0)  # 1,100 / 1,000,000 * 10,000


def test_suppressed_own_value_stays_missing_with_its_symbol(loaded):
    trafficking = _row(compare(*loaded, la_code="101"), time_period=2025, factor="Trafficking")
    assert math.isnan(trafficking["la_count"]) and math.isnan(trafficking["la_rate_per_10k"])
    assert trafficking["la_symbol"] == "c"
    # Every neighbour is suppressed too: no median rather than a median of zeros.
    assert math.isnan(trafficking["neighbour_median_rate_per_10k"]) and trafficking["neighbours_used"] == 0


def test_neighbour_median_skips_every_kind_of_symbol(loaded):
    going_missing = _row(compare(*loaded, la_code="101"), time_period=2025, factor="Going_missing")
    # 102-105 hold x, z, u, low; 106-111 have rates 10..60 -> median 35. Read as zeros it would be 15.
    assert going_missing["neighbour_median_rate_per_10k"] == pytest.approx(35.0)
    assert going_missing["neighbours_used"] == 6


def test_neighbour_missing_from_a_year_is_left_out(files, tmp_path):
    rows = [row for row in fx.factor_rows() if not (row["time_period"] == "2024" and row["old_la_code"] == "111")]
    factors = read_factors(fx.write_factors(tmp_path, rows))
    comparison = compare(factors, read_population(files["population"]), read_neighbours(files["neighbours"]), "101")
    cse_2024 = _row(comparison, time_period=2024, factor="Child_sexual_exploitation")
    assert cse_2024["neighbours_used"] == 7
    assert cse_2024["neighbour_median_rate_per_10k"] == pytest.approx(20.0)  # 5, 10, 15, 20, 25, 30, 35


def test_population_from_the_same_year_or_the_nearest_earlier(loaded):
    comparison = compare(*loaded, la_code="101").set_index(["time_period", "factor"])
    assert comparison.loc[(2024, "Gangs"), "population_year"] == 2024
    assert not comparison.loc[(2024, "Gangs"), "population_is_from_earlier_year"]
    assert comparison.loc[(2025, "Gangs"), "population_year"] == 2024
    assert comparison.loc[(2025, "Gangs"), "population_is_from_earlier_year"]


def test_older_population_only_is_used_for_every_newer_year(files, tmp_path):
    rows_2023 = [row for row in fx.population_rows() if row["time_period"] == "2023"]
    population = read_population(fx.write_population(tmp_path, rows_2023))
    factors, neighbours = read_factors(files["factors"]), read_neighbours(files["neighbours"])
    cse = compare(factors, population, neighbours, 101).query("factor == 'Child_sexual_exploitation'")
    assert list(cse["population_year"]) == [2023, 2023]
    assert cse["la_rate_per_10k"].tolist() == pytest.approx([24 / 19_000 * 10_000, 30 / 19_000 * 10_000])
    # 111 has population x in 2023, so it drops out of the median: 5, 10, 15, 20, 25, 30, 35 -> 20.
    assert cse["neighbours_used"].tolist() == [7, 7]


def test_london_borough_is_compared_with_london_not_inner_london(loaded):
    riverside = _row(compare(*loaded, la_code="112"), time_period=2025, factor="Child_sexual_exploitation")
    assert riverside["region_name"] == "London"
    assert riverside["region_rate_per_10k"] == pytest.approx(10.0)  # 400 / 400,000 * 10,000, not Inner London's 30


def test_unknown_authority_is_refused(loaded):
    with pytest.raises(ValueError, match="999"):
        compare(*loaded, la_code="999")


def test_caveat_names_recording_practice_and_episodes():
    assert "recording practice differs" in national.CAVEAT
    assert "end of an assessment" in national.CAVEAT and "episodes, not children" in national.CAVEAT
