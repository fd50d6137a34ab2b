"""Accounts: add, disable or enable, reset the password of, or change the role of a local account (administrators)."""
import streamlit as st

from cseboard.access import accounts
from cseboard.access.roles import ROLES
from cseboard.display import ui
from cseboard.store.database import AuditError

FLASH = "accounts_flash"

st.title("Accounts")
user = ui.require("manage_accounts")
if ui.sign_in_config().method != "local":
    st.info("This server signs people in through single sign-on: accounts and roles are managed at the identity "
            "provider and in the role mapping of .streamlit/secrets.toml (README, 'Sign-in and roles').")
    st.stop()
st.caption("Local accounts sign in with a username and password. Passwords are kept only as salted argon2 hashes. "
           "Accounts are never deleted, only disabled, so that the audit trail keeps its names. Every change here "
           "is recorded in the audit trail.")
ui.show_flash(FLASH)

current = ui.store()
listing = accounts.listing(current)
st.dataframe(listing.rename(columns={"username": "Username", "role": "Role", "disabled": "Disabled",
                                     "failed_attempts": "Failed sign-ins", "locked_until": "Locked until",
                                     "created_at": "Created"}), hide_index=True, width="stretch", key="accounts_table")


def done(message: str, change, *args) -> None:
    """Carry out one change (checked again on the server), then show what was done."""
    ui.require("manage_accounts")
    try:
        change(current, *args, by=user)
    except (accounts.AccountError, AuditError) as exc:
        st.error(f"Not done: {ui.plain(exc)}", icon=":material/block:")
        return
    st.session_state[FLASH] = message
    st.rerun()


add, change = st.tabs(["Add an account", "Change an account"])
with add, st.form("account_add", clear_on_submit=True):
    name = st.text_input("Username", key="account_add_name")
    role = st.selectbox("Role", ROLES, key="account_add_role")
    password = st.text_input(f"Password (at least {accounts.MIN_PASSWORD_LENGTH} characters)", type="password",
                             key="account_add_password")
    if st.form_submit_button("Add the account", type="primary"):
        done(f"Added {ui.plain(name)} ({role}).", accounts.add, name.strip(), role, password)

with change:
    if listing.empty:
        st.info("No accounts yet.")
        st.stop()
    chosen = st.selectbox("Account", listing.username.tolist(), key="account_chosen")
    row = listing[listing.username == chosen].iloc[0]
    new_role = st.selectbox("Role", ROLES, index=ROLES.index(row.role), key="account_role")
    if st.button("Change the role", key="account_role_change", disabled=new_role == row.role):
        done(f"{ui.plain(chosen)} is now {new_role}.", accounts.set_role, chosen, new_role)
    if row.disabled:
        if st.button("Enable the account", key="account_enable"):
            done(f"Enabled {ui.plain(chosen)}.", accounts.set_disabled, chosen, False)
    elif st.button("Disable the account", key="account_disable", disabled=chosen == user.name,
                   help="You cannot disable your own account."):
        done(f"Disabled {ui.plain(chosen)}; their sessions have ended.", accounts.set_disabled, chosen, True)
    new_password = st.text_input("New password", type="password", key="account_new_password")
    if st.button("Reset the password", key="account_reset"):
        done(f"New password set for {ui.plain(chosen)}; any lock-out is cleared.", accounts.reset_password,
             chosen, new_password)
