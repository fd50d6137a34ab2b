"""A question's answer is computed once and shared by every session, but never across disclosure policies or store
versions, and drawing it changes nothing in it."""
from __future__ import annotations

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
from conftest import data_tables, local_session

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/questions/age_gender.py"
PROTECTED, EXACT = DisclosurePolicy(), DisclosurePolicy(enabled=False)


@pytest.fixture
def counted(monkeypatch, sample_db_copy):
    """The Age and gender answers made (each as the policy its tables were protected under); empty caches, the
    sample's store."""
    monkeypatch.setenv("CSEBOARD_DB", str(sample_db_copy))
    monkeypatch.setenv("CSEBOARD_DEMO_DB", str(sample_db_copy))  # the warm-up and direct calls run as the demo does
    st.cache_data.clear()
    st.cache_resource.clear()
    made = []
    original = answers.prepared

    def prepared(answered):
        made.append(original(answered))
        return made[-1]

    monkeypatch.setattr(answers, "prepared", prepared)
    yield made
    st.cache_data.clear()
    st.cache_resource.clear()


def policies(made: list[answers.Answer]) -> list[DisclosurePolicy]:
    """The policy of each Age and gender answer made."""
    return [sections.figures(answer.section.blocks)[0].table.policy for answer in made
            if answer.section.question == "age_gender"]


def session(role: str, exact: bool = False, page: str = PAGE) -> AppTest:
    """A new session signed in with the role on a page (caches kept, as another visitor to the same server); exact:
    the protection switch turned off, which only a role that may switch it off gets."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets["cseboard"] = {"sign_in": "local"}
    at.session_state[ui.SESSION_KEY] = local_session(settings().db_path, role)
    at.session_state[ui.UNSUPPRESS_KEY] = exact
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> list[str]:
    """Every table's cells as the session shows them."""
    return [frame.value.to_csv() for frame in data_tables(at)]


def test_sessions_opening_the_same_view_share_one_computation(counted):
    first = session("viewer")
    second = session("viewer")
    assert policies(counted) == [PROTECTED]
    assert shown(first) == shown(second)


def test_exact_figures_for_an_analyst_never_reach_a_viewer(counted):
    exact = session("analyst", exact=True)
    viewer = session("viewer", exact=True)  # a viewer cannot switch protection off, even by the state
    protected = session("analyst")
    assert policies(counted) == [EXACT, PROTECTED]
    assert shown(viewer) == shown(protected) != shown(exact)


def test_a_new_load_is_answered_afresh(counted):
    quarters = ui.store().quarters()
    filters = Filters(quarters[-4], quarters[-1])
    before = answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area")
    assert answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area") is before
    load(ui.store(), prepare_path(SAMPLE_DIR))  # the same extract again: a new store version
    after = answers.answer(identification.section, filters, PROTECTED, settings().boys_benchmark, "area")
    assert after is not before and policies(counted) == [PROTECTED, PROTECTED]


def test_drawing_an_answer_changes_nothing_in_it(counted):
    session("viewer")
    shared = next(answer for answer in counted if answer.section.question == "age_gender")
    before = fingerprint(shared)
    session("viewer").run()
    assert policies(counted) == [PROTECTED] and fingerprint(shared) == before


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
def test_the_first_visitor_finds_the_default_view_made_at_start(page, counted):
    assert answers.warm() == len(answers.default_views(ui.default_filters(ui.store()), PROTECTED))
    made = len(counted)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)  # the demo, as make run serves it
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception and len(counted) == made
