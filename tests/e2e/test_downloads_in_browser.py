"""A download in the real page, signed in behind a proxy (DASHBOARD_AUTH=header): before the click nothing the
browser was sent names a /media/ URL for the file; the click downloads it and writes one export entry; and a second
client with no session, given the URL the click used, gets 404 once the browser has had it."""
from __future__ import annotations

import csv
import io
import re
import time
import urllib.error
import urllib.request

from auth import audit, users
from auth.roles import operator
from store.connection import open_store
from tests.actors import ADMIN
from tests.e2e.conftest import running_app
from tests.e2e.helpers import open_page
from ui.exports import FORGET_AFTER_SECONDS

VIEWER = "viewer@council.example"
MEDIA = re.compile(rb"/media/[0-9a-f]+")


def exports_in(db) -> list[str]:
    with open_store(db) as con:
        return audit.entries(con, ADMIN, actions=["export"])["actor"].tolist()


def status_of(url: str) -> int:
    """What a client with no sign-in and no session gets for the URL."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_download_is_made_on_the_click_audited_once_and_never_served_to_a_stranger(browser, demo_db_template,
                                                                                        tmp_path):
    with running_app(demo_db_template, tmp_path, env={"DASHBOARD_AUTH": "header"}) as server:
        with open_store(server["db"]) as con:
            users.set_role(con, VIEWER, "viewer", "", operator("setup"))
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                      extra_http_headers={"X-Forwarded-Email": VIEWER})
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            frames: list[bytes] = []
            page.on("websocket", lambda ws: ws.on(
                "framereceived", lambda payload: frames.append(payload if isinstance(payload, bytes)
                                                               else payload.encode())))
            open_page(page, server["url"] + "/trend", "KPI trend")
            button = page.get_by_role("button", name="Download this data (CSV)")
            button.wait_for()
            sent_before = b"".join(frames) + page.content().encode()
            assert frames, "the page's deltas were captured"
            assert MEDIA.findall(sent_before) == [], "no /media/ URL reaches the browser before a click"
            assert exports_in(server["db"]) == []

            with page.expect_download(timeout=60_000) as info:
                button.click()
            download = info.value
            assert download.suggested_filename.endswith(".csv")
            rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
            assert rows[0][:2] == ["Month", "Value"] and len(rows) > 12
            assert exports_in(server["db"]) == [VIEWER], "one click, one export entry, under the viewer's email"

            url = download.url
            assert "/media/" in url
            assert url.split("/media/")[1].split(".")[0].encode() not in sent_before, \
                "the file's URL could not have been learnt before the click"
            deadline = time.monotonic() + 3 * FORGET_AFTER_SECONDS + 10
            while status_of(url) != 404:
                assert time.monotonic() < deadline, "the file stayed fetchable without a session"
                time.sleep(0.5)
            assert status_of(server["url"] + "/media/" + "0" * 56 + ".csv") == 404
            assert exports_in(server["db"]) == [VIEWER], "fetching the URL writes nothing and gets nothing"
        finally:
            context.close()
