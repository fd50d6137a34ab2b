"""Tests for cseboard.methods.disclosure and cellkey: the perturbation table, the views, safe CSV, and an attacker's view."""
from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from cseboard.methods import cellkey
from cseboard.methods.disclosure import (
    DEFAULT_POLICY,
    DisclosurePolicy,
    cell_key_column,
    neutralise_formula,
    protect,
    protect_crosstab,
    safe_csv,
    share,
    visible,
)
from published import figure

KEY = cell_key_column("referrals")


def keyed(values, keys, **columns) -> pd.DataFrame:
    """A long table of referral counts with their cell keys."""
    return pd.DataFrame({"group": [f"g{i}" for i in range(len(values))], "referrals": values, KEY: keys, **columns})


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 14, 250, 1234])
@pytest.mark.parametrize("key", [0, 51, 52, 100, 153, 204, 205, 255])
def test_every_count_is_published_as_the_perturbation_table_says(count, key):
    published = protect(keyed([count], [key]), ["referrals"]).numeric["referrals"].iloc[0]
    expected = figure(count, key)
    assert (np.isnan(published) and expected is None) or published == expected


@pytest.mark.parametrize("count", range(0, 40))
def test_rounding_is_unbiased_never_more_than_four_away_and_never_shows_one_to_four(count):
    published = cellkey.publish(np.full(256, count), np.arange(256))
    shown = np.nan_to_num(published, nan=0.0)
    assert set(np.unique(shown)) <= {count - count % 5, count - count % 5 + 5}
    assert np.abs(shown - count).max() <= 4
    assert abs(shown.mean() - count) < 0.02, "rounding up and down balance over the keys"
    assert not np.isin(published, [1, 2, 3, 4]).any()
    assert np.isnan(published).all() if count == 0 else not np.isnan(published).all()
    assert count < 5 or not np.isnan(published).any()
    for value in np.unique(shown):
        assert count in cellkey.possible_counts(np.nan if value == 0 else value)


def test_a_cell_key_is_the_sum_of_its_record_keys_mod_256():
    assert cellkey.cell_key([200, 100, 7]) == 51
    assert cellkey.cell_key([]) == 0


def test_bad_counts_and_keys_are_refused():
    for counts, keys in [([1.5], [0]), ([-1], [0]), ([np.nan], [0]), ([3], [256]), ([3], [np.nan])]:
        with pytest.raises(ValueError):
            cellkey.publish(counts, keys)
    with pytest.raises(ValueError, match="cell keys"):
        protect(pd.DataFrame({"referrals": [3]}), ["referrals"])


@pytest.mark.parametrize(("count", "key"), [(12, 0), (12, 255), (3, 0), (3, 255)])
def test_threshold_is_configurable(count, key):
    policy = DisclosurePolicy(threshold=10)
    published = protect(keyed([count], [key]), ["referrals"], policy=policy).numeric["referrals"].iloc[0]
    expected = figure(count, key, threshold=10)
    assert (np.isnan(published) and expected is None) or published == expected


def test_policy_is_frozen_validated_and_uses_dfe_symbol():
    assert DEFAULT_POLICY == DisclosurePolicy(threshold=5, symbol="c", enabled=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.threshold = 3
    with pytest.raises(ValueError):
        DisclosurePolicy(threshold=0)


@pytest.mark.parametrize(("boys", "children", "key"), [(3, 40, 255), (12, 3, 255), (12, 40, 0), (0, 40, 0), (36, 38, 0)])
def test_a_rate_comes_from_the_published_counts_and_is_withheld_with_either(boys, children, key):
    frame = pd.DataFrame({"boys": [boys], "children": [children], cell_key_column("boys"): [key],
                          cell_key_column("children"): [key], "share_of_boys": [100 * boys / children]})
    protected = protect(frame, ["boys", "children"], rates={"share_of_boys": ("boys", "children")})
    published_boys, published_children = figure(boys, key), figure(children, key)
    withheld = published_boys is None or published_children is None
    assert protected.mask["share_of_boys"].iloc[0] == withheld
    shown = protected.display(decimals=1)["share_of_boys"].iloc[0]
    assert shown == ("c" if withheld else f"{100 * min(published_boys, published_children) / published_children:.1f}")


def test_share_caps_a_part_rounded_above_its_whole():
    assert share([10, 5, np.nan], [5, 10, 10]).tolist()[:2] == [100.0, 50.0]
    assert np.isnan(share([5], [np.nan])[0]) and np.isnan(share([0], [0])[0])


def test_rate_over_a_population_is_derived_from_the_published_count():
    frame = pd.DataFrame({"area": ["North", "South"], "referrals": [4, 33], KEY: [255, 0],
                          "population": [52_000, 61_000]})
    protected = protect(frame, ["referrals"], rates={"rate_per_10k": ("referrals", "population")},
                        derive=lambda published: published.assign(
                            rate_per_10k=published.referrals / published.population * 10_000))
    assert protected.mask["rate_per_10k"].tolist() == [True, False]
    assert protected.hover_text("rate_per_10k", decimals=2).tolist() == ["c", f"{35 / 61_000 * 10_000:.2f}"]


def test_a_rate_computed_from_true_counts_never_reaches_the_page():
    frame = keyed([33], [0], share=[100 * 33 / 40])
    protected = protect(frame, ["referrals"], rates={"share": ("referrals", "referrals")})
    assert protected.numeric["share"].iloc[0] == 100.0


def test_counts_without_a_key_are_not_of_children_and_are_shown_as_they_are():
    frame = keyed([3, 7], [np.nan, 255])
    assert protect(frame, ["referrals"]).numeric["referrals"].tolist()[0] == 3
    assert protect(frame, ["referrals"]).numeric["referrals"].tolist()[1] == figure(7, 255)


def test_missing_counts_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="missing"):
        protect(pd.DataFrame({"referrals": [3.0, np.nan], KEY: [0, 0]}), ["referrals"])
    with pytest.raises(ValueError, match="missing"):
        protect_crosstab(pd.DataFrame({"x": [3.0, np.nan]}), None)


def test_crosstab_gets_totals_each_published_from_the_sum_of_its_cells_keys():
    table = pd.DataFrame([[3, 10, 12], [8, 2, 15], [20, 30, 6]], index=pd.Index(["North", "South", "West"], name="area"),
                         columns=pd.Index(["Police", "Health", "Education"], name="source"))
    keys = pd.DataFrame(np.arange(9).reshape(3, 3) * 40, index=table.index, columns=table.columns)
    protected = protect_crosstab(table, keys)
    assert list(protected.display().index) == ["North", "South", "West", "Total"]
    assert list(protected.display().columns) == ["Police", "Health", "Education", "Total"]
    for row, values in table.iterrows():
        for column in table.columns:
            assert protected.numeric.at[row, column] == figure(values[column], keys.at[row, column]) or (
                figure(values[column], keys.at[row, column]) is None and np.isnan(protected.numeric.at[row, column]))
        assert protected.numeric.at[row, "Total"] == figure(values.sum(), int(keys.loc[row].sum()))
    assert protected.numeric.at["Total", "Total"] == figure(106, int(keys.to_numpy().sum()))


def test_disabled_policy_passes_everything_through():
    frame = keyed([3, 20, 9, 1], [255, 0, 7, 200])
    protected = protect(frame, ["referrals"], rates={"share": ("referrals", "referrals")},
                        policy=DisclosurePolicy(enabled=False))
    assert protected.numeric["referrals"].tolist() == [3, 20, 9, 1]
    assert KEY not in protected.numeric, "cell keys are never shown, even to an analyst"
    assert not protected.mask.to_numpy().any()
    crosstab = protect_crosstab(pd.DataFrame([[1, 2]]), pd.DataFrame([[9, 9]]), DisclosurePolicy(enabled=False))
    assert not crosstab.mask.to_numpy().any()
    assert crosstab.numeric.to_numpy().tolist() == [[1, 2, 3], [1, 2, 3]]


def test_visible_reads_a_shown_number_and_nothing_for_a_withheld_or_missing_one():
    protected = protect(keyed([3, 20], [255, 0]), ["referrals"])
    assert visible(protected, "referrals", group="g1") == 20.0
    assert visible(protected, "referrals", group="g0") is None
    assert visible(protected, "referrals", group="g9") is None


def test_views_show_the_symbol_and_keep_other_columns():
    protected = protect(keyed([3, 20, 0, 12], [255, 0, 0, 255]), ["referrals"])
    assert protected.hover_text("referrals").tolist() == ["c", "20", "c", "10"]
    assert protected.hover_text("group").tolist() == ["g0", "g1", "g2", "g3"]
    assert protected.numeric["referrals"].isna().tolist() == [True, False, True, False]
    assert list(protected.display().columns) == ["group", "referrals"]


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+44 7700", "-2+3", "@cmd", "\tx", "\r=1", "=HYPERLINK(\"x\")"])
def test_formula_text_is_neutralised(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Police", "<5", "", "Children's social care", 5, -3, -2.5, None])
def test_ordinary_values_and_numbers_pass_through(value):
    assert neutralise_formula(value) == value


def test_safe_csv_is_excel_ready_and_neutralised():
    protected = protect(
        pd.DataFrame({"source": ["=cmd|' /C calc'!A0", "Police"], "referrals": [3, 40], "change": [-4, 6],
                      KEY: [255, 9]}),
        ["referrals"],
    )
    data = safe_csv(protected.display())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "source,referrals,change", "cell keys are never shown"
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,c,-4"
    assert pd.read_csv(io.StringIO(text))["change"].tolist() == [-4, 6]


def test_safe_csv_keeps_meaningful_row_labels_and_neutralises_headers():
    protected = protect_crosstab(pd.DataFrame([[3, 10]], index=pd.Index(["North"], name="area"), columns=["-x", "y"]),
                                 pd.DataFrame([[255, 255]], index=pd.Index(["North"], name="area"), columns=["-x", "y"]))
    lines = safe_csv(protected.display()).decode("utf-8-sig").splitlines()
    assert lines[0] == "area,'-x,y,Total"
    assert lines[1] == f"North,c,10,{figure(13, 510):.0f}"


# ----------------------------------------------------------------------------------------------
# Property: whatever the crosstab, a reader holding every published cell and total, and the
# perturbation table, cannot pin a cell of 0 to 4. The attacker's view is rebuilt here
# independently of the module: each published figure rules in a range of true counts
# (cellkey.possible_counts is checked against the table above), and the true cells must add up
# to the true totals. An integer programme finds the smallest and largest value each small cell
# can take; they must differ. tests/test_adversary.py plays the same attack across pages.
# ----------------------------------------------------------------------------------------------


def feasible_range(published: np.ndarray, cell: int, rows: int, columns: int) -> tuple[float, float]:
    """Smallest and largest whole value of an interior cell consistent with every published figure and the margins."""
    grid = (rows + 1) * (columns + 1)
    bounds = [cellkey.possible_counts(value) for value in published.ravel()]
    equations = []
    for row in range(rows + 1):
        coefficients = np.zeros((rows + 1, columns + 1))
        coefficients[row, :-1], coefficients[row, -1] = 1, -1
        equations.append(coefficients.ravel())
    for column in range(columns + 1):
        coefficients = np.zeros((rows + 1, columns + 1))
        coefficients[:-1, column], coefficients[-1, column] = 1, -1
        equations.append(coefficients.ravel())
    constraints = LinearConstraint(np.array(equations), 0, 0)
    limits = Bounds([b.start for b in bounds], [b.stop - 1 for b in bounds])
    found = []
    for sign in (1, -1):
        objective = np.zeros(grid)
        objective[cell] = sign
        result = milp(objective, constraints=constraints, bounds=limits, integrality=np.ones(grid))
        assert result.status == 0, "the true table must be consistent with what is published"
        found.append(sign * result.fun)
    return found[0], found[1]


@st.composite
def crosstabs(draw):
    """Small two-way tables with plenty of small counts and zeros, as partnership data has, and their cell keys."""
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cell = st.one_of(st.integers(0, 6), st.integers(0, 40))
    values = draw(st.lists(cell, min_size=rows * columns, max_size=rows * columns))
    keys = draw(st.lists(st.integers(0, 255), min_size=rows * columns, max_size=rows * columns))
    return np.array(values).reshape(rows, columns), np.array(keys).reshape(rows, columns)


@settings(max_examples=150, deadline=None)
@given(table=crosstabs())
def test_no_small_crosstab_cell_can_be_pinned_from_published_cells_and_totals(table):
    interior, keys = table
    protected = protect_crosstab(pd.DataFrame(interior), pd.DataFrame(keys))
    published = protected.numeric.to_numpy()
    rows, columns = interior.shape
    for cell in np.flatnonzero(np.pad(interior, ((0, 1), (0, 1)), constant_values=99) < 5):
        low, high = feasible_range(published, cell, rows, columns)
        assert low < high, f"cell {divmod(cell, columns + 1)} is pinned to {low}"
