"""A corpus of broken and hostile files, generated here, each refused with a message an analyst can act on."""
from __future__ import annotations

import io
import struct
import time
import zipfile
from datetime import date, datetime, time as clock

import openpyxl.xml
import pytest

from ingest import parse_worker, readers
from ingest.issues import FileRefused
from ingest.readers import read_file
from tests import fixtures

LONG = [["kpi", "period", "value"], ["CONTACTS", "2026-10", 2500], ["ASSESS_45WD_PCT", "2026-10", 88.5]]


def refused(name: str, content: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_file(name, content)
    issue = caught.value.issue
    line = issue.line()
    assert issue.severity == "error"
    if issue.rule in {"too_many_rows", "too_many_cells"} and issue.sheet:  # a sheet too large names its far cell
        assert line.startswith(f"{name}: {issue.sheet}!{issue.cell}: "), line
    else:
        assert line.startswith(f"{name}: (whole file): "), line
    assert issue.fix, "every refusal says how to fix it"
    return caught.value


def billion_laughs(sheet_xml: bytes) -> bytes:
    """The classic entity-expansion bomb: ten levels of ten, a billion 'lol's if a parser expands it."""
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    body = sheet_xml.split(b"?>", 1)[-1]
    return b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + entities + b"]>\n" + body.replace(b"CONTACTS", b"&lol9;")


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_empty_file():
    issue = refused("october.xlsx", b"").issue
    assert issue.rule == "empty_file"
    assert "The file is empty" in issue.message and "save it again" in issue.fix


def test_csv_renamed_to_xlsx():
    issue = refused("october.xlsx", b"kpi,period,value\nCONTACTS,2026-10,2500\n").issue
    assert issue.rule == "not_a_workbook"
    assert "named .xlsx but holds plain text (probably a CSV renamed)" in issue.message
    assert "Rename it to .csv" in issue.fix


def test_random_bytes_named_xlsx():
    issue = refused("october.xlsx", bytes(range(256)) * 4).issue
    assert issue.rule == "not_a_workbook" and "is not a workbook" in issue.message


@pytest.mark.parametrize("name", ["october.xls", "october.xlsx"])
def test_legacy_xls_is_refused_whatever_its_name(name):
    issue = refused(name, fixtures.ole2({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})).issue
    assert issue.rule == "legacy_xls"
    assert "Excel 97-2003 (.xls)" in issue.message and "Save As > Excel Workbook (.xlsx)" in issue.fix


def test_password_protected_workbook():
    encrypted = fixtures.ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                               "EncryptedPackage": b"\x8f" * 6000})
    issue = refused("october.xlsx", encrypted).issue
    assert issue.rule == "password_protected"
    assert "password-protected" in issue.message and "Remove the password in Excel" in issue.fix


def test_truncated_workbook():
    whole = fixtures.xlsx({"Data": LONG})
    issue = refused("october.xlsx", whole[: len(whole) // 2]).issue
    assert issue.rule == "corrupt_file"
    assert "damaged or incomplete" in issue.message and "save it again under a new name" in issue.fix


def test_workbook_with_a_damaged_part():
    whole = bytearray(fixtures.xlsx({"Data": LONG}))
    start = whole.find(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    whole[start + 20: start + 60] = b"\xff" * 40  # inside the sheet's deflated data: its CRC no longer matches
    issue = refused("october.xlsx", bytes(whole)).issue
    assert issue.rule == "corrupt_file" and "damaged" in issue.message


def test_zip_bomb_by_ratio():
    bomb = fixtures.rezip(fixtures.xlsx({"Data": LONG}), add={"xl/media/image1.bin": bytes(30 * 2**20)})
    assert len(bomb) < 100_000
    issue = refused("october.xlsx", bomb).issue
    assert issue.rule == "too_large_uncompressed"
    assert "expands to 30 MB" in issue.message and "compressed suspiciously well" in issue.message
    assert "split it into smaller files" in issue.fix


def test_zip_bomb_by_declared_size_is_refused_before_inflating():
    """The directory claims 3 GB: refused from the directory alone, nothing is inflated."""
    content = bytearray(fixtures.xlsx({"Data": LONG}))
    directory = content.find(b"PK\x01\x02")
    struct.pack_into("<I", content, directory + 24, 3 * 2**30)
    started = time.perf_counter()
    issue = refused("october.xlsx", bytes(content)).issue
    assert time.perf_counter() - started < 1
    assert issue.rule == "too_large_uncompressed" and "expands to 3072 MB" in issue.message


def test_xml_bomb_in_a_sheet():
    whole = fixtures.xlsx({"Data": LONG})
    sheet = zipfile.ZipFile(io.BytesIO(whole)).read("xl/worksheets/sheet1.xml")
    started = time.perf_counter()
    issue = refused("october.xlsx", fixtures.rezip(whole, {"xl/worksheets/sheet1.xml": billion_laughs(sheet)})).issue
    assert time.perf_counter() - started < 1
    assert issue.rule == "xml_entities"
    assert "xl/worksheets/sheet1.xml declares XML entities" in issue.message and "XML bomb" in issue.message


def test_formulas_without_saved_values_are_marked():
    content = fixtures.xlsx({"Data": [["kpi", "period", "value"], ["CONTACTS", "2026-10", "=SUM(1,2)"],
                                      ["REFERRALS", "2026-10", 400]]})
    (sheet,) = read_file("october.xlsx", content)
    assert sheet.formulas_without_values == {"C2"}
    assert sheet.rows[1][2] is None and sheet.rows[2][2] == 400


def test_oversize_file():
    issue = refused("history.csv", b"x" * (readers.MAX_FILE_BYTES + 1)).issue
    assert issue.rule == "file_too_large"
    assert "larger than 25 MB" in issue.message and issue.found == "25.0 MB" and "Split it" in issue.fix


@pytest.mark.parametrize("name,content", [
    ("history.csv", b"kpi,period,value\n" + b"CONTACTS,2026-10,1\n" * 20),
    ("history.xlsx", fixtures.xlsx({"Data": LONG + [["CONTACTS", "2026-09", 1]] * 20})),
])
def test_too_many_rows(monkeypatch, name, content):
    monkeypatch.setattr(readers, "MAX_ROWS", 10)
    issue = refused(name, content).issue
    assert issue.rule == "too_many_rows" and "more than 10 rows" in issue.message and "Split" in issue.fix


def test_workbook_named_csv():
    issue = refused("october.csv", fixtures.xlsx({"Data": LONG})).issue
    assert issue.rule == "not_a_csv" and "Rename it to .xlsx" in issue.fix


def test_csv_with_an_unclosed_quote_over_the_field_limit():
    issue = refused("october.csv", b'kpi,period,value\nCONTACTS,"2026-10,' + b"9" * 200_000).issue
    assert issue.rule == "not_a_csv" and "could not be read as a CSV" in issue.message


def test_unsupported_type():
    issue = refused("october.pdf", b"%PDF-1.7").issue
    assert issue.rule == "unsupported_type"
    assert "Files of type .pdf are not read" in issue.message and ".xlsx" in issue.fix


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(encoding, delimiter):
    lines = [["la_code", "kpi", "period", "value", "note"],
             ["E99000001", "CONTACTS", "2026-10", "2,500" if delimiter != "," else "2500", "café – closed"],
             ["", "Referrals received", "Oct-26", "c", "“quoted”; with, separators"]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if any(d in c for d in ",;\t") else c for c in row) for row in lines)
    (sheet,) = read_file("return.csv", text.encode(encoding))
    assert sheet.name == "return"
    assert sheet.rows == [lines[0], ["E99000001", "CONTACTS", "2026-10", lines[1][3], "café – closed"],
                          [None, "Referrals received", "Oct-26", "c", "“quoted”; with, separators"]]


def test_csv_with_old_mac_line_endings():
    """Excel for Mac's "CSV (Macintosh)" ends lines with a bare carriage return."""
    (sheet,) = read_file("return.csv", b'kpi,period,value,note\rCONTACTS,2026-10,5,"two\r\nlines"\r')
    assert sheet.rows == [["kpi", "period", "value", "note"], ["CONTACTS", "2026-10", "5", "two\r\nlines"]]


def test_ods_values_are_read():
    content = fixtures.ods({"Data": LONG, "Notes": [["Source: case-management system"]]})
    data, notes = read_file("october.ods", content)
    assert (data.name, notes.name) == ("Data", "Notes")
    assert data.rows == [["kpi", "period", "value"], ["CONTACTS", "2026-10", 2500.0],
                         ["ASSESS_45WD_PCT", "2026-10", 88.5]]


def test_xlsm_reads_saved_values_and_never_runs_anything():
    """The saved result 7 is read as it is, not recalculated (SUM(1,2) would be 3), and the macro is inert."""
    content = fixtures.xlsm_with_macro(LONG, {"C2": ("SUM(1,2)", 7)})
    assert b"xl/vbaProject.bin" in content and b"macroEnabled" in zipfile.ZipFile(io.BytesIO(content)).read(
        "[Content_Types].xml")
    (sheet,) = read_file("october.xlsm", content)
    assert sheet.rows[1] == ["CONTACTS", "2026-10", 7.0]
    assert sheet.formulas_without_values == set()


def test_the_reader_sends_every_kind_of_cell_back_exactly_as_parsed():
    """The child sends columns (numbers as bytes, repeated text once with a code per cell); what the dashboard
    rebuilds must be the parser's own cells, type for type: 1.0 is not True, a date is not its text, "" is empty."""
    rows = [["la_code", "kpi", "period", "value", "mixed", "flag", "when"],
            ["E06000026", "CONTACTS", date(2026, 9, 1), 2500, 1, True, clock(9, 30)],
            [None, "Contacts", datetime(2026, 10, 1, 12, 0), None, "c", False, None],
            ["E06000026", None, "2026-11", 88.5, 2.5, None, datetime(2026, 1, 2)]]
    notes = [["Only a note"], [], [], [None, None, 7]]
    figures = [["value", "numerator"]] + [[1000.5 + i, i] for i in range(12)] + [["c", True], [None, 3], ["x", 4]]
    content = fixtures.xlsx({"Data": rows, "Empty": [], "Notes": notes, "Figures": figures})
    sent = read_file("mixed.xlsx", content)
    parsed = parse_worker.parse("mixed.xlsx", content, readers._limits())
    local = [readers.Sheet.from_rows(name, cells, missing, blank="") for name, cells, missing in parsed]
    assert [s.name for s in sent] == [s.name for s in local] == ["Data", "Empty", "Notes", "Figures"]
    for child, here in zip(sent, local):
        assert child.cells.shape == here.cells.shape
        assert [[(type(v), v) for v in row] for row in child.rows] == [[(type(v), v) for v in row] for row in here.rows]
    assert sent[0].rows[1][5] is True and sent[0].rows[2][3] is None and sent[2].rows[3][2] == 7
    assert sent[3].rows[13] == ["c", True] and sent[3].rows[14][0] is None and sent[3].rows[1][0] == 1000.5


def test_a_reader_process_is_waiting_for_the_next_file(monkeypatch):
    """Starting the reader was most of a monthly return's read: once the Upload page has asked for it, one is
    started ahead of each file, and each is used once only."""
    monkeypatch.setattr(readers._SPARES, "wanted", False)  # put back after the test, as the command line has it
    readers._SPARES.stop()
    read_file("october.csv", b"kpi,period,value\nCONTACTS,2026-10,2500\n")
    assert not readers._SPARES._waiting, "the command line starts no process it will not use"
    readers.warm_reader()
    memory = readers.load_settings().upload_memory_bytes
    waiting = readers._SPARES._waiting[memory]
    assert waiting.poll() is None
    read_file("october.csv", b"kpi,period,value\nCONTACTS,2026-10,2500\n")
    assert waiting.poll() == 0, "the process that read the file has ended"
    assert readers._SPARES._waiting[memory] is not waiting and readers._SPARES._waiting[memory].poll() is None
    readers._SPARES.stop()
    assert waiting.returncode == 0 and not readers._SPARES._waiting
