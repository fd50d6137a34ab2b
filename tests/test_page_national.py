"""The national benchmarks page under AppTest, and keeping imports in the store, on small files of the DfE formats."""
from __future__ import annotations

import pandas as pd
import pytest

from cseboard.questions import national
from cseboard.store.database import Store
from conftest import data_tables
from factory import rows
from tests import national_fixtures as fx

PAGE = "pages/questions/national.py"
WRITERS = {"factors": fx.write_factors, "population": fx.write_population, "neighbours": fx.write_neighbours}


def upload(at, tmp_path, **rows_by_kind):
    """Put the fixture files (or the rows given for a kind) in the page's uploaders and press Import."""
    for kind, write in WRITERS.items():
        folder = tmp_path / kind
        folder.mkdir(exist_ok=True)
        path = write(folder, rows_by_kind.get(kind))
        at.file_uploader(key=f"national_{kind}").set_value((path.name, path.read_bytes(), "text/csv"))
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def comparison(at) -> pd.DataFrame:
    return next(frame.value for frame in data_tables(at) if "Factor" in frame.value.columns).set_index(["Year", "Factor"])


def choose(at, la_code: str):
    at.selectbox(key="national_la").set_value(la_code).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_before_any_import_the_page_asks_for_the_files(app, sample_db_copy):
    at = app(PAGE, db=sample_db_copy, role="analyst")
    assert any("To see the comparison, import" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_a_first_visit_says_what_the_page_will_show_where_the_files_are_and_how_long_the_import_takes(
        app, tiny_store):
    at = app(PAGE, db=tiny_store(referrals=rows("referrals", 30, referral_date="2026-05-10")))
    shown = "\n".join(str(element.value) for element in [*at.markdown, *at.caption, *at.header, *at.subheader])
    assert "What this page will show" in shown and "one chart per factor" in shown
    assert "explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need" in (
        shown.replace("\\", ""))
    assert "statistical-neighbour-benchmarking-tool" in shown.replace("\\", "")
    assert "importing them here takes a few seconds" in shown


@pytest.mark.parametrize("la_code, name, cse_2025, region_name, region_2025", [
    ("101", "Northby, City of", "15.0", "North East", "18.0"),   # 30 / 20,000; region 360 / 200,000
    ("112", "Riverside", "20.0", "London", "10.0"),              # 20 / 10,000; London 400 / 400,000, not Inner London
])
def test_rates_match_a_hand_computation(app, sample_db_copy, tmp_path, la_code, name, cse_2025, region_name,
                                        region_2025):
    at = choose(upload(app(PAGE, db=sample_db_copy, role="analyst"), tmp_path), la_code)
    table = comparison(at)
    cse = table.loc[(2025, "Child sexual exploitation")]
    assert cse[f"{name}: per 10,000 children"] == cse_2025
    assert cse["England: per 10,000 children"] == "10.0"  # 1,000 / 1,000,000
    assert (cse["Region"], cse["Region: per 10,000 children"]) == (region_name, region_2025)
    assert len(at.get("plotly_chart")) == len(national.FACTORS)
    assert any(national.CAVEAT == caption.value for caption in at.caption)


def test_dfe_symbols_stay_symbols_and_published_small_numbers_are_not_suppressed_again(app, sample_db_copy, tmp_path):
    at = choose(upload(app(PAGE, db=sample_db_copy, role="analyst"), tmp_path), "101")
    table = comparison(at)
    trafficking = table.loc[(2025, "Trafficking")]
    assert trafficking["Northby, City of: assessments with the factor"] == "c"
    assert trafficking["Northby, City of: per 10,000 children"] == "c"
    assert trafficking["Statistical neighbours' median: per 10,000 children"] == "no figure"
    assert table.loc[(2024, "Trafficking"), "Northby, City of: assessments with the factor"] == "3"
    assert table.loc[(2025, "Child sexual exploitation"), "Statistical neighbours' median: per 10,000 children"] == "22.5"
    assert any("Trafficking, 2025: Northby, City of shows 'c' (suppressed)" in m.value for m in at.markdown)
    assert any("applies no further suppression" in info.value for info in at.info)


def test_the_import_survives_a_restart_and_a_new_file_replaces_the_old(app, sample_db_copy, tmp_path):
    upload(app(PAGE, db=sample_db_copy, role="analyst"), tmp_path)
    restarted = choose(app(PAGE, db=sample_db_copy, role="analyst"), "101")
    assert comparison(restarted).loc[(2025, "Child sexual exploitation"), "Northby, City of: per 10,000 children"] == "15.0"
    rows = fx.factor_rows()
    for row in rows:
        if row["time_period"] == "2025" and row["old_la_code"] == "101":
            row["Child_sexual_exploitation"] = "40"
    at = choose(upload(restarted, tmp_path, factors=rows), "101")
    assert comparison(at).loc[(2025, "Child sexual exploitation"), "Northby, City of: per 10,000 children"] == "20.0"


def test_a_wrong_file_is_explained_and_nothing_is_imported(app, sample_db_copy, tmp_path):
    at = app(PAGE, db=sample_db_copy, role="analyst")
    path = fx.write_population(tmp_path)
    at.file_uploader(key="national_factors").set_value(("population.csv", path.read_bytes(), "text/csv"))
    at.button[0].click().run()
    assert not at.exception
    assert any(error.value.startswith("population.csv is not the DfE children in need") for error in at.error)
    assert any("Nothing was imported" in info.value for info in at.info)
    store = Store(sample_db_copy)
    assert national.imports(store.cursor()).empty
    store.close()


def test_save_and_load_give_back_what_was_read(store, tmp_path):
    read = {kind: national.READERS[kind](write(tmp_path)) for kind, write in WRITERS.items()}
    national.save_imports(store.cursor(), read, {kind: f"{kind}.csv" for kind in read})
    loaded = national.load_imports(store.cursor())
    assert set(loaded) == set(read)
    pd.testing.assert_frame_equal(national.compare(*(loaded[k] for k in WRITERS), "101"),
                                  national.compare(*(read[k] for k in WRITERS), "101"), check_dtype=False)
    assert loaded["factors"]["symbol"].map(lambda symbol: symbol is None or isinstance(symbol, str)).all()


def test_a_failed_save_changes_nothing(store, tmp_path):
    read = {kind: national.READERS[kind](write(tmp_path)) for kind, write in WRITERS.items()}
    national.save_imports(store.cursor(), read, {kind: f"{kind}.csv" for kind in read})
    broken = {"factors": read["factors"].head(3), "population": read["population"].drop(columns="geographic_level")}
    with pytest.raises(Exception):
        national.save_imports(store.cursor(), broken, {kind: "broken.csv" for kind in broken})
    assert len(national.load_imports(store.cursor())["factors"]) == len(read["factors"])
    assert set(national.imports(store.cursor())["file_name"]) == {"factors.csv", "population.csv", "neighbours.csv"}


def test_removing_an_extract_leaves_the_national_tables_alone(sample_db_copy, tmp_path):
    store = Store(sample_db_copy)
    read = {kind: national.READERS[kind](write(tmp_path)) for kind, write in WRITERS.items()}
    national.save_imports(store.cursor(), read, {kind: f"{kind}.csv" for kind in read})
    store.remove(int(store.extracts().extract_id.iloc[0]))
    assert store.is_empty() and len(national.load_imports(store.cursor())) == len(WRITERS)
    store.close()
