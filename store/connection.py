"""The one place that opens the DuckDB file, locked down and brought up to date.

The connection is locked down: no extension downloads and no file or network
access from SQL, because the product must never reach outside its own file. The
dashboard opens the file only while it works, so the command line can load a file
while the dashboard runs; a writer that finds it busy waits a little, then says so.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from store.errors import StoreBusyError
from store.schema import migrate
from store.words import plural

CONNECT_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
}


def connect(path: Path | str, *, wait_seconds: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the database, creating its folder, and bring its schema up to date.

    When another process is writing, wait up to `wait_seconds` for it to finish.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect_waiting(path, wait_seconds)
    migrate(con)
    return con


def _connect_waiting(path: Path | str, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), config=CONNECT_CONFIG)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"The database {path} is in use by another program (the dashboard or another load) and "
                    f"stayed busy for {plural(round(wait_seconds), 'second')}. Try again in a moment."
                ) from exc
            time.sleep(0.1)


@contextmanager
def open_store(path: Path | str, *, wait_seconds: float = 0.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection, closed on exit so that other processes can write between uses.

    The dashboard opens the file only while it reads or writes, which is what
    lets the command line load a file while the dashboard is running. When
    another process holds the file, wait up to `wait_seconds` before giving up.
    """
    con = _connect_waiting(path, wait_seconds)
    try:
        yield con
    finally:
        con.close()
