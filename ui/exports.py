"""Downloads that take data out of the dashboard: made when clicked, only for a signed-in person who may have
them, and never without an entry in the audit log.

Given bytes, `st.download_button` stores the file at a `/media/...` URL written into the page, and Streamlit
serves that URL to anyone who asks for it, signed in or not, and without a word in the audit log (an `on_click`
callback runs only when the button is pressed in the page, not when the URL is fetched). So every download here
is given a function instead (Streamlit's deferred download): the page holds no URL, only a placeholder that
Streamlit keeps for this browser session. When the person clicks, the function runs on the server and, in this
order, makes the file, reads the person's role again from the users table, checks that it allows this export,
and writes the export to the audit log; only then is the file handed over. If the role no longer allows it or
the audit entry cannot be written (the database stayed busy), the function raises: Streamlit serves nothing and
the button says the download failed. A file never leaves unaudited.

The file made for a click sits at a URL named by a hash of its content, given only to that session, and is
forgotten within `FORGET_AFTER_SECONDS` to twice that, once the browser has had time to fetch it.

The function runs on a worker thread outside the page's run, so who is asking, the database and the permission
are captured when the page is drawn.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

import streamlit as st

from auth import audit, users
from auth.roles import Actor, require
from settings import load_settings
from store.connection import open_store
from store.writes import transaction
from ui import data, identity

FORGET_AFTER_SECONDS = 3.0
PERMISSIONS = {"internal": "export_internal", "publication": "export_publication"}

Content = Union[bytes, str, Callable[[], Union[bytes, str]]]


@dataclass(frozen=True)
class Export:
    """Everything the click needs, captured when the page is drawn."""

    actor: Actor
    db: str
    permission: str
    subject: str
    details: dict = field(default_factory=dict)
    recheck_role: bool = True
    """Read the role again at the click (sign-in on); the demo's one local user is not in the users table."""


def producer(content: Content, export: Export) -> Callable[[], bytes | str]:
    """The function a download button runs on a click: make, check, audit, then hand over; raise rather than
    hand over a file the audit log does not know about."""

    def produce() -> bytes | str:
        body = content() if callable(content) else content
        with open_store(export.db, wait_seconds=data.BUSY_WAIT_SECONDS) as con, transaction(con):
            who = Actor(export.actor.email, users.role_of(con, export.actor.email)) if export.recheck_role \
                else export.actor
            require(who, export.permission)
            audit.record(con, who, "export", export.subject, None, export.details)
        _forget_soon()
        return body

    return produce


def _forget_soon() -> None:
    """Have Streamlit drop the file made for this click once the browser has fetched it.

    Streamlit keeps a file made by a deferred download unreferenced and deletes unreferenced files on the second
    clean-up after it was made; clean-ups otherwise happen only when some page finishes a run.
    """
    from streamlit import runtime

    if not runtime.exists():
        return
    manager = runtime.get_instance().media_file_mgr
    for delay in (FORGET_AFTER_SECONDS, 2 * FORGET_AFTER_SECONDS):
        timer = threading.Timer(delay, manager.remove_orphaned_files)
        timer.daemon = True
        timer.start()


def download(label: str, content: Content, *, file_name: str, what: str, audience: str = "internal",
             details: dict | None = None, permission: str | None = None, **button: Any) -> None:
    """A download button whose file is made only on a click, for this person, and audited first (the file name,
    the audience, any details). `content` may be a function, so the work of making a file waits for the click.
    The click needs `permission` (by default the audience's export permission)."""
    export = Export(identity.actor(), data.db_path(), permission or PERMISSIONS[audience], f"{what}: {file_name}",
                    {"file": file_name, "audience": audience, **(details or {})},
                    recheck_role=load_settings().auth_mode != "none")
    st.download_button(label, producer(content, export), file_name=file_name, on_click="ignore", **button)
