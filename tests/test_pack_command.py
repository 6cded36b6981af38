"""`python -m export pack`: the month's pack without a browser, as a scheduled job runs it.

Charts are drawn by the stand-in renderer (`tests.test_board_pack.fake_renderer`) in process; one test runs the
command as a child process to check the module's entry point and its exit codes there.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from auth import audit
from export import pack, render
from export.__main__ import main
from store.connection import open_store
from tests.actors import ADMIN
from tests.conftest import ROOT
from tests.test_board_pack import fake_renderer


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(pack, "render_for_slides", fake_renderer)
    monkeypatch.setattr(render, "warm_up", lambda: None)


def run(capsys, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["pack", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_the_board_pack_is_written_with_its_numbers_beside_it_and_the_checks_as_warnings(demo_db_path, tmp_path,
                                                                                         quick, capsys):
    out = tmp_path / "board.pptx"
    code, lines, errors = run(capsys, "--month", "2026-10", "--audience", "board", "--out", str(out),
                              "--db", str(demo_db_path))
    assert code == 0 and errors == []
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert len(warnings) == 6
    assert warnings[0].startswith("warning: Drafted commentary: 12 slides carry the dashboard's draft from the data")
    assert warnings[-1] == ("warning: Care leavers in bed and breakfast accommodation: off target (1 above) with no "
                            "commentary for Oct 2026. Write commentary for Oct 2026 on the KPI trend page.")
    assert lines[-1] == f"wrote 16 slides to {out} and the numbers to {out.with_suffix('.xlsx')}, marked " \
                        "OFFICIAL-SENSITIVE"
    deck = Presentation(io.BytesIO(out.read_bytes()))
    assert deck.slides[0].shapes.title.text == "Anyshire (demo): Corporate parenting board"
    assert deck.slides[-1].shapes.title.text == "Improvement plan"
    book = load_workbook(out.with_suffix(".xlsx"))
    assert book.sheetnames[:3] == ["About", "KPIs", "Scorecard"] and "CL_BB_COUNT" in book.sheetnames
    with open_store(demo_db_path) as con:
        exports = audit.entries(con, ADMIN, actions=["export"])
    assert sorted(exports["subject"]) == ["Board pack numbers: board.xlsx", "Board pack slides: board.pptx"]
    recorded = json.loads(exports["after"].iloc[0])
    assert recorded["marking"] == "OFFICIAL-SENSITIVE" and len(recorded["warnings"]) == 6
    assert exports["actor"].iloc[0].endswith("(command line)")


def test_scrutiny_for_publication_and_every_kpi(demo_db_path, tmp_path, quick, capsys):
    code, lines, _ = run(capsys, "--month", "2026-10", "--audience", "scrutiny", "--publication", "--out",
                         str(tmp_path / "scrutiny.pptx"), "--db", str(demo_db_path), "--la", "E99000001")
    assert code == 0 and lines[-1].endswith("marked OFFICIAL")
    deck = Presentation(io.BytesIO((tmp_path / "scrutiny.pptx").read_bytes()))
    assert deck.slides[0].shapes.title.text == "Anyshire (demo): Scrutiny"
    code, lines, _ = run(capsys, "--month", "2026-09", "--audience", "ALL", "--out", str(tmp_path / "all.pptx"),
                         "--db", str(demo_db_path))
    assert code == 0
    assert lines[0] == ("warning: The pack's month: the pack shows figures to Sep 2026, but figures up to Oct 2026 "
                        "are loaded. Choose Oct 2026 unless the board asked for Sep 2026.")
    assert len(load_workbook(tmp_path / "all.xlsx").sheetnames) == 3 + 34 + 1


@pytest.mark.parametrize("args, code, message", [
    (["--month", "Oct 2026"], 2, "--month Oct 2026: give the month as YYYY-MM, such as 2026-10"),
    (["--month", "2026-13"], 2, "--month 2026-13: give the month as YYYY-MM, such as 2026-10"),
    (["--audience", "cabinet"], 2, "--audience cabinet: choose one of board, scrutiny, all"),
    (["--la", "Anyshire"], 2, "--la ANYSHIRE: not a 9-character ONS council code such as E06000047"),
    (["--out", "{tmp}/pack.pdf"], 2, "--out {tmp}/pack.pdf: the pack is a PowerPoint deck; give a name ending .pptx"),
    (["--out", "{tmp}/missing/pack.pptx"], 2, "--out {tmp}/missing/pack.pptx: the folder {tmp}/missing does not exist"),
    (["--db", "{tmp}/none.duckdb"], 2, "{tmp}/none.duckdb: no such database (give --db or set DASHBOARD_DB)"),
    (["--month", "2031-01"], 1, "E99000001 has no figures for 2031-01; its latest is 2026-10"),
    (["--la", "E06000026"], 1, "E06000026 is not a council in dashboard.duckdb"),
])
def test_wrong_usage_and_refusals_are_one_line_and_write_nothing(demo_db_path, tmp_path, quick, capsys, args, code,
                                                                 message):
    given = {"--month": "2026-10", "--audience": "board", "--out": "{tmp}/pack.pptx", "--db": str(demo_db_path)}
    given.update(dict(zip(args[::2], args[1::2])))
    argv = [part.replace("{tmp}", str(tmp_path)) for pair in given.items() for part in pair]
    assert run(capsys, *argv) == (code, [], [message.replace("{tmp}", str(tmp_path))])
    assert not list(tmp_path.glob("*.pptx")) and not list(tmp_path.glob("*.xlsx"))


def test_an_unusable_selections_file_is_refused_in_one_line(demo_db_path, tmp_path, quick, capsys, monkeypatch):
    from export import selections

    bad = tmp_path / "selections.csv"
    bad.write_text("selection,kpi_code\nScrutiny,NOT_A_KPI\n")
    monkeypatch.setattr(selections, "SELECTIONS_CSV", bad)
    code, lines, errors = run(capsys, "--month", "2026-10", "--audience", "scrutiny", "--out",
                              str(tmp_path / "s.pptx"), "--db", str(demo_db_path))
    assert (code, lines) == (1, [])
    assert errors == ["selections.csv line 2: 'NOT_A_KPI' is not a KPI code in the catalogue"]


def test_the_module_runs_as_a_command_with_one_line_for_wrong_usage(tmp_path):
    done = subprocess.run([sys.executable, "-m", "export", "pack", "--month", "2026-10", "--out",
                           str(tmp_path / "p.pptx")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "python -m export pack: the following arguments are required: --audience (see --help)"]
