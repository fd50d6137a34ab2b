"""Streamlit glue shared by the entry script and the pages: store, who is signed in, cached queries, filters, tables."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import duckdb
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from cseboard.access import accounts, audit
from cseboard.access.deployment import SignIn
from cseboard.access.roles import DEMO_VISITOR, User, refusal
from cseboard.methods import disclosure
from cseboard.config import SAMPLE_DIR, settings
from cseboard.filters import ONE_OR_ALL, URL_KEYS, Filters, from_url
from cseboard.intake.ingest import load, prepare_path
from cseboard.store.queries import run_filtered
from cseboard.store.database import AuditError, Store, StoreError, damage
from cseboard.questions import section
from cseboard.questions.coverage import coverage

MARKUP = re.compile(r"([\\`*_\[\]$~|])|(<)(?=[A-Za-z/!?])|(&)(?=#?\w+;)|(:)(?=\w+[\[:])|^(#)", re.MULTILINE)
"""What Streamlit's Markdown would read as markup: emphasis, links, code, LaTeX, tables, tags, entities, :directives:."""


def plain(text) -> str:
    """Text shown exactly as written: every character Streamlit's Markdown would act on is backslash-escaped."""
    return MARKUP.sub(lambda match: "\\" + next(group for group in match.groups() if group), str(text))


FILTERS_KEY = "filters"
UNSUPPRESS_KEY = "disclosure_off"
# The signed-in local session's token: set only by the sign-in form on the server (no widget has this key, so a
# browser cannot set it); tests put a token made by accounts.sign_in here. The cookie carries it across reloads.
SESSION_KEY = "access_session_token"
SESSION_COOKIE = "cseboard_session"


@st.cache_resource
def open_store(path: str, demo: bool = False) -> Store:
    """One DuckDB connection per process, locked down while serving; queries take their own cursor. Only the
    demo's own store is ever filled with the synthetic sample."""
    store = Store(path, demo=demo)
    if demo and "real" in store.kinds():
        store.close()
        raise StoreError(f"{path} holds real extracts, so it cannot be the demo's store: configure sign-in, or "
                         "point CSEBOARD_DEMO_DB at another file")
    if demo and store.is_empty():
        prepared = prepare_path(SAMPLE_DIR)
        if prepared.ok:
            load(store, prepared)
    store.lock_down()
    return store


def sign_in_config() -> SignIn:
    """How this server signs people in ([cseboard] in .streamlit/secrets.toml); no secrets at all: the demo."""
    try:
        secrets = st.secrets.to_dict()
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        secrets = {}
    return SignIn.from_secrets(secrets)


def store() -> Store:
    """The demo's own store without sign-in; the partnership's store with it (the two never share a file); or on
    every page a plain message saying what is wrong with it and how to put it right."""
    try:
        if sign_in_config().demo:
            return open_store(str(settings().demo_db_path), demo=True)
        return open_store(str(settings().db_path))
    except StoreError as exc:
        st.error(f"The dashboard cannot open its store: {exc}.", icon=":material/error:")
        st.stop()


def sso_identity() -> dict | None:
    """The identity provider's claims for a user signed in through st.login, else None."""
    return st.user.to_dict() if st.user.is_logged_in else None


def current_user() -> User | None:
    """Who is signed in, worked out afresh on every call (a session ends the moment it expires or is disabled)."""
    config = sign_in_config()
    if config.demo:
        return DEMO_VISITOR
    if config.method == "sso":
        claims = sso_identity()
        role = config.sso_role(claims) if claims else None
        return User(str(claims.get("email") or claims.get("sub")), role, "sso") if role else None
    return accounts.resume(store(), config, session_token())


def session_token() -> str | None:
    """The local session's token: from this session's sign-in, or from the cookie after a reload."""
    token = st.session_state.get(SESSION_KEY) or st.context.cookies.get(SESSION_COOKIE)
    return token if isinstance(token, str) else None


def require(action: str, title: str | None = None) -> User:
    """The server-side check every page and action makes first: a refusal in words (under the page's title, when
    given) and the page stops, or the user."""
    user = current_user()
    reason = refusal(user, action)
    if reason is not None:
        if title is not None:
            st.title(title)
        st.error(reason, icon=":material/block:")
        st.stop()
    return user


def refusal_for(action: str) -> str | None:
    """None if the signed-in user may do the action, else why not: to offer it or say so in its place."""
    return refusal(current_user(), action)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(db_path: str, version: int, name: str, filters: Filters | None, extra: tuple) -> pd.DataFrame:
    return run_filtered(open_store(db_path).cursor(), name, filters, dict(extra))


def query(name: str, filters: Filters | None = None, **extra) -> pd.DataFrame:
    """A named query's result, cached on the store's version so a new load is seen at once."""
    current = store()
    try:
        return _cached_query(str(current.path), current.version(), name, filters, tuple(sorted(extra.items())))
    except duckdb.Error as exc:
        damaged = damage(current.path, exc)
        if damaged is None:
            raise
        st.error(f"The dashboard cannot read its store: {damaged}.", icon=":material/error:")
        st.stop()


def policy() -> disclosure.DisclosurePolicy:
    """Suppression is on unless a user whose role allows it switched it off in this session (checked every run)."""
    enabled = not (st.session_state.get(UNSUPPRESS_KEY, False) and refusal_for("unprotect") is None)
    return disclosure.DisclosurePolicy(threshold=settings().suppression_threshold, enabled=enabled)


def _unprotect_changed() -> None:
    """The unprotected view is switched on only once that is in the audit trail, with the filters in use."""
    user = current_user()
    if not st.session_state.get(UNSUPPRESS_KEY):
        return
    filters = current_filters()
    try:
        if refusal(user, "unprotect") is not None:
            raise AuditError("your role may not switch protection off")
        audit.record(store(), user, "unprotected_on", filters=filters.describe() if filters else None)
    except AuditError as exc:
        st.session_state[UNSUPPRESS_KEY] = False
        st.session_state[UNPROTECT_REFUSED] = f"Protection stays on: {exc}."


UNPROTECT_REFUSED = "disclosure_off_refused"


def filter_choices(current: Store) -> tuple[list[str], dict[str, list[str]]]:
    """The quarters held and each filter's options, read once per store version (every page's sidebar shows them)."""
    return _filter_choices(str(current.path), current.version())


@st.cache_data(max_entries=8, show_spinner=False)
def _filter_choices(db_path: str, version: int) -> tuple[list[str], dict[str, list[str]]]:
    current = store()
    return current.quarters(), current.filter_options()


def default_filters(current: Store) -> Filters | None:
    """What a link without filters shows (the last four quarters, everyone), or None with nothing loaded."""
    quarters, options = filter_choices(current)
    return from_url({}, quarters, options) if quarters else None


def sidebar_filters(current: Store) -> Filters | None:
    """Draw the shared filters once, in the entry script; mirror them in the URL so a view can be shared."""
    quarters, options = filter_choices(current)
    if not quarters:
        st.session_state[FILTERS_KEY] = None
        return None
    seed = _filters_to_draw(quarters, options)
    sidebar = st.sidebar
    sidebar.header("Filters")
    if len(quarters) > 1:
        # value= also marks it as a range slider; without it Streamlit reads the range back as one quarter on rerun.
        first, last = sidebar.select_slider("Period (quarters)", options=quarters,
                                            value=(seed.first_quarter, seed.last_quarter), key="filter_period",
                                            help="One quarter or whole years: a period of another length is "
                                                 "shortened to whole years ending at its last quarter, to protect "
                                                 "children's figures.")
    else:
        first = last = quarters[0]
        sidebar.caption(f"Period: {first} (the only quarter loaded)")
    labels = {"areas": "Area", "sources": "Referral source", "age_bands": "Age band", "genders": "Gender"}
    chosen = {name: tuple(sidebar.multiselect(labels[name], options[name], default=list(getattr(seed, name)),
                                              key=f"filter_{name}", placeholder=f"All ({len(options[name])})",
                                              max_selections=ONE_OR_ALL))
              for name in URL_KEYS}
    filters = Filters(first, last, **chosen)
    _filters_into_link(filters)
    with sidebar.expander("Share this view", icon=":material/link:"):
        st.caption("Paste this link into a meeting invitation: it opens this page with these filters and the "
                   "page's own settings (benchmark, target, comparisons).")
        shown = {key: st.query_params.get_all(key) for key in st.query_params}
        st.code(f"{st.context.url or ''}?{urlencode(shown, doseq=True)}", language=None, wrap_lines=True)
    if refusal_for("unprotect") is None:
        sidebar.divider()
        sidebar.toggle("Show exact figures (internal use only)", key=UNSUPPRESS_KEY, on_change=_unprotect_changed,
                       help="Figures are normally rounded and adjusted to protect children. Analysts may switch this "
                            "off for internal work; switching it on is recorded in the audit trail.")
        if UNPROTECT_REFUSED in st.session_state:
            sidebar.error(st.session_state.pop(UNPROTECT_REFUSED), icon=":material/block:")
    st.session_state[FILTERS_KEY] = filters
    return filters


def _filters_into_link(filters: Filters) -> None:
    """Mirror the filters in the URL, leaving the page's own settings there (its widgets bind them to the link)."""
    wanted = {key: value if isinstance(value, list) else [value] for key, value in filters.to_url().items()}
    for key in ("from", "to", *URL_KEYS.values()):
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
        elif key in wanted and st.query_params.get_all(key) != wanted[key]:
            st.query_params[key] = wanted[key]


def _filters_to_draw(quarters: list[str], options: dict) -> Filters:
    """What the widgets start from: the shared link on a first visit, else the user's choices. Choices no longer
    in the data (another extract loaded) are dropped, and their widgets reset to the kept values."""
    if "filter_period" not in st.session_state:
        return from_url({key: st.query_params.get_all(key) for key in ("from", "to", *URL_KEYS.values())},
                        quarters, options)
    first, last = st.session_state["filter_period"]
    chosen = {name: list(st.session_state.get(f"filter_{name}") or []) for name in URL_KEYS}
    kept = from_url({"from": [first], "to": [last], **{URL_KEYS[name]: values for name, values in chosen.items()}},
                    quarters, options)
    if (first, last) != (kept.first_quarter, kept.last_quarter) or any(
            tuple(values) != getattr(kept, name) for name, values in chosen.items()):
        for key in ("filter_period", *(f"filter_{name}" for name in URL_KEYS)):
            st.session_state.pop(key, None)
    return kept


def sidebar_menu(menu, pages: dict, filters: Filters | None) -> None:
    """Links to every page that carry the filters, so the address bar always holds a view that can be shared."""
    query = filters.to_url() if filters else None
    for section, section_pages in pages.items():
        menu.caption(section)
        for page in section_pages:
            menu.page_link(page, query_params=query, width="stretch")


def current_filters() -> Filters | None:
    return st.session_state.get(FILTERS_KEY)


def page_header(title: str, what_it_shows: str, action: str = "view_analysis") -> Filters | None:
    """The page's access check, then its title, one line on what it shows, the filters in words, and what the
    figures are (protected or exact)."""
    require(action)
    st.title(title)
    st.caption(what_it_shows)
    filters = current_filters()
    if filters is None:
        st.info("No extract is loaded yet. Load one on the *Load an extract* page.")
        return None
    synthetic_banner()
    st.markdown(f"**Showing:** {plain(filters.describe())}")
    partial = coverage(query, filters).partial_note()
    if partial:
        st.warning(plain(partial), icon=":material/hourglass_top:")
    if policy().enabled:
        st.caption(disclosure.plain_words(policy()))
    else:
        st.warning("Disclosure control is OFF: figures below are exact and for internal use only. "
                   "Do not share or publish them.", icon="⚠️")
    return filters


def show_flash(key: str) -> None:
    """The outcome of the action before the rerun (kept in the session under key), shown once."""
    if key in st.session_state:
        st.success(st.session_state.pop(key), icon=":material/check_circle:")


def synthetic_banner() -> None:
    """Shown exactly when the figures come from the synthetic sample (a store never holds it beside real data)."""
    if "synthetic" in store().kinds():
        st.info("These figures come from the **synthetic sample** made by the project's generator: no real child's "
                "data.", icon=":material/science:")


def no_data(what: str = "the filters chosen") -> None:
    st.info(section.no_data(what).text)


def table_view(protected: disclosure.ProtectedTable, key: str, file_name: str, frame=None,
               csv: bytes | None = None, height: str = "auto") -> None:
    """A protected table, sortable (or as the question styled it), and its formula-safe CSV download."""
    labelled_rows = not isinstance(protected.numeric.index, pd.RangeIndex)
    st.dataframe(disclosure.sortable(protected) if frame is None else frame, hide_index=not labelled_rows,
                 width="stretch", height=height, key=f"{key}_table")
    audited_download("Download CSV", lambda: disclosure.safe_csv(protected.display()) if csv is None else csv,
                     f"{file_name}.csv", key=f"{key}_download", what=file_name)


def audited_download(label: str, make, file_name: str, key: str, what: str, needs: str = "export",
                     records: str = "export", mime: str = "text/csv") -> None:
    """A download made only when clicked, after its audit entry (who, what, the filters) is written: if the
    trail cannot be written, the download fails and nothing is handed out. needs: the action the role must
    allow; records: the audit action (export, board_pack, audit_exported)."""
    user = require(needs)
    filters = current_filters()
    entry = audit.entry(user, records, file=file_name, what=what, filters=filters.describe() if filters else None)
    current = store()

    def audited_bytes():
        current.append_audit(entry)
        return make()

    st.download_button(label, data=audited_bytes, file_name=file_name, mime=mime, key=key, on_click="ignore")

