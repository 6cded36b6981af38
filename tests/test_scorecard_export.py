"""`python -m ingest scorecard`: the Overview as data, the same numbers and words as the page."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from analysis import kpi_view, tables
from ingest import cli
from settings import DEMO_LA_CODE
from store.connection import connect
from tests.conftest import REAL_LA


def _export(capsys, db, out, *args) -> tuple[int, str, str]:
    code = cli.main(["scorecard", "--db", str(db), "--out", str(out), *args])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def test_the_export_holds_the_overviews_rows_with_the_agreed_columns(demo_db_path, tmp_path, capsys):
    out = tmp_path / "scorecard.csv"
    code, printed, _ = _export(capsys, demo_db_path, out, "--month", "2026-10", "--la", DEMO_LA_CODE)
    assert code == 0 and "wrote 34 KPIs" in printed
    table = pd.read_csv(out, dtype={"period": str}, keep_default_na=False, encoding="utf-8-sig")
    assert list(table.columns) == tables.SCORECARD_EXPORT
    assert set(table["rag"]) <= {"green", "amber", "red", "none"}
    con = connect(demo_db_path)
    try:
        card = kpi_view.read_scorecard(con, DEMO_LA_CODE, date(2026, 10, 1)).set_index("kpi_code")
    finally:
        con.close()
    rows = table.set_index("kpi_code")
    for code_, row in rows.iterrows():
        page = card.loc[code_]
        assert row["sentence"] == page["sentence"]
        assert row["rag_label"] == page["rag_text"].split(" ", 1)[1]
        if row["value"] != "":
            assert f"{float(row['value']):,.{0 if page['unit'] == 'count' else 1}f}" in page["latest_text"]
    leavers = rows.loc["CL_SUITABLE_ACCOM_PCT"]
    assert (leavers["period"], leavers["target_kind"]) == ("2026-10", "inspection")


def test_a_real_councils_published_figures_export_with_their_dates(real_db_template, tmp_path, capsys):
    out = tmp_path / "plymouth.xlsx"
    assert _export(capsys, real_db_template, out, "--month", "2025-09", "--la", REAL_LA)[0] == 0
    table = pd.read_excel(io.BytesIO(out.read_bytes()), sheet_name="Scorecard", dtype=str, engine="openpyxl").set_index("kpi_code")
    rate = table.loc["CLA_RATE"]
    assert (rate["period"], float(rate["value"]), float(rate["england"]), rate["england_period_end"]) == \
           ("2025-03-31", 101.0, 67.0, "2025-03-31")
    assert table.loc["SW_TURNOVER_PCT", "england_period_end"] == "2025-09-30"
    assert pd.isna(table.loc["CLA_COUNT", "england"])  # a count is not set beside England's total


@pytest.mark.parametrize("args,message", [
    (("--month", "Oct 2026"), "give the month as YYYY-MM"),
    (("--month", "2026-13"), "give the month as YYYY-MM"),
    (("--month", "2026-10", "--la", "NOPE"), "not a 9-character ONS council code"),
])
def test_wrong_usage_says_what_to_give(demo_db_path, tmp_path, capsys, args, message):
    code, _, err = _export(capsys, demo_db_path, tmp_path / "x.csv", *args)
    assert code == 2 and message in err and not (tmp_path / "x.csv").exists()


def test_a_month_without_figures_is_refused_naming_the_latest(demo_db_path, tmp_path, capsys):
    code, _, err = _export(capsys, demo_db_path, tmp_path / "x.csv", "--month", "2030-01", "--la", DEMO_LA_CODE)
    assert code == 1 and "no figures for 2030-01; its latest is 2026-10" in err
