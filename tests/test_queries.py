"""Every query file loads and runs on a real store, binding only parameters (never string formatting)."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from cseboard.filters import Filters
from cseboard.store.queries import QueryError, query_names, query_parameters, query_text, run_query
from cseboard.store.database import Store
from factory import rows

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


# Children referred once and more than once, in one group and across groups, and one child recorded as Male on one
# referral and Female on another: the cases the boys' share query counts by different routes.
BOYS_SHARE_REFERRALS = [
    ("C1", "2025-01-10", "Male", "Northgate", "Police"), ("C1", "2025-04-10", "Female", "Southfield", "Education"),
    ("C2", "2025-01-20", "Female", "Northgate", "Police"), ("C3", "2025-02-11", "Male", "Southfield", "Police"),
    ("C3", "2025-02-12", "Male", "Southfield", "Police"), ("C4", "2025-05-01", "Female", "Northgate", "Education"),
    ("C5", "2025-05-02", "Male", "Northgate", "Education"),
]


def boys_share_in_pandas(filters: Filters) -> list[tuple]:
    """Children and boys per group, worked out from the rows above with pandas, not with the store's SQL."""
    frame = pd.DataFrame(BOYS_SHARE_REFERRALS, columns=["child_id", "referral_date", "gender", "area", "referral_source"])
    frame["quarter"] = pd.PeriodIndex(pd.to_datetime(frame.referral_date), freq="Q").astype(str).str.replace("Q", "-Q")
    frame = frame[frame.quarter.between(filters.first_quarter, filters.last_quarter)]
    for name, column in [("areas", "area"), ("genders", "gender"), ("sources", "referral_source")]:
        if getattr(filters, name):
            frame = frame[frame[column].isin(getattr(filters, name))]
    frame = frame.assign(everyone="All children referred", boy=frame.gender.eq("Male"))
    counted = []
    for breakdown, column in [("all", "everyone"), ("area", "area"), ("quarter", "quarter"), ("referral_source", "referral_source")]:
        per_child = frame.groupby([column, "child_id"]).boy.any().reset_index()
        for group, children in per_child.groupby(column):
            counted.append((breakdown, group, len(children), int(children.boy.sum())))
    return sorted(counted)


@pytest.mark.parametrize("filters", [
    Filters("2025-Q1", "2025-Q2"), Filters("2025-Q1", "2025-Q2", areas=("Northgate",)),
    Filters("2025-Q1", "2025-Q2", genders=("Female",)), Filters("2025-Q2", "2025-Q2"),
    Filters("2025-Q1", "2025-Q2", sources=("Police",)),
], ids=lambda f: f.describe()[:60])
def test_boys_share_counts_each_child_once_per_group(tiny_store, filters):
    referrals = [{**rows("referrals", 1)[0], "referral_id": f"R{i}", "child_id": child, "referral_date": date,
                  "gender": gender, "area": area, "referral_source": source}
                 for i, (child, date, gender, area, source) in enumerate(BOYS_SHARE_REFERRALS, start=1)]
    store = Store(tiny_store(referrals=referrals))
    result = run_query(store.cursor(), "age_gender_boys_share", filters.params())
    store.close()
    assert sorted(map(tuple, result[["breakdown", "group", "children", "boys"]].values.tolist())) == boys_share_in_pandas(filters)
