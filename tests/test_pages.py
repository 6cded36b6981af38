"""Every page runs in AppTest on the demo database without an exception and shows its key elements."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from analysis import tables
from tests.conftest import ROOT
from tests.find import containing, frame, texts
from ui import table_styles


def test_overview_shows_the_demo_scorecard(app):
    containing(app.info, "Synthetic demo data")
    assert texts(app.title) == ["KPI overview"]
    containing(app.markdown, "KPIs with a target")
    groups = texts(app.subheader)
    assert groups == ["Front door", "Children in need", "Child protection", "Children in care", "Care leavers",
                      "Workforce"]
    assert app.dataframe
    for table in app.dataframe:
        assert {"KPI", "Latest", "Target", "RAG", "Direction", "England"} <= set(table.value.columns)
    words = {w.split(" ", 1)[1] for df in app.dataframe for w in df.value["RAG"]}
    assert {"On target", "Off target", "Context"} <= words


LAPTOP = 1002
"""The Overview's column on a 1366 px screen with the sidebar open: 1366 less the 300 px sidebar and the page's
margins."""


def drawn_width(table) -> int:
    """The narrowest a table is drawn: the widths it asks of its shown columns, and its column of row boxes."""
    widths = json.loads(table.proto.columns)
    return sum(widths[column]["width"] for column in table.proto.column_order) + table_styles.ROW_MARKER


def test_overview_tables_show_compact_columns_that_fit_a_laptop(app):
    """Ten columns that fit a laptop; every other column is in the table's data, for its menu to show; SPC's icons
    are a word or two each; a row can be chosen, to open its trend."""
    assert len(app.dataframe) == 6
    for table in app.dataframe:
        assert list(table.proto.column_order) == list(table_styles.SCORECARD_NARROWEST)
        assert set(tables.SCORECARD_VIEW.values()) < set(table.value.columns)
        assert table.proto.selection_mode
        assert drawn_width(table) <= LAPTOP
    spc = {w.replace("\u00a0", " ") for table in app.dataframe for w in table.value[tables.SPC_SHORT]}
    assert {"+ Improvement ✗ Misses target", "~ Common cause – No target", "~ Common cause ≈ Hit and miss"} <= spc
    rows = pd.concat([table.value for table in app.dataframe])
    assert (rows[tables.LATEST_DATED] == rows["Latest"]).all()  # every figure is for the month shown: no date


def test_overview_dates_only_the_figures_not_for_the_month_shown(real_app):
    real_app.run()
    rows = pd.concat([table.value for table in real_app.dataframe]).set_index("KPI")
    assert rows.loc["Children looked after per 10000 children", tables.LATEST_DATED].replace("\u00a0", " ") == \
        "101.0 (31 Mar 2025, published)"
    assert all(drawn_width(table) <= LAPTOP for table in real_app.dataframe)


def test_sidebar_selects_council_and_month(app):
    assert app.sidebar.selectbox(key="la_code").value == "E99000001"
    app.sidebar.selectbox(key="period").set_value(date(2025, 11, 1)).run()
    assert not app.exception
    containing(app.markdown, "figures up to Nov 2025")


def test_trend_page_shows_chart_table_and_download(app):
    app.switch_page("views/trend.py").run()
    assert not app.exception
    app.selectbox(key="kpi_code").set_value("SW_AGENCY_PCT").run()
    assert not app.exception
    chart = app.get("plotly_chart")[0]
    assert "Agency worker rate" in chart.proto.spec
    assert '"Target"' in chart.proto.spec and "England (annual)" in chart.proto.spec
    assert "Statistical-neighbour average (annual)" in chart.proto.spec
    table = frame(app.dataframe, "Month", "Value", "Target")
    assert list(table.columns[:3]) == ["Month", "Value", "Target"]
    assert len(table) == 60
    assert app.get("download_button")


def test_neighbour_council_has_no_targets_but_still_charts(app):
    app.sidebar.selectbox(key="la_code").set_value("E99000002").run()
    assert not app.exception
    app.switch_page("views/trend.py").run()
    assert not app.exception
    assert "Borsetshire" in app.get("plotly_chart")[0].proto.spec


def test_overview_shows_spc_icons_and_can_filter_to_reds(app):
    assert app.dataframe
    for table in app.dataframe:
        assert {"Variation (SPC)", "Assurance (SPC)"} <= set(table.value.columns)
    words = {w for df in app.dataframe for w in df.value["Variation (SPC)"]}
    assert any("Special cause" in w for w in words)
    assert app.radio(key="rag_filter").options == ["All KPIs", "Off target", "Off target or within tolerance"]
    app.radio(key="rag_filter").set_value("Off target").run()
    assert not app.exception
    rags = {w for df in app.dataframe for w in df.value["RAG"]}
    assert rags == {"■ Off target"}
    assert any("Commentary on the" in e.label for e in app.expander)
    app.radio(key="rag_filter").set_value("Off target or within tolerance").run()
    assert not app.exception
    rags = {w for df in app.dataframe for w in df.value["RAG"]}
    assert rags == {"■ Off target", "▲ Within tolerance"}


def test_overview_rag_words_are_true_of_the_numbers_beside_them(app):
    """No green "On target" below the target: each rated row says its gap, and its rule is listed under the table."""
    catalogue = pd.read_csv(ROOT / "data" / "kpi_catalogue.csv")
    better = {name: "above" if polarity == "high" else "below"
              for name, polarity in zip(catalogue["name"], catalogue["polarity"])}
    rows = pd.concat([df.value for df in app.dataframe])
    rated = rows[rows["RAG"].str[0].isin(["●", "▲", "■"])]
    assert {"● On target", "▲ Within tolerance", "■ Off target"} <= set(rated["RAG"])
    for name, rag, gap in zip(rated["KPI"], rated["RAG"], rated["Gap to target"]):
        if rag == "● On target":
            assert gap == "at target" or gap.endswith(better[name]), (name, gap)
        else:
            assert gap != "at target" and not gap.endswith(better[name]), (name, rag, gap)
    legends = [m.value for m in app.markdown if m.value.startswith("**RAG rules in force**")]
    assert len(legends) == len(app.dataframe)
    assert any("Inspection target: no tolerance, for Care leavers aged 19\\-21 in suitable accommodation" in legend
               for legend in legends)


def test_trend_page_spc_view_shows_icons_limits_and_the_spike(app):
    app.switch_page("views/trend.py").run()
    app.selectbox(key="kpi_code").set_value("REFERRALS").run()
    app.radio(key="chart_view").set_value("SPC chart (Making Data Count)").run()
    assert not app.exception
    spec = app.get("plotly_chart")[0].proto.spec
    assert "Upper process limit" in spec and "Special cause: unusually high" in spec
    assert "Spike in referrals" in spec
    assert any(m.value.startswith("**Variation:** ~ Common cause") for m in app.markdown)


def test_commentary_note_and_rebase_are_saved_from_the_trend_page(app):
    app.switch_page("views/trend.py").run()
    app.selectbox(key="kpi_code").set_value("SW_AGENCY_PCT").run()
    app.text_area(key="commentary_text_SW_AGENCY_PCT_2026-10").input(
        "Agency rate fell as six staff converted to permanent posts")
    app.button(key="save_commentary").click().run()
    assert not app.exception
    assert any("six staff converted" in m.value for m in app.markdown)
    app.text_input(key="rebase_reason").input("New recording rules")
    app.button(key="save_rebase").click().run()
    assert not app.exception
    app.radio(key="chart_view").set_value("SPC chart (Making Data Count)").run()
    assert "Limits recalculated: New recording rules" in app.get("plotly_chart")[0].proto.spec


def test_an_empty_commentary_is_refused_in_words(app):
    app.switch_page("views/trend.py").run()
    app.text_area[0].input(" ")  # the box starts from the draft: emptied, there is nothing to save
    app.button(key="save_commentary").click().run()
    assert not app.exception
    containing(app.error, "Write the commentary")
