"""Upload: check a monthly KPI spreadsheet, preview what changes, then load it in one go or not at all."""
from __future__ import annotations

import streamlit as st

from ingest import readers
from settings import load_settings
from store.words import plural
from ui import catalogue_forms, exports, feedback, identity, selection, uploads
from ui.text import cells, md

user = identity.page_needs("upload")
selection.page_start()
st.title("Upload monthly data")
feedback.show_flash()
st.markdown(
    "Upload the month's KPI spreadsheet (.xlsx, .xlsm, .ods or .csv) or a DfE data download. Every cell is "
    "checked first; **nothing is loaded until there are no errors and you confirm.**"
)
st.download_button("Download the template (.xlsx)", uploads.template(), file_name="kpi_monthly_return_template.xlsx",
                   mime=uploads.XLSX_MIME, icon=":material/download:",
                   help="The long layout the upload reads best, with a sheet listing every KPI code, name and unit.")

file = st.file_uploader("Spreadsheet to upload", type=["xlsx", "xlsm", "ods", "csv"], key=uploads.uploader_key())
if file is None:
    readers.warm_reader()  # the file's reader process starts while the analyst chooses the file
    st.stop()

with feedback.refusals("Your file has not been checked or loaded") as outcome:
    plan = uploads.check(file.name, file.getvalue(), load_settings().home_la, user.email)
if outcome.refused:
    st.stop()

name = plan.provenance.file_name  # the safe name; every message shows it as plain words (ui.text.md)
if plan.already_loaded_as is not None:
    st.info(f"**{md(name)}** is already loaded, exactly as it is, as upload {plan.already_loaded_as}. "
            "Nothing has changed. To load it again, withdraw that upload first.", icon=":material/info:")
    st.page_link("views/upload_history.py", label="See it in Upload history", icon=":material/history:")
    st.stop()

sheets = uploads.sheet_table(plan)
if not sheets.empty:
    st.subheader("What was recognised")
    st.dataframe(sheets, hide_index=True, width="stretch")

if plan.errors:
    listed = sum(not issue.unlisted for issue in plan.errors)
    which = "Each row" if listed == plan.error_count else (
        f"The first {listed:,} are listed below and the last error row counts the rest; each row")
    st.error(f"**{plural(plan.error_count, 'error')} in {md(name)}: nothing has been loaded.** {which} "
             "below names the sheet and cell, what was found and how to fix it. Fix them all in the spreadsheet, "
             "then upload it again.", icon=":material/error:")
    problems = uploads.problems(plan)  # made once per checked file, not on every rerun
    if len(problems.table) <= uploads.WRAPPED_ISSUES:
        st.table(cells(problems.table).style.hide(axis="index"))  # a table's cells are Markdown; these quote the file
    else:
        st.dataframe(problems.table, column_config=uploads.ISSUE_COLUMN_CONFIG, hide_index=True, width="stretch")
    exports.download("Download the error report (.xlsx)", problems.report,
                     file_name=uploads.error_report_name(name), what="Upload error report",
                     details={"checked_file": name, "errors": plan.error_count}, mime=uploads.XLSX_MIME,
                     icon=":material/download:")
    exports.download("Download the error report (.csv, with a code per problem for automation)", problems.csv,
                     file_name=uploads.error_report_name(name, ".csv"), what="Upload error report",
                     details={"checked_file": name, "errors": plan.error_count}, mime="text/csv",
                     icon=":material/download:")
    unknown = plan.unknown_measures
    if unknown:
        st.subheader("Measures the catalogue does not know")
        listed = ", ".join(f"**{md(n)}**" for n in unknown)
        if catalogue_forms.may_edit():
            st.markdown(f"{plural(len(unknown), 'measure')} in {md(name)}: {listed}. If the council's own, add "
                        "them as local KPIs here: choose each one's unit, which way is better and its group. The "
                        "file is then checked again; nothing is loaded until you press Load.")
            catalogue_forms.add_form(unknown, "add_from_upload", submit=f"Add {plural(len(unknown), 'local KPI')} and "
                                "check the file again",
                                done=f"Added {plural(len(unknown), 'local KPI')}; {name} has been checked again below")
        else:
            st.info(f"{plural(len(unknown), 'measure')} in this file {'is' if len(unknown) == 1 else 'are'} not in "
                    f"the catalogue: {listed}. Correct a misspelt name, or ask one of the {catalogue_forms.who_may()} to "
                    "add the council's own measures as local KPIs (KPI catalogue page); then upload the file again.",
                    icon=":material/info:")
    st.stop()

checks = plan.checks
if checks:
    st.subheader("Values to check before loading")
    one = len(checks) == 1
    st.warning(f"**{plural(len(checks), 'value')} in {md(name)} may be wrong.** The table below says why. Check "
               f"{'it' if one else 'each'} against your source; then correct the spreadsheet and upload it again, or "
               f"tick that you have checked {'it' if one else 'them'} to load "
               f"{'it as it is' if one else 'them as they are'}.",
               icon=":material/warning:")
    if len(checks) <= uploads.PER_WARNING_TICKS:
        st.table(cells(uploads.checks_table(plan)).style.hide(axis="index"))  # cells wrap; they quote the file
        for i, issue in enumerate(checks):
            st.checkbox(md(uploads.check_label(issue)), key=uploads.check_key(plan, i))
    else:
        st.dataframe(uploads.checks_table(plan), hide_index=True, width="stretch")
    if len(checks) > 1:
        st.checkbox(f"I have checked all {len(checks):,} of these values and they are right",
                    key=uploads.check_key(plan))

warnings = uploads.warning_lines(plan)
if warnings:
    shown, rest = warnings[:uploads.WARNINGS_SHOWN], warnings[uploads.WARNINGS_SHOWN:]
    more = f"\n\n…and {len(rest):,} more, listed below." if rest else ""
    st.warning(f"**Please check {plural(len(warnings), 'warning')} before loading:**\n"
               + "\n".join(f"- {md(line)}" for line in shown) + more, icon=":material/warning:")
    if rest:
        with st.expander(f"All {len(warnings):,} warnings"):
            st.markdown("\n".join(f"- {md(line)}" for line in warnings))

st.subheader("Preview")
if plan.parsed is not None and not plan.parsed.observations.empty:
    counts = uploads.change_counts(plan)
    preview = uploads.made_once(plan, "preview", uploads.preview_table)
    kpis = plan.parsed.observations["kpi_code"].nunique()
    st.markdown(f"**{plural(len(plan.parsed.observations), 'value')}** for "
                f"{plural(kpis, 'KPI')}: {counts['new']:,} new, {counts['changed']:,} changed, "
                f"{counts['unchanged']:,} the same as stored.")
    councils = plan.parsed.observations["la_code"].nunique()
    if councils > 1:
        st.caption(f"The file covers {councils:,} councils: each cell is how many of them have a value that month.")
    else:
        st.markdown("Each value in its unit beside the one before it (the file's previous month, or the latest "
                    "stored) and the change; ⚠ marks a value to check.")
    st.dataframe(preview, hide_index=True, width="stretch")
    changed = uploads.made_once(plan, "changed", uploads.changed_values)
    if not changed.empty:
        st.markdown(f"**{plural(len(changed), 'value')} will change.** The stored values stay in history "
                    "and come back if this upload is withdrawn.")
        st.dataframe(changed, hide_index=True, width="stretch")
if plan.parsed is not None and not plan.parsed.breakdowns.empty:
    found = plan.parsed.breakdowns
    names = list(dict.fromkeys(found["breakdown"]))
    st.markdown(f"**{plural(len(found), 'figure')} by team** for {plural(len(names), 'team')} "
                f"({md(', '.join(names[:12]))}{', …' if len(names) > 12 else ''}), kept beside the whole council's "
                "figures, never mixed with them.")
    st.dataframe(uploads.team_preview(plan), hide_index=True, width="stretch")
if plan.benchmarks is not None:
    st.markdown(f"**Benchmarks:** {plan.benchmarks.values.shape[0]:,} figures and "
                f"{plan.benchmarks.neighbours.shape[0]:,} statistical-neighbour links.")

if plan.targets:
    st.markdown(f"**{plural(len(plan.targets), 'target')}** from the Targets sheet, added to the home "
                "council's targets (withdrawing this upload removes them again):")
    st.dataframe(uploads.targets_preview(plan), hide_index=True, width="stretch")

checked = uploads.all_checked(plan)
if not checked:
    st.markdown("Tick that you have checked the values above to load the file.")
if st.button(f"Load {plan.contents()} from {md(name)}", type="primary", key="confirm_load",
             icon=":material/upload:", disabled=not (plan.can_load and checked)):
    with feedback.refusals("Nothing was loaded") as outcome:
        upload_id = uploads.load(plan, user, checked=checked)
    if outcome.refused:
        st.stop()
    feedback.flash(f"Loaded {name} as upload {upload_id}: {plan.contents()}. "
                     "The overview and trend pages show them now; Upload history can withdraw them.")
    st.rerun()
