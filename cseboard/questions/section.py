"""A section: everything a reader sees of one question, as plain data that the screen and the board pack both render.

Text in a section is plain text: the renderers escape all of it, so nothing from an extract or a URL is ever read as
Markdown or HTML, and only a renderer adds emphasis. A chart is named, not drawn: display.charts draws each kind in
the house style, so a question needs neither Streamlit nor Plotly.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import pandas as pd

from cseboard.methods.disclosure import ProtectedTable

Fetch = Callable[..., pd.DataFrame]
"""fetch(query_name, filters, **parameters): a named query's result; the screen passes a cached one, the pack its own."""


@dataclass(frozen=True)
class Note:
    """A line of words: a caption under a chart, a subheading, or an info or warning box; lead is shown in bold before it
    (text then starts with its own space or colon), after the words in before if any; icon names a box's icon."""

    text: str
    tone: str = "caption"
    lead: str = ""
    before: str = ""
    icon: str | None = None


@dataclass(frozen=True)
class Definitions:
    """The definitions behind a chart, one term and its meaning per line; listed ones read as a list, not a caption."""

    terms: tuple[tuple[str, str], ...]
    listed: bool = False


@dataclass(frozen=True)
class Signal:
    """What a measure's SPC chart says, for its card: a sentence, and the variation and assurance it names
    (methods.spc's codes, None where there is none) that the renderers draw as Making Data Count icons."""

    sentence: str
    variation: str | None = None
    assurance: str | None = None


@dataclass(frozen=True)
class Metric:
    """One figure on a card, already in words ("1,395", "17.3%", "c"), with what it is compared with."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None
    trend: tuple[float, ...] | None = None
    footnote: str | None = None
    signal: Signal | None = None


@dataclass(frozen=True)
class Metrics:
    """A row of metric cards."""

    cards: tuple[Metric, ...]
    per_row: int = 3


@dataclass(frozen=True)
class Chart:
    """What to draw: kind names one of display.charts' drawings; data and options are what that drawing needs."""

    kind: str
    title: str
    data: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A chart (or the reason there is none), its caption, and the protected table behind it with its CSV name.

    key names the widgets on screen ({key}_chart, {key}_table, {key}_download); alt_text is the chart's text alternative.
    """

    key: str
    table: ProtectedTable | None = None
    file_name: str = ""
    chart: Chart | None = None
    too_small: str | None = None
    alt_text: str = ""
    caption: str = ""
    definitions: tuple[tuple[str, str], ...] = ()
    table_label: str = "Show the data"
    table_open: bool = False
    table_heading: str = ""
    table_frame: Any = None
    csv_frame: pd.DataFrame | None = None


@dataclass(frozen=True)
class Columns:
    """Blocks side by side (two half-width charts)."""

    columns: tuple[tuple["Block", ...], ...]


@dataclass(frozen=True)
class Tabs:
    """Blocks under tabs, one tuple of blocks per label."""

    labels: tuple[str, ...]
    tabs: tuple[tuple["Block", ...], ...]


@dataclass(frozen=True)
class Folded:
    """Blocks folded away under a label, for the reader who wants them (what a chart's symbols mean)."""

    label: str
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Slot:
    """Where a page's own widget stands (it is drawn by the page, before the section is built from its value)."""

    name: str


@dataclass(frozen=True)
class Finding:
    """A finding for the board in words, with the key of the figure it rests on, so the pack and home page link to it."""

    text: str
    figure: str = ""

    def sentence(self) -> str:
        """The finding as one full sentence, ending with a single full stop."""
        return self.text.rstrip(".") + "."


@dataclass(frozen=True)
class BoardFinding:
    """A finding for the board with the question it answers, so the pack and the home page link to it."""

    finding: Finding
    question: str
    question_title: str


@dataclass(frozen=True)
class Findings:
    """The findings for the board, as the pack opens with them and the home page shows them."""

    items: tuple[BoardFinding, ...]


Block = Union[Note, Definitions, Metrics, Figure, Columns, Tabs, Folded, Slot, Findings]


@dataclass(frozen=True)
class Section:
    """One question answered: the finding as a title, the findings in words, the blocks in reading order, caveats."""

    question: str
    title: str
    filters: str
    blocks: tuple[Block, ...]
    findings: tuple[Finding, ...] = ()
    caveats: tuple[str, ...] = ()


def no_data(what: str = "the filters chosen") -> Note:
    """In place of figures when no referral matches: say so, and how to widen the view."""
    return Note(f"No referrals match {what}. Widen the period or clear a filter in the sidebar.", tone="info")


def figures(blocks: tuple[Block, ...]) -> list[Figure]:
    """Every figure in a section's blocks, in reading order, however nested (for the pack and tests)."""
    found = []
    for block in blocks:
        if isinstance(block, Figure):
            found.append(block)
        elif isinstance(block, Columns):
            for column in block.columns:
                found.extend(figures(column))
        elif isinstance(block, Tabs):
            for tab in block.tabs:
                found.extend(figures(tab))
        elif isinstance(block, Folded):
            found.extend(figures(block.blocks))
    return found


def nothing_to_draw(protected: ProtectedTable, columns, rows=None) -> bool:
    """True when every figure a chart would draw is withheld, missing or zero: say so in words instead of a frame."""
    rows = protected.numeric.index if rows is None else rows
    values = protected.numeric.loc[rows, list(columns)].apply(pd.to_numeric, errors="coerce")
    hidden = protected.mask.loc[rows, list(columns)].to_numpy() | values.isna().to_numpy() | (values == 0).to_numpy()
    return bool(hidden.all())
