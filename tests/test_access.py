"""Roles and the audit log, called directly: every write refuses a role that may not make it and writes
nothing, and every write a role may make leaves an audit entry with who, what, before and after."""
from __future__ import annotations

import json
from datetime import date

import pytest

from analysis import kpi
from auth import audit, users
from auth.roles import PERMISSIONS, ROLES, AccessDenied, Actor, operator, require
from export.gather import INTERNAL, PUBLICATION, PackOptions
from ingest import plan_import, upload
from ingest.load import withdraw_upload
from records import kpi_edits, plan_edits
from records.kpi_edits import TargetInput
from records.plan_edits import InspectionInput, RecommendationInput
from settings import DEMO_LA_CODE
from tests import fixtures
from tests.actors import ADMIN, ANALYST, VIEWER
from tests.store_state import entries_since, last_entry

LA = DEMO_LA_CODE
OCTOBER = date(2026, 10, 1)
TARGET = TargetInput("SW_AGENCY_PCT", "local", 15.0, OCTOBER, "Workforce strategy")
INSPECTION = InspectionInput("focused_visit", date(2026, 9, 1), date(2026, 10, 1), "", {})
NEW_REC = RecommendationInput("Improve supervision", "workforce", "within 3 months", None, "Head of service",
                              "not_started", None, ("SW_CASELOAD",))


def _first(con, sql: str) -> int:
    return con.execute(sql, [LA]).fetchone()[0]


def _rec(con) -> int:
    return _first(con, "SELECT rec_id FROM recommendations WHERE la_code = ? AND retired_at IS NULL ORDER BY ref")


def _upload_plan(con) -> upload.Plan:
    content = fixtures.xlsx({"Data": fixtures.long_rows({("CONTACTS", "2026-10"): 2950})})
    return upload.prepare(con, "october.xlsx", content, home_la=LA, user="someone", today=date(2026, 11, 20))


# (name, permission, the write made as `actor`, the audit action it leaves)
WRITES = [
    ("add a target", "edit_targets", lambda con, a: kpi_edits.add_target(con, LA, TARGET, a), "target_add"),
    ("change a target", "edit_targets", lambda con, a: kpi_edits.replace_target(
        con, LA, _first(con, "SELECT min(target_id) FROM targets WHERE la_code = ? AND retired_at IS NULL"),
        TARGET, a), "target_change"),
    ("remove a target", "edit_targets", lambda con, a: kpi_edits.retire_target(
        con, LA, _first(con, "SELECT min(target_id) FROM targets WHERE la_code = ? AND retired_at IS NULL"), a),
     "target_retire"),
    ("set a RAG rule", "edit_rag_rules", lambda con, a: kpi_edits.set_rag_rule(
        con, LA, "SW_AGENCY_PCT", kpi.RagRule("tolerance", 10), a), "rag_rule_set"),
    ("write commentary", "edit_commentary", lambda con, a: kpi_edits.add_commentary(
        con, LA, "SW_AGENCY_PCT", OCTOBER, "Six agency staff converted", a), "commentary_add"),
    ("add a chart note", "edit_commentary", lambda con, a: kpi_edits.add_annotation(
        con, LA, None, OCTOBER, "Focused visit", a), "note_add"),
    ("remove a chart note", "edit_commentary", lambda con, a: kpi_edits.retire_annotation(
        con, LA, _first(con, "SELECT min(annotation_id) FROM annotations WHERE la_code = ?"), a), "note_retire"),
    ("rebase SPC limits", "edit_commentary", lambda con, a: kpi_edits.add_rebase(
        con, LA, "SW_AGENCY_PCT", OCTOBER, "New recording rules", a), "rebase_add"),
    ("upload", "upload", lambda con, a: upload.commit(con, _upload_plan(con), a), "upload"),
    ("withdraw an upload", "withdraw", lambda con, a: withdraw_upload(con, 1, a), "withdraw"),
    ("add an inspection", "edit_plan", lambda con, a: plan_edits.add_inspection(con, LA, INSPECTION, a),
     "inspection_add"),
    ("add a recommendation", "edit_plan", lambda con, a: plan_edits.add_recommendation(
        con, LA, None, date(2026, 11, 2), NEW_REC, date(2026, 11, 20), a), "recommendation_add"),
    ("update a status", "edit_plan", lambda con, a: plan_edits.update_status(
        con, LA, _rec(con), "in_progress", "amber", "Head of service", date(2026, 11, 20), a),
     "recommendation_status"),
    ("remove a recommendation", "edit_plan", lambda con, a: plan_edits.retire_recommendation(con, LA, _rec(con), a),
     "recommendation_retire"),
    ("log progress", "edit_plan", lambda con, a: plan_edits.add_log_entry(
        con, LA, _rec(con), "progress", date(2026, 11, 20), "Audit of supervision done", a), "plan_log_add"),
    ("give a role", "manage_users", lambda con, a: users.set_role(con, "New.Person@Anyshire.example", "viewer", "", a),
     "role_set"),
]


def _snapshot(con) -> dict[str, int]:
    tables = [row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def test_each_role_has_what_the_roles_below_it_have():
    for permission in PERMISSIONS:
        held = [Actor("x@example.org", role).can(permission) for role in ROLES]
        assert held == sorted(held), f"{permission}: a higher role lacks what a lower one has"
    assert not Actor("x@example.org", None).can("view")


def test_a_refusal_names_the_role_needed_and_whom_to_ask():
    with pytest.raises(AccessDenied, match="viewer role and cannot load files; this needs the analyst role"):
        require(VIEWER, "upload")


@pytest.mark.parametrize("name,permission,write,action", WRITES, ids=[w[0] for w in WRITES])
def test_a_role_below_the_one_needed_is_refused_and_nothing_is_written(demo_con, name, permission, write, action):
    needed = PERMISSIONS[permission][0]
    before = _snapshot(demo_con)
    for role in [None, *ROLES[:ROLES.index(needed)]]:
        with pytest.raises(AccessDenied, match=f"needs the {needed} role"):
            write(demo_con, Actor(f"{role}@anyshire.example", role))
    assert _snapshot(demo_con) == before


@pytest.mark.parametrize("name,permission,write,action", WRITES, ids=[w[0] for w in WRITES])
def test_a_permitted_write_leaves_one_audit_entry_with_who_and_what(demo_con, name, permission, write, action):
    actor = Actor("lead@anyshire.example", PERMISSIONS[permission][0])
    before = demo_con.execute("SELECT coalesce(max(entry_id), 0) FROM audit_log").fetchone()[0]
    write(demo_con, actor)
    entries = audit.entries(demo_con, ADMIN)
    entries = entries[entries["entry_id"] > before]
    assert entries["action"].tolist() == [action]
    entry = entries.iloc[0]
    assert (entry["actor"], entry["role"]) == ("lead@anyshire.example", actor.role)
    assert entry["before"] is not None or entry["after"] is not None
    assert audit.verify(demo_con) == []


def test_a_changed_target_is_audited_with_the_old_and_new_values(demo_con):
    old_id = _first(demo_con, "SELECT min(target_id) FROM targets WHERE la_code = ? AND retired_at IS NULL")
    old_value = demo_con.execute("SELECT value FROM targets WHERE target_id = ?", [old_id]).fetchone()[0]
    kpi_edits.replace_target(demo_con, LA, old_id, TARGET, ANALYST)
    entry = audit.entries(demo_con, ADMIN).iloc[0]
    assert json.loads(entry["before"])["value"] == old_value
    assert json.loads(entry["after"])["value"] == 15.0
    assert f"target {old_id} ->" in entry["subject"]


def test_a_refused_edit_inside_its_transaction_leaves_no_audit_entry(demo_con):
    before = last_entry(demo_con)
    with pytest.raises(kpi_edits.EditRefused):
        kpi_edits.retire_target(demo_con, LA, 999_999, ANALYST)
    assert entries_since(demo_con, before).empty


def test_an_upload_entry_names_the_file_its_hash_and_rows(demo_con):
    plan = _upload_plan(demo_con)
    upload_id = upload.commit(demo_con, plan, ANALYST)
    entry = audit.entries(demo_con, ADMIN, actions=["upload"]).iloc[0]
    after = json.loads(entry["after"])
    assert entry["subject"] == f"upload {upload_id}: october.xlsx"
    assert (after["sha256"], after["rows"]) == (plan.provenance.sha256, 1)


def test_the_plan_import_is_refused_before_the_file_is_looked_at():
    with pytest.raises(AccessDenied):
        plan_import.import_plan(None, LA, None, date(2026, 11, 20), VIEWER)


def test_reading_the_audit_log_and_the_user_list_is_for_admins(demo_con):
    before = last_entry(demo_con)
    for reader in (VIEWER, ANALYST):
        with pytest.raises(AccessDenied):
            audit.entries(demo_con, reader)
        with pytest.raises(AccessDenied):
            users.users(demo_con, reader)
    assert entries_since(demo_con, before).empty


def test_the_audit_log_filters_by_who_what_and_words(demo_con):
    kpi_edits.add_commentary(demo_con, LA, "SW_AGENCY_PCT", OCTOBER, "Agency fell", Actor("pat@anyshire.example",
                                                                                     "analyst"))
    kpi_edits.add_annotation(demo_con, LA, None, OCTOBER, "Focused visit", Actor("sam@anyshire.example", "analyst"))
    assert audit.entries(demo_con, ADMIN, who="PAT")["action"].tolist() == ["commentary_add"]
    assert audit.entries(demo_con, ADMIN, actions=["note_add"])["actor"].tolist() == ["sam@anyshire.example"]
    assert audit.entries(demo_con, ADMIN, text="focused")["action"].tolist() == ["note_add"]
    assert audit.entries(demo_con, ADMIN, since=date(2000, 1, 1), until=date(2000, 1, 2)).empty


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_log SET after = '{\"text\": \"Something else\"}' WHERE entry_id = 2",
    "DELETE FROM audit_log WHERE entry_id = 2",
])
def test_an_entry_changed_or_removed_outside_the_dashboard_breaks_the_chain(demo_con, tamper):
    for text in ("One", "Two", "Three"):
        kpi_edits.add_commentary(demo_con, LA, "SW_AGENCY_PCT", OCTOBER, text, ANALYST)
    assert audit.verify(demo_con) == []
    demo_con.execute(tamper)
    assert audit.verify(demo_con) in ([2], [3])


def test_roles_are_keyed_by_email_in_one_spelling(demo_con):
    before = last_entry(demo_con)
    users.set_role(demo_con, "  Pat.Smith@Anyshire.example ", "analyst", "Performance team", ADMIN)
    assert users.role_of(demo_con, "pat.smith@anyshire.EXAMPLE") == "analyst"
    users.set_role(demo_con, "pat.smith@anyshire.example", "viewer", "", ADMIN)
    entries = entries_since(demo_con, before)
    assert json.loads(entries.iloc[0]["before"])["role"] == "analyst"
    assert json.loads(entries.iloc[0]["after"])["role"] == "viewer"
    users.remove_user(demo_con, "PAT.SMITH@anyshire.example", ADMIN)
    assert users.role_of(demo_con, "pat.smith@anyshire.example") is None
    assert entries_since(demo_con, before)["action"].tolist() == ["role_remove", "role_set", "role_set"]


@pytest.mark.parametrize("email,role,refusal", [
    ("not an email", "viewer", "not an email address"),
    ("pat@anyshire.example", "owner", "not a role"),
])
def test_a_bad_role_change_is_refused_in_words(demo_con, email, role, refusal):
    with pytest.raises(kpi_edits.EditRefused, match=refusal):
        users.set_role(demo_con, email, role, "", ADMIN)


def test_the_last_admin_cannot_lock_everyone_out(demo_con):
    users.set_role(demo_con, "admin@anyshire.example", "admin", "", operator("setup"))
    with pytest.raises(kpi_edits.EditRefused, match="only admin"):
        users.set_role(demo_con, "admin@anyshire.example", "analyst", "", ADMIN)
    with pytest.raises(kpi_edits.EditRefused, match="only admin"):
        users.remove_user(demo_con, "admin@anyshire.example", ADMIN)
    users.set_role(demo_con, "second@anyshire.example", "admin", "", ADMIN)
    users.set_role(demo_con, "admin@anyshire.example", "analyst", "", ADMIN)
    assert users.role_of(demo_con, "admin@anyshire.example") == "analyst"


def test_a_publication_pack_is_refused_to_a_viewer_before_any_cache_is_consulted():
    from ui import pack_cache

    options = PackOptions(LA, "Anyshire", OCTOBER, ("SW_AGENCY_PCT",), audience=PUBLICATION)
    with pytest.raises(AccessDenied, match="export board packs for publication"):
        pack_cache.build(options, VIEWER)
    assert VIEWER.can(pack_cache.EXPORT_PERMISSIONS[INTERNAL])


def test_two_people_writing_at_once_leave_an_unbroken_chain(demo_db_path):
    import threading

    from store.connection import open_store

    before = last_entry(demo_db_path)

    def write(who: str) -> None:
        with open_store(demo_db_path) as con:
            for n in range(15):
                kpi_edits.add_commentary(con, LA, "SW_AGENCY_PCT", OCTOBER, f"{who} {n}", Actor(who, "analyst"))

    threads = [threading.Thread(target=write, args=(f"analyst{i}@anyshire.example",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(demo_db_path) as con:
        assert len(entries_since(con, before)) == 45
        assert audit.verify(con) == []


def test_removing_an_unknown_inspection_is_refused_in_words(demo_con):
    with pytest.raises(kpi_edits.EditRefused, match="does not exist"):
        plan_edits.retire_inspection(demo_con, LA, 999_999, ANALYST)
