"""Sign-in and sign-out in Streamlit: the sign-in page, who is signed in, and the demo's label."""
from __future__ import annotations

import json

import streamlit as st

from cseboard.access import accounts, audit
from cseboard.access.roles import HOW_TO_SIGN_IN, User
from cseboard.display import ui
from cseboard.store.database import AuditError

CLEAR_COOKIE = "access_clear_cookie"
SSO_RECORDED = "access_sso_recorded"
# The session token rides in a cookie so that a reload finds the session (st.context.cookies); the token is random
# and only its hash is stored. The script is the app's own text with the token, which is URL-safe base64.
COOKIE_SCRIPT = ("<script>document.cookie = {cookie} + '; Path=/; SameSite=Strict' + "
                 "(location.protocol === 'https:' ? '; Secure' : '');</script>")


def _cookie(value: str, clear: bool = False) -> None:
    cookie = f"{ui.SESSION_COOKIE}={value}" + ("; Max-Age=0" if clear else "")
    st.html(COOKIE_SCRIPT.format(cookie=json.dumps(cookie)), unsafe_allow_javascript=True)


def signed_in_or_sign_in_page() -> User:
    """The signed-in user (or the demo's visitor); anyone else gets the sign-in page and nothing more."""
    config = ui.sign_in_config()
    user = ui.current_user()
    if user is not None:
        if user.via == "sso":
            _record_sso(user, "sign_in")
        token = st.session_state.get(ui.SESSION_KEY)
        if user.via == "local" and token and st.context.cookies.get(ui.SESSION_COOKIE) != token:
            _cookie(token)  # on every run until a reload brings it back, so no rerun can drop it unset
        return user
    if st.session_state.pop(CLEAR_COOKIE, None) or ui.session_token():
        _cookie("", clear=True)  # an expired or ended session's cookie is of no further use
    st.session_state.pop(ui.SESSION_KEY, None)
    st.title("CSE strategic dashboard")
    if config.method == "sso":
        _sso_sign_in()
    else:
        _local_sign_in(config)
    st.stop()


def _sso_sign_in() -> None:
    claims = ui.sso_identity()
    if claims is not None:  # signed in at the identity provider, but no role is granted here
        who = str(claims.get("email") or claims.get("sub"))
        _record_sso(User(who, "", "sso"), "failed_sign_in")
        st.error(f"You are signed in as {ui.plain(who)}, but no role in this dashboard is granted to that account. "
                 "Ask an administrator to add you.", icon=":material/block:")
        st.button("Sign out", on_click=st.logout, key="sso_sign_out")
        return
    st.write("Sign in with your organisation's account to see the dashboard.")
    st.button("Sign in with single sign-on", on_click=st.login, type="primary", key="sso_sign_in")


def _record_sso(user: User, action: str) -> None:
    """One entry per sign-in at the identity provider (a reload opens a new session but is not a new sign-in)."""
    issued = (ui.sso_identity() or {}).get("iat")
    marker = (user.name, issued, action)
    if st.session_state.get(SSO_RECORDED) == marker:
        return
    current = ui.store()
    already = audit.entries(current, who=user.name, actions=[action])
    if not any(json.loads(detail).get("issued_at") == issued for detail in already.detail):
        try:
            if action == "sign_in":
                audit.record(current, user, action, issued_at=issued)
            else:
                audit.record(current, user.name, action, reason="no role granted", issued_at=issued)
        except AuditError as exc:
            st.error(f"Signing in is not possible now: {exc}.", icon=":material/block:")
            st.stop()
    st.session_state[SSO_RECORDED] = marker


def _local_sign_in(config) -> None:
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    st.caption(f"After {config.max_failed_sign_ins} wrong passwords in a row an account is locked for "
               f"{config.lockout_minutes} minutes. A session ends after {config.session_minutes} minutes without use.")
    if not submitted:
        return
    try:
        user, token = accounts.sign_in(ui.store(), config, username.strip(), password)
    except AuditError as exc:
        st.error(f"Signing in is not possible now: {exc}.", icon=":material/block:")
        return
    if user is None:
        st.error("The username or password is wrong, or the account is locked or disabled.", icon=":material/block:")
        return
    st.session_state[ui.SESSION_KEY] = token
    st.rerun()


def signed_in_as(user: User) -> None:
    """Who is signed in, with a way out; on the demo, a label that says what it is and how to leave it."""
    sidebar = st.sidebar
    sidebar.divider()
    if user.demo:
        sidebar.warning("**DEMO**: synthetic sample only, no sign-in. " + HOW_TO_SIGN_IN, icon=":material/science:")
        return
    sidebar.caption(f"Signed in as {ui.plain(user.name)} ({user.role})")
    sidebar.button("Sign out", key="sign_out", on_click=_sign_out, args=(user,))


def _sign_out(user: User) -> None:
    """End the session (server side first), record it, and clear the browser's cookie or the SSO identity."""
    try:
        audit.record(ui.store(), user, "sign_out")
    except AuditError:
        pass  # signing out is never refused: ending a session takes rights away, it grants none
    if user.via == "sso":
        st.logout()
        return
    token = ui.session_token()
    st.session_state.pop(ui.SESSION_KEY, None)
    if token:
        accounts.end_session(ui.store(), token)
    st.session_state[CLEAR_COOKIE] = True
