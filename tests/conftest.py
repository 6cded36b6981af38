"""Shared fixtures: a demo database built once per run and copied for each test that writes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.bootstrap import ensure_ready
from settings import DEMO_LA_CODE
from store.connection import connect

ROOT = Path(__file__).resolve().parent.parent
BUG_MESSAGE = "Something went wrong (ref"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e drives a browser: marked so a developer can run the rest alone."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def no_hidden_bugs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py turns an unexpected exception into "Something went wrong (ref ...)" for users; in AppTest that
    message must fail the test, as the exception itself did before, unless the test asks for it."""
    if request.node.get_closest_marker("shows_bug_reference"):
        return
    run = AppTest.run

    def checked(self: AppTest, *args, **kwargs) -> AppTest:
        result = run(self, *args, **kwargs)
        hidden = [e.value for e in result.error if BUG_MESSAGE in e.value]
        assert not hidden, f"the page hit an unexpected exception (see the log above): {hidden}"
        return result

    monkeypatch.setattr(AppTest, "run", checked)


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    con = connect(path)
    ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
    con.close()
    return path


REAL_LA = "E06000026"
"""Plymouth: a real council, seen through the national figures the product ships and nothing else."""


@pytest.fixture(scope="session")
def real_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("real") / "plymouth.duckdb"
    con = connect(path)
    ensure_ready(con, REAL_LA, seed_demo=True)
    con.close()
    return path


@pytest.fixture
def real_app(real_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app, not yet run, for a real council whose store holds only the shipped national figures."""
    import streamlit as st

    path = tmp_path / "plymouth.duckdb"
    shutil.copy(real_db_template, path)
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.setenv("DASHBOARD_LA", REAL_LA)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


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


class Downloads(dict):
    """What the download buttons offer, by file name, as (bytes, mime).

    Downloads made on a click (all of the dashboard's but the blank template) are listed in `waiting` until
    read: reading one, or `produce`, makes it as a click in the browser does (Streamlit's `execute_deferred`),
    which writes its audit entry. A file already made is not made again by reading; `produce` always is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[str, tuple[object, str]] = {}

    def names(self) -> set[str]:
        return set(self) | set(self.waiting)

    def produce(self, name: str) -> tuple[bytes, str]:
        manager, file_id = self.waiting[name]
        manager.execute_deferred(file_id)
        return dict.__getitem__(self, name)

    def __missing__(self, name: str) -> tuple[bytes, str]:
        if name not in self.waiting:
            raise KeyError(name)
        return self.produce(name)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """What each download button offers, by file name: AppTest keeps only a media URL or a placeholder."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    offered = Downloads()
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None:
            offered[filename] = (path_or_data, mimetype)
        return original(self, path_or_data, mimetype, kind, filename)

    def deferring(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        if file_name is not None:
            offered.waiting[file_name] = (self, file_id)
            offered.pop(file_name, None)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferring)
    return offered
