"""Local accounts: argon2 password hashes, lock-out after repeated failures, sessions that end after inactivity."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cseboard.access import audit
from cseboard.access.deployment import SignIn
from cseboard.access.roles import ROLES, User
from cseboard.store.database import Store, write_audit

HASHER = PasswordHasher()  # argon2id with RFC 9106's low-memory parameters and a random salt per hash
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"[A-Za-z0-9._@-]{2,100}")
# Verified against when the username is unknown, so an unknown name takes as long as a wrong password.
UNKNOWN_USER_HASH = HASHER.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """An account change that was refused (unknown name, bad role, weak password...); nothing changed."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")


def _account(store: Store, username: str) -> tuple | None:
    rows = store.cursor().execute(
        "SELECT username, role, password_hash, disabled, failed_attempts, locked_until FROM accounts "
        "WHERE username = $name", {"name": username}).fetchall()
    return rows[0] if rows else None


def _existing(store: Store, username: str) -> tuple:
    found = _account(store, username)
    if found is None:
        raise AccountError(f"there is no account {username!r}")
    return found


def add(store: Store, username: str, role: str, password: str, by: User | str | None = None) -> None:
    """A new account; the password is kept only as its argon2 hash."""
    if not USERNAME.fullmatch(username):
        raise AccountError("a username is 2 to 100 letters, digits or . _ @ -")
    _check_role(role)
    _check_password(password)
    if _account(store, username) is not None:
        raise AccountError(f"there is already an account {username!r}")
    _change(store, by, "account_added", username,
            "INSERT INTO accounts (username, role, password_hash, created_at) VALUES ($name, $role, $hash, $at)",
            {"role": role, "hash": HASHER.hash(password), "at": dt.datetime.now()}, new_role=role)


def set_disabled(store: Store, username: str, disabled: bool, by: User | str | None = None) -> None:
    """Disable (or enable again) an account; a disabled account's sessions end at once."""
    _existing(store, username)
    _change(store, by, "account_disabled" if disabled else "account_enabled", username,
            "UPDATE accounts SET disabled = $disabled WHERE username = $name", {"disabled": disabled})
    if disabled:
        end_sessions(store, username)


def reset_password(store: Store, username: str, password: str, by: User | str | None = None) -> None:
    """A new password; clears a lock-out and ends the account's sessions."""
    _existing(store, username)
    _check_password(password)
    _change(store, by, "password_reset", username,
            "UPDATE accounts SET password_hash = $hash, failed_attempts = 0, locked_until = NULL WHERE username = $name",
            {"hash": HASHER.hash(password)})
    end_sessions(store, username)


def set_role(store: Store, username: str, role: str, by: User | str | None = None) -> None:
    _existing(store, username)
    _check_role(role)
    _change(store, by, "role_changed", username, "UPDATE accounts SET role = $role WHERE username = $name",
            {"role": role}, new_role=role)


def _change(store: Store, by: User | str, action: str, username: str, sql: str, params: dict, **detail) -> None:
    """An account change and its audit entry in one transaction: neither without the other."""
    with store.writing:
        cursor = store.cursor()
        cursor.begin()
        try:
            cursor.execute(sql, {**params, "name": username})
            write_audit(cursor, audit.entry(by or audit.shell_user(), action, account=username, **detail))
            cursor.commit()
        except Exception:
            cursor.rollback()
            raise


def listing(store: Store) -> pd.DataFrame:
    """Every account with its role and state; never the hashes."""
    return store.cursor().execute(
        "SELECT username, role, disabled, failed_attempts, locked_until, created_at FROM accounts "
        "ORDER BY username").df()


def sign_in(store: Store, config: SignIn, username: str, password: str,
            now: dt.datetime | None = None) -> tuple[User | None, str | None]:
    """(the user and a new session token) if the password is right and the account usable, else (None, None).

    Every attempt is audited before it takes effect; a wrong password counts towards the lock-out."""
    now = _now(now)
    found = _account(store, username)
    if found is None:
        _verify(UNKNOWN_USER_HASH, password)
        audit.record(store, username, "failed_sign_in", reason="unknown username")
        return None, None
    name, role, password_hash, disabled, failures, locked_until = found
    good = _verify(password_hash, password)
    if disabled or (locked_until is not None and locked_until > now) or not good:
        reason = "disabled" if disabled else "locked out" if locked_until and locked_until > now else "wrong password"
        audit.record(store, name, "failed_sign_in", role=role, reason=reason)
        if reason == "wrong password":
            _count_failure(store, config, name, role, failures + 1, now)
        return None, None
    user = User(name, role, "local")
    audit.record(store, user, "sign_in")
    token = secrets.token_urlsafe(32)
    store.write("UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE username = $name", {"name": name})
    if HASHER.check_needs_rehash(password_hash):
        store.write("UPDATE accounts SET password_hash = $hash WHERE username = $name",
                    {"hash": HASHER.hash(password), "name": name})
    store.write("INSERT INTO sessions VALUES ($token, $name, $now, $now)",
                {"token": _token_hash(token), "name": name, "now": now})
    return user, token


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(store: Store, config: SignIn, name: str, role: str, failures: int, now: dt.datetime) -> None:
    """One more wrong password; at the limit the account is locked for a while (and that is audited)."""
    locked = failures >= config.max_failed_sign_ins
    if locked:
        audit.record(store, name, "lock_out", role=role, failures=failures, minutes=config.lockout_minutes)
    store.write(
        "UPDATE accounts SET failed_attempts = $failures, locked_until = $until WHERE username = $name",
        {"failures": 0 if locked else failures, "name": name,
         "until": now + dt.timedelta(minutes=config.lockout_minutes) if locked else None})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def resume(store: Store, config: SignIn, token: str | None, now: dt.datetime | None = None) -> User | None:
    """The user a session token belongs to, if it is live and its account usable; each use keeps it alive."""
    if not token:
        return None
    now = _now(now)
    rows = store.cursor().execute(
        "SELECT a.username, a.role, a.disabled, a.locked_until, s.last_seen FROM sessions s "
        "JOIN accounts a USING (username) WHERE s.token_sha256 = $token", {"token": _token_hash(token)}).fetchall()
    if not rows:
        return None
    name, role, disabled, locked_until, last_seen = rows[0]
    if disabled or now - last_seen > dt.timedelta(minutes=config.session_minutes):
        end_session(store, token)
        return None
    store.write("UPDATE sessions SET last_seen = $now WHERE token_sha256 = $token",
                {"now": now, "token": _token_hash(token)}, wait=False)  # kept alive at the next view if a load runs
    return User(name, role, "local")


def end_session(store: Store, token: str) -> None:
    store.write("DELETE FROM sessions WHERE token_sha256 = $token", {"token": _token_hash(token)})


def end_sessions(store: Store, username: str) -> None:
    store.write("DELETE FROM sessions WHERE username = $name", {"name": username})
