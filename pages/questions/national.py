"""National benchmarks: the partnership's local authority against England, its region and its statistical neighbours."""
import streamlit as st

from cseboard.display import answers, national_view, render, ui
from cseboard.questions import national

st.title("National benchmarks")
st.caption("How often child sexual exploitation, going missing, trafficking, gangs and criminal exploitation are "
           "identified in your local authority's children in need assessments, against England, your region and "
           "your ten statistical neighbours.")
before_imports = st.container()
current = ui.store()
national_view.import_panel(current)
tables = national.load_imports(current.cursor())
la_code = None
if not national.missing_files(tables):
    choices = national.authority_choices(tables["factors"])
    la_code = st.selectbox("Your local authority", list(choices), index=None, key="national_la", bind="query-params",
                           format_func=choices.get, placeholder="Choose your local authority")
render.section(answers.prepared(national.section(tables, la_code)), before_imports, st.container())
