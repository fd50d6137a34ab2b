"""The history page under AppTest: the table of loaded extracts, their quality, and undo that restores exactly."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from bad_inputs import extract_zip
from conftest import TODAY, assert_same_snapshot, texts
from cseboard.display import ui
from cseboard.intake import quality
from cseboard.intake.ingest import load, prepare_uploads
from cseboard.store.database import Store
from factory import rows


def load_second(db, **referral_overrides) -> dict:
    """Load a small extract for 2026-Q3 on top of the sample; returns the snapshot from before it."""
    store = Store(db)
    before = store.snapshot()
    prepared = prepare_uploads([("q3.zip", extract_zip(referrals=rows("referrals", 5, referral_date="2026-08-01",
                                                                      **referral_overrides)))], today=TODAY)
    assert prepared.ok, prepared.report.text()
    load(store, prepared)
    store.close()
    return before


def test_table_lists_each_extract_with_period_and_quality_and_the_chosen_ones_hash_and_rows(app, partnership_db_copy):
    load_second(partnership_db_copy)
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="administrator")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Extract", "Period", "Shown for", "Quality", "Loaded"]
    assert table.Extract.tolist() == [2, 1]
    assert table.Period.tolist() == ["2026-Q3", "2023-Q4 to 2026-Q3"]
    assert table["Shown for"].tolist() == ["2026-Q3", "2023-Q4 to 2026-Q2"]
    assert all(q.endswith(" red") and "green" in q for q in table.Quality)
    at.selectbox(key="history_quality").set_value(1).run()
    details = next(frame.value for frame in at.dataframe if "Detail" in frame.value.columns)
    details = details.set_index("Detail")["Extract 1"]
    assert details["Training rows"] == "288" and details["Source"]
    assert len(details["File hash (SHA-256, first 12 characters)"]) == 12
    assert {"Referrals", "Missing episodes", "Population rows", "Warnings"} <= set(details.index)


def test_every_heading_an_analyst_sees_is_in_words(app, partnership_db_copy):
    """No stored name (risk_level, referral_ids, second_starts) as a heading or as a value naming a column."""
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="analyst")
    frames = [frame.value for frame in at.dataframe]
    headings = [str(column) for frame in frames for column in frame.columns]
    assert {"Referrals", "Second episode starts", "Column"} <= set(headings)
    assert not [heading for heading in headings if "_" in heading or heading[:1].islower()]
    completeness = next(frame for frame in frames if "Column" in frame.columns)
    assert "Risk level" in completeness.Column.tolist() and not completeness.Column.str.contains("_").any()
    rag = next(frame for frame in frames if "Measure" in frame.columns)
    assert not rag.Figure.str.contains("_").any()


def test_quality_report_of_the_chosen_extract_is_shown_in_full_to_an_analyst(app, partnership_db_copy):
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="analyst")
    rag = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert rag.Measure.tolist()[:2] == ["Gender not known", "Ethnicity not known"]
    assert "Recording quality:" in texts(at.markdown)
    from cseboard.display import ui
    stored = json.loads(ui.open_store(str(partnership_db_copy)).extracts().quality_json[0])
    assert [r["figure"] for r in stored["rag"]] == rag.Figure.tolist()
    assert any("completeness" in expander.label for expander in at.expander)


def test_a_viewer_gets_no_quality_report_figures_or_record_level_examples(app, partnership_db_copy):
    """Issue 18: the report's figures are exact counts of records and its detail shows records: analysts only, so
    the server refuses the page before any of it is drawn."""
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="viewer")
    assert "may not see the extract history" in texts(at.error)
    assert not at.main.dataframe and not at.main.expander and not at.main.selectbox
    assert "Recording quality:" not in texts(at.markdown)


def test_undo_explains_what_comes_back_and_restores_the_exact_previous_state(app, partnership_db_copy):
    before = load_second(partnership_db_copy, area="Riverside")
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="administrator")
    assert at.selectbox(key="history_remove").value == 2
    warning = texts(at.warning)
    assert "Removing extract 2 deletes its rows from the store." in warning
    assert "Extract 1 comes back for 2026-Q3." in warning
    assert at.button(key="history_confirm").disabled
    at.checkbox(key="history_remove_confirmed").check().run()
    assert at.checkbox(key="history_remove_confirmed").label == (
        "Yes, remove " + ui.plain("extract 2 (q3.zip, 2026-Q3 to 2026-Q3, 5 referrals)"))
    at.button(key="history_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert texts(at.success).startswith("Removed extract 2 ")
    assert texts(at.success).endswith(". Extract 1 comes back for 2026-Q3.")
    assert_same_snapshot(before, ui.open_store(str(partnership_db_copy)).snapshot())
    assert at.dataframe[0].value.Extract.tolist() == [1]


def test_removing_an_older_extract_says_the_newer_one_stays(app, partnership_db_copy):
    load_second(partnership_db_copy)
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="administrator")
    at.selectbox(key="history_remove").set_value(1).run()
    warning = texts(at.warning)
    assert "No extract covers 2023-Q4 to 2026-Q2 after this: those quarters will have no data." in warning
    assert "2026-Q3 stay as they are: the newer extract 2 is shown for them." in warning


def test_removing_the_last_extract_leaves_an_empty_dashboard_without_errors(app, partnership_db_copy):
    at = app(page="pages/data/history.py", db=partnership_db_copy, role="administrator")
    at.checkbox(key="history_remove_confirmed").check().run()
    at.button(key="history_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No extract is loaded." in texts(at.info)
    at.switch_page("pages/overview/home.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No extract is loaded yet" in texts(at.info)


def test_undo_notes_and_history_table_from_the_package():
    history = pd.DataFrame({
        "extract_id": [3, 2, 1], "source_name": ["c", "b", "a"],
        "period_start": ["2025-Q2", "2025-Q1", "2024-Q1"], "period_end": ["2025-Q2", "2025-Q3", "2025-Q1"],
        "loaded_at": pd.to_datetime(["2026-01-03", "2026-01-02", "2026-01-01"]), "files_sha256": ["f" * 64] * 3,
        "rows_referrals": [1, 2, 3], "rows_missing_episodes": [0, 0, 0], "rows_training": [0, 0, 0],
        "rows_population": [0, 0, 0], "rows_awareness": [0, 0, 0], "warnings": [0, 0, 0], "quality_json": [None, None, None]})
    assert quality.shown_from(history)["2025-Q2"] == 3 and quality.shown_from(history)["2024-Q4"] == 1
    assert quality.undo_notes(history, 2) == [
        "Extract 1 comes back for 2025-Q1.", "No extract covers 2025-Q3 after this: those quarters will have no data.",
        "2025-Q2 stay as they are: the newer extract 3 is shown for them."]
    assert quality.overlap_notes(history, "2024-Q4", "2025-Q2") == [
        "This replaces extract 1 (a) for 2024-Q4; the older one comes back if you undo this load on the Extract history page.",
        "This replaces extract 2 (b) for 2025-Q1; the older one comes back if you undo this load on the Extract history page.",
        "This replaces extract 3 (c) for 2025-Q2; the older one comes back if you undo this load on the Extract history page."]
    table = quality.history_table(history)
    assert table["Shown for"].tolist() == ["2025-Q2", "2025-Q1, 2025-Q3", "2024-Q1 to 2024-Q4"]
    assert table.Quality.tolist() == ["not assessed"] * 3


@pytest.mark.parametrize("page", [None, "pages/data/history.py", "pages/data/upload.py"])
def test_a_damaged_store_gets_a_plain_message_on_every_page(app, sample_db_copy, page):
    data = bytearray(sample_db_copy.read_bytes())
    data[:64] = b"\xde\xad\xbe\xef" * 16
    sample_db_copy.write_bytes(bytes(data))
    at = app(page, db=sample_db_copy, role=None)  # nobody can sign in: the accounts are in the damaged store
    message = texts(at.error)
    assert f"The dashboard cannot open its store: the store file {sample_db_copy} is damaged" in message
    assert "put back your latest backup copy of cse.duckdb" in message
    assert not at.exception
