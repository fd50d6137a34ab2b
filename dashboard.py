"""Streamlit entry: shared sidebar filters, then the page the user chose (run: streamlit run dashboard.py)."""
import streamlit as st

from cseboard import ui

st.set_page_config(page_title="CSE strategic dashboard", page_icon="🛡️", layout="wide")

PAGES = {
    "Overview": [
        st.Page("pages/home.py", title="This quarter", icon="🏠", default=True),
    ],
    "Questions": [
        st.Page("pages/age_gender.py", title="Age and gender", icon="🧒", url_path="age-gender"),
        st.Page("pages/missing.py", title="Missing episodes", icon="🚪", url_path="missing"),
        st.Page("pages/crimes_vulnerabilities.py", title="Linked crimes and vulnerabilities", icon="🔗",
                url_path="crimes-vulnerabilities"),
        st.Page("pages/sources_outcomes.py", title="Referral sources and outcomes", icon="📨", url_path="sources-outcomes"),
        st.Page("pages/areas.py", title="Areas", icon="🗺️", url_path="areas"),
        st.Page("pages/training.py", title="Training coverage", icon="🎓", url_path="training"),
        st.Page("pages/national.py", title="National benchmarks", icon="🏴", url_path="national"),
    ],
    "Data": [
        st.Page("pages/upload.py", title="Load an extract", icon="⬆️", url_path="upload"),
        st.Page("pages/history.py", title="Extract history", icon="🗂️", url_path="history"),
    ],
}

navigation = st.navigation(PAGES)
ui.sidebar_filters(ui.store())
st.sidebar.caption("Figures of 1 to 4 are shown as <5 to protect children's privacy.")
navigation.run()
