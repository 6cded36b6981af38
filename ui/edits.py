"""Run a user's edit against the store and report the outcome in words, never a traceback."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from auth.roles import AccessDenied
from etl.edits import EditRefused
from etl.store import StoreBusyError
from ui import data
from ui.feedback import flash
from ui.identity import actor
from ui.text import md


def apply(edit: Callable[..., object], *args: object, done: str) -> None:
    """Call `edit(con, *args, actor)` as the signed-in user; on success refresh cached data and rerun so the
    page shows the change, with `done` kept for the next run (the page calls `ui.feedback.show_flash`)."""
    try:
        with data.store() as con:
            edit(con, *args, actor())
    except (EditRefused, StoreBusyError, AccessDenied) as problem:
        st.error(md(problem), icon=":material/error:")  # a refusal may quote what was typed
        return
    data.refresh()
    flash(done)
    st.rerun()
