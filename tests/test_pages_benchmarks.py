"""The Benchmarks and Workforce pages run on the demo database and show their key elements."""
from __future__ import annotations

import pytest

from tests.find import containing, frame, texts
from ui.text import unescape


@pytest.fixture
def app(unstarted_app):
    """Not yet run: each test opens its own page first, so it does not depend on the overview."""
    return unstarted_app


def standing(app) -> str:
    """The heading that gives the demo council's rank and band, as a reader sees it."""
    return unescape(containing(app.subheader, "Anyshire (demo): ", unescaped=True).value)


def test_benchmarks_ranks_the_demo_council_among_its_neighbours(app):
    app.switch_page("views/benchmarks.py").run()
    assert not app.exception
    assert texts(app.title) == ["Benchmarks"]
    app.selectbox(key="benchmark_kpi").set_value("SW_AGENCY_PCT").run()
    assert not app.exception
    assert app.selectbox(key="benchmark_year_9").value == 2026
    heading = standing(app)
    assert heading.startswith("Anyshire (demo): Rank ") and " of 11, band " in heading
    assert any("Mean of 10 of 10 statistical neighbours (Demo model (fictional))" in m.value for m in app.markdown)
    bars, trend = app.get("plotly_chart")
    assert "this council" in bars.proto.spec and "Statistical neighbour" in bars.proto.spec
    assert "Statistical-neighbour average" in trend.proto.spec and "30 Sep 2025" in trend.proto.spec
    table = frame(app.dataframe, "Rank", "Council", "Code", "Value", "Band")
    assert len(table) == 11
    assert list(table.columns[:5]) == ["Rank", "Council", "Code", "Value", "Band"]
    assert (table["Compared as"] == "This council").sum() == 1


def test_benchmarks_year_choice_changes_the_rank_words(app):
    app.switch_page("views/benchmarks.py").run()
    app.selectbox(key="benchmark_kpi").set_value("SW_AGENCY_PCT").run()
    app.selectbox(key="benchmark_year_9").set_value(2023).run()
    assert not app.exception
    assert "Rank 11 of 11, band D (worst quartile among the 11 English councils with a figure)" in \
        standing(app)


def test_context_measure_is_ranked_without_a_band(app):
    app.switch_page("views/benchmarks.py").run()
    app.selectbox(key="benchmark_kpi").set_value("CLA_COUNT").run()
    assert not app.exception
    assert "band" not in standing(app)
    assert "highest first" in app.get("plotly_chart")[0].proto.spec


def test_workforce_shows_five_kpis_with_target_rag_and_charts(app):
    app.switch_page("views/workforce.py").run()
    assert not app.exception
    assert texts(app.title) == ["Workforce"]
    assert texts(app.subheader) == [
        "Average caseload per case-holding social worker (FTE)", "Social worker turnover rate", "Agency worker rate",
        "Vacancy rate", "Sickness absence rate"]
    assert len(app.metric) == 5
    words = " ".join(m.value for m in app.markdown)
    assert "**Target:**" in words and "**RAG:**" in words and "of 11" in words
    charts = app.get("plotly_chart")
    assert len(charts) == 5
    assert "England (annual)" in charts[2].proto.spec and '"Target"' in charts[2].proto.spec
