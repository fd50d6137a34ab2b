"""The National benchmarks page's import panel: the three published files in, kept in the store all or none.

What the files hold and how they are read is cseboard.questions.national (pure functions); this only lays out the form.
"""
from __future__ import annotations

import streamlit as st

from cseboard.display import ui
from cseboard.questions import national
from cseboard.store.database import Store


def import_panel(store: Store) -> None:
    """The import form under an expander, open until every file is stored, with what is stored and when."""
    stored = national.imports(store.cursor())
    with st.expander("Import or replace the published files", expanded=len(stored) < len(national.READERS)):
        st.markdown("Download the three files from the DfE and ONS and import them here. They are kept with the "
                    "dashboard's data, so this is needed once per publication; importing a file again replaces it.")
        if ui.refusal_for("import_benchmarks") is None:
            import_form(store)
        else:
            st.caption(ui.refusal_for("import_benchmarks"))
        for row in national.imports(store.cursor()).itertuples():
            st.caption(ui.plain(f"{row.kind.capitalize()}: {row.file_name}, imported {row.imported_at:%d %B %Y %H:%M}."))


def import_form(store: Store) -> None:
    """Read the uploaded files and keep them in the store, all or none, explaining a wrong file in words."""
    with st.form("national_import", clear_on_submit=False, border=False):
        uploads = {kind: st.file_uploader(label, type="csv", help=help_text, key=f"national_{kind}")
                   for kind, (label, help_text) in national.UPLOADS.items()}
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
        st.error(ui.plain(problem))
    if problems:
        st.info("Nothing was imported. Replace the file named above and press Import again.")
        return
    ui.require("import_benchmarks")
    national.save_imports(store.cursor(), tables, {kind: upload.name for kind, upload in chosen.items()})
    st.success(ui.plain(f"Imported {', '.join(upload.name for upload in chosen.values())}."))
