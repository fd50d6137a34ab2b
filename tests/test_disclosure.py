"""Tests for cseboard.disclosure: suppression rules, the views it returns, safe CSV, and an attacker's view."""
from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from cseboard.methods.disclosure import (
    DEFAULT_POLICY,
    DisclosurePolicy,
    neutralise_formula,
    protect,
    protect_crosstab,
    protect_linked,
    safe_csv,
    visible,
)


def one_cell_per_group(values, policy=DEFAULT_POLICY):
    """Protect counts that add to no shared total, so only primary suppression applies."""
    frame = pd.DataFrame({"area": [f"area {i}" for i in range(len(values))], "referrals": values})
    return protect(frame, ["referrals"], groups=["area"], policy=policy)


def quarters(*counts_per_quarter):
    """A long table of referrals by quarter and gender, one list of gender counts per quarter."""
    genders = ("Female", "Male", "Other", "Not known")
    rows = [
        {"quarter": f"Q{q}", "gender": genders[g], "referrals": count}
        for q, counts in enumerate(counts_per_quarter, start=1)
        for g, count in enumerate(counts)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("count", "withheld"),
    [(0, False), (1, True), (2, True), (3, True), (4, True), (5, False), (6, False), (250, False)],
)
def test_primary_suppression_withholds_one_to_four_and_shows_zero(count, withheld):
    protected = one_cell_per_group([count])
    assert protected.mask["referrals"].iloc[0] == withheld
    assert protected.display()["referrals"].iloc[0] == ("<5" if withheld else str(count))
    assert np.isnan(protected.numeric["referrals"].iloc[0]) == withheld


@pytest.mark.parametrize(("count", "withheld"), [(0, False), (1, True), (9, True), (10, False)])
def test_threshold_is_configurable_and_symbol_follows_it(count, withheld):
    policy = DisclosurePolicy(threshold=10)
    assert policy.symbol == "<10"
    protected = one_cell_per_group([count], policy)
    assert protected.mask["referrals"].iloc[0] == withheld
    assert protected.display()["referrals"].iloc[0] == ("<10" if withheld else str(count))


def test_policy_is_frozen_validated_and_takes_a_custom_symbol():
    assert DisclosurePolicy(symbol="c").symbol == "c"
    assert DEFAULT_POLICY == DisclosurePolicy(threshold=5, symbol="<5", enabled=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.threshold = 3
    with pytest.raises(ValueError):
        DisclosurePolicy(threshold=0)


@pytest.mark.parametrize(
    ("numerator", "denominator", "rate_withheld"),
    [(3, 40, True), (12, 3, True), (12, 40, False), (0, 40, False)],
)
def test_rate_is_withheld_with_its_numerator_or_denominator(numerator, denominator, rate_withheld):
    frame = pd.DataFrame({"area": ["North"], "boys": [numerator], "children": [denominator]})
    frame["share_of_boys"] = 100 * frame["boys"] / frame["children"]
    protected = protect(
        frame, ["boys", "children"], rates={"share_of_boys": ("boys", "children")}, groups=["area"]
    )
    assert protected.mask["share_of_boys"].iloc[0] == rate_withheld
    shown = protected.display(decimals=1)["share_of_boys"].iloc[0]
    assert shown == ("<5" if rate_withheld else f"{100 * numerator / denominator:.1f}")


@pytest.mark.parametrize(("boys", "children", "rate_withheld"), [(38, 40, True), (36, 40, True), (35, 40, False)])
def test_share_is_withheld_when_the_rest_of_its_base_is_small(boys, children, rate_withheld):
    frame = pd.DataFrame({"area": ["North"], "boys": [boys], "children": [children]})
    frame["share_of_boys"] = 100 * frame["boys"] / frame["children"]
    protected = protect(frame, ["boys", "children"], rates={"share_of_boys": ("boys", "children")}, groups=["area"])
    assert protected.mask["share_of_boys"].iloc[0] == rate_withheld
    assert protected.mask["boys"].iloc[0] == rate_withheld
    assert not protected.mask["children"].iloc[0]


def test_rate_over_an_unprotected_population_follows_its_numerator():
    frame = pd.DataFrame({"area": ["North", "South"], "referrals": [4, 30], "population": [52_000, 61_000]})
    frame["rate_per_10k"] = frame["referrals"] / frame["population"] * 10_000
    protected = protect(frame, ["referrals"], rates={"rate_per_10k": ("referrals", "population")}, groups=["area"])
    assert protected.mask["rate_per_10k"].tolist() == [True, False]
    assert protected.hover_text("rate_per_10k", decimals=2).tolist() == ["<5", "4.92"]


@pytest.mark.parametrize(
    ("counts", "expected_withheld"),
    [
        ([3, 20, 9, 12], [True, False, True, False]),  # the smallest visible partner is withheld
        ([3, 0, 20, 40], [True, False, True, False]),  # zeros are skipped as partners
        ([3, 4, 20, 40], [True, True, False, False]),  # two small cells already protect each other
        ([3, 0, 0, 0], [True, True, False, False]),  # a zero only when nothing else is left
        ([7, 20, 9, 12], [False, False, False, False]),
        ([0, 0, 0, 0], [False, False, False, False]),
    ],
)
def test_secondary_suppression_within_a_group_that_adds_to_a_total(counts, expected_withheld):
    protected = protect(quarters(counts, [30, 31, 32, 33]), ["referrals"], groups=["quarter"])
    assert protected.mask["referrals"].tolist() == expected_withheld + [False] * 4


def test_groups_are_independent_and_none_means_one_grand_total():
    table = quarters([3, 20, 9, 12], [30, 8, 32, 33])
    by_quarter = protect(table, ["referrals"], groups=["quarter"]).mask["referrals"]
    assert by_quarter.tolist() == [True, False, True, False] + [False] * 4
    whole_column = protect(table, ["referrals"]).mask["referrals"]
    assert whole_column.tolist() == [True, False, False, False, False, True, False, False]


def test_each_count_column_is_protected_on_its_own():
    frame = pd.DataFrame({"source": ["Police", "Health", "Education"], "referrals": [3, 10, 20], "children": [9, 8, 2]})
    mask = protect(frame, ["referrals", "children"]).mask
    assert mask["referrals"].tolist() == [True, True, False]
    assert mask["children"].tolist() == [False, True, True]
    assert not mask["source"].any()


def test_missing_counts_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="missing"):
        protect(pd.DataFrame({"referrals": [3.0, np.nan]}), ["referrals"])
    with pytest.raises(ValueError, match="missing"):
        protect_crosstab(pd.DataFrame({"x": [3.0, np.nan]}))


def test_crosstab_gets_totals_and_partners_in_rows_and_columns():
    table = pd.DataFrame(
        [[3, 10, 12], [8, 2, 15], [20, 30, 6]],
        index=pd.Index(["North", "South", "West"], name="area"),
        columns=pd.CategoricalIndex(["Police", "Health", "Education"], name="source"),
    )
    protected = protect_crosstab(table)
    assert list(protected.display().index) == ["North", "South", "West", "Total"]
    assert list(protected.display().columns) == ["Police", "Health", "Education", "Total"]
    assert protected.numeric.loc["Total", "Total"] == 106
    assert protected.mask.to_numpy().astype(int).tolist() == [
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
    ]
    assert protected.display().loc["West"].tolist() == ["20", "30", "6", "56"]


def test_small_totals_are_withheld_too():
    protected = protect_crosstab(pd.DataFrame([[1, 6], [2, 9]], columns=["Male", "Female"]))
    assert protected.mask.loc["Total", "Male"], "a column total of 3 is itself a small count"
    assert protected.mask[["Male", "Female"]].to_numpy().all()
    assert not protected.mask["Total"].any()


def test_a_cell_linking_two_blocks_of_suppression_gets_a_partner():
    """Two 2x2 blocks joined by one cell: every row and column has two withheld cells, yet the link is pinned."""
    values = np.full((4, 4), 50)
    values[:2, :2] = [[1, 2], [3, 4]]
    values[2:, 2:] = [[2, 3], [4, 1]]
    values[1, 2] = 2
    protected = protect_crosstab(pd.DataFrame(values))
    withheld = protected.mask.to_numpy()
    assert_no_withheld_value_can_be_worked_out(protected.numeric.fillna(-1).to_numpy(), withheld, values)


def test_disabled_policy_passes_everything_through():
    frame = quarters([3, 20, 9, 1])
    frame["share"] = frame["referrals"] / 33
    protected = protect(
        frame, ["referrals"], rates={"share": ("referrals", "referrals")}, groups=["quarter"],
        policy=DisclosurePolicy(enabled=False),
    )
    pd.testing.assert_frame_equal(protected.numeric, frame)
    assert not protected.mask.to_numpy().any()
    assert protected.display()["referrals"].tolist() == ["3", "20", "9", "1"]
    crosstab = protect_crosstab(pd.DataFrame([[1, 2]]), DisclosurePolicy(enabled=False))
    assert not crosstab.mask.to_numpy().any()
    assert crosstab.numeric.to_numpy().tolist() == [[1, 2, 3], [1, 2, 3]]


LINKED_COUNTS = {"all": 43, ("source", "Police"): 3, ("source", "Education"): 40,
                 ("quarter", "Q1"): 20, ("quarter", "Q2"): 23}
LINKED_SUMS = [("all", [("source", "Police"), ("source", "Education")]),
               ("all", [("quarter", "Q1"), ("quarter", "Q2")])]


def test_linked_tables_withhold_a_small_count_with_its_partner_and_leave_the_other_table_alone():
    withheld = protect_linked(LINKED_COUNTS, LINKED_SUMS)
    assert withheld == {"all": False, ("source", "Police"): True, ("source", "Education"): True,
                        ("quarter", "Q1"): False, ("quarter", "Q2"): False}
    assert not any(protect_linked(LINKED_COUNTS, LINKED_SUMS, DisclosurePolicy(enabled=False)).values())


def test_visible_reads_a_shown_number_and_nothing_for_a_withheld_or_missing_one():
    protected = protect(quarters([3, 20, 9, 12]), ["referrals"], groups=["quarter"])
    assert visible(protected, "referrals", quarter="Q1", gender="Male") == 20.0
    assert visible(protected, "referrals", quarter="Q1", gender="Female") is None
    assert visible(protected, "referrals", quarter="Q9") is None


def test_views_show_the_symbol_and_keep_other_columns():
    protected = protect(quarters([3, 20, 9, 12]), ["referrals"], groups=["quarter"])
    assert protected.hover_text("referrals").tolist() == ["<5", "20", "<5", "12"]
    assert protected.hover_text("gender").tolist() == ["Female", "Male", "Other", "Not known"]
    shown = protected.display()
    assert shown["quarter"].tolist() == ["Q1"] * 4
    assert protected.numeric["referrals"].isna().tolist() == [True, False, True, False]


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+44 7700", "-2+3", "@cmd", "\tx", "\r=1", "=HYPERLINK(\"x\")"])
def test_formula_text_is_neutralised(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Police", "<5", "", "Children's social care", 5, -3, -2.5, None])
def test_ordinary_values_and_numbers_pass_through(value):
    assert neutralise_formula(value) == value


def test_safe_csv_is_excel_ready_and_neutralised():
    protected = protect(
        pd.DataFrame({"source": ["=cmd|' /C calc'!A0", "Police"], "referrals": [3, 40], "change": [-4, 6]}),
        ["referrals"],
        groups=["source"],
    )
    data = safe_csv(protected.display())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,<5,-4"
    assert pd.read_csv(io.StringIO(text))["change"].tolist() == [-4, 6]


def test_safe_csv_keeps_meaningful_row_labels_and_neutralises_headers():
    protected = protect_crosstab(pd.DataFrame([[3, 10]], index=pd.Index(["North"], name="area"), columns=["-x", "y"]))
    lines = safe_csv(protected.display()).decode("utf-8-sig").splitlines()
    assert lines[0] == "area,'-x,y,Total"
    assert lines[1] == "North,<5,<5,13"  # the 10 is withheld too, or 13 - 10 would give the 3 back


# ----------------------------------------------------------------------------------------------
# Property: whatever the table, a reader holding every published number cannot work out a
# withheld one. The attacker's view is rebuilt here independently of the module: the grid with
# its totals, each visible cell known exactly, each withheld cell only known to be >= 0.
# ----------------------------------------------------------------------------------------------


def assert_no_withheld_value_can_be_worked_out(published: np.ndarray, withheld: np.ndarray, interior: np.ndarray):
    """Check the two guarantees on a grid whose last row and column are totals."""
    rows, columns = withheld.shape
    for line in [*withheld, *withheld.T]:
        assert line.sum() != 1, "a lone withheld cell in a row or column is given back by subtraction"

    equations = []
    for row in range(rows):
        coefficients = np.zeros((rows, columns))
        coefficients[row, :-1], coefficients[row, -1] = 1, -1
        equations.append(coefficients.ravel())
    for column in range(columns):
        coefficients = np.zeros((rows, columns))
        coefficients[:-1, column], coefficients[-1, column] = 1, -1
        equations.append(coefficients.ravel())
    bounds = [(0, None) if hidden else (value, value) for value, hidden in zip(published.ravel(), withheld.ravel())]
    assert np.array_equal(published[:-1, :-1][~withheld[:-1, :-1]], interior[~withheld[:-1, :-1]])

    for cell in np.flatnonzero(withheld.ravel()):
        objective = np.zeros(rows * columns)
        objective[cell] = 1
        options = dict(A_eq=np.array(equations), b_eq=np.zeros(len(equations)), bounds=bounds, method="highs")
        smallest = linprog(objective, **options)
        largest = linprog(-objective, **options)
        assert smallest.status == 0, "the true table must be consistent with what is published"
        # The equations are totally unimodular, so a range of at least 1 means another whole-number
        # table fits every published number with a different value in this cell.
        if largest.status == 0:
            assert -largest.fun - smallest.fun >= 1 - 1e-7, f"withheld cell {divmod(cell, columns)} is pinned"
        else:
            assert largest.status == 3  # unbounded above: certainly not pinned


@st.composite
def crosstabs(draw):
    """Small two-way tables with plenty of small counts and zeros, as partnership data has."""
    rows, columns = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cell = st.one_of(st.integers(0, 6), st.integers(0, 40))
    values = draw(st.lists(cell, min_size=rows * columns, max_size=rows * columns))
    return np.array(values).reshape(rows, columns)


@settings(max_examples=150, deadline=None)
@given(interior=crosstabs(), threshold=st.sampled_from([3, 5, 10]))
def test_no_withheld_crosstab_cell_can_be_recovered_from_published_totals(interior, threshold):
    policy = DisclosurePolicy(threshold=threshold)
    protected = protect_crosstab(pd.DataFrame(interior), policy)
    withheld = protected.mask.to_numpy()
    grid = np.block(
        [[interior, interior.sum(1, keepdims=True)], [interior.sum(0, keepdims=True), interior.sum(keepdims=True)]]
    )
    assert withheld[(grid > 0) & (grid < threshold)].all(), "every small count is withheld"
    published = protected.numeric.to_numpy()
    assert np.array_equal(published[~withheld], grid[~withheld])
    assert_no_withheld_value_can_be_worked_out(np.where(withheld, -1, published), withheld, interior)


@settings(max_examples=100, deadline=None)
@given(
    groups=st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=4), min_size=1, max_size=6),
)
def test_no_group_of_a_long_table_is_left_with_a_lone_withheld_cell(groups):
    table = quarters(*groups)
    mask = protect(table, ["referrals"], groups=["quarter"]).mask["referrals"]
    for quarter, withheld in mask.groupby(table["quarter"]):
        size = len(withheld)
        small = table.loc[withheld.index, "referrals"].between(1, 4)
        assert withheld[small].all()
        assert withheld.sum() != 1 or size == 1, f"{quarter} has a lone withheld cell"
