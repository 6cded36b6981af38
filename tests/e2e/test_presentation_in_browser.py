"""The Presentation as an assistant director gives it on a committee-room projector (1366x768) and a meeting-room
screen (1920x1080): the slide alone, no scrolling, type readable from the back, every KPI reached by the clicker's
PageDown and by the slide list, and the keys still working after a jump."""
from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from auth.roles import Actor
from records.kpi_edits import add_commentary
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.e2e.conftest import ROOT, running_app, screenshot
from tests.e2e.helpers import serious_violations, wait_until_done

PROJECTOR, SCREEN = {"width": 1366, "height": 768}, {"width": 1920, "height": 1080}
NAMES = pd.read_csv(ROOT / "data" / "kpi_catalogue.csv")["name"].tolist()
SUITABLE = "Care leavers aged 19-21 in suitable accommodation"
COMMENTARY = ("Four young people left supported lodgings when a provider closed in September. Two are now in suitable "
              "accommodation and two have tenancy offers from the housing service for November. The leaving care "
              "team reviews every placement weekly with housing, and we expect the figure back above 90% by "
              "December, when the new supported lodgings contract starts.")
"""Commentary as long as a real month's, so the tests see that a slide with it still fits the screen."""


@pytest.fixture(scope="module")
def present_server(demo_db_template, tmp_path_factory):
    """A server of its own, whose store has a month's commentary on one KPI."""
    folder = tmp_path_factory.mktemp("present")
    template = folder / "template.duckdb"
    shutil.copy(demo_db_template, template)
    with open_store(template) as con:
        add_commentary(con, DEMO_LA_CODE, "CL_SUITABLE_ACCOM_PCT", date(2026, 10, 1), COMMENTARY,
                       Actor("ad@anyshire.example", "analyst"))
    with running_app(template, folder) as server:
        yield server


def presentation(browser, server, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(120_000)  # gathering all 34 KPIs on a busy machine
    page.goto(server["url"] + "/present")
    page.get_by_role("heading", name="agenda").wait_for()
    wait_until_done(page)
    return context, page


def title(page) -> str:
    return page.locator(".st-key-present_slide h2").inner_text()


def press(page, key: str, expected: str) -> None:
    page.keyboard.press(key)
    page.locator(".st-key-present_slide h2", has_text=expected).wait_for()
    wait_until_done(page)
    assert title(page) == expected


def choose_all_kpis(page) -> None:
    page.get_by_role("button", name="Options").click()
    page.get_by_text("All KPIs").click()
    page.get_by_text(f"{len(NAMES)} KPIs, then the improvement plan").wait_for()
    page.keyboard.press("Escape")
    wait_until_done(page)


def overflow(page) -> dict:
    """How far the page could scroll, for the document and for Streamlit's own scrolling container, how far the
    slide's words run past its box, and what the page holds, to say why when it does not fit."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const slide = document.querySelector('.st-key-present_slide');
        const words = Array.from(slide.querySelectorAll('p, li, h2')).map(e => e.getBoundingClientRect().bottom);
        const root = document.querySelector('[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"]');
        return {document: document.scrollingElement.scrollHeight - window.innerHeight,
                main: main.scrollHeight - main.clientHeight,
                slide: slide.scrollHeight - slide.clientHeight,
                words: Math.ceil(Math.max(...words) - window.innerHeight),
                holds: Array.from(root.children).map(e => e.innerText.slice(0, 40) + ' ' +
                                                         Math.round(e.getBoundingClientRect().height)).join(' | ')};
    }""")


def assert_fits(page) -> None:
    """Nothing to scroll and every word on the screen, once the page has settled after the slide changed."""
    for _ in range(10):
        found = overflow(page)
        if max(found["document"], found["main"], found["slide"], found["words"]) <= 0:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"{title(page)!r} does not fit the screen: {found}")


def font_px(page, selector: str) -> float:
    return page.evaluate("(s) => Math.min(...Array.from(document.querySelectorAll(s)).map("
                         "e => parseFloat(getComputedStyle(e).fontSize)))", selector)


@pytest.mark.parametrize("viewport", [PROJECTOR, SCREEN], ids=["1366x768", "1920x1080"])
def test_the_presentation_is_the_slide_alone_in_type_read_from_the_back(browser, present_server, viewport):
    context, page = presentation(browser, present_server, viewport)
    try:
        for chrome in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]'):
            assert not page.locator(chrome).is_visible(), chrome
        assert page.get_by_text("Anyshire and its neighbours are fictional").count() == 0, "no demo banner"
        marking = page.locator(".st-key-present_marking")
        assert marking.inner_text() == "OFFICIAL-SENSITIVE · Synthetic demo data · Anyshire (demo) · Oct 2026"
        assert marking.bounding_box()["height"] < 40, "the marking takes one line"
        assert_fits(page)
        page.get_by_role("combobox", name="Slide").click()
        page.get_by_role("option", name="5. Long-term placement stability").click()
        page.get_by_role("heading", name="Long-term placement stability").wait_for()
        wait_until_done(page)
        page.locator(".js-plotly-plot").wait_for()
        assert_fits(page)
        assert font_px(page, ".st-key-present_slide h2") >= 32
        assert font_px(page, ".st-key-present_value p") >= 28
        for words in ("Target:", "70.0%", "Within tolerance", "1.5 points below", "Better than 68.1% in Oct 2025"):
            shown = page.locator(".st-key-present_body").get_by_text(words).first
            assert shown.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 28, words
        chart = page.locator(".js-plotly-plot").bounding_box()
        assert chart["height"] >= 0.45 * viewport["height"], "the chart takes the height the slide leaves it"
        name = f"presentation-{viewport['width']}x{viewport['height']}"
        page.screenshot(path=str(ROOT / "docs" / f"{name}.png"))
        screenshot(page, name)
        assert serious_violations(page) == []
    finally:
        context.close()


def test_every_kpi_is_reached_by_the_clickers_pagedown_and_fits_a_projector(browser, present_server):
    context, page = presentation(browser, present_server, PROJECTOR)
    try:
        choose_all_kpis(page)
        assert_fits(page)
        for name in NAMES:
            press(page, "PageDown", name)
            assert_fits(page)
        press(page, "PageDown", "Improvement plan")
        assert_fits(page)
        press(page, "PageDown", "All KPIs: agenda")
        press(page, "PageUp", "Improvement plan")
    finally:
        context.close()


def test_every_kpi_is_reached_from_the_slide_list_and_fits_a_large_screen(browser, present_server):
    context, page = presentation(browser, present_server, SCREEN)
    try:
        choose_all_kpis(page)
        for number, name in enumerate(NAMES, start=1):
            page.get_by_role("combobox", name="Slide").click()
            page.keyboard.type(name)
            page.get_by_role("option", name=f"{number}. {name}", exact=True).click()
            page.locator(".st-key-present_slide h2", has_text=name).wait_for()
            wait_until_done(page)
            assert title(page) == name
            assert_fits(page)
    finally:
        context.close()


def test_the_keys_move_on_after_a_jump_from_the_list(browser, present_server):
    context, page = presentation(browser, present_server, PROJECTOR)
    try:
        page.get_by_role("combobox", name="Slide").click()
        page.get_by_role("option", name=f"10. {SUITABLE}").click()
        page.get_by_role("heading", name=SUITABLE).wait_for()
        wait_until_done(page)
        page.get_by_text("Four young people left supported lodgings").wait_for()
        assert_fits(page)
        press(page, "ArrowRight", "Care leavers aged 19-21 in education employment or training")
        press(page, "ArrowLeft", SUITABLE)
        press(page, "Space", "Care leavers aged 19-21 in education employment or training")
        press(page, "PageUp", SUITABLE)
        page.get_by_role("button", name="Next").click()
        page.get_by_role("heading", name="education employment").wait_for()
        wait_until_done(page)
        press(page, "Space", "Care leavers in bed and breakfast accommodation")  # once, with the button focused
    finally:
        context.close()


def test_a_public_meeting_shows_c_and_says_why_on_a_slide_that_still_fits(browser, present_server):
    context, page = presentation(browser, present_server, PROJECTOR)
    try:
        page.get_by_role("button", name="Options").click()
        page.get_by_text("Public meeting: show counts of 1 to 5 as c").click()
        page.locator(".st-key-present_marking", has_text="OFFICIAL ·").wait_for()
        page.keyboard.press("Escape")
        wait_until_done(page)
        press(page, "PageUp", "Improvement plan")
        press(page, "PageUp", "Care leavers in bed and breakfast accommodation")
        assert page.locator(".st-key-present_value").inner_text() == "c"
        page.get_by_text("c = suppressed").wait_for()
        page.locator(".js-plotly-plot").wait_for()
        assert_fits(page)
        screenshot(page, "presentation-public")
    finally:
        context.close()
