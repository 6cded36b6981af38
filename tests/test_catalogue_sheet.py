"""The catalogue in and out of a spreadsheet: a council sets up its local measures in one step, every cell checked,
all or nothing, and an exported catalogue imported again changes nothing."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ingest import catalogue_sheet, cli
from ingest.local_kpis import LocalKpi, add_local_kpi
from settings import DEMO_LA_CODE
from store import queries
from store.connection import open_store
from store.errors import EditRefused
from tests.actors import ADMIN, ANALYST
from tests.find import widget

LOCAL_ROWS = [
    ["MISSING_EPISODES", "Missing episodes", "", "count", "none", "Missing", 0, "monthly", "", "children", "local",
     "in use"],
    ["RHI_72H_PCT", "Return home interviews within 72 hours", "", "percentage", "higher is better", "Missing", 1,
     "monthly", "", "children", "local", "in use"],
    ["SUPERVISION_PCT", "Supervision within timescale", "", "%", "high", "Quality assurance", 1, "monthly", "",
     "staff", "local", "retired"],
]


def catalogue_file(con, extra: list[list[object]]) -> bytes:
    book = load_workbook(io.BytesIO(catalogue_sheet.export_bytes(queries.full_catalogue(con))))
    for row in extra:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_exported_catalogue_imported_again_changes_nothing(demo_con):
    add_local_kpi(demo_con, LocalKpi("AUDIT_PCT", "Audits good or better", "%", "high", "Quality"), ADMIN)
    parsed = catalogue_sheet.check_file(demo_con, "catalogue.xlsx", catalogue_file(demo_con, []))
    assert not parsed.errors and parsed.statutory == 34
    assert catalogue_sheet.changes(demo_con, parsed) == {"added": [], "changed": [], "retired": [], "restored": []}


def test_local_measures_are_added_changed_and_retired_in_one_step(demo_con):
    add_local_kpi(demo_con, LocalKpi("AUDIT_PCT", "Audits good or better", "%", "high", "Quality"), ADMIN)
    content = catalogue_file(demo_con, LOCAL_ROWS)
    book = load_workbook(io.BytesIO(content))
    for row in book.active.iter_rows(min_row=2):
        if row[0].value == "AUDIT_PCT":
            row[1].value, row[11].value = "Case audits graded good or better", "retired"
    out = io.BytesIO()
    book.save(out)
    parsed = catalogue_sheet.check_file(demo_con, "catalogue.xlsx", out.getvalue())
    plan = catalogue_sheet.import_catalogue(demo_con, parsed, ADMIN)
    assert plan == {"added": ["MISSING_EPISODES", "RHI_72H_PCT", "SUPERVISION_PCT"], "changed": ["AUDIT_PCT"],
                    "retired": ["AUDIT_PCT", "SUPERVISION_PCT"], "restored": []}
    full = queries.full_catalogue(demo_con).set_index("code")
    assert full.at["RHI_72H_PCT", "unit"] == "%" and full.at["RHI_72H_PCT", "polarity"] == "high"
    assert full.at["SUPERVISION_PCT", "subject"] == "staff" and full.at["SUPERVISION_PCT", "retired_at"] is not None
    assert full.at["AUDIT_PCT", "name"] == "Case audits graded good or better"
    assert "MISSING_EPISODES" in set(queries.catalogue(demo_con)["code"])


def test_every_bad_cell_is_named_and_nothing_is_imported(demo_con):
    bad = ["bad code", "", "", "lots", "up", "", 9, "weekly", "CLA_RATE", "kids", "local", "gone"]
    parsed = catalogue_sheet.check_file(demo_con, "catalogue.xlsx", catalogue_file(demo_con, LOCAL_ROWS[:1] + [bad]))
    assert [(i.cell, i.rule) for i in parsed.errors] == [
        ("A37", "bad_code"), ("B37", "missing_value"), ("D37", "bad_unit"), ("E37", "bad_polarity"),
        ("F37", "missing_value"), ("G37", "bad_decimals"), ("H37", "bad_frequency"), ("I37", "bad_denominator"),
        ("J37", "bad_subject"), ("L37", "bad_status")]
    with pytest.raises(EditRefused, match="has errors; nothing was imported"):
        catalogue_sheet.import_catalogue(demo_con, parsed, ADMIN)
    assert "MISSING_EPISODES" not in set(queries.full_catalogue(demo_con)["code"])


def test_a_row_refused_when_applied_refuses_the_whole_file(demo_con):
    add_local_kpi(demo_con, LocalKpi("AUDIT_PCT", "Audits good or better", "%", "high", "Quality"), ADMIN)
    demo_con.execute("INSERT INTO uploads (file_name, sha256, size_bytes, kind, uploaded_by, uploaded_at, rows_loaded,"
                     " status) VALUES ('x', 'x', 1, 'monthly', 'a', now(), 1, 'loaded')")
    demo_con.execute("INSERT INTO observations (la_code, kpi_code, period, value, upload_id) VALUES"
                     " (?, 'AUDIT_PCT', DATE '2026-10-01', 64, (SELECT max(upload_id) FROM uploads))", [DEMO_LA_CODE])
    content = catalogue_file(demo_con, LOCAL_ROWS[:1])
    book = load_workbook(io.BytesIO(content))
    for row in book.active.iter_rows(min_row=2):
        if row[0].value == "AUDIT_PCT":
            row[3].value = "count"
    out = io.BytesIO()
    book.save(out)
    parsed = catalogue_sheet.check_file(demo_con, "catalogue.xlsx", out.getvalue())
    with pytest.raises(EditRefused, match=r"row 36 \(AUDIT_PCT\).*its unit cannot change.*Nothing was imported"):
        catalogue_sheet.import_catalogue(demo_con, parsed, ADMIN)
    assert "MISSING_EPISODES" not in set(queries.full_catalogue(demo_con)["code"]), "all or nothing"


def test_only_a_role_that_may_edit_the_catalogue_imports(demo_con):
    parsed = catalogue_sheet.check_file(demo_con, "catalogue.xlsx", catalogue_file(demo_con, LOCAL_ROWS[:1]))
    with pytest.raises(Exception, match="needs the admin role"):
        catalogue_sheet.import_catalogue(demo_con, parsed, ANALYST)


def test_the_command_line_exports_checks_and_imports(demo_db_path, tmp_path, capsys):
    out = tmp_path / "catalogue.xlsx"
    assert cli.main(["kpi", "export", "--out", str(out), "--db", str(demo_db_path)]) == 0
    book = load_workbook(out)
    for row in LOCAL_ROWS:
        book.active.append(row)
    book.save(out)
    assert cli.main(["kpi", "import", str(out), "--dry-run", "--db", str(demo_db_path)]) == 0
    assert cli.main(["kpi", "import", str(out), "--db", str(demo_db_path)]) == 0
    assert cli.main(["kpi", "import", str(out), "--db", str(demo_db_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[1] == ("catalogue.xlsx: would add 3 local KPIs, retire 1 local KPI (dry run; nothing changed)")
    assert printed[2] == ("catalogue.xlsx: added 3 local KPIs, retired 1 local KPI; 34 statutory KPIs left as they "
                          "are")
    assert printed[3] == "catalogue.xlsx: changed nothing; 34 statutory KPIs left as they are"


def test_the_catalogue_page_imports_a_file_on_confirm(app, demo_db_path):
    with open_store(demo_db_path) as con:
        content = catalogue_file(con, LOCAL_ROWS)
    app.switch_page("views/kpi_catalogue.py").run()
    uploader = [u for u in app.get("file_uploader")][0]
    uploader.set_value(("catalogue.xlsx", content, "application/octet-stream")).run()
    assert not app.exception
    assert any("Add:** MISSING_EPISODES, RHI_72H_PCT, SUPERVISION_PCT" in m.value for m in app.markdown)
    with open_store(demo_db_path) as con:
        assert "MISSING_EPISODES" not in set(queries.full_catalogue(con)["code"]), "nothing before the click"
    widget(app.button, "Import these changes").click().run()
    assert not app.exception
    with open_store(demo_db_path) as con:
        assert {"MISSING_EPISODES", "RHI_72H_PCT"} <= set(queries.catalogue(con)["code"])
