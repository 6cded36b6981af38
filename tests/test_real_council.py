"""A real council on day one: Plymouth's store holds only the national figures the product ships, and every page
shows its published position, dated, against England, region and neighbours; known answers come from the files."""
from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from analysis import kpi_view
from ingest import cli
from settings import DATA_DIR
from store import queries
from store.connection import connect
from tests.conftest import REAL_LA
from tests.find import texts

NATIONAL = DATA_DIR / "national"


def _cla_rates_2025() -> pd.Series:
    """Every council's published rate per 10,000 at 31 March 2025, read straight from DfE's file."""
    raw = pd.read_csv(NATIONAL / "cla_number_and_rate_per_10k_children.csv", dtype=str, encoding="utf-8-sig")
    rows = raw[(raw["time_period"] == "2025") & (raw["geographic_level"] == "Local authority")
               & (raw["population_type"] == "Children looked after on 31 March each year")]
    rates = pd.to_numeric(rows.set_index("new_la_code")["rate_per_10000"], errors="coerce")
    return rates.dropna()


def _neighbours_2025() -> list[str]:
    """Plymouth's ten neighbours in DfE's 2025 model, as 9-character codes via the CLA file's old codes."""
    model = pd.read_csv(NATIONAL / "sn_model_2025_wide.csv", dtype=str, encoding="utf-8-sig")
    raw = pd.read_csv(NATIONAL / "cla_number_and_rate_per_10k_children.csv", dtype=str, encoding="utf-8-sig")
    codes = dict(zip(raw["old_la_code"], raw["new_la_code"]))
    row = model[model["old_la_code"] == "879"].iloc[0]
    return [codes[row[f"SN_{i}"].strip()] for i in range(1, 11)]


@pytest.fixture
def card(real_db_template):
    con = connect(real_db_template)
    try:
        yield lambda until: kpi_view.read_scorecard(con, REAL_LA, until).set_index("kpi_code")
    finally:
        con.close()


def test_the_scorecard_shows_plymouths_published_rate_with_england_neighbours_and_rank(card):
    row = card(date(2025, 9, 1)).loc["CLA_RATE"]
    rates = _cla_rates_2025()
    assert row["latest"] == rates[REAL_LA] == 101
    assert row["latest_when"] == "31 Mar 2025 (published)"
    assert row["england_text"] == "67.0 (31 Mar 2025)"
    neighbours = rates.reindex(_neighbours_2025()).dropna()
    assert row["neighbour"] == pytest.approx(neighbours.mean())
    assert row["neighbour_text"] == f"{neighbours.mean():.1f} (31 Mar 2025)"
    # The rate is a context measure: rank 1 is the highest, ties share the better rank.
    rank = int((rates > rates[REAL_LA]).sum()) + 1
    assert row["rank_text"] == f"Rank {rank} of the {len(rates)} English councils with a figure, at 31 Mar 2025"


def test_england_is_the_latest_figure_on_or_before_the_end_of_the_month_with_its_date(card):
    september = card(date(2025, 9, 1)).loc["SW_TURNOVER_PCT"]
    assert september["england_text"] == "11.8% (30 Sep 2025)"
    august = card(date(2025, 8, 1)).loc["SW_TURNOVER_PCT"]
    assert august["england_text"].endswith("(30 Sep 2024)") and august["england"] != 11.8
    assert card(date(2025, 3, 1)).loc["REREFERRAL_12M_PCT", "england_text"] == "22.6% (31 Mar 2025)"


def test_a_count_is_not_set_beside_englands_total_but_its_rate_is_named(card):
    row = card(date(2025, 9, 1)).loc["CLA_COUNT"]
    assert row["latest"] == 527
    assert pd.isna(row["england"]) and pd.isna(row["neighbour"]) and row["rank_text"] == "–"
    assert row["england_text"] == "67.0 per 10,000 (31 Mar 2025)"


def test_the_month_list_holds_the_published_reference_dates(real_db_template):
    con = connect(real_db_template)
    try:
        months = queries.months_with_data(con, REAL_LA)
    finally:
        con.close()
    assert {date(2025, 3, 1), date(2025, 9, 1), date(2013, 3, 1)} <= set(months)


def _words(app) -> str:
    """Everything the page says in words, to search for a phrase wherever it is."""
    return "\n".join(texts([*app.title, *app.subheader, *app.markdown, *app.caption, *app.warning, *app.info,
                            *app.success, *app.error]))


def test_the_overview_shows_published_figures_not_no_data(real_app):
    real_app.run()
    words = _words(real_app)
    assert "There is no data" not in words
    table = pd.concat([element.value for element in real_app.dataframe])
    rates = table[table["KPI"] == "Children looked after per 10000 children"].iloc[0]
    assert rates["Latest"] == "101.0" and rates["As at"] == "31 Mar 2025 (published)"
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in words


@pytest.mark.parametrize("page,expected", [
    ("views/trend.py", "published annual figures"),
    ("views/benchmarks.py", "Rank"),
    ("views/workforce.py", "(30 Sep 2025)"),
    ("views/present.py", "(published)"),
])
def test_every_page_shows_the_councils_published_figures(real_app, page, expected):
    real_app.run()
    real_app.switch_page(page).run()
    if page == "views/present.py":  # the presentation opens on its agenda; the first KPI is the next slide
        real_app.button(key="present_next").click().run()
    words = _words(real_app)
    assert not real_app.exception
    assert "no data for" not in words and "nothing to compare" not in words and "no values for" not in words
    assert expected in words
    assert "Open Government Licence v3.0" in words


def test_every_shipped_file_loaded_again_is_already_loaded_or_read_for_reference(real_db_template, tmp_path, capsys):
    """An analyst who downloads the same DfE files again is told each is already there, and nothing is refused."""
    path = tmp_path / "plymouth.duckdb"
    shutil.copy(real_db_template, path)
    files = sorted(p for p in NATIONAL.iterdir() if p.name != "manifest.csv")
    assert cli.main(["load", *map(str, files), "--db", str(path), "--la", REAL_LA]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("national baseline")]
    assert len(lines) == len(files)
    assert all("already loaded as upload" in line or "for reference only" in line for line in lines), lines
