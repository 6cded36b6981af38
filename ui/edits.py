"""Run a user's edit against the store and report the outcome in words, never a traceback."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from ui import data
from ui.feedback import flash, refusals
from ui.identity import actor


def apply(edit: Callable[..., object], *args: object, done: str) -> None:
    """Call `edit(con, *args, actor)` as the signed-in user; on success refresh cached data and rerun so the
    page shows the change, with `done` kept for the next run (the page calls `ui.feedback.show_flash`)."""
    with refusals() as outcome, data.store() as con:
        edit(con, *args, actor())
    if outcome.refused:
        return
    data.refresh()
    flash(done)
    st.rerun()
