"""Every query file loads and runs on a real store, binding only parameters (never string formatting)."""
from __future__ import annotations

import re

import duckdb
import pytest

from cseboard.filters import Filters
from cseboard.queries import QueryError, query_names, query_parameters, query_text, run_query
from cseboard.store import Store

FILTER_SETTINGS = [
    Filters("2023-Q4", "2026-Q3"),
    Filters("2025-Q1", "2025-Q4", areas=("Northgate",), genders=("Male",)),
    Filters("2026-Q3", "2026-Q3", age_bands=("Under 10",)),
    Filters("2024-Q1", "2024-Q1", areas=("No such area",)),
]
# Extra parameters some queries take beyond the shared filters, with a value to run them with.
EXTRA_PARAMETERS = {"benchmark": 0.33, "target": 0.9, "days_before": 90, "referred_only": True}


@pytest.fixture(scope="module")
def cursor(sample_db):
    """The sample store opened as the app opens it (DuckDB refuses a second, differently configured connection)."""
    opened = Store(sample_db)
    yield opened.cursor()
    opened.close()


@pytest.mark.parametrize("name", query_names())
def test_query_file_states_its_question_and_ends_in_final(name):
    text = query_text(name)
    assert text.startswith("--"), f"{name}.sql must open with a comment saying what it answers"
    assert re.search(r"\bfinal\s+AS\s*\(", text, re.IGNORECASE), f"{name}.sql must build a final step"
    assert re.search(r"SELECT \* FROM final\s*;?\s*$", text), f"{name}.sql must end by selecting from final"
    assert "{" not in text, f"{name}.sql must use bound $parameters, not string formatting"


@pytest.mark.parametrize("filters", FILTER_SETTINGS, ids=lambda f: f.describe()[:40])
@pytest.mark.parametrize("name", query_names())
def test_every_query_runs_for_each_filter_setting(cursor, name, filters):
    params = {**filters.params(), **EXTRA_PARAMETERS}
    unknown = query_parameters(name) - params.keys()
    assert not unknown, f"{name}.sql needs parameters the test does not know: {unknown}"
    result = run_query(cursor, name, params)
    assert len(result.columns) > 0


def test_unknown_query_and_missing_parameter_are_clear_errors(cursor):
    with pytest.raises(QueryError, match="there is no query named 'nope'"):
        run_query(cursor, "nope", {})
    with pytest.raises(QueryError, match="needs"):
        run_query(cursor, "headline_by_quarter", {})


def test_parameters_are_bound_not_pasted(cursor):
    hostile = Filters("2023-Q4", "2026-Q3", areas=("x'); DROP TABLE referrals; --",))
    result = run_query(cursor, "headline_by_quarter", hostile.params())
    assert result.empty
    assert cursor.execute("SELECT count(*) FROM referrals").fetchall()[0][0] == 3000


def test_store_views_refuse_writes_in_read_only_mode(sample_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(sample_db.read_bytes())
    opened = Store(copy, read_only=True)
    with pytest.raises(duckdb.Error):
        opened.cursor().execute("DELETE FROM referrals")
    opened.close()
