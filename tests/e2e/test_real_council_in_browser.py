"""A real council on day one, in a real browser: a server started on a new store with a real council's code
loads the shipped national figures itself and every page shows the council's published position."""
from __future__ import annotations

import pytest

from tests.conftest import REAL_LA
from tests.e2e.conftest import running_app, screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_done, wait_until_idle


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    with running_app(None, tmp_path_factory.mktemp("real"), env={"DASHBOARD_LA": REAL_LA}) as server:
        yield server


@pytest.fixture
def real_page(browser, real_server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_a_new_store_for_a_real_council_shows_its_published_overview(real_page, real_server):
    open_page(real_page, real_server["url"] + "/", "KPI overview")
    real_page.get_by_text("Plymouth · figures up to Sep 2025").wait_for()
    real_page.get_by_text("Open Government Licence v3.0").wait_for()
    assert real_page.get_by_text("There is no data").count() == 0
    assert real_page.get_by_text("Synthetic demo data").count() == 0
    real_page.locator('[data-testid="stDataFrame"]').first.wait_for()
    screenshot(real_page, "real-overview")
    assert serious_violations(real_page) == []


@pytest.mark.parametrize("path,heading,text,shot", [
    ("/trend", "KPI trend", "published annual figures", "real-trend"),
    ("/benchmarks", "Benchmarks", "Rank", "real-benchmarks"),
    ("/workforce", "Workforce", "(30 Sep 2025)", "real-workforce"),
    ("/present", "Presentation", "(published)", "real-present"),
    ("/inspections", "Inspections", "Ofsted", "real-inspections"),
])
def test_every_page_shows_the_councils_published_figures(real_page, real_server, path, heading, text, shot):
    if path == "/present":  # the presentation opens on its agenda; the first KPI is the next slide
        real_page.goto(real_server["url"] + path)
        real_page.get_by_role("heading", name="agenda").wait_for()
        wait_until_done(real_page)
        real_page.keyboard.press("PageDown")
        wait_until_done(real_page)
    else:
        open_page(real_page, real_server["url"] + path, heading)
    real_page.get_by_text(text).first.wait_for()
    wait_until_idle(real_page)
    for empty in ("no data for", "nothing to compare", "no values for"):
        assert real_page.get_by_text(empty).count() == 0
    screenshot(real_page, shot)
    assert serious_violations(real_page) == []
