"""A bookmarked page link opened before anyone has visited the dashboard, as a councillor's link from a board paper is."""
from __future__ import annotations

import pytest

from auth.roles import local_user
from tests.e2e.helpers import open_page
from ui.navigation import menu

# What the sidebar shows the demo's local user (who may do everything) once app.py has run.
NAVIGATION = menu(local_user())


@pytest.mark.parametrize("path, heading", [("/trend", "KPI trend"), ("/uploads", "Upload history")])
def test_a_deep_link_on_a_fresh_server_gets_the_dashboard_navigation(browser, fresh_app_server, path, heading):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_page(page, fresh_app_server["url"] + path, heading)
        links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        assert [link.split("\n")[-1].strip() for link in links] == NAVIGATION
        wide = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
        assert wide > 900, "the page fell back to Streamlit's narrow layout"
    finally:
        context.close()
