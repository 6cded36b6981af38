"""The audit log's fingerprints and its recorded end: truncation, renumbering and NULL-for-empty are each noticed."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from auth import audit
from auth.roles import Actor
from ingest.catalogue import load_reference_data
from records import kpi_edits
from store.connection import connect, open_store
from store.writes import transaction

LA = "E99000001"
OCTOBER = date(2025, 10, 1)
ANALYST = Actor("analyst@anyshire.example", "analyst")


def write(con, *texts: str) -> None:
    for text in texts:
        kpi_edits.add_commentary(con, LA, "SW_AGENCY_PCT", OCTOBER, text, ANALYST)


@pytest.fixture
def earlier(demo_db_path) -> int:
    """How many entries the demo store's log holds before a test writes: one for each shipped national upload."""
    with open_store(demo_db_path) as con:
        return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]


@pytest.fixture
def logged(demo_db_path, earlier):
    """A store whose log holds three entries more than it started with, with its recorded end beside it."""
    con = connect(demo_db_path)
    write(con, "One", "Two", "Three")
    yield con
    con.close()


def test_an_untouched_log_ends_where_it_should(logged, demo_db_path, earlier):
    verdict = audit.check(logged)
    assert verdict.intact and verdict.broken == []
    assert f"ends where it should: {earlier + 3} entries" in verdict.end
    head = json.loads(audit.head_path(demo_db_path).read_text())
    assert head["entries"] == earlier + 3 and head["last_hash"] == logged.execute(
        "SELECT hash FROM audit_log ORDER BY entry_id DESC LIMIT 1").fetchone()[0]


def test_deleting_the_newest_entry_is_noticed(logged):
    last = logged.execute("SELECT max(entry_id) FROM audit_log").fetchone()[0]
    logged.execute("DELETE FROM audit_log WHERE entry_id = ?", [last])
    verdict = audit.check(logged)
    assert verdict.broken == [], "the rest still chains: only the recorded end shows the loss"
    assert not verdict.intact and verdict.end_changed
    assert f"entry {last}, which should be the last, is missing" in verdict.end
    assert "at least 1 entry removed from the end" in verdict.end


def test_deleting_every_entry_is_noticed(logged, earlier):
    logged.execute("DELETE FROM audit_log")
    verdict = audit.check(logged)
    assert not verdict.intact and verdict.end_changed
    assert f"The log is empty, but it should hold {earlier + 3} entries" in verdict.end


def test_a_write_after_truncation_does_not_cover_it_up(logged, demo_db_path):
    logged.execute("DELETE FROM audit_log WHERE entry_id = (SELECT max(entry_id) FROM audit_log)")
    before = audit.head_path(demo_db_path).read_text()
    write(logged, "Four")
    assert audit.verify(logged) == [], "the new entry chains on from what is left"
    assert audit.head_path(demo_db_path).read_text() == before, "the recorded end is kept as the evidence"
    assert audit.check(logged).end_changed


def test_changing_a_missing_value_to_an_empty_one_breaks_the_fingerprint(logged):
    first = logged.execute("SELECT min(entry_id) FROM audit_log").fetchone()[0]
    assert logged.execute("SELECT before FROM audit_log WHERE entry_id = ?", [first]).fetchone()[0] is None
    logged.execute("UPDATE audit_log SET before = '' WHERE entry_id = ?", [first])
    verdict = audit.check(logged)
    assert verdict.broken == [first] and not verdict.intact


def test_renumbering_the_entries_breaks_every_fingerprint_and_the_end(logged):
    ids = [r[0] for r in logged.execute("SELECT entry_id FROM audit_log ORDER BY entry_id").fetchall()]
    logged.execute("UPDATE audit_log SET entry_id = entry_id + 100")
    verdict = audit.check(logged)
    assert verdict.broken == [i + 100 for i in ids]
    assert verdict.end_changed and f"entry {ids[-1]}, which should be the last, is missing" in verdict.end


def test_closing_the_gap_left_by_a_deleted_entry_is_noticed(logged):
    ids = [r[0] for r in logged.execute("SELECT entry_id FROM audit_log ORDER BY entry_id").fetchall()]
    logged.execute("DELETE FROM audit_log WHERE entry_id = ?", [ids[1]])
    logged.execute("UPDATE audit_log SET entry_id = ? WHERE entry_id = ?", [ids[1], ids[2]])
    assert audit.verify(logged) == [ids[1]]


def test_a_missing_record_of_the_end_is_said_and_starts_again_with_the_next_entry(logged, demo_db_path):
    audit.head_path(demo_db_path).unlink()
    verdict = audit.check(logged)
    assert not verdict.intact and not verdict.end_changed
    assert "is missing" in verdict.end and "A new record starts with the next entry" in verdict.end
    write(logged, "Four")
    assert audit.check(logged).intact


def test_entries_after_the_recorded_end_are_not_called_intact(logged, demo_db_path):
    """A crash between an entry's commit and recording the end leaves entries after it; said, not alarmed."""
    path = audit.head_path(demo_db_path)
    saved = path.read_text()
    write(logged, "Four")
    path.write_text(saved)
    verdict = audit.check(logged)
    assert not verdict.intact and not verdict.end_changed
    assert "1 entry after entry" in verdict.end
    write(logged, "Five")
    assert audit.check(logged).intact


def test_a_rolled_back_change_leaves_the_recorded_end_alone(logged, demo_db_path):
    before = audit.head_path(demo_db_path).read_text()
    with pytest.raises(RuntimeError):
        with transaction(logged):
            audit.record(logged, ANALYST, "note_add", "a note that never was")
            raise RuntimeError("crash")
    assert audit.head_path(demo_db_path).read_text() == before
    assert audit.check(logged).intact


def test_entries_written_before_format_2_are_checked_with_the_old_formula(empty_con):
    """A store from before migration 8: its entries keep format 1, and new entries chain on in format 2. It is made
    with only the KPI catalogue: a store started now already holds the shipped national uploads' entries, in format
    2, which no format-1 entry may follow."""
    con = empty_con
    load_reference_data(con)
    old = con.execute("SELECT hash FROM audit_log").fetchall()
    assert old == []
    previous = audit._GENESIS
    for n, text in enumerate(["old one", "old two"]):
        at = audit.utcnow()
        digest = audit._digest_v1(previous, at, "old@anyshire.example", "analyst", "note_add", text, None, None)
        con.execute("INSERT INTO audit_log (happened_at, actor, role, action, subject, prev_hash, hash, hash_format)"
                    " VALUES (?, 'old@anyshire.example', 'analyst', 'note_add', ?, ?, ?, 1)",
                    [at, text, previous, digest])
        previous = digest
    write(con, "new")
    verdict = audit.check(con)
    assert verdict.broken == [] and verdict.old_format == 2
    con.execute("UPDATE audit_log SET hash_format = 1 WHERE hash_format = 2")
    assert audit.verify(con) != [], "an old-format entry after the new format began is a break"


def test_migration_8_starts_the_record_of_the_end_for_an_existing_log(tmp_path, monkeypatch):
    from store import connection, schema

    path = tmp_path / "old.duckdb"
    every = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: tuple(m for m in every if m[0] != schema.AUDIT_HASH_FORMAT_MIGRATION))
    con = connection.connect(path)
    con.execute("INSERT INTO audit_log (happened_at, actor, role, action, subject, prev_hash, hash)"
                " VALUES (now(), 'a', 'admin', 'sign_in', 's', 'x', 'y')")
    con.close()
    assert not audit.head_path(path).exists()
    monkeypatch.undo()
    con = connection.connect(path)
    assert json.loads(audit.head_path(path).read_text())["entries"] == 1
    assert con.execute("SELECT hash_format FROM audit_log").fetchall() == [(1,)]
    con.close()


def test_a_backup_copies_the_record_of_the_end_and_checks_the_copy(logged, demo_db_path, earlier, tmp_path, capsys):
    from ingest import cli

    logged.close()
    out = tmp_path / "backups" / "copy.duckdb"
    assert cli.main(["backup", str(out), "--db", str(demo_db_path)]) == 0
    assert audit.head_path(out).read_text() == audit.head_path(demo_db_path).read_text()
    assert (f"audit log: {earlier + 3} entries, every fingerprint matches and it ends where it should"
            in capsys.readouterr().out)
    with open_store(out) as copy:
        assert audit.check(copy).intact
    shutil.rmtree(out.parent)
