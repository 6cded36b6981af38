"""The Overview's tables are worked out once and drawn from that by later sessions, and worked out afresh when a figure
changes.

Working out and styling every table for every session was most of the server's time when many people opened the
Overview at once (bench/load.py, README "Operations"). The tables now answer a click (a row opens its trend), so
they are drawn on every run; what they are drawn from is cached, and they carry no pandas Styler to apply.
"""
from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from analysis import tables
from ingest.load import Provenance, load_observations
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.conftest import ROOT


def _count_views(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = tables.scorecard_view

    def counting(rows: pd.DataFrame, until):
        calls.append(len(rows))
        return real(rows, until)

    monkeypatch.setattr(tables, "scorecard_view", counting)
    return calls


def _session() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    return app


def test_later_sessions_draw_the_tables_without_working_them_out_again(unstarted_app, monkeypatch):
    calls = _count_views(monkeypatch)
    first = unstarted_app.run()
    worked_out = len(calls)
    later = [_session() for _ in range(3)]
    assert worked_out == 1 and len(calls) == worked_out
    for app in [first, *later]:
        assert all(not table.proto.arrow_data.styler.styles for table in app.dataframe)
    for app in later:
        assert [h.value for h in app.subheader] == [h.value for h in first.subheader]
        for mine, theirs in zip(app.dataframe, first.dataframe, strict=True):
            pd.testing.assert_frame_equal(mine.value, theirs.value)


def test_a_changed_figure_is_worked_out_afresh(unstarted_app, demo_db_path, monkeypatch):
    unstarted_app.run()
    calls = _count_views(monkeypatch)
    with open_store(demo_db_path) as con:
        load_observations(con, pd.DataFrame({"la_code": [DEMO_LA_CODE], "kpi_code": ["ASSESS_45WD_PCT"],
                                             "period": ["2026-10"], "value": [77.7]}),
                          Provenance.of_bytes("october.csv", b"77.7", "analyst@example.gov.uk"))
    app = _session()
    assert calls
    rows = pd.concat([table.value for table in app.dataframe])
    assert "77.7%" in set(rows["Latest"])
