"""How far each sheet of a workbook really reaches, found from its XML before any reader allocates it.

calamine builds a sheet as one rectangle from A1 to its farthest cell, whatever
lies between: a single value in XFD1048576 makes it ask for 512 GiB and abort the
whole process, which Python cannot catch. So every part of the package is
inflated here first, with a bounded read that trusts nothing the zip directory
declares, and each sheet's farthest cell is found by scanning the XML as bytes
(patterns, not an XML parser, so entity tricks have nothing to expand).

The same pass finds xlsx formulas whose result was never saved, which would
otherwise read as empty cells.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from ingest.issues import column_letter, column_number

CHUNK = 8 * 2**20
XLSX_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
# Fast path: every row and cell starts with its own reference, as Excel, LibreOffice and openpyxl write them.
ROW_NUMBERS = re.compile(rb'<row r="(\d+)"')
CELL_COLUMNS = re.compile(rb'<c r="([A-Z]+)')
# Cells with something in them (not self-closing): what calamine keeps, counted when formatting stretches the reach.
FILLED_CELLS = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*(?<!/)>')
# Slow path, for writers that leave references out, prefix their tags (x:c) or quote with ': walk in order.
ROW_OR_CELL = re.compile(rb'<(?:\w+:)?(row|c)\b([^>]*)>')
REF = re.compile(rb'\sr=["\']([A-Z]*)(\d*)["\']')
FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A saved result is a non-empty <v> or an inline string; openpyxl with lxml writes an empty <v></v> for none.
SAVED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>")
CELL_REF = re.compile(rb'\br=["\']([A-Z]+[0-9]+)["\']')
# OpenDocument: tables, rows and cells, each possibly repeated many times by one attribute.
ODS_TOKEN = re.compile(rb'<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>'
                       rb'|</table:(table-row|table)>')
ODS_NAME = re.compile(rb'table:name="([^"]*)"')
ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


class TooLarge(Exception):
    """The package inflates to more than the budget allows; carries what was read so far."""

    def __init__(self, inflated: int):
        super().__init__(f"inflates past {inflated:,} bytes")
        self.inflated = inflated


@dataclass(frozen=True)
class Extent:
    """A sheet's farthest row and column (1-based) holding anything a reader would keep."""

    sheet: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def far_cell(self) -> str:
        return f"{column_letter(self.columns)}{self.rows}" if self.rows and self.columns else "A1"


@dataclass
class Scan:
    """What the pre-read found: each sheet's extent, and xlsx formula cells with no saved value by part name."""

    extents: list[Extent] = field(default_factory=list)
    formulas_without_values: dict[str, set[str]] = field(default_factory=dict)


class Inflater:
    """Reads zip members with a byte budget shared by the whole package, whatever sizes the directory claims."""

    def __init__(self, archive: zipfile.ZipFile, budget: int):
        self.archive = archive
        self.remaining = budget
        self.budget = budget

    def read(self, entry: zipfile.ZipInfo) -> bytes:
        with self.archive.open(entry) as part:
            data = part.read(self.remaining + 1)
        if len(data) > self.remaining:
            raise TooLarge(self.budget + 1)
        self.remaining -= len(data)
        return data


def scan_package(archive: zipfile.ZipFile, budget: int, sheet_names: dict[str, str], cell_budget: int) -> Scan:
    """Inflate every member within `budget` bytes and measure every sheet.

    `sheet_names` maps xlsx worksheet part names to the names users see; an ODS
    names its sheets in content.xml itself.
    """
    inflater = Inflater(archive, budget)
    scan = Scan()
    for entry in archive.infolist():
        if entry.is_dir():
            continue
        data = inflater.read(entry)
        if XLSX_SHEET.fullmatch(entry.filename):
            name = sheet_names.get(entry.filename, entry.filename)
            scan.extents.append(xlsx_extent(name, data, cell_budget))
            missing = formulas_without_values(data)
            if missing:
                scan.formulas_without_values[entry.filename] = missing
        elif entry.filename == "content.xml":
            scan.extents += ods_extents(data)
    return scan


def xlsx_extent(name: str, xml: bytes, cell_budget: int) -> Extent:
    """The farthest row and column of one worksheet's XML that holds something, as calamine counts it.

    The quick reach counts every row and cell element; when that is within the
    budget it is the answer. Only when formatting alone (a row height, a styled
    empty cell) stretches it past the budget are the filled cells counted exactly.
    """
    if b":c " in xml or b":c>" in xml or b":row" in xml or b" r='" in xml:
        return _xlsx_extent_in_order(name, xml)
    rows = ROW_NUMBERS.findall(xml)
    cell_columns = CELL_COLUMNS.findall(xml)
    rows_in_file = xml.count(b"<row ") + xml.count(b"<row>")
    cells_in_file = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    if len(rows) != rows_in_file or len(cell_columns) != cells_in_file:
        return _xlsx_extent_in_order(name, xml)
    quick = Extent(name, max(map(int, rows), default=0), _last_column(set(cell_columns)))
    if quick.cells <= cell_budget:
        return quick
    filled = FILLED_CELLS.findall(xml)
    return Extent(name, max((int(row) for _, row in filled), default=0), _last_column({c for c, _ in filled}))


def _last_column(letters: set[bytes]) -> int:
    if any(len(c) > 3 for c in letters):
        return 16_385  # a column past XFD: no spreadsheet program writes one, so refuse it as far too wide
    return max((column_number(c.decode()) for c in letters), default=0)


def _xlsx_extent_in_order(name: str, xml: bytes) -> Extent:
    """Rows and cells without references take the next number after the one before, as readers count them."""
    row = column = last_row = last_column = 0
    for match in ROW_OR_CELL.finditer(xml):
        ref = REF.search(match.group(2))
        if match.group(1) == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = 0
            continue
        letters = ref.group(1) if ref else b""
        column = column_number(letters.decode()) if 0 < len(letters) <= 3 else (
            16_385 if letters else column + 1)
        cell_row = int(ref.group(2)) if ref and ref.group(2) else row  # a cell's own reference wins, as in readers
        if not match.group(2).endswith(b"/"):  # a self-closing cell is formatting only: it moves on, holds nothing
            last_row, last_column = max(last_row, cell_row), max(last_column, column)
    return Extent(name, last_row, last_column)


def formulas_without_values(xml: bytes) -> set[str]:
    """Cells holding a formula whose result was never saved: they read as empty, so the number would be lost."""
    if b"<f" not in xml and b":f" not in xml:  # two byte searches: a tenth of the pattern's time on a long sheet
        return set()
    found = set()
    for match in FORMULA_CELL.finditer(xml):
        body = match.group(2)
        if body is not None and FORMULA.search(body) and not SAVED_VALUE.search(body):
            ref = CELL_REF.search(match.group(1))
            if ref:
                found.add(ref.group(1).decode())
    return found


def ods_extents(xml: bytes) -> list[Extent]:
    """Each table's farthest row and column holding a value, counting repeated rows and cells as readers do.

    LibreOffice ends every sheet with a million repeated empty rows; those are not
    counted, but a value repeated a million times is.
    """
    extents: list[Extent] = []
    name, next_row, last_row, last_column = "", 0, 0, 0
    row_repeat, column, reach = 1, 0, 0
    for match in ODS_TOKEN.finditer(xml):
        opened, attrs, closed = match.group(1), match.group(2) or b"", match.group(3)
        if closed == b"table":
            extents.append(Extent(name, last_row, last_column))
        elif closed == b"table-row":
            if reach:
                last_row, last_column = next_row + row_repeat, max(last_column, reach)
            next_row += row_repeat
        elif opened == b"table":
            found = ODS_NAME.search(attrs)
            name = found.group(1).decode("utf-8", "replace") if found else f"Sheet{len(extents) + 1}"
            next_row = last_row = last_column = 0
        elif opened == b"table-row":
            found = ODS_ROWS_REPEATED.search(attrs)
            row_repeat, column, reach = (int(found.group(1)) if found else 1), 0, 0
            if attrs.endswith(b"/"):
                next_row += row_repeat
        else:
            found = ODS_COLUMNS_REPEATED.search(attrs)
            column += int(found.group(1)) if found else 1
            if not attrs.endswith(b"/") or b"office:value-type" in attrs:
                reach = column
    return extents
