"""The DuckDB store: the one place that opens the database and owns its schema.

Migrations are numbered and applied in order at every start, so a database made
by an older version of the product is brought up to date without a rebuild.
The connection is locked down: no extension downloads and no file or network
access from SQL, because the product must never reach outside its own file.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from analysis.wording import plural

CONNECT_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "enable_external_access": False,
}

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial schema",
        """
        CREATE TABLE councils (
            la_code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            region VARCHAR,
            old_la_code VARCHAR,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE
        );
        CREATE TABLE kpis (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            definition VARCHAR NOT NULL,
            unit VARCHAR NOT NULL,
            polarity VARCHAR NOT NULL CHECK (polarity IN ('high', 'low', 'none', 'target')),
            kpi_group VARCHAR NOT NULL,
            decimals INTEGER NOT NULL,
            source VARCHAR NOT NULL,
            frequency VARCHAR NOT NULL,
            sort_order INTEGER NOT NULL
        );
        CREATE SEQUENCE upload_id_seq START 1;
        CREATE TABLE uploads (
            upload_id INTEGER PRIMARY KEY DEFAULT nextval('upload_id_seq'),
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            uploaded_by VARCHAR NOT NULL,
            uploaded_at TIMESTAMP NOT NULL,
            rows_loaded INTEGER NOT NULL,
            status VARCHAR NOT NULL CHECK (status IN ('loaded', 'withdrawn')),
            withdrawn_by VARCHAR,
            withdrawn_at TIMESTAMP
        );
        CREATE TABLE observations (
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR NOT NULL,
            period DATE NOT NULL,
            value DOUBLE,
            numerator DOUBLE,
            denominator DOUBLE,
            status_code VARCHAR,
            note VARCHAR,
            upload_id INTEGER NOT NULL,
            is_current BOOLEAN NOT NULL DEFAULT TRUE,
            PRIMARY KEY (la_code, kpi_code, period, upload_id)
        );
        CREATE SEQUENCE target_id_seq START 1;
        CREATE TABLE targets (
            target_id INTEGER PRIMARY KEY DEFAULT nextval('target_id_seq'),
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('local', 'inspection', 'floor')),
            value DOUBLE NOT NULL,
            start_period DATE NOT NULL,
            end_period DATE,
            glide_from DOUBLE,
            glide_until DATE,
            source VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE benchmarks (
            kpi_code VARCHAR NOT NULL,
            area_type VARCHAR NOT NULL CHECK (area_type IN ('england', 'region', 'la')),
            area_code VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            period_end DATE NOT NULL,
            value DOUBLE,
            status_code VARCHAR,
            source VARCHAR NOT NULL,
            upload_id INTEGER
        );
        CREATE TABLE neighbours (
            la_code VARCHAR NOT NULL,
            neighbour_code VARCHAR NOT NULL,
            model VARCHAR NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (la_code, model, rank)
        );
        CREATE SEQUENCE annotation_id_seq START 1;
        CREATE TABLE annotations (
            annotation_id INTEGER PRIMARY KEY DEFAULT nextval('annotation_id_seq'),
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR,
            period DATE NOT NULL,
            text VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE INDEX observations_current ON observations (la_code, kpi_code, is_current);
        """,
    ),
    (
        2,
        "history for targets and notes; RAG rules, commentary and SPC rebases",
        """
        ALTER TABLE targets ADD COLUMN replaces INTEGER;
        ALTER TABLE targets ADD COLUMN retired_by VARCHAR;
        ALTER TABLE targets ADD COLUMN retired_at TIMESTAMP;
        ALTER TABLE annotations ADD COLUMN retired_by VARCHAR;
        ALTER TABLE annotations ADD COLUMN retired_at TIMESTAMP;
        CREATE SEQUENCE rag_rule_id_seq START 1;
        CREATE TABLE rag_rules (
            rule_id INTEGER PRIMARY KEY DEFAULT nextval('rag_rule_id_seq'),
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR NOT NULL,
            method VARCHAR NOT NULL CHECK (method IN ('target_floor', 'tolerance', 'close')),
            tolerance_pct DOUBLE NOT NULL CHECK (tolerance_pct >= 0 AND tolerance_pct <= 100),
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE SEQUENCE commentary_id_seq START 1;
        CREATE TABLE commentary (
            commentary_id INTEGER PRIMARY KEY DEFAULT nextval('commentary_id_seq'),
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR NOT NULL,
            period DATE NOT NULL,
            text VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE SEQUENCE rebase_id_seq START 1;
        CREATE TABLE spc_rebases (
            rebase_id INTEGER PRIMARY KEY DEFAULT nextval('rebase_id_seq'),
            la_code VARCHAR NOT NULL,
            kpi_code VARCHAR NOT NULL,
            period DATE NOT NULL,
            reason VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            retired_by VARCHAR,
            retired_at TIMESTAMP
        );
        """,
    ),
    (
        3,
        "targets and statistical-neighbour groups remember the upload that brought them, so it can be withdrawn",
        """
        ALTER TABLE targets ADD COLUMN upload_id INTEGER;
        CREATE TABLE neighbours_by_upload (
            la_code VARCHAR NOT NULL,
            neighbour_code VARCHAR NOT NULL,
            model VARCHAR NOT NULL,
            rank INTEGER NOT NULL,
            upload_id INTEGER
        );
        INSERT INTO neighbours_by_upload SELECT la_code, neighbour_code, model, rank, NULL FROM neighbours;
        DROP TABLE neighbours;
        ALTER TABLE neighbours_by_upload RENAME TO neighbours;
        """,
    ),
    (
        4,
        "inspections with judgements; the improvement plan's recommendations, versions, linked KPIs and log",
        """
        CREATE SEQUENCE inspection_id_seq START 1;
        CREATE TABLE inspections (
            inspection_id INTEGER PRIMARY KEY DEFAULT nextval('inspection_id_seq'),
            la_code VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            retired_by VARCHAR,
            retired_at TIMESTAMP
        );
        CREATE SEQUENCE inspection_version_id_seq START 1;
        CREATE TABLE inspection_versions (
            version_id INTEGER PRIMARY KEY DEFAULT nextval('inspection_version_id_seq'),
            inspection_id INTEGER NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('ilacs_standard', 'ilacs_short', 'focused_visit',
                                                  'monitoring_visit', 'jtai')),
            inspected_on DATE NOT NULL,
            published_on DATE,
            report_ref VARCHAR,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE inspection_judgements (
            version_id INTEGER NOT NULL,
            area VARCHAR NOT NULL CHECK (area IN ('overall', 'leaders', 'help_protection', 'children_in_care',
                                                  'care_leavers')),
            grade VARCHAR NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate')),
            PRIMARY KEY (version_id, area)
        );
        CREATE SEQUENCE recommendation_id_seq START 1;
        CREATE TABLE recommendations (
            rec_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_id_seq'),
            la_code VARCHAR NOT NULL,
            ref VARCHAR NOT NULL,
            inspection_id INTEGER,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            retired_by VARCHAR,
            retired_at TIMESTAMP
        );
        CREATE SEQUENCE recommendation_version_id_seq START 1;
        CREATE TABLE recommendation_versions (
            version_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_version_id_seq'),
            rec_id INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            area VARCHAR NOT NULL,
            timescale VARCHAR,
            counts_from DATE,
            due_on DATE NOT NULL,
            owner VARCHAR,
            status VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'evidenced')),
            rag VARCHAR CHECK (rag IN ('red', 'amber', 'green')),
            source VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE recommendation_kpis (
            version_id INTEGER NOT NULL,
            kpi_code VARCHAR NOT NULL,
            PRIMARY KEY (version_id, kpi_code)
        );
        CREATE SEQUENCE recommendation_log_id_seq START 1;
        CREATE TABLE recommendation_log (
            log_id INTEGER PRIMARY KEY DEFAULT nextval('recommendation_log_id_seq'),
            rec_id INTEGER NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('progress', 'impact')),
            noted_on DATE NOT NULL,
            text VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            retired_by VARCHAR,
            retired_at TIMESTAMP
        );
        CREATE INDEX recommendations_council ON recommendations (la_code);
        """,
    ),
    (
        5,
        "users with roles and the audit log",
        """
        CREATE TABLE users (
            email VARCHAR PRIMARY KEY,
            role VARCHAR NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
            note VARCHAR,
            changed_by VARCHAR NOT NULL,
            changed_at TIMESTAMP NOT NULL
        );
        CREATE SEQUENCE audit_id_seq START 1;
        CREATE TABLE audit_log (
            entry_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
            happened_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            before VARCHAR,
            after VARCHAR,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );
        """,
    ),
    (
        6,
        "the KPI catalogue names the count each percentage or rate is worked out from, and whom a KPI counts, "
        "so disclosure control can tell which published figures could give back 1 to 5 children",
        """
        ALTER TABLE kpis ADD COLUMN numerator_kpi VARCHAR;
        ALTER TABLE kpis ADD COLUMN denominator_kpi VARCHAR;
        ALTER TABLE kpis ADD COLUMN subject VARCHAR DEFAULT 'children';
        UPDATE kpis SET subject = 'children' WHERE subject IS NULL;
        UPDATE kpis SET numerator_kpi = m.count_kpi
        FROM (VALUES ('CPP_RATE', 'CPP_COUNT'), ('CLA_RATE', 'CLA_COUNT')) AS m(code, count_kpi)
        WHERE kpis.code = m.code;
        UPDATE kpis SET denominator_kpi = m.count_kpi
        FROM (VALUES ('CONTACT_DECISION_1WD_PCT', 'CONTACTS'), ('CPP_2YR_PCT', 'CPP_COUNT'),
                     ('VISITS_CP_PCT', 'CPP_COUNT'), ('PLACEMENT_3PLUS_PCT', 'CLA_COUNT'),
                     ('CLA_3PLUS_SW_PCT', 'CLA_COUNT'), ('VISITS_CLA_PCT', 'CLA_COUNT')) AS m(code, count_kpi)
        WHERE kpis.code = m.code;
        UPDATE kpis SET subject = 'staff'
        WHERE code IN ('SW_FTE', 'SW_CASELOAD', 'SW_TURNOVER_PCT', 'SW_AGENCY_PCT', 'SW_VACANCY_PCT',
                       'SW_ABSENCE_PCT');
        """,
    ),
    (
        7,
        "an upload keeps the file name exactly as given beside the safe name it is shown by",
        """
        ALTER TABLE uploads ADD COLUMN original_file_name VARCHAR;
        UPDATE uploads SET original_file_name = file_name;
        """,
    ),
    (
        8,
        "audit fingerprints cover the entry's number and tell a missing value from an empty one (format 2); "
        "entries written before keep format 1 and are checked with the formula they were written with",
        """
        ALTER TABLE audit_log ADD COLUMN hash_format INTEGER DEFAULT 1;
        UPDATE audit_log SET hash_format = 1;
        """,
    ),
]
"""Migration 6 fills the new catalogue columns of a database made before it with the values of the shipped
`data/kpi_catalogue.csv` at the time (a test checks they agree); a fresh database gets them from the CSV."""

LATEST_VERSION = MIGRATIONS[-1][0]
AUDIT_HASH_FORMAT_MIGRATION = 8


class StoreBusyError(RuntimeError):
    """Another process holds the database file for writing."""


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
    for version, description, sql in MIGRATIONS:
        if version in done:  # by set, not by the highest: a migration numbered below one applied still runs
            continue
        with transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, description, utcnow()]
            )
        applied.append(version)
    if AUDIT_HASH_FORMAT_MIGRATION in applied:
        from auth.audit import start_head  # here, not at the top: auth.audit imports this module

        start_head(con)  # the file beside the database that says where the audit log ends starts now
    return applied


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


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
