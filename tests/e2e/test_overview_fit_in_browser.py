"""The Overview on a laptop and a tablet, as an assistant director reads it: no table scrolls sideways at 1366 px, a
row opens its KPI's trend for the same month, a copied address opens the same view elsewhere, and at 768 px the
scorecard is a list of cards."""
from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import choose_kpi, open_page, serious_violations, wait_until_idle

ASSESSMENTS = "Assessments completed within 45 working days"
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
HEADER = 35
"""The height of a table's row of column names, in pixels."""


@contextmanager
def opened(browser, size: dict[str, int]):
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def visible_tables(page):
    return [table for table in page.locator('[data-testid="stDataFrame"]').all() if table.is_visible()]


def scroll_widths(page) -> list[tuple[int, int]]:
    """Each visible table's scrolling area: how wide its content is, and how wide the area it scrolls in."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .filter(table => table.offsetParent !== null)
        .map(table => { const area = table.querySelector('.dvn-scroller'); return [area.scrollWidth, area.clientWidth]; })""")


def cell(page, words: str):
    """A table cell saying exactly `words`, in the copy of the table that the grid keeps for screen readers (inside
    its canvas, which Playwright's roles do not reach)."""
    return page.locator('[role="gridcell"]').filter(has_text=re.compile(f"^{re.escape(words)}$"))


def choose_row(page, kpi_name: str) -> None:
    """Click the box at the start of the KPI's row, as a user choosing it does."""
    table = page.locator('[data-testid="stDataFrame"]', has=cell(page, kpi_name))
    table.evaluate("table => table.scrollIntoView({block: 'center'})")
    rows = table.locator('[role="row"]').all_text_contents()[1:]  # after the row of column names
    index = next(i for i, row in enumerate(rows) if row.startswith(kpi_name))
    box = table.bounding_box()
    height = (box["height"] - HEADER - 2) / len(rows)
    page.mouse.click(box["x"] + 16, box["y"] + HEADER + height * (index + 0.5))


def show_the_scorecard(page) -> None:
    """Scroll the first group of KPIs to the top of the screen, for a screenshot of the scorecard itself."""
    page.get_by_role("heading", name="Front door").evaluate("heading => heading.scrollIntoView()")
    page.wait_for_timeout(500)


def test_at_1366_px_no_overview_table_scrolls_sideways(browser, app_server):
    with opened(browser, LAPTOP) as page:
        open_page(page, app_server["url"] + "/", "KPI overview")
        cell(page, ASSESSMENTS).wait_for(state="attached")
        assert len(visible_tables(page)) == 6
        widths = scroll_widths(page)
        assert len(widths) == 6 and all(content <= area for content, area in widths), widths
        assert not page.get_by_role("link", name=ASSESSMENTS).is_visible()  # the list view is for narrow screens
        # Each grid writes its column names for screen readers once it has drawn; on a loaded machine the lower
        # tables may still be drawing when the first are measured.
        page.wait_for_function("""() => [...document.querySelectorAll('[role="columnheader"]')]
            .filter(h => h.textContent === 'Neighbours').length === 6""", timeout=30_000)
        headings = page.locator('[role="columnheader"]').all_text_contents()
        assert headings.count("SPC") == headings.count("Last 12") == headings.count("Neighbours") == 6
        show_the_scorecard(page)
        screenshot(page, "overview-1366")
        assert serious_violations(page) == []


def test_an_overview_row_opens_its_kpis_trend_for_the_same_month(browser, app_server):
    with opened(browser, LAPTOP) as page:
        open_page(page, app_server["url"] + "/?month=2026-08", "KPI overview")
        page.get_by_text("figures up to Aug 2026").wait_for()
        choose_row(page, ASSESSMENTS)
        page.get_by_role("heading", name="KPI trend").wait_for()
        wait_until_idle(page)
        assert page.get_by_role("combobox", name="KPI").input_value() == f"{ASSESSMENTS}"
        assert page.get_by_role("combobox", name="Month").input_value() == "Aug 2026"
        assert parse_qs(urlparse(page.url).query) == {"la": ["E99000001"], "month": ["2026-08"],
                                                      "kpi": ["ASSESS_45WD_PCT"]}
        page.go_back()
        page.get_by_role("heading", name="KPI overview").wait_for()


def test_a_copied_address_opens_the_same_view_in_a_new_browser(browser, app_server):
    with opened(browser, LAPTOP) as page:
        open_page(page, app_server["url"] + "/trend", "KPI trend")
        page.get_by_role("combobox", name="Month").click()
        page.keyboard.type("Jul 2026")  # the list holds ten years of months: typed, the one wanted is in view
        page.get_by_role("option", name="Jul 2026").click()
        wait_until_idle(page)
        choose_kpi(page, "Agency worker", "Agency worker rate")
        page.get_by_text("SPC chart (Making Data Count)").click()
        wait_until_idle(page)
        page.get_by_text("Variation:").wait_for()
        copied = page.url
    assert parse_qs(urlparse(copied).query) == {"la": ["E99000001"], "month": ["2026-07"], "kpi": ["SW_AGENCY_PCT"],
                                                "view": ["spc"]}
    with opened(browser, LAPTOP) as colleague:
        open_page(colleague, copied, "KPI trend")
        assert colleague.get_by_role("combobox", name="KPI").input_value() == "Agency worker rate"
        assert colleague.get_by_role("combobox", name="Month").input_value() == "Jul 2026"
        assert colleague.get_by_role("radio", name="SPC chart (Making Data Count)").is_checked()
        colleague.get_by_text("Variation:").wait_for()
        assert colleague.url == copied


def test_at_768_px_the_overview_is_a_readable_list(browser, app_server):
    with opened(browser, TABLET) as page:
        open_page(page, app_server["url"] + "/", "KPI overview")
        card = page.get_by_role("link", name=ASSESSMENTS)
        card.wait_for()
        assert visible_tables(page) == []
        assert page.evaluate("() => document.querySelector('.stMain').scrollWidth <= innerWidth")
        assert len([link for link in page.locator('[data-testid="stPageLink"] a').all() if link.is_visible()]) == 34
        words = page.locator('[data-testid="stVerticalBlock"]', has=card).last.inner_text()
        for said in ("86.7%", "■ Off target", "against 90.0%, 3.3 points below", "England 85.7%",
                     "SPC: + Special cause: improvement", "Consistently misses target"):
            assert said in words.replace("\u00a0", " "), (said, words)
        sizes = page.evaluate("() => [...document.querySelectorAll('.kpi-card p')]"
                              ".map(line => parseFloat(getComputedStyle(line).fontSize))")
        assert min(sizes) >= 14
        assert page.locator(".kpi-card img.kpi-sparkline").count() >= 30
        show_the_scorecard(page)
        screenshot(page, "overview-768")
        assert serious_violations(page) == []
        card.click()
        page.get_by_role("heading", name="KPI trend").wait_for()
        wait_until_idle(page)
        assert page.get_by_role("combobox", name="KPI").input_value() == f"{ASSESSMENTS}"
