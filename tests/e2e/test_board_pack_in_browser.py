"""The board pack as a user makes it in the browser: one click, a real .pptx download with every chart drawn
by kaleido; the presentation view driven from the keyboard; the trend chart as a PNG."""
from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_idle


def test_board_pack_downloads_a_deck_that_opens(page, app_server):
    open_page(page, app_server["url"] + "/board-pack", "Board pack")
    page.get_by_text("Scorecard (1 of 2)").wait_for()
    page.get_by_text("6 things to check before the pack goes out").wait_for()
    assert page.get_by_role("button", name="Make the pack").is_disabled()
    wait_until_idle(page)
    screenshot(page, "board-pack-preflight")
    page.get_by_role("button", name="Acknowledge all").click()
    page.get_by_role("button", name="Make the pack").click()
    download_button = page.get_by_role("button", name="Download the slides (.pptx)")
    download_button.wait_for(timeout=120_000)
    page.get_by_role("img", name="Line chart: Children looked after at period end.", exact=False).wait_for()
    wait_until_idle(page)
    screenshot(page, "board-pack")
    assert serious_violations(page) == []
    with page.expect_download(timeout=60_000) as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == "E99000001_Corporate_parenting_board_2026-10_internal.pptx"
    deck = Presentation(io.BytesIO(open(download.path(), "rb").read()))
    assert len(deck.slides) == 16 and deck.slides[-1].shapes.title.text == "Improvement plan"
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 12
    assert all(Image.open(io.BytesIO(p.image.blob)).format == "PNG" for p in pictures)


def test_trend_chart_downloads_as_png(page, app_server):
    open_page(page, app_server["url"] + "/trend", "KPI trend")
    button = page.get_by_role("button", name="Download this chart (PNG)")
    button.wait_for()
    with page.expect_download(timeout=60_000) as info:
        button.click()
    image = Image.open(info.value.path())
    assert image.format == "PNG" and image.size[0] >= 1000
