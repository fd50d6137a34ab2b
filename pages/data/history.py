"""Extract history: every loaded extract with its data quality; an administrator may remove one (undo a load)."""
import streamlit as st

from cseboard.access import audit
from cseboard.access.roles import refusal
from cseboard.intake import pii, quality

from cseboard.display import quality_view, ui
from cseboard.store.database import StoreError

FLASH = "history_flash"

st.title("Extract history")
user = ui.require("view_history")
st.caption("Every extract loaded, newest first. For each quarter the dashboard shows the newest extract that covers "
           "it. Removing an extract (undo) takes the store back to how it was before that extract was loaded: "
           "the quarters it replaced come back from the older extract.")
ui.show_flash(FLASH)

current = ui.store()
history = current.extracts()
if history.empty:
    st.info("No extract is loaded. Load one on the Load an extract page.")
    st.page_link("pages/data/upload.py", label="Load an extract", icon=":material/upload:")
    st.stop()

st.dataframe(quality.history_table(history), hide_index=True, width="stretch", key="history_table",
             column_config={"Quality": st.column_config.TextColumn(
                 "Quality", help="Data-quality ratings: green, amber, red measures (see below)")})

labels = {int(row.extract_id): f"Extract {int(row.extract_id)}: {row.period_start} to {row.period_end} ({row.source_name})"
          for row in history.itertuples()}

st.header("Data quality of an extract")
ui.require("view_quality_detail")
shown = st.selectbox("Extract", list(labels), format_func=labels.get, key="history_quality")
st.dataframe(quality.extract_details(history, shown), hide_index=True, key="history_details")
quality_view.show_quality(quality.stored_quality(history, shown), key="history_quality_report")

st.header("Undo a load")
if refusal(user, "remove_extract") is not None:
    st.info(refusal(user, "remove_extract"), icon=":material/lock:")
    st.stop()
chosen = st.selectbox("Extract to remove", list(labels), format_func=labels.get, key="history_remove")
notes = quality.undo_notes(history, chosen)
row = history[history.extract_id == chosen].iloc[0]
what = (f"extract {chosen} ({row.source_name}, {row.period_start} to {row.period_end}, "
        f"{int(row.rows_referrals):,} referrals)")
st.warning(f"Removing extract {chosen} deletes its rows from the store.\n\n" + "\n".join(f"- {n}" for n in notes),
           icon=":material/undo:")
confirmed = st.checkbox(f"Yes, remove {ui.plain(what)}", key="history_remove_confirmed")
if st.button(f"Remove extract {chosen}", key="history_confirm", type="primary", disabled=not confirmed):
    entry = audit.entry(ui.require("remove_extract"), "extract_removed", extract_id=int(chosen),
                        source=row.source_name, period=f"{row.period_start} to {row.period_end}",
                        referrals=int(row.rows_referrals), sha256=row.files_sha256)
    try:
        if not st.session_state.get("history_remove_confirmed"):
            raise StoreError("tick the box that names what will be removed first")
        current.remove(chosen, audit=entry)
    except StoreError as exc:
        st.error(f"Not removed: {pii.masked_within(str(exc))}", icon=":material/block:")
    else:
        loaded = st.session_state.get("upload_loaded", {})
        for upload in [upload for upload, extract_id in loaded.items() if extract_id == chosen]:
            del loaded[upload]
        st.session_state[FLASH] = f"Removed {ui.plain(what)}. " + " ".join(notes)
        st.session_state.pop(ui.FILTERS_KEY, None)  # the sidebar works the filters out again for the new data
        st.rerun()
