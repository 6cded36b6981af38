"""Messages that must survive the rerun that follows a change, so the user sees what just happened."""
from __future__ import annotations

import streamlit as st

from ui.text import md

FLASH_KEY = "flash_message"


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    """The message as plain words: it often quotes what someone typed or a file's name."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(md(message), icon=":material/check_circle:")
