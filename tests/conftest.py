"""Shared fixtures: a store file on disk per test, and the validation entry point with a fixed 'today'."""
from __future__ import annotations

import datetime as dt

import pytest

from cseboard.ingest import prepare_path
from cseboard.store import Store

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def store(tmp_path):
    """A real DuckDB file on disk, closed after the test."""
    opened = Store(tmp_path / "store" / "cse.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def prepare():
    """Validate a folder as the shell command and the upload page do, with today fixed."""
    def run(folder, period=None, **kwargs):
        return prepare_path(folder, period=period, today=TODAY, **kwargs)
    return run
