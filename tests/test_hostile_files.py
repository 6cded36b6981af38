"""Files built to take the dashboard down: each is refused in words, quickly, and the process that read it lives.

Before the reader ran in a child process of its own, the first of these (one
value in XFD1048576, under 5 KB) made calamine ask for 512 GiB and abort the
whole server with exit 134.
"""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest import plan_import, readers, upload
from ingest.issues import FileRefused
from ingest.readers import read_file
from settings import DEMO_LA_CODE, Settings
from store.connection import connect
from tests import fixtures

ROOT = Path(__file__).resolve().parent.parent
THREE_GIB = 3 * 2**30
TABLES = ["observations", "uploads", "targets", "recommendations", "audit_log"]


def far_cell_workbook(cell: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["kpi", "period", "value"])
    sheet.append(["CONTACTS", "2026-10", 2500])
    sheet[cell] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_with_rows(rows_xml: str) -> bytes:
    """An ODS whose only table's rows are the given XML, for repeated-row and repeated-cell tricks."""
    plain = fixtures.ods({"Data": [["MARKER"]]})
    content = zipfile.ZipFile(io.BytesIO(plain)).read("content.xml").decode()
    start = content.index("<table:table-row>")
    end = content.index("</table:table>")
    return fixtures.rezip(plain, {"content.xml": (content[:start] + rows_xml + content[end:]).encode()})


def lying_zip(inflated_bytes: int) -> bytes:
    """A workbook whose sheet inflates to `inflated_bytes` while the zip directory says it holds 1 KB."""
    whole = fixtures.xlsx({"Data": [["kpi", "period", "value"]]})
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = [compressor.compress(b'<?xml version="1.0"?><worksheet><sheetData>')]
    chunk = b" " * 2**20
    for _ in range(inflated_bytes // len(chunk)):
        body.append(compressor.compress(chunk))
    body.append(compressor.compress(row + b"</sheetData></worksheet>") + compressor.flush())
    deflated = b"".join(body)
    source = zipfile.ZipFile(io.BytesIO(whole))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/worksheets/sheet1.xml", b"placeholder")
    package = bytearray(buffer.getvalue())
    # Swap the placeholder's stored bytes for the deflated bomb, then make every header claim 1 KB inflated.
    local = package.rfind(b"PK\x03\x04", 0, package.find(b"PK\x01\x02"))
    name_length, extra_length = struct.unpack_from("<HH", package, local + 26)
    data_at = local + 30 + name_length + extra_length
    old_size = struct.unpack_from("<I", package, local + 18)[0]
    package[data_at:data_at + old_size] = deflated
    struct.pack_into("<III", package, local + 14, zlib.crc32(b""), len(deflated), 1024)
    directory = package.find(b"PK\x01\x02")
    while directory != -1:
        name_length = struct.unpack_from("<H", package, directory + 28)[0]
        if package[directory + 46:directory + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<III", package, directory + 16, zlib.crc32(b""), len(deflated), 1024)
            struct.pack_into("<I", package, directory + 42, local)
        directory = package.find(b"PK\x01\x02", directory + 4)
    end = package.find(b"PK\x05\x06")
    first_entry = package.find(b"PK\x01\x02")
    struct.pack_into("<II", package, end + 12, end - first_entry, first_entry)
    return bytes(package)


def refusal(name: str, content: bytes) -> tuple[FileRefused, float]:
    started = time.perf_counter()
    with pytest.raises(FileRefused) as caught:
        read_file(name, content)
    return caught.value, time.perf_counter() - started


@pytest.mark.parametrize("cell,cells", [("XFD1048576", "17,179,869,184"), ("CV1048576", "104,857,600")])
def test_a_value_in_a_far_cell_is_refused_in_words_naming_the_cell(cell, cells):
    content = far_cell_workbook(cell)
    assert len(content) < 6_000
    refused, seconds = refusal("october.xlsx", content)
    issue = refused.issue
    assert seconds < 10
    assert (issue.rule, issue.sheet, issue.cell) == ("too_many_cells", "Data", cell)
    assert f"Sheet 'Data' stretches from A1 to {cell}: {cells} cells" in issue.message
    assert f"more than the {readers.MAX_CELLS:,}" in issue.message
    assert "delete the rows below your data and the columns to its right" in issue.fix


def test_a_far_cell_the_writer_left_unreferenced_is_found_too():
    """OOXML lets a writer leave out cell references; the reader then counts cells in order."""
    whole = far_cell_workbook("B2")
    sheet = zipfile.ZipFile(io.BytesIO(whole)).read("xl/worksheets/sheet1.xml")
    far = b'<row r="1048576">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 10 + b"</row></sheetData>"
    refused, _ = refusal("october.xlsx", fixtures.rezip(whole, {"xl/worksheets/sheet1.xml":
                                                               sheet.replace(b"</sheetData>", far)}))
    assert refused.issue.rule == "too_many_cells" and "A1 to J1048576" in refused.issue.message


def test_an_ods_value_repeated_over_the_whole_sheet_is_refused():
    rows = ('<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
            'table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p>'
            "</table:table-cell></table:table-row>")
    content = ods_with_rows(rows)
    assert len(content) < 2_000
    refused, seconds = refusal("october.ods", content)
    assert seconds < 10
    assert refused.issue.rule == "too_many_cells" and "A1 to XFD1048576" in refused.issue.message


def test_an_ods_with_libreoffices_million_empty_rows_reads_as_its_data():
    rows = ('<table:table-row><table:table-cell office:value-type="string"><text:p>kpi</text:p></table:table-cell>'
            '<table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>')
    (sheet,) = read_file("october.ods", ods_with_rows(rows))
    assert sheet.rows == [["kpi"]]


def test_a_zip_that_lies_about_its_size_is_refused_without_inflating_it_all():
    content = lying_zip(600 * 2**20)
    assert len(content) < 2 * 2**20
    refused, seconds = refusal("october.xlsx", content)
    assert seconds < 20
    assert refused.issue.rule in {"too_large_uncompressed", "corrupt_file"}, refused.issue


def test_a_reader_that_runs_out_of_memory_ends_its_own_process_not_this_one(monkeypatch):
    """With the cell budget lifted, calamine really tries to build 100 million cells: the child's cap stops it."""
    monkeypatch.setattr(readers, "MAX_CELLS", 10**12)
    monkeypatch.setenv("DASHBOARD_UPLOAD_MEMORY_MB", "512")
    refused, seconds = refusal("october.xlsx", far_cell_workbook("CV1048576"))
    assert refused.issue.rule == "too_much_memory"
    assert "needed more than the 512 MB of memory an upload may use" in refused.issue.message
    assert seconds < 60


def test_a_reader_that_overruns_its_time_is_stopped(monkeypatch):
    monkeypatch.setattr(readers, "load_settings", lambda: Settings(Path("unused"), DEMO_LA_CODE,
                                                                  upload_seconds=0))
    refused, _ = refusal("october.xlsx", far_cell_workbook("B2"))
    assert refused.issue.rule == "too_slow" and "took longer than 0 seconds" in refused.issue.message


def test_the_upload_path_refuses_a_far_cell_and_writes_nothing(demo_con):
    before = [demo_con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    plan = upload.prepare(demo_con, "october.xlsx", far_cell_workbook("XFD1048576"), home_la=DEMO_LA_CODE,
                          user="analyst@example.gov.uk", today=date(2026, 11, 23))
    assert not plan.can_load and [i.rule for i in plan.errors] == ["too_many_cells"]
    assert [demo_con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES] == before


def test_the_plan_import_refuses_a_far_cell_and_writes_nothing(demo_con):
    before = demo_con.execute("SELECT count(*) FROM recommendations").fetchone()[0]
    parsed = plan_import.check_file(demo_con, DEMO_LA_CODE, "plan.xlsx", far_cell_workbook("XFD1048576"), None,
                                    date(2026, 11, 1), date(2026, 11, 23))
    assert [i.rule for i in parsed.issues] == ["too_many_cells"]
    assert demo_con.execute("SELECT count(*) FROM recommendations").fetchone()[0] == before


@pytest.mark.parametrize("name,content", [("october.xlsx", far_cell_workbook("XFD1048576")),
                                          ("october.xlsx", lying_zip(600 * 2**20))],
                         ids=["last-cell", "lying-zip"])
def test_the_command_line_under_a_3_gib_cap_refuses_in_words(tmp_path, demo_db_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    con = connect(demo_db_path)
    before = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
    con.close()
    started = time.perf_counter()
    result = subprocess.run(["prlimit", f"--as={THREE_GIB}", sys.executable, "-m", "ingest", "load", str(path),
                             "--db", str(demo_db_path)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "DASHBOARD_LA": DEMO_LA_CODE})
    assert time.perf_counter() - started < 60
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{name}: refused" in result.stderr and "nothing loaded" in result.stderr
    con = connect(demo_db_path)
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES] == before
    con.close()


def _with_sheet_xml(change) -> bytes:
    whole = far_cell_workbook("B2")
    sheet = zipfile.ZipFile(io.BytesIO(whole)).read("xl/worksheets/sheet1.xml")
    return fixtures.rezip(whole, {"xl/worksheets/sheet1.xml": change(sheet)})


def test_a_formula_above_many_formatted_empty_cells_is_read_in_seconds():
    """The unsaved-formula scan once restarted at every self-closing cell: 40,000 of them took 86 s."""
    empty = b"".join(b'<row r="%d"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>' % (r, r, r) for r in range(3, 30_003))
    content = _with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", empty + b"</sheetData>").replace(
        b'<c r="B2"', b'<c r="C2"><f>SUM(1,2)</f></c><c r="B2"', 1))
    started = time.perf_counter()
    (sheet,) = read_file("october.xlsx", content)
    assert time.perf_counter() - started < 20
    assert sheet.formulas_without_values == {"C2"}


@pytest.mark.parametrize("change,shape", [
    (lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576" ht="30" customHeight="1"/></sheetData>'), (2, 3)),
    (lambda xml: xml.replace(b"</sheetData>", b'<row r="100000"><c r="ZZ100000" s="1"/></row></sheetData>'), (2, 3)),
], ids=["a row height on the last row", "a styled empty cell far away"])
def test_formatting_alone_far_from_the_data_is_read_as_the_data(change, shape):
    (sheet,) = read_file("october.xlsx", _with_sheet_xml(change))
    assert sheet.cells.shape == shape


@pytest.mark.parametrize("change", [
    lambda xml: xml.replace(b'r="B2"', b"r='XFD1048576'"),
    lambda xml: (xml.replace(b"<worksheet ", b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
                             b'spreadsheetml/2006/main" ').replace(b"</worksheet>", b"</x:worksheet>")
                 .replace(b"<row ", b"<x:row ").replace(b"</row>", b"</x:row>").replace(b"<c ", b"<x:c ")
                 .replace(b"</c>", b"</x:c>").replace(b'r="B2"', b'r="XFD1048576"')),
], ids=["single-quoted reference", "prefixed tags"])
def test_a_far_cell_written_another_valid_way_is_refused_naming_it(change):
    refused, _ = refusal("october.xlsx", _with_sheet_xml(change))
    assert (refused.issue.rule, refused.issue.cell) == ("too_many_cells", "XFD1048576"), refused.issue


def test_sheets_that_each_fit_but_together_do_not_are_refused():
    workbook = Workbook()
    for i in range(4):
        sheet = workbook.active if i == 0 else workbook.create_sheet()
        sheet.title = f"Part {i + 1}"
        sheet["A1"] = "kpi"
        sheet["G1000000"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused, seconds = refusal("october.xlsx", buffer.getvalue())
    assert seconds < 20
    assert refused.issue.rule == "too_many_cells" and "4 sheets together stretch over 28,000,000 cells" in \
        refused.issue.message
