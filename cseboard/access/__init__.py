"""Who may see and do what: roles, sign-in configuration, local accounts and sessions, the audit trail."""
