"""The national picture: the shipped DfE files and their manifest, how a DfE file is recognised and checked, the
newest release winning, the first start's load, and the published figures going out again."""
from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingest import cli, dfe, national, upload
from ingest.catalogue import load_reference_data, read_catalogue
from ingest.load import withdraw_upload
from ingest.national import NATIONAL_DIR, NATIONAL_USER, load_national, load_national_files
from ingest.values import normalise_name
from store import queries
from store.connection import connect
from tests.actors import ANALYST, analyst
from tests.dfe_files import (ENGLAND, LOOKED_AFTER, PLYMOUTH, SOUTH_WEST, TORBAY, area, looked_after,
                             older_workforce_release, placement_stability, tidy)

TODAY = date(2026, 11, 23)
USER = "analyst@council.example"
CLA_2025 = "Children looked after in England including adoptions 2025"
MARCH_2025, SEPTEMBER_2025 = date(2025, 3, 31), date(2025, 9, 30)
KPIS_WITH_A_NATIONAL_SOURCE = {
    "CLA_COUNT", "CLA_RATE", "CLA_STARTS", "REFERRALS", "REREFERRAL_12M_PCT", "CIN_COUNT", "CPP_REPEAT_PCT",
    "CPP_2YR_PCT", "CPP_COUNT", "PLACEMENT_3PLUS_PCT", "PLACEMENT_LT_STABLE_PCT", "CLA_3PLUS_SW_PCT",
    "CL_SUITABLE_ACCOM_PCT", "SW_FTE", "SW_TURNOVER_PCT", "SW_AGENCY_PCT", "SW_VACANCY_PCT", "SW_CASELOAD",
    "SW_ABSENCE_PCT"}
COUNCIL_DATA_READERS = {"sn_model_2025_wide.csv": "ingest.neighbour_tables",
                        "New_Statistical_Neighbour_Groupings_April_2021.csv": "ingest.neighbour_tables",
                        "LA_Inspection_Outcomes_as_at_31_March_2025.ods": "ingest.ofsted_outcomes"}


@pytest.fixture(scope="module")
def national_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[national.NationalFile]]:
    """An empty store after a council's first start: reference data, then every shipped file."""
    path = tmp_path_factory.mktemp("national") / "x.duckdb"
    con = connect(path)
    load_reference_data(con)
    outcomes = load_national_files(con, councils=True)
    con.close()
    return path, outcomes


@pytest.fixture
def national_con(national_db):
    con = connect(national_db[0])
    yield con
    con.close()


@pytest.fixture
def store(tmp_path: Path):
    con = connect(tmp_path / "x.duckdb")
    load_reference_data(con)
    yield con
    con.close()


def prepare(con, name: str, content: bytes) -> upload.Plan:
    return upload.prepare(con, name, content, home_la=PLYMOUTH[1], user=USER, today=TODAY)


def load(con, name: str, content: bytes) -> int:
    plan = prepare(con, name, content)
    assert plan.can_load, [i.line() for i in plan.errors]
    return upload.commit(con, plan, ANALYST)


def published(con, kpi_code: str, area_code: str) -> dict[int, tuple[float | None, str | None, str]]:
    """What the pages show for one KPI and area, by year: (value, status, release)."""
    rows = con.execute("SELECT year, value, status_code, release FROM published_figures WHERE kpi_code = ?"
                       " AND area_code = ? ORDER BY year", [kpi_code, area_code]).fetchall()
    return {year: (value, status, release) for year, value, status, release in rows}


def warnings(plan: upload.Plan, rule: str) -> list[str]:
    return [i.message for i in plan.warnings if i.rule == rule]


# The shipped files and the mapping

def test_every_shipped_file_matches_its_manifest_hash_under_the_open_government_licence():
    manifest = dfe.read_manifest()
    assert list(manifest.columns) == ["file", "publication", "release", "reference_date", "sha256", "licence"]
    for row in manifest.itertuples(index=False):
        assert hashlib.sha256((NATIONAL_DIR / row.file).read_bytes()).hexdigest() == row.sha256, row.file
    assert set(manifest["licence"]) == {"Open Government Licence v3.0"}
    shipped = {p.name for p in NATIONAL_DIR.iterdir()} - {"manifest.csv"}
    assert shipped == set(manifest["file"])


def test_a_tidy_file_s_release_in_the_manifest_is_the_latest_time_period_it_holds():
    for row in dfe.read_manifest().itertuples(index=False):
        if row.file.endswith(".csv"):
            frame = pd.read_csv(NATIONAL_DIR / row.file, dtype=str, encoding="utf-8-sig")
            if "time_period" in frame.columns:
                assert str(frame["time_period"].map(dfe._year).max()) == row.release, row.file


def test_the_mapping_reads_every_kpi_dfe_publishes_at_its_reference_date_and_derives_none():
    indicators = dfe.read_mapping()
    mapped = {i.kpi_code for i in indicators if i.kpi_code}
    assert mapped == KPIS_WITH_A_NATIONAL_SOURCE
    assert mapped <= set(read_catalogue()["code"])
    assert "CPP_RATE" not in mapped  # not published in these files; never worked out from the population
    for indicator in indicators:
        if indicator.kpi_code:
            expected = (9, 30) if indicator.kpi_code.startswith("SW_") else (3, 31)
            assert (indicator.month, indicator.day) == expected, indicator.kpi_code
    shipped = set(dfe.read_manifest()["publication"])
    assert {i.publication for i in indicators} <= shipped


# Known answers from the shipped files

def test_england_at_31_march_2025_is_what_dfe_published(national_con):
    england = queries.england(national_con)
    march = england[england["period_end"].dt.date == MARCH_2025].set_index("kpi_code")
    assert march.loc["CLA_COUNT", "value"] == 81_770 and march.loc["CLA_RATE", "value"] == 67
    assert march.loc["CLA_COUNT", "release"] == CLA_2025
    expected = {"REREFERRAL_12M_PCT": 22.6, "CPP_REPEAT_PCT": 24.5, "CPP_2YR_PCT": 2.3, "PLACEMENT_3PLUS_PCT": 10,
                "PLACEMENT_LT_STABLE_PCT": 69, "CL_SUITABLE_ACCOM_PCT": 89, "CIN_COUNT": 402_400,
                "CPP_COUNT": 49_420, "REFERRALS": 632_830, "CLA_STARTS": 32_270}
    assert {kpi: march.loc[kpi, "value"] for kpi in expected} == expected


def test_england_s_workforce_at_30_september_2025_is_what_dfe_published(national_con):
    england = queries.england(national_con)
    september = england[england["period_end"].dt.date == SEPTEMBER_2025].set_index("kpi_code")["value"].to_dict()
    assert {kpi: september[kpi] for kpi in ("SW_TURNOVER_PCT", "SW_AGENCY_PCT", "SW_VACANCY_PCT", "SW_CASELOAD",
                                            "SW_ABSENCE_PCT")} == {
        "SW_TURNOVER_PCT": 11.8, "SW_AGENCY_PCT": 13.0, "SW_VACANCY_PCT": 14.2, "SW_CASELOAD": 15.2,
        "SW_ABSENCE_PCT": 3.5}


def test_plymouth_s_looked_after_rate_in_2025_is_101(national_con):
    rates = queries.kpi_benchmarks(national_con, "CLA_RATE", "la")
    plymouth = rates[(rates["area_code"] == PLYMOUTH[1]) & (rates["year"] == 2025)]
    assert plymouth["value"].tolist() == [101]
    name = national_con.execute("SELECT name, old_la_code FROM councils WHERE la_code = ?", [PLYMOUTH[1]]).fetchone()
    assert name == ("Plymouth", "879")


# The first start's load

def test_each_shipped_file_is_an_upload_of_kind_national_by_the_shipped_baseline(national_db, national_con):
    outcomes = {o.file: o for o in national_db[1]}
    assert outcomes["ons_mid-year_population_estimates_2012_to_2024.csv"].outcome == "reference"
    kpi_files = [f for f in dfe.read_manifest()["file"] if f not in COUNCIL_DATA_READERS and f.startswith(
        ("cla", "la_", "b1", "c1", "d3", "d5", "csww"))]
    assert all(outcomes[f].outcome == "loaded" for f in kpi_files), {f: outcomes[f].note for f in kpi_files}
    uploads = national_con.execute("SELECT file_name, kind, uploaded_by FROM uploads ORDER BY upload_id").fetchall()
    assert {(kind, by) for _, kind, by in uploads} == {("national", NATIONAL_USER)}
    assert {name for name, _, _ in uploads} >= {f"national/{f}" for f in kpi_files}
    audited = national_con.execute("SELECT count(*) FROM audit_log WHERE action = 'upload' AND actor = ?",
                                   [NATIONAL_USER]).fetchone()[0]
    assert audited == len(uploads)


@pytest.mark.parametrize("file", sorted(COUNCIL_DATA_READERS))
def test_neighbour_models_and_inspection_outcomes_load_through_the_upload_s_own_dispatch(national_db, file):
    outcome = next(o for o in national_db[1] if o.file == file)
    if outcome.outcome != "loaded" and importlib.util.find_spec(COUNCIL_DATA_READERS[file]) is None:
        pytest.skip(f"{file} waits for its reader, {COUNCIL_DATA_READERS[file]}: {outcome.note}")
    assert outcome.outcome == "loaded", outcome.note


def test_a_second_start_loads_nothing_again(national_db, national_con):
    before = national_con.execute("SELECT count(*) FROM uploads").fetchone()[0]
    assert load_national(national_con, councils=True) == []
    assert national_con.execute("SELECT count(*) FROM uploads").fetchone()[0] == before


def test_the_demo_store_keeps_england_and_the_regions_but_no_real_council(store):
    ids = load_national(store, councils=False)
    assert ids
    assert store.execute("SELECT count(*) FROM benchmarks WHERE area_type = 'la'").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM councils").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM neighbours").fetchone()[0] == 0
    assert published(store, "CLA_COUNT", ENGLAND)[2025][0] == 81_770
    assert published(store, "CLA_RATE", SOUTH_WEST)[2025][0] > 0
    withdraw_upload(store, ids[0], analyst(USER))
    assert load_national(store, councils=False) == []  # a shipped file an admin withdrew stays withdrawn
    assert store.execute("SELECT status FROM uploads WHERE upload_id = ?", [ids[0]]).fetchone() == ("withdrawn",)


def test_a_shipped_file_that_differs_from_its_manifest_is_not_loaded(store, monkeypatch):
    manifest = dfe.read_manifest()
    altered = manifest[manifest["file"] == "la_cla_swcount.csv"].assign(sha256="0" * 64)
    monkeypatch.setattr(dfe, "read_manifest", lambda: altered)
    (outcome,) = load_national_files(store, councils=True)
    assert outcome.outcome == "altered" and "not the file as published" in outcome.note
    assert store.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0


def test_the_ons_population_is_read_for_reference_and_an_upload_of_it_says_so(store):
    plan = prepare(store, "ons_mid-year_population_estimates_2012_to_2024.csv",
                   (NATIONAL_DIR / "ons_mid-year_population_estimates_2012_to_2024.csv").read_bytes())
    (error,) = plan.errors
    assert error.rule == "reference_only" and "for reference only" in error.message


# Releases decide

def test_a_newer_release_loaded_first_keeps_its_revised_figure_and_the_older_fills_only_what_it_lacks(store):
    load(store, "cla_2025.csv", looked_after({(2024, PLYMOUTH): 510, (2025, PLYMOUTH): 527}))
    plan = prepare(store, "cla_2024.csv", looked_after({(2023, PLYMOUTH): 500, (2024, PLYMOUTH): 513}))
    assert warnings(plan, "release_precedence") == [
        f"2 kept from the newer release already stored ({CLA_2025})"]
    upload.commit(store, plan, ANALYST)
    assert published(store, "CLA_COUNT", PLYMOUTH[1]) == {
        2023: (500, None, "Children looked after in England including adoptions 2024"),
        2024: (510, None, CLA_2025), 2025: (527, None, CLA_2025)}


def test_a_newer_release_loaded_second_supersedes_and_says_how_many_figures_it_revises(store):
    load(store, "cla_2024.csv", looked_after({(2023, PLYMOUTH): 500, (2024, PLYMOUTH): 513}))
    plan = prepare(store, "cla_2025.csv", looked_after({(2024, PLYMOUTH): 510, (2025, PLYMOUTH): 527}))
    assert warnings(plan, "release_precedence") == ["2 figures superseded by this 2025 release (1 of them revised)"]
    upload.commit(store, plan, ANALYST)
    assert {year: value for year, (value, _, _) in published(store, "CLA_COUNT", PLYMOUTH[1]).items()} == {
        2023: 500, 2024: 510, 2025: 527}


def test_a_file_s_release_is_the_latest_time_period_it_holds(store):
    plan = prepare(store, "cla.csv", looked_after({(year, ENGLAND): 80_000 for year in range(2021, 2026)}))
    values = plan.benchmarks.values
    assert plan.benchmarks.release_year == 2025
    assert set(values["release_year"]) == {2025} and set(values["release"]) == {CLA_2025}
    assert sorted(set(values["period_end"])) == [date(year, 3, 31) for year in range(2021, 2026)]


# Recognition

def test_care_leavers_are_read_from_the_row_for_19_to_21_year_olds_in_suitable_accommodation(store):
    rows = []
    for age, suitable in (("17 to 18 years", 91), ("19 to 21 years", 89)):
        for breakdown, percent in (("Accommodation considered suitable", suitable),
                                   ("Accommodation considered unsuitable", 5), ("No information", 95 - suitable),
                                   ("Suitability total", 100)):
            rows.append(area(2025) + [age, breakdown, 1000, percent])
    plan = prepare(store, "la_care_leavers_accommodation_suitability.csv",
                   tidy(["care_leaver_age", "breakdown", "care_leaver_count", "care_leaver_percent"], rows))
    assert plan.errors == []
    assert plan.benchmarks.values[["kpi_code", "area_code", "value"]].values.tolist() == [
        ["CL_SUITABLE_ACCOM_PCT", ENGLAND, 89.0]]


def test_placement_stability_is_read_by_group_and_measure(store):
    long_term = "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
    plan = prepare(store, "la_cla_placement_stability.csv", placement_stability({
        ("CLA on 31 March", "Total children"): 100, ("CLA on 31 March", "With 3 or more placements during the year"): 10,
        ("CLA 2 years on 31 March", "With 3 or more placements during the previous 2 years"): 23,
        (long_term, "Total children"): 100, (long_term, "Living with the same carer for at least 2 years"): 69}))
    assert plan.errors == []
    values = plan.benchmarks.values.set_index("kpi_code")["value"].to_dict()
    assert values == {"PLACEMENT_3PLUS_PCT": 10.0, "PLACEMENT_LT_STABLE_PCT": 69.0}


@pytest.mark.parametrize("code,status", [("c", "c"), ("x", "x"), ("z", "z"), ("u", "u"), ("k", "k"), ("low", "low"),
                                         ("[c]", "c")])
def test_a_suppression_code_is_kept_as_a_status_with_no_value(store, code, status):
    upload_id = load(store, "cla.csv", looked_after({(2025, PLYMOUTH): code}))
    stored = store.execute("SELECT value, status_code FROM benchmarks WHERE upload_id = ? AND kpi_code = 'CLA_COUNT'",
                           [upload_id]).fetchall()
    assert stored == [(None, status)]


def test_a_bad_figure_is_an_error_naming_the_file_the_cell_and_its_column(store):
    content = looked_after({(2025, PLYMOUTH): -5, (2025, TORBAY): 12.5, (2025, ("881", "E0600002", "Nowhere")): 10,
                            (2025, ("836", "E06000058", "Poole")): "n/a"})
    plan = prepare(store, "cla.csv", content)
    assert not plan.can_load
    assert [(i.file, i.rule, i.cell, i.message) for i in plan.errors] == [
        ("cla.csv", "negative", "M2", "children_count (CLA_COUNT) cannot be negative"),
        ("cla.csv", "count_not_whole", "M3", "children_count (CLA_COUNT) is a count and must be a whole number"),
        ("cla.csv", "bad_la_code", "J4", "new_la_code is not a 9-character ONS code such as E06000026"),
        ("cla.csv", "not_a_number", "M5", "children_count (CLA_COUNT) is text, not a number")]
    plan = prepare(store, "stability.csv", placement_stability({
        ("CLA on 31 March", "With 3 or more placements during the year"): 112}))
    assert [(i.rule, i.cell, i.message) for i in plan.errors] == [
        ("percentage_out_of_range", "N2", "children_percent (PLACEMENT_3PLUS_PCT): a percentage must be between 0 "
                                          "and 100")]


def test_a_figure_given_twice_is_an_error_naming_both_cells(store):
    content = looked_after({(2025, PLYMOUTH): 527}) + looked_after({(2025, PLYMOUTH): 530}).split(b"\n", 1)[1]
    plan = prepare(store, "cla.csv", content)
    assert [(i.rule, i.cell, i.message) for i in plan.errors if i.rule == "duplicate"] == [
        ("duplicate", "M3", "CLA_COUNT for E06000026 at 31 Mar 2025 is given twice (also at M2)"),
        ("duplicate", "N3", "CLA_RATE for E06000026 at 31 Mar 2025 is given twice (also at N2)")]


def test_councils_sharing_a_service_are_skipped_and_said(store):
    joint = ("314 / 318", "E09000021 / E09000027", "Kingston upon Thames / Richmond upon Thames")
    plan = prepare(store, "cla.csv", looked_after({(2025, ENGLAND): 81_770, (2025, joint): 300}))
    assert plan.errors == []
    assert set(plan.benchmarks.values["area_code"]) == {ENGLAND}
    (found,) = [i.found for i in plan.warnings if i.rule == "joint_rows_skipped"]
    assert found == "Kingston upon Thames / Richmond upon Thames (E09000021 / E09000027)"


def test_an_older_workforce_release_with_percent_headers_loads_every_measure(store):
    # `%` is dropped when headers are compared, so the older turnover spelling matches the newer as it is; the
    # agency rate was named differently, so the mapping lists that spelling too
    assert normalise_name("turnover_rate_fte_%") == normalise_name("turnover_rate_fte")
    assert normalise_name("agency_worker_rate_fte_%") != normalise_name("agency_rate_fte")
    load(store, "csww_headline_measures_2017_to_2022.csv", older_workforce_release())
    england = dict(store.execute("SELECT kpi_code, value FROM published_figures WHERE area_code = ?"
                                 " AND period_end = '2022-09-30'", [ENGLAND]).fetchall())
    assert england == {"SW_FTE": 31634.1, "SW_TURNOVER_PCT": 17.1, "SW_AGENCY_PCT": 17.6, "SW_VACANCY_PCT": 20.0,
                       "SW_CASELOAD": 16.6, "SW_ABSENCE_PCT": 3.5}
    west_northamptonshire = store.execute("SELECT DISTINCT value, status_code FROM benchmarks"
                                          " WHERE area_code = 'E06000062'").fetchall()
    assert west_northamptonshire == [(None, "z")]


def test_the_2025_social_worker_file_s_new_headers_are_read(store):
    rows = [area(2025) + ["CLA on 31 March", "Total children", 81_770, 100],
            area(2025) + ["CLA on 31 March", "3 or more social workers during the year", 19_900, 24]]
    plan = prepare(store, "la_cla_swcount.csv",
                   tidy(["cla_group", "sw_stability", "children_count", "children_percent"], rows))
    assert plan.benchmarks.values[["kpi_code", "value"]].values.tolist() == [["CLA_3PLUS_SW_PCT", 24.0]]


def test_a_file_never_renames_a_council_the_store_knows(store):
    store.execute("INSERT INTO councils (la_code, name) VALUES ('E06000026', 'Plymouth'), ('E06000027', 'E06000027')")
    plan = prepare(store, "cla.csv", looked_after({(2025, ("879", "E06000026", "City of Plymouth")): 527,
                                                   (2025, TORBAY): 300, (2025, ("908", "E06000052", "Cornwall")): 500}))
    (kept,) = [i for i in plan.warnings if i.rule == "council_name_kept"]
    assert kept.message == "1 council named differently in this file keeps its stored name"
    assert kept.found == "E06000026 Plymouth (file: City of Plymouth)"
    upload.commit(store, plan, ANALYST)
    assert dict(store.execute("SELECT la_code, name FROM councils").fetchall()) == {
        "E06000026": "Plymouth", "E06000027": "Torbay", "E06000052": "Cornwall"}


def test_columns_the_dashboard_does_not_read_are_listed_with_the_kpis_it_did(store):
    plan = prepare(store, "cla.csv", looked_after({(2025, ENGLAND): 81_770}, "mystery_measure"))
    assert plan.can_load
    (ignored,) = [i for i in plan.warnings if i.rule == "columns_ignored"]
    assert ignored.message == "The dashboard read CLA_COUNT, CLA_RATE from this file; it does not use this column"
    assert ignored.found == "mystery_measure"  # population_estimate, read for reference, is not listed


def test_a_recognised_file_says_which_kpi_it_found_no_rows_for(store):
    long_term = "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
    plan = prepare(store, "la_cla_placement_stability.csv", placement_stability({
        ("CLA on 31 March", "With 3 or more placements during the year"): 10,
        (long_term, "Living with the same carer for 2 years or more"): 69}))
    assert plan.errors == [] and plan.can_load
    (skipped,) = [i for i in plan.warnings if i.rule == "measure_skipped"]
    assert skipped.message == (
        "No PLACEMENT_LT_STABLE_PCT figures were found: column children_percent is here, but no row has cla_group = "
        f"{long_term} and placement_stability = Living with the same carer for at least 2 years")


def test_a_dfe_file_with_no_figure_the_dashboard_reads_lists_its_columns_and_the_files_it_reads(store):
    rows = [area(2025) + ["CLA on 31 March", "Any moves", "Total children", 52_130, 100]]
    plan = prepare(store, "la_cla_school_stability.csv",
                   tidy(["cla_group", "move_measure", "school_stability", "children_count", "children_percent"], rows))
    (error,) = plan.errors
    assert error.rule == "no_known_indicators"
    assert error.found == ("columns besides time and place: cla_group, move_measure, school_stability, "
                           "children_count, children_percent")
    assert "cla_number_and_rate_per_10k_children.csv" in error.fix and "csww_indicators_2017_to_2025.csv" in error.fix
    assert "dfe_mapping" not in error.line()


def test_a_looked_after_file_reads_its_population_type_rows(store):
    rows = [area(2025) + [population, 12_000_000, count, rate] for population, count, rate in (
        (LOOKED_AFTER, 81_770, 67), ("Children starting to be looked after each year", 32_270, 26),
        ("Children ceasing to be looked after each year", 34_450, 28))]
    plan = prepare(store, "cla.csv", tidy(["population_type", "population_estimate", "children_count",
                                           "rate_per_10000"], rows))
    values = plan.benchmarks.values.set_index("kpi_code")["value"].to_dict()
    assert values == {"CLA_COUNT": 81_770, "CLA_RATE": 67, "CLA_STARTS": 32_270}


# Published figures out

@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_benchmarks_writes_every_published_figure_and_reads_back(national_db, tmp_path, capsys, monkeypatch,
                                                                        suffix):
    path = tmp_path / "x.duckdb"
    shutil.copy(national_db[0], path)
    monkeypatch.setenv("DASHBOARD_LA", PLYMOUTH[1])
    monkeypatch.delenv("DASHBOARD_DB", raising=False)
    out = tmp_path / f"published{suffix}"
    assert cli.main(["export", "--benchmarks", "--out", str(out), "--db", str(path)]) == 0
    printed = capsys.readouterr().out
    text = {"la_code": str, "period_end": str, "status": str}
    table = (pd.read_csv(out, dtype=text, keep_default_na=False, na_values=[""]) if suffix == ".csv"
             else pd.read_excel(out, dtype=text, engine="calamine"))
    assert list(table.columns) == ["la_code", "kpi_code", "period_end", "value", "status", "source", "release"]
    con = connect(path)
    expected = con.execute("SELECT count(*) FROM published_figures").fetchone()[0]
    con.close()
    assert len(table) == expected and printed.strip() == f"wrote {expected:,} published figures to {out}"
    assert table["period_end"].map(lambda d: re.fullmatch(r"\d{4}-\d\d-\d\d", d) is not None).all()
    england = table[(table["la_code"] == ENGLAND) & (table["kpi_code"] == "CLA_COUNT")
                    & (table["period_end"] == "2025-03-31")]
    assert england[["value", "release"]].values.tolist() == [[81_770, CLA_2025]]
    assert (table["la_code"] == SOUTH_WEST).any()
    suppressed = table[table["status"] == "c"]
    assert len(suppressed) and suppressed["value"].isna().all()
