"""Shared fixtures: a demo database built once per run and copied for each test that writes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.bootstrap import ensure_ready
from etl.store import connect
from settings import DEMO_LA_CODE

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    con = connect(path)
    ensure_ready(con, DEMO_LA_CODE)
    con.close()
    return path


@pytest.fixture
def demo_db_path(demo_db_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dashboard.duckdb"
    shutil.copy(demo_db_template, path)
    return path


@pytest.fixture
def demo_con(demo_db_path: Path):
    con = connect(demo_db_path)
    yield con
    con.close()


@pytest.fixture
def empty_con(tmp_path: Path):
    con = connect(tmp_path / "empty.duckdb")
    yield con
    con.close()


@pytest.fixture
def unstarted_app(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app on a fresh demo copy, not yet run: a test can open any page first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    monkeypatch.delenv("DASHBOARD_LA", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.fixture
def app(unstarted_app):
    """The app after its first run, on the overview."""
    unstarted_app.run()
    assert not unstarted_app.exception
    return unstarted_app


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[bytes, str]]:
    """What each download button offers, by file name: AppTest keeps only a media URL, not the bytes."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered: dict[str, tuple[bytes, str]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None:
            offered[filename] = (path_or_data, mimetype)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return offered
