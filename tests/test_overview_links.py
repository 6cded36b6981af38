"""The Overview opens a KPI's trend for the same council and month, and every page's view is in its address, so a
copied link opens the same view; a link that names something this store lacks opens the page as it would without it."""
from __future__ import annotations

import time
from datetime import date
from urllib.parse import parse_qs

import pytest

from auth import users
from auth.roles import operator
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.find import containing, texts

ASSESSMENTS = "Assessments completed within 45 working days"
NEIGHBOUR = "E99000002"
VIEWER = "viewer@anyshire.example"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-test-cookie-secret-of-length",
        "client_id": "dashboard", "client_secret": "test",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}
"""Sign-in through an identity provider, as tests/test_pages_access.py sets it up; nothing is fetched from it."""


def choose_row(app, kpi_name: str) -> None:
    """Tick the row of the KPI named `kpi_name` in whichever Overview table holds it, as a click on its box does."""
    table = next(t for t in app.dataframe if kpi_name in set(t.value["KPI"]))
    row = list(table.value["KPI"]).index(kpi_name)
    app.session_state[table.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    app.run()
    assert not app.exception


def test_choosing_an_overview_row_opens_its_trend_for_the_same_council_and_month(app):
    app.sidebar.selectbox(key="la_code").set_value(NEIGHBOUR).run()
    app.sidebar.selectbox(key="period").set_value(date(2026, 8, 1)).run()
    choose_row(app, ASSESSMENTS)
    assert texts(app.title) == ["KPI trend"]
    assert app.selectbox(key="kpi_code").value == "ASSESS_45WD_PCT"
    assert app.sidebar.selectbox(key="la_code").value == NEIGHBOUR
    assert app.sidebar.selectbox(key="period").value == date(2026, 8, 1)
    assert ASSESSMENTS in app.get("plotly_chart")[0].proto.spec
    assert app.query_params == {"la": NEIGHBOUR, "month": "2026-08", "kpi": "ASSESS_45WD_PCT"}


def test_each_kpi_in_the_list_view_links_to_its_trend_for_the_month(app):
    links = {link.proto.label: parse_qs(link.proto.query_string) for link in app.get("page_link")}
    assert len(links) == 34
    assert links[f"**{ASSESSMENTS}**"] == {"la": [DEMO_LA_CODE], "month": ["2026-10"], "kpi": ["ASSESS_45WD_PCT"]}
    assert {link.proto.page for link in app.get("page_link")} == {"trend"}


def test_a_copied_trend_link_opens_its_council_month_kpi_and_chart(unstarted_app):
    app = unstarted_app
    app.query_params.update({"la": NEIGHBOUR, "month": "2026-05", "kpi": "SW_AGENCY_PCT", "view": "spc"})
    app.run()
    containing(app.markdown, "figures up to May 2026")
    app.switch_page("views/trend.py").run()
    assert not app.exception
    assert app.sidebar.selectbox(key="la_code").value == NEIGHBOUR
    assert app.sidebar.selectbox(key="period").value == date(2026, 5, 1)
    assert app.selectbox(key="kpi_code").value == "SW_AGENCY_PCT"
    assert app.radio(key="chart_view").value == "SPC chart (Making Data Count)"
    assert "Upper process limit" in app.get("plotly_chart")[0].proto.spec


def open_link(app, kpi: str, page: str):
    """What a colleague's browser does with a copied link naming a KPI: the app runs, then the page."""
    app.query_params["kpi"] = kpi
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_a_benchmarks_link_opens_its_kpi(unstarted_app):
    app = open_link(unstarted_app, "CLA_RATE", "views/benchmarks.py")
    assert app.selectbox(key="benchmark_kpi").value == "CLA_RATE"


def test_the_overview_filter_is_in_the_address_and_opens_from_it(unstarted_app):
    app = unstarted_app
    app.query_params["show"] = "off"
    app.run()
    assert app.radio(key="rag_filter").value == "Off target"
    assert {w for table in app.dataframe for w in table.value["RAG"]} == {"■ Off target"}
    app.radio(key="rag_filter").set_value("All KPIs").run()
    assert "show" not in app.query_params  # the default is left out of the link


@pytest.mark.parametrize("params", [
    {"la": "E00000000", "month": "2099-13", "kpi": "NO_SUCH_KPI", "view": "pie"},
    {"la": "", "month": "", "kpi": "", "view": ""},
    {"la": "<script>", "month": "1900-01", "kpi": "sw_agency_pct", "show": "everything"},
])
def test_a_link_naming_what_the_store_lacks_opens_the_page_as_without_it(unstarted_app, params):
    app = unstarted_app
    app.query_params.update(params)
    app.run()
    assert not app.exception and not app.error and not app.main.warning
    assert app.radio(key="rag_filter").value == "All KPIs"
    app.switch_page("views/trend.py").run()
    assert not app.exception and not app.error
    assert app.sidebar.selectbox(key="la_code").value == DEMO_LA_CODE
    assert app.sidebar.selectbox(key="period").value == date(2026, 10, 1)
    assert app.selectbox(key="kpi_code").value == "CONTACTS"
    assert app.radio(key="chart_view").value == "Trend against target"
    assert app.query_params == {"la": DEMO_LA_CODE, "month": "2026-10", "kpi": "CONTACTS"}


def test_each_choice_is_written_to_the_address_as_it_changes(app):
    assert app.query_params == {"la": DEMO_LA_CODE, "month": "2026-10"}
    app.sidebar.selectbox(key="period").set_value(date(2026, 9, 1)).run()
    assert app.query_params["month"] == "2026-09"
    app.switch_page("views/trend.py").run()
    app.selectbox(key="kpi_code").set_value("SW_TURNOVER_PCT").run()
    app.radio(key="chart_view").set_value("SPC chart (Making Data Count)").run()
    assert app.query_params == {"la": DEMO_LA_CODE, "month": "2026-09", "kpi": "SW_TURNOVER_PCT", "view": "spc"}


def test_a_copied_link_still_asks_who_is_there_and_then_opens_its_view(unstarted_app, demo_db_path, monkeypatch):
    """Pages run through app.py's sign-in, whatever the address names."""
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    with open_store(demo_db_path) as con:
        users.set_role(con, VIEWER, "viewer", "", operator("setup"))
    app = unstarted_app
    app.secrets["auth"] = AUTH
    app.query_params.update({"la": NEIGHBOUR, "month": "2026-05", "kpi": "SW_AGENCY_PCT"})
    app.user = {"is_logged_in": False}
    app.run()
    assert texts(app.title) == ["Sign in"] and not app.dataframe and not app.get("plotly_chart")
    app.user = {"is_logged_in": True, "email": VIEWER, "sub": VIEWER, "iat": int(time.time())}
    app.run()
    containing(app.markdown, "figures up to May 2026")
    app.switch_page("views/trend.py").run()
    assert app.selectbox(key="kpi_code").value == "SW_AGENCY_PCT"


def test_a_presentation_link_opens_on_its_kpis_slide_and_the_address_follows_the_slides(unstarted_app):
    app = open_link(unstarted_app, "CLA_3PLUS_SW_PCT", "views/present.py")
    assert app.selectbox(key="present_list_6").value == 6, "the board's sixth KPI, not its agenda"
    app.button(key="present_next").click().run()
    assert app.query_params["kpi"] == "CLA_REVIEW_PCT"
    app.button(key="present_previous").click().run()
    assert app.query_params["kpi"] == "CLA_3PLUS_SW_PCT", "a back step is not sent back to the linked slide"


@pytest.mark.parametrize("code,audience,name", [
    ("SW_AGENCY_PCT", "Scrutiny", "Agency worker rate"),
    ("SW_ABSENCE_PCT", "All KPIs", "Sickness absence rate"),
])
def test_a_presentation_link_to_a_kpi_outside_the_board_opens_the_first_audience_with_it(unstarted_app, code,
                                                                                         audience, name):
    app = open_link(unstarted_app, code, "views/present.py")
    assert app.radio(key="present_audience").value == audience
    slide = next(box for box in app.selectbox if str(box.key).startswith("present_list_"))
    assert slide.value > 0 and slide.options[slide.value].endswith(f". {name}")
    assert app.query_params["kpi"] == code
