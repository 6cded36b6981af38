"""Audit log: who did what and when, with before and after, for admins; filterable and exportable."""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import streamlit as st

from auth import audit
from store.spreadsheets import csv_bytes
from ui import data, exports, identity
from ui.text import md

admin = identity.page_needs("read_audit")
st.title("Audit log")
st.markdown("Every sign-in, upload, withdrawal, edit, export and role change, newest first, with what it was "
            "before and after. Entries are never changed or deleted; each carries a fingerprint of the one before, "
            "and a file beside the database records where the log ends, so a change or removal made outside the "
            "dashboard shows below. Times are UTC.")

left, middle, right = st.columns([2, 2, 3])
since = left.date_input("From", value=date.today() - timedelta(days=30), format="DD/MM/YYYY", key="audit_since")
until = middle.date_input("To", value=date.today(), format="DD/MM/YYYY", key="audit_until")
actions = right.multiselect("What", list(audit.ACTIONS), format_func=audit.ACTIONS.get, placeholder="Everything",
                            key="audit_actions")
left, right = st.columns(2)
who = left.text_input("Who (part of an email)", key="audit_who")
text = right.text_input("Containing (subject, before or after)", key="audit_text")

entries, verdict = data.audit_log(admin, since=since, until=until, who=who, actions=actions or None, text=text)
if verdict.broken:
    st.error(f"The audit log's fingerprints do not match at entries {', '.join(map(str, verdict.broken[:20]))}"
             f"{' and more' if len(verdict.broken) > 20 else ''}: the log was changed outside the dashboard. Keep a "
             "copy of the database file and tell your information governance team.", icon=":material/gpp_bad:")
if verdict.intact:
    st.success(f"Every entry's fingerprint matches: the log is as the dashboard wrote it. {md(verdict.end)}",
               icon=":material/verified_user:")
elif verdict.end_changed:
    st.error(f"{md(verdict.end)} Keep a copy of the database file and the file beside it, and tell your "
             "information governance team.", icon=":material/gpp_bad:")
else:
    st.warning(md(verdict.end), icon=":material/gpp_maybe:")
if verdict.old_format:
    st.caption(f"{verdict.old_format:,} entries were written before fingerprints covered the entry's number and told "
               "a missing value from an empty one; they are checked with the formula they were written with.")

shown = entries.assign(action=entries["action"].map(audit.ACTIONS))
shown = shown.rename(columns={"entry_id": "Entry", "at": "When (UTC)", "actor": "Who", "role": "Role",
                              "action": "What", "subject": "Subject", "before": "Before", "after": "After"})
st.subheader(f"{len(shown):,} entries")
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"Before": st.column_config.TextColumn(width="medium"),
                            "After": st.column_config.TextColumn(width="medium")})
exports.download("Download these entries (CSV)", partial(csv_bytes, shown),
                 file_name=f"audit_{since}_{until}.csv", what="Audit log", details={"entries": len(shown)},
                 permission="read_audit", mime="text/csv", icon=":material/download:")
