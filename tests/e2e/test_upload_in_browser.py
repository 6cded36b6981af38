"""The monthly upload as an analyst does it in a browser: refuse a bad file, load a good one, see it, withdraw it."""
from __future__ import annotations

import re

from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_idle
from tests.fixtures import long_rows, xlsx

KPI_NAME = "Assessments completed within 45 working days"
TALL = {"width": 1440, "height": 2000}


def stored_value(db) -> float:
    with open_store(db) as con:
        return con.execute(
            "SELECT value FROM observations WHERE is_current AND la_code = ? AND kpi_code = 'ASSESS_45WD_PCT'"
            " AND period = DATE '2026-10-01'", [DEMO_LA_CODE]).fetchone()[0]


def upload(page, app_server, path) -> None:
    open_page(page, app_server["url"] + "/upload", "Upload monthly data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_until_idle(page)


def overview_latest(page, app_server) -> str:
    """The Latest cell of the KPI's row on the overview, read from the grid's (visually hidden) accessible table."""
    open_page(page, app_server["url"] + "/", "KPI overview")
    row = page.locator('[role="row"]', has_text=KPI_NAME).first
    row.wait_for(state="attached")
    return row.locator('[role="gridcell"]').nth(1).text_content()


def test_load_see_on_overview_then_withdraw_restores_the_previous_value(page, app_server, tmp_path):
    before = stored_value(app_server["db"])
    good = tmp_path / "october-return.xlsx"
    good.write_bytes(xlsx({"Data": long_rows({("ASSESS_45WD_PCT", "2026-10"): 97.3, ("CLA_COUNT", "2026-10"): 812,
                                              ("SW_AGENCY_PCT", "2026-10"): 13.1})}))
    assert before != 97.3
    page.set_viewport_size(TALL)
    assert overview_latest(page, app_server) == f"{before:.1f}%"

    upload(page, app_server, good)
    page.get_by_role("heading", name="Preview").wait_for()
    page.get_by_text("will change.").wait_for()
    load = page.get_by_role("button", name="Load 3 values from october-return.xlsx")
    load.wait_for()
    wait_until_idle(page)
    screenshot(page, "upload-preview")
    assert serious_violations(page) == []
    load.click()
    success = page.get_by_text(re.compile(r"Loaded october-return\.xlsx as upload \d+"))
    success.wait_for()
    upload_id = re.search(r"as upload (\d+)", success.inner_text()).group(1)
    assert stored_value(app_server["db"]) == 97.3

    assert overview_latest(page, app_server) == "97.3%"

    open_page(page, app_server["url"] + "/uploads", "Upload history")
    page.get_by_role("heading", name=f"Upload {upload_id}: october-return.xlsx").wait_for()
    withdraw = page.get_by_role("button", name="Withdraw upload")
    assert withdraw.is_disabled()
    page.get_by_text(f"Yes, withdraw upload {upload_id}").click()
    wait_until_idle(page)
    screenshot(page, "upload-history")
    assert serious_violations(page) == []
    withdraw.click()
    page.get_by_text(f"Upload {upload_id} (october-return.xlsx) withdrawn").wait_for()
    wait_until_idle(page)
    screenshot(page, "upload-history-withdrawn")
    assert stored_value(app_server["db"]) == before

    assert overview_latest(page, app_server) == f"{before:.1f}%"


def test_a_bad_file_shows_every_error_and_the_page_is_accessible(page, app_server, tmp_path):
    bad = tmp_path / "october-bad.xlsx"
    bad.write_bytes(xlsx({"Data": long_rows({("ASSESS_45WD_PCT", "2026-10"): 0.973, ("CLA_COUNT", "2026-10"): "lots",
                                             ("Not a KPI", "2026-10"): 3, ("SW_AGENCY_PCT", "Octember"): 12})}))
    page.set_viewport_size(TALL)
    upload(page, app_server, bad)
    page.get_by_text("nothing has been loaded").wait_for()
    errors = page.locator('[data-testid="stTable"]')
    for cell in ("D2", "D3", "B4", "C5"):
        errors.get_by_role("cell", name=cell, exact=True).wait_for()
    errors.get_by_text("they look like fractions").wait_for()
    page.get_by_role("button", name="Download the error report (.xlsx)").wait_for()
    assert page.get_by_role("button", name=re.compile("^Load ")).count() == 0
    screenshot(page, "upload-errors")
    assert serious_violations(page) == []


def test_a_five_kilobyte_file_with_a_far_cell_is_refused_and_the_server_lives_on(page, app_server, tmp_path):
    """Before the reader ran in a capped child process, this file aborted the server: every session was lost."""
    from tests.test_hostile_files import far_cell_workbook

    hostile = tmp_path / "october-far-cell.xlsx"
    hostile.write_bytes(far_cell_workbook("XFD1048576"))
    page.set_viewport_size(TALL)
    upload(page, app_server, hostile)
    page.get_by_text("stretches from A1 to XFD1048576").wait_for()
    page.get_by_text("nothing has been loaded").wait_for()
    assert page.get_by_role("button", name=re.compile("^Load ")).count() == 0
    screenshot(page, "upload-far-cell-refused")
    assert app_server["process"].poll() is None, "the dashboard's server is still running"
    open_page(page, app_server["url"] + "/", "KPI overview")  # the same server answers the next page
