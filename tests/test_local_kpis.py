"""Local KPIs: the council's own measures added to the catalogue, versioned, audited, retired but never deleted,
and taken by uploads and pages like the statutory ones."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import kpi_view
from auth import audit
from auth.roles import AccessDenied
from ingest import cli, upload
from ingest.catalogue import load_reference_data
from ingest.local_kpis import (LocalKpi, add_local_kpi, add_local_kpis, change_local_kpi, guess_unit, may_edit,
                               restore_kpi, retire_kpi, suggest_code)
from settings import DEMO_LA_CODE
from store import queries
from store.connection import open_store
from store.errors import EditRefused
from tests.actors import ADMIN, ANALYST, VIEWER
from tests.find import containing, frame, widget
from tests.fixtures import long_rows, xlsx
from tests.test_pages_access import PEOPLE, signed_in  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUDITS = LocalKpi(code="CASE_AUDIT_GOOD_PCT", name="Case audits graded good or better", unit="%", polarity="high",
                  kpi_group="Quality assurance", decimals=1)
SUPERVISION = LocalKpi(code="SUPERVISION_PCT", name="Supervision within timescale", unit="%", polarity="high",
                       kpi_group="Quality assurance")


def catalogue_row(con, code: str) -> dict | None:
    table = queries.catalogue(con)
    found = table[table["code"] == code]
    return None if found.empty else found.iloc[0].to_dict()


def test_a_local_kpi_is_added_marked_versioned_and_audited(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    row = catalogue_row(demo_con, AUDITS.code)
    assert row["name"] == "Case audits graded good or better (local)" and row["plain_name"] == AUDITS.name
    assert (row["origin"], row["unit"], row["polarity"], row["kpi_group"]) == ("local", "%", "high",
                                                                              "Quality assurance")
    assert row["definition"] == AUDITS.name  # a definition left blank says what the name says
    versions = queries.kpi_versions(demo_con)
    assert versions[["code", "version", "change", "changed_by"]].values.tolist() == [
        [AUDITS.code, 1, "added", ADMIN.email]]
    (entry,) = audit.entries(demo_con, ADMIN, actions=["kpi_add"]).itertuples()
    assert entry.subject == AUDITS.code and "Quality assurance" in entry.after


@pytest.mark.parametrize("kpi, words", [
    (LocalKpi("CLA_RATE", "Something new", "%", "high", "G"), "Code CLA_RATE is a statutory KPI"),
    (LocalKpi("case audits", "Something new", "%", "high", "G"), "must start with a capital letter"),
    (LocalKpi("9LIVES", "Something new", "%", "high", "G"), "must start with a capital letter"),
    (LocalKpi("NEW_ONE", "Contacts received", "count", "none", "G"), "already used by CONTACTS"),
    (LocalKpi("NEW_ONE", "", "count", "none", "G"), "Give the measure a name"),
    (LocalKpi("NEW_ONE", "New", "percent", "high", "G"), "Unit 'percent' must be one of"),
    (LocalKpi("NEW_ONE", "New", "%", "", "G"), "Choose which way is better"),
    (LocalKpi("NEW_ONE", "New", "%", "up", "G"), "Polarity 'up' must be one of"),
    (LocalKpi("NEW_ONE", "New", "%", "high", " "), "Give the group"),
    (LocalKpi("NEW_ONE", "New", "%", "high", "G", decimals=7), "Decimals must be a whole number from 0 to 3"),
    (LocalKpi("NEW_ONE", "New", "%", "high", "G", frequency="weekly"), "Frequency 'weekly'"),
    (LocalKpi("NEW_ONE", "New", "%", "high", "G", denominator_kpi="CLA_RATE"), "must be the code of a count KPI"),
    (LocalKpi("NEW_ONE", "New", "count", "high", "G", denominator_kpi="CLA_COUNT"), "Only a percentage"),
])
def test_a_malformed_or_duplicate_local_kpi_is_refused_in_words_and_nothing_is_written(demo_con, kpi, words):
    before = len(queries.full_catalogue(demo_con))
    with pytest.raises(EditRefused, match=words):
        add_local_kpi(demo_con, kpi, ADMIN)
    assert len(queries.full_catalogue(demo_con)) == before and queries.kpi_versions(demo_con).empty


def test_a_code_taken_by_a_local_kpi_is_refused_even_once_retired(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    retire_kpi(demo_con, AUDITS.code, ADMIN)
    with pytest.raises(EditRefused, match="a local KPI already"):
        add_local_kpi(demo_con, LocalKpi(AUDITS.code, "Another name", "%", "high", "G"), ADMIN)


def test_several_measures_are_added_all_or_none(demo_con):
    bad = LocalKpi("RHI_OFFERED", "Return home interviews offered", "%", "", "Missing")
    with pytest.raises(EditRefused, match="Return home interviews offered: Choose which way is better"):
        add_local_kpis(demo_con, [AUDITS, bad], ADMIN)
    assert catalogue_row(demo_con, AUDITS.code) is None
    assert add_local_kpis(demo_con, [AUDITS, SUPERVISION], ADMIN) == [AUDITS.code, SUPERVISION.code]
    with pytest.raises(EditRefused, match="the code is given twice"):
        add_local_kpis(demo_con, [LocalKpi("TWICE", "One", "%", "high", "G"), LocalKpi("TWICE", "Two", "%", "high",
                                                                                        "G")], ADMIN)


def test_only_admins_change_the_catalogue_unless_the_council_lets_analysts(demo_con):
    with pytest.raises(AccessDenied, match="needs the admin role"):
        add_local_kpi(demo_con, AUDITS, ANALYST)
    assert not may_edit(ANALYST, False) and may_edit(ANALYST, True) and not may_edit(VIEWER, True)
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        add_local_kpi(demo_con, AUDITS, VIEWER, analysts_may=True)
    add_local_kpi(demo_con, AUDITS, ANALYST, analysts_may=True)
    assert catalogue_row(demo_con, AUDITS.code) is not None


def load(con, rows: dict, name: str = "return.xlsx") -> upload.Plan:
    plan = upload.prepare(con, name, xlsx({"Data": long_rows(rows)}), home_la=DEMO_LA_CODE, user=ADMIN.email)
    if plan.can_load:
        upload.commit(con, plan, ADMIN, checked=True)
    return plan


def test_an_upload_names_the_measures_the_catalogue_does_not_know_then_takes_them_once_added(demo_con):
    rows = {(AUDITS.name, "2026-09"): 61.5, (AUDITS.name, "2026-10"): 64.0,
            ("Supervision within timescale", "2026-10"): 82.0, ("CONTACTS", "2026-10"): 2700}
    refused = load(demo_con, rows)
    assert refused.unknown_measures == [AUDITS.name, "Supervision within timescale"]
    assert all("add the council's own measure as a local KPI" in i.fix for i in refused.errors)
    add_local_kpis(demo_con, [AUDITS, SUPERVISION], ADMIN)
    loaded = load(demo_con, rows)
    assert loaded.can_load and not loaded.unknown_measures
    stored = demo_con.execute("SELECT period, value FROM observations WHERE kpi_code = ? AND is_current"
                              " ORDER BY period", [AUDITS.code]).fetchall()
    assert stored == [(date(2026, 9, 1), 61.5), (date(2026, 10, 1), 64.0)]


def test_a_local_kpi_is_on_the_scorecard_without_an_england_figure(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    load(demo_con, {(AUDITS.code, "2026-09"): 61.5, (AUDITS.code, "2026-10"): 64.0})
    card = kpi_view.read_scorecard(demo_con, DEMO_LA_CODE, date(2026, 10, 1))
    row = card[card["kpi_code"] == AUDITS.code].iloc[0]
    assert (row["name"], row["latest"], row["latest_text"]) == (
        "Case audits graded good or better (local)", 64.0, "64.0%")
    assert pd.isna(row["england"]) and pd.isna(row["neighbour"])


def test_a_retired_kpi_leaves_the_pages_and_uploads_with_its_history_kept_and_comes_back(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    load(demo_con, {(AUDITS.code, "2026-10"): 64.0})
    retire_kpi(demo_con, AUDITS.code, ADMIN)
    assert catalogue_row(demo_con, AUDITS.code) is None
    full = queries.full_catalogue(demo_con).set_index("code")
    assert full.at[AUDITS.code, "monthly_values"] == 1 and full.at[AUDITS.code, "retired_by"] == ADMIN.email
    assert load(demo_con, {(AUDITS.code, "2026-11"): 65.0}, "later.xlsx").unknown_measures == [AUDITS.code]
    with pytest.raises(EditRefused, match="already retired"):
        retire_kpi(demo_con, AUDITS.code, ADMIN)
    restore_kpi(demo_con, AUDITS.code, ADMIN)
    assert catalogue_row(demo_con, AUDITS.code) is not None
    assert queries.kpi_versions(demo_con)["change"].tolist() == ["restored", "retired", "added"]
    actions = audit.entries(demo_con, ADMIN)["action"].tolist()
    assert {"kpi_add", "kpi_retire", "kpi_restore"} <= set(actions)


def test_a_statutory_kpi_cannot_be_retired_or_changed(demo_con):
    with pytest.raises(EditRefused, match="is a statutory KPI"):
        retire_kpi(demo_con, "CLA_RATE", ADMIN)
    with pytest.raises(EditRefused, match="is a statutory KPI"):
        change_local_kpi(demo_con, LocalKpi("CLA_RATE", "Renamed", "rate", "low", "G"), ADMIN)


def test_a_change_is_a_new_version_and_a_unit_with_figures_stays(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    version = change_local_kpi(demo_con, LocalKpi(AUDITS.code, "Audits good or better", "%", "high", "Quality"),
                               ADMIN)
    assert version == 2 and catalogue_row(demo_con, AUDITS.code)["plain_name"] == "Audits good or better"
    load(demo_con, {(AUDITS.code, "2026-10"): 64.0})
    with pytest.raises(EditRefused, match="its unit cannot change"):
        change_local_kpi(demo_con, LocalKpi(AUDITS.code, "Audits good or better", "count", "high", "Quality"), ADMIN)


def test_reloading_the_statutory_catalogue_keeps_local_kpis(demo_con):
    add_local_kpi(demo_con, AUDITS, ADMIN)
    load_reference_data(demo_con)
    assert catalogue_row(demo_con, AUDITS.code)["origin"] == "local"
    assert (queries.catalogue(demo_con)["origin"] == "statutory").sum() == 34


def test_codes_and_units_are_guessed_from_a_measure_s_name():
    assert suggest_code("Case audits graded good or better", set()) == "CASE_AUDITS_GRADED_GOOD_OR_BETTER"
    assert suggest_code("% of RHIs offered", set()) == "PCT_OF_RHIS_OFFERED"
    assert suggest_code("2nd opinion", set()) == "LOCAL_2ND_OPINION"
    assert suggest_code("Missing episodes", {"MISSING_EPISODES"}) == "MISSING_EPISODES_2"
    assert len(suggest_code("x" * 80, set())) == 40
    assert guess_unit("Supervision within timescale") == "%" and guess_unit("Missing episodes") == "count"


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "DASHBOARD_LA": DEMO_LA_CODE})


def test_the_command_line_adds_lists_and_retires_local_kpis(demo_db_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    db = str(demo_db_path)
    added = run_cli("kpi", "add", "CASE_AUDIT_GOOD_PCT", "--name", AUDITS.name, "--unit", "%", "--polarity", "high",
                    "--group", "Quality assurance", db=demo_db_path)
    assert added.returncode == 0, added.stderr
    assert "CASE_AUDIT_GOOD_PCT added as a local KPI: Case audits graded good or better" in added.stdout
    assert cli.main(["kpi", "add", "CLA_RATE", "--name", "x", "--unit", "%", "--polarity", "high", "--group", "G",
                     "--db", db]) == 1
    assert "Code CLA_RATE is a statutory KPI" in capsys.readouterr().err
    assert cli.main(["kpi", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "CASE_AUDIT_GOOD_PCT" in listing and "35 KPIs: 34 statutory, 1 local" in listing
    assert cli.main(["kpi", "retire", "CASE_AUDIT_GOOD_PCT", "--db", db]) == 0
    assert cli.main(["kpi", "list", "--db", db]) == 0
    assert f"retired {date.today():%Y-%m-%d}" in capsys.readouterr().out
    assert cli.main(["kpi", "retire", "CLA_RATE", "--db", db]) == 1


def test_the_command_line_refuses_unknown_measures_with_the_command_that_adds_them(demo_db_path, tmp_path, capsys):
    path = tmp_path / "return.xlsx"
    path.write_bytes(xlsx({"Data": long_rows({("Return home interviews offered", "2026-10"): 41,
                                              ("CONTACTS", "2026-10"): 2700})}))
    assert cli.main(["load", str(path), "--db", str(demo_db_path), "--la", DEMO_LA_CODE]) == 1
    err = capsys.readouterr().err
    assert "1 measure not in the catalogue: 'Return home interviews offered'" in err
    assert ("python -m ingest kpi add RETURN_HOME_INTERVIEWS_OFFERED --name 'Return home interviews offered' "
            "--unit count --polarity high|low|target|none --group GROUP") in err


def upload_file(app: AppTest, rows: dict) -> AppTest:
    app.switch_page("views/upload_file.py").run()
    app.file_uploader[0].set_value(("return.xlsx", xlsx({"Data": long_rows(rows)}), XLSX_MIME)).run()
    assert not app.exception
    return app


RETURN = {(AUDITS.name, "2026-09"): 61.5, (AUDITS.name, "2026-10"): 64.0, ("CONTACTS", "2026-10"): 2700}


def test_the_upload_page_adds_the_file_s_measures_then_loads_them_on_confirm(app, demo_db_path):
    upload_file(app, RETURN)
    assert containing(app.subheader, "Measures the catalogue does not know")
    widget(app.selectbox, "Better when").set_value("high")
    widget(app.text_input, "Group on the Overview").set_value("Quality assurance")
    app.button[0].click()  # the form's submit is the only button before the file loads
    app.run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    with open_store(demo_db_path) as con:
        assert catalogue_row(con, "CASE_AUDITS_GRADED_GOOD_OR_BETTER")["unit"] == "%"
        assert con.execute("SELECT count(*) FROM observations WHERE kpi_code = 'CASE_AUDITS_GRADED_GOOD_OR_BETTER'"
                           ).fetchone()[0] == 0  # added, not loaded: the analyst has not pressed Load
    widget(app.button, "Load 3 values from return\\.xlsx").click().run()
    assert not app.exception
    with open_store(demo_db_path) as con:
        assert con.execute("SELECT count(*) FROM observations WHERE is_current AND"
                           " kpi_code = 'CASE_AUDITS_GRADED_GOOD_OR_BETTER'").fetchone()[0] == 2


@pytest.mark.parametrize("role, offered", [("analyst", False), ("admin", True)])
def test_only_a_role_that_may_add_local_kpis_is_offered_the_form(signed_in, role, offered):  # noqa: F811
    app = upload_file(signed_in(PEOPLE[role]), RETURN)
    assert bool([i for i in app.info if "not in the catalogue" in i.value]) is not offered
    assert bool([w for w in app.text_input if w.label == "Code"]) is offered


def test_the_catalogue_page_lists_every_kpi_and_adds_a_local_one(app, demo_db_path):
    app.switch_page("views/kpi_catalogue.py").run()
    assert not app.exception
    table = frame(app.dataframe, "Code", "Kind")
    assert len(table) == 34 and set(table["Kind"]) == {"Statutory"}
    widget(app.text_input, "Name, as the monthly report gives it").set_value("Missing episodes")
    widget(app.text_input, "Code").set_value("MISSING_EPISODES")
    widget(app.selectbox, "Unit").set_value("count")
    widget(app.selectbox, "Better when").set_value("none")
    app.button[0].click().run()
    assert not app.exception and not app.error
    table = frame(app.dataframe, "Code", "Kind")
    assert table.set_index("Code").at["MISSING_EPISODES", "Kind"] == "Local (the council's own)"
    assert containing(app.success, "Local KPI added") or containing(app.toast, "Local KPI added")


def with_two_years_of_audits(db: Path) -> None:
    months = pd.date_range(end="2026-10", periods=24, freq="MS").strftime("%Y-%m")
    with open_store(db) as con:
        add_local_kpi(con, AUDITS, ADMIN)
        load(con, {(AUDITS.code, month): 55.0 + (i % 5) for i, month in enumerate(months)}, "audits.xlsx")


def test_every_page_shows_a_local_kpi_like_a_statutory_one(unstarted_app, demo_db_path):
    with_two_years_of_audits(demo_db_path)
    app = unstarted_app
    app.query_params["kpi"] = AUDITS.code
    app.run()
    assert not app.exception
    rows = pd.concat([table.value for table in app.dataframe if "KPI" in table.value.columns])
    row = rows.set_index("KPI").loc["Case audits graded good or better (local)"]
    assert row["Latest"] == "58.0%" and row["England"] == "–"
    for page in ("trend", "benchmarks", "workforce", "targets", "kpi_catalogue", "board_pack", "present"):
        app.switch_page(f"views/{page}.py").run()
        assert not app.exception, page
    app.switch_page("views/trend.py").run()
    assert widget(app.selectbox, "KPI").value == AUDITS.code
    (chart,) = app.get("plotly_chart")
    assert json.loads(chart.proto.spec)["layout"]["title"]["text"].startswith(
        "Case audits graded good or better (local)")


def test_the_board_pack_carries_a_local_kpi(demo_db_path, tmp_path, capsys, monkeypatch):
    from export import pack, render
    from export.__main__ import main as export_main
    from tests.test_board_pack import fake_renderer

    monkeypatch.setattr(pack, "render_for_slides", fake_renderer)
    monkeypatch.setattr(render, "warm_up", lambda: None)
    with_two_years_of_audits(demo_db_path)
    out = tmp_path / "all.pptx"
    assert export_main(["pack", "--month", "2026-10", "--audience", "all", "--out", str(out),
                        "--db", str(demo_db_path)]) == 0, capsys.readouterr().err
    from openpyxl import load_workbook
    book = load_workbook(out.with_suffix(".xlsx"))
    assert AUDITS.code in book.sheetnames
    kpis = [row[1] for row in book["KPIs"].iter_rows(values_only=True)]
    assert "Case audits graded good or better (local)" in kpis
