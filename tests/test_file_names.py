"""An upload's file name: made safe where the upload comes in, the name as given kept beside it."""
from __future__ import annotations

import pytest

from ingest.load import MAX_NAME, Provenance, safe_file_name

HOSTILE = "[click](http://evil.example/x) ![i](http://127.0.0.1:9/x.png) <b>x</b>.csv"


@pytest.mark.parametrize("given,safe", [
    ("october.xlsx", "october.xlsx"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..\\..\\Windows\\return.xlsx", "return.xlsx"),
    ("C:\\Users\\pat\\Desktop\\Return Oct.xlsx", "Return Oct.xlsx"),
    ("invoice\u202egpj.csv", "invoicegpj.csv"),              # right-to-left override: read as "invoicevsc.jpg"
    ("a\u2066b\u2069\u200f\u200b.csv", "ab.csv"),             # isolates, a right-to-left mark, a zero-width space
    ("two\nlines\r\tand\x00nul\x1b[31m.csv", "two lines andnul[31m.csv"),
    ("  lots   of    space  .csv ", "lots of space .csv"),
    ("..", "upload"),
    ("dir/", "upload"),
    ("", "upload"),
    ("cafe\u0301.csv", "café.csv"),                            # one spelling of é
])
def test_a_name_loses_its_folders_and_hidden_characters(given, safe):
    assert safe_file_name(given) == safe


def test_a_slash_anywhere_is_a_folder_and_markdown_is_left_for_the_pages_to_show_as_text():
    assert safe_file_name(HOSTILE) == "b>.csv"
    assert safe_file_name("[a](b) *c*.csv") == "[a](b) *c*.csv"


def test_a_long_name_is_cut_keeping_its_extension():
    name = safe_file_name("a" * 500 + ".xlsx")
    assert len(name) == MAX_NAME
    assert name.endswith("….xlsx")


def test_provenance_keeps_the_name_as_given():
    provenance = Provenance.of_bytes("../secret/\u202ereturn.csv", b"data", "pat@anyshire.example")
    assert provenance.file_name == "return.csv"
    assert provenance.original_file_name == "../secret/\u202ereturn.csv"
    undecodable = Provenance.of_bytes("bad\udcff.csv", b"data", "pat")
    assert undecodable.original_file_name == "bad\\udcff.csv" and undecodable.file_name == "bad.csv"


def test_an_upload_stores_both_names(demo_con):
    from auth.roles import Actor
    from ingest import upload
    from settings import DEMO_LA_CODE

    content = b"kpi,period,value\nSW_AGENCY_PCT,2025-10,12.5\n"
    plan = upload.prepare(demo_con, "../../" + HOSTILE, content, home_la=DEMO_LA_CODE, user="pat@anyshire.example")
    assert not plan.errors, plan.errors
    upload_id = upload.commit(demo_con, plan, Actor("pat@anyshire.example", "analyst"), checked=True)
    stored = demo_con.execute("SELECT file_name, original_file_name FROM uploads WHERE upload_id = ?",
                              [upload_id]).fetchone()
    assert stored == ("b>.csv", "../../" + HOSTILE)


def test_uploads_made_before_the_original_name_was_kept_get_it_from_their_name(tmp_path, monkeypatch):
    from store import connection, schema

    path = tmp_path / "old.duckdb"
    every = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: tuple(m for m in every if m[0] < 7))
    con = connection.connect(path)
    con.execute("INSERT INTO uploads (file_name, sha256, size_bytes, kind, uploaded_by, uploaded_at, rows_loaded,"
                " status) VALUES ('old\u202e.csv', 'h', 1, 'monthly', 'pat', now(), 1, 'loaded')")
    con.close()
    monkeypatch.undo()
    con = connection.connect(path)
    assert con.execute("SELECT file_name, original_file_name FROM uploads").fetchall() == [("old\u202e.csv",) * 2]
    con.close()
