"""House-style chart helpers."""
import pandas as pd
import pytest

from cseboard.filters import Filters
from cseboard.methods.disclosure import DEFAULT_POLICY
from cseboard.questions import board
from cseboard.questions.section import figures, nothing_to_draw
from cseboard.store.database import Store
from cseboard.store.queries import fetcher
from cseboard.display import charts
from cseboard.display.drawings import sources as sources_drawing
from cseboard.methods.disclosure import DisclosurePolicy, protect


def test_nothing_to_draw_when_every_figure_is_withheld_or_zero():
    table = pd.DataFrame({"group": ["a", "b", "c"], "count": [3, 0, 40], "count (cell key)": [255, 0, 7]})
    protected = protect(table, counts=["count"], policy=DisclosurePolicy())
    assert nothing_to_draw(protected, ["count"], rows=[0, 1])
    assert not nothing_to_draw(protected, ["count"])


def second_channel(trace) -> str | None:
    """What tells a series apart besides its colour: a bar's pattern, a marker's symbol or a line's dash."""
    if trace.type == "bar":
        return trace.marker.pattern.shape or ""
    if "markers" in (trace.mode or ""):
        return str(trace.marker.symbol or "circle")
    return trace.line.dash or "solid"


def series_by_kind(figure) -> dict[str, dict[str, tuple[str, str | None]]]:
    """Each kind of trace's named series in the legend: name -> (colour, second channel)."""
    found: dict[str, dict[str, tuple[str, str | None]]] = {}
    for trace in figure.data:
        if not trace.name or trace.showlegend is False or trace.type not in ("bar", "scatter"):
            continue
        kind = "bar" if trace.type == "bar" else "markers" if "markers" in (trace.mode or "") else "lines"
        colour = trace.marker.color if kind != "lines" else trace.line.color
        found.setdefault(kind, {})[trace.name] = (str(colour), second_channel(trace))
    return found


def test_colour_never_tells_series_apart_alone_in_any_chart_of_the_pack(sample_db):
    """Every chart the board pack and the pages draw for the sample: series of one kind that differ in colour differ
    in pattern, symbol or dash too (WCAG 1.4.1)."""
    store = Store(sample_db)
    try:
        drawn = [(figure.key, charts.draw(figure.chart))
                 for _, answered in board.answered(fetcher(store), Filters("2025-Q4", "2026-Q3"), DEFAULT_POLICY)
                 for figure in figures(answered.blocks) if figure.chart is not None]
    finally:
        store.close()
    checked = 0
    for key, figure in drawn:
        for kind, series in series_by_kind(figure).items():
            if len({colour for colour, _ in series.values()}) > 1:
                checked += 1
                assert len({channel for _, channel in series.values()}) == len(series), (key, kind, series)
    assert checked >= 10


@pytest.mark.parametrize("shares, drawn", [
    ([70.0, 25.0, 25.0], [70 / 1.2, 25 / 1.2, 25 / 1.2]),  # published parts past their total: a whole bar
    ([50.0, 30.0, 15.0], [50 / 0.95, 30 / 0.95, 15 / 0.95]),  # short of it, nothing withheld: still a whole bar
    ([70.0, None, 25.0], [70.0, 0.0, 25.0]),  # a part withheld: the rest is its hatched segment
    ([75.0, None, 50.0], [75 / 1.25, 0.0, 50 / 1.25]),  # a part withheld, the others past 100%: scaled to the bar
])
def test_an_outcome_bar_never_runs_past_100_percent_nor_stops_short_without_a_withheld_part(shares, drawn):
    """Published counts are rounded one by one, so their shares of a published total need not add up to 100%."""
    shown = pd.DataFrame({"Source": "Housing", sources_drawing.SHARE: shares})
    widths = sources_drawing.drawn_widths(shown, "Source")
    assert widths.tolist() == pytest.approx(drawn)
    assert widths.sum() <= 100 + 1e-9
