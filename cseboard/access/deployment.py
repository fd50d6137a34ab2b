"""How this server signs people in, read from the [cseboard] section of .streamlit/secrets.toml."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cseboard.access.roles import ROLES, rank

METHODS = ("demo", "local", "sso")


class ConfigurationError(ValueError):
    """The sign-in configuration is not one the server can run safely with."""


@dataclass(frozen=True)
class SignIn:
    """The sign-in settings; with none configured the server is the demo on the synthetic sample."""

    method: str = "demo"
    session_minutes: int = 30
    max_failed_sign_ins: int = 5
    lockout_minutes: int = 15
    roles_claim: str = "groups"
    group_roles: Mapping[str, str] = field(default_factory=dict)
    email_roles: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_secrets(cls, secrets: Mapping) -> SignIn:
        """From the whole secrets mapping: its [cseboard] section, checked; an [auth] section is needed for sso."""
        section = dict(secrets.get("cseboard", {}) or {})
        method = str(section.get("sign_in", "demo"))
        if method not in METHODS:
            raise ConfigurationError(f"[cseboard] sign_in must be one of {', '.join(METHODS)}, not {method!r}")
        if method == "sso" and not secrets.get("auth"):
            raise ConfigurationError("[cseboard] sign_in = \"sso\" needs an [auth] section (see secrets.example.toml)")
        group_roles = {str(k): str(v) for k, v in dict(section.get("group_roles", {}) or {}).items()}
        email_roles = {str(k).lower(): str(v) for k, v in dict(section.get("email_roles", {}) or {}).items()}
        for role in (*group_roles.values(), *email_roles.values()):
            if role not in ROLES:
                raise ConfigurationError(f"unknown role {role!r} in [cseboard]; the roles are {', '.join(ROLES)}")
        numbers = {name: int(section.get(name, getattr(cls, name)))
                   for name in ("session_minutes", "max_failed_sign_ins", "lockout_minutes")}
        if min(numbers.values()) < 1:
            raise ConfigurationError("[cseboard] session_minutes, max_failed_sign_ins and lockout_minutes must be 1 or more")
        return cls(method=method, roles_claim=str(section.get("roles_claim", "groups")),
                   group_roles=group_roles, email_roles=email_roles, **numbers)

    @property
    def demo(self) -> bool:
        return self.method == "demo"

    def sso_role(self, claims: Mapping) -> str | None:
        """The highest role the identity provider's claims grant (by e-mail or group); None if none does."""
        granted = []
        email = str(claims.get("email") or "").lower()
        if email in self.email_roles:
            granted.append(self.email_roles[email])
        groups = claims.get(self.roles_claim) or []
        for group in [groups] if isinstance(groups, str) else groups:
            if str(group) in self.group_roles:
                granted.append(self.group_roles[str(group)])
        return max(granted, key=rank) if granted else None
