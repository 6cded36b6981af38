import pandas as pd
import pytest

from ingest.issues import UploadRefused
from ingest.load import Provenance, find_loaded_upload, load_observations, withdraw_upload
from settings import DEMO_LA_CODE
from store import queries
from tests.actors import analyst
from tests.store_state import last_upload


def _current(con, kpi="ASSESS_45WD_PCT", period="2026-10-01"):
    return con.execute(
        "SELECT value, upload_id FROM observations WHERE la_code = ? AND kpi_code = ? AND period = ? AND is_current",
        [DEMO_LA_CODE, kpi, period],
    ).fetchall()


def _upload(con, value, name="october.csv"):
    frame = pd.DataFrame({"la_code": [DEMO_LA_CODE], "kpi_code": ["ASSESS_45WD_PCT"], "period": ["2026-10"],
                          "value": [value]})
    return load_observations(con, frame, Provenance.of_bytes(name, f"{value}".encode(), "analyst@example.gov.uk"))


def test_demo_values_carry_their_upload(demo_con):
    uploads = demo_con.execute("SELECT upload_id, kind, rows_loaded FROM uploads WHERE kind <> 'national'").fetchall()
    assert uploads == [(1, "demo", 22440)], "besides the shipped national figures, the demo's one upload"
    assert _current(demo_con)[0][1] == 1


def test_a_later_upload_supersedes_and_keeps_history(demo_con):
    original = _current(demo_con)[0][0]
    upload_id = _upload(demo_con, 93.5)
    assert _current(demo_con) == [(93.5, upload_id)]
    history = demo_con.execute(
        "SELECT value FROM observations WHERE kpi_code = 'ASSESS_45WD_PCT' AND la_code = ? AND period = '2026-10-01'"
        " ORDER BY upload_id", [DEMO_LA_CODE]).fetchall()
    assert history == [(original,), (93.5,)]


def test_withdrawal_restores_the_superseded_value(demo_con):
    original = _current(demo_con)
    first = _upload(demo_con, 93.5, "a.csv")
    second = _upload(demo_con, 94.5, "b.csv")
    withdraw_upload(demo_con, second, analyst("analyst@example.gov.uk"))
    assert _current(demo_con) == [(93.5, first)]
    withdraw_upload(demo_con, first, analyst("analyst@example.gov.uk"))
    assert _current(demo_con) == original
    status = demo_con.execute("SELECT status, withdrawn_by FROM uploads WHERE upload_id = ?", [first]).fetchone()
    assert status == ("withdrawn", "analyst@example.gov.uk")


def test_withdrawing_twice_or_an_unknown_upload_is_refused(demo_con):
    upload_id = _upload(demo_con, 90)
    withdraw_upload(demo_con, upload_id, analyst("x"))
    with pytest.raises(UploadRefused, match="already withdrawn"):
        withdraw_upload(demo_con, upload_id, analyst("x"))
    with pytest.raises(UploadRefused):
        withdraw_upload(demo_con, 999, analyst("x"))


def test_same_file_is_recognised_by_its_hash(demo_con):
    upload_id = _upload(demo_con, 91.0)
    assert find_loaded_upload(demo_con, Provenance.of_bytes("renamed.csv", b"91.0", "x").sha256) == upload_id


def test_a_load_that_fails_leaves_nothing(demo_con):
    before = demo_con.execute("SELECT count(*) FROM observations").fetchone()[0]
    last = last_upload(demo_con)
    frame = pd.DataFrame({"la_code": [DEMO_LA_CODE] * 2, "kpi_code": ["ASSESS_45WD_PCT"] * 2,
                          "period": ["2026-10", "2026-10"], "value": [1.0, 2.0]})
    with pytest.raises(Exception):
        load_observations(demo_con, frame, Provenance.of_bytes("dupe.csv", b"d", "x"))
    assert demo_con.execute("SELECT count(*) FROM observations").fetchone()[0] == before
    assert last_upload(demo_con) == last
    assert _current(demo_con)[0][1] == 1


def test_series_query_names_the_upload_file(demo_con):
    series = queries.kpi_series(demo_con, DEMO_LA_CODE, "REFERRALS", pd.Timestamp("2026-10-01").date())
    assert len(series) == 60
    assert series["upload_file"].iloc[0].startswith("demo/observations.csv")
