"""A realistic return in a browser: statutory KPIs, a local measure the catalogue does not know and assessments by
team. The analyst adds the measure on the Upload page, loads the file in the confirmed step, and the KPI trend page
shows both the local measure and the team that caused the fall."""
from __future__ import annotations

import re

import pytest

from store.connection import open_store
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import choose_kpi, open_page, serious_violations, wait_until_idle
from tests.fixtures import team_return, xlsx

TALL = {"width": 1440, "height": 2400}


@pytest.fixture
def own_page(browser, fresh_app_server):
    """A server of its own: the local KPI and teams this test adds must not show in other tests."""
    context = browser.new_context(viewport=TALL)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_a_local_measure_and_teams_load_in_one_confirmed_step_and_show_on_the_trend(own_page, fresh_app_server,
                                                                                    tmp_path):
    page = own_page
    rows = team_return()
    rows += [["Case audits graded good or better", period, None, 55.0 + i]
             for i, period in enumerate(["2026-08", "2026-09", "2026-10"])]
    path = tmp_path / "october-return.xlsx"
    path.write_bytes(xlsx({"Data": rows}))
    open_page(page, fresh_app_server["url"] + "/upload", "Upload monthly data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_until_idle(page)

    page.get_by_role("heading", name="Measures the catalogue does not know").wait_for()
    page.get_by_role("combobox", name="Better when").click()
    page.get_by_role("option", name="higher is better").click()
    page.get_by_label("Group on the Overview").fill("Quality assurance")
    page.get_by_role("button", name="Add 1 local KPI and check the file again").click()
    wait_until_idle(page)
    page.get_by_text("Added 1 local KPI").wait_for()
    load = page.get_by_role("button", name=re.compile(r"Load 15 values and 96 team values from october-return"))
    load.wait_for()
    assert serious_violations(page) == []
    with open_store(fresh_app_server["db"]) as con:
        assert con.execute("SELECT origin FROM kpis WHERE code = 'CASE_AUDITS_GRADED_GOOD_OR_BETTER'").fetchone() \
            == ("local",)
        assert con.execute("SELECT count(*) FROM breakdown_values").fetchone()[0] == 0, "nothing before Load"
    load.click()
    page.get_by_text(re.compile(r"Loaded october-return\.xlsx as upload \d+")).wait_for()

    open_page(page, fresh_app_server["url"] + "/trend", "KPI trend")
    choose_kpi(page, "Case audits", "Case audits graded good or better (local)")
    page.get_by_text("Case audits graded good or better (local): Anyshire (demo)").first.wait_for()
    choose_kpi(page, "Assessments completed", "Assessments completed within 45 working days")
    page.get_by_text("Assessments completed within 45 working days by team: Anyshire (demo)").first.wait_for()
    east = page.locator('[data-testid="stDataFrame"]').filter(has_text="Whole council").first
    east.wait_for()
    page.get_by_text("Each team in Oct 2026 against its own target where it has one").wait_for()
    wait_until_idle(page)
    page.screenshot(path=str(ROOT / "docs" / "trend-by-team.png"))
    assert serious_violations(page) == []
