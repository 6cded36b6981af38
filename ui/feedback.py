"""What a page tells the user after an action: a refusal in its own words, or a message that survives the rerun.

Pages act on the store inside `refusals()`, the one place that catches the
product's refusals (`store.errors.Refused`): access denied, store busy, invalid
input, edit refused. Anything else is a bug and goes up to `app.py`, which logs
it with a reference number.
"""
from __future__ import annotations

import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import streamlit as st

from store.errors import Refused
from ui.text import md

FLASH_KEY = "flash_message"
LOG = logging.getLogger(__name__)


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    """The message as plain words: it often quotes what someone typed or a file's name."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(md(message), icon=":material/check_circle:")


@dataclass
class Outcome:
    refused: Refused | None = None


@contextmanager
def refusals(before: str = "", *, warning: bool = False) -> Iterator[Outcome]:
    """Run the block; a refusal is shown as words (after `before`, if given) and noted on the outcome.

    The page goes on after the block, so it can keep drawing or stop as it sees
    fit (`if outcome.refused: st.stop()`). A refusal may quote what was typed,
    so its words are shown as text, never as markup.
    """
    outcome = Outcome()
    try:
        yield outcome
    except Refused as refused:
        outcome.refused = refused
        show_refusal(refused, before, warning=warning)


def show_refusal(refused: Refused, before: str = "", *, warning: bool = False) -> None:
    words = md(f"{before}: {refused.words}" if before else refused.words)
    if warning:
        st.warning(words, icon=":material/info:")
    else:
        st.error(words, icon=":material/error:")


def something_went_wrong() -> None:
    """Log the exception being handled with a short reference and tell the user that reference, nothing more."""
    reference = secrets.token_hex(4).upper()
    LOG.exception("Unexpected error, ref %s", reference)
    st.error(f"Something went wrong (ref {reference}). Nothing more was done. If it happens again, tell your "
             "dashboard admin this reference: the details are in the server's log.", icon=":material/error:")
