"""The Overview's tables are styled once and replayed to later sessions, and styled afresh when a figure changes.

Styling every table for every session was most of the server's time when many people opened the Overview at
once (bench/load.py, README "Operations").
"""
from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from ingest.load import Provenance, load_observations
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.conftest import ROOT
from ui import table_styles


def _count_styling(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = table_styles.styled_scorecard

    def counting(rows: pd.DataFrame):
        calls.append(len(rows))
        return real(rows)

    monkeypatch.setattr(table_styles, "styled_scorecard", counting)
    return calls


def _session() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    return app


def _tables(app: AppTest) -> list[pd.DataFrame]:
    return [frame.value.data if hasattr(frame.value, "data") else frame.value for frame in app.dataframe]


def test_later_sessions_get_the_styled_tables_without_styling_them_again(unstarted_app, monkeypatch):
    calls = _count_styling(monkeypatch)
    first = unstarted_app.run()
    _session()  # the first from the cache: may style once more, as its rows come back from the cache
    styled = len(calls)
    later = [_session() for _ in range(3)]
    assert len(calls) == styled
    assert styled <= 2 * len(first.dataframe)
    for app in later:
        assert [h.value for h in app.subheader] == [h.value for h in first.subheader]
        for mine, theirs in zip(_tables(app), _tables(first), strict=True):
            pd.testing.assert_frame_equal(mine, theirs)
        assert _colours(app) == _colours(first)


def _colours(app: AppTest) -> list[str]:
    """Each table's cell colours, without the table's own id (a replayed table keeps the id it was styled with)."""
    return [f.proto.arrow_data.styler.styles.replace(f.proto.arrow_data.styler.uuid, "") for f in app.dataframe]


def test_a_changed_figure_is_styled_afresh(unstarted_app, demo_db_path, monkeypatch):
    unstarted_app.run()
    _session()
    calls = _count_styling(monkeypatch)
    with open_store(demo_db_path) as con:
        load_observations(con, pd.DataFrame({"la_code": [DEMO_LA_CODE], "kpi_code": ["ASSESS_45WD_PCT"],
                                             "period": ["2026-10"], "value": [77.7]}),
                          Provenance.of_bytes("october.csv", b"77.7", "analyst@example.gov.uk"))
    app = _session()
    assert calls
    rows = pd.concat(_tables(app))
    assert "77.7%" in set(rows["Latest"])
