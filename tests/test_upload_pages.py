"""The Upload and Upload history pages in AppTest: check, preview, confirm, refuse, list and withdraw."""
from __future__ import annotations

import getpass
import hashlib
import io
from pathlib import Path

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from ingest import upload
from settings import DEMO_LA_CODE
from store.connection import open_store
from store.errors import StoreBusyError
from tests.actors import ANALYST
from tests.find import containing, frame, widget
from tests.fixtures import long_rows, xlsx
from tests.store_state import last_upload
from ui import uploads
from ui.text import unescape, unescape_cells

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH = "2026-10"
KPI = "ASSESS_45WD_PCT"
NEW_VALUE = 97.3


def stored(db: Path, kpi: str = KPI, month: str = MONTH) -> tuple[float | None, int]:
    """The value the dashboard shows now for the home council, and the upload it came from."""
    with open_store(db) as con:
        return con.execute(
            "SELECT value, upload_id FROM observations WHERE is_current AND la_code = ? AND kpi_code = ?"
            " AND strftime(period, '%Y-%m') = ?", [DEMO_LA_CODE, kpi, month]).fetchone()


def uploads_in(db: Path) -> list[tuple]:
    with open_store(db) as con:
        return con.execute("SELECT upload_id, file_name, status, withdrawn_by FROM uploads ORDER BY 1").fetchall()


def good_file(db: Path) -> bytes:
    """One changed value, one unchanged, one new month: every kind of line the preview shows."""
    same, _ = stored(db, "CLA_COUNT")
    return xlsx({"Data": long_rows({(KPI, MONTH): NEW_VALUE, ("Children looked after", MONTH): same,
                                    ("SW_AGENCY_PCT", "2026-11"): 12.5})})


def bad_file() -> bytes:
    return xlsx({"Data": long_rows({(KPI, MONTH): 191.2, ("NOT_A_KPI", MONTH): 5, ("CLA_COUNT", MONTH): "lots",
                                    ("SW_AGENCY_PCT", "2099-01"): 12})})


def open_upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.switch_page("views/upload_file.py").run()
    app.file_uploader[0].set_value((name, content, XLSX_MIME)).run()
    assert not app.exception
    return app


def load_directly(db: Path, name: str, content: bytes) -> int:
    with open_store(db) as con:
        plan = upload.prepare(con, name, content, home_la=DEMO_LA_CODE, user="analyst@anyshire.example")
        return upload.commit(con, plan, ANALYST)


def test_template_download_is_offered(app, downloads):
    app.switch_page("views/upload_file.py").run()
    assert app.get("download_button")[0].label == "Download the template (.xlsx)"
    content, mime = downloads["kpi_monthly_return_template.xlsx"]
    assert mime == XLSX_MIME
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert {"Data", "Targets", "KPIs"} <= set(workbook.sheetnames)
    kpis = list(workbook["KPIs"].iter_rows(values_only=True))
    assert kpis[0][:3] == ("Code", "Name", "Unit")
    assert len(kpis) - 1 == 34 and (KPI in {row[0] for row in kpis})


def test_good_file_shows_layout_preview_and_diff_before_loading(app, demo_db_path):
    before, _ = stored(demo_db_path)
    held = uploads_in(demo_db_path)
    open_upload(app, "october.xlsx", good_file(demo_db_path))

    sheets = frame(app.dataframe, "Sheet", "Read as")
    assert sheets.to_dict("records") == [{"Sheet": "Data", "Read as": "long", "Values recognised": 3, "Note": ""}]
    assert any("3 values** for 3 KPIs: 1 new, 1 changed, 1 the same as stored" in m.value for m in app.markdown)
    preview = frame(app.dataframe, "KPI", "Before").set_index(["KPI", "Month"])
    assessments = preview.loc[("Assessments completed within 45 working days (ASSESS_45WD_PCT)", "Oct 2026")]
    assert (assessments["Value"], assessments["Before"]) == ("97.3%", "85.5% (Sep 2026)"), "in its unit, with the last"
    assert assessments["Change"] == "+11.8 points" and assessments["Check"] == ""
    assert preview.loc[("Agency worker rate (SW_AGENCY_PCT)", "Nov 2026"), "Value"] == "12.5%"
    changed = frame(app.dataframe, "Stored now", "After upload")
    assert changed[["Month", "Stored now", "After upload", "Stored from upload"]].values.tolist() == [
        [MONTH, f"{before:g}", "97.3", 1]]
    containing(app.warning, "Oct 2026 already has 2 stored values from upload 1")
    assert unescape(app.button(key="confirm_load").label) == "Load 3 values from october.xlsx"
    assert uploads_in(demo_db_path) == held
    assert stored(demo_db_path) == (before, 1)


def test_the_preview_is_made_once_per_checked_file_not_on_every_click(app, demo_db_path, monkeypatch):
    made = {"preview_table": 0, "changed_values": 0}
    for name in made:
        real = getattr(uploads, name)
        monkeypatch.setattr(uploads, name, lambda plan, real=real, name=name: made.update({name: made[name] + 1})
                            or real(plan))
    open_upload(app, "october.xlsx", good_file(demo_db_path))
    app.run()  # what any click on the page does
    app.run()
    assert made == {"preview_table": 1, "changed_values": 1}
    assert len(frame(app.dataframe, "KPI", "Before")) == 3 and len(frame(app.dataframe, "Stored now")) == 1
    app.file_uploader[0].set_value(("november.xlsx", xlsx({"Data": long_rows({(KPI, "2026-11"): 90.1})}),
                                    XLSX_MIME)).run()
    assert made == {"preview_table": 2, "changed_values": 2}, "another file gets its own"
    assert frame(app.dataframe, "KPI", "Before")["Month"].tolist() == ["Nov 2026"]


def test_confirming_loads_the_file_and_names_the_upload(app, demo_db_path):
    held = uploads_in(demo_db_path)
    new = last_upload(demo_db_path) + 1
    open_upload(app, "october.xlsx", good_file(demo_db_path))
    app.button(key="confirm_load").click().run()
    assert not app.exception
    containing(app.success, f"Loaded october.xlsx as upload {new}: 3 values", unescaped=True)
    assert app.file_uploader[0].value is None, "the uploader is emptied for the next file"
    assert uploads_in(demo_db_path) == held + [(new, "october.xlsx", "loaded", None)]
    assert stored(demo_db_path) == (NEW_VALUE, new)

    app.switch_page("views/overview.py").run()
    latest = {row["KPI"]: row["Latest"] for df in app.dataframe for row in df.value.to_dict("records")}
    assert latest["Assessments completed within 45 working days"].startswith("97.3")


def test_bad_file_lists_every_error_with_its_cell_and_loads_nothing(app, demo_db_path, downloads):
    before = stored(demo_db_path)
    held = uploads_in(demo_db_path)
    open_upload(app, "bad.xlsx", bad_file())

    containing(app.error, "4 errors in bad.xlsx: nothing has been loaded", unescaped=True)
    errors = unescape_cells(frame(app.table, "Cell", "Problem"))
    assert {"File", "Sheet", "Cell", "KPI", "Month", "Problem", "Found", "How to fix"} <= set(errors.columns)
    assert not {"Rule", "Code", "Severity"} & set(errors.columns), "no internal codes on screen"
    assert errors[["Sheet", "Cell", "KPI", "Month", "Found"]].values.tolist() == [
        ["Data", "D2", "Assessments completed within 45 working days", "Oct 2026", "191.2"],
        ["Data", "B3", "", "Oct 2026", "NOT_A_KPI"],
        ["Data", "D4", "Children looked after at period end", "Oct 2026", "lots"],
        ["Data", "C5", "Agency worker rate", "Jan 2099", "2099-01"],
    ]
    assert set(errors["File"]) == {"bad.xlsx"} and errors["How to fix"].str.len().min() > 10
    assert [b.label for b in app.button] == ["Add 1 local KPI and check the file again"], \
        "nothing to load; the one button adds NOT_A_KPI to the catalogue if it is the council's own"
    assert uploads_in(demo_db_path) == held and stored(demo_db_path) == before

    assert app.get("download_button")[1].label == "Download the error report (.xlsx)"
    content, mime = downloads["bad-errors.xlsx"]
    assert mime == XLSX_MIME
    rows = list(load_workbook(io.BytesIO(content), read_only=True)["Problems"].iter_rows(values_only=True))
    assert rows[0] == (*errors.columns, "Code"), "the report keeps a stable code last, for automation"
    assert [(r[0], r[1], r[-1]) for r in rows[1:]] == [("Data", "D2", "percentage_out_of_range"),
                                                       ("Data", "B3", "unknown_kpi"), ("Data", "D4", "not_a_number"),
                                                       ("Data", "C5", "future_period")]


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_error(app, demo_db_path):
    held = uploads_in(demo_db_path)
    open_upload(app, "october.xlsx", b"la_code,kpi,period,value\n,CLA_COUNT,2026-10,800\n")
    containing(app.error, "1 error in october.xlsx", unescaped=True)
    errors = unescape_cells(frame(app.table, "Cell", "Problem"))
    assert errors.iloc[0]["File"] == "october.xlsx" and errors.iloc[0]["How to fix"]
    assert uploads_in(demo_db_path) == held


def test_a_workbook_with_no_kpi_data_says_why_each_sheet_was_skipped(app, demo_db_path):
    held = uploads_in(demo_db_path)
    open_upload(app, "cover.xlsx", xlsx({"Cover": [["Anyshire monthly report"], ["Prepared by the BI team"]]}))
    sheets = frame(app.dataframe, "Sheet", "Read as")
    assert sheets.loc[0, "Read as"] == "skipped" and "no header row" in sheets.loc[0, "Note"]
    errors = unescape_cells(frame(app.table, "Cell", "Problem"))
    assert list(errors["Type"]) == ["Error: must be fixed", "Warning: please check"], "errors first, then warnings"
    assert "skipped Cover: no header row" in errors["Problem"][0] and "'Cover' was not read" in errors["Problem"][1]
    assert not app.button
    assert uploads_in(demo_db_path) == held


def test_the_same_file_loaded_twice_is_refused(app, demo_db_path):
    held = uploads_in(demo_db_path)
    new = last_upload(demo_db_path) + 1
    content = good_file(demo_db_path)
    open_upload(app, "october.xlsx", content)
    app.button(key="confirm_load").click().run()
    app.file_uploader[0].set_value(("october copy.xlsx", content, XLSX_MIME)).run()
    assert not app.exception
    containing(app.info, f"already loaded, exactly as it is, as upload {new}")
    assert not app.button and not app.dataframe
    assert uploads_in(demo_db_path) == held + [(new, "october.xlsx", "loaded", None)]


def test_history_lists_provenance_and_details(app, demo_db_path):
    held = uploads_in(demo_db_path)
    content = good_file(demo_db_path)
    upload_id = load_directly(demo_db_path, "october.xlsx", content)
    app.switch_page("views/upload_history.py").run()
    assert not app.exception

    history = frame(app.dataframe, "Upload", "SHA-256")
    newest = history.iloc[0]
    assert (newest["Upload"], newest["File"], newest["Uploaded by"], newest["Values"], newest["Status"]) == (
        upload_id, "october.xlsx", "analyst@anyshire.example", 3, "loaded")
    sha = hashlib.sha256(content).hexdigest()
    assert sha.startswith(newest["SHA-256"]) and len(newest["SHA-256"]) == 12
    assert newest["Uploaded at"][-6:-3].strip().isdigit(), "a readable date and time"
    assert list(history["Upload"]) == [upload_id] + [u[0] for u in reversed(held)], "every upload, newest first"

    assert app.selectbox(key="history_upload").value == upload_id
    details = containing(app.markdown, "**SHA-256:**").value
    assert sha in details and f"{len(content):,} bytes" in details
    contents = frame(app.dataframe, "KPI", "In use now")
    assert set(contents["KPI"]) == {"Assessments completed within 45 working days (ASSESS_45WD_PCT)",
                                    "Children looked after at period end (CLA_COUNT)",
                                    "Agency worker rate (SW_AGENCY_PCT)"}
    assert contents["In use now"].sum() == 3


def test_withdrawing_asks_for_confirmation_then_restores_the_previous_values(app, demo_db_path):
    before, _ = stored(demo_db_path)
    upload_id = load_directly(demo_db_path, "october.xlsx", good_file(demo_db_path))
    app.switch_page("views/upload_history.py").run()

    withdraw = app.button(key=f"withdraw_{upload_id}")
    assert withdraw.disabled, "nothing is withdrawn without the confirmation"
    app.checkbox(key=f"confirm_withdraw_{upload_id}").check().run()
    assert not app.button(key=f"withdraw_{upload_id}").disabled
    app.button(key=f"withdraw_{upload_id}").click().run()
    assert not app.exception

    containing(app.success, f"Upload {upload_id} (october.xlsx) withdrawn: 3 values removed", unescaped=True)
    assert stored(demo_db_path) == (before, 1)
    assert stored(demo_db_path, "SW_AGENCY_PCT", "2026-11") is None
    _, _, status, withdrawn_by = uploads_in(demo_db_path)[-1]
    assert status == "withdrawn" and getpass.getuser() in withdrawn_by
    history = frame(app.dataframe, "Upload", "SHA-256").iloc[0]
    assert history["Status"] == "withdrawn" and history["Withdrawn at"]
    assert not app.checkbox, "a withdrawn upload offers no second withdrawal"


def test_a_ticked_confirmation_does_not_carry_over_to_another_upload(app, demo_db_path):
    held = uploads_in(demo_db_path)
    first = load_directly(demo_db_path, "october.xlsx", good_file(demo_db_path))
    second = load_directly(demo_db_path, "correction.xlsx", xlsx({"Data": long_rows({(KPI, MONTH): 95.0})}))
    app.switch_page("views/upload_history.py").run()
    app.checkbox(key=f"confirm_withdraw_{second}").check().run()
    app.selectbox(key="history_upload").set_value(first).run()
    assert app.button(key=f"withdraw_{first}").disabled
    assert [u[2] for u in uploads_in(demo_db_path)] == [u[2] for u in held] + ["loaded", "loaded"]


def test_many_warnings_fold_into_an_expander(app):
    months = [f"2026-{m:02d}" for m in range(3, 11)]
    open_upload(app, "history.xlsx", xlsx({"Data": long_rows({(KPI, month): 90.0 for month in months})}))
    summary = containing(app.warning, "Please check 8 warnings before loading").value
    assert "…and 3 more" in summary
    assert summary.count("\n- ") == 5
    listed = containing(widget(app.expander, "All 8 warnings").markdown, "already has").value
    assert all(f"{month} already has" in listed for month in ("Mar 2026", "Oct 2026"))
    assert unescape(app.button(key="confirm_load").label) == "Load 8 values from history.xlsx"


def test_a_busy_database_gets_a_plain_message(app, demo_db_path, monkeypatch):
    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program. Try again in a moment.")

    monkeypatch.setattr(upload, "prepare_apart", busy)
    open_upload(app, "october.xlsx", good_file(demo_db_path))
    busy = containing(app.error, "in use by another program", unescaped=True)
    assert "has not been checked or loaded" in unescape(busy.value)
    assert not app.button


def test_a_long_error_list_scrolls_in_a_grid_with_every_error(app, demo_db_path):
    months = [f"20{y}-{m:02d}" for y in (21, 22, 23, 24, 25) for m in range(1, 13)]
    open_upload(app, "text.xlsx", xlsx({"Data": long_rows({("CLA_COUNT", month): "n/a" for month in months})}))
    containing(app.error, "60 errors in text.xlsx", unescaped=True)
    assert not app.table
    errors = frame(app.dataframe, "Cell", "Problem")
    assert len(errors) == 60 and list(errors["Cell"][:3]) == ["D2", "D3", "D4"]
    assert set(errors["Problem"]) == {"The value is text, not a number"}


def test_a_file_for_several_councils_previews_how_many_have_each_month(app):
    rows = long_rows({(KPI, MONTH): 90.0, ("CLA_COUNT", MONTH): 800}, la_code=DEMO_LA_CODE)
    rows += long_rows({(KPI, MONTH): 80.0}, la_code="E99000002")[1:]
    open_upload(app, "region.xlsx", xlsx({"Data": rows}))
    containing(app.caption, "covers 2 councils")
    preview = frame(app.dataframe, "KPI", MONTH).set_index("KPI")[MONTH].to_dict()
    assert preview == {"Children looked after at period end (CLA_COUNT)": 1,
                       "Assessments completed within 45 working days (ASSESS_45WD_PCT)": 2}


def test_targets_sheet_is_previewed_loaded_and_shown_on_the_targets_page(app, demo_db_path):
    new = last_upload(demo_db_path) + 1
    content = xlsx({"Data": long_rows({(KPI, MONTH): NEW_VALUE}),
                    "Targets": [["kpi", "kind", "value", "start", "source"],
                                ["CLA_RATE", "inspection", 68, "2026-12", "Ofsted ILACS action plan, Nov 2026"]]})
    open_upload(app, "october.xlsx", content)
    sheets = frame(app.dataframe, "Sheet", "Read as")
    assert ("Targets", "targets", 1) in [tuple(r) for r in sheets[["Sheet", "Read as", "Values recognised"]].values]
    preview = frame(app.dataframe, "Kind", "Source")
    assert preview[["Kind", "Value", "From", "Source"]].values.tolist() == [
        ["Inspection action-plan target", 68.0, "Dec 2026", "Ofsted ILACS action plan, Nov 2026"]]
    assert unescape(app.button(key="confirm_load").label) == "Load 1 value and 1 target from october.xlsx"
    app.button(key="confirm_load").click().run()
    containing(app.success, f"Loaded october.xlsx as upload {new}: 1 value and 1 target", unescaped=True)

    app.switch_page("views/targets.py").run()
    in_force = frame(app.dataframe, "Source", without=["Created by"])  # not the history, which keeps them all
    assert "Ofsted ILACS action plan, Nov 2026" in set(in_force["Source"])


def test_the_empty_template_is_refused_with_a_reason(app, downloads):
    app.switch_page("views/upload_file.py").run()
    template, _ = downloads["kpi_monthly_return_template.xlsx"]
    open_upload(app, "template.xlsx", template)
    containing(app.error, "1 error in template.xlsx: nothing has been loaded", unescaped=True)
    errors = unescape_cells(frame(app.table, "Cell", "Problem"))
    assert "No KPI data or targets were found in any sheet" in errors.to_string()
