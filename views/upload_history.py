"""Upload history: every upload with its provenance, what it holds, and withdrawal."""
from __future__ import annotations

import streamlit as st

from store.words import plural
from ui import data, feedback, identity, selection, uploads
from ui.text import md, visible

selection.page_start()
st.title("Upload history")
feedback.show_flash()
table = data.uploads()
if table.empty:
    st.info("Nothing has been uploaded yet.", icon=":material/info:")
    st.page_link("views/upload_file.py", label="Upload a monthly return", icon=":material/upload_file:")
    st.stop()

st.markdown("Every upload, newest first. Times are UK time; SHA-256 is the start of the file's fingerprint. A file's "
            "name is shown as the dashboard keeps it (no folders or hidden characters); the name exactly as it "
            "was given is kept too.")
history = uploads.history_table(table)
given = table["original_file_name"].where(table["original_file_name"].notna(), table["file_name"])
history["File"] = [visible(name) for name in table["file_name"]]  # an upload from before names were made safe
history.insert(history.columns.get_loc("File") + 1, "Name as given", [visible(name) for name in given])
st.dataframe(history, column_config=uploads.HISTORY_COLUMN_CONFIG, hide_index=True, width="stretch")

labels = {int(u): f"Upload {u}: {name}, {when}" for u, name, when in history[["Upload", "File", "Uploaded at"]].values}
chosen_id = st.selectbox("Upload to look at", list(labels), format_func=labels.get, key="history_upload")
row = table[table["upload_id"] == chosen_id].iloc[0]
shown = history[history["Upload"] == chosen_id].iloc[0]
name = md(shown["File"])
st.subheader(f"Upload {chosen_id}: {name}")
details = f"**File name:** {name}  \n"
if shown["Name as given"] != shown["File"]:
    details += f"**Name as given:** {md(shown['Name as given'])}  \n"
details += (f"**SHA-256:** `{row['sha256']}`  \n**Size:** {plural(int(row['size_bytes']), 'byte')}  \n"
            f"**By:** {md(row['uploaded_by'])} on {shown['Uploaded at']} (UK time)  \n"
            f"**Values loaded:** {row['rows_loaded']:,}  \n**Status:** {md(row['status'])}")
if row["status"] == "withdrawn":
    details += f" by {md(row['withdrawn_by'])} on {shown['Withdrawn at']}"
checked = uploads.acknowledged_lines(row["acknowledged_warnings"])
if checked:
    details += (f"  \n**Warnings acknowledged:** loaded with {plural(len(checked), 'plausibility warning')} "
                "acknowledged (ticked on the Upload page, or printed by the command line)")
st.markdown(details)
if checked:
    with st.expander(f"The {plural(len(checked), 'warning')} acknowledged"):
        st.markdown("\n".join(f"- {md(line)}" for line in checked))
st.dataframe(uploads.contents_table(data.upload_contents(int(chosen_id))), hide_index=True, width="stretch")

if row["status"] == "loaded" and identity.actor().can("withdraw"):
    st.markdown(f"**Withdraw upload {chosen_id}.** Its {row['rows_loaded']:,} values disappear from every page and "
                "the values they replaced come back. The upload stays listed here as withdrawn.")
    sure = st.checkbox(f"Yes, withdraw upload {chosen_id} ({name})", key=f"confirm_withdraw_{chosen_id}")
    if st.button("Withdraw upload", disabled=not sure, key=f"withdraw_{chosen_id}", icon=":material/undo:"):
        with feedback.refusals(f"Upload {chosen_id} was not withdrawn") as outcome:
            affected = uploads.withdraw(int(chosen_id), identity.actor())
        if outcome.refused:
            st.stop()
        feedback.flash(f"Upload {chosen_id} ({shown['File']}) withdrawn: {plural(affected, 'value')} "
                       "removed; the values they replaced are shown again.")
        st.rerun()
