"""`python -m ingest`: exit codes, one line per error, dry runs, listing, withdrawal, template, export, a busy store."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from ingest import cli
from ingest.national import NATIONAL_USER
from ingest.readers import read_file
from settings import DEMO_LA_CODE
from store.connection import connect
from tests import fixtures

ROOT = Path(__file__).resolve().parent.parent
EXPORT_COLUMNS = ["la_code", "kpi_code", "period", "value", "breakdown", "status", "upload_id"]
ERROR_LINE = re.compile(r"^(?P<file>[^:]+): (?P<sheet>[^!:]+)!(?P<cell>[A-Z]+\d+)(?: \((?P<about>.*?)\))?: "
                        r"(?P<message>.+)$")


@pytest.fixture(autouse=True)
def demo_settings(monkeypatch):
    monkeypatch.setenv("DASHBOARD_LA", DEMO_LA_CODE)
    monkeypatch.delenv("DASHBOARD_DB", raising=False)


def run(*args: str | Path) -> subprocess.CompletedProcess:
    """The real entry point, as an analyst's script would call it."""
    return subprocess.run([sys.executable, "-m", "ingest", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "DASHBOARD_LA": DEMO_LA_CODE})


def main(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def next_upload(db: Path) -> int:
    """The id the next upload gets: the demo store already holds the demo's and the national baseline's."""
    con = connect(db)
    try:
        return con.execute("SELECT max(upload_id) + 1 FROM uploads").fetchone()[0]
    finally:
        con.close()


def counts(db: Path) -> tuple[int, int]:
    con = connect(db)
    try:
        return con.execute("SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM uploads)").fetchone()
    finally:
        con.close()


def october(tmp_path: Path, contacts: int = 2901) -> Path:
    return write(tmp_path, "october.xlsx", fixtures.xlsx({"Data": fixtures.long_rows(
        {("CONTACTS", "2026-10"): contacts, ("ASSESS_45WD_PCT", "Oct-26"): "91.5%"})}))


def test_load_exits_0_and_stores_the_values(tmp_path, demo_db_path):
    upload = next_upload(demo_db_path)
    result = run("load", october(tmp_path), "--db", demo_db_path, "--user", "performance team")
    assert result.returncode == 0, result.stderr
    assert f"october.xlsx: loaded 2 values as upload {upload}" in result.stdout
    assert "Traceback" not in result.stderr
    con = connect(demo_db_path)
    stored = con.execute("SELECT kpi_code, value, upload_id FROM observations WHERE is_current AND la_code = ?"
                         " AND period = '2026-10-01' AND kpi_code IN ('CONTACTS', 'ASSESS_45WD_PCT') ORDER BY 1",
                         [DEMO_LA_CODE]).fetchall()
    uploaded_by = con.execute("SELECT uploaded_by FROM uploads WHERE upload_id = ?", [upload]).fetchone()[0]
    con.close()
    assert stored == [("ASSESS_45WD_PCT", 91.5, upload), ("CONTACTS", 2901.0, upload)]
    assert uploaded_by == "performance team (command line)"


def test_refused_file_exits_1_with_one_line_per_error(tmp_path, demo_db_path):
    rows = [["kpi", "period", "value"], ["ASSESS_45WD_PCT", "2026-10", 120], ["Referals", "2026-10", 400],
            ["CONTACTS", "2027-01", 5], ["CONTACTS", "2026-09", "lots"]]
    bad = write(tmp_path, "bad return.xlsx", fixtures.xlsx({"Data": rows}))
    before = counts(demo_db_path)
    result = run("load", bad, "--db", demo_db_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    parsed = [ERROR_LINE.match(line) for line in lines[:4]]
    assert all(parsed), lines
    assert [(m["file"], m["sheet"], m["cell"]) for m in parsed] == [
        ("bad return.xlsx", "Data", "C2"), ("bad return.xlsx", "Data", "A3"), ("bad return.xlsx", "Data", "B4"),
        ("bad return.xlsx", "Data", "C5")]
    assert parsed[0]["message"].startswith("A percentage must be between 0 and 100 (found '120').")
    assert [m["about"] for m in parsed] == ["Assessments completed within 45 working days, Oct 2026", "Oct 2026",
                                            "Contacts received, Jan 2027", "Contacts received, Sep 2026"]
    assert "Did you mean REFERRALS" in parsed[1]["message"]
    assert lines[4] == "bad return.xlsx: refused, 4 errors; nothing loaded"
    assert lines[5].startswith("bad return.xlsx: 1 measure not in the catalogue: 'Referals'. If they are the "
                               "council's own measures, an admin adds each as a local KPI")
    assert lines[6].strip().startswith("python -m ingest kpi add REFERALS --name Referals")
    assert counts(demo_db_path) == before


def test_a_file_that_cannot_be_read_is_one_line(tmp_path, demo_db_path, capsys):
    code, _, err = main(capsys, "load", write(tmp_path, "october.xlsx", b"kpi,period,value\n"), "--db", demo_db_path)
    assert code == 1
    assert err.splitlines()[0].startswith("october.xlsx: (whole file): The file is named .xlsx but holds plain text")


@pytest.mark.parametrize("args", [[], ["load"], ["withdraw", "seven"], ["frobnicate"], ["export"]])
def test_wrong_usage_exits_2(capsys, args):
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    assert exited.value.code == 2
    assert "usage: python -m ingest" in capsys.readouterr().err


def test_wrong_usage_from_the_shell_exits_2_without_a_traceback():
    result = run("load")
    assert result.returncode == 2
    assert "the following arguments are required: FILE" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args,message", [
    (["load", "no such.xlsx"], "no such.xlsx: no such file"),
    (["load", "{october}", "--la", "Anyshire"], "--la ANYSHIRE: not a 9-character ONS council code"),
    (["template", "{tmp}/template.csv"], "the template is an .xlsx workbook"),
    (["export", "--out", "{tmp}/values.txt"], "export writes .csv or .xlsx"),
])
def test_bad_arguments_exit_2_with_a_message(tmp_path, demo_db_path, capsys, args, message):
    path = october(tmp_path)
    args = [a.format(tmp=tmp_path, october=path) for a in args] + ["--db", str(demo_db_path)] * (args[0] != "template")
    code, _, err = main(capsys, *args)
    assert code == 2 and message in err


def test_dry_run_writes_nothing(tmp_path, demo_db_path, capsys):
    before = counts(demo_db_path)
    code, out, _ = main(capsys, "load", october(tmp_path), "--db", demo_db_path, "--dry-run")
    assert code == 0
    assert "october.xlsx: would load 2 values (dry run; nothing loaded)" in out
    assert "Oct 2026 already has 2 stored values from upload 1" in out
    assert counts(demo_db_path) == before
    bad = write(tmp_path, "bad.csv", b"kpi,period,value\nCONTACTS,2026-10,-1\n")
    code, _, err = main(capsys, "load", bad, "--db", demo_db_path, "--dry-run")
    assert code == 1 and "bad.csv: bad!C2 (Contacts received, Oct 2026): The value cannot be negative" in err
    assert counts(demo_db_path) == before


def test_the_same_file_twice_changes_nothing_and_says_so(tmp_path, demo_db_path, capsys):
    path = october(tmp_path)
    upload = next_upload(demo_db_path)
    assert main(capsys, "load", path, "--db", demo_db_path)[0] == 0
    before = counts(demo_db_path)
    code, out, _ = main(capsys, "load", path, "--db", demo_db_path)
    assert code == 0 and f"october.xlsx: already loaded as upload {upload}; nothing changed" in out
    assert counts(demo_db_path) == before


def test_uploads_lists_and_withdraw_restores(tmp_path, demo_db_path, capsys):
    upload = next_upload(demo_db_path)
    assert main(capsys, "load", october(tmp_path, 2950), "--db", demo_db_path, "--user", "pat")[0] == 0
    code, out, _ = main(capsys, "uploads", "--db", demo_db_path)
    assert code == 0
    newest, *national, demo = out.rstrip().splitlines()
    assert re.match(rf"^\s+{upload}  loaded\s+\d{{4}}-\d\d-\d\d \d\d:\d\d  pat \(command line\)\s+2 rows  october.xlsx$",
                    newest), newest
    assert all("national baseline (shipped)" in line for line in national), national
    assert re.match(r"^\s+1  loaded .* 22440 rows  demo/observations.csv \(synthetic\)$", demo), demo

    code, out, _ = main(capsys, "withdraw", str(upload), "--db", demo_db_path, "--user", "head of service")
    assert code == 0 and f"upload {upload} withdrawn: 2 values removed" in out
    assert main(capsys, "uploads", "--db", demo_db_path)[1].strip().splitlines()[0].split()[:2] == [str(upload),
                                                                                                   "withdrawn"]
    con = connect(demo_db_path)
    assert con.execute("SELECT value, upload_id FROM observations WHERE is_current AND la_code = ?"
                       " AND kpi_code = 'CONTACTS' AND period = '2026-10-01'", [DEMO_LA_CODE]).fetchone() == (2740, 1)
    assert con.execute("SELECT withdrawn_by FROM uploads WHERE upload_id = ?",
                       [upload]).fetchone()[0] == "head of service (command line)"
    con.close()

    code, _, err = main(capsys, "withdraw", str(upload), "--db", demo_db_path)
    assert code == 1 and err.strip() == f"withdraw {upload}: upload {upload} is already withdrawn"
    code, _, err = main(capsys, "withdraw", "99", "--db", demo_db_path)
    assert code == 1 and err.strip() == "withdraw 99: there is no upload 99"


def test_template_is_written_and_loads_once_filled_in(tmp_path, demo_db_path, capsys):
    out = tmp_path / "template.xlsx"
    code, printed, _ = main(capsys, "template", out, "--db", demo_db_path)
    assert code == 0 and printed.strip() == f"wrote {out}"
    assert [s.name for s in read_file(out.name, out.read_bytes())] == ["Data", "Targets", "KPIs", "Read me", "Example"]
    workbook = load_workbook(out)
    assert [c.value for c in workbook["Data"][1]] == ["la_code", "kpi", "period", "value", "numerator",
                                                       "denominator", "note", "team"]
    assert workbook["KPIs"].max_row == 35  # a header and the 34 KPIs
    workbook["Data"].append([None, "CONTACTS", "2026-10", 2777, None, None, "from the template", None])
    workbook.save(out)
    upload = next_upload(demo_db_path)
    code, printed, _ = main(capsys, "load", out, "--db", demo_db_path)
    assert code == 0 and f"template.xlsx: loaded 1 value as upload {upload}" in printed


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_current_values(tmp_path, demo_db_path, capsys, suffix):
    upload = next_upload(demo_db_path)
    assert main(capsys, "load", october(tmp_path, 2999), "--db", demo_db_path)[0] == 0
    out = tmp_path / f"values{suffix}"
    code, printed, _ = main(capsys, "export", "--out", out, "--db", demo_db_path)
    assert code == 0
    table = (pd.read_csv(out, dtype={"period": str}, keep_default_na=False, na_values=[""]) if suffix == ".csv"
             else pd.read_excel(out, dtype={"period": str}, engine="calamine"))
    assert list(table.columns) == EXPORT_COLUMNS
    assert printed.strip() == f"wrote {len(table)} values to {out}"
    con = connect(demo_db_path)
    current = con.execute("SELECT count(*) FROM observations WHERE is_current").fetchone()[0]
    con.close()
    assert len(table) == current
    assert table["period"].str.fullmatch(r"\d{4}-\d\d").all()
    row = table[(table["la_code"] == DEMO_LA_CODE) & (table["kpi_code"] == "CONTACTS") & (table["period"] == "2026-10")]
    assert row[["value", "upload_id"]].values.tolist() == [[2999, upload]]


def test_busy_database_is_said_plainly(tmp_path, demo_db_path, capsys, monkeypatch):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('holding', flush=True);"
                               " sys.stdin.read()", str(demo_db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(cli, "BUSY_WAIT_SECONDS", 1)
        code, out, err = main(capsys, "load", october(tmp_path), "--db", demo_db_path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert code == 1 and out == ""
    assert err.strip() == (f"The database {demo_db_path} is in use by another program (the dashboard or another "
                           "load) and stayed busy for 1 second. Try again in a moment.")


def test_a_file_that_is_not_a_database_is_said_plainly(tmp_path, capsys):
    not_a_db = write(tmp_path, "dashboard.duckdb", b"this is not a database\n" * 100)
    code, _, err = main(capsys, "uploads", "--db", not_a_db)
    assert code == 1
    assert err.startswith("the database could not be used:") and "not a valid DuckDB database file" in err



def test_the_first_admin_is_given_a_role_from_the_command_line_and_it_is_audited(demo_db_path, capsys):
    code, out, _ = main(capsys, "role", " First.Admin@Council.gov.uk", "admin", "--db", demo_db_path,
                        "--user", "it-ops")
    assert (code, out.strip()) == (0, "first.admin@council.gov.uk is now admin")
    code, out, _ = main(capsys, "users", "--db", demo_db_path)
    assert code == 0 and out.splitlines()[0].startswith("admin     first.admin@council.gov.uk  (set by it-ops")
    with connect(demo_db_path) as con:
        assert con.execute("SELECT actor, action FROM audit_log WHERE actor <> ?",
                           [NATIONAL_USER]).fetchall() == [("it-ops (command line)", "role_set")]
    code, _, err = main(capsys, "role", "first.admin@council.gov.uk", "viewer", "--db", demo_db_path)
    assert code == 1 and "only admin" in err


def test_a_backup_is_a_complete_database_and_never_overwrites_one(demo_db_path, tmp_path, capsys):
    target = tmp_path / "backups" / "dashboard-2026-11-23.duckdb"
    uploads = next_upload(demo_db_path) - 1
    code, out, _ = main(capsys, "backup", str(target), "--db", demo_db_path)
    assert code == 0 and f"{uploads} uploads)" in out
    with connect(target) as copy, connect(demo_db_path) as live:
        assert copy.execute("SELECT count(*) FROM observations").fetchone() == \
            live.execute("SELECT count(*) FROM observations").fetchone()
    code, _, err = main(capsys, "backup", str(target), "--db", demo_db_path)
    assert code == 2 and "already exists" in err
