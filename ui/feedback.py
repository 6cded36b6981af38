"""Messages that must survive the rerun that follows a change, so the user sees what just happened."""
from __future__ import annotations

import streamlit as st

FLASH_KEY = "flash_message"


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")
