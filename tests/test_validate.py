"""The contract, rule by rule: good extracts load, each bad input gets its exact message."""
from __future__ import annotations

import pytest

from factory import rows, write_csv, write_extract


def only_errors(prepared):
    return [(p.file, p.row, p.column, p.rule, p.message) for p in prepared.report.errors]


def test_good_extract_passes_with_every_table(tmp_path, prepare):
    folder = write_extract(tmp_path / "x", referrals=rows("referrals", 3), missing_episodes=rows("missing_episodes", 2),
                           training=rows("training", 1), population=rows("population", 1))
    prepared = prepare(folder)
    assert prepared.ok, prepared.report.text()
    assert {name: prepared.extract.rows(name) for name in prepared.extract.tables} == {
        "referrals": 3, "missing_episodes": 2, "training": 1, "population": 1}
    assert (prepared.extract.period_start, prepared.extract.period_end) == ("2025-Q1", "2025-Q1")


CELL_RULES = [
    ("referral_date", "2025-02-30", "bad_date", "not a date; use YYYY-MM-DD or DD/MM/YYYY"),
    ("referral_date", "2027-01-01", "future_date", "the date is in the future"),
    ("referral_date", "1990-05-01", "old_date", "the date is before 2000; is it a date of birth?"),
    ("referral_date", "", "required", "the value is empty but the column is required"),
    ("age_at_referral", "18", "out_of_range", "the number must be at least 0 and at most 17"),
    ("age_at_referral", "-1", "out_of_range", "the number must be at least 0 and at most 17"),
    ("age_at_referral", "fourteen", "bad_integer", "not a whole number"),
    ("gender", "Boy?", "bad_choice", "not an allowed value; use one of: Male, Female, Other, Not known"),
    ("looked_after", "maybe", "bad_choice", "not an allowed value; use yes or no"),
    ("risk_level", "Severe", "bad_choice", "not an allowed value; use one of: Low, Medium, High, Not assessed"),
    ("linked_crimes", "drugs;arson", "bad_list_item",
     "holds an item not in the list; separate items with ';' and use: trafficking, domestic_abuse, "
     "intimate_partner_violence, online_grooming, abusive_images, drugs, gangs, immigration, domestic_servitude, "
     "criminal_exploitation"),
]


@pytest.mark.parametrize("column, value, rule, message", CELL_RULES, ids=[f"{c[0]}-{c[2]}" for c in CELL_RULES])
def test_each_cell_rule_names_file_row_column_and_why(tmp_path, prepare, column, value, rule, message):
    records = rows("referrals", 3)
    records[1][column] = value
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    assert not prepared.ok
    assert only_errors(prepared) == [("referrals.csv", 3, column, rule, message)]
    assert prepared.extract.tables == {}


def test_all_problems_are_reported_not_just_the_first(tmp_path, prepare):
    records = rows("referrals", 4)
    records[0]["age_at_referral"] = "19"
    records[2]["gender"] = "x"
    records[3]["referral_id"] = "R1"
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    assert {(p.row, p.rule) for p in prepared.report.errors} == {(2, "out_of_range"), (4, "bad_choice"), (5, "duplicate_id")}


@pytest.mark.parametrize("table, overrides, rule, message", [
    ("missing_episodes", {"end_date": "2025-01-01"}, "end_before_start", "the episode ends before it starts"),
    ("missing_episodes", {"return_interview_date": "2025-01-20"}, "interview_before_missing",
     "the return interview is dated before the child went missing"),
    ("training", {"staff_trained": "101"}, "trained_exceeds_scope", "more staff trained than in scope"),
    ("training", {"staff_in_scope": "0", "staff_trained": "0"}, "out_of_range", "the number must be at least 1"),
    ("training", {"period": "Q3 2025"}, "bad_quarter", "not a quarter; use the form 2025-Q3"),
    ("population", {"age_band": "18"}, "bad_age_band",
     "use an age band (Under 10, 10-11, 12-13, 14-15, 16-17) or a single year of age 0-17"),
])
def test_rules_of_other_tables(tmp_path, prepare, table, overrides, rule, message):
    prepared = prepare(write_extract(tmp_path / "x", **{table: rows(table, 1, **overrides)}))
    assert [(p.file, p.row, p.rule, p.message) for p in prepared.report.errors] == [(f"{table}.csv", 2, rule, message)]


def test_missing_column_and_missing_referrals_file(tmp_path, prepare):
    records = [{k: v for k, v in r.items() if k != "gender"} for r in rows("referrals", 2)]
    prepared = prepare(write_extract(tmp_path / "a", referrals=records))
    assert [(p.column, p.rule) for p in prepared.report.errors] == [("gender", "missing_column")]
    prepared = prepare(write_extract(tmp_path / "b", referrals=[], training=rows("training", 1)))
    assert [p.message for p in prepared.report.errors] == [
        "the extract has no referrals file (referrals.csv); it is required"]


def test_annex_a_headings_codes_and_uk_dates_are_fixed_with_warnings(tmp_path, prepare):
    annex_a = {"referral_id": "Referral ID", "child_id": "Child Unique ID", "referral_date": "Date of referral",
               "gender": "Gender", "referral_source": "Referral Source"}
    records = [{annex_a.get(k, k): v for k, v in r.items()} for r in rows("referrals", 2)]
    records[0].update({"Gender": "1", "Date of referral": "05/02/2025", "ethnicity": "WBRI", "area": " Northgate "})
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    assert prepared.ok, prepared.report.text()
    rules = {(p.column, p.rule) for p in prepared.report.warnings}
    assert {("Gender", "heading_alias"), ("Gender", "code_mapped"), ("Date of referral", "uk_date"),
            ("ethnicity", "code_mapped"), ("area", "trimmed")} <= rules
    referrals = prepared.extract.tables["referrals"].to_pylist()
    assert referrals[0]["gender"] == "Male" and referrals[0]["ethnicity"] == "White"
    assert str(referrals[0]["referral_date"]) == "2025-02-05" and referrals[0]["area"] == "Northgate"


@pytest.mark.parametrize("encoding, prefix, rule", [
    ("utf-8-sig", b"", "bom"), ("cp1252", b"", "encoding"), ("utf-16", b"", "encoding")])
def test_encodings_are_converted_with_a_warning(tmp_path, prepare, encoding, prefix, rule):
    folder = tmp_path / "x"
    folder.mkdir()
    write_csv(folder / "referrals.csv", rows("referrals", 2, area="Bishop’s Wood"), encoding=encoding)
    prepared = prepare(folder)
    assert prepared.ok, prepared.report.text()
    assert rule in {p.rule for p in prepared.report.warnings}
    assert prepared.extract.tables["referrals"].column("area")[0].as_py() == "Bishop’s Wood"


def test_period_given_leaves_out_rows_outside_it_with_a_warning(tmp_path, prepare):
    records = rows("referrals", 2)
    records[1]["referral_date"] = "2025-05-01"
    prepared = prepare(write_extract(tmp_path / "x", referrals=records), period=("2025-Q2", "2025-Q2"))
    assert prepared.ok
    assert prepared.extract.rows("referrals") == 1
    assert [p.message for p in prepared.report.warnings if p.rule == "outside_period"] == [
        "1 row dated outside the extract's period 2025-Q2 to 2025-Q2 was left out (the first is shown)"]


def test_checking_in_batches_gives_the_same_findings_and_values_as_one_pass(tmp_path, prepare, monkeypatch):
    """Large files are checked a batch at a time, two tables at once: no row number, count or value may depend on it."""
    from cseboard.intake import quality, readers

    referrals = rows("referrals", 40)
    referrals[3].update(gender="m", area=" Southgate ", linked_crimes="Gangs; drugs")  # fixed with warnings
    referrals[29].update(gender="2", ethnicity="WBRI", referral_date="05/02/2025", vulnerabilities="")
    episodes = rows("missing_episodes", 30)
    episodes[25].update(return_interview="refused", end_date="")
    good = write_extract(tmp_path / "good", referrals=referrals, missing_episodes=episodes)
    bad_referrals = [dict(r) for r in referrals]
    bad_referrals[5]["gender"] = "Boy?"
    bad_referrals[33].update(gender="x", referral_id="R2")  # a bad cell and a repeated id in a later batch
    bad = write_extract(tmp_path / "bad", referrals=bad_referrals, missing_episodes=episodes)
    with open(bad / "missing_episodes.csv", "a") as handle:
        handle.write("E99,C1\n")  # a short row at the end
    whole = {name: prepare(folder) for name, folder in (("good", good), ("bad", bad))}
    monkeypatch.setattr(readers, "BATCH_ROWS", 7)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 512)  # blocks of a few rows, gathered into batches of 7+
    batched = {name: prepare(folder) for name, folder in (("good", good), ("bad", bad))}
    for name in whole:
        assert batched[name].report.problems == whole[name].report.problems
        assert batched[name].report.totals == whole[name].report.totals
    assert not whole["bad"].ok and {(p.row, p.rule) for p in whole["bad"].report.errors} == {
        (7, "bad_choice"), (35, "bad_choice"), (35, "duplicate_id"), (32, "field_count")}
    assert whole["good"].ok and batched["good"].quality == whole["good"].quality
    for table in ("referrals", "missing_episodes"):
        assert batched["good"].extract.tables[table].num_rows == whole["good"].extract.tables[table].num_rows
        assert (quality.preview(batched["good"].extract.tables, rows=100)[table]
                .equals(quality.preview(whole["good"].extract.tables, rows=100)[table]))


@pytest.mark.parametrize("ethnicities, errors", [
    ((None, None), [(3, "duplicate_id")]),  # no ethnicity column: area, age band and gender repeat
    (("White", "White"), [(3, "duplicate_id")]),
    (("White", "APKN"), []),  # DfE codes map to their main group, as in referrals
    (("White", ""), [(3, "partial_ethnicity")]),
])
def test_population_ethnicity_is_on_every_row_or_none_and_part_of_the_key(tmp_path, prepare, ethnicities, errors):
    records = rows("population", 2)
    if ethnicities[0] is not None:
        for record, ethnicity in zip(records, ethnicities):
            record["ethnicity"] = ethnicity
    prepared = prepare(write_extract(tmp_path / "x", population=records))
    assert [(p.row, p.rule) for p in prepared.report.errors] == errors
    if not errors and ethnicities[0] is not None:
        assert prepared.extract.tables["population"].column("ethnicity").to_pylist() == ["White", "Asian"]
