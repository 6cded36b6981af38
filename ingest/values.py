"""Reading cells: periods, numbers, suppression markers and KPI names, the way analysts type them.

The per-cell readers (`parse_period`, `parse_number`, `KpiMatcher.match`) are
the one definition of what a cell means. The column readers (`by_distinct`,
`parse_numbers`) apply them to whole columns quickly: a regional history has
620,000 rows but only a few hundred distinct periods and KPI names, and its
numbers are already numbers, so only the cells that need it are read one by one.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

import numpy as np
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
        number = float(cleaned)
        if not math.isfinite(number):
            return Parsed(problem="is not a finite number")
        return Parsed(value=number, percent_sign=percent)
    return Parsed(problem="is text, not a number")


UNAMBIGUOUS_TYPES = {str, date, datetime, time, timedelta}
"""Cell types whose equal values always read alike. Numbers, booleans and blanks are not:
True == 1 == 1.0 although 1.0 reads as the text "1.0" and True as "TRUE", and pandas
treats None and NaN as one missing value."""


def by_distinct(cells: np.ndarray, read: Callable[[object], object]) -> np.ndarray:
    """`read` of every cell of a column (an object array), calling it once per distinct cell.

    Cells that are equal but of different types (see UNAMBIGUOUS_TYPES) are kept
    apart by grouping on the type as well, so the result is exactly `read` cell by
    cell for any `read` that reads equal cells of one type alike (0.0 and -0.0 are
    one cell here).
    """
    if len(cells) == 0:
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    if not all(type(u) in UNAMBIGUOUS_TYPES for u in uniques):
        kinds, _ = pd.factorize(np.fromiter(map(type, cells), dtype=object, count=len(cells)))
        keys = codes.astype(np.int64) * (int(kinds.max()) + 1) + kinds
        _, first, codes = np.unique(keys, return_index=True, return_inverse=True)
        uniques = cells[first]
    results = np.empty(len(uniques), dtype=object)
    results[:] = [read(u) for u in uniques]
    return results[codes.reshape(-1)]


@dataclass(frozen=True)
class Numbers:
    """A column of cells read as numbers: `parse_number` cell by cell, as arrays (value NaN where there is none)."""

    value: np.ndarray
    status: np.ndarray
    problem: np.ndarray
    blank: np.ndarray
    percent_sign: np.ndarray
    text: np.ndarray
    """Whether the cell was typed as text ("72,9", "85%"), which a plausibility check may read again."""


def parse_numbers(cells: np.ndarray) -> Numbers:
    """`parse_number` of every cell of a column; cells that are already numbers are read as one array."""
    size = len(cells)
    kinds = np.fromiter(map(type, cells), dtype=object, count=size)
    numeric = (kinds == float) | (kinds == int)
    blank = kinds == type(None)
    value = np.full(size, np.nan)
    status = np.full(size, None, dtype=object)
    problem = np.full(size, None, dtype=object)
    percent_sign = np.zeros(size, dtype=bool)
    numbers = cells[numeric].astype(np.float64)
    finite = np.isfinite(numbers)
    at = np.flatnonzero(numeric)
    value[at[finite]] = numbers[finite]
    problem[at[~finite]] = "is not a finite number"
    rest = np.flatnonzero(~numeric & ~blank)
    if len(rest):
        parsed = by_distinct(cells[rest], parse_number)
        value[rest] = [np.nan if p.value is None else p.value for p in parsed]
        status[rest] = [p.status for p in parsed]
        problem[rest] = [p.problem for p in parsed]
        blank[rest] = [p.blank for p in parsed]
        percent_sign[rest] = [p.percent_sign for p in parsed]
    return Numbers(value, status, problem, blank, percent_sign, kinds == str)


def normalise_name(text: str) -> str:
    """Case and punctuation insensitive form used to match KPI names and column headers."""
    text = str(text).lower().replace("&", " and ").replace("+", " plus ")
    return re.sub(r"[^a-z0-9]+", "", text)


def without_bracketed_end(text: str) -> str | None:
    """The text before a bracketed part that ends it ("Vacancy rate" of "Vacancy rate (vacant / (vacant +
    in post))"), brackets inside it included; None when the text does not end with one."""
    text = text.strip()
    if not text.endswith(")"):
        return None
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[at], 0)
        if depth == 0:
            return text[:at].strip() or None
    return None


class KpiMatcher:
    """Matches what analysts type (codes, catalogue names, aliases) to catalogue codes."""

    def __init__(self, catalogue: pd.DataFrame, aliases: pd.DataFrame | None = None):
        self.names = dict(zip(catalogue["code"], catalogue["name"]))
        self.lookup: dict[str, str] = {}
        plain = catalogue["plain_name"] if "plain_name" in catalogue else catalogue["name"]
        for code, name, typed in zip(catalogue["code"], catalogue["name"], plain):
            self.lookup[normalise_name(code)] = code
            self.lookup[normalise_name(name)] = code
            self.lookup[normalise_name(typed)] = code
        if aliases is not None:
            for alias, code in zip(aliases["alias"], aliases["code"]):
                if code in self.names:
                    self.lookup[normalise_name(alias)] = code

    def match(self, text: object) -> str | None:
        """The code of a KPI given by code, name or alias, in any case and punctuation; a name followed by its
        definition in brackets, as the domain brief writes some ("Vacancy rate (vacant FTE / (vacant + in post
        FTE))"), matches by the name when the whole does not."""
        if text is None:
            return None
        found = self.lookup.get(normalise_name(str(text)))
        if found is None:
            name = without_bracketed_end(str(text))
            if name:
                found = self.lookup.get(normalise_name(name))
        return found

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


def as_typed(found: object) -> str | None:
    """A cell value as the analyst typed it: 120, not 120.0 (errors quote the cell)."""
    if found is None:
        return None
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found)


def month_stamps(periods: pd.Series | np.ndarray) -> np.ndarray:
    """Months (dates, timestamps, or None) as datetime64, converted once per distinct month: a regional history's
    620,000 values have about 120 months, and converting each value took a third of a second."""
    codes, uniques = pd.factorize(periods if isinstance(periods, pd.Series) else pd.Series(periods))
    stamps = np.append(pd.to_datetime(uniques).to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return stamps[codes]  # code -1, a missing month, takes the NaT at the end


MONTH_SPAN = 100_000
"""More than any month number (year * 12 + month - 1, about 24,300 now): a series' number times this plus a month
number is one sortable key per series and month."""


def month_numbers(periods: pd.Series | np.ndarray) -> np.ndarray:
    """Each month as a number (year * 12 + month - 1), for arithmetic and sorting on months."""
    return month_stamps(periods).astype("datetime64[M]").astype(np.int64) + 1970 * 12


def month_dates(numbers: np.ndarray) -> np.ndarray:
    """Month numbers back as datetime64 (the first of each month)."""
    return (np.asarray(numbers, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[ns]")


def series_ids(first: pd.DataFrame, second: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One number per council and KPI (`la_code`, `kpi_code`), the same in both frames, from 0 up."""
    la, _ = pd.factorize(np.concatenate([first["la_code"].to_numpy(dtype=object),
                                         second["la_code"].to_numpy(dtype=object)]))
    kpi, kpis = pd.factorize(np.concatenate([first["kpi_code"].to_numpy(dtype=object),
                                             second["kpi_code"].to_numpy(dtype=object)]))
    ids = la.astype(np.int64) * max(len(kpis), 1) + kpi
    return ids[:len(first)], ids[len(first):]


def stored_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A checked frame in the store's types: months as timestamps (the store's DATE columns take them as dates),
    figures as floats, codes and notes as text or None (never NaN, which DuckDB would store as a float in a text
    column)."""
    rows = frame.reindex(columns=columns).copy()
    rows["period"] = month_stamps(rows["period"])
    for column in ("value", "numerator", "denominator"):
        rows[column] = pd.to_numeric(rows[column]).astype("float64")
    for column in ("status_code", "note"):
        rows[column] = rows[column].astype("object").where(rows[column].notna(), None)
    return rows
