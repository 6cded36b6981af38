"""The upload reader's own process: bytes in on stdin, cell values or a refusal out on stdout.

Run by `ingest.readers.read_file` as `python -m ingest.parse_worker MEMORY_BYTES`, never
by hand. It caps its own address space before it reads a byte, so a file that
would need more memory ends this process (a Rust reader aborts on a failed
allocation), not the dashboard. It imports only what parsing needs (not DuckDB,
pandas or numpy), and the Upload page starts one ahead of each file.

Workbooks are read with calamine (a Rust reader of xlsx, xlsm and ods that reads
saved values and never runs macros or formulas). Before calamine sees a workbook,
every part of it is inflated with a bounded read and each sheet's reach measured
(`ingest.extent`), so a zip bomb or a cell at XFD1048576 is refused in words.
"""
from __future__ import annotations

import array
import csv
import datetime
import io
import json
import math
import os
import pickle
import re
import resource
import sys
import zipfile
import zlib
from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import PurePath

import python_calamine

from ingest.extent import Extent, TooLarge, scan_package
from ingest.issues import FileRefused, Issue

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_ENTRIES = 10_000
# What zipfile raises on a damaged archive or member: a bad CRC, a broken deflate stream, a header that
# disagrees with the directory, an unsupported method, a negative seek, a zip-level password, a bad stream.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError)
EXIT_OUT_OF_MEMORY = 3

ParsedSheet = tuple[str, list[list[object]], set[str]]


@dataclass(frozen=True)
class Limits:
    """What one upload may be; the parent sends them, so a test can lower them for the child too."""

    file_bytes: int
    uncompressed_bytes: int
    ratio: int
    rows: int
    cells: int


def _refuse(file_name: str, rule: str, message: str, fix: str, found: str | None = None, *,
            sheet: str | None = None, cell: str | None = None) -> FileRefused:
    return FileRefused(Issue("error", file_name, sheet, cell, rule, message, found, fix))


def parse(file_name: str, content: bytes, limits: Limits) -> list[ParsedSheet]:
    """Every sheet of a workbook, or the single sheet of a CSV, as rows of values; or FileRefused saying why not."""
    suffix = PurePath(file_name).suffix.lower()
    if not content:
        raise _refuse(file_name, "empty_file", "The file is empty", "Check you chose the right file and save it again.")
    if len(content) > limits.file_bytes:
        raise _refuse(file_name, "file_too_large", f"The file is larger than {limits.file_bytes // 2**20} MB",
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
        return _read_workbook(file_name, content, limits)
    if suffix in CSV_SUFFIXES:
        if content.startswith(ZIP_MAGIC):
            raise _refuse(file_name, "not_a_csv", "The file is named .csv but is a workbook",
                          "Rename it to .xlsx and upload again.")
        return [_read_csv(file_name, content, limits)]
    raise _refuse(file_name, "unsupported_type", f"Files of type {suffix or '(none)'} are not read",
                  "Upload an Excel workbook (.xlsx or .xlsm), an OpenDocument spreadsheet (.ods) or a CSV file.")


def _looks_like_text(content: bytes) -> bool:
    head = content[:4096]
    return b"\x00" not in head and (b"," in head or b";" in head or b"\t" in head)


def _too_large(file_name: str, limits: Limits, declared: int | None = None) -> FileRefused:
    """`declared` is the size the zip directory admits to; without it, a bounded read ran past the limit."""
    size = f"{declared / 2**20:.0f} MB, more than" if declared is not None else "more than"
    return _refuse(file_name, "too_large_uncompressed",
                   f"The workbook expands to {size} the {limits.uncompressed_bytes // 2**20} MB this upload accepts "
                   "(or is compressed suspiciously well)", "Remove unused sheets or rows, or split it into smaller files.")


def _open_zip(file_name: str, content: bytes, limits: Limits) -> zipfile.ZipFile:
    """The archive, refused early when its directory already admits to being too big (it may still lie)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except ZIP_ERRORS as exc:
        raise _damaged_zip(file_name, exc) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refuse(file_name, "corrupt_file", f"The workbook has more than {MAX_ZIP_ENTRIES:,} parts, which no "
                      "spreadsheet program writes", "Open it in Excel, save it again under a new name and upload that.",
                      f"{len(entries):,} parts")
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if total > limits.uncompressed_bytes or (total > 10 * 2**20 and total / packed > limits.ratio):
        raise _too_large(file_name, limits, total)
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


def _bounded(archive: zipfile.ZipFile, name: str, limit: int = 4 * 2**20) -> bytes:
    with archive.open(name) as part:
        return part.read(limit)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map worksheet part names to the sheet names users see, from the workbook's relationships."""
    try:
        workbook = _bounded(archive, "xl/workbook.xml")
        rels = _bounded(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = dict(re.findall(rb'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    parts = {}
    for name, rid in re.findall(rb'<(?:\w+:)?sheet\b[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, b"").decode(errors="replace").lstrip("/")
        parts[target if target.startswith("xl/") else f"xl/{target}"] = _unescape(name.decode(errors="replace"))
    return parts


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _check_extent(file_name: str, extent: Extent, limits: Limits) -> None:
    """Refuse a sheet a reader would have to build too large; it is often a stray entry far from the data."""
    stray = ("If the data is not really that large, a stray value, space or format far from it causes this: delete "
             "the rows below your data and the columns to its right (select them, right-click, Delete), save, and "
             "upload again.")
    where = {"sheet": extent.sheet, "cell": extent.far_cell}
    if extent.rows > limits.rows:
        raise _refuse(file_name, "too_many_rows", f"Sheet {extent.sheet!r} has more than {limits.rows:,} rows (it "
                      f"reaches row {extent.rows:,})", f"Split the data into smaller files. {stray}",
                      f"a cell at {extent.far_cell}", **where)
    if extent.cells > limits.cells:
        raise _refuse(file_name, "too_many_cells",
                      f"Sheet {extent.sheet!r} stretches from A1 to {extent.far_cell}: {extent.cells:,} cells "
                      f"counting the empty ones, more than the {limits.cells:,} an upload may hold",
                      f"{stray} If it is, split it into smaller files.", f"a cell at {extent.far_cell}", **where)


def _read_workbook(file_name: str, content: bytes, limits: Limits) -> list[ParsedSheet]:
    archive = _open_zip(file_name, content, limits)
    try:
        _refuse_dtd(file_name, archive)
        names = _sheet_parts(archive)
        scan = scan_package(archive, limits.uncompressed_bytes, names, limits.cells)
    except TooLarge as exc:
        raise _too_large(file_name, limits) from exc
    except ZIP_ERRORS as exc:
        raise _damaged_zip(file_name, exc) from exc
    for extent in scan.extents:
        _check_extent(file_name, extent, limits)
    total = sum(extent.cells for extent in scan.extents)
    if total > limits.cells:
        raise _refuse(file_name, "too_many_cells",
                      f"The workbook's {len(scan.extents)} sheets together stretch over {total:,} cells counting the "
                      f"empty ones, more than the {limits.cells:,} an upload may hold",
                      "Remove the sheets the upload does not need, or delete the rows below and the columns to the "
                      "right of each sheet's data, then save and upload again.",
                      ", ".join(f"{e.sheet} to {e.far_cell}" for e in scan.extents)[:300])
    parts = {name: part for part, name in names.items()}
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = []
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append((name, rows, scan.formulas_without_values.get(parts.get(name, ""), set())))
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


def _read_csv(file_name: str, content: bytes, limits: Limits) -> ParsedSheet:
    text = decode_text(content)
    sample = text[:20_000]
    delimiter = max([",", ";", "\t"], key=lambda d: sample.count(d))
    rows: list[list[object]] = []
    width = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([cell if cell.strip() else None for cell in row])
            width = max(width, len(row))
            if len(rows) > limits.rows:
                raise _refuse(file_name, "too_many_rows", f"The file has more than {limits.rows:,} rows",
                              "Split the data into smaller files.", f"more than {limits.rows:,} rows")
            if len(rows) * width > limits.cells:
                _check_extent(file_name, Extent(PurePath(file_name).stem, len(rows), width), limits)
    except csv.Error as exc:
        raise _refuse(file_name, "not_a_csv", "The file could not be read as a CSV (its quotes or line breaks are "
                      "broken, or it is not text)", "Open it in Excel and save it again as CSV UTF-8, or upload the "
                      ".xlsx instead.", str(exc)[:200]) from exc
    return PurePath(file_name).stem, rows, set()


EXACT_TYPES = (str, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)
"""Cell types whose equal values are always the same cell (unlike 1 == 1.0 == True), so a column of them can be
sent as each distinct value once and a code per cell."""
EncodedColumn = tuple
"""("empty",); ("float", float64 bytes, None or a byte per cell that is not a number, the cells that are neither a
number nor empty as (row, cell) pairs); ("codes", int32 bytes, the distinct values, None among them for empty); or
("cells", the cells as a list)."""
EncodedSheet = tuple[str, int, int, list[EncodedColumn], set[str]]
"""A sheet as sent to the dashboard: name, rows, columns, each column encoded, formulas without values."""


def encode(sheets: list[ParsedSheet]) -> list[EncodedSheet]:
    """Each sheet as columns the dashboard can rebuild as arrays, rather than a Python object per cell.

    A long sheet is a few columns of numbers and a few of repeated codes, names and months: numbers go as raw
    float64 bytes (the few other cells among them, such as the header or a suppression code, apart) and the rest
    as each distinct value once with a code per cell, so the answer is small to send and the dashboard rebuilds
    it in a tenth of the time of unpickling 600,000 rows of objects (measured on a 624,000-row regional history).
    Cells calamine gives as "" are empty, and sent as such.
    """
    encoded = []
    for name, rows, missing in sheets:
        width = max(map(len, rows), default=0)
        if any(len(row) < width for row in rows):
            rows = [row + [None] * (width - len(row)) for row in rows]
        encoded.append((name, len(rows), width, [_column(list(map(itemgetter(at), rows))) for at in range(width)],
                        missing))
    return encoded


def _column(cells: list) -> EncodedColumn:
    """One column encoded, with C-speed passes (count, dict.fromkeys, map) wherever the column allows."""
    blanks = cells.count("") + cells.count(None)
    if blanks == len(cells):
        return ("empty",)
    kinds = set(map(type, cells))
    kinds.discard(type(None))
    if kinds == {float} and not blanks:
        return ("float", array.array("d", cells).tobytes(), None, [])
    if float in kinds:
        others = [(at, v) for at, v in enumerate(cells) if v.__class__ is not float and v is not None and v != ""]
        if len(others) * 4 < len(cells):  # mostly numbers: a header, a few suppression codes or notes among them
            values = array.array("d", [v if v.__class__ is float else math.nan for v in cells])
            return ("float", values.tobytes(), bytes(v.__class__ is not float for v in cells), others)
    if all(issubclass(kind, EXACT_TYPES) for kind in kinds):
        distinct = list(dict.fromkeys(cells))
        codes = array.array("i", map({v: i for i, v in enumerate(distinct)}.__getitem__, cells))
        return ("codes", codes.tobytes(), [None if v == "" else v for v in distinct])
    return ("cells", [None if v == "" else v for v in cells])


def main() -> int:
    """Cap memory, read the request (a JSON line, then the file's bytes), write one pickled answer.

    Started ahead of need (`ingest.readers`), this waits for the request with its imports done; a spare that is
    never used sees its input closed and ends without a word.
    """
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    line = sys.stdin.buffer.readline()
    if not line:
        return 0
    request = json.loads(line)
    content = sys.stdin.buffer.read()
    try:
        try:
            answer: tuple[str, object] = ("sheets", encode(parse(request["file_name"], content,
                                                                  Limits(**request["limits"]))))
        except FileRefused as refused:
            answer = ("refused", asdict(refused.issue))
        sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        return EXIT_OUT_OF_MEMORY
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    os._exit(status)  # the answer is out: the interpreter's own shutdown took 30 ms of a monthly return's read
