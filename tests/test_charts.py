"""House-style chart helpers."""
import pandas as pd

from cseboard.questions.section import nothing_to_draw
from cseboard.display import charts
from cseboard.methods.disclosure import DisclosurePolicy, protect


def test_nothing_to_draw_when_every_figure_is_withheld_or_zero():
    table = pd.DataFrame({"group": ["a", "b", "c"], "count": [3, 0, 40], "count (cell key)": [255, 0, 7]})
    protected = protect(table, counts=["count"], policy=DisclosurePolicy())
    assert nothing_to_draw(protected, ["count"], rows=[0, 1])
    assert not nothing_to_draw(protected, ["count"])
