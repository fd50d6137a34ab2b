"""Streamlit entry: shared sidebar filters, then the page the user chose (run: streamlit run dashboard.py)."""
import streamlit as st

from cseboard.display import ui
from cseboard.methods import disclosure

st.set_page_config(page_title="CSE strategic dashboard", page_icon=":material/shield:", layout="wide")

PAGES = {
    "Overview": [
        st.Page("pages/overview/home.py", title="This quarter", icon=":material/home:", default=True),
    ],
    "Questions": [
        st.Page("pages/questions/age_gender.py", title="Age and gender", icon=":material/wc:", url_path="age-gender"),
        st.Page("pages/questions/missing.py", title="Missing from home or care", icon=":material/directions_run:", url_path="missing"),
        st.Page("pages/questions/crimes_vulnerabilities.py", title="Linked crimes and vulnerabilities", icon=":material/link:",
                url_path="crimes-vulnerabilities"),
        st.Page("pages/questions/sources_outcomes.py", title="Referral sources and outcomes", icon=":material/call_received:", url_path="sources-outcomes"),
        st.Page("pages/questions/areas.py", title="Areas", icon=":material/map:", url_path="areas"),
        st.Page("pages/questions/training.py", title="Training coverage", icon=":material/school:", url_path="training"),
        st.Page("pages/questions/awareness.py", title="Prevention and awareness", icon=":material/campaign:",
                url_path="awareness"),
        st.Page("pages/questions/national.py", title="National benchmarks", icon=":material/flag:", url_path="national"),
    ],
    "Data": [
        st.Page("pages/data/upload.py", title="Load an extract", icon=":material/upload:", url_path="upload"),
        st.Page("pages/data/history.py", title="Extract history", icon=":material/history:", url_path="history"),
    ],
}

navigation = st.navigation(PAGES, position="hidden")
menu = st.sidebar.container()
filters = ui.sidebar_filters(ui.store())
ui.sidebar_menu(menu, PAGES, filters)
st.sidebar.caption(disclosure.plain_words(ui.policy()))
navigation.run()
