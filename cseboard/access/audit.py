"""The audit trail: who did what and when, appended to the store and never changed by the app."""
from __future__ import annotations

import datetime as dt
import getpass

import pandas as pd

from cseboard.access.roles import User
from cseboard.store.database import Store

ACTIONS = {
    "sign_in": "Signed in",
    "failed_sign_in": "Failed sign-in",
    "lock_out": "Account locked out",
    "sign_out": "Signed out",
    "extract_loaded": "Extract loaded",
    "extract_replaced": "Extract loaded, replacing quarters of another",
    "extract_removed": "Extract removed",
    "unprotected_on": "Unprotected figures switched on",
    "export": "Figures exported",
    "board_pack": "Board pack made",
    "audit_exported": "Audit trail exported",
    "account_added": "Account added",
    "account_disabled": "Account disabled",
    "account_enabled": "Account enabled",
    "password_reset": "Password reset",
    "role_changed": "Role changed",
}
"""Every action the trail records, with how the audit page names it."""

# The trail, newest first, narrowed by the audit page's filters (a NULL filter means "all").
ENTRIES_SQL = """
    SELECT entry_id, happened_at, who, role, action, detail FROM audit_log
    WHERE ($since IS NULL OR happened_at >= $since) AND ($until IS NULL OR happened_at < $until)
      AND ($who IS NULL OR who = $who) AND ($actions IS NULL OR list_contains($actions, action))
    ORDER BY entry_id DESC"""


def shell_user() -> str:
    """How the trail names someone acting from the shell (users, load): by their operating-system account."""
    return f"shell ({getpass.getuser()})"


def entry(who: User | str, action: str, role: str | None = None, **detail) -> dict:
    """An audit entry for the store: who (a user, or the name typed at a failed sign-in), the action, details."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if isinstance(who, User):
        who, role = who.name, who.role
    return {"who": str(who)[:200], "role": role, "action": action, "detail": detail}


def record(store: Store, who: User | str, action: str, role: str | None = None, **detail) -> None:
    """Append one entry now; raises AuditError (and the caller does not act) if it cannot be written."""
    store.append_audit(entry(who, action, role, **detail))


def entries(store: Store, since: dt.date | None = None, until: dt.date | None = None, who: str | None = None,
            actions: list[str] | None = None) -> pd.DataFrame:
    """The trail, newest first; until is exclusive (the day after the last day wanted)."""
    return store.cursor().execute(ENTRIES_SQL, {"since": since, "until": until, "who": who,
                                                "actions": actions or None}).df()


def people(store: Store) -> list[str]:
    """Everyone the trail names, for the audit page's filter."""
    return [row[0] for row in store.cursor().execute("SELECT DISTINCT who FROM audit_log ORDER BY who").fetchall()]
