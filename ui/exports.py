"""Downloads that take data out of the dashboard, each recorded in the audit log with who took what."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ui import data, identity


def record(what: str, file_name: str, audience: str, details: dict | None = None) -> None:
    """Audit one download; runs as the download button's callback, before the page runs again."""
    if not data.record(identity.actor(), "export", f"{what}: {file_name}",
                       {"file": file_name, "audience": audience, **(details or {})}):
        st.toast("The download went ahead, but the audit log was busy and did not record it. Tell your admin.",
                 icon=":material/warning:")


def download(label: str, content: Any, *, file_name: str, what: str, audience: str = "internal",
             details: dict | None = None, **button: Any) -> None:
    """A download button whose every use lands in the audit log (the file name, the audience, any details)."""
    st.download_button(label, content, file_name=file_name, on_click=record,
                       args=(what, file_name, audience, details), **button)
