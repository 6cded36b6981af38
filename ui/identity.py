"""Who is using the dashboard, for provenance on uploads and edits."""
from __future__ import annotations

import getpass

import streamlit as st


def current_user() -> str:
    """The signed-in user's email when sign-in is configured, else the login name of the local user."""
    try:
        if st.user.get("is_logged_in") and st.user.get("email"):
            return str(st.user["email"])
    except (AttributeError, KeyError):
        pass
    return f"{getpass.getuser()} (no sign-in)"
