"""Where a test store's uploads and audit log end before a test acts, so a test counts only what it added.

A store holds more than its council's own files from its first start: the national figures the product ships are
loaded then, each as an upload of kind 'national' with its own audit entry (`ingest.national`). A test that
counts uploads or entries from zero would depend on how many files ship; these read where the store ends before
the action and what came after it. Each takes an open connection or the database's path (opened only to read).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
import pandas as pd

from auth import audit
from store.connection import open_store
from tests.actors import ADMIN

Store = duckdb.DuckDBPyConnection | Path | str


@contextmanager
def _reading(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    with (open_store(store) if isinstance(store, (Path, str)) else nullcontext(store)) as con:
        yield con


def last_upload(store: Store) -> int:
    """The newest upload's id, 0 for none: the next file loaded becomes upload `last_upload(...) + 1`."""
    with _reading(store) as con:
        return con.execute("SELECT coalesce(max(upload_id), 0) FROM uploads").fetchone()[0]


def last_entry(store: Store) -> int:
    """The newest audit entry's id, 0 for an empty log."""
    with _reading(store) as con:
        return con.execute("SELECT coalesce(max(entry_id), 0) FROM audit_log").fetchone()[0]


def entries_since(store: Store, entry_id: int, **filters) -> pd.DataFrame:
    """The audit entries written after `entry_id`, newest first, as an admin reads them (`audit.entries`)."""
    with _reading(store) as con:
        found = audit.entries(con, ADMIN, **filters)
    return found[found["entry_id"] > entry_id].reset_index(drop=True)
