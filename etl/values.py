"""Reading one cell: periods, numbers, suppression markers and KPI names, the way analysts type them."""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

SUPPRESSION_CODES = {
    "c": "confidential (suppressed small number)",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "k": "rounds to zero but is not zero",
    "low": "below a reporting threshold",
    ":": "not available",
}
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


@dataclass(frozen=True)
class Parsed:
    """A cell read as a number, or as a suppression code, or not at all (with why)."""

    value: float | None = None
    status: str | None = None
    problem: str | None = None
    blank: bool = False
    percent_sign: bool = False


def parse_number(value: object) -> Parsed:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Parsed(blank=True)
    if isinstance(value, bool):
        return Parsed(problem="is TRUE/FALSE, not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return Parsed(problem="is not a finite number")
        return Parsed(value=float(value))
    if isinstance(value, (datetime, date, timedelta)):
        return Parsed(problem="is a date, not a number")
    text = str(value).strip().replace("\u00a0", " ")
    code = text.lower().strip("[]() ")
    if code in SUPPRESSION_CODES and (text.lower() == code or text.startswith("[")):
        return Parsed(status=code)
    if code.startswith("#"):
        return Parsed(problem="is an Excel error value")
    cleaned = text.replace(",", "").replace(" ", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cleaned):
        return Parsed(value=float(cleaned), percent_sign=percent)
    return Parsed(problem="is text, not a number")


def normalise_name(text: str) -> str:
    """Case and punctuation insensitive form used to match KPI names and column headers."""
    text = str(text).lower().replace("&", " and ").replace("+", " plus ")
    return re.sub(r"[^a-z0-9]+", "", text)


class KpiMatcher:
    """Matches what analysts type (codes, catalogue names, aliases) to catalogue codes."""

    def __init__(self, catalogue: pd.DataFrame, aliases: pd.DataFrame | None = None):
        self.names = dict(zip(catalogue["code"], catalogue["name"]))
        self.lookup: dict[str, str] = {}
        for code, name in self.names.items():
            self.lookup[normalise_name(code)] = code
            self.lookup[normalise_name(name)] = code
        if aliases is not None:
            for alias, code in zip(aliases["alias"], aliases["code"]):
                if code in self.names:
                    self.lookup[normalise_name(alias)] = code

    def match(self, text: object) -> str | None:
        if text is None:
            return None
        return self.lookup.get(normalise_name(str(text)))

    def suggest(self, text: object, n: int = 3) -> list[str]:
        """The closest catalogue entries, as 'CODE (name)', for an error message."""
        key = normalise_name(str(text))
        close = difflib.get_close_matches(key, list(self.lookup), n=n * 3, cutoff=0.5)
        codes = []
        for candidate in close:
            code = self.lookup[candidate]
            if code not in codes:
                codes.append(code)
        return [f"{code} ({self.names[code]})" for code in codes[:n]]
