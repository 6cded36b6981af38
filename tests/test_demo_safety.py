"""The demo serves this machine only unless opened on purpose, and a busy store is said in words."""
from __future__ import annotations

import pytest

from store.errors import StoreBusyError
from tests.find import containing, texts


@pytest.fixture
def address(monkeypatch):
    from ui import identity

    def listening_on(where: str) -> None:
        monkeypatch.setattr(identity, "listening_address", lambda: where)

    return listening_on


def test_the_demo_refuses_to_serve_other_machines_unless_opened_on_purpose(unstarted_app, address):
    address("0.0.0.0")
    unstarted_app.run()
    assert texts(unstarted_app.title) == ["The dashboard is not safely configured"]
    containing(unstarted_app.markdown, "`DASHBOARD_DEMO_OPEN=1`")


def test_a_demo_opened_on_purpose_says_so_on_every_page_and_in_the_log(unstarted_app, address, monkeypatch, caplog):
    address("0.0.0.0")
    monkeypatch.setenv("DASHBOARD_DEMO_OPEN", "1")
    unstarted_app.run()
    for page in ("overview", "upload_history", "audit_log"):
        unstarted_app.switch_page(f"views/{page}.py").run()
        assert not unstarted_app.exception
        assert any("demo mode, open to the network" in e.value for e in unstarted_app.sidebar.error), page
        assert any("demo mode, open to the network" in e.value for e in unstarted_app.main.error), page
    assert any("DEMO MODE OPEN TO THE NETWORK" in r.getMessage() for r in caplog.records)


def test_the_demo_on_loopback_says_only_this_computer_can_open_it(app):
    notice = containing(app.sidebar.warning, "No sign-in: demo mode").value
    assert "No sign-in: demo mode" in notice and "Only this computer can open it" in notice and "127" in notice


def test_a_busy_store_in_the_demo_gets_the_busy_page_not_an_error(unstarted_app, monkeypatch):
    from ui import data

    unstarted_app.run()
    assert not unstarted_app.exception

    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program. Try again in a moment.")

    monkeypatch.setattr(data, "open_store", busy)
    data.refresh()
    unstarted_app.switch_page("views/overview.py").run()
    assert not unstarted_app.exception
    assert texts(unstarted_app.title) == ["The dashboard is busy"]


def test_a_busy_store_at_the_demo_s_first_start_gets_the_busy_page(unstarted_app, monkeypatch):
    from ui import data

    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program. Try again in a moment.")

    monkeypatch.setattr(data, "connect", busy)
    unstarted_app.run()
    assert not unstarted_app.exception
    assert texts(unstarted_app.title) == ["The dashboard is busy"]
