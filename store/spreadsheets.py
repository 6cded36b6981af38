"""The one writer of every spreadsheet the product hands out: no text cell can become a live formula.

Every CSV and XLSX a person can take away (page downloads, the board pack's numbers, the improvement plan, the
upload template and error report, the command line's `export`) is written here; a test fails if product code
calls pandas' `to_csv`/`to_excel` or openpyxl's `Workbook` anywhere else.

OWASP's CSV injection advice: a cell starting with =, +, -, @, tab or carriage return is run as a formula by
Excel, LibreOffice or Google Sheets. Beyond OWASP's list, text is also neutralised when it starts with whitespace
(a space, a line break, a no-break space) before one of those characters, or with their full-width or small forms
(＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫), which East Asian input methods and some spreadsheet versions read as the ASCII ones.
Column headers get the same treatment as cells.

- In a CSV, which has no cell types, such text is written with a leading apostrophe, which every spreadsheet
  shows as text (and shows).
- In an XLSX a cell has a type, so such text is written as a text cell (an inline string, never a formula) with
  the quote prefix Excel itself records when someone types an apostrophe first (`quotePrefix` in the cell's
  style): it reads exactly as written, with no apostrophe showing ("+ Special cause: improvement"), and stays
  text when someone edits the cell. Text that already starts with apostrophes before such characters keeps one
  apostrophe more, as in a CSV, so that reading a file back (`unescape`) gives exactly what was written.

Numbers stay numbers: a numeric value (including a negative one) is written as a number, and text that is
nothing but an ordinary number, such as "-2.5" or "+3", is left alone, because a spreadsheet reads it as that
number and never as a formula.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from numbers import Number

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_ALWAYS = ("\t", "\r")
"""OWASP's list is these two and `_SIGNS`: a cell starting with one of them can be run as a formula."""
_SIGNS = frozenset("=+-@")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?")
ESCAPE = "'"


def formula_like(text: str) -> bool:
    """Whether a spreadsheet opening this text could take it for a formula (see the module's notes)."""
    if text.startswith(_ALWAYS):
        return True
    stripped = text.lstrip()
    if not stripped:
        return False
    if unicodedata.normalize("NFKC", stripped[0])[:1] not in _SIGNS:
        return False
    return _PLAIN_NUMBER.fullmatch(stripped) is None


def safe_cell(value: object) -> object:
    """A value ready for a spreadsheet cell: numbers and timestamps as they are, missing as empty, text inert."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (Number, pd.Timestamp)) and not isinstance(value, bool):
        return None if pd.isna(value) else value
    text = str(value)
    return ESCAPE + text if _needs_escape(text) else text


def _needs_escape(text: str) -> bool:
    """Formula-like text, also behind apostrophes a person typed, so that `unescape` gives back exactly that."""
    return formula_like(text.lstrip(ESCAPE))


def unescape(text: str) -> str:
    """Text as it was before `safe_cell` neutralised it: for reading back a file the product wrote."""
    return text[len(ESCAPE):] if text.startswith(ESCAPE) and _needs_escape(text) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose headers and text cells are inert; numeric, boolean and date columns are kept as they are."""
    columns = []
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column)):
            column = column.astype(object).map(safe_cell)
        columns.append(column)
    out = pd.concat(columns, axis=1, ignore_index=True) if columns else frame.copy()
    out.columns = [safe_cell(str(c)) for c in frame.columns]
    return out


def _xlsx_cell(value: object) -> tuple[object, bool]:
    """A value for an xlsx cell, and whether it is formula-like text to be written as text with a quote prefix
    (see the module's notes) rather than with an apostrophe in its words."""
    cell = safe_cell(value)
    if isinstance(cell, str) and cell.startswith(ESCAPE) and formula_like(cell[len(ESCAPE):]):
        return cell[len(ESCAPE):], True
    return cell, False


def _append(sheet: Worksheet, row: int, values: Iterable[object]) -> None:
    """Write `values` as row number `row`, the next one: the caller counts, as openpyxl's `max_row` looks at every
    cell of the sheet and would make a sheet of n rows cost n squared."""
    cells = [_xlsx_cell(v) for v in values]
    sheet.append([value for value, _ in cells])
    for column, (_, quoted) in enumerate(cells, start=1):
        if quoted:
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"  # openpyxl takes text starting with = for a formula
            cell.quotePrefix = True


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx with one sheet per frame, bold headers and sensible widths."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name[:31])
        _append(sheet, 1, [str(c) for c in frame.columns])
        for number, row in enumerate(frame.itertuples(index=False), start=2):
            _append(sheet, number, row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:, i - 1].head(200)])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show accented names correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
