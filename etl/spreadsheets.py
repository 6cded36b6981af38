"""Writing spreadsheets that are safe to open: no text cell can become a live formula.

OWASP's CSV injection advice: a text cell starting with =, +, -, @, tab or
carriage return is run as a formula by Excel, so it is written with a leading
apostrophe. Numbers stay numbers.
"""
from __future__ import annotations

import io
from numbers import Number

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if value is None or isinstance(value, (Number, pd.Timestamp)) and not isinstance(value, bool):
        return None if value is None or pd.isna(value) else value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    return out


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx with one sheet per frame, bold headers and sensible widths."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name[:31])
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([safe_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show accented names correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
