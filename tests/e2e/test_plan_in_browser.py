"""The Improvement plan and Inspections pages in a real browser: the overdue item, a progress note, axe."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_idle


def test_a_progress_note_added_to_a_recommendation_shows_in_its_log(page, app_server):
    open_page(page, app_server["url"] + "/plan", "Improvement plan")
    table = page.locator('[data-testid="stTable"]').first
    first_row = table.locator("tbody tr").first
    assert first_row.locator("td").first.inner_text().strip() == "R4"
    assert "Overdue by" in first_row.inner_text() and "Red: overdue" in first_row.inner_text()

    page.get_by_role("combobox", name="Recommendation").click()
    page.keyboard.type("R9:")
    page.get_by_role("option", name=re.compile(r"^R9: Increase the proportion of care leavers")).click()
    wait_until_idle(page)
    page.get_by_role("heading", name=re.compile(r"^R9: Increase the proportion")).wait_for()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.first.get_by_text("Due: R9").wait_for()
    wait_until_idle(page)

    note = "Twelve care leavers started apprenticeships this autumn."
    box = page.get_by_role("textbox", name="Note")
    box.click()
    page.keyboard.type(note)  # typed as a user does: a programmatic fill is not committed by Streamlit's form
    expect(box).to_have_value(note)
    page.get_by_role("button", name="Add to the log").click()
    wait_until_idle(page)
    page.get_by_text("Progress note added to R9's log").wait_for()
    log = page.locator('[data-testid="stTable"]', has_text="Entry")
    log.get_by_text(note).wait_for()
    assert log.locator("tbody tr").first.inner_text().count(note) == 1  # newest first
    charts.first.get_by_text("Due: R9").wait_for()  # redrawn after the rerun, with the due date marked
    wait_until_idle(page)  # the linked KPIs' outlooks below take longest
    screenshot(page, "plan")
    assert serious_violations(page) == []


def test_the_inspections_page_reads_and_passes_axe(page, app_server):
    open_page(page, app_server["url"] + "/inspections", "Inspections")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for()
    assert chart.get_by_text("Standard ILACS inspection, 12 Feb 2024").count() == 1
    assert page.locator('[data-testid="stTable"]').get_by_text("Requires improvement to be good").count() >= 4
    screenshot(page, "inspections")
    assert serious_violations(page) == []
