"""Rates per 10,000 by area: Poisson funnel limits against scipy, comparisons, suppression and the table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from cseboard.questions import rates

from cseboard.methods import stats
from cseboard.display.charts import funnel_plot
from cseboard.methods.funnel import funnel_positions
from cseboard.methods.disclosure import DisclosurePolicy
from cseboard.filters import Filters
from cseboard.methods.disclosure import sortable
from published import figure

POLICY = DisclosurePolicy()


@pytest.mark.parametrize("expected", [0.5, 3.0, 12.7, 40.0, 250.0, 1234.5])
@pytest.mark.parametrize("probability", [0.001, 0.025, 0.975, 0.999])
def test_poisson_limit_lies_just_below_the_exact_scipy_quantile(expected, probability):
    limit = float(rates.poisson_limit(expected, probability))
    quantile = poisson.ppf(probability, expected)
    assert quantile - 1 <= limit <= quantile
    if limit > 0:
        assert np.ceil(limit) == quantile


@pytest.mark.parametrize("expected, count", [(5.0, 3), (20.0, 18), (100.0, 110)])
def test_poisson_limit_is_the_whole_count_when_the_probability_is_exactly_its_cdf(expected, count):
    assert float(rates.poisson_limit(expected, poisson.cdf(count, expected))) == pytest.approx(count)


def test_rate_funnel_limits_narrow_as_populations_grow():
    limits = rates.poisson_funnel_limits(30.0, [1_000, 10_000, 100_000])
    for level, rows in limits.groupby("level"):
        assert (rows.upper.diff().dropna() < 0).all() and (rows.lower.diff().dropna() > 0).all()
        assert (rows.lower < 30).all() and (rows.upper > 30).all()
    wide = limits[limits.level == 0.998]
    assert (wide.upper.to_numpy() > limits[limits.level == 0.95].upper.to_numpy()).all()
    with pytest.raises(ValueError):
        rates.poisson_funnel_limits(30.0, [0])


@pytest.mark.parametrize("lower, upper, centre, expected", [
    (12.0, 15.0, 10.0, rates.HIGHER),
    (5.0, 9.0, 10.0, rates.LOWER_THAN),
    (8.0, 12.0, 10.0, rates.SIMILAR),
    (np.nan, np.nan, 10.0, stats.TOO_FEW_TO_SAY),
])
def test_compared_with_the_partnership(lower, upper, centre, expected):
    assert rates.compared_with(lower, upper, centre) == expected


def by_area(*rows: tuple[str, int, float | None, bool]) -> pd.DataFrame:
    """areas_rates rows, each count's cell key 255 (a multiple of 5 is published as it is, others rounded down)."""
    frame = pd.DataFrame(rows, columns=["area", "referrals", "population", "chosen"]).astype({"population": float})
    return frame.assign(referrals_ckey=255)


AREAS = by_area(("North", 120, 10_000, True), ("South", 30, 10_000, True), ("East", 3, 2_000, True),
                ("West", 9, None, True), ("Hidden", 10, 8_000, False))


def test_partnership_rate_counts_every_area_with_a_population():
    partnership = rates.partnership_rate(AREAS, POLICY).numeric.iloc[0]
    assert partnership[rates.REFERRALS] == figure(120 + 30 + 3 + 10, 4 * 255) == 160
    assert partnership[rates.RATE] == pytest.approx(160 / 30_000 * 10_000)


def test_area_rates_compare_withhold_and_say_no_population():
    partnership = rates.partnership_rate(AREAS, POLICY)
    areas = rates.area_rates(AREAS, partnership, POLICY)
    table = areas.numeric.set_index(rates.AREA)
    assert table.index.tolist() == ["North", "South", "East", "West"]
    assert table.at["North", rates.RATE] == pytest.approx(120.0)
    low, high = stats.byar_rate_interval(120, 10_000)
    assert (table.at["North", rates.LOWER], table.at["North", rates.UPPER]) == pytest.approx((low, high))
    assert table.at["North", rates.COMPARED] == rates.HIGHER
    assert table.at["South", rates.COMPARED] == rates.LOWER_THAN
    assert table.at["West", rates.COMPARED] == rates.NO_POPULATION
    shown = rates.display(areas).set_index(rates.AREA)
    assert shown.at["East", rates.REFERRALS] == "c" and shown.at["East", rates.RATE] == "c"
    assert shown.at["West", rates.REFERRALS] == "5"  # 9 rounded down by its key
    assert shown.at["West", rates.RATE] == rates.NO_POPULATION
    assert rates.hidden_note(areas) == ["", "", "c referrals", rates.NO_POPULATION]


def test_sortable_table_keeps_numbers_and_says_no_population():
    areas = rates.area_rates(AREAS, rates.partnership_rate(AREAS, POLICY), POLICY)
    styler = rates.mark_no_population(sortable(areas), areas)
    assert pd.api.types.is_numeric_dtype(styler.data[rates.RATE])
    html = styler.hide(axis="index").to_html()
    assert ">c<" in html and f">{rates.NO_POPULATION}<" in html
    assert ">3<" not in html and ">15.0<" not in html


def test_funnel_points_outside_the_poisson_limits_are_named():
    areas = rates.area_rates(AREAS, rates.partnership_rate(AREAS, POLICY), POLICY)
    centre = rates.partnership_rate(AREAS, POLICY).numeric.at[0, rates.RATE]
    figure = funnel_plot(areas.numeric, label=rates.AREA, size=rates.POPULATION, value=rates.RATE,
                         position=rates.POSITION, hover=rates.hover(areas), limits=rates.rate_limits(centre),
                         centre=centre, centre_label="Partnership", title=rates.funnel_title(areas), x_title="x",
                         y_title="y")
    names = {(note.x, note.y): note.text for note in figure.layout.annotations}
    outside = sorted(names[point] for trace in figure.data if trace.name.startswith("Outside")
                     for point in zip(trace.x, trace.y))
    assert outside == ["North", "South"]
    assert len(names) == sum(len(trace.x) for trace in figure.data if trace.mode == "markers")
    assert figure.layout.title.text == "2 of 2 areas lie outside the 95% limits: North (above), South (below)"


@pytest.mark.parametrize("rate, population, expected", [
    (64.33, 30_000, "within the 95% limits"),
    (120.0, 10_000, "above the 99.8% limit"),
    (30.0, 10_000, "below the 99.8% limit"),
])
def test_funnel_positions_follow_the_poisson_limits(rate, population, expected):
    assert funnel_positions([rate], [population], rates.rate_limits(64.33)) == [expected]


@pytest.mark.parametrize("filters, says", [
    (Filters("2025-Q1", "2025-Q4"), ["(4 quarters) per 10,000 children aged 0-17", "(boys and girls)",
                                     "counted against them"]),
    (Filters("2025-Q1", "2025-Q1", genders=("Female",), age_bands=("14-15",)),
     ["(1 quarter) per 10,000 children aged 14-15", "(girls)"]),
    (Filters("2025-Q1", "2025-Q2", genders=("Other",)), ["population not supplied", "counted against them"]),
])
def test_population_note_says_which_children(filters, says):
    note = rates.population_note(filters)
    for phrase in says:
        assert phrase in note
    assert ("counted against them" in note) == any("counted against" in phrase for phrase in says)


@pytest.mark.parametrize("key", [0, 100, 255])
def test_an_area_left_out_by_the_filter_leaves_the_partnership_count_rounded_on_its_own_key(key):
    areas = by_area(("North", 120, 10_000, True), ("South", 30, 10_000, True), ("East", 3, 2_000, False))
    areas["referrals_ckey"] = [key, key, key]
    partnership = rates.partnership_rate(areas, POLICY)
    shown = rates.display(rates.area_rates(areas, partnership, POLICY))
    assert shown[rates.REFERRALS].tolist() == ["120", "30"]
    assert partnership.numeric.at[0, rates.REFERRALS] == figure(153, 3 * key)
    assert partnership.numeric.at[0, rates.REFERRALS] - 150 in range(3 - 8, 3 + 9)


@pytest.mark.parametrize("rows, expected", [
    ([("North", 120, 10_000, True)], "The only area compared is similar to the partnership's"),
    ([("North", 120, 10_000, True), ("South", 100, 10_000, True)], "All 2 areas compared are similar"),
    ([("North", 120, None, True), ("South", 100, None, True)], "No population supplied for the children chosen"),
    ([("North", 120, 10_000, True), ("South", 30, 10_000, True), ("East", 60, 10_000, True)],
     "Of 3 areas, 1 is significantly higher and 1 significantly lower than"),
    ([("North", 60, 10_000, True), ("South", 60, 10_000, True), ("East", 20, 10_000, True)],
     "Of 3 areas, 1 is significantly lower than the partnership's"),
])
def test_rates_title_counts_areas_that_differ(rows, expected):
    areas = by_area(*rows)
    partnership = rates.partnership_rate(areas, POLICY)
    assert expected in rates.rates_title(rates.area_rates(areas, partnership, POLICY), partnership)
