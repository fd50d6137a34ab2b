"""A shared link holds every page control that changes a figure or a verdict: a colleague opening it sees the same
conclusion as the sender, not the page's defaults."""
from __future__ import annotations

import pytest

from conftest import texts
from factory import numbered, rows

QUARTER = {"from": "2026-Q2", "to": "2026-Q2"}


@pytest.fixture
def linked_db(tiny_store):
    """40 children referred in 2026-Q2 (10 boys) in two areas, 30 missing episodes, training for two agencies."""
    referrals = numbered(rows("referrals", 20, referral_date="2026-05-10", area="Northgate")
                         + rows("referrals", 10, referral_date="2026-05-11", area="Southfield")
                         + rows("referrals", 10, referral_date="2026-05-12", gender="Male", area="Southfield",
                                linked_crimes="trafficking", vulnerabilities="looked_after"))
    episodes = rows("missing_episodes", 30, child_id="C99", start_date="2026-05-01", end_date="2026-05-02",
                    return_interview_date="2026-05-03")
    training = (rows("training", 1, period="2026-Q2", agency="Police", staff_in_scope="100", staff_trained="80")
                + rows("training", 1, period="2026-Q2", agency="Health", staff_in_scope="100", staff_trained="60"))
    return tiny_store(referrals=referrals, missing_episodes=episodes, training=training)


CASES = [
    ("pages/questions/age_gender.py", {"age_gender_benchmark": "25"},
     lambda at: at.number_input(key="age_gender_benchmark").value, 25.0, "25% benchmark"),
    ("pages/questions/age_gender.py", {"age_gender_funnel_by": "Referral source"},
     lambda at: at.radio(key="age_gender_funnel_by").value, "referral_source", "referral source"),
    ("pages/questions/training.py", {"training_target": "70"},
     lambda at: at.number_input(key="training_target").value, 70, "70%"),
    ("pages/questions/training.py", {"training_trend_by": "level"},
     lambda at: at.radio(key="training_trend_by").value, "Level", None),
    ("pages/questions/missing.py", {"missing_referred_only": "true"},
     lambda at: at.toggle(key="missing_referred_only").value, True, None),
    ("pages/questions/crimes_vulnerabilities.py", {"crimes_kind": "Vulnerabilities"},
     lambda at: (at.get("button_group")[0].value, at.multiselect[0].label),
     ("Vulnerabilities", "Which vulnerabilities to show"), None),
    ("pages/questions/crimes_vulnerabilities.py", {"crimes_trend_crime": ["Trafficking"]},
     lambda at: at.multiselect[0].value, ["Trafficking"], None),
]


@pytest.mark.parametrize(("page", "params", "read", "expected", "shown"), CASES)
def test_a_shared_link_opens_the_page_with_its_controls_as_the_sender_set_them(app, linked_db, page, params, read,
                                                                              expected, shown):
    at = app(page, db=linked_db, query_params={**QUARTER, **params})
    assert read(at) == expected
    if shown is not None:
        assert shown in texts([*at.markdown, *at.caption, *at.subheader, *at.header, *at.info, *at.get("plotly_chart")])
