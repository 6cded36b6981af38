"""Every page runs in AppTest on the demo database without an exception and shows its key elements."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(demo_db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    monkeypatch.delenv("DASHBOARD_LA", raising=False)
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_overview_shows_the_demo_scorecard(app):
    assert "Synthetic demo data" in app.info[0].value
    assert app.title[0].value == "KPI overview"
    assert "KPIs with a target" in app.markdown[1].value
    groups = [h.value for h in app.subheader]
    assert groups == ["Front door", "Children in need", "Child protection", "Children in care", "Care leavers",
                      "Workforce"]
    table = app.dataframe[0].value
    assert {"KPI", "Latest", "Target", "RAG", "Direction", "England"} <= set(table.columns)
    words = {w.split(" ", 1)[1] for df in app.dataframe for w in df.value["RAG"]}
    assert {"On target", "Off target", "Context"} <= words


def test_sidebar_selects_council_and_month(app):
    assert app.sidebar.selectbox(key="la_code").value == "E99000001"
    app.sidebar.selectbox(key="period").set_value(date(2025, 11, 1)).run()
    assert not app.exception
    assert "Nov 2025" in app.markdown[0].value


def test_trend_page_shows_chart_table_and_download(app):
    app.switch_page("pages/trend.py").run()
    assert not app.exception
    app.selectbox(key="kpi_code").set_value("SW_AGENCY_PCT").run()
    assert not app.exception
    chart = app.get("plotly_chart")[0]
    assert "Agency worker rate" in chart.proto.spec
    assert '"Target"' in chart.proto.spec and "England (annual)" in chart.proto.spec
    table = app.dataframe[0].value
    assert list(table.columns[:3]) == ["Month", "Value", "Target"]
    assert len(table) == 60
    assert app.get("download_button")


def test_neighbour_council_has_no_targets_but_still_charts(app):
    app.sidebar.selectbox(key="la_code").set_value("E99000002").run()
    assert not app.exception
    app.switch_page("pages/trend.py").run()
    assert not app.exception
    assert "Borsetshire" in app.get("plotly_chart")[0].proto.spec
