"""Where the audit log ends, kept in a small file beside the database so that cutting the log short is noticed.

The store writes it when the hash format that needs it arrives (migration 8);
`auth.audit` moves it on after each commit that adds entries and checks the log
against it. It lives here, below `auth`, because a migration starts it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from store.dates import utcnow

HEAD_SUFFIX = ".audit-head.json"


def head_path(db: Path | str) -> Path:
    """The file beside the database that says where its audit log ends."""
    return Path(f"{db}{HEAD_SUFFIX}")


def _database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None


def _end(con: duckdb.DuckDBPyConnection) -> dict:
    entries, last, digest = con.execute(
        "SELECT count(*), max(entry_id), arg_max(hash, entry_id) FROM audit_log").fetchone()
    return {"entries": int(entries), "last_entry": None if last is None else int(last), "last_hash": digest}


def _write_head(path: Path, head: dict) -> None:
    """Replace the file in one step (write aside, flush to disk, rename), so a crash leaves the old or the new."""
    spare = path.with_name(path.name + ".new")
    with open(spare, "w", encoding="utf-8") as out:
        json.dump(head, out, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(spare, path)


def start_head(con: duckdb.DuckDBPyConnection) -> None:
    """Record the log's end from now on (at migration 8, which is when the file was introduced)."""
    database = _database_file(con)
    if database is not None:
        _write_head(head_path(database), {**_end(con), "recorded_at": utcnow().isoformat(timespec="seconds"),
                                          "since": utcnow().isoformat(timespec="seconds")})
