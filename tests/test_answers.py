"""A question's answer is computed once and shared by every session, but never across disclosure policies or store
versions, and drawing it changes nothing in it."""
from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cseboard.config import SAMPLE_DIR, settings
from cseboard.display import answers, ui
from cseboard.filters import Filters
from cseboard.intake.ingest import load, prepare_path
from cseboard.methods.disclosure import DisclosurePolicy, ProtectedTable
from cseboard.questions import identification
from cseboard.questions import section as sections

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/questions/age_gender.py"
PROTECTED, EXACT = DisclosurePolicy(), DisclosurePolicy(enabled=False)


@pytest.fixture
def counted(monkeypatch, sample_db_copy):
    """The Age and gender question with a count of how often it is worked out; empty caches, the sample's store."""
    monkeypatch.setenv("CSEBOARD_DB", str(sample_db_copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    calls = []
    original = identification.section

    @functools.wraps(original)
    def section(*args, **kwargs):
        calls.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(identification, "section", section)
    yield calls
    st.cache_data.clear()
    st.cache_resource.clear()


def session(role: str, monkeypatch, exact: bool = False) -> AppTest:
    """A new session on the Age and gender page (caches kept, as another visitor to the same server)."""
    monkeypatch.setenv("CSEBOARD_ROLE", role)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[ui.UNSUPPRESS_KEY] = exact
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> list[str]:
    """Every table's cells as the session shows them."""
    return [frame.value.to_csv() for frame in at.dataframe]


def test_sessions_opening_the_same_view_share_one_computation(counted, monkeypatch):
    first = session("viewer", monkeypatch)
    second = session("viewer", monkeypatch)
    assert counted == [PROTECTED]
    assert shown(first) == shown(second)


def test_exact_figures_for_an_analyst_never_reach_a_viewer(counted, monkeypatch):
    exact = session("analyst", monkeypatch, exact=True)
    viewer = session("viewer", monkeypatch, exact=True)  # a viewer cannot switch protection off, even by the state
    protected = session("analyst", monkeypatch)
    assert counted == [EXACT, PROTECTED]
    assert shown(viewer) == shown(protected) != shown(exact)


def test_a_new_load_is_answered_afresh(counted):
    quarters = ui.store().quarters()
    filters = Filters(quarters[-4], quarters[-1])
    before = answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area")
    assert answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area") is before
    load(ui.store(), prepare_path(SAMPLE_DIR))  # the same extract again: a new store version
    after = answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area")
    assert after is not before and len(counted) == 2


def test_drawing_an_answer_changes_nothing_in_it(counted, monkeypatch):
    at = session("viewer", monkeypatch)
    shared = answers.answer(identification.section, at.session_state[ui.FILTERS_KEY], PROTECTED,
                            settings().boys_benchmark, "area")
    before = fingerprint(shared)
    session("viewer", monkeypatch)
    at.run()
    assert counted == [PROTECTED] and fingerprint(shared) == before


def fingerprint(answer: answers.Answer) -> list:
    """Everything a session reads of an answer, as text: each figure's table and chart data, the Plotly JSON, the CSV."""
    def text(data):
        frames = [data.numeric, data.mask] if isinstance(data, ProtectedTable) else [data]
        return [frame.to_csv() if isinstance(frame, pd.DataFrame) else repr(frame) for frame in frames]

    return ([(figure.key, text(figure.table), figure.chart and text(figure.chart.data))
             for figure in sections.figures(answer.section.blocks)]
            + [(key, figure.to_json()) for key, figure in answer.figures.items()] + sorted(answer.csv.items()))


@pytest.mark.parametrize("page", ["pages/overview/home.py", PAGE, "pages/questions/missing.py",
                                  "pages/questions/crimes_vulnerabilities.py", "pages/questions/sources_outcomes.py",
                                  "pages/questions/areas.py", "pages/questions/training.py"])
def test_the_first_visitor_finds_the_default_view_made_at_start(page, counted, monkeypatch):
    assert answers.warm() == len(answers.default_views(ui.default_filters(ui.store()), PROTECTED))
    made = []
    monkeypatch.setattr(answers, "prepared", lambda answered: made.append(answered.question))
    monkeypatch.setenv("CSEBOARD_ROLE", "viewer")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception and made == []
