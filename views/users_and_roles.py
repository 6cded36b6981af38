"""Users and roles: who may sign in and what each may do, for admins."""
from __future__ import annotations

import streamlit as st

from auth import users
from auth.roles import ROLE_DESCRIPTIONS, ROLE_NAMES, ROLES
from settings import load_settings
from ui import data, edits, feedback, identity
from ui.text import md

admin = identity.page_needs("manage_users")
st.title("Users and roles")
feedback.show_flash()
settings = load_settings()
st.markdown("Everyone who signs in needs a role here, under the email address their council account gives. "
            "Someone with no role sees a page asking them to contact "
            f"{md(settings.access_contact)}. Every change is kept in the audit log.")
st.markdown("\n".join(f"- **{ROLE_NAMES[role]}** {ROLE_DESCRIPTIONS[role]}" for role in ROLES))
if settings.auth_mode == "none":
    st.warning("Sign-in is off (demo mode), so these roles are not used yet: everyone at this computer may do "
               "everything. Set DASHBOARD_AUTH to turn sign-in on.", icon=":material/lock_open:")


table = data.users_table(admin)
st.subheader(f"{len(table)} users")
st.dataframe(table.fillna({"note": ""}).rename(columns={"email": "Email", "role": "Role", "note": "Note", "changed_by": "Changed by",
                                   "changed_at": "Changed at (UTC)"}),
             hide_index=True, width="stretch")

add, remove = st.columns(2)
with add.form("set_role", clear_on_submit=True):
    st.markdown("**Add a user or change a role**")
    email = st.text_input("Email address", placeholder="name@council.gov.uk", max_chars=254, key="set_role_email")
    role = st.radio("Role", ROLES, format_func=ROLE_NAMES.get, horizontal=True, key="set_role_role")
    note = st.text_input("Note (optional)", placeholder="Team or reason", max_chars=200)
    if st.form_submit_button("Save role", type="primary"):
        edits.apply(users.set_role, email, role, note,
                    done=f"{users.normalise(email)} is now {ROLE_NAMES.get(role)}")
with remove.form("remove_user"):
    st.markdown("**Remove a user**")
    gone = st.selectbox("User", table["email"].tolist(), index=None, placeholder="Choose a user")
    sure = st.checkbox("Yes, remove their access")
    if st.form_submit_button("Remove user") and gone:
        if sure:
            edits.apply(users.remove_user, gone, done=f"{gone} can no longer use the dashboard")
        else:
            st.warning("Tick the box to confirm.")
