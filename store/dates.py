"""Time: the clock the store records by (UTC, naive) and months as analysts type them and boards read them.

Every layer needs these (the store stamps writes, ingest reads periods, the plan
reads due dates, pages label months), so they sit at the bottom with the store.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

import pandas as pd

MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
MONTHS["sept"] = 9
MONTH_WORDS = {"january", "february", "march", "april", "june", "july", "august", "september", "october",
               "november", "december"}
EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_RANGE = (25_000, 80_000)  # 1968 to 2119: a number outside this is not a month


def month_start(value: date | datetime) -> date:
    return date(value.year, value.month, 1)


def parse_period(value: object) -> date | None:
    """The month a cell means, or None when it is not a month.

    Accepts date cells, Excel serial numbers and text such as 2025-04, Apr-25,
    April 2025, 04/2025 and 01/04/2025 (UK day first).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (datetime, date)):
        return month_start(value)
    if isinstance(value, pd.Timestamp):
        return month_start(value.to_pydatetime())
    if isinstance(value, (int, float)):
        if math.isfinite(value) and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return month_start(EXCEL_EPOCH + timedelta(days=float(value)))
        return None
    return _parse_period_text(str(value))


def _parse_period_text(text: str) -> date | None:
    text = text.strip().lower().replace("\u00a0", " ")
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ t]00:00(?::00)?)?", text):
        return _ym(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text):
        return _ym(int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
        return _ym(int(m[3]), int(m[2]))
    if m := re.fullmatch(r"([a-z]{3,9})[\s\-/.,']*(\d{2}|\d{4})", text):
        month = MONTHS.get(m[1]) or (MONTHS[m[1][:3]] if m[1] in MONTH_WORDS else None)
        if month is None:
            return None
        year = int(m[2])
        return _ym(year + 2000 if year < 100 else year, month)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return parse_period(float(text))
    return None


def _ym(year: int, month: int) -> date | None:
    if 1 <= month <= 12 and 1990 <= year <= 2100:
        return date(year, month, 1)
    return None


def month_label(value: date | pd.Timestamp | None) -> str:
    return "–" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%b %Y")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
