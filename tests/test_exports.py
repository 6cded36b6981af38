"""Downloads are made on a click, for a person whose role (read again at the click) allows them, and a file
leaves only after its export entry is written: when the entry cannot be written, nothing is served."""
from __future__ import annotations

import pytest
from streamlit.runtime.media_file_storage import MediaFileStorageError

from auth import users
from auth.roles import AccessDenied, operator
from store.connection import open_store
from store.errors import StoreBusyError
from tests.actors import ANALYST, VIEWER
from tests.test_pages_access import PEOPLE, entries, signed_in  # noqa: F401  (signed_in is a fixture)
from ui import exports


@pytest.fixture
def people(demo_db_path):
    with open_store(demo_db_path) as con:
        users.set_role(con, VIEWER.email, "viewer", "", operator("setup"))
        users.set_role(con, ANALYST.email, "analyst", "", operator("setup"))
    return demo_db_path


def export_for(db, actor, permission="export_internal", **kwargs):
    return exports.Export(actor, str(db), permission, "KPI data: x.csv", {"file": "x.csv", "audience": "internal"},
                          **kwargs)


def test_a_click_makes_the_file_then_writes_one_entry(people):
    made = []
    produce = exports.producer(lambda: made.append(1) or b"a,b\n", export_for(people, VIEWER))
    assert made == [] and entries(people, actions=["export"]).empty, "nothing is made or recorded before a click"
    assert produce() == b"a,b\n"
    export = entries(people, actions=["export"])
    assert export[["actor", "role", "subject"]].values.tolist() == [[VIEWER.email, "viewer", "KPI data: x.csv"]]
    produce()
    assert len(entries(people, actions=["export"])) == 2, "each click is one entry"


def test_a_role_taken_away_after_the_page_was_drawn_gets_nothing(people):
    produce = exports.producer(b"a,b\n", export_for(people, VIEWER))
    with open_store(people) as con:
        users.remove_user(con, VIEWER.email, operator("admin"))
    with pytest.raises(AccessDenied):
        produce()
    assert entries(people, actions=["export"]).empty


def test_a_viewer_gets_no_pack_for_publication_even_by_a_stale_button(people):
    with pytest.raises(AccessDenied):
        exports.producer(b"deck", export_for(people, VIEWER, "export_publication"))()
    assert exports.producer(b"deck", export_for(people, ANALYST, "export_publication"))() == b"deck"
    assert entries(people, actions=["export"])["actor"].tolist() == [ANALYST.email]


def test_when_the_audit_log_cannot_be_written_no_file_is_handed_over(people, monkeypatch):
    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program")

    monkeypatch.setattr(exports, "open_store", busy)
    with pytest.raises(StoreBusyError):
        exports.producer(b"a,b\n", export_for(people, VIEWER))()
    monkeypatch.undo()
    assert entries(people, actions=["export"]).empty


def test_a_file_that_cannot_be_made_is_not_recorded_as_taken(people):
    def broken() -> bytes:
        raise RuntimeError("chart renderer stopped")

    with pytest.raises(RuntimeError):
        exports.producer(broken, export_for(people, VIEWER))()
    assert entries(people, actions=["export"]).empty


def test_on_the_page_a_click_writes_exactly_one_entry_and_only_while_the_role_lasts(
        signed_in, demo_db_path, downloads):
    app = signed_in(PEOPLE["viewer"])
    app.switch_page("views/trend.py").run()
    csv = next(b for b in app.download_button if b.label == "Download this data (CSV)")
    assert csv.proto.url == "" and csv.proto.deferred_file_id, "no /media URL until the click"
    name = next(n for n in downloads.waiting if n.endswith(".csv"))
    assert entries(demo_db_path, actions=["export"]).empty
    content, mime = downloads.produce(name)
    assert mime == "text/csv" and content.decode("utf-8-sig").startswith("Month,Value,Target")
    assert entries(demo_db_path, actions=["export"])["actor"].tolist() == [PEOPLE["viewer"]]

    downloads.clear()
    with open_store(demo_db_path) as con:
        users.remove_user(con, PEOPLE["viewer"], operator("admin"))
    with pytest.raises(MediaFileStorageError):
        downloads.produce(name)
    assert name not in downloads, "no file was stored to serve"
    assert len(entries(demo_db_path, actions=["export"])) == 1


def test_on_the_page_a_busy_audit_log_means_no_file(app, demo_db_path, downloads, monkeypatch):
    app.switch_page("views/benchmarks.py").run()
    name = next(n for n in downloads.waiting if n.endswith(".csv"))

    def busy(*args, **kwargs):
        raise StoreBusyError("The database is in use by another program")

    monkeypatch.setattr(exports, "open_store", busy)
    with pytest.raises(MediaFileStorageError):
        downloads.produce(name)
    assert name not in downloads
    monkeypatch.undo()
    assert entries(demo_db_path, actions=["export"]).empty
