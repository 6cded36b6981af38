"""Writes: one transaction at a time in this process, everything inside landing together or not at all."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

import duckdb
import pandas as pd

_WRITES = threading.Lock()
"""One write at a time in this process. DuckDB lets two transactions that only add rows both commit, which
would let two users' audit entries name the same predecessor, or two admins demote each other at once;
other processes are kept out by DuckDB's file lock."""


_COMMITTED = threading.local()


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` right after this thread's open transaction commits, still holding the write lock (at once
    when none is open); a transaction that rolls back drops it. The audit log records where it ends this way."""
    pending = getattr(_COMMITTED, "actions", None)
    if pending is None:
        action()
    else:
        pending.append(action)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Everything inside lands together or not at all, and no other write in this process lands meanwhile."""
    with _WRITES:
        con.execute("BEGIN TRANSACTION")
        _COMMITTED.actions = []
        try:
            yield con
        except BaseException:
            _COMMITTED.actions = None
            con.execute("ROLLBACK")
            raise
        actions, _COMMITTED.actions = _COMMITTED.actions, None
        con.execute("COMMIT")
        for action in actions:
            action()


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Append a DataFrame whose columns are a subset of the table's, by name.

    The table name is checked against the schema rather than trusted, because it
    is the one identifier that cannot be passed as a parameter.
    """
    try:
        table_columns = set(con.table(table).columns)  # a catalogue lookup: a tenth of information_schema's time
    except duckdb.CatalogException as exc:
        raise ValueError(f"unknown table {table!r}") from exc
    unknown = set(frame.columns) - table_columns
    if unknown:
        raise ValueError(f"columns {sorted(unknown)} are not in table {table!r}")
    if frame.empty:
        return 0
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_incoming", frame)
    try:
        con.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM _incoming')
    finally:
        con.unregister("_incoming")
    return len(frame)
