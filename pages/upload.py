"""Upload: check a monthly KPI spreadsheet, preview what changes, then load it in one go or not at all."""
from __future__ import annotations

import streamlit as st

from settings import load_settings
from ui import identity, selection, uploads

selection.page_start()
st.title("Upload monthly data")
st.markdown(
    "Upload the month's KPI spreadsheet (.xlsx, .xlsm, .ods or .csv) or a DfE data download. Every cell is "
    "checked first; **nothing is loaded until there are no errors and you confirm.**"
)
st.download_button("Download the template (.xlsx)", uploads.template(), file_name="kpi_monthly_return_template.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

file = st.file_uploader("Spreadsheet to upload", type=["xlsx", "xlsm", "ods", "csv"], key="upload_file")
if file is None:
    st.stop()

user = identity.current_user()
plan = uploads.check(file.name, file.getvalue(), load_settings().home_la, user)

if plan.already_loaded_as is not None:
    st.info(f"This exact file was already loaded as upload {plan.already_loaded_as}. Nothing has changed.",
            icon="ℹ️")
    st.stop()

if plan.parsed is not None and plan.parsed.sheets:
    st.subheader("What was recognised")
    st.dataframe(
        [{"Sheet": s.sheet, "Layout": s.layout, "Rows recognised": s.rows, "Note": s.note} for s in plan.parsed.sheets],
        hide_index=True, width="stretch",
    )

if plan.errors:
    st.error(f"**{len(plan.errors)} errors: nothing has been loaded.** Fix them in the spreadsheet and upload it "
             "again. Each error names its sheet and cell.", icon="⛔")
    st.dataframe(uploads.issue_table(plan), hide_index=True, width="stretch")
    st.download_button("Download the error report (.xlsx)", uploads.error_report(plan),
                       file_name=f"{file.name}-errors.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.stop()

for warning in plan.warnings:
    st.warning(f"{warning.location}: {warning.message}" + (f" ({warning.found})" if warning.found else ""),
               icon="⚠️")

st.subheader("Preview")
if not plan.summary.empty:
    st.markdown(f"**{len(plan.parsed.observations)} values** for {plan.summary.shape[0]} KPIs. "
                "Values per KPI and month:")
    st.dataframe(plan.summary, hide_index=True, width="stretch")
    changed = uploads.changed_values(plan)
    counts = plan.changes["change"].value_counts()
    st.markdown(f"New: {counts.get('new', 0)} · changed: {counts.get('changed', 0)} · "
                f"unchanged: {counts.get('unchanged', 0)}")
    if not changed.empty:
        st.markdown("**Values that will change** (the stored values stay in history and come back if this upload "
                    "is withdrawn):")
        st.dataframe(changed, hide_index=True, width="stretch")
if plan.benchmarks is not None:
    st.markdown(f"**Benchmarks:** {len(plan.benchmarks.values)} figures and {len(plan.benchmarks.neighbours)} "
                "statistical-neighbour links.")

if st.button("Load this file", type="primary", disabled=not plan.can_load):
    upload_id = uploads.load(plan)
    st.success(f"Loaded {plan.row_count} rows as upload {upload_id}. The overview now shows them.", icon="✅")
