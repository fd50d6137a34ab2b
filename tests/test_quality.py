"""The data-quality report: each measure on small extracts built in code, its RAG thresholds, and that it is kept."""
from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from cseboard.intake import quality
from cseboard.intake.ingest import load
from cseboard.tools.load import main as load_command
from factory import rows, write_extract


def rag(found: dict) -> dict[str, tuple[str, str]]:
    return {r["key"]: (r["rating"], r["figure"]) for r in found["rag"]}


def assessed(tmp_path, prepare, period=None, **tables):
    prepared = prepare(write_extract(tmp_path / "x", **tables), period=period)
    assert prepared.ok, prepared.report.text()
    return prepared.quality


@pytest.mark.parametrize("unknown, rating", [(0, "Green"), (1, "Green"), (2, "Amber"), (3, "Red")])
def test_gender_not_known_is_rated_against_its_thresholds(tmp_path, prepare, unknown, rating):
    records = rows("referrals", 50)
    for record in records[:unknown]:
        record["gender"] = "0"  # the CIN census code for not known
    found = assessed(tmp_path, prepare, referrals=records)
    assert rag(found)["gender_not_known"] == (rating, f"{unknown} of 50 referrals ({2 * unknown}%)")


def test_completeness_counts_empty_and_not_known_and_calls_out_ethnicity(tmp_path, prepare):
    records = rows("referrals", 10)
    for record in records[:3]:
        record["ethnicity"] = "NOBT"  # DfE code: information not yet obtained
    records[0]["linked_crimes"] = ""
    records[1]["risk_level"] = "Not assessed"
    found = assessed(tmp_path, prepare, referrals=records)
    columns = {(c["table"], c["column"]): c for c in found["completeness"]}
    assert columns[("referrals", "ethnicity")] | {} == {**columns[("referrals", "ethnicity")], "not_known": 3, "share": 0.3}
    assert columns[("referrals", "linked_crimes")]["empty"] == 1 and not columns[("referrals", "linked_crimes")]["gap"]
    assert rag(found)["ethnicity_not_known"] == ("Red", "3 of 10 referrals (30%)")
    assert rag(found)["other_not_known"] == ("Amber", "Risk level: 1 of 10 (10%)")
    table = quality.completeness_table(found)
    assert table.iloc[0][["Table", "Column", "Share missing"]].tolist() == ["Referrals", "Ethnicity", "30.0%"]


def test_possible_duplicates_are_the_same_child_day_and_source(tmp_path, prepare):
    records = rows("referrals", 4)
    records[1]["child_id"] = "C1"
    records[2]["child_id"] = "C1"
    records[2]["referral_source"] = "Health"
    found = assessed(tmp_path, prepare, referrals=records)
    assert found["duplicates"]["possible_duplicates"] == 1
    assert found["duplicates"]["samples"] == [
        {"referral_ids": "R1, R2", "referral_date": "2025-02-10", "referral_source": "Police"}]
    assert rag(found)["possible_duplicates"] == ("Red", "1 of 4 referrals")


def test_impossible_age_changes_allow_a_year_per_year_plus_one(tmp_path, prepare):
    records = rows("referrals", 7)
    plan = [("A", "2025-01-10", "14"), ("A", "2025-03-01", "12"),  # age falls
            ("B", "2025-01-10", "13"), ("B", "2025-02-10", "16"),  # three years older a month later
            ("C", "2025-01-10", "13"), ("C", "2025-03-30", "14"),  # a birthday: fine
            ("D", "2025-02-01", "15")]
    for record, (child, day, age) in zip(records, plan):
        record.update(child_id=child, referral_date=day, age_at_referral=age)
    found = assessed(tmp_path, prepare, referrals=records)
    ages = found["ages"]
    assert (ages["pairs"], ages["children"], ages["children_with_repeats"]) == (2, 2, 3)
    assert [s["why"] for s in ages["samples"]] == ["age rises too fast", "age falls"]
    assert ages["samples"][1] == {"referral_ids": "R1 then R2", "dates": "2025-01-10 then 2025-03-01",
                                  "ages": "14 then 12", "why": "age falls"}
    assert rag(found)["impossible_ages"] == ("Red", "2 of 3 children referred more than once")


def test_rows_outside_the_period_are_counted(tmp_path, prepare):
    records = rows("referrals", 4)
    records[0]["referral_date"] = "2024-12-01"
    found = assessed(tmp_path, prepare, period=("2025-Q1", "2025-Q1"), referrals=records)
    assert found["outside_period"] == {"rows": 1, "by_file": {"referrals.csv": 1}}
    assert found["rows"] == {"referrals": 3}
    assert rag(found)["outside_period"] == ("Red", "1 of 4 rows left out")


def test_overlapping_missing_episodes_of_one_child(tmp_path, prepare):
    episodes = rows("missing_episodes", 5)
    spans = [("C1", "2025-02-01", "2025-02-05"), ("C1", "2025-02-03", "2025-02-04"),
             ("C2", "2025-02-01", ""), ("C2", "2025-03-01", "2025-03-02"),
             ("C3", "2025-02-01", "2025-02-02")]
    for record, (child, start, end) in zip(episodes, spans):
        record.update(child_id=child, start_date=start, end_date=end, return_interview_date="")
    found = assessed(tmp_path, prepare, missing_episodes=episodes)
    missing = found["missing"]
    assert (missing["end_before_start"], missing["overlapping_pairs"], missing["overlapping_episodes"]) == (0, 2, 4)
    assert missing["samples"][1] == {"episodes": "E3 and E4", "first": "2025-02-01 to still missing",
                                     "second_starts": "2025-03-01"}
    assert rag(found)["missing_inconsistent"] == ("Red", "4 of 5 episodes")


def test_checks_that_validation_already_refuses_still_count_on_their_own():
    episodes = pa.table({"episode_id": ["E1"], "child_id": ["C1"], "start_date": [dt.date(2025, 2, 2)],
                         "end_date": [dt.date(2025, 2, 1)]})
    assert quality.missing_consistency(episodes)["end_before_start"] == 1
    training = pa.table({"period": ["2025-Q1"], "agency": ["Police"], "level": ["Awareness"],
                         "staff_in_scope": [10], "staff_trained": [12]})
    assert quality.training_consistency(training)["trained_exceeds_scope"] == 1
    found = quality.assess({"training": training})
    assert rag(found)["training_inconsistent"] == ("Red", "1 of 1 training rows")
    assert rag(found)["gender_not_known"] == ("Not rated", "no referrals")


def test_tables_missing_from_the_extract_are_not_rated(tmp_path, prepare):
    found = assessed(tmp_path, prepare)
    assert rag(found)["missing_inconsistent"] == ("Not rated", "no missing episodes table")
    assert rag(found)["training_inconsistent"] == ("Not rated", "no training table")
    assert quality.rag_line(found) == "6 green, 0 amber, 0 red"
    assert [m.label for m in quality.MEASURES] == quality.rag_table(found).Measure.tolist()


def test_thresholds_are_documented_with_each_measure():
    assert quality.MEASURES_BY_KEY["gender_not_known"].thresholds() == "Green ≤ 2%, Amber ≤ 5%, Red above"
    assert quality.MEASURES_BY_KEY["possible_duplicates"].thresholds() == "Green none, Amber ≤ 1%, Red above"
    assert quality.MEASURES_BY_KEY["training_inconsistent"].thresholds() == "Green none, Red any"
    assert "Green up to 2% of referrals, Amber up to 5%, Red above" in quality.__doc__


def test_the_report_is_kept_with_the_extract_by_the_page_and_the_shell(tmp_path, store, prepare):
    prepared = prepare(write_extract(tmp_path / "x", missing_episodes=rows("missing_episodes", 2)))
    load(store, prepared)
    kept = json.loads(store.extracts().quality_json[0])
    assert kept == json.loads(json.dumps(prepared.quality))
    assert kept["rows"] == {"referrals": 3, "missing_episodes": 2}
    db = tmp_path / "cli.duckdb"
    assert load_command([str(tmp_path / "x"), "--db", str(db)]) == 0
    from cseboard.store.database import Store
    opened = Store(db, read_only=True)
    assert json.loads(opened.extracts().quality_json[0])["rag"] == kept["rag"]
    opened.close()
