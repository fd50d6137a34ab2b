"""A question's answer worked out once and shared by every session: its section, its Plotly figures and its CSV files.

Twenty board members opening the same link ask for the same view; the server computes it once (the first asks, the
others wait for it) and then only sends it. The key is everything the answer depends on: the question, the store
file and its version (a load or an undo is seen at once), the filters, the disclosure policy and the page's own
settings, which are exactly the arguments of the question's section function. Nothing about who is asking enters
a section except through the policy, so exact figures computed for an analyst with protection off are kept under
that policy and never reach a session whose policy protects them.

An answer is shared, so nothing may change it: its section is frozen dataclasses, its mappings are read-only, and the
renderer only reads its tables and figures (pandas copies on write; Streamlit serialises a copy of a figure).
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import plotly.graph_objects as go
import streamlit as st

from cseboard.config import settings
from cseboard.display import charts, ui
from cseboard.filters import Filters
from cseboard.methods import disclosure
from cseboard.questions import (awareness, board, fairness, identification, linked, missing, rates, sources, training,
                                trends)
from cseboard.questions import section as sections
from cseboard.questions.section import Section

LOG = logging.getLogger("cseboard")
KEPT_ANSWERS = 512
"""Answers kept per server: every page at a few dozen filter settings; the oldest go first."""


@dataclass(frozen=True)
class Answer:
    """A section with what the screen sends of it, made once: each figure's Plotly chart and its table's CSV, by key."""

    section: Section
    figures: Mapping[str, go.Figure]
    csv: Mapping[str, bytes]


def answer(question: Callable[..., Section], filters: Filters, policy: disclosure.DisclosurePolicy,
           *settings) -> Answer:
    """question(ui.query, filters, policy, *settings), from the shared cache; settings must be plain values."""
    return _shared(question, filters, (policy, *settings), draw=True)


def worked_out(question: Callable[..., object], filters: Filters, *arguments):
    """question(ui.query, filters, *arguments): a plain value a page needs before it asks for its answer (whether
    there is anything to show, the choices it offers), from the same shared cache, so it costs a view nothing."""
    return _shared(question, filters, arguments, draw=False)


def _shared(question: Callable, filters: Filters, arguments: tuple, draw: bool):
    current = ui.store()
    return _answered(f"{question.__module__}:{question.__qualname__}", str(current.path), current.version(), filters,
                     tuple(tuple(value) if isinstance(value, list) else value for value in arguments), draw)


@st.cache_resource(max_entries=KEPT_ANSWERS, show_spinner=False)
def _answered(question: str, db_path: str, version: int, filters: Filters, arguments: tuple, draw: bool):
    module, name = question.split(":")
    built = getattr(importlib.import_module(module), name)(ui.query, filters, *arguments)
    return prepared(built) if draw else built


def prepared(answered: Section) -> Answer:
    """Draw each chart and write each table's CSV once, for every session that shows this section."""
    figures, csv = {}, {}
    for block in sections.figures(answered.blocks):
        if block.chart is not None:
            figures[block.key] = lean(charts.untitled(charts.draw(block.chart)))
        if block.table is not None:
            csv[block.key] = disclosure.safe_csv(block.table.display() if block.csv_frame is None else block.csv_frame)
    return Answer(answered, MappingProxyType(figures), MappingProxyType(csv))


def lean(figure: go.Figure) -> go.Figure:
    """The figure with only the part of its template it uses (the layout and its own kinds of trace): the template's
    defaults for two dozen other kinds were most of a small chart's bytes."""
    template = figure.layout.template
    kinds = {trace.type for trace in figure.data}
    figure.layout.template = go.layout.Template(
        layout=template.layout, data={kind: getattr(template.data, kind) for kind in kinds if getattr(template.data, kind)})
    return figure


def default_views(filters: Filters, policy: disclosure.DisclosurePolicy) -> list[tuple[Callable[..., Section], tuple]]:
    """Each question page's answer as a link without settings opens it: the question and the settings its widgets
    start from (the same expressions as the pages, so that the keys match)."""
    config = settings()
    crimes = linked.KINDS["Linked crimes"]
    target = round(100 * config.training_target) / 100
    return [
        (board.findings_section, ()),
        (trends.headline_with_signals, ()),
        (trends.section, ()),
        (identification.section, (100 * config.boys_benchmark / 100, "area")),
        (missing.section, (False,)),
        (linked.section, (crimes, worked_out(linked.items_by_frequency, filters, crimes)[:3])),
        (sources.section, ()),
        (rates.section, ()),
        (fairness.section, ()),
        (awareness.section, ()),
        (training.section, (target, training.AGENCY if worked_out(training.has_figures, filters, policy) else None)),
    ]


def warm() -> int:
    """Work out every question's default view (protection on) before the first visitor asks: opening the store,
    loading the sample into an empty one and the queries then happen at server start. Returns the answers made."""
    current = ui.store()
    filters = ui.default_filters(current)
    if filters is None:
        return 0
    policy = disclosure.DisclosurePolicy(threshold=settings().suppression_threshold)
    made = 0
    for question, chosen in default_views(filters, policy):
        try:
            answer(question, filters, policy, *chosen)
            made += 1
        except Exception:  # a view that cannot be worked out now is worked out, or fails, for its first visitor
            LOG.exception("warm-up: %s not worked out", question.__module__)
    return made
