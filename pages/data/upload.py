"""Load an extract: check it, show what would be stored and its data quality, and load only when confirmed."""
import datetime as dt
import math

import streamlit as st

from cseboard.access import audit
from cseboard.intake import pii, quality

from cseboard.display import quality_view, ui
from cseboard.config import settings
from cseboard.intake.ingest import is_sample, load, prepare_uploads
from cseboard.periods import quarter_of, quarters_between
from cseboard.intake.readers import Limits
from cseboard.store.database import StoreError

FROM_DATES, CHOSEN = "From the referral dates", "Choose the first and last quarter"
CHECKED, LOADED, FLASH = "upload_checked", "upload_loaded", "upload_flash"

st.title("Load an extract")
user = ui.require("load_extract")
st.caption("Upload this quarter's CSE extract: referrals.csv (required) and, if you have them, missing_episodes.csv, "
           "training.csv, population.csv and awareness.csv, or a .zip or .xlsx holding them. The files are checked first; "
           "nothing is stored until you confirm. Extracts must not identify any child: no names, dates of birth, "
           "NHS numbers, addresses, postcodes, phone numbers or emails.")
ui.show_flash(FLASH)

limit = settings().max_upload_bytes  # one number: .streamlit/config.toml's maxUploadSize is the same (tested)
files = st.file_uploader(
    "Extract files", type=["csv", "parquet", "xlsx", "zip"], accept_multiple_files=True, key="upload_files",
    max_upload_size=max(1, math.ceil(limit / 1024**2)),
    help=f"Each file may be up to {limit / 1024**2:,.0f} MB. Uploaded files are held in memory, never saved to disk.")

mode = st.radio("Period the extract covers", [FROM_DATES, CHOSEN], horizontal=True, key="upload_period_mode",
                help="Loading an extract replaces any extract already loaded for the same quarters.")
period = None
if mode == CHOSEN:
    options = quarters_between("2015-Q1", quarter_of(dt.date.today()))
    first_column, last_column = st.columns(2)
    first = first_column.selectbox("First quarter", options, index=max(0, len(options) - 4), key="upload_first")
    last = last_column.selectbox("Last quarter", options, index=len(options) - 1, key="upload_last")
    period = (first, last)

if not files:
    st.info("Choose or drop the extract's files above to check them.")
    st.stop()

key = (tuple((f.file_id, f.name, f.size) for f in files), period)
checked = st.session_state.get(CHECKED)
if checked is None or checked[0] != key:
    with st.spinner("Checking the extract…"):
        prepared = prepare_uploads([(f.name, f.getvalue()) for f in files], period=period,
                                   limits=Limits(max_file_bytes=limit))
    st.session_state[CHECKED] = checked = (key, prepared)
prepared = checked[1]
report = prepared.report

loaded = st.session_state.setdefault(LOADED, {})
loaded_key = (prepared.sha256, prepared.extract.period_start, prepared.extract.period_end)
if prepared.ok and loaded_key in loaded:
    st.success(f"These files were loaded as extract {loaded[loaded_key]}. Check it or undo it on the Extract "
               "history page. To load another extract, remove these files above and choose the new ones.",
               icon=":material/check_circle:")
    st.page_link("pages/data/history.py", label="Extract history", icon=":material/history:")
    st.stop()

st.header("Check")
quality_view.show_verdict(report)
quality_view.show_findings(report, key="upload")
if not prepared.ok:
    st.info("Fix the problems in the extract and upload it again. Nothing was stored; the dashboard is unchanged.")
    st.stop()

extract = prepared.extract
st.header("What would be stored")
rows = ", ".join(f"{extract.rows(name):,} {name.replace('_', ' ')}" for name in extract.tables)
st.markdown(f"**Period:** {extract.period_start} to {extract.period_end}. **Rows:** {rows}.")
previews = quality.preview(extract.tables)
for tab, (name, frame) in zip(st.tabs([name.replace("_", " ").capitalize() for name in previews]), previews.items()):
    with tab:
        st.caption(f"The first {len(frame)} of {extract.rows(name):,} rows, as they will be stored (after the fixes).")
        st.dataframe(frame, hide_index=True, width="stretch")

st.header("Data quality")
quality_view.show_quality(prepared.quality, key="upload_quality")

st.header("Load")
current = ui.store()
history = current.extracts()
kinds = current.kinds()
if is_sample(prepared) and "real" in kinds:
    st.error("These are the files of the synthetic sample, which is never loaded beside real extracts.",
             icon=":material/block:")
    st.stop()
sample_goes = not is_sample(prepared) and "synthetic" in kinds
if sample_goes:
    st.warning("The store holds the synthetic sample. Loading this extract removes the sample first, so that "
               "synthetic and real figures are never shown together.", icon=":material/science:")
    history = history[~history.synthetic.astype(bool)]
same = history[history.files_sha256 == prepared.sha256]
if not same.empty:
    st.warning(f"These exact files were loaded before, as extract {int(same.extract_id.iloc[0])}. "
               "Loading them again makes a new extract that replaces it for the same quarters.", icon=":material/warning:")
notes = quality.overlap_notes(history, extract.period_start, extract.period_end)
if notes:
    st.info(notes[0] if len(notes) == 1 else "\n".join(f"- {note}" for note in notes), icon=":material/swap_horiz:")
else:
    st.info(f"No extract is loaded for {extract.period_start} to {extract.period_end} yet: this adds those quarters.",
            icon=":material/add_circle:")
if st.button("Load this extract", key="upload_confirm", type="primary"):
    replaced_ids = sorted({extract_id for quarter, extract_id in quality.shown_from(history).items()
                           if extract.period_start <= quarter <= extract.period_end})
    entry = audit.entry(ui.require("load_extract"), "extract_replaced" if replaced_ids else "extract_loaded",
                        source=prepared.source_name, period=f"{extract.period_start} to {extract.period_end}",
                        referrals=extract.rows("referrals"), sha256=prepared.sha256, replaced=replaced_ids,
                        sample_removed=sample_goes)
    try:
        extract_id = load(current, prepared, audit=entry)
    except StoreError as exc:
        st.error(f"Not loaded: {pii.masked_within(str(exc))}", icon=":material/block:")
    else:
        loaded[loaded_key] = extract_id
        st.session_state[FLASH] = (f"Loaded extract {extract_id}: {extract.period_start} to {extract.period_end}, "
                                   f"{extract.rows('referrals'):,} referrals. The dashboard now shows it.")
        st.session_state.pop(ui.FILTERS_KEY, None)  # the sidebar works the filters out again for the new data
        st.rerun()
