"""Upload guards: a plausible-looking typo is held for a second look (tick to confirm on the page, `warning:` lines
and `--strict` on the command line), the acknowledgement is kept with the upload and in the audit log, and every
sheet not read is named with why."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auth import audit
from ingest import cli, upload
from ingest.issues import UploadRefused
from ingest.template import template_bytes
from settings import DEMO_LA_CODE
from store import queries
from store.connection import open_store
from tests.actors import ADMIN, ANALYST
from tests.find import containing, frame
from tests.fixtures import long_rows, xlsx
from ui.text import unescape, unescape_cells

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH = "2026-11"  # the month after the demo's last


def typo_file(**extra: float) -> bytes:
    """November's return with contacts typed with an extra digit (recent months were about 2,700)."""
    values = {("CONTACTS", MONTH): 27310, ("CLA_COUNT", MONTH): 812, ("ASSESS_45WD_PCT", MONTH): 88.1}
    values.update({(kpi, MONTH): value for kpi, value in extra.items()})
    return xlsx({"Data": long_rows(values)})


def upload_row(db: Path, upload_id: int) -> tuple:
    with open_store(db) as con:
        return con.execute("SELECT warnings_acknowledged, acknowledged_warnings FROM uploads WHERE upload_id = ?",
                           [upload_id]).fetchone()


def contacts(db: Path) -> float | None:
    with open_store(db) as con:
        found = con.execute("SELECT value FROM observations WHERE is_current AND la_code = ? AND kpi_code = 'CONTACTS'"
                            " AND period = DATE '2026-11-01'", [DEMO_LA_CODE]).fetchone()
    return None if found is None else found[0]


def upload_entry(db: Path, upload_id: int) -> dict:
    with open_store(db) as con:
        log = audit.entries(con, ADMIN, actions=["upload"])
    return json.loads(log[log["subject"].str.startswith(f"upload {upload_id}:")].iloc[0]["after"])


# The store: refused without the acknowledgement, kept with the upload and in the audit log with it.

def test_a_typo_cannot_load_until_it_is_checked_and_the_check_is_recorded(demo_con, demo_db_path):
    plan = upload.prepare(demo_con, "november.xlsx", typo_file(), home_la=DEMO_LA_CODE, user=ANALYST.email)
    assert plan.can_load and [w.rule for w in plan.checks] == ["order_of_magnitude"]
    with pytest.raises(UploadRefused, match="1 value needs checking first"):
        upload.commit(demo_con, plan, ANALYST)
    assert contacts(demo_db_path) is None

    upload_id = upload.commit(demo_con, plan, ANALYST, checked=True)
    assert contacts(demo_db_path) == 27310
    count, lines = upload_row(demo_db_path, upload_id)
    assert count == 1 and json.loads(lines) == [plan.checks[0].line()]
    assert "Data!D2 (Contacts received, Nov 2026)" in lines
    assert upload_entry(demo_db_path, upload_id)["warnings_acknowledged"] == [plan.checks[0].line()]


def test_a_file_without_warnings_records_none(demo_con, demo_db_path):
    plan = upload.prepare(demo_con, "november.xlsx", typo_file(CONTACTS=2731), home_la=DEMO_LA_CODE,
                          user=ANALYST.email)
    assert plan.checks == []
    upload_id = upload.commit(demo_con, plan, ANALYST)
    assert upload_row(demo_db_path, upload_id) == (0, None)
    assert "warnings_acknowledged" not in upload_entry(demo_db_path, upload_id)


def test_a_file_whose_every_value_is_withheld_is_checked_and_loads(demo_con):
    """Nothing to judge for plausibility (no figure at all) is no reason to fail: the codes load as they are."""
    content = xlsx({"Data": long_rows({("CONTACTS", MONTH): "c", ("CLA_COUNT", MONTH): "x"})})
    plan = upload.prepare(demo_con, "november.xlsx", content, home_la=DEMO_LA_CODE, user=ANALYST.email)
    assert plan.can_load and plan.checks == []
    upload.commit(demo_con, plan, ANALYST)
    assert demo_con.execute("SELECT status_code FROM observations WHERE is_current AND kpi_code = 'CONTACTS'"
                            " AND period = DATE '2026-11-01' AND la_code = ?", [DEMO_LA_CODE]).fetchone() == ("c",)


# The command line: `warning:` lines, the load goes ahead; `--strict` refuses.

def test_the_command_line_prints_warning_lines_and_loads(tmp_path, demo_db_path, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    path = tmp_path / "november.xlsx"
    path.write_bytes(typo_file())
    assert cli.main(["load", str(path), "--db", str(demo_db_path)]) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if "Contacts received" in line]
    assert line.startswith("warning: november.xlsx: Data!D2 (Contacts received, Nov 2026): ")
    assert "(found '27,310')" in line and "usual range 2," in line
    assert "november.xlsx: loaded 3 values as upload" in out
    assert contacts(demo_db_path) == 27310


def test_strict_refuses_any_warning_and_loads_nothing(tmp_path, demo_db_path, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    path = tmp_path / "november.xlsx"
    path.write_bytes(typo_file())
    assert cli.main(["load", str(path), "--db", str(demo_db_path), "--strict"]) == 1
    out, err = capsys.readouterr()
    assert any(line.startswith("warning: november.xlsx: Data!D2") for line in out.splitlines())
    assert "november.xlsx: refused under --strict, 1 value to check" in err
    assert contacts(demo_db_path) is None

    path.write_bytes(typo_file(CONTACTS=2731))
    assert cli.main(["load", str(path), "--db", str(demo_db_path), "--strict"]) == 0, "nothing to check: it loads"
    assert contacts(demo_db_path) == 2731


# The page: tick to confirm.

def open_upload(app, name: str, content: bytes):
    app.switch_page("views/upload_file.py").run()
    app.file_uploader[0].set_value((name, content, XLSX_MIME)).run()
    assert not app.exception
    return app


def test_the_page_asks_for_a_tick_before_a_typo_loads(app, demo_db_path):
    open_upload(app, "november.xlsx", typo_file())
    containing(app.subheader, "Values to check before loading")
    containing(app.warning, "1 value in november.xlsx may be wrong", unescaped=True)
    checks = unescape_cells(frame(app.table, "Why it may be wrong"))
    assert checks[["Cell", "KPI", "Month", "Found"]].values.tolist() == [["D2", "Contacts received", "Nov 2026",
                                                                         "27,310"]]
    assert "did you mean 2,731?" in checks.iloc[0]["How to fix"]
    preview = frame(app.dataframe, "KPI", "Before").set_index("Cell")
    assert preview.loc["Data!D2", "Value"] == "27,310" and preview.loc["Data!D2", "Check"].startswith("⚠ Check")
    assert preview.loc["Data!D4", "Value"] == "88.1%" and preview.loc["Data!D4", "Check"] == ""
    assert app.button(key="confirm_load").disabled, "nothing loads before the value is ticked as checked"

    (tick,) = app.checkbox
    assert unescape(tick.label) == "I have checked Contacts received, Nov 2026 (Data!D2 = 27,310)"
    tick.check().run()
    assert not app.button(key="confirm_load").disabled
    app.button(key="confirm_load").click().run()
    assert not app.exception
    containing(app.success, "Loaded november.xlsx as upload", unescaped=True)
    assert contacts(demo_db_path) == 27310
    with open_store(demo_db_path) as con:
        count, lines = con.execute("SELECT warnings_acknowledged, acknowledged_warnings FROM uploads"
                                   " ORDER BY upload_id DESC LIMIT 1").fetchone()
    assert count == 1 and "Contacts received, Nov 2026" in lines

    app.switch_page("views/upload_history.py").run()
    assert not app.exception
    history = frame(app.dataframe, "Warnings checked")
    assert history.iloc[0][["File", "Warnings checked"]].tolist() == ["november.xlsx", 1]
    containing(app.markdown, "loaded with 1 plausibility warning acknowledged (ticked on the Upload page",
               unescaped=True)
    (ticked,) = [e for e in app.expander if e.label == "The 1 warning acknowledged"]
    assert "Contacts received, Nov 2026" in unescape(ticked.markdown[0].value)


def test_one_tick_checks_every_value(app, demo_db_path):
    open_upload(app, "november.xlsx", typo_file(SW_FTE=29.1, VISITS_CP_PCT=41.0))
    containing(app.warning, "3 values in november.xlsx may be wrong", unescaped=True)
    ticks = {unescape(box.label): box for box in app.checkbox}
    assert len(ticks) == 4
    ticks["I have checked Contacts received, Nov 2026 (Data!D2 = 27,310)"].check().run()
    assert app.button(key="confirm_load").disabled, "one of three ticked is not enough"
    next(box for label, box in ticks.items() if label.startswith("I have checked all 3")).check().run()
    assert not app.button(key="confirm_load").disabled
    app.button(key="confirm_load").click().run()
    assert contacts(demo_db_path) == 27310


def test_a_tick_does_not_carry_over_to_another_file(app, demo_db_path):
    open_upload(app, "november.xlsx", typo_file())
    app.checkbox[0].check().run()
    assert not app.button(key="confirm_load").disabled
    app.file_uploader[0].set_value(("november v2.xlsx", typo_file(SW_FTE=29.1), XLSX_MIME)).run()
    assert app.button(key="confirm_load").disabled
    assert contacts(demo_db_path) is None


def test_errors_are_in_words_and_the_csv_report_keeps_the_codes(app, downloads):
    open_upload(app, "bad.xlsx", xlsx({"Data": long_rows({("ASSESS_45WD_PCT", MONTH): 191.2})}))
    errors = frame(app.table, "Cell", "Problem")
    assert "Rule" not in errors.columns and "percentage_out_of_range" not in errors.to_string()
    assert unescape(errors.iloc[0]["Type"]) == "Error: must be fixed"
    report = downloads["bad-errors.csv"][0].decode("utf-8-sig").splitlines()
    assert report[0].endswith(",Code") and report[1].endswith(",percentage_out_of_range")


# Sheets: skipped only when they hold nothing recognisable, each named with why.

def test_a_data_sheet_named_kpis_is_read(demo_con):
    content = xlsx({"KPIs": long_rows({("CONTACTS", MONTH): 2731})})
    plan = upload.prepare(demo_con, "kpis.xlsx", content, home_la=DEMO_LA_CODE, user=ANALYST.email)
    assert plan.errors == [] and len(plan.parsed.observations) == 1
    assert [(s.sheet, s.layout) for s in plan.parsed.sheets] == [("KPIs", "long")]


def test_every_skipped_sheet_is_named_with_its_reason(demo_con):
    content = xlsx({"Cover": [["Anyshire monthly report"]], "Blank": [], "Data": long_rows({("CONTACTS", MONTH): 2731}),
                    "Notes": [["Source: case-management system"], ["c = suppressed"]]})
    plan = upload.prepare(demo_con, "report.xlsx", content, home_la=DEMO_LA_CODE, user=ANALYST.email)
    skipped = {w.sheet: w.message for w in plan.warnings if w.rule == "sheet_skipped"}
    assert skipped == {
        "Cover": "Sheet 'Cover' was not read: no header row with KPI and month columns in its first 40 rows",
        "Blank": "Sheet 'Blank' was not read: it is empty",
        "Notes": "Sheet 'Notes' was not read: no header row with KPI and month columns in its first 40 rows"}
    assert {s.sheet: s.layout for s in plan.parsed.sheets} == {"Cover": "skipped", "Blank": "skipped",
                                                                 "Data": "long", "Notes": "skipped"}


def test_the_templates_reference_sheets_are_known_by_their_content_whatever_their_names(demo_con):
    workbook = load_workbook(io.BytesIO(template_bytes(queries.catalogue(demo_con), "2026-11")))
    for old, new in (("KPIs", "Lookup"), ("Read me", "Guidance"), ("Example", "Sample"), ("Data", "KPIs")):
        workbook[old].title = new
    workbook["KPIs"].append([None, "CONTACTS", MONTH, 2731])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = upload.prepare(demo_con, "template.xlsx", buffer.getvalue(), home_la=DEMO_LA_CODE, user=ANALYST.email)
    assert plan.errors == [] and plan.contents() == "1 value"
    notes = {s.sheet: s.note for s in plan.parsed.sheets if s.layout == "skipped"}
    assert notes == {"Lookup": "the template's list of KPI codes and names, for reference only",
                     "Guidance": "the template's instructions", "Sample": "the template's example row, not data"}


def test_a_file_with_nothing_to_load_names_each_sheet_it_skipped(demo_con):
    content = xlsx({"Cover": [["Anyshire monthly report"]], "Blank": []})
    plan = upload.prepare(demo_con, "cover.xlsx", content, home_la=DEMO_LA_CODE, user=ANALYST.email)
    (error,) = plan.errors
    assert error.message == ("No KPI data or targets were found in any sheet (skipped Cover: no header row with KPI "
                             "and month columns in its first 40 rows; Blank: it is empty)")
