"""Sign-in and roles on the pages, in AppTest: what each role sees, what it cannot reach, and the audit trail."""
from __future__ import annotations

import re
import time
from unittest.mock import patch

import pytest
from streamlit.testing.v1 import AppTest

from auth import audit, users
from auth.roles import Actor, operator
from store.connection import open_store
from tests.actors import ADMIN
from tests.find import containing, frame, texts, widget
from tests.store_state import entries_since, last_entry
from tests.test_upload_pages import good_file, open_upload
from ui.navigation import PAGES, menu
from ui.text import md

PEOPLE = {"viewer": "viewer@anyshire.example", "analyst": "analyst@anyshire.example",
          "admin": "admin@anyshire.example"}
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-test-cookie-secret-of-length",
        "client_id": "dashboard", "client_secret": "test",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}
EVERY_PAGE = ["overview", "trend", "benchmarks", "workforce", "demand_ahead", "targets", "improvement_plan", "inspections", "kpi_catalogue",
              "board_pack", "present", "upload_file", "upload_history", "users_and_roles", "audit_log"]
NOT_FOR = {"viewer": {"upload_file", "users_and_roles", "audit_log"}, "analyst": {"users_and_roles", "audit_log"},
           "admin": set()}


@pytest.fixture
def signed_in(demo_db_path, unstarted_app, monkeypatch):
    """Sign-in through the identity provider is on; returns a function that opens the app as someone."""
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    monkeypatch.setenv("DASHBOARD_ACCESS_CONTACT", "the performance team")
    with open_store(demo_db_path) as con:
        for role, email in PEOPLE.items():
            users.set_role(con, email, role, "", operator("setup"))

    def open_as(email: str | None, issued: float | None = None) -> AppTest:
        unstarted_app.secrets["auth"] = AUTH
        unstarted_app.user = {"is_logged_in": False} if email is None else {
            "is_logged_in": True, "email": email, "sub": email, "iat": int(issued or time.time())}
        unstarted_app.run()
        assert not unstarted_app.exception
        return unstarted_app

    return open_as


def entries(db, **filters):
    with open_store(db) as con:
        return audit.entries(con, ADMIN, **filters)


def stays_on(app: AppTest, title: str) -> None:
    """Before a role is known the message is the app's only page: no dashboard page can be opened."""
    for page in EVERY_PAGE:
        with pytest.raises(ValueError, match=re.escape(f"Known pages: [{title!r}]")):
            app.switch_page(f"views/{page}.py")
    assert texts(app.title) == [title]


def test_the_demo_says_there_is_no_sign_in_on_every_page(app):
    for page in ("overview", "upload_file", "audit_log"):
        app.switch_page(f"views/{page}.py").run()
        assert any("No sign-in: demo mode" in w.value for w in app.sidebar.warning)


def test_someone_not_signed_in_sees_only_the_sign_in_page(signed_in):
    app = signed_in(None)
    assert texts(app.title) == ["Sign in"]
    stays_on(app, "Sign in")
    with patch("streamlit.login") as login:
        widget(app.button, "Sign in").click().run()
    login.assert_called_once_with()


def test_a_signed_in_stranger_is_told_whom_to_ask_and_the_refusal_is_audited(signed_in, demo_db_path):
    app = signed_in("stranger@elsewhere.example")
    assert texts(app.title) == ["No access yet"]
    containing(app.markdown, "Ask the performance team")
    stays_on(app, "No access yet")
    refused = entries(demo_db_path, actions=["access_refused"])
    assert refused["actor"].tolist() == ["stranger@elsewhere.example"]


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_opens_its_pages_and_is_told_which_role_the_others_need(signed_in, role):
    app = signed_in(PEOPLE[role])
    assert texts(app.title) == ["KPI overview"]
    signed_in_as = containing(app.sidebar.markdown, "Signed in as").value
    assert f"Signed in as **{md(PEOPLE[role])}**" in signed_in_as  # shown as plain words
    assert menu(Actor(PEOPLE[role], role)) == [spec.title for spec in PAGES
                                               if spec.script.split("/")[1][:-3] not in NOT_FOR[role]]
    for page in EVERY_PAGE:
        app.switch_page(f"views/{page}.py").run()
        assert not app.exception, page
        refused = [e.value for e in app.error if "role" in e.value]
        if page in NOT_FOR[role]:
            assert texts(app.title) == [] and refused, page
            assert "needs the" in refused[0]
        else:
            # The presentation's heading is a Markdown heading hidden from view (people see the slide's title).
            headings = texts(app.title) or [m.value for m in app.markdown if m.value == "# Presentation"]
            assert headings and not refused, page


def test_a_sign_in_is_audited_once_however_often_the_page_runs(signed_in, demo_db_path):
    app = signed_in(PEOPLE["viewer"])
    app.switch_page("views/trend.py").run()
    app.run()
    assert entries(demo_db_path, actions=["sign_in"])["actor"].tolist() == [PEOPLE["viewer"]]


def test_a_session_past_its_maximum_age_ends_even_though_the_cookie_lives_on(signed_in, demo_db_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SESSION_HOURS", "2")
    app = signed_in(PEOPLE["analyst"], issued=time.time() - 3 * 3600)
    assert texts(app.title) == ["Your session has ended"]
    containing(app.markdown, "limit of 2 hours")
    stays_on(app, "Your session has ended")
    assert entries(demo_db_path, actions=["session_ended"])["actor"].tolist() == [PEOPLE["analyst"]]


def test_a_viewer_reads_targets_commentary_and_the_plan_but_has_no_way_to_change_them(signed_in):
    app = signed_in(PEOPLE["viewer"])
    for page in ("targets", "trend", "improvement_plan", "inspections", "upload_history"):
        app.switch_page(f"views/{page}.py").run()
        assert not app.exception
        assert [b.label for b in app.main.button] == [], page
        assert not app.main.text_area and not app.main.text_input, page
    app.switch_page("views/upload_history.py").run()
    assert not [c for c in app.checkbox if "withdraw" in c.label]


def test_an_analyst_has_the_editing_forms_but_not_the_rag_rule_form(signed_in):
    app = signed_in(PEOPLE["analyst"])
    app.switch_page("views/targets.py").run()
    assert "Save target" in [b.label for b in app.button]
    assert "Save rule" not in [b.label for b in app.button]
    app = signed_in(PEOPLE["admin"])
    app.switch_page("views/targets.py").run()
    assert "Save rule" in [b.label for b in app.button]


def test_only_analysts_may_choose_a_pack_for_publication(signed_in):
    app = signed_in(PEOPLE["viewer"])
    app.switch_page("views/board_pack.py").run()
    assert len(app.radio(key="pack_audience").options) == 1
    app = signed_in(PEOPLE["analyst"])
    app.switch_page("views/board_pack.py").run()
    assert len(app.radio(key="pack_audience").options) == 2


def test_an_analysts_upload_is_in_the_audit_log_under_their_email(signed_in, demo_db_path):
    before = last_entry(demo_db_path)
    app = open_upload(signed_in(PEOPLE["analyst"]), "october.xlsx", good_file(demo_db_path))
    app.button(key="confirm_load").click().run()
    assert not app.exception
    upload = entries_since(demo_db_path, before, actions=["upload"])
    assert upload["actor"].tolist() == [PEOPLE["analyst"]]
    assert upload["subject"].iloc[0].endswith(": october.xlsx")


def test_a_download_is_audited_with_what_left_and_for_whom(signed_in, demo_db_path, downloads):
    app = signed_in(PEOPLE["viewer"])
    app.switch_page("views/trend.py").run()
    assert "Download this data (CSV)" in [b.label for b in app.download_button]
    assert entries(demo_db_path, actions=["export"]).empty, "drawing the button takes nothing out"
    downloads.produce(next(name for name in downloads.waiting if name.endswith(".csv")))
    export = entries(demo_db_path, actions=["export"])
    assert export["actor"].tolist() == [PEOPLE["viewer"]]
    assert export["subject"].iloc[0].startswith("KPI data: ")
    assert '"audience": "internal"' in export["after"].iloc[0]


def test_an_admin_gives_a_role_and_reads_it_in_the_audit_log(signed_in, demo_db_path):
    app = signed_in(PEOPLE["admin"])
    app.switch_page("views/users_and_roles.py").run()
    app.text_input(key="set_role_email").input("New.Starter@Anyshire.example")
    app.radio(key="set_role_role").set_value("analyst")
    app.button(key="FormSubmitter:set_role-Save role").click().run()
    assert not app.exception
    with open_store(demo_db_path) as con:
        assert users.role_of(con, "new.starter@anyshire.example") == "analyst"
    app.switch_page("views/audit_log.py").run()
    assert not app.exception
    table = frame(app.dataframe, "Subject")
    assert "new.starter@anyshire.example" in table["Subject"].tolist()
    assert any("log is as the dashboard wrote it" in s.value for s in app.success)


def test_header_sign_in_refuses_to_run_unless_only_the_proxy_can_reach_it(unstarted_app, monkeypatch):
    from ui import identity

    monkeypatch.setenv("DASHBOARD_AUTH", "header")
    monkeypatch.setattr(identity, "listening_address", lambda: "0.0.0.0")
    unstarted_app.run()
    assert texts(unstarted_app.title) == ["The dashboard is not safely configured"]
    containing(unstarted_app.markdown, "--server.address 127.0.0.1")


def test_a_session_left_idle_ends_and_stays_ended(signed_in, demo_db_path, monkeypatch):
    from datetime import timedelta

    from ui import identity

    monkeypatch.setenv("DASHBOARD_IDLE_MINUTES", "15")
    app = signed_in(PEOPLE["viewer"])
    assert texts(app.title) == ["KPI overview"]
    later = identity._now() + timedelta(minutes=16)
    monkeypatch.setattr(identity, "_now", lambda: later)
    app.run()
    assert texts(app.title) == ["Your session has ended"]
    containing(app.markdown, "not used for 15 minutes")
    ended = entries(demo_db_path, actions=["session_ended"])
    assert ended["actor"].tolist() == [PEOPLE["viewer"]]
    assert '"reason": "it was not used for 15 minutes"' in ended["after"].iloc[0]


def test_an_unverified_email_gets_no_role_even_if_it_names_an_admin(signed_in, unstarted_app):
    unstarted_app.secrets["auth"] = AUTH
    unstarted_app.user = {"is_logged_in": True, "email": PEOPLE["admin"], "email_verified": False, "iat": 1}
    unstarted_app.run()
    assert texts(unstarted_app.title) == ["No verified email address"]
