"""A typo that looks valid, uploaded in a browser: held for a second look with the KPI, month and usual range named,
loaded only once ticked as checked, and the check kept with the upload."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_idle
from tests.fixtures import long_rows, xlsx

TALL = {"width": 1440, "height": 2200}


@pytest.fixture
def own_page(browser, fresh_app_server):
    """A tall page on a server of its own: the November values this test loads must not show on other tests'
    overview."""
    context = browser.new_context(viewport=TALL)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_a_ten_times_typo_is_held_until_ticked_as_checked(own_page, fresh_app_server, tmp_path):
    page = own_page
    typo = tmp_path / "november-return.xlsx"
    typo.write_bytes(xlsx({"Data": long_rows({("CONTACTS", "2026-11"): 27310, ("CLA_COUNT", "2026-11"): 812,
                                              ("ASSESS_45WD_PCT", "2026-11"): 88.1})}))
    open_page(page, fresh_app_server["url"] + "/upload", "Upload monthly data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(typo))
    wait_until_idle(page)

    page.get_by_role("heading", name="Values to check before loading").wait_for()
    page.get_by_text("1 value in november-return.xlsx may be wrong").wait_for()
    page.get_by_text("did you mean 2,731?").first.wait_for(state="attached")  # a cell of the grid
    load = page.get_by_role("button", name="Load 3 values from november-return.xlsx")
    load.wait_for()
    assert load.is_disabled(), "nothing loads before the value is ticked as checked"
    wait_until_idle(page)
    screenshot(page, "upload-values-to-check")
    page.screenshot(path=str(ROOT / "docs" / "upload-values-to-check.png"))
    assert serious_violations(page) == []

    page.get_by_text("I have checked Contacts received, Nov 2026").click()
    expect(load).to_be_enabled()  # waits for the rerun, however slowly it starts
    load.click()
    success = page.get_by_text(re.compile(r"Loaded november-return\.xlsx as upload \d+"))
    success.wait_for()
    upload_id = int(re.search(r"as upload (\d+)", success.inner_text()).group(1))
    with open_store(fresh_app_server["db"]) as con:
        value = con.execute("SELECT value FROM observations WHERE is_current AND la_code = ? AND kpi_code = 'CONTACTS'"
                            " AND period = DATE '2026-11-01'", [DEMO_LA_CODE]).fetchone()[0]
        acknowledged, lines = con.execute("SELECT warnings_acknowledged, acknowledged_warnings FROM uploads"
                                          " WHERE upload_id = ?", [upload_id]).fetchone()
    assert value == 27310 and acknowledged == 1 and "Contacts received, Nov 2026" in lines

    open_page(page, fresh_app_server["url"] + "/uploads", "Upload history")
    page.get_by_role("heading", name=f"Upload {upload_id}: november-return.xlsx").wait_for()
    page.get_by_text("loaded with 1 plausibility warning acknowledged").wait_for()
    page.get_by_text("The 1 warning acknowledged").click()
    page.locator('[data-testid="stExpander"]').get_by_text("Contacts received, Nov 2026").wait_for()
    page.wait_for_timeout(500)  # the expander's opening animation
    page.screenshot(path=str(ROOT / "docs" / "upload-history.png"))
    assert serious_violations(page) == []
