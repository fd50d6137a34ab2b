"""Access without Streamlit: password hashes, lock-out, session expiry, roles, the demo's refusal, synthetic and real
data kept apart, the audit trail (one entry per action, append-only, and an action stops when it cannot be
recorded), DuckDB's lock-down and the shipped server configuration."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import tomllib
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, TODAY, assert_same_snapshot
from cseboard.access import accounts, audit
from cseboard.access.deployment import ConfigurationError, SignIn
from cseboard.access.roles import ACTIONS, DEMO_VISITOR, ROLES, User, refusal, visible_pages
from cseboard.config import SAMPLE_DIR, settings
from cseboard.intake.ingest import load, prepare_path
from cseboard.store.database import Store, StoreError
from cseboard.tools import users
from cseboard.tools.load import main as load_command
from factory import rows, write_extract

CONFIG = SignIn(method="local", session_minutes=30, max_failed_sign_ins=3, lockout_minutes=15)
PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 11, 23, 9, 0)


def trail(store: Store) -> list[tuple[str, str]]:
    """(who, action) of every audit entry, oldest first."""
    return [(who, action) for who, action in store.cursor().execute(
        "SELECT who, action FROM audit_log ORDER BY entry_id").fetchall()]


@pytest.fixture
def with_alice(store):
    accounts.add(store, "alice", "analyst", PASSWORD)
    return store


def test_password_is_kept_only_as_a_salted_argon2id_hash(store):
    accounts.add(store, "alice", "viewer", PASSWORD)
    accounts.add(store, "bob", "viewer", PASSWORD)
    hashes = [row[0] for row in store.cursor().execute("SELECT password_hash FROM accounts ORDER BY 1").fetchall()]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # a random salt per hash
    assert "password_hash" not in accounts.listing(store).columns


@pytest.mark.parametrize("username, role, password, message", [
    ("alice", "viewer", "short", "at least 12 characters"),
    ("alice", "superuser", PASSWORD, "unknown role"),
    ("a lice<script>", "viewer", PASSWORD, "a username is"),
])
def test_bad_account_details_are_refused_and_nothing_is_stored(store, username, role, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(store, username, role, password)
    assert accounts.listing(store).empty and trail(store) == []


def test_right_password_signs_in_and_wrong_one_does_not(with_alice):
    user, token = accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)
    assert user == User("alice", "analyst", "local") and len(token) > 40
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD + "x", now=T0) == (None, None)
    assert accounts.sign_in(with_alice, CONFIG, "nobody", PASSWORD, now=T0) == (None, None)
    assert trail(with_alice)[1:] == [("alice", "sign_in"), ("alice", "failed_sign_in"), ("nobody", "failed_sign_in")]
    stored = [row[0] for row in with_alice.cursor().execute("SELECT token_sha256 FROM sessions").fetchall()]
    assert stored and token not in stored  # only the token's hash is kept


def test_repeated_failures_lock_the_account_until_the_lockout_ends(with_alice):
    for minute in range(CONFIG.max_failed_sign_ins):
        assert accounts.sign_in(with_alice, CONFIG, "alice", "wrong password!", now=T0 + dt.timedelta(minutes=minute))[0] is None
    assert trail(with_alice).count(("alice", "lock_out")) == 1
    locked_at = T0 + dt.timedelta(minutes=CONFIG.max_failed_sign_ins - 1)
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=locked_at + dt.timedelta(minutes=14))[0] is None
    assert json.loads(audit.entries(with_alice).detail[0]) == {"reason": "locked out"}
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=locked_at + dt.timedelta(minutes=16))[0] is not None


def test_fewer_failures_than_the_limit_do_not_lock(with_alice):
    for _ in range(CONFIG.max_failed_sign_ins - 1):
        accounts.sign_in(with_alice, CONFIG, "alice", "wrong password!", now=T0)
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)[0] is not None
    assert ("alice", "lock_out") not in trail(with_alice)


def test_reset_clears_a_lockout_and_ends_sessions(with_alice):
    _, token = accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)
    for _ in range(CONFIG.max_failed_sign_ins):
        accounts.sign_in(with_alice, CONFIG, "alice", "wrong password!", now=T0)
    accounts.reset_password(with_alice, "alice", "a new password, long")
    assert accounts.resume(with_alice, CONFIG, token, now=T0) is None
    assert accounts.sign_in(with_alice, CONFIG, "alice", "a new password, long", now=T0)[0] is not None


def test_session_expires_after_inactivity_and_use_keeps_it_alive(with_alice):
    _, token = accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)
    assert accounts.resume(with_alice, CONFIG, token, now=T0 + dt.timedelta(minutes=25)) is not None
    assert accounts.resume(with_alice, CONFIG, token, now=T0 + dt.timedelta(minutes=50)) is not None
    assert accounts.resume(with_alice, CONFIG, token, now=T0 + dt.timedelta(minutes=81)) is None
    assert accounts.resume(with_alice, CONFIG, token, now=T0 + dt.timedelta(minutes=82)) is None  # gone for good
    assert with_alice.cursor().execute("SELECT count(*) FROM sessions").fetchall() == [(0,)]
    assert accounts.resume(with_alice, CONFIG, "not a token", now=T0) is None


def test_disabling_ends_sessions_and_refuses_sign_in(with_alice):
    _, token = accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)
    accounts.set_disabled(with_alice, "alice", True)
    assert accounts.resume(with_alice, CONFIG, token, now=T0) is None
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)[0] is None
    accounts.set_disabled(with_alice, "alice", False)
    assert accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)[0] is not None


def test_role_change_applies_to_the_next_page(with_alice):
    _, token = accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD, now=T0)
    accounts.set_role(with_alice, "alice", "viewer")
    assert accounts.resume(with_alice, CONFIG, token, now=T0).role == "viewer"


ALLOWED = {
    "viewer": {"view_analysis", "export", "board_pack"},
    "analyst": {"view_analysis", "export", "board_pack", "load_extract", "view_history", "view_quality_detail",
                "unprotect", "import_benchmarks"},
    "administrator": set(ACTIONS),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_its_actions(role, action):
    reason = refusal(User("someone", role, "local"), action)
    assert (reason is None) == (action in ALLOWED[role])
    if reason is not None:
        assert f"Your role ({role}) may not" in reason
    assert refusal(None, action).startswith("Sign in to ")


def test_the_demo_never_loads_an_extract_and_says_how_to_configure_sign_in():
    assert "configure sign-in" in refusal(DEMO_VISITOR, "load_extract")
    assert refusal(DEMO_VISITOR, "view_history") is None and refusal(DEMO_VISITOR, "remove_extract") is not None
    assert "upload" in visible_pages(DEMO_VISITOR, ["", "upload", "history", "audit"])
    assert visible_pages(User("v", "viewer", "local"), ["", "upload", "history", "audit"]) == [""]


def test_sso_roles_come_from_email_or_groups_and_the_highest_wins():
    config = SignIn.from_secrets({"auth": {"client_id": "x"}, "cseboard": {
        "sign_in": "sso", "roles_claim": "groups", "group_roles": {"board": "viewer", "cse-team": "analyst"},
        "email_roles": {"Lead@Example.gov.uk": "administrator"}}})
    assert config.sso_role({"email": "someone@example.gov.uk", "groups": ["board"]}) == "viewer"
    assert config.sso_role({"email": "someone@example.gov.uk", "groups": ["board", "cse-team"]}) == "analyst"
    assert config.sso_role({"email": "lead@example.gov.uk", "groups": ["board"]}) == "administrator"
    assert config.sso_role({"email": "stranger@example.com", "groups": "other"}) is None


@pytest.mark.parametrize("secrets, message", [
    ({"cseboard": {"sign_in": "ldap"}}, "sign_in must be one of"),
    ({"cseboard": {"sign_in": "sso"}}, "needs an \\[auth\\] section"),
    ({"cseboard": {"sign_in": "local", "email_roles": {"a@b.c": "root"}}}, "unknown role"),
    ({"cseboard": {"sign_in": "local", "session_minutes": 0}}, "must be 1 or more"),
])
def test_unsafe_sign_in_configuration_is_refused(secrets, message):
    with pytest.raises(ConfigurationError, match=message):
        SignIn.from_secrets(secrets)


def test_no_configuration_is_the_demo():
    assert SignIn.from_secrets({}).demo


def real_extract(tmp_path, quarter_date="2026-08-01"):
    return prepare_path(write_extract(tmp_path / "real", referrals=rows("referrals", 5, referral_date=quarter_date)),
                        today=TODAY)


def test_demo_store_loads_the_sample_and_refuses_any_other_extract(tmp_path):
    demo = Store(tmp_path / "demo.duckdb", demo=True)
    load(demo, prepare_path(SAMPLE_DIR))
    before = demo.snapshot()
    with pytest.raises(StoreError, match="this is the demo, which shows the synthetic sample only. To load your "
                                         "partnership's extract, configure sign-in"):
        load(demo, real_extract(tmp_path))
    assert_same_snapshot(before, demo.snapshot())
    assert demo.kinds() == {"synthetic"}


def test_real_extract_into_a_store_holding_the_sample_removes_the_sample_first(tmp_path, store):
    load(store, prepare_path(SAMPLE_DIR))
    assert store.kinds() == {"synthetic"}
    load(store, real_extract(tmp_path))
    assert store.kinds() == {"real"}
    assert store.quarters() == ["2026-Q3"]  # none of the sample's other quarters stay behind


def test_sample_into_a_store_of_real_extracts_is_refused(tmp_path, store):
    load(store, real_extract(tmp_path))
    before = store.snapshot()
    with pytest.raises(StoreError, match="never loaded beside real extracts"):
        load(store, prepare_path(SAMPLE_DIR))
    assert_same_snapshot(before, store.snapshot())


def entries_after(store: Store, before: int) -> list[tuple[str, str]]:
    return trail(store)[before:]


ANALYST = User("ann", "analyst", "local")


@pytest.mark.parametrize("act, expected", [
    (lambda s, tmp: load(s, real_extract(tmp), audit=audit.entry(ANALYST, "extract_loaded")), ("ann", "extract_loaded")),
    (lambda s, tmp: s.remove(1, audit=audit.entry(ANALYST, "extract_removed", extract_id=1)), ("ann", "extract_removed")),
    (lambda s, tmp: audit.record(s, ANALYST, "unprotected_on", filters="all data"), ("ann", "unprotected_on")),
    (lambda s, tmp: audit.record(s, ANALYST, "export", file="x.csv"), ("ann", "export")),
    (lambda s, tmp: accounts.add(s, "bob", "viewer", PASSWORD, by=ANALYST), ("ann", "account_added")),
    (lambda s, tmp: accounts.sign_in(s, CONFIG, "alice", PASSWORD), ("alice", "sign_in")),
    (lambda s, tmp: accounts.sign_in(s, CONFIG, "alice", "wrong password"), ("alice", "failed_sign_in")),
    (lambda s, tmp: accounts.set_disabled(s, "alice", True, by=ANALYST), ("ann", "account_disabled")),
    (lambda s, tmp: accounts.reset_password(s, "alice", PASSWORD + "!", by=ANALYST), ("ann", "password_reset")),
    (lambda s, tmp: accounts.set_role(s, "alice", "viewer", by=ANALYST), ("ann", "role_changed")),
], ids=lambda value: value[1] if isinstance(value, tuple) else None)
def test_each_audited_action_leaves_exactly_one_entry(tmp_path, with_alice, act, expected):
    load(with_alice, real_extract(tmp_path, "2026-02-01"))
    before = len(trail(with_alice))
    act(with_alice, tmp_path)
    assert entries_after(with_alice, before) == [expected]


def test_a_load_that_cannot_be_audited_does_not_happen(tmp_path, store):
    store.cursor().execute("DROP TABLE audit_log")
    store.cursor().execute("CREATE VIEW audit_log AS SELECT 1 AS entry_id")  # a trail that cannot be written
    before = store.snapshot()
    with pytest.raises(StoreError, match="the store is unchanged"):
        load(store, real_extract(tmp_path), audit=audit.entry(ANALYST, "extract_loaded"))
    assert_same_snapshot(before, store.snapshot())
    with pytest.raises(StoreError, match="audit trail could not be written"):
        audit.record(store, ANALYST, "export")


def test_a_sign_in_that_cannot_be_audited_gives_no_session(with_alice):
    with_alice.cursor().execute("DROP TABLE audit_log")
    with pytest.raises(StoreError):
        accounts.sign_in(with_alice, CONFIG, "alice", PASSWORD)
    assert with_alice.cursor().execute("SELECT count(*) FROM sessions").fetchall() == [(0,)]


CHANGES_TO_THE_TRAIL = re.compile(r"\b(UPDATE|DELETE\s+FROM|DROP\s+TABLE|TRUNCATE|ALTER\s+TABLE)\s+(IF\s+EXISTS\s+)?"
                                  r"audit_log\b", re.IGNORECASE)
SOURCES = sorted([*ROOT.glob("cseboard/**/*.py"), *ROOT.glob("cseboard/**/*.sql"), *ROOT.glob("pages/**/*.py"),
                  ROOT / "dashboard.py", *ROOT.glob("queries/*.sql")])


def test_no_code_path_changes_or_deletes_the_audit_trail():
    found = [str(path.relative_to(ROOT)) for path in SOURCES if CHANGES_TO_THE_TRAIL.search(path.read_text())]
    assert SOURCES and not found, f"these files change the audit trail: {found}"
    assert CHANGES_TO_THE_TRAIL.search("cursor.execute('DELETE FROM audit_log WHERE true')")  # the check can fail


def test_entries_survive_reopening_and_filter_by_who_what_and_when(tmp_path):
    path = tmp_path / "store.duckdb"
    first = Store(path)
    audit.record(first, ANALYST, "export", file="a.csv")
    audit.record(first, User("vic", "viewer", "local"), "board_pack")
    first.close()
    reopened = Store(path)
    assert trail(reopened) == [("ann", "export"), ("vic", "board_pack")]
    assert audit.entries(reopened, who="vic").action.tolist() == ["board_pack"]
    assert audit.entries(reopened, actions=["export"]).who.tolist() == ["ann"]
    today = dt.date.today()
    assert len(audit.entries(reopened, since=today, until=today + dt.timedelta(days=1))) == 2
    assert audit.entries(reopened, until=today - dt.timedelta(days=1)).empty
    assert audit.people(reopened) == ["ann", "vic"]


def test_locked_down_store_reaches_no_file_outside_its_folder_and_its_settings_cannot_change(tmp_path):
    store = Store(tmp_path / "store" / "cse.duckdb")
    store.lock_down()
    cursor = store.cursor()
    for sql in ("SELECT * FROM read_csv('/etc/passwd')", f"ATTACH '{tmp_path}/elsewhere.duckdb'",
                "SET enable_external_access = true", "SET memory_limit = '20GB'", "INSTALL httpfs"):
        with pytest.raises(duckdb.Error):
            cursor.execute(sql)
    settings_now = dict(cursor.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions', "
        "'autoload_known_extensions', 'enable_external_access', 'lock_configuration', 'threads')").fetchall())
    assert settings_now == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                            "enable_external_access": "false", "lock_configuration": "true", "threads": "2"}
    assert store.version() == 0  # the store itself still works


def test_users_command_adds_lists_disables_and_resets(tmp_path, monkeypatch, capsys):
    db = tmp_path / "store.duckdb"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users.main(["--db", str(db), "add", "carol", "--role", "administrator", "--password-stdin"]) == 0
    assert users.main(["--db", str(db), "disable", "carol"]) == 0
    assert users.main(["--db", str(db), "list"]) == 0
    listed = capsys.readouterr().out
    assert "carol" in listed and "administrator" in listed and "$argon2" not in listed
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert users.main(["--db", str(db), "reset", "carol", "--password-stdin"]) == 1
    assert "Not done: a password needs at least 12 characters" in capsys.readouterr().out
    assert users.main(["--db", str(db), "enable", "nobody"]) == 1
    store = Store(db)
    shell = audit.shell_user()
    assert trail(store) == [(shell, "account_added"), (shell, "account_disabled")]


def test_server_configuration_is_hardened_and_states_one_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["client"]["showErrorDetails"] == "none" and config["client"]["toolbarMode"] == "viewer"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] * 1024**2 == settings().max_upload_bytes


def test_no_secret_is_in_the_repository_and_the_example_documents_every_key():
    ignored = subprocess.run(["git", "check-ignore", ".streamlit/secrets.toml"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text())
    read = set(re.findall(r'section\.get\("(\w+)"', (ROOT / "cseboard/access/deployment.py").read_text()))
    assert read and read <= set(example["cseboard"]), read - set(example["cseboard"])
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(example["auth"])
    assert SignIn.from_secrets(example).method == "local"


def test_a_load_from_the_shell_is_audited_once(tmp_path):
    db = tmp_path / "shell.duckdb"
    folder = write_extract(tmp_path / "real", referrals=rows("referrals", 5, referral_date="2026-08-01"))
    assert load_command([str(folder), "--db", str(db)]) == 0
    store = Store(db)
    assert trail(store) == [(audit.shell_user(), "extract_loaded")]
    assert '"referrals": 5' in audit.entries(store).detail[0]


@pytest.mark.parametrize("secrets_text, demo", [("", True), ('[cseboard]\nsign_in = "local"\n', False),
                                                 ('[cseboard]\nsign_in = "demo"\n', True)])
def test_make_run_loads_the_sample_only_for_the_demo(tmp_path, secrets_text, demo):
    """A server with sign-in serves a partnership's store: the sample must never be loaded into it at start."""
    from cseboard.tools.serve import serves_the_demo

    (tmp_path / "secrets.toml").write_text(secrets_text)
    assert serves_the_demo(["--server.port", "1", "--secrets.files", str(tmp_path / "secrets.toml")]) is demo
