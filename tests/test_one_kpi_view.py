"""One KPI view, drawn everywhere: the trend page and the board pack draw the same points, comparators, marks and
words for every KPI of the demo, because both take them from `analysis.kpi_view`."""
from __future__ import annotations

import base64
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest

from analysis import kpi_view
from export import figures, gather
from settings import DEMO_LA_CODE
from store import queries

MONTHS = (date(2026, 10, 1), date(2025, 3, 1))
COMPARED = ("x", "y", "text", "name")


def _traces(figure: go.Figure, start: pd.Timestamp) -> dict[str, dict]:
    """Each named trace's points from `start` on: the pack draws its last months, the page the whole history."""
    found = {}
    for trace in figure.data:
        if trace.name in (None, "Target", "Floor"):
            continue  # step lines span the page's whole axis but only the pack's months in the pack
        if trace.meta == "forecast":
            continue  # the page's forecast of the months ahead: no data, and no point of the pack's chart
        xs = pd.to_datetime(pd.Series(list(trace.x)))
        keep = (xs >= start).tolist()

        def kept(values) -> list:
            if isinstance(values, dict):  # Plotly's typed array, as the page's chart travels to the browser
                values = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
            values = [None] * len(keep) if values is None or isinstance(values, str) else list(values)
            return [None if pd.isna(v) else v for v, k in zip(values, keep) if k]

        points = {"x": kept(xs), "y": kept(trace.y), "text": kept(trace.text)}
        if points["x"]:  # a marker wholly before the pack's months is the page's alone
            found[trace.name] = points
    return found


def _notes(figure: go.Figure, start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """Notes from `start` to `end`: after the last month the page's axis runs on over its forecast, the pack's not."""
    return sorted(a.text for a in figure.layout.annotations
                  if start - pd.Timedelta(days=1) <= pd.Timestamp(a.x) <= end + pd.offsets.MonthEnd(0))


@pytest.mark.parametrize("until", MONTHS)
def test_the_trend_page_and_the_pack_draw_the_same_points_and_words(unstarted_app, demo_con, until):
    codes = tuple(queries.catalogue(demo_con)["code"])
    pack = gather.gather(demo_con, gather.PackOptions(DEMO_LA_CODE, "Anyshire", until, codes))
    app = unstarted_app
    app.session_state["kept_period"] = until
    app.run()
    app.switch_page("views/trend.py").run()
    for page in pack.pages:
        app.selectbox(key="kpi_code").select(page.code).run()
        assert not app.exception
        shown = plotly.io.from_json(app.get("plotly_chart")[0].proto.spec)
        drawn = figures.figure(page, "Anyshire (demo)")
        start = pd.Timestamp(page.series["period"].min())
        assert _traces(shown, start) == _traces(drawn, start), page.code
        end = pd.Timestamp(page.series["period"].max())
        assert _notes(shown, start, end) == _notes(drawn, start, end), page.code


def test_every_reader_builds_a_kpi_from_the_same_view(demo_con):
    """The pack's slide words are the scorecard row's words: one judgement per KPI and month."""
    until = MONTHS[0]
    card = kpi_view.read_scorecard(demo_con, DEMO_LA_CODE, until).set_index("kpi_code")
    pack = gather.gather(demo_con, gather.PackOptions(DEMO_LA_CODE, "Anyshire", until, tuple(card.index)))
    for page in pack.pages:
        row = card.loc[page.code]
        assert (page.rag_text, page.direction_text, page.target_text) == \
               (row["rag_text"], row["direction_text"], row["target_text"]), page.code
        assert page.england_text == row["england_text"] and page.neighbour_text == row["neighbour_text"], page.code


def _numbers(values) -> list[float]:
    if isinstance(values, dict):
        values = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return [float(v) for v in ([] if values is None else list(values)) if v is not None and not pd.isna(v)]


def test_the_children_looked_after_count_chart_fits_the_councils_values(app):
    """England's 81,770 on the council's axis flattened its 815 to a line at zero: a count has no England marker,
    so every point on the chart is of the council's own size."""
    app.switch_page("views/trend.py").run()
    app.selectbox(key="kpi_code").select("CLA_COUNT").run()
    figure = plotly.io.from_json(app.get("plotly_chart")[0].proto.spec)
    council = [t for t in figure.data if t.name == "Anyshire (demo)"][0]
    own = _numbers(council.y)
    drawn = [v for trace in figure.data for v in _numbers(trace.y)]
    assert "England (annual)" not in [t.name for t in figure.data]
    assert max(drawn) <= 1.5 * max(own) and min(own) > 0.5 * max(drawn)
