"""Boys' identification: shares, intervals, verdicts, funnel positions and age band tables, on small frames."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cseboard.questions import identification as ident
from cseboard.methods import stats
from cseboard.display.charts import funnel_plot
from cseboard.methods.funnel import funnel_finding, funnel_positions
from cseboard.methods.disclosure import DisclosurePolicy
from published import figure

POLICY = DisclosurePolicy()


def counts(*groups: tuple[str, int, int], breakdown: str = "area", key: int = 255, boys_key: int | None = None):
    """The boys' share query's rows with cell keys: counts that are multiples of 5 are published as they are whatever
    the key, others as tests/published.py works out (255, the default, rounds every count down)."""
    return pd.DataFrame([{"breakdown": breakdown, "group": g, "children": c, "boys": b, "children_ckey": key,
                          "boys_ckey": key if boys_key is None else boys_key} for g, c, b in groups])


def wilson(boys: int, children: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval written out independently of cseboard.stats."""
    p = boys / children
    centre = (p + z * z / (2 * children)) / (1 + z * z / children)
    half = z * np.sqrt(p * (1 - p) / children + z * z / (4 * children**2)) / (1 + z * z / children)
    return centre - half, centre + half


@pytest.mark.parametrize("children, boys, benchmark, verdict", [
    (400, 60, 0.33, stats.SIGNIFICANTLY_BELOW),
    (400, 130, 0.33, stats.NO_EVIDENCE_OF_DIFFERENCE),
    (400, 200, 0.33, stats.SIGNIFICANTLY_ABOVE),
    (20, 5, 0.33, stats.NO_EVIDENCE_OF_DIFFERENCE),
])
def test_share_interval_and_verdict(children, boys, benchmark, verdict):
    shares = ident.boys_shares(counts(("All", children, boys), breakdown="all"), "all", benchmark, POLICY)
    row = shares.numeric.iloc[0]
    lower, upper = wilson(boys, children)
    assert row[ident.SHARE] == pytest.approx(100 * boys / children)
    assert (row[ident.LOWER], row[ident.UPPER]) == pytest.approx((100 * lower, 100 * upper))
    assert row[ident.VERDICT] == verdict


@pytest.mark.parametrize("children, boys", [(30, 3), (3, 0), (4, 4)])
def test_small_counts_are_withheld_with_their_share_and_give_no_verdict(children, boys):
    shares = ident.boys_shares(counts(("All", children, boys), breakdown="all"), "all", 0.33, POLICY)
    assert shares.mask.at[0, ident.SHARE] and np.isnan(shares.numeric.at[0, ident.SHARE])
    assert shares.numeric.at[0, ident.VERDICT] == stats.TOO_FEW_TO_SAY
    assert shares.display().at[0, ident.SHARE] == "c"
    assert ident.headline_title(shares, 0.33).startswith("Too few")


@pytest.mark.parametrize("key", [0, 60, 130, 255])
def test_share_interval_and_verdict_come_from_the_published_counts(key):
    shares = ident.boys_shares(counts(("All", 43, 12), breakdown="all", key=key), "all", 0.33, POLICY)
    children, boys = figure(43, key), figure(12, key)
    lower, upper = wilson(boys, children)
    row = shares.numeric.iloc[0]
    assert (row[ident.CHILDREN], row[ident.BOYS]) == (children, boys)
    assert row[ident.SHARE] == pytest.approx(100 * boys / children)
    assert (row[ident.LOWER], row[ident.UPPER]) == pytest.approx((100 * lower, 100 * upper))
    assert row[ident.VERDICT] == stats.compare_to_benchmark(boys, children, 0.33)


def test_a_part_rounded_above_its_whole_is_capped_at_it():
    shares = ident.boys_shares(counts(("All", 6, 6), breakdown="all", key=100, boys_key=0), "all", 0.33, POLICY)
    row = shares.numeric.iloc[0]
    assert (figure(6, 100), figure(6, 0)) == (5.0, 10.0)
    assert (row[ident.CHILDREN], row[ident.BOYS], row[ident.SHARE]) == (5, 10, 100)


def test_quarters_without_referrals_stay_as_gaps():
    shares = ident.boys_shares(counts(("2025-Q1", 50, 10), breakdown="quarter"), "quarter", 0.33, POLICY,
                               groups_in_order=["2025-Q1", "2025-Q2"])
    assert shares.numeric[ident.BREAKDOWN_LABELS["quarter"]].tolist() == ["2025-Q1", "2025-Q2"]
    assert np.isnan(shares.numeric.at[1, ident.SHARE])


@pytest.mark.parametrize("children, boys, expected", [
    (400, 60, "significantly below the 33% benchmark"),
    (400, 130, "no evidence of a difference from the 33% benchmark"),
    (400, 200, "significantly above the 33% benchmark"),
])
def test_headline_title_states_the_verdict(children, boys, expected):
    shares = ident.boys_shares(counts(("All", children, boys), breakdown="all"), "all", 0.33, POLICY)
    title = ident.headline_title(shares, 0.33)
    assert title.startswith(f"Boys are {ident.percent(100 * boys / children)} of children referred")
    assert title.endswith(expected)


@pytest.mark.parametrize("children, boys", [(400, 60), (400, 120), (50, 25), (1000, 380), (30, 6), (200, 40)])
def test_funnel_position_agrees_with_the_wilson_verdict_at_each_level(children, boys):
    position = funnel_positions([100 * boys / children], [children], ident.share_limits(0.33))[0]
    for level in (0.95, 0.998):
        verdict = stats.compare_to_benchmark(boys, children, 0.33, confidence=level)
        outside = position.startswith(("above", "below")) and (level == 0.95 or position.endswith("99.8% limit"))
        assert outside == (verdict != stats.NO_EVIDENCE_OF_DIFFERENCE), (level, position, verdict)


@pytest.mark.parametrize("positions, expected", [
    (["within the 95% limits", "within the 95% limits"], "All 2 areas shown lie within the 95% limits"),
    (["above the 99.8% limit", "within the 95% limits", ""], "1 of 2 areas lies outside the 95% limits: A (above)"),
    (["", ""], "Too few referrals to compare areas"),
])
def test_funnel_title_names_outliers(positions, expected):
    assert funnel_finding(["A", "B", "C"][: len(positions)], positions, "areas") == expected


def test_funnel_plot_names_every_point_and_leaves_out_withheld_ones():
    shares = ident.boys_shares(counts(("Low", 1000, 150), ("Typical", 300, 100), ("Other", 200, 60),
                                      ("Small", 40, 2)), "area", 0.33, POLICY)
    figure = funnel_plot(shares.numeric, label="Area", size=ident.CHILDREN, value=ident.SHARE,
                         position=ident.POSITION, hover=ident.funnel_hover(shares, "Area"),
                         limits=ident.share_limits(0.33), centre=33, centre_label="Benchmark", title="t",
                         x_title="x", y_title="y")
    labelled = sorted((note.x, note.text) for note in figure.layout.annotations)
    plotted = [x for trace in figure.data if trace.mode and "markers" in trace.mode for x in trace.x]
    assert labelled == [(200, "Other"), (300, "Typical"), (1000, "Low")]
    assert sorted(plotted) == [200, 300, 1000]


def referrals(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    """Rows of the age_gender_referrals query, each with the cell key 200 + its count (a total's key is their sum)."""
    frame = pd.DataFrame(rows, columns=["quarter", "age_band", "gender", "referrals"])
    return frame.assign(referrals_ckey=200 + frame.referrals)


def test_age_band_table_keeps_every_band_and_publishes_each_cell_and_total_from_its_key():
    table = ident.age_gender_table(referrals(("2025-Q1", "14-15", "Female", 40), ("2025-Q1", "14-15", "Male", 3),
                                             ("2025-Q2", "14-15", "Female", 20), ("2025-Q1", "12-13", "Male", 12)),
                                   ["Under 10", "10-11", "12-13", "14-15", "16-17"], POLICY)
    shown = table.display().set_index(ident.AGE_BAND)
    assert shown.index.tolist() == ["Under 10", "10-11", "12-13", "14-15", "16-17", "Total"]
    assert shown.at["Under 10", "Male"] == "c"
    assert shown.at["14-15", "Male"] == "c"
    assert shown.at["14-15", "Female"] == f"{figure(60, 200 + 40 + 200 + 20):.0f}"
    assert shown.at["14-15", "Total"] == f"{figure(63, 200 + 40 + 200 + 3 + 200 + 20):.0f}"
    assert shown.at["12-13", "Male"] == f"{figure(12, 212):.0f}"
    assert shown.at["Total", "Total"] == f"{figure(75, 800 + 75):.0f}"
    assert shown.loc["16-17"].tolist() == ["c", "c", "c"]


def test_age_band_title_from_visible_cells():
    table = ident.age_gender_table(referrals(("2025-Q1", "14-15", "Female", 60), ("2025-Q1", "14-15", "Male", 20),
                                             ("2025-Q1", "10-11", "Female", 10), ("2025-Q1", "10-11", "Male", 10)),
                                   ["10-11", "14-15"], POLICY)
    published = table.numeric.set_index(ident.AGE_BAND)
    assert published.at["14-15", "Total"] == figure(80, 200 + 60 + 200 + 20)
    share_1415 = 100 * published.at["14-15", "Total"] / published.at["Total", "Total"]
    assert ident.age_band_title(table) == (f"Most referrals are of children aged 14-15 ({ident.percent(share_1415)} of "
                                           "all); boys are the largest share at 10-11 (50%)")


@pytest.mark.parametrize("rows, expected", [
    ([("2025-Q1", "14-15", "Female", 30), ("2025-Q2", "14-15", "Female", 25), ("2025-Q1", "12-13", "Male", 10),
      ("2025-Q2", "12-13", "Male", 10)], "Girls aged 14-15 are the largest group in every quarter"),
    ([("2025-Q1", "14-15", "Female", 30), ("2025-Q2", "12-13", "Male", 25), ("2025-Q1", "12-13", "Male", 10),
      ("2025-Q2", "14-15", "Female", 10)], "In 2025-Q2 the largest group was boys aged 12-13 (25 referrals)"),
])
def test_age_band_trend_title(rows, expected):
    table = ident.age_band_quarters(referrals(*rows), ["2025-Q1", "2025-Q2"], ["12-13", "14-15"], POLICY)
    assert len(table.numeric) == 2 * 2 * 2
    assert ident.age_band_trend_title(table) == expected
