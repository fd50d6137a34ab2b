"""Roles and what each may do: the one place the server asks before it shows a page or carries out an action."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "administrator")
"""Lowest first: each role may do everything the roles before it may."""

ACTIONS = {
    "view_analysis": ("viewer", "see the analysis pages (figures protected)"),
    "export": ("viewer", "download protected figures as CSV"),
    "board_pack": ("viewer", "make the board pack"),
    "load_extract": ("analyst", "load an extract"),
    "view_history": ("analyst", "see the extract history"),
    "view_quality_detail": ("analyst", "see record-level data-quality detail"),
    "unprotect": ("analyst", "switch small-number protection off"),
    "import_benchmarks": ("analyst", "import the published national benchmark files"),
    "remove_extract": ("administrator", "remove an extract"),
    "view_audit": ("administrator", "see and export the audit trail"),
    "manage_accounts": ("administrator", "manage local accounts"),
}
"""action: (the lowest role that may do it, what it is in words for a refusal)."""

PAGE_ACTIONS = {"upload": "load_extract", "history": "view_history", "audit": "view_audit",
                "accounts": "manage_accounts", "board-pack": "board_pack"}
"""A page (by its URL path) and the action opening it needs; every other page is an analysis page."""

DEMO_REFUSED = {"load_extract", "manage_accounts"}
"""What the demo (no sign-in configured) never does, whatever the visitor's role."""

HOW_TO_SIGN_IN = ("To use your partnership's own data, configure sign-in (single sign-on or local accounts) as "
                  "README.md explains under 'Sign-in and roles'.")


@dataclass(frozen=True)
class User:
    """Someone signed in (or the demo's visitor): the name the audit trail records and the role they hold."""

    name: str
    role: str
    via: str  # "local", "sso" or "demo"

    @property
    def demo(self) -> bool:
        return self.via == "demo"


DEMO_VISITOR = User("demo visitor", "analyst", "demo")


def rank(role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    return ROLES.index(role)


def refusal(user: User | None, action: str) -> str | None:
    """None if the user may do the action; otherwise the plain reason, to show in place of it."""
    lowest, what = ACTIONS[action]
    if user is None:
        return f"Sign in to {what}."
    if user.demo and action in DEMO_REFUSED:
        return f"This is the demo: it shows the synthetic sample only, so it does not {what}. {HOW_TO_SIGN_IN}"
    if rank(user.role) < rank(lowest):
        return (f"Your role ({user.role}) may not {what}: that needs the {lowest} role or above. "
                "Ask an administrator if you need it.")
    return None


def may(user: User | None, action: str) -> bool:
    return refusal(user, action) is None


def page_action(url_path: str) -> str:
    """The action a page needs: its own for the data and administration pages, view_analysis for the others."""
    return PAGE_ACTIONS.get(url_path, "view_analysis")


def visible_pages(user: User | None, url_paths: list[str]) -> list[str]:
    """The pages to list in the menu: those the user may open (the demo also lists what it refuses, to say why)."""
    return [path for path in url_paths
            if may(user, page_action(path)) or (user is not None and user.demo and page_action(path) == "load_extract")]
