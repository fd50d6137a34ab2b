"""National benchmarks: the partnership's local authority against England, its region and its statistical neighbours."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cseboard.display import charts, ui

from cseboard.methods import disclosure

from cseboard.questions import national

UPLOADS = {
    "factors": ("Children in need: factors identified at the end of assessment (DfE, CSV)",
                "From explore-education-statistics.service.gov.uk, 'Children in need', the 'Factors identified at "
                "the end of assessment' data file (c3_factors_identified_at_end_of_assessment_...csv)."),
    "population": ("Mid-year population estimates (ONS, CSV)",
                   "The population estimates file published with the same DfE release "
                   "(ons_mid-year_population_estimates_...csv): children aged 0 to 17 by local authority."),
    "neighbours": ("Statistical neighbours (DfE, CSV)",
                   "The DfE children's services statistical neighbour benchmarking tool, saved as CSV in its wide "
                   "form (sn_model_..._wide.csv): each authority's ten closest neighbours."),
}
LINES = (  # (column, name, colour, dash, width)
    ("la_rate_per_10k", None, charts.ORANGE, "solid", 3),
    ("england_rate_per_10k", "England", charts.BENCHMARK_COLOUR, "dash", 2),
    ("region_rate_per_10k", None, charts.SKY, "solid", 2),
    ("neighbour_median_rate_per_10k", "Statistical neighbours (median)", charts.PURPLE, "dot", 2),
)


def import_form(store) -> None:
    """Read the uploaded files and keep them in the store, all or none, explaining a wrong file in words."""
    with st.form("national_import", clear_on_submit=False, border=False):
        uploads = {kind: st.file_uploader(label, type="csv", help=help_text, key=f"national_{kind}")
                   for kind, (label, help_text) in UPLOADS.items()}
        submitted = st.form_submit_button("Import", type="primary")
    if not submitted:
        return
    chosen = {kind: upload for kind, upload in uploads.items() if upload is not None}
    if not chosen:
        st.warning("Choose at least one file to import.")
        return
    tables, problems = {}, []
    for kind, upload in chosen.items():
        try:
            tables[kind] = national.READERS[kind](upload)
        except national.NationalFileError as error:
            problems.append(str(error))
    for problem in problems:
        st.error(problem)
    if problems:
        st.info("Nothing was imported. Replace the file named above and press Import again.")
        return
    ui.require("import_benchmarks")
    national.save_imports(store.cursor(), tables, {kind: upload.name for kind, upload in chosen.items()})
    st.success(f"Imported {', '.join(upload.name for upload in chosen.values())}.")


def factor_figure(rows, la_name: str, region_name: str) -> go.Figure:
    """One factor's rate per 10,000 children by year: the authority, England, its region and its neighbours."""
    figure = go.Figure()
    names = {"la_rate_per_10k": la_name, "region_rate_per_10k": region_name}
    for column, name, colour, dash, width in LINES:
        label = names.get(column, name)
        figure.add_trace(go.Scatter(
            x=rows["time_period"], y=rows[column], name=label, mode="lines+markers",
            line={"color": colour, "dash": dash, "width": width}, connectgaps=False,
            hovertemplate=f"{label}, %{{x}}: %{{y:.1f}} per 10,000 children<extra></extra>"))
    figure.update_xaxes(dtick=1, tickformat="d")
    figure.update_yaxes(rangemode="tozero")
    title = f"{rows['factor_label'].iloc[0]}<br><sup>{national.factor_finding(rows, la_name)}</sup>"
    charts.style(figure, title, None, "Per 10,000 children aged 0-17", height=430)
    # Four lines in half a page: the legend goes under the chart, clear of the title.
    return figure.update_layout(legend={"orientation": "v", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
                                margin={"t": 70})


st.title("National benchmarks")
st.caption("How often child sexual exploitation, going missing, trafficking, gangs and criminal exploitation are "
           "identified in your local authority's children in need assessments, against England, your region and "
           "your ten statistical neighbours.")
st.info("These are figures the Department for Education has published for whole local authorities: the sidebar "
        "filters do not apply. DfE has already rounded and suppressed them, so the dashboard applies no further "
        "suppression; a figure DfE withheld stays withheld and shows DfE's symbol, never zero.",
        icon=":material/public:")

current = ui.store()
stored = national.imports(current.cursor())
with st.expander("Import or replace the published files", expanded=len(stored) < len(national.READERS)):
    st.markdown("Download the three files from the DfE and ONS and import them here. They are kept with the "
                "dashboard's data, so this is needed once per publication; importing a file again replaces it.")
    if ui.refusal_for("import_benchmarks") is None:
        import_form(current)
    else:
        st.caption(ui.refusal_for("import_benchmarks"))
    stored = national.imports(current.cursor())
    for row in stored.itertuples():
        st.caption(f"{row.kind.capitalize()}: {row.file_name}, imported {row.imported_at:%d %B %Y %H:%M}.")

tables = national.load_imports(current.cursor())
missing = [UPLOADS[kind][0] for kind in national.READERS if kind not in tables]
if missing:
    st.info(f"To see the comparison, import: {'; '.join(missing)}.")
else:
    authorities = national.local_authorities(tables["factors"])
    names = dict(zip(authorities["old_la_code"], authorities["la_name"]))
    regions = dict(zip(authorities["old_la_code"], authorities["region_name"]))
    la_code = st.selectbox("Your local authority", list(names), index=None, key="national_la",
                           format_func=lambda code: f"{names[code]} ({regions[code]})",
                           placeholder="Choose your local authority")
    if la_code is None:
        st.info("Choose your local authority to compare it with England, its region and its statistical neighbours.")
    else:
        la_name = names[la_code]
        comparison = national.compare(tables["factors"], tables["population"], tables["neighbours"], la_code)
        st.caption(national.CAVEAT)
        columns = st.columns(2)
        for index, (factor, rows) in enumerate(comparison.groupby("factor", sort=False)):
            with columns[index % 2]:
                st.plotly_chart(factor_figure(rows, la_name, rows["region_name"].iloc[0]), width="stretch",
                                key=f"national_{factor}_chart")
        st.caption("Years are DfE reporting years, ending 31 March.")
        gaps = national.missing_figures(comparison, la_name)
        if gaps:
            st.markdown(f"**Figures not published for {la_name}** (a gap in its line):\n"
                        + "\n".join(f"- {gap}" for gap in gaps))
        earlier = comparison[comparison["population_is_from_earlier_year"]]
        for year, rows in earlier.groupby("time_period"):
            st.caption(f"Rates for {year} use the {rows['population_year'].iloc[0]} population estimate, the latest "
                       "in the population file.")
        with st.expander("What DfE's symbols mean"):
            st.markdown("\n".join(f"- **{symbol}**: {meaning}" for symbol, meaning in national.SYMBOLS.items()))
        published = national.comparison_table(comparison, la_name)
        as_published = disclosure.ProtectedTable(numeric=published, policy=disclosure.DisclosurePolicy(enabled=False),
                                                 mask=pd.DataFrame(False, index=published.index, columns=published.columns))
        ui.data_table(as_published,
                      key="national_comparison", file_name=f"national_benchmarks_{la_code}")
