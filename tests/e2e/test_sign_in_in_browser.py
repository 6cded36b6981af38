"""Sign-in through a real OpenID Connect provider on loopback (oidc-provider-mock), in headless Chromium:
a viewer lands on the overview without the upload page; an analyst's upload shows in the admin's audit log."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from auth import audit, users
from auth.roles import operator
from ingest.national import NATIONAL_USER
from store.connection import open_store
from tests.actors import ADMIN
from tests.e2e.conftest import _free_port, running_app, screenshot
from tests.e2e.helpers import open_page, serious_violations, wait_until_idle
from tests.fixtures import long_rows, xlsx

PEOPLE = {"viewer": "viewer@council.example", "analyst": "analyst@council.example", "admin": "admin@council.example"}


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory) -> str:
    """The council's identity provider, played by oidc-provider-mock: any email typed in signs in as that email."""
    port = _free_port()
    log = tmp_path_factory.mktemp("idp") / "provider.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port",
                                    str(port)], stdout=out, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the identity provider did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def signed_in_server(demo_db_template, tmp_path_factory, identity_provider):
    """The dashboard with DASHBOARD_AUTH=oidc and a secrets file kept outside the project, as a council sets it."""
    folder = tmp_path_factory.mktemp("oidc")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789"\n'
        'client_id = "childrens-dashboard"\n'
        'client_secret = "browser-test"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n'
    )
    with running_app(demo_db_template, folder, env={"DASHBOARD_AUTH": "oidc"},
                     args=("--secrets.files", str(secrets))) as server:
        with open_store(server["db"]) as con:
            for role, email in PEOPLE.items():
                users.set_role(con, email, role, "", operator("setup"))
        yield server


@pytest.fixture
def new_page(browser, signed_in_server):
    """A fresh browser profile per person, so one person's sign-in cookie never serves another."""
    contexts = []

    def open_new():
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield open_new
    for context in contexts:
        context.close()


def sign_in(page, server: dict, email: str) -> None:
    open_page(page, server["url"] + "/", "Sign in")
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_role("heading", name="KPI overview").wait_for()
    wait_until_idle(page)


def audit_entries(db: Path, action: str):
    with open_store(db) as con:
        return audit.entries(con, ADMIN, actions=[action])


def test_a_viewer_signs_in_sees_the_overview_and_no_upload_page(new_page, signed_in_server):
    page = new_page()
    sign_in(page, signed_in_server, PEOPLE["viewer"])
    navigation = page.locator('[data-testid="stSidebarNav"]')
    assert navigation.get_by_role("link", name="Overview").count() == 1
    assert navigation.get_by_role("link", name=re.compile(r"^Upload$")).count() == 0
    assert navigation.get_by_role("link", name="Audit log").count() == 0
    signed_in = page.get_by_text(re.compile(r"Signed in as ")).first  # a word joiner keeps the address from linking
    assert f"Signed in as {PEOPLE['viewer']}" in signed_in.inner_text().replace("\u2060", "")
    screenshot(page, "signed-in-viewer")
    assert serious_violations(page) == []

    page.goto(signed_in_server["url"] + "/upload")
    page.get_by_text("which needs the analyst role").wait_for()
    wait_until_idle(page)
    assert page.get_by_role("heading", name="Upload monthly data").count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert PEOPLE["viewer"] in audit_entries(signed_in_server["db"], "sign_in")["actor"].tolist()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert PEOPLE["viewer"] in audit_entries(signed_in_server["db"], "sign_out")["actor"].tolist()


def test_an_analysts_upload_shows_in_the_admins_audit_log_with_their_email(new_page, signed_in_server, tmp_path):
    analyst = new_page()
    sign_in(analyst, signed_in_server, PEOPLE["analyst"])
    upload = tmp_path / "november-return.xlsx"
    upload.write_bytes(xlsx({"Data": long_rows({("ASSESS_45WD_PCT", "2026-10"): 96.1})}))
    open_page(analyst, signed_in_server["url"] + "/upload", "Upload monthly data")
    analyst.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    wait_until_idle(analyst)
    analyst.get_by_role("button", name="Load 1 value from november-return.xlsx").click()
    analyst.get_by_text(re.compile(r"Loaded november-return\.xlsx as upload \d+")).wait_for()

    admin = new_page()
    sign_in(admin, signed_in_server, PEOPLE["admin"])
    open_page(admin, signed_in_server["url"] + "/audit", "Audit log")
    row = admin.locator('[role="row"]', has_text="Uploaded a file").first
    row.wait_for(state="attached")
    assert PEOPLE["analyst"] in row.text_content()
    screenshot(admin, "audit-log")
    assert serious_violations(admin) == []
    uploads = audit_entries(signed_in_server["db"], "upload")
    uploads = uploads[uploads["actor"] != NATIONAL_USER]  # the shipped national files, loaded at first start
    assert uploads["actor"].tolist() == [PEOPLE["analyst"]]
    assert uploads["subject"].iloc[0].endswith(": november-return.xlsx")


def test_behind_a_signing_in_proxy_the_header_names_the_user(browser, demo_db_template, tmp_path):
    """DASHBOARD_AUTH=header: the browser's requests carry the header a proxy such as oauth2-proxy would add."""
    with running_app(demo_db_template, tmp_path, env={"DASHBOARD_AUTH": "header"}) as server:
        with open_store(server["db"]) as con:
            users.set_role(con, PEOPLE["analyst"], "analyst", "", operator("setup"))
        for headers, heading in (({"X-Forwarded-Email": PEOPLE["analyst"]}, "KPI overview"),
                                 ({"X-Forwarded-Email": "stranger@elsewhere.example"}, "No access yet"),
                                 ({}, "Sign-in needed")):
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, extra_http_headers=headers)
            try:
                page = context.new_page()
                open_page(page, server["url"] + "/", heading)
                if heading == "KPI overview":
                    assert page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Upload",
                                                                                     exact=True).count() == 1
            finally:
                context.close()
        assert audit_entries(server["db"], "sign_in")["actor"].tolist() == [PEOPLE["analyst"]]
