"""Identifying columns and values are refused, and the refusal never repeats the value."""
from __future__ import annotations

import pyarrow as pa
import pytest

from cseboard.intake import pii
from factory import rows, write_extract


@pytest.mark.parametrize("heading, kind", [
    ("first_name", "a name"), ("Surname", "a name"), ("Child Name", "a name"), ("Date of Birth", "a date of birth"),
    ("DOB", "a date of birth"), ("NHS Number", "an NHS number"), ("Postcode", "a full postcode"),
    ("Home address", "an address"), ("Mobile", "a phone number"), ("Email", "an email address"),
    ("Child's name", "a name"), ("Name of child", "a name"), ("Surname/Family name", "a name"), ("ChildName", "a name"),
    ("Contact no", "a phone number"), ("Tel. no.", "a phone number"), ("Born", "a date of birth"),
    ("D.O.B.", "a date of birth"), ("Year of birth", "a date of birth"), ("NHS No.", "an NHS number"),
    ("Post\u00a0Code", "a full postcode"), ("E-mail address", "an email address"), ("UPN", "a unique pupil number"),
    ("Known as", "a name"), ("Child\u200bName", "a name"),
])
def test_identifying_headings(heading, kind):
    assert pii.identifying_heading(heading) == kind


@pytest.mark.parametrize("heading", ["Child Unique ID", "Referral Source", "Area", "Age at referral", "Gender",
                                     "ethnicity", "linked_crimes", "Outcome", "Date of referral", "Team name",
                                     "School name", "Area name", "Username", "Country of birth", "Contact type",
                                     "Missing to", "Return interview date"])
def test_contract_headings_are_not_identifying(heading):
    assert pii.identifying_heading(heading) is None


@pytest.mark.parametrize("number, valid", [("9434765919", True), ("943 476 5919", True), ("9434765918", False),
                                           ("4010232137", True), ("1234567890", False)])
def test_nhs_check_digit(number, valid):
    assert pii.nhs_check_digit_valid(number) is valid


@pytest.mark.parametrize("value, kind", [
    ("jo.bloggs@example.org", "an email address"), ("LS1 4AB", "a full postcode"), ("ls14ab", "a full postcode"),
    ("07700 900123", "a phone number"), ("+44 7700 900123", "a phone number"), ("0113 496 0000", "a phone number"),
    ("12 Acacia Avenue", "a street address"), ("943 476 5919", "a valid NHS number"),
    ("Jane Smith", "a person's name"), ("2011-04-03", "a full date (a date of birth?)"),
    ("LS1  4AP", "a full postcode"), ("LS1-4AP", "a full postcode"), ("LS1\u00a04AP", "a full postcode"),
    ("LS1\u200b 4AP", "a full postcode"), ("(07700) 900123", "a phone number"), ("07700-900123", "a phone number"),
    ("+44 (0)7700 900123", "a phone number"), ("07700900123", "a phone number"),
    ("\uff10\uff17\uff17\uff10\uff10\u3000\uff19\uff10\uff10\uff11\uff12\uff13", "a phone number"),
    ("+33 6 12 34 56 78", "a phone number"), ("943-476-5919", "a valid NHS number"), ("943.476.5919", "a valid NHS number"),
    ("2011-04-03 14:22:00", "a full date (a date of birth?)"), ("03/04/2011 09:00", "a full date (a date of birth?)"),
    ("3 April 2011", "a full date (a date of birth?)"),
])
def test_identifying_values(value, kind):
    assert kind in pii.identifying_values(pa.chunked_array([[value]]), pii.ANY_KINDS)


@pytest.mark.parametrize("value", ["C0000123", "Northgate", "LS1", "Police", "R-2025-0001", "9434765918", "R00000001",
                                   "E10000001", "10-11", "1234567890", "Ref 2025/000123", "North-gate"])
def test_ordinary_values_are_not_identifying(value):
    assert pii.identifying_values(pa.chunked_array([[value]]), pii.ANY_KINDS) == {}


def test_identifying_column_is_refused(tmp_path, prepare):
    records = [{**r, "Date of Birth": "2011-04-03"} for r in rows("referrals", 2)]
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    assert [(p.column, p.rule, p.message) for p in prepared.report.errors] == [
        ("Date of Birth", "identifying_column",
         "the column looks like a date of birth, which identifies a child; remove it from the extract")]


def test_identifying_values_under_an_innocent_heading_are_refused_and_masked(tmp_path, prepare):
    records = rows("referrals", 3)
    for record, note in zip(records, ["fine", "call 07700 900123", "fine"]):
        record["notes"] = note
    records[2]["child_id"] = "943 476 5919"
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    found = {(p.row, p.column, p.rule, p.value) for p in prepared.report.errors}
    assert found == {(3, "notes", "identifying_value", "xxxx 99999 999999"),
                     (4, "child_id", "identifying_value", "999 999 9999")}
    assert "07700" not in prepared.report.text() and "5919" not in prepared.report.text()


def test_unknown_but_harmless_column_is_dropped_with_a_warning(tmp_path, prepare):
    records = [{**r, "team": "Duty"} for r in rows("referrals", 2)]
    prepared = prepare(write_extract(tmp_path / "x", referrals=records))
    assert prepared.ok
    assert [(p.column, p.rule) for p in prepared.report.warnings] == [("team", "unknown_column")]
    assert "team" not in prepared.extract.tables["referrals"].column_names


@pytest.mark.parametrize("message, shown", [
    ("both 'gender' and 'jo@example.org' would be the gender column", "both 'gender' and 'xx@xxxxxxx.xxx' would be the gender column"),
    ("ring 07700 900123 or LS1 4AP, ref 943 476 5919", "ring 99999 999999 or xx9 9xx, ref 999 999 9999"),
    ("1,234,567 rows dated outside the period 2025-Q1 to 2025-Q2", "1,234,567 rows dated outside the period 2025-Q1 to 2025-Q2"),
    ("a NUL\x00 and a line\nbreak", "a NUL\ufffd and a line break"),
])
def test_messages_keep_their_words_and_mask_identifying_parts(message, shown):
    assert pii.masked_within(message) == shown
