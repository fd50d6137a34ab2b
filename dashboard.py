"""Streamlit entry: sign-in, the shared sidebar filters, then the page the user chose if their role allows it
(run: streamlit run dashboard.py)."""
import logging
import uuid

import streamlit as st

from cseboard.access.roles import page_action, visible_pages
from cseboard.display import access_view, ui
from cseboard.methods import disclosure

st.set_page_config(page_title="CSE strategic dashboard", page_icon=":material/shield:", layout="wide")

PAGES = {
    "Overview": [
        st.Page("pages/overview/home.py", title="This quarter", icon=":material/home:", default=True),
        st.Page("pages/overview/board_pack.py", title="Board pack", icon=":material/picture_as_pdf:",
                url_path="board-pack"),
    ],
    "Questions": [
        st.Page("pages/questions/age_gender.py", title="Age and gender", icon=":material/wc:", url_path="age-gender"),
        st.Page("pages/questions/missing.py", title="Missing from home or care", icon=":material/directions_run:", url_path="missing"),
        st.Page("pages/questions/crimes_vulnerabilities.py", title="Linked crimes and vulnerabilities", icon=":material/link:",
                url_path="crimes-vulnerabilities"),
        st.Page("pages/questions/sources_outcomes.py", title="Referral sources and outcomes", icon=":material/call_received:", url_path="sources-outcomes"),
        st.Page("pages/questions/areas.py", title="Areas", icon=":material/map:", url_path="areas"),
        st.Page("pages/questions/fairness.py", title="Who is not being identified", icon=":material/diversity_3:",
                url_path="fairness"),
        st.Page("pages/questions/training.py", title="Training coverage", icon=":material/school:", url_path="training"),
        st.Page("pages/questions/awareness.py", title="Prevention and awareness", icon=":material/campaign:",
                url_path="awareness"),
        st.Page("pages/questions/national.py", title="National benchmarks", icon=":material/flag:", url_path="national"),
    ],
    "Data": [
        st.Page("pages/data/upload.py", title="Load an extract", icon=":material/upload:", url_path="upload"),
        st.Page("pages/data/history.py", title="Extract history", icon=":material/history:", url_path="history"),
    ],
    "Administration": [
        st.Page("pages/admin/audit.py", title="Audit trail", icon=":material/policy:", url_path="audit"),
        st.Page("pages/admin/accounts.py", title="Accounts", icon=":material/manage_accounts:", url_path="accounts"),
    ],
}

# Every page is routed, so that a page opened by its address refuses in words; the menu lists only what the role may
# open, and the chosen page is checked here and again by the page itself.
navigation = st.navigation(PAGES, position="hidden")
user = access_view.signed_in_or_sign_in_page()
shown = set(visible_pages(user, [page.url_path for section in PAGES.values() for page in section]))
menu = st.sidebar.container()
filters = ui.sidebar_filters(ui.store())
ui.sidebar_menu(menu, {section: [page for page in pages if page.url_path in shown]
                       for section, pages in PAGES.items() if any(page.url_path in shown for page in pages)}, filters)
st.sidebar.caption(disclosure.plain_words(ui.policy()))
access_view.signed_in_as(user)
ui.require(page_action(navigation.url_path), title=navigation.title)
try:
    navigation.run()
except Exception:  # a plain message and an incident id for the user; the detail goes to the server log only
    incident = uuid.uuid4().hex[:10]
    logging.getLogger("cseboard").exception("incident %s on page %s", incident, navigation.url_path)
    st.error(f"Something went wrong on this page. Nothing was changed. If it happens again, tell your administrator "
             f"the incident id **{incident}**.", icon=":material/error:")
