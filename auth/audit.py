"""The audit log: an append-only, hash-chained record of who did what, with before and after.

Entries are written inside the same transaction as the change they describe, so
a change and its entry land together or not at all. Nothing in the product
updates or deletes an entry; each entry's hash covers the previous entry's hash,
so an entry altered or removed with other tools breaks the chain and `verify`
names where.

Fingerprint formats. Format 2 (every entry written since migration 8) hashes a JSON list of a format tag, the
entry's number, the previous hash and every field, so a renumbered entry, a missing value turned into an empty
one (or back) and a field boundary moved inside the text all break it. Entries written before migration 8 keep
format 1 (the fields joined by a separator, a missing value hashed as empty, no entry number) and are checked
with that formula: they cannot be re-fingerprinted without pretending the log was always so. A format-1 entry
after a format-2 one is itself a break.

Where the log ends. A chain shows entries changed or removed in the middle, but not the newest ones removed
(or all of them): the rest still chains. So after every transaction that writes an entry commits, the number of
entries, the last entry's number and its fingerprint are written to a small file beside the database
(`head_path`: `dashboard.duckdb.audit-head.json`), and `check` says the log ends where it should only when the
database agrees with it. The file is never moved back: when it disagrees with the database it is left as it is,
as the evidence, and the server's log says so. This protects against someone who deletes or rewrites entries
with database tools and does not also rewrite that file, and it lets a backup (which copies the file too) be
compared with itself. It does not protect against someone who can write both files and rewrites both
consistently: the chain is not keyed, so the server's administrators are trusted, and the file's permissions,
the backups and the council's own monitoring of the server protect the log from them.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from auth.roles import Actor, require
from store.audit_head import _database_file, _end, _write_head, head_path
from store.dates import utcnow
from store.writes import after_commit

log = logging.getLogger(__name__)

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
    "neighbour_model_set": "Chose a statistical-neighbour model",
    "kpi_add": "Added a local KPI",
    "kpi_change": "Changed a local KPI",
    "kpi_retire": "Retired a local KPI",
    "kpi_restore": "Restored a local KPI",
    "team_rename": "Renamed a team",
    "team_merge": "Merged a team into another",
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
    "pack_checks_acknowledged": "Made a pack despite its pre-flight items",
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


FORMAT = 2
"""The fingerprint format every new entry is written with."""


def _digest_v1(previous: str, at: datetime, actor: str, role: str, action: str, subject: str,
               before: str | None, after: str | None) -> str:
    """Format 1, for entries written before migration 8: no entry number, and a missing value hashed as empty."""
    fields = [previous, at.isoformat(), actor, role, action, subject, before or "", after or ""]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def _digest(entry_id: int, previous: str, at: datetime, actor: str, role: str, action: str, subject: str,
            before: str | None, after: str | None) -> str:
    """Format 2: JSON keeps null apart from "" and every field's bounds; the entry's number is covered."""
    fields = ["dashboard-audit", FORMAT, int(entry_id), previous, at.isoformat(), actor, role, action, subject,
              before, after]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, subject: str,
           before: object = None, after: object = None) -> int:
    """Append one entry; call it inside the transaction that makes the change. Once that commits, the file
    beside the database that says where the log ends moves on to this entry (`advance_head`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    previous = con.execute("SELECT hash FROM audit_log ORDER BY entry_id DESC LIMIT 1").fetchone()
    previous = previous[0] if previous else _GENESIS
    entry_id = con.execute("SELECT nextval('audit_id_seq')").fetchone()[0]
    at = utcnow()
    before_text, after_text = _json(before), _json(after)
    role = actor.role or "none"
    digest = _digest(entry_id, previous, at, actor.email, role, action, subject, before_text, after_text)
    con.execute(
        "INSERT INTO audit_log (entry_id, happened_at, actor, role, action, subject, before, after, prev_hash,"
        " hash, hash_format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [entry_id, at, actor.email, role, action, subject, before_text, after_text, previous, digest, FORMAT],
    )
    after_commit(lambda: advance_head(con))
    return entry_id


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
        "SELECT entry_id, happened_at, actor, role, action, subject, before, after, prev_hash, hash, hash_format"
        " FROM audit_log ORDER BY entry_id"
    ).fetchall()
    broken, previous, format_2_seen = [], _GENESIS, False
    for entry_id, at, actor, role, action, subject, before, after, prev_hash, digest, form in rows:
        if form == FORMAT:
            format_2_seen = True
            expected = _digest(entry_id, previous, at, actor, role, action, subject, before, after)
        elif form == 1 and not format_2_seen:
            expected = _digest_v1(previous, at, actor, role, action, subject, before, after)
        else:  # an unknown format, or the old one after the new began: not written by the dashboard
            expected = None
        if prev_hash != previous or digest != expected:
            broken.append(entry_id)
        previous = digest
    return broken


# Where the log ends, in a file beside the database.



def read_head(path: Path) -> dict | None:
    """The recorded end, or None when there is no file; ValueError when the file is not one this product wrote."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} cannot be read ({exc})") from exc
    try:
        head = json.loads(text)
        if not isinstance(head, dict) or not isinstance(head.get("entries"), int):
            raise ValueError("no entry count")
    except ValueError as exc:
        raise ValueError(f"{path.name} cannot be read ({exc})") from exc
    return head




def _agrees(con: duckdb.DuckDBPyConnection, head: dict) -> bool:
    """Whether the database still holds the log `head` recorded, perhaps with entries after it."""
    if head.get("last_entry") is None:
        return head["entries"] == 0
    row = con.execute("SELECT hash, (SELECT count(*) FROM audit_log WHERE entry_id <= ?) FROM audit_log"
                      " WHERE entry_id = ?", [head["last_entry"], head["last_entry"]]).fetchone()
    return row is not None and row[0] == head.get("last_hash") and row[1] == head["entries"]




def advance_head(con: duckdb.DuckDBPyConnection) -> None:
    """After a commit that wrote entries: move the recorded end on to the log's new end, but only if the
    database still holds the log the file recorded. Otherwise the file stays as it is, as the evidence. A file
    that is missing starts again here (and says since when). Never raises: the change has already committed."""
    try:
        database = _database_file(con)
        if database is None:
            return
        path = head_path(database)
        try:
            old = read_head(path)
        except ValueError as exc:
            log.error("Audit log: %s; it is left as it is. Compare the database with a backup.", exc)
            return
        if old is not None and not _agrees(con, old):
            log.error("Audit log: the database no longer holds the log recorded in %s (ending at entry %s); the "
                      "file is left as it is. Compare the database with a backup.", path, old.get("last_entry"))
            return
        now = utcnow().isoformat(timespec="seconds")
        since = old.get("since", now) if old is not None else now
        if old is None:
            log.warning("Audit log: %s was missing; the log's end is recorded again from now.", path)
        _write_head(path, {**_end(con), "recorded_at": now, "since": since})
    except (OSError, duckdb.Error) as exc:
        log.error("Audit log: where the log ends could not be recorded: %s", exc)


@dataclass
class Verdict:
    """What `check` found: entries whose fingerprints fail, whether the log ends where it should, and why not."""

    broken: list[int] = field(default_factory=list)
    ends_where_it_should: bool = False
    end: str = ""
    end_changed: bool = False  # the database disagrees with the recorded end (not merely: there is no record)
    old_format: int = 0

    @property
    def intact(self) -> bool:
        return not self.broken and self.ends_where_it_should


def _entries(count: int) -> str:
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"


def check(con: duckdb.DuckDBPyConnection, head_file: Path | None = None) -> Verdict:
    """Every fingerprint, and the log's end against the file beside the database (or `head_file`)."""
    verdict = Verdict(verify(con))
    verdict.old_format = con.execute("SELECT count(*) FROM audit_log WHERE hash_format = 1").fetchone()[0]
    now = _end(con)
    database = _database_file(con)
    path = head_file or (head_path(database) if database is not None else None)
    if path is None:
        verdict.end = "The database is held in memory, so where its log ends is not recorded."
        return verdict
    try:
        head = read_head(path)
    except ValueError as exc:
        verdict.end = f"Where the log should end cannot be checked: {exc}."
        verdict.end_changed = True
        return verdict
    if head is None:
        verdict.end = (f"Where the log should end cannot be checked: {path.name}, written beside the database after "
                       "every audit entry, is missing. It was deleted, or the database was copied without it, so "
                       "entries removed from the end of the log would not show. A new record starts with the next "
                       "entry.")
        return verdict
    should, last, when = head["entries"], head.get("last_entry"), head.get("recorded_at", "an unknown time")
    where = f"entry {last}" if last is not None else "no entries"
    if now == {key: head.get(key) for key in now}:
        verdict.ends_where_it_should = True
        verdict.end = (f"The log ends where it should: {_entries(should)}, the last {where}, as recorded "
                       f"beside the database at {when} UTC (its end has been recorded since "
                       f"{head.get('since', 'an unknown time')} UTC).")
    elif _agrees(con, head):
        extra = now["entries"] - should
        verdict.end = (f"The log has {_entries(extra)} after {where}, where its end was last recorded "
                       f"({when} UTC). The dashboard stopped between writing an entry and recording the end, or "
                       "entries were added outside it.")
    elif now["entries"] == 0:
        verdict.end_changed = True
        verdict.end = (f"The log is empty, but it should hold {_entries(should)} ending at {where} "
                       f"(recorded {when} UTC): every entry was removed outside the dashboard.")
    else:
        verdict.end_changed = True
        found = con.execute("SELECT hash, (SELECT count(*) FROM audit_log WHERE entry_id <= ?) FROM audit_log "
                            "WHERE entry_id = ?", [last, last]).fetchone() if last is not None else None
        if found is None:
            why = (f"entry {last}, which should be the last, is missing (the log now ends at entry "
                   f"{now['last_entry']} with {_entries(now['entries'])})")
            if now["last_entry"] is not None and now["last_entry"] < last:
                why += f": at least {_entries(should - now['entries'])} removed from the end"
        elif found[0] != head.get("last_hash"):
            why = f"entry {last}, which should be the last, has a different fingerprint from the one recorded"
        else:
            why = f"there should be {_entries(should)} up to entry {last}, but there are {found[1]:,}"
        verdict.end = (f"The log does not end where it should: {why}. Its end was recorded at {when} UTC. The "
                       "log was changed outside the dashboard.")
    return verdict
