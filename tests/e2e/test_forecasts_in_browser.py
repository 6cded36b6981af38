"""Will we hit it, in a browser: the KPI trend draws the forecast as shaded ranges named as a forecast and says the
outlook in words; the Overview lists each KPI's outlook on request; the Demand ahead page answers how many social
workers the caseload forecast needs."""
from __future__ import annotations

from tests.e2e.helpers import choose_kpi, open_page, serious_violations, wait_until_idle


def test_the_trend_overview_and_demand_pages_show_the_forecasts(page, app_server):
    open_page(page, app_server["url"] + "/trend", "KPI trend")
    choose_kpi(page, "Agency worker", "Agency worker rate")
    page.locator("p", has_text="Will we hit it? Agency worker rate meets its target of 15.0% now").wait_for()
    legend = page.locator(".legend").first
    assert "Forecast: 80% range" in legend.text_content() and "Forecast (central)" in legend.text_content()
    wait_until_idle(page)
    assert serious_violations(page) == []

    open_page(page, app_server["url"] + "/", "KPI overview")
    page.get_by_text("Will we hit it? Forecast each KPI with a target").click()
    page.get_by_text("Furthest from the target first").wait_for(timeout=60_000)
    wait_until_idle(page)
    assert serious_violations(page) == []

    open_page(page, app_server["url"] + "/demand", "Demand ahead")
    page.get_by_text("At the target caseload of 17, the cases forecast for").wait_for(timeout=60_000)
    page.get_by_text("This assumes the share of social workers who hold cases stays as it is now.").wait_for()
    wait_until_idle(page)
    assert serious_violations(page) == []
