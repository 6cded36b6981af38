"""The one spreadsheet writer: OWASP's formula characters and their look-alikes are made inert, numbers stay
numbers, and nothing else in the product writes a CSV, an XLSX or a download button of its own."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from store.spreadsheets import csv_bytes, formula_like, safe_cell, unescape, workbook_bytes
from tests.conftest import ROOT

HOSTILE = [
    '=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1", "\tplain", "\rplain",
    "=", "+", "-", "@",
    "＝1+1", "＋1", "－1+1", "＠SUM(1)", "﹦1+1", "﹢1", "﹣1", "﹫SUM(1)",  # full-width and small forms
    " =1+1", "  @SUM(1)", "\n=1+1", "\u00a0=1+1", "\u3000＝1+1",  # whitespace first
    "-2+3", "+44 20 7946 0000", "-cmd|' /C calc'!A0", "-1x",
]
HARMLESS = ["Anyshire (demo)", "", "   ", "a=1", "Ofsted ILACS inspection", "c", "x-y", "1-1", "'hello"]
NUMBERS_AS_TEXT = ["-5", "+3", "-2.5", "-.5", "1e5", "-1.5E-3", "-12%", " -4"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(text):
    assert formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS + NUMBERS_AS_TEXT)
def test_other_text_is_left_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-5, -2.5, 0, 3, np.float64(-1.5), np.int64(-7), pd.Timestamp("2026-10-01")])
def test_numbers_and_timestamps_stay_as_they_are(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_are_empty(value):
    assert safe_cell(value) is None


@pytest.mark.parametrize("text", HOSTILE + HARMLESS + NUMBERS_AS_TEXT + ["'=1+1", "''@x", "'-5"])
def test_unescape_gives_back_exactly_what_was_written(text):
    assert unescape(safe_cell(text)) == text


def test_many_apostrophes_do_not_exhaust_the_stack():
    text = "'" * 50_000 + "=1"
    assert unescape(safe_cell(text)) == text


FRAME = pd.DataFrame({
    "Council": ['=HYPERLINK("http://x","y")', "Anyshire (demo)", "-Bad"],
    "Value": [-5.5, 3.0, None],
    "Count": pd.array([-2, 4, None], dtype="Int64"),
    "Band": pd.Categorical(["@A", "B", "+C"]),
    "Mixed": [-1, "=2+2", "c"],
    "@Header": ["x", "y", "z"],
})


def test_csv_neutralises_text_headers_and_categories_and_keeps_negative_numbers():
    rows = list(csv.reader(io.StringIO(csv_bytes(FRAME).decode("utf-8-sig"))))
    assert rows[0] == ["Council", "Value", "Count", "Band", "Mixed", "'@Header"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "-5.5", "-2", "'@A", "-1", "x"]
    assert rows[2] == ["Anyshire (demo)", "3.0", "4", "B", "'=2+2", "y"]
    assert rows[3] == ["'-Bad", "", "", "'+C", "c", "z"]


def test_workbook_writes_formula_like_text_as_quoted_text_that_reads_as_written_and_keeps_numbers():
    sheet = load_workbook(io.BytesIO(workbook_bytes({"Data": FRAME})))["Data"]
    cells = [[c for c in row] for row in sheet.iter_rows()]
    assert all(c.data_type != "f" for row in cells for c in row)
    assert [c.value for c in cells[0]] == ["Council", "Value", "Count", "Band", "Mixed", "@Header"]
    assert cells[0][5].quotePrefix and not cells[0][0].quotePrefix
    first = cells[1]
    assert first[0].value == "=HYPERLINK(\"http://x\",\"y\")" and first[0].data_type == "s" and first[0].quotePrefix
    assert first[1].value == -5.5 and first[1].data_type == "n"
    assert first[2].value == -2 and first[2].data_type == "n"
    assert first[4].value == -1 and first[4].data_type == "n"
    assert cells[2][4].value == "=2+2" and cells[2][4].quotePrefix
    assert cells[2][0].value == "Anyshire (demo)" and not cells[2][0].quotePrefix


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_like_text_is_an_inline_string_with_excels_quote_prefix(text):
    """What Excel records when someone types an apostrophe first: a text cell, `quotePrefix="1"` in its style,
    so it opens as text and stays text when edited, and shows no apostrophe."""
    content = workbook_bytes({"Data": pd.DataFrame({"Words": [text]})})
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
        styles = package.read("xl/styles.xml").decode()
    cell = re.search(r'<c r="A2" s="(\d+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', sheet, re.S)
    assert cell, sheet
    assert "<f>" not in sheet
    style = re.findall(r"<xf [^>]*/>|<xf [^>]*>.*?</xf>", re.search(r"<cellXfs.*?</cellXfs>", styles, re.S).group(0),
                       re.S)[int(cell.group(1))]
    assert 'quotePrefix="1"' in style
    read = load_workbook(io.BytesIO(content))["Data"]["A2"]
    assert read.value == text


@pytest.mark.parametrize("text", ["'=1+1", "''@x"])
def test_text_already_starting_with_apostrophes_keeps_one_more_so_it_reads_back_exactly(text):
    cell = load_workbook(io.BytesIO(workbook_bytes({"Data": pd.DataFrame({"Words": [text]})})))["Data"]["A2"]
    assert cell.value == "'" + text and unescape(cell.value) == text


PRODUCT = ["app.py", "settings.py", "analysis", "auth", "ingest", "records", "demo", "store", "export", "ui", "views"]
WRITERS = re.compile(r"\.to_csv\(|\.to_excel\(|\bWorkbook\(|ExcelWriter|csv\.writer|DictWriter|xlsxwriter")
MAY_WRITE = {
    "store/spreadsheets.py": "the writer itself",
    "demo/synthetic.py": "writes the shipped synthetic demo data to data/demo/, which nobody downloads",
}
BUTTONS = re.compile(r"\bdownload_button\(")
MAY_OFFER = {
    "ui/exports.py": "every download: made on a click, for the signed-in person, audited",
    "views/upload_file.py": "the blank template (the catalogue's public KPI list), which the README leaves unaudited",
}


def _product_files():
    for entry in PRODUCT:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_every_spreadsheet_is_written_by_the_one_writer():
    found = sorted({str(p.relative_to(ROOT)) for p in _product_files() if WRITERS.search(p.read_text())})
    assert set(found) <= set(MAY_WRITE), found


def test_every_download_button_is_the_audited_one():
    found = sorted({str(p.relative_to(ROOT)) for p in _product_files() if BUTTONS.search(p.read_text())})
    assert set(found) <= set(MAY_OFFER), found
