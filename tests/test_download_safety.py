"""Every download the pages offer, taken with hostile text planted in the store: no cell of any CSV or XLSX can
run as a formula, each file is made only on a click, and each click writes exactly one export entry.

The hostile text is what a review found leaking out as live formulas: a council name from a DfE file, an upload's
file name, commentary; and the other text people type (notes, the plan, KPI sources, the audit log's actors).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auth import audit
from auth.roles import Actor
from export import pack
from records.kpi_edits import add_commentary
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.actors import ADMIN, analyst
from tests.conftest import ROOT
from tests.fixtures import long_rows, xlsx
from tests.test_board_pack import MONTH, fake_renderer
from tests.test_upload_pages import open_upload

COUNCIL = '=HYPERLINK("http://x","y")'
UPLOAD_FILE = "=1+1"
COMMENTARY = "@SUM(1)"
NOTE = "\t=2+3"
OWNER = "+Head of Safeguarding"
RECOMMENDATION = "-1+cmd|' /C calc'!A0"
PROGRESS = "＝1+1"  # a full-width equals sign
SOURCE = " =1+2"  # leading space
DEFINITION = "\r=3+4"
ACTOR = "=evil@anyshire.example"
BAD_UPLOAD = "=1+1.xlsx"
BAD_KPI = "@NOT_A_KPI"

# Where each planted text must show, escaped, so the walk is known to have carried it out.
EXPECTED = {
    "trend": [UPLOAD_FILE],
    "benchmarks": [COUNCIL],
    "board_pack": [COMMENTARY, UPLOAD_FILE, NOTE, SOURCE, DEFINITION, RECOMMENDATION, OWNER],
    "improvement_plan": [RECOMMENDATION, OWNER, PROGRESS],
    "audit_log": [ACTOR],
    "upload_file": [BAD_UPLOAD, BAD_KPI, DEFINITION],
    "kpi_catalogue": [DEFINITION],
}

FORMULA_CHARACTERS = set("=+-@") | set("＝＋－＠﹦﹢﹣﹫")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?", re.ASCII)


def live_formula(text: str) -> bool:
    """What a spreadsheet could run: a tab or carriage return first, or (after any spaces) one of = + - @ or
    their full-width and small forms, unless the whole cell is a plain number such as -2.5."""
    if text[:1] in ("\t", "\r"):
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_CHARACTERS and not PLAIN_NUMBER.fullmatch(stripped)


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]


def xlsx_cells(content: bytes) -> list[object]:
    """Each cell's text as a spreadsheet would take it: a text cell marked with Excel's quote prefix reads as its
    words but is never run, as if an apostrophe had been typed before them."""
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                quoted = cell.quotePrefix and cell.data_type == "s"
                cells.append("'" + cell.value if quoted else cell.value)
    return cells


def pages_with_downloads() -> set[str]:
    offers = re.compile(r"\b(st\.download_button|exports\.download)\(")
    return {path.stem for path in (ROOT / "views").glob("*.py") if offers.search(path.read_text())}


def export_count(db: Path) -> int:
    with open_store(db) as con:
        return len(audit.entries(con, ADMIN, actions=["export"]))


@pytest.fixture
def hostile_app(demo_db_path, unstarted_app, monkeypatch):
    """The demo with hostile text wherever text reaches a download, opened on the overview."""
    monkeypatch.setattr(pack, "render_for_slides", fake_renderer)
    with open_store(demo_db_path) as con:
        neighbour = con.execute("SELECT neighbour_code FROM neighbours WHERE la_code = ? ORDER BY rank LIMIT 1",
                                [DEMO_LA_CODE]).fetchone()[0]
        con.execute("UPDATE councils SET name = ? WHERE la_code = ?", [COUNCIL, neighbour])
        con.execute("UPDATE uploads SET file_name = ?", [UPLOAD_FILE])
        con.execute("UPDATE observations SET note = ? WHERE la_code = ? AND kpi_code = 'CL_BB_COUNT'",
                    [NOTE, DEMO_LA_CODE])
        con.execute("UPDATE kpis SET source = ?, definition = ? WHERE code = 'CL_BB_COUNT'", [SOURCE, DEFINITION])
        con.execute("UPDATE recommendation_versions SET owner = ?, text = ?", [OWNER, RECOMMENDATION])
        con.execute("UPDATE recommendation_log SET text = ? WHERE kind = 'progress'", [PROGRESS])
        add_commentary(con, DEMO_LA_CODE, "CL_BB_COUNT", MONTH, COMMENTARY, analyst("analyst@anyshire.example"))
        audit.record(con, Actor(ACTOR, "admin"), "export", "=1+1: file.csv", None, {"file": "-2+3"})
    unstarted_app.run()
    assert not unstarted_app.exception
    return unstarted_app


def open_page(app, page: str) -> None:
    if page == "upload_file":
        content = xlsx({"Data": long_rows({("ASSESS_45WD_PCT", "2026-10"): 191.2, (BAD_KPI, "2026-10"): 5})})
        open_upload(app, BAD_UPLOAD, content)
        return
    app.switch_page(f"views/{page}.py").run()
    if page == "board_pack":
        app.button(key="preflight_all").click().run()
        app.button(key="make_pack").click().run(timeout=120)
    assert not app.exception


def test_every_download_is_made_on_a_click_audited_once_and_free_of_formulas(hostile_app, demo_db_path,
                                                                              downloads):
    assert pages_with_downloads() == set(EXPECTED), "a page offers downloads: add it to this walk"
    checked = {}
    for page, planted in EXPECTED.items():
        downloads.clear()
        downloads.waiting.clear()
        open_page(hostile_app, page)
        buttons = hostile_app.get("download_button")
        assert buttons, page
        eager = [b.proto.label for b in buttons if b.proto.url]
        assert eager == (["Download the template (.xlsx)"] if page == "upload_file" else []), \
            f"{page}: only the blank template may sit at a /media URL before a click"
        assert all(b.proto.deferred_file_id for b in buttons if not b.proto.url)
        names = sorted(n for n in downloads.names() if n.endswith((".csv", ".xlsx")))
        assert names, page
        text = []
        for name in names:
            before = export_count(demo_db_path)
            if name in downloads.waiting:
                content, _ = downloads.produce(name)
                assert export_count(demo_db_path) == before + 1, f"{page}: {name} wrote one export entry"
            else:
                content, _ = downloads[name]
            cells = csv_cells(content) if name.endswith(".csv") else xlsx_cells(content)
            strings = [c for c in cells if isinstance(c, str)]
            assert [c for c in strings if live_formula(c)] == [], f"{page}: {name}"
            text += strings
            checked[name] = len(cells)
        for hostile in planted:
            assert any(hostile in cell for cell in text), f"{page}: {hostile!r} should be in a download, escaped"
            assert hostile not in text
    assert any(n.endswith(".csv") for n in checked) and any(n.endswith(".xlsx") for n in checked)


def test_numbers_stay_numbers_in_the_downloads(hostile_app, downloads):
    open_page(hostile_app, "trend")
    name = next(n for n in downloads.waiting if n.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(downloads[name][0].decode("utf-8-sig"))))
    assert all(float(row["Value"]) == float(row["Value"]) for row in rows if row["Value"])
    assert {row["Upload file"] for row in rows} == {"'" + UPLOAD_FILE}
