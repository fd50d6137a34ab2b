"""Shared filters: their SQL parameters, their words, and their round trip through a shared link."""
from __future__ import annotations

import datetime as dt

import pytest

from cseboard.filters import Filters, from_url
from cseboard.periods import parse_quarter, quarter_end, quarters_between, shift_quarter

QUARTERS = quarters_between("2024-Q1", "2025-Q4")
OPTIONS = {"areas": ["Northgate", "Riverside"], "sources": ["Police"], "age_bands": ["Under 10"], "genders": ["Male"]}


def test_params_use_null_for_all_and_dates_for_the_period():
    params = Filters("2024-Q2", "2025-Q1", areas=("Northgate",)).params()
    assert params == {"period_start": dt.date(2024, 4, 1), "period_end": dt.date(2025, 1, 1), "areas": ["Northgate"],
                      "sources": None, "age_bands": None, "genders": None}


def test_describe_states_every_filter_in_words():
    words = Filters("2025-Q1", "2025-Q1", genders=("Male",)).describe()
    assert words == "Period 2025-Q1; all areas; all referral sources; all age bands; genders: Male."


def test_url_round_trip_and_stale_values_dropped():
    chosen = Filters("2024-Q3", "2025-Q2", areas=("Riverside",), genders=("Male",))
    link = {key: value if isinstance(value, list) else [value] for key, value in chosen.to_url().items()}
    assert from_url(link, QUARTERS, OPTIONS) == chosen
    stale = from_url({"from": ["1999-Q1"], "area": ["Gone", "Northgate"]}, QUARTERS, OPTIONS)
    assert stale == Filters("2025-Q1", "2025-Q4", areas=("Northgate",))


def test_reversed_period_in_a_link_is_put_right():
    assert from_url({"from": ["2025-Q3"], "to": ["2024-Q4"]}, QUARTERS, OPTIONS).quarters() == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]


@pytest.mark.parametrize("first, last, shown", [
    ("2025-Q2", "2025-Q3", ["2025-Q3"]), ("2024-Q2", "2025-Q3", ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]),
    ("2024-Q1", "2025-Q4", quarters_between("2024-Q1", "2025-Q4")), ("2025-Q4", "2025-Q4", ["2025-Q4"]),
])
def test_a_period_is_one_quarter_or_whole_years_ending_at_the_last_quarter(first, last, shown):
    assert from_url({"from": [first], "to": [last]}, QUARTERS, OPTIONS).quarters() == shown


def test_a_list_filter_takes_one_value_or_all():
    chosen = from_url({"area": ["Riverside", "Northgate"], "source": ["Police"]}, QUARTERS, OPTIONS)
    assert (chosen.areas, chosen.sources, chosen.genders) == (("Riverside",), ("Police",), ())


@pytest.mark.parametrize("text, expected", [("2025-Q3", (2025, 3)), ("2025 q1", (2025, 1)), ("2025Q4", (2025, 4))])
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2025-Q5", "Q3 2025", "2025", ""])
def test_parse_quarter_refuses(text):
    with pytest.raises(ValueError):
        parse_quarter(text)


def test_quarter_arithmetic():
    assert shift_quarter("2025-Q1", -1) == "2024-Q4"
    assert shift_quarter("2025-Q3", -4) == "2024-Q3"
    assert quarter_end("2024-Q4") == dt.date(2024, 12, 31)
    assert quarter_end("2024-Q1") == dt.date(2024, 3, 31)
    assert quarters_between("2025-Q2", "2025-Q1") == []
