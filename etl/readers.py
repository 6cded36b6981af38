"""Turning uploaded bytes into sheets of cell values, refusing hostile or broken files with a clear reason.

Workbooks are read with calamine (a Rust reader of xlsx, xlsm and ods that reads
saved values and never runs macros or formulas), which is many times faster than
openpyxl. Before calamine sees a workbook, its zip directory is checked: the
declared uncompressed size and compression ratio are capped so that a zip bomb is
refused before anything is inflated.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

import numpy as np
import python_calamine

from etl.issues import FileRefused, Issue

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 1_100_000
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
FORMULA_CELL = re.compile(rb"<c\b([^>]*)>(.*?)</c>", re.S)
# A saved result is a non-empty <v> or an inline string; openpyxl with lxml writes an empty <v></v> for none.
SAVED_VALUE = re.compile(rb"<v>[^<]|<is>")
CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
# What zipfile raises on a damaged archive or member: a bad CRC, a broken deflate stream, a header that
# disagrees with the directory, an unsupported method, a negative seek, a zip-level password, a bad stream.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError)


@dataclass(eq=False)
class Sheet:
    """One sheet's cells as a 2-D array of Python values (None for empty), aligned so that cells[0, 0] is A1.

    An array rather than a list per row because a long sheet is checked a column
    at a time: turning 600,000 rows into lists only to take them apart again would
    cost about a second. `rows` gives the lists for code that reads row by row.
    """

    name: str
    cells: np.ndarray | list[list[object]]
    formulas_without_values: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Rows given as lists (of any lengths) are padded with None into a rectangle."""
        if not isinstance(self.cells, np.ndarray):
            rows = self.cells
            width = max(map(len, rows), default=0)
            if min(map(len, rows), default=0) < width:
                rows = [row + [None] * (width - len(row)) for row in rows]
            cells = np.array(rows, dtype=object) if rows else np.empty((0, 0), dtype=object)
            self.cells = cells.reshape(len(rows), width)

    @classmethod
    def from_rows(cls, name: str, rows: list[list[object]], formulas_without_values: set[str] | None = None,
                  blank: object = None) -> "Sheet":
        """A sheet from rows as a reader returns them; cells equal to `blank` become None."""
        sheet = cls(name, rows, formulas_without_values or set())
        if blank is not None:
            sheet.cells[sheet.cells == blank] = None
        return sheet

    @cached_property
    def rows(self) -> list[list[object]]:
        return self.cells.tolist()


def _refuse(file_name: str, rule: str, message: str, fix: str, found: str | None = None) -> FileRefused:
    return FileRefused(Issue("error", file_name, None, None, rule, message, found, fix))


def read_file(file_name: str, content: bytes) -> list[Sheet]:
    """Every sheet of a workbook, or the single sheet of a CSV, or FileRefused saying why not."""
    suffix = PurePath(file_name).suffix.lower()
    if not content:
        raise _refuse(file_name, "empty_file", "The file is empty", "Check you chose the right file and save it again.")
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(file_name, "file_too_large", f"The file is larger than {MAX_FILE_BYTES // 2**20} MB",
                      "Split it into smaller files, for example one per year.", f"{len(content) / 2**20:.1f} MB")
    if content.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in content:
            raise _refuse(file_name, "password_protected", "The workbook is password-protected",
                          "Remove the password in Excel (File > Info > Protect Workbook > Encrypt with Password) "
                          "and upload again.")
        raise _refuse(file_name, "legacy_xls", "This is an old-style Excel 97-2003 (.xls) workbook",
                      "Open it in Excel and use Save As > Excel Workbook (.xlsx), then upload the .xlsx.")
    if suffix == ".xls":
        raise _refuse(file_name, "legacy_xls", "Old-style .xls workbooks are not read",
                      "Open it in Excel and use Save As > Excel Workbook (.xlsx).")
    if suffix in WORKBOOK_SUFFIXES:
        if not content.startswith(ZIP_MAGIC):
            if _looks_like_text(content):
                raise _refuse(file_name, "not_a_workbook",
                              f"The file is named {suffix} but holds plain text (probably a CSV renamed)",
                              "Rename it to .csv, or open it in Excel and save it as .xlsx.")
            raise _refuse(file_name, "not_a_workbook", f"The file is named {suffix} but is not a workbook",
                          "Open it in Excel and save it again as .xlsx.")
        return _read_workbook(file_name, content)
    if suffix in CSV_SUFFIXES:
        if content.startswith(ZIP_MAGIC):
            raise _refuse(file_name, "not_a_csv", "The file is named .csv but is a workbook",
                          "Rename it to .xlsx and upload again.")
        return [_read_csv(file_name, content)]
    raise _refuse(file_name, "unsupported_type", f"Files of type {suffix or '(none)'} are not read",
                  "Upload an Excel workbook (.xlsx or .xlsm), an OpenDocument spreadsheet (.ods) or a CSV file.")


def _looks_like_text(content: bytes) -> bool:
    head = content[:4096]
    return b"\x00" not in head and (b"," in head or b";" in head or b"\t" in head)


def _check_zip(file_name: str, content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except ZIP_ERRORS as exc:
        raise _damaged_zip(file_name, exc) from exc
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > MAX_UNCOMPRESSED_BYTES or (total > 10 * 2**20 and total / packed > MAX_RATIO):
        raise _refuse(file_name, "too_large_uncompressed",
                      f"The workbook expands to {total / 2**20:.0f} MB, more than the "
                      f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB this upload accepts (or is compressed suspiciously well)",
                      "Remove unused sheets or rows, or split it into smaller files.")
    return archive


def _damaged_zip(file_name: str, exc: Exception) -> FileRefused:
    return _refuse(file_name, "corrupt_file", "The workbook is damaged or incomplete (its zip structure is broken)",
                   "Open it in Excel; if it opens, save it again under a new name and upload that.", str(exc)[:200])


def _refuse_dtd(file_name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a package whose XML declares a document type: Excel and LibreOffice never write one, and it is how
    entity-expansion ("billion laughs") bombs are built. calamine would not expand them anyway; this says why plainly.
    """
    for entry in archive.infolist():
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _refuse(file_name, "xml_entities",
                              f"The workbook's part {entry.filename} declares XML entities, which spreadsheet "
                              "programs never write (it is how XML bomb attacks are built)",
                              "Open the data in Excel and save it as a new .xlsx, or ask whoever sent it for a file "
                              "saved by Excel.")


def _formulas_without_values(archive: zipfile.ZipFile) -> dict[str, set[str]]:
    """Cells holding a formula whose result was never saved, keyed by worksheet part name.

    Such a cell reads as empty, so the number the analyst saw in Excel would be
    lost silently; it must be an error instead. Scanning the XML bytes with a
    pattern (not an XML parser) cannot be exploited by entity expansion.
    """
    found: dict[str, set[str]] = {}
    for entry in archive.infolist():
        if not (entry.filename.startswith("xl/worksheets/sheet") and entry.filename.endswith(".xml")):
            continue
        xml = archive.read(entry)
        if b"<f" not in xml:
            continue
        for match in FORMULA_CELL.finditer(xml):
            body = match.group(2)
            if (b"<f>" in body or b"<f " in body or b"<f/>" in body) and not SAVED_VALUE.search(body):
                ref = CELL_REF.search(match.group(1))
                if ref:
                    found.setdefault(entry.filename, set()).add(ref.group(1).decode())
    return found


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map sheet names to their worksheet part names, from the workbook's relationships."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = dict(re.findall(rb'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    parts = {}
    for name, rid in re.findall(rb'<sheet\b[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, b"").decode().lstrip("/")
        parts[_unescape(name.decode())] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _read_workbook(file_name: str, content: bytes) -> list[Sheet]:
    archive = _check_zip(file_name, content)
    try:
        _refuse_dtd(file_name, archive)
        missing_values = _formulas_without_values(archive)
        parts = _sheet_parts(archive)
    except ZIP_ERRORS as exc:
        raise _damaged_zip(file_name, exc) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.height > MAX_ROWS:
                raise _refuse(file_name, "too_many_rows", f"Sheet {name!r} has more than {MAX_ROWS:,} rows",
                              "Split the data into smaller files.", f"{sheet.height:,} rows")
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append(Sheet.from_rows(name, rows, missing_values.get(parts.get(name, ""), set()), blank=""))
        return sheets
    except python_calamine.PasswordError as exc:
        raise _refuse(file_name, "password_protected", "The workbook is password-protected",
                      "Remove the password in Excel and upload again.") from exc
    except python_calamine.CalamineError as exc:
        raise _refuse(file_name, "corrupt_file", "The workbook could not be read: it is damaged or not a real "
                      "spreadsheet", "Open it in Excel, save it again under a new name and upload that.",
                      str(exc)[:200]) from exc


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel writes CSVs in England."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _read_csv(file_name: str, content: bytes) -> Sheet:
    text = decode_text(content)
    sample = text[:20_000]
    delimiter = max([",", ";", "\t"], key=lambda d: sample.count(d))
    try:
        rows = [[cell if cell.strip() else None for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _refuse(file_name, "not_a_csv", "The file could not be read as a CSV (its quotes or line breaks are "
                      "broken, or it is not text)", "Open it in Excel and save it again as CSV UTF-8, or upload the "
                      ".xlsx instead.", str(exc)[:200]) from exc
    if len(rows) > MAX_ROWS:
        raise _refuse(file_name, "too_many_rows", f"The file has more than {MAX_ROWS:,} rows",
                      "Split the data into smaller files.", f"{len(rows):,} rows")
    return Sheet.from_rows(PurePath(file_name).stem, rows)
