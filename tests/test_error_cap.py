"""A file that breaks a rule in every row lists its first 200 errors and counts the rest, quickly and exactly.

A mis-laid-out file can hold a million bad cells; making, keeping and showing a
message for each took minutes and gigabytes. The checks count every failing cell
but make messages only for the first `ISSUE_LIMIT`, then one issue counting the
rest; the Upload page builds its error table and report once per file.
"""
from __future__ import annotations

import io
import subprocess
import sys
import time
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from demo.synthetic import PLAN_AS_AT
from ingest import cli, issues, plan_import, upload, validate
from ingest.catalogue import read_catalogue
from ingest.issues import FirstIssues, ISSUE_LIMIT, Issue, RULE_WORDS, UNLISTED_RULE, cap
from ingest.readers import Sheet
from ingest.targets_sheet import parse_targets
from ingest.values import KpiMatcher
from settings import DEMO_LA_CODE
from store.connection import connect
from tests import fixtures
from tests.find import containing, frame
from tests.fixtures import xlsx
from tests.store_state import last_upload
from ui import uploads

TODAY = date(2026, 11, 23)
USER = "analyst@anyshire.example"
BAD_ROWS = 100_000
# Measured on the project's loaded 2-core machine: 1.7-2.1 s with the cap (most of it reading the CSV), against
# 20 s (repeats) to 61 s (unknown KPIs, each looked up for suggestions) before it. The bound is generous so that a
# busy machine does not fail the test; the counts below are what pin the cap down.
SECONDS = 15
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unknown_kpi_csv(rows: int = BAD_ROWS) -> bytes:
    """Every row names a KPI the catalogue does not know, each a different one: the costliest error to word."""
    return ("kpi,period,value\n" + "".join(f"KPI {i},2026-{i % 9 + 1:02d},5\n" for i in range(rows))).encode()


def repeated_csv(rows: int = BAD_ROWS) -> bytes:
    """The same KPI and month on every row: each row after the first is a duplicate."""
    return ("kpi,period,value\n" + "CONTACTS,2026-10,5\n" * rows).encode()


def prepare(con, name: str, content: bytes) -> upload.Plan:
    return upload.prepare(con, name, content, home_la=DEMO_LA_CODE, user=USER, today=TODAY)


@pytest.fixture
def counted(monkeypatch) -> Counter:
    """How many issues the checks make, and how many times a KPI name is looked up for suggestions."""
    made: Counter = Counter()
    real_init = Issue.__init__
    real_suggest = KpiMatcher.suggest

    def init(self, *args, **kwargs):
        made["issues"] += 1
        real_init(self, *args, **kwargs)

    def suggest(self, *args, **kwargs):
        made["suggestions"] += 1
        return real_suggest(self, *args, **kwargs)

    monkeypatch.setattr(Issue, "__init__", init)
    monkeypatch.setattr(KpiMatcher, "suggest", suggest)
    return made


def assert_capped(found: list[Issue], total: int, rule: str, first_left_out: str, sheet: str | None = "bad") -> None:
    assert len(found) == ISSUE_LIMIT + 1
    assert [i.rule for i in found[:-1]] == [rule] * ISSUE_LIMIT
    closing = found[-1]
    more = total - ISSUE_LIMIT
    assert (closing.severity, closing.rule, closing.sheet, closing.cell) == ("error", UNLISTED_RULE, sheet,
                                                                              first_left_out)
    assert closing.count == more and closing.unlisted == ((rule, more),)
    assert closing.message == (f"…and {more:,} more errors not listed here ({more:,} {RULE_WORDS[rule]}), the first "
                               "of them in this cell")
    assert issues.error_count(found) == total


def test_a_csv_with_100000_bad_rows_is_refused_quickly_with_200_errors_and_an_exact_count(demo_con, counted):
    content = unknown_kpi_csv()
    started = time.perf_counter()
    plan = prepare(demo_con, "bad.csv", content)
    took = time.perf_counter() - started
    assert not plan.can_load and plan.error_count == BAD_ROWS
    assert_capped(plan.issues, BAD_ROWS, "unknown_kpi", "A202")
    assert [i.cell for i in plan.issues[:3]] == ["A2", "A3", "A4"] and plan.issues[-2].cell == "A201"
    first = plan.issues[0]
    assert first.line().startswith("bad.csv: bad!A2 (Jan 2026): Unknown KPI (found 'KPI 0'). ")
    assert plan.issues[-1].line() == (
        "bad.csv: bad!A202: …and 99,800 more errors not listed here (99,800 unknown KPIs), the first of them in this "
        "cell. Only the first 200 errors are listed. Fix them, then upload the file again: the errors that remain "
        "will be listed.")
    assert counted["issues"] < 5 * ISSUE_LIMIT, "issues are made only for the errors listed, not for every row"
    assert counted["suggestions"] <= ISSUE_LIMIT + 1
    assert took < SECONDS, f"{took:.1f} s"


def test_100000_repeats_of_one_value_list_200_duplicates_and_count_the_rest(demo_con, counted):
    plan = prepare(demo_con, "bad.csv", repeated_csv())
    assert plan.error_count == BAD_ROWS - 1
    assert_capped(plan.issues, BAD_ROWS - 1, "duplicate", "C203")
    assert plan.issues[0].message == "This KPI and month are given twice (also at bad!C2)"
    assert (plan.issues[0].kpi, plan.issues[0].month) == ("Contacts received", "Oct 2026")
    assert plan.changes.empty, "a refused file is not compared with the store"
    assert counted["issues"] < 5 * ISSUE_LIMIT


def test_errors_of_several_rules_and_sheets_are_listed_in_the_file_order_and_counted_by_rule(context, counted):
    rows = 300
    first = [["kpi", "period", "value"]] + [["CONTACTS", f"2026-{i % 9 + 1:02d}", "lots"] for i in range(rows)]
    second = [["kpi", "period", "value"]] + [["CONTACTS", "sometime", -1] for _ in range(rows)]
    parsed = validate.parse("two.xlsx", [Sheet("First", first), Sheet("Second", second)], context)
    # Each of Second's rows breaks two rules: a month that is not one, and a value below zero.
    assert parsed.error_count == 3 * rows
    listed, closing = parsed.errors[:-1], parsed.errors[-1]
    assert [(i.sheet, i.cell) for i in listed] == [("First", f"C{r}") for r in range(2, ISSUE_LIMIT + 2)]
    assert (closing.sheet, closing.cell) == ("First", f"C{ISSUE_LIMIT + 2}")
    assert dict(closing.unlisted) == {"not_a_number": rows - ISSUE_LIMIT, "bad_period": rows, "negative": rows}
    assert closing.message == ("…and 700 more errors not listed here (300 months that cannot be read, 300 negative "
                               "values, 100 values that are not numbers), the first of them in this cell")
    assert counted["issues"] < 5 * ISSUE_LIMIT


@pytest.fixture(scope="module")
def context() -> validate.Context:
    catalogue = read_catalogue()
    return validate.Context(catalogue, KpiMatcher(catalogue, pd.read_csv(upload.ALIASES_CSV)), DEMO_LA_CODE, TODAY)


def test_a_wide_sheet_with_a_million_bad_cells_makes_only_the_issues_it_lists(context, counted):
    """Like the 843-byte ODS whose one row, repeated, became a million rows of text under three month columns."""
    rows = 350_000
    cells = np.full((rows + 1, 4), "n/a?", dtype=object)
    cells[0] = ["Indicator", "Aug-26", "Sep-26", "Oct-26"]
    cells[1:, 0] = "CONTACTS"
    started = time.perf_counter()
    parsed = validate.parse("wide.ods", [Sheet("Scorecard", cells)], context)
    took = time.perf_counter() - started
    total = 3 * rows
    assert parsed.error_count == total
    assert_capped(parsed.issues, total, "not_a_number", "D68", sheet="Scorecard")
    assert [i.cell for i in parsed.issues[:4]] == ["B2", "C2", "D2", "B3"], "row by row, as the analyst reads"
    assert counted["issues"] < 5 * ISSUE_LIMIT
    assert took < SECONDS, f"{took:.1f} s"


def test_a_targets_sheet_of_bad_rows_lists_200_and_counts_the_rest(counted):
    catalogue = pd.DataFrame({"code": ["SW_AGENCY_PCT"], "name": ["Agency worker rate"]})
    header = ["KPI", "Kind", "Value", "Start", "End", "Trajectory from", "Trajectory until", "Source"]
    rows = [header] + [[f"Agency typo {i}", "local", 15, "2024-04", None, None, None, "plan"] for i in range(1000)]
    result = parse_targets("return.xlsx", Sheet("Targets", rows), KpiMatcher(catalogue), {"SW_AGENCY_PCT": "%"})
    assert result.targets == []
    assert_capped(result.issues, 1000, "bad_target", "A202", sheet="Targets")
    assert counted["suggestions"] <= ISSUE_LIMIT + 1


def test_an_action_plan_of_bad_rows_lists_200_and_counts_the_rest(demo_con):
    rows = [plan_import.EXPORT_COLUMNS] + [["", f"Improve thing {i}", "Nowhere", "", "31/03/2027"] + [""] * 6
                                           for i in range(500)]
    parsed = plan_import.check_file(demo_con, DEMO_LA_CODE, "plan.xlsx", xlsx({"Plan": rows}), None, TODAY,
                                    PLAN_AS_AT)
    assert parsed.rows == [] and parsed.error_count == 500
    assert_capped(parsed.issues, 500, "bad_area", "C202", sheet="Plan")


def test_a_dfe_download_of_bad_figures_lists_200_and_counts_the_rest(demo_con):
    """Each council's count and rate are text: two errors a row, as a download opened and saved badly might be."""
    england = [["2025", "Reporting year", "National", "E92000001", "England", "", "", "", "", "",
                "Children looked after on 31 March each year", 12_000_000, 80_000, 66]]
    rows = england + [["2025", "Reporting year", "Local authority", "E92000001", "England", "E12000009", "Demo region",
             str(100 + i), f"Council {i}", f"E99{i + 100:06d}", "Children looked after on 31 March each year",
             100_000, "lots", "n/a?"] for i in range(400)]
    frame = pd.DataFrame(rows, columns=fixtures.DFE_AREA_COLUMNS + ["population_type", "population_estimate",
                                                                    "children_count", "rate_per_10000"])
    plan = prepare(demo_con, "cla_2025.csv", frame.to_csv(index=False).encode())
    assert plan.error_count == 800
    assert len(plan.errors) == ISSUE_LIMIT + 1, "warnings (this file has no children-starting rows) are apart"
    assert [i.cell for i in plan.errors[:3]] == ["M3", "N3", "M4"]
    closing = plan.errors[-1]
    assert (closing.cell, closing.unlisted) == ("M103", (("not_a_number", 600),))


def test_capped_lists_merge_into_one_with_the_counts_added_and_the_first_left_out_named():
    def error(sheet: str, row: int, rule: str = "negative") -> Issue:
        return Issue("error", "f.xlsx", sheet, f"C{row}", rule, "The value cannot be negative", "-1", "Check it.")

    found = FirstIssues("f.xlsx", "A", limit=3)
    for row in (9, 2, 7, 5, 3):
        found.add((row,), "negative", lambda row=row: error("A", row))
    first = found.issues()
    assert [i.cell for i in first] == ["C2", "C3", "C5", "C7"] and first[-1].unlisted == (("negative", 2),)
    other = [error("B", 2, "not_a_number"), error("B", 4, "not_a_number")]
    warning = Issue("warning", "f.xlsx", "B", None, "columns_ignored", "Columns that are not months were ignored")
    merged = cap(first + [warning] + other, ["A", "B"], limit=3)
    assert [i.cell for i in merged[:-1] if i.severity == "error"] == ["C2", "C3", "C5"]
    assert warning in merged, "warnings are never left out"
    closing = merged[-1]
    assert (closing.sheet, closing.cell) == ("A", "C7")
    assert dict(closing.unlisted) == {"negative": 2, "not_a_number": 2} and closing.count == 4
    assert issues.error_count(merged) == 7
    short = [error("A", 2)]
    assert cap(short, ["A"]) is short, "a list under the limit is left as it was"


def test_the_command_line_prints_the_first_200_errors_then_one_line_counting_the_rest(tmp_path, demo_db_path, capsys,
                                                                                       monkeypatch):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(unknown_kpi_csv(1000))
    code = cli.main(["load", str(bad), "--db", str(demo_db_path)])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 1 and out == ""
    assert len(lines) == ISSUE_LIMIT + 2 + 1 + cli.NAMED_MEASURES
    assert lines[0].startswith("bad.csv: bad!A2 (Jan 2026): Unknown KPI (found 'KPI 0'). ")
    assert lines[ISSUE_LIMIT].startswith("bad.csv: bad!A202: …and 800 more errors not listed here (800 unknown "
                                         "KPIs), the first of them in this cell. Only the first 200 errors are listed.")
    assert lines[ISSUE_LIMIT + 1] == "bad.csv: refused, 1,000 errors; nothing loaded"
    assert lines[ISSUE_LIMIT + 2].startswith("bad.csv: at least 200 measures not in the catalogue: 'KPI 0', 'KPI 1', "
                                             "'KPI 2', 'KPI 3', 'KPI 4' and 195 more.")
    assert lines[-1].startswith("  python -m ingest kpi add KPI_4 --name 'KPI 4'")


@pytest.fixture
def page_builds(monkeypatch) -> Counter:
    """How many times the Upload page makes its error table and its error report."""
    built: Counter = Counter()
    real_table, real_workbook = uploads.issue_table, uploads.workbook_bytes

    def table(plan):
        built["table"] += 1
        return real_table(plan)

    def workbook(sheets):
        built["report"] += 1
        return real_workbook(sheets)

    monkeypatch.setattr(uploads, "issue_table", table)
    monkeypatch.setattr(uploads, "workbook_bytes", workbook)
    return built


def test_the_upload_page_shows_200_errors_and_the_count_and_builds_them_once_per_file(app, page_builds):
    app.switch_page("views/upload_file.py").run()
    app.file_uploader[0].set_value(("bad.csv", unknown_kpi_csv(), "text/csv")).run()
    assert not app.exception
    assert "The first 200 are listed below" in containing(app.error, "100,000 errors in").value
    problems = frame(app.dataframe, "Cell", "Problem")
    assert len(problems) == ISSUE_LIMIT + 1
    assert problems[["Sheet", "Cell", "Found"]].iloc[0].tolist() == ["bad", "A2", "KPI 0"]
    last = problems.iloc[-1]
    assert last["Cell"] == "A202"
    assert last["Problem"].startswith("…and 99,800 more errors not listed here (99,800 unknown KPIs)")
    made = app.session_state[uploads.MADE_KEY][1]["problems"]
    report = list(load_workbook(io.BytesIO(made.report), read_only=True)["Problems"].iter_rows(values_only=True))
    assert len(report) == 1 + ISSUE_LIMIT + 1 and report[-1][-1] == UNLISTED_RULE and report[1][-1] == "unknown_kpi"
    assert page_builds == {"table": 1, "report": 1}

    app.run()  # what any click on the page does
    app.run()
    assert not app.exception and len(frame(app.dataframe, "Cell", "Problem")) == ISSUE_LIMIT + 1
    assert page_builds == {"table": 1, "report": 1}, "a rerun reuses the table and report"

    app.file_uploader[0].set_value(("other.csv", repeated_csv(300), "text/csv")).run()
    containing(app.error, "299 errors in")
    assert page_builds == {"table": 2, "report": 2}, "another file gets its own"


WRITER = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
          "con.execute('CREATE TABLE IF NOT EXISTS written_meanwhile (n INTEGER)'); "
          "con.execute('INSERT INTO written_meanwhile VALUES (1)'); con.close()")


@pytest.fixture
def writes_meanwhile(monkeypatch, demo_db_path) -> list[subprocess.CompletedProcess]:
    """While a file is read, and again while it is checked, another program writes to the database."""
    writes: list[subprocess.CompletedProcess] = []

    def meanwhile(step):
        def run(*args, **kwargs):
            writes.append(subprocess.run([sys.executable, "-c", WRITER, str(demo_db_path)], capture_output=True,
                                         text=True, timeout=60))
            return step(*args, **kwargs)
        return run

    # The reader is prepare_apart's default argument, bound when it was defined: replaced there, not by name.
    monkeypatch.setitem(upload.prepare_apart.__kwdefaults__, "read", meanwhile(upload.read_file))
    monkeypatch.setattr(upload, "parse", meanwhile(upload.parse))
    return writes


def written_meanwhile(db) -> int:
    con = connect(db)
    try:
        return con.execute("SELECT count(*) FROM written_meanwhile").fetchone()[0]
    finally:
        con.close()


def test_the_command_line_holds_the_database_only_to_read_and_write_not_while_it_checks_a_file(
        tmp_path, demo_db_path, capsys, monkeypatch, writes_meanwhile):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    files = []
    for name, month in (("september.xlsx", "2026-09"), ("october.xlsx", "2026-10")):
        files.append(tmp_path / name)
        files[-1].write_bytes(xlsx({"Data": fixtures.long_rows({("CONTACTS", month): 2901})}))
    first = last_upload(demo_db_path) + 1
    code = cli.main(["load", *map(str, files), "--db", str(demo_db_path)])
    out, err = capsys.readouterr()
    assert [w.returncode for w in writes_meanwhile] == [0, 0, 0, 0], [w.stderr[-400:] for w in writes_meanwhile]
    assert code == 0, err
    assert f"september.xlsx: loaded 1 value as upload {first}" in out
    assert f"october.xlsx: loaded 1 value as upload {first + 1}" in out
    assert written_meanwhile(demo_db_path) == 4


def test_the_upload_page_leaves_the_database_free_while_it_checks_a_file(app, demo_db_path, writes_meanwhile):
    app.switch_page("views/upload_file.py").run()
    content = xlsx({"Data": fixtures.long_rows({("CONTACTS", "2026-10"): 2901})})
    app.file_uploader[0].set_value(("october.xlsx", content, XLSX_MIME)).run()
    assert not app.exception
    assert [w.returncode for w in writes_meanwhile] == [0, 0], [w.stderr[-400:] for w in writes_meanwhile]
    assert app.button(key="confirm_load").label.startswith("Load 1 value from")
    assert written_meanwhile(demo_db_path) == 2
