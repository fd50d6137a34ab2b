"""The upload page under AppTest: check first, explain, load only on confirmation, refuse bad files plainly."""
from __future__ import annotations

import pandas as pd
import pytest

from bad_inputs import CASES, extract_zip, referrals_with
from conftest import assert_same_snapshot, texts
from cseboard.intake import quality
from cseboard.intake.report import Report
from factory import rows


@pytest.fixture
def upload_page(app, partnership_db_copy):
    return app(page="pages/data/upload.py", db=partnership_db_copy, role="analyst")


def snapshot(db) -> dict:
    from cseboard.display import ui
    return ui.open_store(str(db)).snapshot()


def upload(at, *files):
    at.file_uploader(key="upload_files").set_value([(name, data, "application/octet-stream") for name, data in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_without_an_upload_asks_for_files(upload_page):
    at = upload_page
    assert at.title[0].value == "Load an extract"
    uploader = at.file_uploader(key="upload_files")
    assert uploader.accept_multiple_files
    assert sorted(t.lstrip(".") for t in uploader.allowed_type) == ["csv", "parquet", "xlsx", "zip"]
    assert "Choose or drop the extract's files" in texts(at.info)
    assert not [b for b in at.button if b.key == "upload_confirm"]


def test_good_extract_is_checked_previewed_and_loaded_only_on_confirm(upload_page, partnership_db_copy):
    at = upload(upload_page, ("extract.zip", extract_zip(referrals=rows("referrals", 6, referral_date="2026-10-01"),
                                                         training=rows("training", 1, period="2026-Q4"))))
    assert "This extract can load." in texts(at.success)
    assert [h.value for h in at.main.header] == ["Check", "What would be stored", "Data quality", "Load"]
    assert "No extract is loaded for 2026-Q4 to 2026-Q4 yet" in texts(at.info)
    preview = at.dataframe[0].value
    assert list(preview.columns)[:3] == ["referral_id", "child_id", "referral_date"] and len(preview) == 6
    assert preview.linked_crimes[0] == "drugs; gangs"
    assert any("Gender not known" in str(d.value.get("Measure", pd.Series()).tolist()) for d in at.dataframe)
    before = snapshot(partnership_db_copy)
    assert len(before["extracts"]) == 1
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert "Loaded extract 2: 2026-Q4 to 2026-Q4, 6 referrals." in texts(at.success)
    assert "These files were loaded as extract 2." in texts(at.success)
    assert not [b for b in at.button if b.key == "upload_confirm"]
    after = snapshot(partnership_db_copy)
    assert after["extracts"].extract_id.tolist() == [1, 2]
    assert after["extracts"].quality_json.notna().all()
    assert len(after["referrals"]) == len(before["referrals"]) + 6


def test_overlap_is_explained_before_loading(upload_page):
    at = upload(upload_page, ("referrals.csv", referrals_with({}, count=5).replace(b"2025-02-10", b"2026-08-01")))
    notes = texts(at.info)
    assert ("This replaces extract 1 (partnership) for 2026-Q3; the older one comes back if you undo this load "
            "on the Extract history page.") in notes


@pytest.mark.parametrize("case_id, shown", [
    ("postcode-in-area", "the value looks like a full postcode, which identifies a child"),
    ("zip-bomb", "this looks like a zip bomb and was refused"),
    ("path-traversal-zip", "the zip holds paths that point outside its folder"),
    ("binary-named-csv", "this is not a text CSV file"),
    ("identifying-heading", "the column looks like a date of birth"),
])
def test_refused_upload_says_why_and_writes_nothing(upload_page, partnership_db_copy, case_id, shown):
    case = next(c for c in CASES if c.id == case_id)
    before = snapshot(partnership_db_copy)
    files_before = sorted(p.name for p in partnership_db_copy.parent.iterdir())
    at = upload(upload_page, *case.uploads())
    errors = texts(at.error)
    assert "This extract cannot load" in errors and "Nothing has been written." in errors
    assert shown in errors
    assert "LS1 4AB" not in errors
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert "Nothing was stored; the dashboard is unchanged." in texts(at.info)
    assert_same_snapshot(before, snapshot(partnership_db_copy))
    assert sorted(p.name for p in partnership_db_copy.parent.iterdir()) == files_before


def test_every_problem_is_listed_by_rule_with_counts(upload_page):
    records = rows("referrals", 30)
    for record in records[:25]:
        record["age_at_referral"] = "18"
    records[26]["gender"] = "Boy?"
    from bad_inputs import csv_bytes
    at = upload(upload_page, ("referrals.csv", csv_bytes(records)))
    labels = [e.label for e in at.expander]
    assert ":material/cancel: Number out of range: 25 rows" in labels
    assert ":material/cancel: Not an allowed value: 1 row" in labels
    assert "Showing the first 20 of 25" in texts(at.caption)
    summary = next(d.value for d in at.dataframe if "Rule" in d.value.columns)
    assert summary[["Column", "Rule", "Rows"]].values.tolist() == [["age_at_referral", "out_of_range", 25],
                                                                   ["gender", "bad_choice", 1]]


def test_chosen_period_leaves_out_rows_outside_it(upload_page):
    at = upload_page
    at.radio(key="upload_period_mode").set_value("Choose the first and last quarter").run()
    at.selectbox(key="upload_first").set_value("2025-Q1").run()
    at.selectbox(key="upload_last").set_value("2025-Q1").run()
    records = rows("referrals", 3)
    records[2]["referral_date"] = "2025-05-01"
    from bad_inputs import csv_bytes
    upload(at, ("referrals.csv", csv_bytes(records)))
    assert "This extract can load, with 1 automatic fix or note." in texts(at.success)
    assert ":material/cancel:" not in " ".join(e.label for e in at.expander)
    assert ":material/build: Rows outside the period (left out): 1 row" in [e.label for e in at.expander]
    assert "**Period:** 2025-Q1 to 2025-Q1. **Rows:** 2 referrals." in texts(at.markdown)


def test_file_above_the_configured_limit_is_refused(app, partnership_db_copy, monkeypatch):
    monkeypatch.setenv("CSEBOARD_MAX_UPLOAD_BYTES", "4096")
    at = app(page="pages/data/upload.py", db=partnership_db_copy, role="analyst")
    upload(at, ("referrals.csv", referrals_with({}, count=60)))
    assert "File too large: referrals.csv: the file is" in texts(at.error)
    assert "above the limit of 4.0 KB" in texts(at.error)


def test_report_shaping_groups_and_titles():
    report = Report()
    report.error("a.csv", "bad_date", "not a date", row=2, column="referral_date", value="x")
    report.error("a.csv", "zip_bomb", "refused")
    report.warning("a.csv", "trimmed", "spaces", row=3, column="area")
    groups = quality.problem_groups(report, "error")
    assert [(g["title"], g["count"]) for g in groups] == [("Not a date", 1), ("Zip refused (would expand too far)", 1)]
    assert quality.headline_refusals(report) == ["Zip refused (would expand too far): a.csv: refused"]
    assert quality.verdict(report).startswith("This extract cannot load: 2 problems must be fixed first.")
    assert quality.summary_table(report).Rule.tolist() == ["zip_bomb", "bad_date", "trimmed"]
