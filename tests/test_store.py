from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from etl import store


def test_new_database_gets_every_migration(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    assert store.schema_version(con) == store.LATEST_VERSION
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"councils", "kpis", "observations", "targets", "benchmarks", "uploads", "annotations",
            "neighbours", "schema_migrations"} <= tables


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "db.duckdb"
    store.connect(path).close()
    con = store.connect(path)
    assert store.migrate(con) == []
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(store.MIGRATIONS)


def test_a_later_migration_upgrades_an_old_database(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    store.connect(path).close()
    extra = (store.LATEST_VERSION + 1, "add a column", "ALTER TABLE councils ADD COLUMN population INTEGER")
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [extra])
    con = store.connect(path)
    assert store.schema_version(con) == extra[0]
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'councils'").fetchall()}
    assert "population" in columns


def test_the_store_cannot_read_files_or_the_network(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    con = store.connect(tmp_path / "db.duckdb")
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv(?)", [str(outside)])
    with pytest.raises(duckdb.Error):
        con.execute("INSTALL httpfs")


def test_a_failed_transaction_leaves_nothing(empty_con):
    with pytest.raises(RuntimeError):
        with store.transaction(empty_con):
            empty_con.execute("INSERT INTO councils (la_code, name) VALUES ('E06000001', 'Hartlepool')")
            raise RuntimeError("crash mid-load")
    assert empty_con.execute("SELECT count(*) FROM councils").fetchone()[0] == 0


def test_insert_frame_refuses_unknown_tables_and_columns(empty_con):
    with pytest.raises(ValueError, match="unknown table"):
        store.insert_frame(empty_con, "councils; DROP TABLE kpis", pd.DataFrame({"la_code": ["x"]}))
    with pytest.raises(ValueError, match="not in table"):
        store.insert_frame(empty_con, "councils", pd.DataFrame({"la_code": ["x"], "evil": [1]}))


def test_a_second_writer_is_told_the_database_is_busy(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    holder = store.connect(path)
    code = (
        "import sys; from etl.store import connect, StoreBusyError\n"
        f"try:\n    connect({str(path)!r})\nexcept StoreBusyError as e:\n    print(e); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=str(store.__file__).rsplit("/etl/", 1)[0])
    holder.close()
    assert result.returncode == 3, result.stderr
    assert "in use by another program" in result.stdout


def test_migration_6_gives_an_older_catalogue_the_shipped_base_kpis_and_subjects(tmp_path, monkeypatch):
    from etl.catalogue import read_catalogue

    path = tmp_path / "v5.duckdb"
    monkeypatch.setattr(store, "MIGRATIONS", [m for m in store.MIGRATIONS if m[0] <= 5])
    old = store.connect(path)
    shipped = read_catalogue()
    before = shipped[[c for c in shipped.columns if c not in ("numerator_kpi", "denominator_kpi", "subject")]]
    store.insert_frame(old, "kpis", before)
    old.close()
    monkeypatch.undo()
    con = store.connect(path)
    assert store.schema_version(con) >= 6
    migrated = con.execute("SELECT code, numerator_kpi, denominator_kpi, subject FROM kpis ORDER BY sort_order").df()
    expected = shipped[["code", "numerator_kpi", "denominator_kpi", "subject"]].reset_index(drop=True)
    assert migrated.astype(object).where(migrated.notna(), None).to_dict("records") == \
        expected.astype(object).where(expected.notna(), None).to_dict("records")
