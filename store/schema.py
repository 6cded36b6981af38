"""The schema: numbered migrations in `store/migrations/NNNN_name.sql`, applied in order at every start.

A database made by an older version of the product is brought up to date without
a rebuild. Each file's first line is a `--` comment saying what it changes; that
line is recorded in `schema_migrations` with the time it was applied.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

from store.audit_head import start_head
from store.dates import utcnow
from store.writes import transaction

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
AUDIT_HASH_FORMAT_MIGRATION = 8


@cache
def migrations() -> tuple[tuple[int, str, str], ...]:
    """(version, description, SQL) for every migration file, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        sql = path.read_text(encoding="utf-8")
        first = sql.splitlines()[0]
        if not first.startswith("-- "):
            raise RuntimeError(f"{path.name} must start with a '-- ' line saying what it changes")
        found.append((int(path.name[:4]), first[3:].strip(), sql))
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migration files must be numbered 0001, 0002, ... without gaps; found {versions}")
    return tuple(found)


LATEST_VERSION = len(migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the database has not had, in order, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {version for (version,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, description, sql in migrations():
        if version in done:  # by set, not by the highest: a migration numbered below one applied still runs
            continue
        with transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, description, utcnow()]
            )
        applied.append(version)
    if AUDIT_HASH_FORMAT_MIGRATION in applied:
        start_head(con)  # the file beside the database that says where the audit log ends starts now
    return applied
