"""Data never supplied is said to be missing, never shown as 0; a quarter not over when it was loaded is marked partial
on every page and not compared with complete quarters as if it were one."""
from __future__ import annotations

import datetime as dt

from conftest import data_tables, texts
from cseboard.periods import quarter_of, quarter_start, shift_quarter
from factory import numbered, rows

HOME, MISSING = "pages/overview/home.py", "pages/questions/missing.py"


def everything(at) -> str:
    return texts([*at.markdown, *at.caption, *at.header, *at.subheader, *at.info, *at.warning])


def cards(at) -> dict:
    return {metric.label: metric for metric in at.metric}


def test_a_quarter_without_a_missing_episode_file_says_so_instead_of_zero(app, tiny_store):
    year = {"from": "2025-Q4", "to": "2026-Q3"}
    referrals = numbered([referral for day in ("2025-11-10", "2026-02-10", "2026-05-10", "2026-08-10")
                          for referral in rows("referrals", 20, referral_date=day)])
    db = tiny_store(referrals=referrals)
    at = app(MISSING, db=db, query_params=year)
    shown = everything(at)
    assert ("No missing-episode data for 2025-Q4; No missing-episode data for 2026-Q1; No missing-episode data for "
            "2026-Q2; No missing-episode data for 2026-Q3") in shown
    assert "0 children went missing" not in shown
    home = app(HOME, db=db, query_params=year)
    missing_card = cards(home)["Missing in the 90 days before referral"]
    assert missing_card.value == "No data" and missing_card.delta in ("", None)


def test_a_quarter_never_loaded_is_not_shown_as_zero_referrals(app, tiny_store):
    db = tiny_store(referrals=rows("referrals", 40, referral_date="2026-08-10"))
    home = app(HOME, db=db)
    referrals = cards(home)["Referrals"]
    assert referrals.value == "40" and referrals.delta in ("", None)
    table = data_tables(home)[0].value
    assert list(table.columns) == ["Measure", "Quarter", "Count", "Out of", "Share (%)"]
    before = table[(table.Measure == "Referrals") & (table.Quarter == "2026-Q2")]
    assert before.Count.tolist() == ["2026-Q2 not loaded"]


def test_a_quarter_not_over_is_marked_partial_everywhere_and_not_compared(app, tiny_store):
    today = dt.date.today()
    this_quarter = quarter_of(today)
    last_quarter = shift_quarter(this_quarter, -1)
    referrals = numbered(rows("referrals", 60, referral_date=quarter_start(last_quarter).isoformat())
                         + rows("referrals", 20, referral_date=quarter_start(this_quarter).isoformat()))
    db = tiny_store(today=today, referrals=referrals)
    home = app(HOME, db=db)
    assert f"{this_quarter} (partial quarter)" in everything(home)
    referral_card = cards(home)["Referrals"]
    assert referral_card.value == "20" and referral_card.delta in ("", None)
    assert "-40" not in everything(home)
    for page in ("pages/questions/age_gender.py", MISSING, "pages/questions/training.py"):
        assert f"{this_quarter} is a partial quarter" in texts(app(page, db=db).warning)
