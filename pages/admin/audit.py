"""Audit trail: who did what and when, filtered, and exported as CSV (administrators only; the app never edits it)."""
import datetime as dt

import streamlit as st

from cseboard.access import audit
from cseboard.display import ui
from cseboard.methods import disclosure

st.title("Audit trail")
ui.require("view_audit")
st.caption("Every sign-in, failed sign-in and lock-out, every extract loaded, replaced or removed, every switch to "
           "unprotected figures, and every export or board pack, with who, when and the filters used. Entries are "
           "only ever added: the dashboard has no way to change or delete one.")

current = ui.store()
today = dt.date.today()
first_column, last_column = st.columns(2)
since = first_column.date_input("From", value=today - dt.timedelta(days=30), key="audit_since")
until = last_column.date_input("To", value=today, key="audit_until")
who = st.selectbox("Who", [None, *audit.people(current)], format_func=lambda name: "Everyone" if name is None else name,
                   key="audit_who")
actions = st.multiselect("What", list(audit.ACTIONS), format_func=audit.ACTIONS.get, key="audit_actions",
                         placeholder="Every action")
entries = audit.entries(current, since=since, until=until + dt.timedelta(days=1), who=who, actions=actions)
table = entries.assign(action=entries.action.map(audit.ACTIONS)).rename(columns={
    "entry_id": "Entry", "happened_at": "When", "who": "Who", "role": "Role", "action": "What", "detail": "Details"})
st.write(f"{len(table):,} entries")
st.dataframe(table, hide_index=True, width="stretch", key="audit_table")
ui.audited_download("Download the audit trail (CSV)", lambda: disclosure.safe_csv(table),
                    f"audit-{since}-to-{until}.csv", key="audit_download", what="audit trail",
                    needs="view_audit", records="audit_exported")
