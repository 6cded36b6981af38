from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from store import connection, schema, writes


def test_new_database_gets_every_migration(tmp_path):
    con = connection.connect(tmp_path / "new.duckdb")
    assert schema.schema_version(con) == schema.LATEST_VERSION
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"councils", "kpis", "observations", "targets", "benchmarks", "uploads", "annotations",
            "neighbours", "schema_migrations"} <= tables


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "db.duckdb"
    connection.connect(path).close()
    con = connection.connect(path)
    assert schema.migrate(con) == []
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(schema.migrations())


def test_a_later_migration_upgrades_an_old_database(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    connection.connect(path).close()
    folder = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, folder)
    (folder / f"{schema.LATEST_VERSION + 1:04d}_population.sql").write_text(
        "-- councils gain a population\nALTER TABLE councils ADD COLUMN population INTEGER;\n")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", folder)
    schema.migrations.cache_clear()
    try:
        con = connection.connect(path)
    finally:
        schema.migrations.cache_clear()
    assert schema.schema_version(con) == schema.LATEST_VERSION + 1
    assert con.execute("SELECT description FROM schema_migrations ORDER BY version DESC LIMIT 1").fetchone() == (
        "councils gain a population",)
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'councils'").fetchall()}
    assert "population" in columns


def test_the_store_cannot_read_files_or_the_network(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    con = connection.connect(tmp_path / "db.duckdb")
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv(?)", [str(outside)])
    with pytest.raises(duckdb.Error):
        con.execute("INSTALL httpfs")


def test_a_failed_transaction_leaves_nothing(empty_con):
    with pytest.raises(RuntimeError):
        with writes.transaction(empty_con):
            empty_con.execute("INSERT INTO councils (la_code, name) VALUES ('E06000001', 'Hartlepool')")
            raise RuntimeError("crash mid-load")
    assert empty_con.execute("SELECT count(*) FROM councils").fetchone()[0] == 0


def test_insert_frame_refuses_unknown_tables_and_columns(empty_con):
    with pytest.raises(ValueError, match="unknown table"):
        writes.insert_frame(empty_con, "councils; DROP TABLE kpis", pd.DataFrame({"la_code": ["x"]}))
    with pytest.raises(ValueError, match="not in table"):
        writes.insert_frame(empty_con, "councils", pd.DataFrame({"la_code": ["x"], "evil": [1]}))


def test_a_second_writer_is_told_the_database_is_busy(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    holder = connection.connect(path)
    code = (
        "import sys; from store.connection import connect; from store.errors import StoreBusyError\n"
        f"try:\n    connect({str(path)!r})\nexcept StoreBusyError as e:\n    print(e); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=str(connection.__file__).rsplit("/store/", 1)[0])
    holder.close()
    assert result.returncode == 3, result.stderr
    assert "in use by another program" in result.stdout


def test_migration_6_gives_an_older_catalogue_the_shipped_base_kpis_and_subjects(tmp_path, monkeypatch):
    from ingest.catalogue import read_catalogue

    path = tmp_path / "v5.duckdb"
    every = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: tuple(m for m in every if m[0] <= 5))
    old = connection.connect(path)
    shipped = read_catalogue()
    before = shipped[[c for c in shipped.columns if c not in ("numerator_kpi", "denominator_kpi", "subject")]]
    writes.insert_frame(old, "kpis", before)
    old.close()
    monkeypatch.undo()
    con = connection.connect(path)
    assert schema.schema_version(con) >= 6
    migrated = con.execute("SELECT code, numerator_kpi, denominator_kpi, subject FROM kpis ORDER BY sort_order").df()
    expected = shipped[["code", "numerator_kpi", "denominator_kpi", "subject"]].reset_index(drop=True)
    assert migrated.astype(object).where(migrated.notna(), None).to_dict("records") == \
        expected.astype(object).where(expected.notna(), None).to_dict("records")
