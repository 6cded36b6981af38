"""A hostile file name and hostile plan words in a real browser: shown as the literal text, never as a link, an
image fetched from elsewhere or a tag."""
from __future__ import annotations

import re

from store.connection import open_store
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import open_page

HOSTILE = ("[click](http://evil.example/x) ![i](http://127.0.0.1:9/x.png) <b>x</b> www.evil.example "
           "pat@evil.example :red[alarm]")
NAME = f"{HOSTILE}.csv"


def shown(text: str) -> str:
    """What a reader sees and copies, less the invisible word joiners that keep addresses from becoming links."""
    return text.replace("\u2060", "")


def plant(db) -> int:
    """An upload whose name was stored as given (as before names were made safe), and a recommendation; the
    upload's number (the shipped national files were uploads before it)."""
    with open_store(db) as con:
        upload_id = con.execute(
            "INSERT INTO uploads (file_name, original_file_name, sha256, size_bytes, kind, uploaded_by, uploaded_at,"
            " rows_loaded, status) VALUES (?, ?, 'ab', 1, 'monthly', 'pat@evil.example', now(), 0, 'loaded')"
            " RETURNING upload_id", [NAME, NAME]).fetchone()[0]
        con.execute("UPDATE recommendation_versions SET text = ?, owner = ?", [HOSTILE, HOSTILE])
        con.execute("UPDATE recommendation_log SET text = ?", [HOSTILE])
    return upload_id


def nothing_rendered(page) -> None:
    assert page.locator('a[href*="evil"]:not([href^="#"])').count() == 0, "no link to the planted address"
    assert page.locator('a[href^="mailto:"]').count() == 0, "no mail link from an address in the text"
    assert page.locator('img[src*="x.png"], img[src*="127.0.0.1:9"]').count() == 0, "no image from elsewhere"
    assert page.locator('[data-testid="stMarkdownContainer"] b').count() == 0, "no tag from the text"


def test_a_hostile_file_name_and_plan_words_are_literal_text(browser, fresh_app_server):
    upload_id = plant(fresh_app_server["db"])
    context = browser.new_context(viewport={"width": 1440, "height": 2200})
    page = context.new_page()
    page.set_default_timeout(30_000)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    try:
        open_page(page, fresh_app_server["url"] + "/uploads", "Upload history")
        heading = page.get_by_role("heading", name=re.compile(rf"^Upload {upload_id}: "))
        heading.wait_for()
        assert shown(heading.inner_text()) == f"Upload {upload_id}: {NAME}"
        confirm = page.get_by_role("checkbox", name=re.compile(rf"^Yes, withdraw upload {upload_id}\b"))
        confirm.wait_for(state="attached")
        ticked = shown(page.locator('[data-testid="stCheckbox"]').inner_text())
        assert ticked == f"Yes, withdraw upload {upload_id} ({NAME})"
        words = shown(page.inner_text("main"))
        assert f"File name: {NAME}" in words
        assert "By: pat@evil.example" in words
        nothing_rendered(page)
        screenshot(page, "upload-history-hostile-name")

        open_page(page, fresh_app_server["url"] + "/plan", "Improvement plan")
        page.get_by_role("heading", name=re.compile(r"click")).first.wait_for()
        words = shown(page.inner_text("main"))
        assert f": {HOSTILE}" in words and f"Owner: {HOSTILE}" in words
        cells = [shown(cell) for cell in page.locator('[data-testid="stTable"] td').all_inner_texts()]
        assert HOSTILE in cells, "the plan table and the log show the words as they were typed"
        nothing_rendered(page)
        assert page.locator(".js-plotly-plot a").count() == 0, "no link in a chart's note"
    finally:
        context.close()
    assert not [url for url in asked if "evil.example" in url or "127.0.0.1:9/" in url], "nothing was fetched"
