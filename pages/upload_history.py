"""Upload history: every upload with its provenance, what it holds, and withdrawal."""
from __future__ import annotations

import streamlit as st

from ui import data, identity, selection, uploads

selection.page_start()
st.title("Upload history")
table = data.uploads()
if table.empty:
    st.info("Nothing has been uploaded yet.")
    st.stop()

st.dataframe(
    table[["upload_id", "file_name", "kind", "uploaded_by", "uploaded_at", "rows_loaded", "status", "withdrawn_by",
           "withdrawn_at"]].rename(columns=lambda c: c.replace("_", " ").capitalize()),
    hide_index=True, width="stretch",
)

labels = {int(r.upload_id): f"{r.upload_id}: {r.file_name} ({r.status})" for r in table.itertuples()}
chosen_id = st.selectbox("Upload", list(labels), format_func=labels.get, key="history_upload")
row = table[table["upload_id"] == chosen_id].iloc[0]
st.subheader(f"Upload {chosen_id}")
st.markdown(
    f"**File:** {row['file_name']}  \n**SHA-256:** `{row['sha256']}`  \n**Size:** {row['size_bytes']:,} bytes  \n"
    f"**By:** {row['uploaded_by']} on {row['uploaded_at']:%d %b %Y %H:%M}  \n**Status:** {row['status']}"
)
st.dataframe(data.upload_contents(int(chosen_id)), hide_index=True, width="stretch")

if row["status"] == "loaded":
    st.markdown("Withdrawing removes this upload's values from every page; values it replaced come back.")
    sure = st.checkbox(f"I want to withdraw upload {chosen_id}", key="confirm_withdraw")
    if st.button("Withdraw upload", disabled=not sure, key="withdraw"):
        affected = uploads.withdraw(int(chosen_id), identity.current_user())
        st.success(f"Upload {chosen_id} withdrawn: {affected} values removed.", icon="✅")
        st.rerun()
