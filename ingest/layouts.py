"""Recognising what a sheet holds: the product's long template, a wide scorecard, a DfE download, or nothing.

Headers are matched tolerantly (case, spaces, punctuation and common aliases)
because every council's spreadsheet is laid out a little differently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ingest.readers import Sheet
from ingest.values import normalise_name
from store.dates import parse_period

HEADER_SEARCH_ROWS = 40
NEIGHBOUR_CODE_HEADERS = ("oldlacode", "lanum", "lanumber")
"""What a statistical-neighbour table calls its column of DfE's 3-digit council numbers: old_la_code in DfE's 2025
model, LA num in its 2021 groupings and in LAIT's workbook."""

LONG_ALIASES: dict[str, set[str]] = {
    "la_code": {"lacode", "la", "council", "councilcode", "localauthority", "localauthoritycode", "onscode",
                "newlacode", "lacodeons", "authority", "authoritycode"},
    "kpi": {"kpi", "kpicode", "kpiname", "indicator", "indicatorcode", "indicatorname", "measure", "measurename",
            "metric", "code"},
    "period": {"period", "month", "date", "monthending", "periodend", "periodending", "reportingmonth",
               "reportingperiod", "yearmonth"},
    "value": {"value", "result", "figure", "actual", "performance", "outturn"},
    "numerator": {"numerator", "num"},
    "denominator": {"denominator", "denom", "den", "cohort"},
    "note": {"note", "notes", "comment", "comments", "commentary"},
    "breakdown": {"team", "teamname", "locality", "localityname", "service", "servicename"},
}
"""`breakdown`: an optional column naming the team, locality or service a row's figure is for; a row with it empty
is the whole council's figure."""
BREAKDOWN_KINDS = ("team", "locality", "service")
WIDE_KPI_HEADERS = LONG_ALIASES["kpi"] | {"kpis", "indicators", "measures", "performanceindicator", "description"}
KNOWN_EXTRA_COLUMNS = {
    "target", "targets", "england", "englandaverage", "englandavg", "statneighbours", "statisticalneighbours",
    "snaverage", "statneighbouraverage", "statisticalneighbouraverage", "sn", "region", "regional",
    "regionalaverage", "polarity", "unit", "units", "rag", "ragrating", "dot", "directionoftravel", "trend",
    "notes", "note", "comment", "comments", "commentary", "source", "ref", "reference", "no", "number",
    "owner", "lead", "frequency", "goodis", "ytd", "yeartodate", "previousyear", "lastyear", "tolerance",
}


@dataclass
class Layout:
    kind: str  # "long", "wide", "dfe_benchmarks", "dfe_neighbours", "none"
    header_row: int = -1
    columns: dict[str, int] = field(default_factory=dict)
    month_columns: dict[int, date] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    reason: str = ""


def _normalised(row: list[object]) -> list[str]:
    return [normalise_name(v) if isinstance(v, str) else "" for v in row]


def detect(sheet: Sheet) -> Layout:
    """The first row, within the first 40, that reads as a header decides the layout."""
    for index, row in enumerate(sheet.cells[:HEADER_SEARCH_ROWS].tolist()):
        names = _normalised(row)
        if "timeperiod" in names and "geographiclevel" in names:
            return Layout("dfe_benchmarks", index, {n: i for i, n in enumerate(names) if n})
        if "sn1" in names and any(header in names for header in NEIGHBOUR_CODE_HEADERS):
            return Layout("dfe_neighbours", index, {n: i for i, n in enumerate(names) if n})
        long = _long_columns(names)
        if {"kpi", "period", "value"} <= set(long):
            return Layout("long", index, long)
        wide = _wide_layout(index, row, names)
        if wide is not None:
            return wide
    return Layout("none", reason="no header row with KPI and month columns in its first 40 rows")


def _long_columns(names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(names):
        for role, aliases in LONG_ALIASES.items():
            if name in aliases and role not in found:
                found[role] = i
    return found


def _wide_layout(index: int, row: list[object], names: list[str]) -> Layout | None:
    months = {}
    for i, value in enumerate(row):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 1_000:
            continue
        period = parse_period(value)
        if period is not None:
            months[i] = period
    if not months:
        return None
    first_month = min(months)
    kpi_column = next((i for i, n in enumerate(names) if n in WIDE_KPI_HEADERS), None)
    if kpi_column is None:
        if len(months) < 2:
            return None
        text_columns = [i for i, v in enumerate(row[:first_month]) if v is None or isinstance(v, str)]
        if not text_columns:
            return None
        kpi_column = text_columns[0]
    ignored = [str(row[i]) for i in range(len(row)) if i not in months and i != kpi_column and row[i] is not None]
    return Layout("wide", index, {"kpi": kpi_column}, months, ignored)


def unknown_extra_columns(layout: Layout) -> list[str]:
    """Columns of a wide sheet that are neither months nor a recognised extra such as Target or England."""
    return [c for c in layout.ignored_columns if normalise_name(c) not in KNOWN_EXTRA_COLUMNS]


def find_header(sheet: Sheet, columns: dict[str, set[str]], required: tuple[str, ...],
                search_rows: int = 20) -> tuple[int, dict[str, int]] | None:
    """The first row (within `search_rows`) that names every required column, and where each known column is.

    `columns` maps a column's role to the normalised header words that mean it, so
    "Due date", "due_date" and "DUE DATE" all find the same column.
    """
    for r, row in enumerate(sheet.cells[:search_rows].tolist()):  # not `rows`: a long sheet's every row
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = normalise_name(str(cell)) if cell is not None else ""
            for column, names in columns.items():
                if key in names and column not in found:
                    found[column] = c
        if all(column in found for column in required):
            return r, found
    return None
