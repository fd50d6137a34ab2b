"""Roles on every kind of page and action under AppTest: allowed and refused, checked on the server (opening a page
by its address is refused in words), with sign-in, sign-out, the demo and single sign-on."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bad_inputs import extract_zip
from conftest import ROOT, TEST_PASSWORD, TODAY, copied, local_session, stored, texts
from cseboard.access import audit
from cseboard.display import ui
from cseboard.store.database import Store
from factory import rows, write_extract

PAGE_ACTIONS = {
    "pages/overview/home.py": ("This quarter", "viewer"),
    "pages/questions/age_gender.py": ("Age and gender", "viewer"),
    "pages/overview/board_pack.py": ("Board pack", "viewer"),
    "pages/data/upload.py": ("Load an extract", "analyst"),
    "pages/data/history.py": ("Extract history", "analyst"),
    "pages/admin/audit.py": ("Audit trail", "administrator"),
    "pages/admin/accounts.py": ("Accounts", "administrator"),
}
ROLES = ("viewer", "analyst", "administrator")


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    """A small real store (five referrals in 2026-Q3), so that each page draws quickly; tests that change the
    store take a copy."""
    folder = tmp_path_factory.mktemp("small")
    extract = write_extract(folder / "extract", referrals=rows("referrals", 5, referral_date="2026-08-01"))
    return stored(extract, folder / "store" / "cse.duckdb", today=TODAY)


@pytest.fixture
def small_db_copy(tmp_path, small_db) -> Path:
    return copied(small_db, tmp_path)


def actions_of(db, who: str) -> list[str]:
    """The audit actions recorded for someone, oldest first."""
    return audit.entries(ui.open_store(str(db))).query("who == @who").action.tolist()[::-1]


def refused(at) -> str:
    return texts(at.error)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGE_ACTIONS))
def test_each_role_on_each_page_is_let_in_or_refused_in_words(app, small_db, page, role):
    at = app(page=page, db=small_db, role=role)
    title, lowest = PAGE_ACTIONS[page]
    if ROLES.index(role) >= ROLES.index(lowest):
        assert "may not" not in refused(at)
        assert title in [t.value for t in at.title] or page.startswith("pages/overview")
    else:
        assert f"Your role ({role}) may not" in refused(at)
        assert f"needs the {lowest} role or above" in refused(at)
        assert [t.value for t in at.title] == [title]  # the page's name over the refusal, and nothing of the page
        assert not at.dataframe and not at.main.button and not at.get("file_uploader")


@pytest.mark.parametrize("role, listed", [
    ("viewer", set()),
    ("analyst", {"Load an extract", "Extract history"}),
    ("administrator", {"Load an extract", "Extract history", "Audit trail", "Accounts"}),
])
def test_the_menu_lists_only_the_pages_the_role_may_open(app, small_db, role, listed):
    at = app(db=small_db, role=role)
    labels = {link.label for link in at.sidebar.get("page_link")}
    assert {"This quarter", "Age and gender"} <= labels
    assert labels & {"Load an extract", "Extract history", "Audit trail", "Accounts"} == listed


@pytest.mark.parametrize("page", list(PAGE_ACTIONS))
def test_nobody_signed_in_gets_the_sign_in_form_on_every_page(app, small_db, page):
    at = app(page=page, db=small_db, role=None)
    assert [t.value for t in at.title] == ["CSE strategic dashboard"]
    assert at.text_input(key="sign_in_username") and not at.dataframe
    assert not at.sidebar.get("page_link")


def test_sign_in_with_the_form_then_sign_out(app, small_db_copy):
    local_session(small_db_copy, "analyst")  # makes the account test-analyst
    at = app(db=small_db_copy, role=None)
    at.text_input(key="sign_in_username").input("test-analyst")
    at.text_input(key="sign_in_password").input("not the password")
    at.button[0].click().run()
    assert "The username or password is wrong" in refused(at)
    at.text_input(key="sign_in_password").input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception and ui.SESSION_KEY in at.session_state
    assert f"Signed in as {ui.plain('test-analyst')} (analyst)" in texts(at.sidebar.caption)
    at.button(key="sign_out").click().run()
    assert at.text_input(key="sign_in_username")
    assert actions_of(small_db_copy, "test-analyst")[-3:] == ["failed_sign_in", "sign_in", "sign_out"]


def test_analyst_loads_an_extract_and_the_load_is_audited_once(app, small_db_copy):
    at = app(page="pages/data/upload.py", db=small_db_copy, role="analyst")
    data = extract_zip(referrals=rows("referrals", 5, referral_date="2026-10-01", child_id="X"))
    at.file_uploader(key="upload_files").set_value([("q4.zip", data, "application/zip")]).run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    loaded = audit.entries(ui.open_store(str(small_db_copy)), actions=["extract_loaded"])
    assert loaded.who.tolist() == ["test-analyst"]
    assert '"period": "2026-Q4 to 2026-Q4"' in loaded.detail[0] and '"referrals": 5' in loaded.detail[0]


def test_only_an_administrator_may_remove_an_extract(app, small_db_copy):
    analyst = app(page="pages/data/history.py", db=small_db_copy, role="analyst")
    assert "Your role (analyst) may not remove an extract" in texts(analyst.info)
    assert not [b for b in analyst.button if b.key == "history_confirm"]
    admin = app(page="pages/data/history.py", db=small_db_copy, role="administrator")
    admin.checkbox(key="history_remove_confirmed").check().run()
    admin.button(key="history_confirm").click().run()
    assert actions_of(small_db_copy, "test-administrator")[-1] == "extract_removed"
    assert ui.open_store(str(small_db_copy)).is_empty()


def test_switching_protection_off_is_for_analysts_and_is_audited_once(app, small_db_copy):
    viewer = app(db=small_db_copy, role="viewer")
    assert not [t for t in viewer.toggle if t.key == ui.UNSUPPRESS_KEY]
    viewer.session_state[ui.UNSUPPRESS_KEY] = True  # even if the state said so, a viewer's figures stay protected
    viewer.run()
    assert "Disclosure control is OFF" not in texts(viewer.warning)
    analyst = app(db=small_db_copy, role="analyst")
    analyst.toggle(key=ui.UNSUPPRESS_KEY).set_value(True).run()
    assert "Disclosure control is OFF" in texts(analyst.warning)
    analyst.run()
    assert actions_of(small_db_copy, "test-analyst").count("unprotected_on") == 1


def test_administrator_sees_the_audit_trail_and_adds_an_account(app, small_db_copy):
    at = app(page="pages/admin/accounts.py", db=small_db_copy, role="administrator")
    at.text_input(key="account_add_name").input("newcomer")
    at.selectbox(key="account_add_role").set_value("viewer")
    at.text_input(key="account_add_password").input("a long enough password")
    at.button[0].click().run()
    assert "Added newcomer (viewer)." in texts(at.success)
    assert "newcomer" in at.dataframe[0].value.Username.tolist()
    at.switch_page("pages/admin/audit.py").run()
    table = at.dataframe[0].value
    assert {"Entry", "When", "Who", "Role", "What", "Details"} == set(table.columns)
    assert "Account added" in table.What.tolist()
    at.multiselect(key="audit_actions").set_value(["sign_in"]).run()
    assert set(at.dataframe[0].value.What) == {"Signed in"}


def test_the_demo_is_labelled_shows_the_sample_and_refuses_to_load(app, tmp_path):
    demo_db = tmp_path / "demo" / "demo.duckdb"
    at = app(db=demo_db, role="demo")
    assert "**DEMO**: synthetic sample only" in texts(at.sidebar.warning)
    assert "These figures come from the **synthetic sample**" in texts(at.info)
    assert ui.open_store(str(demo_db), demo=True).kinds() == {"synthetic"}
    at.switch_page("pages/data/upload.py").run()
    assert "This is the demo: it shows the synthetic sample only, so it does not load an extract" in refused(at)
    assert "configure sign-in" in refused(at) and not at.get("file_uploader")


def test_the_real_store_never_gets_the_sample_by_itself(app, tmp_path):
    empty = tmp_path / "real" / "cse.duckdb"
    at = app(db=empty, role="viewer")
    assert "No extract is loaded yet" in texts(at.info)
    assert ui.open_store(str(empty)).is_empty()


SSO_SECRETS = {"cseboard": {"sign_in": "sso", "email_roles": {"lead@example.gov.uk": "administrator"},
                            "group_roles": {"board": "viewer"}},
               "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "c", "client_secret": "s", "server_metadata_url": "http://localhost/x"}}


def sso_app(db, monkeypatch, user: dict) -> AppTest:
    monkeypatch.setenv("CSEBOARD_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets.update(SSO_SECRETS)
    at.user = user
    return at.run()


@pytest.mark.parametrize("claims, role", [
    ({"email": "lead@example.gov.uk", "groups": ["board"]}, "administrator"),
    ({"email": "member@example.gov.uk", "groups": ["board"]}, "viewer"),
])
def test_single_sign_on_roles_come_from_the_mapping_and_each_sign_in_is_audited_once(
        small_db_copy, monkeypatch, claims, role):
    at = sso_app(small_db_copy, monkeypatch, {"is_logged_in": True, "iat": 1764500000, **claims})
    assert f"({role})" in texts(at.sidebar.caption)
    at.run()
    sso_app(small_db_copy, monkeypatch, {"is_logged_in": True, "iat": 1764500000, **claims})  # a reload
    assert actions_of(small_db_copy, claims["email"]) == ["sign_in"]


def test_single_sign_on_without_a_role_is_refused_and_recorded(small_db_copy, monkeypatch):
    at = sso_app(small_db_copy, monkeypatch,
                 {"is_logged_in": True, "iat": 1, "email": "stranger@example.com", "groups": ["other"]})
    assert "no role in this dashboard is granted" in refused(at) and not at.dataframe
    assert actions_of(small_db_copy, "stranger@example.com") == ["failed_sign_in"]
    signed_out = sso_app(small_db_copy, monkeypatch, {"is_logged_in": False})
    assert [b.label for b in signed_out.button] == ["Sign in with single sign-on"]


def test_an_expired_or_ended_session_is_signed_out(app, small_db_copy):
    at = app(db=small_db_copy, role="viewer")
    Store(small_db_copy).cursor().execute("DELETE FROM sessions")
    at.run()
    assert at.text_input(key="sign_in_username")


@pytest.mark.parametrize("role, may_import", [("viewer", False), ("analyst", True)])
def test_importing_national_benchmarks_needs_the_analyst_role(app, small_db, role, may_import):
    at = app(page="pages/questions/national.py", db=small_db, role=role)
    assert bool(at.get("file_uploader")) == may_import
    assert ("Your role (viewer) may not import the published national benchmark files" in texts(at.caption)) != may_import


def test_a_failing_page_shows_an_incident_id_and_no_detail(app, small_db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail from the data")
    monkeypatch.setattr(ui, "query", broken)
    at = app(db=small_db, role="viewer")
    assert "Something went wrong on this page. Nothing was changed." in refused(at)
    assert "incident id" in refused(at) and "secret detail" not in refused(at)
