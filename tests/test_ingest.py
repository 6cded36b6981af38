"""prepare then commit: the preview, the diff against the store, duplicates, supersession, withdrawal, DfE files."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingest import dfe, upload
from ingest.issues import UploadRefused
from ingest.load import withdraw_upload
from settings import DEMO_LA_CODE
from tests import fixtures
from tests.actors import ANALYST, analyst

TODAY = date(2026, 11, 23)
USER = "analyst@anyshire.example"
TABLES = ["observations", "uploads", "councils", "benchmarks", "neighbours"]
NEW_COUNCILS = [("951", "E99000051", "Northtown (test)"), ("952", "E99000052", "Southport (test)"),
                ("953", "E99000053", "Eastham (test)")]


def prepare(con, name: str, content: bytes) -> upload.Plan:
    return upload.prepare(con, name, content, home_la=DEMO_LA_CODE, user=USER, today=TODAY)


def load(con, name: str, content: bytes) -> int:
    plan = prepare(con, name, content)
    assert plan.can_load, [i.line() for i in plan.errors]
    return upload.commit(con, plan, ANALYST)


def long_file(values: dict[tuple[str, str], object], la_code: str | None = None) -> bytes:
    return fixtures.xlsx({"Data": fixtures.long_rows(values, la_code)})


def counts(con) -> dict[str, int]:
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def current(con, kpi: str, period: str, la_code: str = DEMO_LA_CODE) -> tuple[float, int]:
    return con.execute(
        "SELECT value, upload_id FROM observations WHERE is_current AND la_code = ? AND kpi_code = ? AND period = ?",
        [la_code, kpi, date.fromisoformat(period + "-01")]).fetchone()


def test_preview_counts_rows_per_kpi_and_month(demo_con):
    plan = prepare(demo_con, "october.xlsx", long_file({
        ("CONTACTS", "2026-09"): 2600, ("CONTACTS", "Oct-26"): 2700,
        ("Assessments completed within 45 working days", "2026-10"): 88}))
    assert plan.can_load and plan.row_count == 3
    summary = plan.summary.set_index("KPI")
    assert list(summary.columns) == ["2026-09", "2026-10"]
    assert summary.loc["CONTACTS"].tolist() == [1, 1]
    assert summary.loc["ASSESS_45WD_PCT"].tolist() == [0, 1]


def test_diff_shows_what_will_change_against_the_store(demo_con):
    stored_contacts, demo_upload = current(demo_con, "CONTACTS", "2026-10")
    plan = prepare(demo_con, "october.xlsx", long_file({("CONTACTS", "2026-10"): stored_contacts,
                                                        ("ASSESS_45WD_PCT", "2026-10"): 91.5}))
    brand_new = prepare(demo_con, "new council.xlsx", long_file({("CONTACTS", "2026-10"): 10}, "E99000099"))
    changes = plan.changes.set_index("kpi_code")
    assert changes.loc["CONTACTS", "change"] == "unchanged"
    assert changes.loc["ASSESS_45WD_PCT", "change"] == "changed"
    assert changes.loc["ASSESS_45WD_PCT", "stored_value"] == pytest.approx(86.7)
    assert changes.loc["ASSESS_45WD_PCT", "new_value"] == 91.5
    assert changes.loc["ASSESS_45WD_PCT", "stored_upload"] == demo_upload
    assert brand_new.changes["change"].tolist() == ["new"]
    (warning,) = plan.warnings
    assert warning.rule == "month_replaced"
    assert warning.message == (f"Oct 2026 already has 2 stored values from upload {demo_upload}; this upload "
                               "replaces them and 1 value will differ")
    assert brand_new.warnings == []


def test_the_same_file_twice_is_refused_naming_the_upload(demo_con):
    content = long_file({("CONTACTS", "2026-10"): 2801})
    upload_id = load(demo_con, "october.xlsx", content)
    before = counts(demo_con)
    again = prepare(demo_con, "october (copy).xlsx", content)
    assert again.already_loaded_as == upload_id and not again.can_load
    with pytest.raises(UploadRefused, match=f"already loaded as upload {upload_id}"):
        upload.commit(demo_con, again, ANALYST)
    assert counts(demo_con) == before


def test_a_plan_committed_twice_loads_once(demo_con):
    plan = prepare(demo_con, "october.xlsx", long_file({("CONTACTS", "2026-10"): 2802}))
    upload_id = upload.commit(demo_con, plan, ANALYST)
    before = counts(demo_con)
    with pytest.raises(UploadRefused, match=f"loaded as upload {upload_id} after it was checked"):
        upload.commit(demo_con, plan, ANALYST)
    assert counts(demo_con) == before


def test_a_later_upload_supersedes_and_withdrawing_it_restores(demo_con):
    original = current(demo_con, "ASSESS_45WD_PCT", "2026-10")
    first = load(demo_con, "october.xlsx", long_file({("ASSESS_45WD_PCT", "2026-10"): 90}))
    second = load(demo_con, "october corrected.xlsx", long_file({("ASSESS_45WD_PCT", "2026-10"): 92.5}))
    assert current(demo_con, "ASSESS_45WD_PCT", "2026-10") == (92.5, second)
    history = demo_con.execute(
        "SELECT value FROM observations WHERE la_code = ? AND kpi_code = 'ASSESS_45WD_PCT' AND period = '2026-10-01'"
        " ORDER BY upload_id", [DEMO_LA_CODE]).fetchall()
    assert history == [(original[0],), (90.0,), (92.5,)]

    assert withdraw_upload(demo_con, second, analyst("head of service")) == 1
    assert current(demo_con, "ASSESS_45WD_PCT", "2026-10") == (90.0, first)
    withdraw_upload(demo_con, first, analyst("head of service"))
    assert current(demo_con, "ASSESS_45WD_PCT", "2026-10") == original
    recorded = demo_con.execute(
        "SELECT upload_id, status, uploaded_by, withdrawn_by, withdrawn_at IS NOT NULL, file_name, rows_loaded"
        " FROM uploads WHERE upload_id IN (?, ?) ORDER BY upload_id", [first, second]).fetchall()
    assert recorded == [(first, "withdrawn", USER, "head of service", True, "october.xlsx", 1),
                        (second, "withdrawn", USER, "head of service", True, "october corrected.xlsx", 1)]


def test_a_withdrawn_file_can_be_loaded_again(demo_con):
    content = long_file({("CONTACTS", "2026-10"): 2803})
    withdraw_upload(demo_con, load(demo_con, "october.xlsx", content), analyst(USER))
    again = prepare(demo_con, "october.xlsx", content)
    assert again.already_loaded_as is None and again.can_load


def test_one_error_anywhere_writes_nothing(demo_con):
    before = counts(demo_con)
    rows = fixtures.long_rows({("CONTACTS", "2026-10"): 2804, ("REFERRALS", "2026-10"): 400})
    rows.append(["E99000002", "CONTACTS", "2026-10", "lots"])
    plan = prepare(demo_con, "october.xlsx", fixtures.xlsx({"Data": rows}))
    assert [(i.rule, i.sheet, i.cell) for i in plan.errors] == [("not_a_number", "Data", "D4")]
    assert len(plan.parsed.observations) == 2 and not plan.can_load
    with pytest.raises(UploadRefused, match="1 errors"):
        upload.commit(demo_con, plan, ANALYST)
    assert counts(demo_con) == before


def test_a_failure_part_way_through_a_commit_rolls_everything_back(demo_con, monkeypatch):
    before = counts(demo_con)
    real_store = dfe.store_benchmarks

    def store_then_fail(con, benchmarks, upload_id):
        real_store(con, benchmarks, upload_id)
        assert con.execute("SELECT count(*) FROM benchmarks WHERE upload_id = ?", [upload_id]).fetchone()[0] > 0
        raise RuntimeError("disk full")

    monkeypatch.setattr(dfe, "store_benchmarks", store_then_fail)
    plan = prepare(demo_con, "cla_2025.csv", fixtures.dfe_cla_csv(NEW_COUNCILS))
    with pytest.raises(RuntimeError, match="disk full"):
        upload.commit(demo_con, plan, ANALYST)
    assert counts(demo_con) == before


def test_a_refused_file_writes_nothing(demo_con):
    before = counts(demo_con)
    plan = prepare(demo_con, "october.xlsx", b"kpi,period,value\n")
    assert [i.rule for i in plan.errors] == ["not_a_workbook"] and not plan.can_load
    assert counts(demo_con) == before


def test_dfe_download_loads_benchmarks_and_names_councils(demo_con):
    before = counts(demo_con)
    plan = prepare(demo_con, "cla_number_and_rate_2025.csv", fixtures.dfe_cla_csv(NEW_COUNCILS))
    assert plan.errors == [] and plan.parsed.observations.empty
    assert plan.provenance.kind == "benchmarks"
    upload_id = upload.commit(demo_con, plan, ANALYST)
    stored = demo_con.execute(
        "SELECT kpi_code, area_type, area_code, year, period_end, value, status_code FROM benchmarks"
        " WHERE upload_id = ? ORDER BY kpi_code, area_code", [upload_id]).df()
    assert len(stored) == 3 * (1 + len(NEW_COUNCILS))  # CLA_COUNT, CLA_RATE, CLA_STARTS: England, each council
    assert set(stored["period_end"].dt.date) == {date(2025, 3, 31)} and set(stored["year"]) == {2025}
    england = stored[stored["area_type"] == "england"].set_index("kpi_code")
    assert england.loc["CLA_COUNT", "area_code"] == dfe.ENGLAND_CODE and england.loc["CLA_COUNT", "value"] == 80_000
    suppressed = stored[(stored["kpi_code"] == "CLA_STARTS") & (stored["area_code"] == "E99000051")].iloc[0]
    assert pd.isna(suppressed["value"]) and suppressed["status_code"] == "c"
    councils = demo_con.execute(
        "SELECT la_code, name, old_la_code FROM councils WHERE la_code LIKE 'E990000 5%' ESCAPE ' ' ORDER BY 1"
    ).fetchall()
    assert councils == [(new, name, old) for old, new, name in NEW_COUNCILS]
    stored = demo_con.execute("SELECT kind, rows_loaded, status FROM uploads WHERE upload_id = ?",
                              [upload_id]).fetchone()
    assert stored == ("benchmarks", 12, "loaded")
    assert counts(demo_con)["observations"] == before["observations"]


def test_statistical_neighbours_table_loads_neighbour_groups(demo_con):
    load(demo_con, "cla_2025.csv", fixtures.dfe_cla_csv(NEW_COUNCILS))
    table = fixtures.dfe_neighbours_csv({"951": ["952", "953", "901"], "952": ["951", "999"]},
                                        {"951": "Northtown (test)", "952": "Southport (test)"})
    plan = prepare(demo_con, "sn_model_2025_wide.csv", table)
    assert plan.errors == []
    (warning,) = plan.warnings
    assert warning.rule == "neighbours_unknown_councils" and warning.found == "999"
    upload.commit(demo_con, plan, ANALYST)
    groups = demo_con.execute(
        "SELECT la_code, neighbour_code, rank FROM neighbours WHERE model = 'DfE statistical neighbours 2025'"
        " ORDER BY la_code, rank").fetchall()
    assert groups == [("E99000051", "E99000052", 1), ("E99000051", "E99000053", 2), ("E99000051", "E99000001", 3),
                      ("E99000052", "E99000051", 1)]
    demo_model = demo_con.execute("SELECT count(*) FROM neighbours WHERE model = 'Demo model (fictional)'")
    assert demo_model.fetchone()[0] > 0


def test_neighbours_table_listing_a_council_twice_is_refused(demo_con):
    content = fixtures.dfe_neighbours_csv({"901": ["902"]}, {}) + b"901,Anyshire again,9,Demo region,903,Close\n"
    before = counts(demo_con)
    plan = prepare(demo_con, "sn_model_2025_wide.csv", content)
    assert [(i.rule, i.cell, i.message) for i in plan.errors] == [
        ("duplicate", "A3", "Council 901 is listed twice (also at A2)")]
    assert counts(demo_con) == before


def _neighbour_groups(con, la_code: str) -> list[tuple[str, int]]:
    from store import queries

    groups = queries.neighbours(con, la_code)
    return list(zip(groups["neighbour_code"], groups["rank"]))


def test_withdrawing_a_neighbours_upload_brings_back_the_groups_it_replaced(demo_con):
    load(demo_con, "cla_2025.csv", fixtures.dfe_cla_csv(NEW_COUNCILS))
    first = fixtures.dfe_neighbours_csv({"951": ["952", "953"]}, {"951": "Northtown (test)"})
    second = fixtures.dfe_neighbours_csv({"951": ["953", "952", "901"]}, {"951": "Northtown (test)"})
    load(demo_con, "sn_model_2025_wide.csv", first)
    later = load(demo_con, "sn_model_2025_wide_corrected.csv", second)
    assert _neighbour_groups(demo_con, "E99000051") == [("E99000053", 1), ("E99000052", 2), ("E99000001", 3)]
    withdraw_upload(demo_con, later, analyst(USER))
    assert _neighbour_groups(demo_con, "E99000051") == [("E99000052", 1), ("E99000053", 2)]


TARGETS_HEADER = ["kpi", "kind", "value", "start", "end", "source"]


def _targets(con) -> list[tuple]:
    return con.execute(
        "SELECT kpi_code, kind, value, start_period, upload_id FROM targets"
        " WHERE la_code = ? AND retired_at IS NULL AND source = 'Improvement board, Nov 2026' ORDER BY kpi_code",
        [DEMO_LA_CODE]).fetchall()


def test_a_targets_sheet_loads_with_the_monthly_return_and_goes_when_withdrawn(demo_con):
    content = fixtures.xlsx({
        "Data": fixtures.long_rows({("ASSESS_45WD_PCT", "2026-10"): 91.0}),
        "Targets": [TARGETS_HEADER,
                    ["ASSESS_45WD_PCT", "local", 92, "2026-11", None, "Improvement board, Nov 2026"],
                    ["Agency worker rate", "floor", "25%", "Nov-26", "2027-03", "Improvement board, Nov 2026"]],
    })
    plan = prepare(demo_con, "return_oct_2026.xlsx", content)
    assert plan.errors == [] and len(plan.targets) == 2 and plan.row_count == 3
    assert ("Targets", "targets", 2) in [(s.sheet, s.layout, s.rows) for s in plan.parsed.sheets]
    upload_id = upload.commit(demo_con, plan, ANALYST)
    assert _targets(demo_con) == [("ASSESS_45WD_PCT", "local", 92.0, date(2026, 11, 1), upload_id),
                                  ("SW_AGENCY_PCT", "floor", 25.0, date(2026, 11, 1), upload_id)]
    withdraw_upload(demo_con, upload_id, analyst(USER))
    assert _targets(demo_con) == []
    retired_by = demo_con.execute("SELECT DISTINCT retired_by FROM targets WHERE upload_id = ?", [upload_id])
    assert retired_by.fetchall() == [(USER,)]


def test_a_bad_target_row_stops_the_whole_file_with_its_cell(demo_con):
    content = fixtures.xlsx({
        "Data": fixtures.long_rows({("ASSESS_45WD_PCT", "2026-10"): 91.0}),
        "Targets": [TARGETS_HEADER, ["ASSESS_45WD_PCT", "local", 120, "2026-11", None, "Improvement board"]],
    })
    before = counts(demo_con)
    plan = prepare(demo_con, "return_oct_2026.xlsx", content)
    assert [(i.sheet, i.cell, i.rule) for i in plan.errors] == [("Targets", "C2", "bad_target")]
    assert not plan.can_load
    with pytest.raises(UploadRefused):
        upload.commit(demo_con, plan, ANALYST)
    assert counts(demo_con) == before


def test_a_workbook_with_only_targets_loads_them(demo_con):
    content = fixtures.xlsx({"Targets": [TARGETS_HEADER,
                                         ["CLA_RATE", "local", 70, "2026-12", None, "Improvement board, Nov 2026"]]})
    upload_id = load(demo_con, "targets_2027.xlsx", content)
    assert _targets(demo_con) == [("CLA_RATE", "local", 70.0, date(2026, 12, 1), upload_id)]
