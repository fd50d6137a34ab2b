"""Drawing the validation report and the data-quality report: shared by the upload and history pages.

What to say is worked out in cseboard.quality (pure functions); this module only lays it out.
"""
from __future__ import annotations

import streamlit as st

from cseboard.methods import disclosure

from cseboard.intake import quality
from cseboard.intake.report import ERROR, SAMPLES_PER_RULE, WARNING, Report


def show_verdict(report: Report) -> None:
    """The verdict first, in a sentence; the serious refusals under it, one line each."""
    if report.ok:
        st.success(quality.verdict(report), icon=":material/check_circle:")
        return
    refusals = quality.headline_refusals(report)
    lines = "\n".join(f"- {line}" for line in refusals[:12])
    more = f"\n- … and {len(refusals) - 12} more" if len(refusals) > 12 else ""
    st.error(quality.verdict(report) + ("\n\n" + lines + more if refusals else ""), icon=":material/block:")


def show_findings(report: Report, key: str) -> None:
    """Every problem grouped by rule with its exact count and examples; then the fixes applied, as warnings."""
    errors = quality.problem_groups(report, ERROR)
    if errors:
        st.subheader(f"Problems to fix ({report.count(ERROR):,})")
        st.caption("Each problem names the file, the row (the header is row 1), the column and the value. "
                   "Identifying values are shown masked (letters as x, digits as 9).")
        for index, group in enumerate(errors):
            _group(group, expanded=index < 3, icon=":material/cancel:")
    warnings = quality.problem_groups(report, WARNING)
    if warnings:
        st.subheader(f"Fixed automatically, or worth knowing ({report.count(WARNING):,})")
        st.warning("These were fixed or noted without stopping the load. Check that each fix is what you meant.",
                   icon=":material/build:")
        for group in warnings:
            _group(group, expanded=False, icon=":material/build:")
    if errors or warnings:
        with st.expander("Summary by file, column and rule"):
            summary = quality.summary_table(report)
            st.dataframe(summary, hide_index=True, width="stretch", key=f"{key}_summary")
            st.download_button("Download the report (CSV)", data=disclosure.safe_csv(summary),
                               file_name="validation_report.csv", mime="text/csv", key=f"{key}_summary_download")


def _group(group: dict, expanded: bool, icon: str) -> None:
    count = group["count"]
    with st.expander(f"{icon} {group['title']}: {count:,} {'row' if count == 1 else 'rows'}", expanded=expanded):
        samples = group["samples"]
        if not samples.empty:
            st.dataframe(samples, hide_index=True, width="stretch")
            shown = len(samples)
            if count > shown:
                st.caption(f"Showing the first {shown} of {count:,} (up to {SAMPLES_PER_RULE} per file and column).")


def _reasons(found: dict) -> None:
    """Why each measure matters, under the summary table (kept out of it so the table fits the page)."""
    with st.expander("Why each measure matters"):
        st.markdown("\n".join(f"- **{measure}**: {why}" for measure, why in quality.rag_reasons(found)))


def show_quality(found: dict | None, key: str) -> None:
    """The RAG summary at the top, with the thresholds, and the detail below it."""
    if not found:
        st.info("No data-quality report is kept for this extract.")
        return
    st.markdown(f"**Recording quality:** {quality.rag_line(found)}")
    table = quality.rag_table(found)
    styled = table.style.map(lambda rating: f"background-color: {quality.RAG_COLOURS.get(rating, '')}",
                             subset=["Rating"])
    st.dataframe(styled, hide_index=True, width="stretch", key=f"{key}_rag")
    st.caption("Ratings follow the spirit of the CSA Centre's data improvement tool: they rate how well referrals "
               "are recorded, not how children are doing. Gender and ethnicity recorded as 'Not known' hide "
               "under-identified groups, such as boys.")
    _reasons(found)
    with st.expander("Detail: completeness of each column"):
        st.dataframe(quality.completeness_table(found), hide_index=True, width="stretch", key=f"{key}_completeness")
    with st.expander("Detail: duplicates, dates, ages, missing episodes and training"):
        for title, sentence, examples in quality.detail_sections(found):
            st.markdown(f"**{title}.** {sentence}")
            if not examples.empty:
                st.dataframe(examples, hide_index=True, width="stretch")

