"""Streamlit glue shared by the entry script and the pages: store, cached queries, filters, tables."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import duckdb
import pandas as pd
import streamlit as st

from cseboard.methods import disclosure
from cseboard.config import SAMPLE_DIR, settings
from cseboard.contract import AGE_BANDS, GENDERS
from cseboard.filters import ONE_OR_ALL, URL_KEYS, Filters, from_url
from cseboard.intake.ingest import load, prepare_path
from cseboard.store.queries import run_filtered
from cseboard.store.database import Store, StoreError, damage
from cseboard.questions import section

MARKUP = re.compile(r"([\\`*_\[\]$~|])|(<)(?=[A-Za-z/!?])|(&)(?=#?\w+;)|(:)(?=\w+[\[:])|^(#)", re.MULTILINE)
"""What Streamlit's Markdown would read as markup: emphasis, links, code, LaTeX, tables, tags, entities, :directives:."""


def plain(text) -> str:
    """Text shown exactly as written: every character Streamlit's Markdown would act on is backslash-escaped."""
    return MARKUP.sub(lambda match: "\\" + next(group for group in match.groups() if group), str(text))


FILTERS_KEY = "filters"
UNSUPPRESS_KEY = "disclosure_off"


@st.cache_resource
def open_store(path: str) -> Store:
    """One DuckDB connection per process; queries take their own cursor. An empty store gets the sample."""
    store = Store(path)
    if store.is_empty():
        prepared = prepare_path(SAMPLE_DIR)
        if prepared.ok:
            load(store, prepared)
    return store


def store() -> Store:
    """The store, or on every page a plain message saying what is wrong with it and how to put it right."""
    try:
        return open_store(str(settings().db_path))
    except StoreError as exc:
        st.error(f"The dashboard cannot open its store: {exc}.", icon=":material/error:")
        st.stop()


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
    """Suppression is on unless an analyst switched it off in this session."""
    config = settings()
    enabled = not (config.may_unsuppress and st.session_state.get(UNSUPPRESS_KEY, False))
    return disclosure.DisclosurePolicy(threshold=config.suppression_threshold, enabled=enabled)


def sidebar_filters(current: Store) -> Filters | None:
    """Draw the shared filters once, in the entry script; mirror them in the URL so a view can be shared."""
    quarters = current.quarters()
    if not quarters:
        st.session_state[FILTERS_KEY] = None
        return None
    options = {
        "areas": current.distinct("area"),
        "sources": current.distinct("referral_source"),
        "age_bands": list(AGE_BANDS),
        "genders": list(GENDERS),
    }
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
    wanted = {key: value if isinstance(value, list) else [value] for key, value in filters.to_url().items()}
    if {key: st.query_params.get_all(key) for key in st.query_params} != wanted:
        st.query_params.from_dict(filters.to_url())
    with sidebar.expander("Share this view", icon=":material/link:"):
        st.caption("Paste this link into a meeting invitation: it opens this page with these filters.")
        st.code(f"{st.context.url or ''}?{urlencode(filters.to_url(), doseq=True)}", language=None, wrap_lines=True)
    if settings().may_unsuppress:
        sidebar.divider()
        sidebar.toggle("Show exact figures (internal use only)", key=UNSUPPRESS_KEY,
                       help="Figures are normally rounded and adjusted to protect children. Analysts may switch this "
                            "off for internal work.")
    st.session_state[FILTERS_KEY] = filters
    return filters


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


def page_header(title: str, what_it_shows: str) -> Filters | None:
    """Title, one line on what the page shows, the filters in words, and what the figures are (protected or exact)."""
    st.title(title)
    st.caption(what_it_shows)
    filters = current_filters()
    if filters is None:
        st.info("No extract is loaded yet. Load one on the *Load an extract* page.")
        return None
    if any(name == SAMPLE_DIR.name for name in store().extracts().source_name):
        st.info("This is the **synthetic sample** made by the project's generator: no real child's data. "
                "Load your partnership's extract on the *Load an extract* page.", icon=":material/science:")
    st.markdown(f"**Showing:** {plain(filters.describe())}")
    if policy().enabled:
        st.caption(disclosure.plain_words(policy()))
    else:
        st.warning("Disclosure control is OFF: figures below are exact and for internal use only. "
                   "Do not share or publish them.", icon="⚠️")
    return filters


def no_data(what: str = "the filters chosen") -> None:
    st.info(section.no_data(what).text)


def table_view(protected: disclosure.ProtectedTable, key: str, file_name: str, frame=None,
               csv: pd.DataFrame | None = None, height: str = "auto") -> None:
    """A protected table, sortable (or as the question styled it), and its formula-safe CSV download."""
    labelled_rows = not isinstance(protected.numeric.index, pd.RangeIndex)
    st.dataframe(disclosure.sortable(protected) if frame is None else frame, hide_index=not labelled_rows,
                 width="stretch", height=height, key=f"{key}_table")
    st.download_button("Download CSV", data=disclosure.safe_csv(protected.display() if csv is None else csv),
                       file_name=f"{file_name}.csv", mime="text/csv", key=f"{key}_download")


def data_table(protected: disclosure.ProtectedTable, key: str, file_name: str, label: str = "Show the data") -> None:
    """The figures behind a chart: protected as the chart is, sortable, downloadable as safe CSV."""
    with st.expander(label):
        table_view(protected, key, file_name)
