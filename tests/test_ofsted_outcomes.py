"""Ofsted's official statistics on LA inspection outcomes (the real ODS, and the same shape as xlsx) loaded as
every council's ILACS inspections: once each, and retired again when the upload is withdrawn."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ingest import upload
from ingest.bootstrap import ensure_ready
from ingest.catalogue import load_reference_data
from ingest.load import withdraw_upload
from ingest.readers import read_file
from records import plan_edits
from settings import DATA_DIR
from store import queries
from store.connection import connect
from tests import fixtures
from tests.actors import ANALYST
from tests.conftest import ROOT
from tests.find import containing, frame
from ui.text import unescape, unescape_cells

ODS = DATA_DIR / "national" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
PLYMOUTH, STAFFORDSHIRE = "E06000026", "E10000028"
SOURCE = "Ofsted official statistics, LA inspection outcomes as at 31 March 2025"
RI = "requires_improvement"


def prepare(con, name: str, content: bytes) -> upload.Plan:
    return upload.prepare(con, name, content, home_la=PLYMOUTH, user=ANALYST.email)


def load(con, name: str, content: bytes) -> int:
    plan = prepare(con, name, content)
    assert plan.can_load, [i.line() for i in plan.errors]
    return upload.commit(con, plan, ANALYST)


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ofsted") / "reference.duckdb"
    con = connect(path)
    load_reference_data(con)
    con.close()
    return path


@pytest.fixture
def con(reference_store: Path, tmp_path: Path):
    path = tmp_path / "store.duckdb"
    shutil.copy(reference_store, path)
    connection = connect(path)
    yield connection
    connection.close()


def live_inspections(con) -> list[tuple]:
    return con.execute("SELECT la_code, upload_id FROM inspections WHERE retired_at IS NULL").fetchall()


def publication_sheets() -> dict[str, list[list[object]]]:
    """The real publication's sheets as rows, to save again as xlsx."""
    return {sheet.name: sheet.rows for sheet in read_file(ODS.name, ODS.read_bytes())}


def test_the_publication_loads_every_councils_latest_and_earlier_ilacs_judgements(con):
    plan = prepare(con, ODS.name, ODS.read_bytes())
    assert plan.issues == []
    assert plan.contents() == "ILACS judgements for 153 councils"
    read_as = {s.sheet: (s.layout, s.rows, s.note) for s in plan.parsed.sheets}
    assert {read_as[name][0] for name in ("Cover", "Contents", "Notes")} == {"skipped"}
    assert read_as["Inspections_as_at_31_March"][:2] == ("Ofsted inspection outcomes", 153)
    assert read_as["ILACS_inspection_history"][2] == "left out: 3 inspections of councils that no longer exist"
    upload_id = upload.commit(con, plan, ANALYST)

    stored = live_inspections(con)
    assert len(stored) == 268 and len({la for la, _ in stored}) == 153
    assert {u for _, u in stored} == {upload_id}
    assert con.execute("SELECT kind, rows_loaded FROM uploads WHERE upload_id = ?", [upload_id]).fetchone() == (
        "inspections", 268)
    plymouth = queries.inspections(con, PLYMOUTH)
    assert [(r.kind, r.inspected_on.date(), r.published_on.date()) for r in plymouth.itertuples()] == [
        ("ilacs_standard", date(2018, 10, 29), date(2019, 1, 7)),
        ("ilacs_standard", date(2024, 1, 22), date(2024, 3, 15))]
    latest = plymouth.iloc[-1]
    assert [latest[area] for area in ("overall", "leaders", "help_protection", "children_in_care",
                                      "care_leavers")] == [RI] * 5
    assert pd.isna(plymouth.iloc[0]["care_leavers"])  # not judged apart before January 2023
    assert set(plymouth["report_ref"]) == {SOURCE}


def test_the_type_comes_from_the_history_sheet_and_the_judgements_from_the_latest(con):
    load(con, ODS.name, ODS.read_bytes())
    staffordshire = queries.inspections(con, STAFFORDSHIRE).set_index("inspected_on")
    short = staffordshire.loc[datetime(2023, 11, 6)]
    assert short["kind"] == "ilacs_short"
    assert short["care_leavers"] == RI  # as corrected in this publication


def test_a_newer_file_adds_only_the_inspections_not_recorded_yet_and_names_those_it_contradicts(con):
    load(con, ODS.name, ODS.read_bytes())
    sheets = publication_sheets()
    latest, history = sheets["Inspections_as_at_31_March"], sheets["ILACS_inspection_history"]
    plymouth = next(row for row in latest if row[1] == PLYMOUTH)
    corrected = [*plymouth[:10], "Good"]  # a made-up correction of Plymouth's care leavers judgement
    when = [datetime(2026, 3, 2), datetime(2026, 4, 20)]
    grades = ["Good"] * 5
    later = ["Ofsted Local Authority Webpage", "E06000027", "Torbay", "South West", *when, *grades]  # made up
    later_history = [*later[:3], "Current", "South West", *when, "ILACS Short Inspection", *grades]
    newer = {"Cover": sheets["Cover"], "Inspections_as_at_31_March": [*latest[:3], corrected, later],
             "ILACS_inspection_history": [*history, later_history]}
    plan = prepare(con, "LA_Inspection_Outcomes_as_at_31_March_2026.xlsx", fixtures.xlsx(newer))
    assert plan.errors == []
    (warning,) = plan.warnings
    assert warning.rule == "inspections_already_recorded"
    assert warning.message.startswith("268 inspections in this file are recorded already and will be left as they "
                                      "are; 1 of them is recorded with other judgements")
    assert warning.found == f"{PLYMOUTH} inspected 22 Jan 2024"
    upload.commit(con, plan, ANALYST)

    assert len(live_inspections(con)) == 269
    assert queries.inspections(con, PLYMOUTH).iloc[-1]["care_leavers"] == RI
    torbay = queries.inspections(con, "E06000027").iloc[-1]
    assert (torbay["kind"], torbay["inspected_on"]) == ("ilacs_short", datetime(2026, 3, 2))


def test_an_inspection_no_sheet_gives_a_type_for_is_recorded_as_standard_with_a_warning(con):
    latest = publication_sheets()["Inspections_as_at_31_March"]
    plan = prepare(con, "latest_only.xlsx", fixtures.xlsx({"Latest": latest[:4]}))
    (warning,) = plan.warnings
    assert warning.rule == "inspection_type_unknown" and warning.found == latest[3][1]
    assert plan.inspections.inspections[0][1].kind == "ilacs_standard"


def test_a_grade_that_is_not_ofsteds_is_refused_at_its_cell(con):
    latest = publication_sheets()["Inspections_as_at_31_March"]
    wrong = [*latest[3][:6], "Satisfactory", *latest[3][7:]]
    plan = prepare(con, "latest.xlsx", fixtures.xlsx({"Latest": [*latest[:3], wrong]}))
    (error,) = plan.errors
    assert (error.sheet, error.cell, error.found) == ("Latest", "G4", "Satisfactory")
    assert not plan.can_load


def test_withdrawing_the_upload_retires_its_inspections_and_keeps_those_typed_in(con):
    upload_id = load(con, ODS.name, ODS.read_bytes())
    typed = plan_edits.add_inspection(con, PLYMOUTH, plan_edits.InspectionInput("focused_visit", date(2025, 6, 2)),
                                      ANALYST)
    withdraw_upload(con, upload_id, ANALYST)

    assert live_inspections(con) == [(PLYMOUTH, None)]
    assert queries.inspections(con, PLYMOUTH)["inspection_id"].tolist() == [typed]
    retired_by = con.execute("SELECT DISTINCT retired_by FROM inspections WHERE upload_id = ?", [upload_id]).fetchall()
    assert retired_by == [(ANALYST.email,)]
    load(con, ODS.name, ODS.read_bytes())
    assert len(live_inspections(con)) == 269


@pytest.fixture(scope="module")
def council_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real council's store: DfE's children-looked-after file, both neighbour models and Ofsted's outcomes loaded
    by an analyst, then the rest of the national baseline as the app's first start loads it."""
    path = tmp_path_factory.mktemp("council") / "dashboard.duckdb"
    con = connect(path)
    load_reference_data(con)
    national = DATA_DIR / "national"
    for name in ("cla_number_and_rate_per_10k_children.csv", "New_Statistical_Neighbour_Groupings_April_2021.csv",
                 "sn_model_2025_wide.csv", ODS.name):
        load(con, name, (national / name).read_bytes())
    ensure_ready(con, PLYMOUTH)
    con.close()
    return path


@pytest.fixture
def council_app(council_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app for Plymouth on a copy of that store, not yet run."""
    path = tmp_path / "dashboard.duckdb"
    shutil.copy(council_store, path)
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.setenv("DASHBOARD_LA", PLYMOUTH)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_a_real_council_sees_its_inspections_from_ofsteds_statistics_with_their_source(council_app):
    council_app.switch_page("views/inspections.py").run()
    assert not council_app.exception
    table = unescape_cells(frame(council_app.table, "Type", "Overall effectiveness"))
    assert table["Type"].tolist() == ["Standard ILACS inspection"] * 2
    assert table["Inspected"].tolist() == ["22 Jan 2024", "29 Oct 2018"]
    assert table.iloc[0]["Care leavers"] == "Requires improvement to be good"
    assert table.iloc[1]["Care leavers"] == "Not judged"
    source = unescape(containing(council_app.caption, "Ofsted official statistics", unescaped=True).value)
    assert source == f"Source: {SOURCE}. Contains public sector information licensed under the Open Government " \
                     "Licence v3.0."
