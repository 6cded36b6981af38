"""The audit log: an append-only, hash-chained record of who did what, with before and after.

Entries are written inside the same transaction as the change they describe, so
a change and its entry land together or not at all. Nothing in the product
updates or deletes an entry; each entry's hash covers the previous entry's hash,
so an entry altered or removed with other tools breaks the chain and `verify`
names where.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import duckdb
import pandas as pd

from auth.roles import Actor, require
from etl.store import utcnow

ACTIONS = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "session_ended": "Session ended",
    "access_refused": "Access refused",
    "upload": "Uploaded a file",
    "withdraw": "Withdrew an upload",
    "target_add": "Added a target",
    "target_change": "Changed a target",
    "target_retire": "Removed a target",
    "rag_rule_set": "Set a RAG rule",
    "commentary_add": "Wrote commentary",
    "note_add": "Added a chart note",
    "note_retire": "Removed a chart note",
    "rebase_add": "Recalculated SPC limits",
    "rebase_retire": "Removed an SPC rebase",
    "inspection_add": "Added an inspection",
    "inspection_change": "Changed an inspection",
    "inspection_retire": "Removed an inspection",
    "recommendation_add": "Added a recommendation",
    "recommendation_change": "Changed a recommendation",
    "recommendation_status": "Updated a recommendation's status",
    "recommendation_retire": "Removed a recommendation",
    "plan_log_add": "Logged progress or impact",
    "plan_log_retire": "Removed a log entry",
    "plan_import": "Imported an improvement plan",
    "export": "Exported a pack",
    "role_set": "Set a user's role",
    "role_remove": "Removed a user",
}

COLUMNS = ["entry_id", "at", "actor", "role", "action", "subject", "before", "after"]
_GENESIS = "0" * 64


def _json(value: object) -> str | None:
    if value is None:
        return None

    def plain(item: object) -> object:
        if isinstance(item, (date, datetime)):
            return item.isoformat()
        if hasattr(item, "item"):
            return item.item()
        return str(item)

    return json.dumps(value, default=plain, sort_keys=True, ensure_ascii=False)


def _digest(previous: str, at: datetime, actor: str, role: str, action: str, subject: str,
            before: str | None, after: str | None) -> str:
    fields = [previous, at.isoformat(), actor, role, action, subject, before or "", after or ""]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, subject: str,
           before: object = None, after: object = None) -> int:
    """Append one entry; call it inside the transaction that makes the change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    previous = con.execute("SELECT hash FROM audit_log ORDER BY entry_id DESC LIMIT 1").fetchone()
    at = utcnow()
    before_text, after_text = _json(before), _json(after)
    role = actor.role or "none"
    digest = _digest(previous[0] if previous else _GENESIS, at, actor.email, role, action, subject,
                     before_text, after_text)
    return con.execute(
        "INSERT INTO audit_log (happened_at, actor, role, action, subject, before, after, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING entry_id",
        [at, actor.email, role, action, subject, before_text, after_text,
         previous[0] if previous else _GENESIS, digest],
    ).fetchone()[0]


def record_once(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, subject: str,
                before: object = None, after: object = None) -> None:
    """Append an entry unless the same person, action and subject is already there: a server restart sees a
    sign-in that was recorded before it."""
    seen = con.execute("SELECT count(*) FROM audit_log WHERE actor = ? AND action = ? AND subject = ?",
                       [actor.email, action, subject]).fetchone()[0]
    if not seen:
        record(con, actor, action, subject, before, after)


def entries(con: duckdb.DuckDBPyConnection, reader: Actor, *, since: date | None = None,
            until: date | None = None, who: str = "", actions: list[str] | None = None,
            text: str = "") -> pd.DataFrame:
    """The log, newest first, for admins only; `who` and `text` match anywhere, ignoring case."""
    require(reader, "read_audit")
    return con.execute(
        """
        SELECT entry_id, happened_at AS at, actor, role, action, subject, before, after FROM audit_log
        WHERE (?::DATE IS NULL OR happened_at >= ?::DATE)
          AND (?::DATE IS NULL OR happened_at < ?::DATE + INTERVAL 1 DAY)
          AND (? = '' OR actor ILIKE '%' || ? || '%')
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], action))
          AND (? = '' OR subject ILIKE '%' || ? || '%' OR before ILIKE '%' || ? || '%'
               OR after ILIKE '%' || ? || '%')
        ORDER BY entry_id DESC
        """,
        [since, since, until, until, who.strip(), who.strip(), actions, actions,
         text.strip(), text.strip(), text.strip(), text.strip()],
    ).df()


def verify(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Entry ids whose hash does not follow from their content and the entry before; empty when intact."""
    rows = con.execute(
        "SELECT entry_id, happened_at, actor, role, action, subject, before, after, prev_hash, hash"
        " FROM audit_log ORDER BY entry_id"
    ).fetchall()
    broken, previous = [], _GENESIS
    for entry_id, at, actor, role, action, subject, before, after, prev_hash, digest in rows:
        if prev_hash != previous or digest != _digest(previous, at, actor, role, action, subject, before, after):
            broken.append(entry_id)
        previous = digest
    return broken
