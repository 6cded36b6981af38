"""Every page in a real browser: visible text, a screenshot and an accessibility check."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import choose_kpi, open_page, serious_violations, wait_until_idle


def test_overview_shows_the_demo_scorecard(page, app_server):
    open_page(page, app_server["url"] + "/", "KPI overview")
    page.get_by_text("Synthetic demo data").wait_for()
    page.get_by_text("KPIs with a target").wait_for()
    for group in ("Front door", "Child protection", "Children in care", "Care leavers", "Workforce"):
        page.get_by_role("heading", name=group).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    assert page.get_by_text("Anyshire (demo)").count() > 0
    screenshot(page, "overview")
    assert serious_violations(page) == []


def test_trend_page_shows_target_and_england(page, app_server):
    open_page(page, app_server["url"] + "/trend", "KPI trend")
    choose_kpi(page, "Agency worker", "Agency worker rate")
    chart = page.locator('[data-testid="stPlotlyChart"]', has_text="Agency worker rate").last
    chart.wait_for()
    wait_until_idle(page)
    legend = chart.locator(".legendtext")
    assert {"Target", "England (annual)"} <= set(legend.all_text_contents())
    page.get_by_role("button", name="Download this data (CSV)").wait_for()
    screenshot(page, "trend")
    assert serious_violations(page) == []


def test_trend_page_spc_chart_shows_the_referral_spike(page, app_server):
    open_page(page, app_server["url"] + "/trend", "KPI trend")
    choose_kpi(page, "Referrals received", "Referrals received")
    page.get_by_text("SPC chart (Making Data Count)").click()
    wait_until_idle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    chart.wait_for()
    legend = set(chart.locator(".legendtext").all_text_contents())
    assert {"Upper process limit", "Special cause: unusually high"} <= legend
    assert chart.get_by_text("Spike in referrals").count() == 1
    page.get_by_text("Variation:").wait_for()
    screenshot(page, "trend-spc")
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path,heading,text",
    [
        ("/targets", "Targets and RAG rules", "Targets in force"),
        ("/benchmarks", "Benchmarks", "Rank"),
        ("/workforce", "Workforce", "Agency"),
    ],
)
def test_every_other_page_reads_and_passes_axe(page, app_server, path, heading, text):
    open_page(page, app_server["url"] + path, heading)
    page.get_by_text(text).first.wait_for()
    screenshot(page, path.strip("/"))
    assert serious_violations(page) == []
