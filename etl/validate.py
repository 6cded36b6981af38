"""From recognised sheets to clean observation rows, collecting every problem before deciding.

Nothing here touches the store: it returns the rows that would load and the
issues found, so the page can show a preview and the command line a report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from etl.issues import Issue, cell_ref
from etl.layouts import Layout, detect, unknown_extra_columns
from etl.readers import Sheet
from etl.template import REFERENCE_SHEETS
from etl.values import KpiMatcher, parse_number, parse_period

LA_CODE_PATTERN = r"^[EW]\d{8}$"


@dataclass
class Context:
    """What validation needs to know about the world, passed in so it stays a pure function."""

    catalogue: pd.DataFrame
    matcher: KpiMatcher
    home_la: str
    today: date

    @property
    def units(self) -> dict[str, str]:
        return dict(zip(self.catalogue["code"], self.catalogue["unit"]))

    @property
    def latest_allowed(self) -> date:
        return date(self.today.year, self.today.month, 1)


@dataclass
class SheetSummary:
    sheet: str
    layout: str
    rows: int
    note: str = ""


@dataclass
class Parsed:
    """Everything read from one file."""

    file: str
    observations: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    benchmark_sheets: list[tuple[Sheet, Layout]] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


@dataclass
class _Row:
    la_code: str
    kpi_code: str
    period: date
    value: float | None
    numerator: float | None
    denominator: float | None
    status_code: str | None
    note: str | None
    sheet: str
    cell: str


def _shown(found: object) -> str | None:
    """A cell value as the analyst typed it: 120, not 120.0."""
    if found is None:
        return None
    if isinstance(found, float) and found.is_integer():
        return str(int(found))
    return str(found)


class _Collector:
    def __init__(self, file: str, context: Context):
        self.file = file
        self.context = context
        self.rows: list[_Row] = []
        self.issues: list[Issue] = []

    def error(self, sheet: str | None, cell: str | None, rule: str, message: str, found: object = None,
              fix: str = "") -> None:
        self.issues.append(Issue("error", self.file, sheet, cell, rule, message, _shown(found), fix))

    def warning(self, sheet: str | None, cell: str | None, rule: str, message: str, found: object = None,
                fix: str = "") -> None:
        self.issues.append(Issue("warning", self.file, sheet, cell, rule, message, _shown(found), fix))

    def kpi(self, sheet: str, cell: str, text: object) -> str | None:
        code = self.context.matcher.match(text)
        if code is None:
            suggestions = self.context.matcher.suggest(text)
            hint = f"Did you mean {' or '.join(suggestions)}?" if suggestions else "No catalogue KPI is close."
            self.error(sheet, cell, "unknown_kpi", "Unknown KPI", text,
                       f"{hint} Use a code or name from the template's KPIs sheet.")
        return code

    def period(self, sheet: str, cell: str, raw: object) -> date | None:
        period = parse_period(raw)
        if period is None:
            self.error(sheet, cell, "bad_period", "Not a month", raw,
                       "Write the month as 2025-04, Apr-25, April 2025 or 04/2025, or use a date cell.")
            return None
        if period > self.context.latest_allowed:
            self.error(sheet, cell, "future_period", f"{period:%B %Y} is in the future", raw,
                       "Check the year; only months up to the current one can be loaded.")
            return None
        return period

    def number(self, sheet: str, cell: str, raw: object, kpi_code: str, role: str, formulas: set[str]
               ) -> tuple[float | None, str | None, bool]:
        """(value, status code, usable); blank cells come back unusable without an error."""
        if raw is None and cell.split("!")[-1] in formulas:
            self.error(sheet, cell, "formula_without_value", f"The {role} is a formula whose result was never saved",
                       None, "Open the file in Excel, let it calculate, save it and upload again (or paste values).")
            return None, None, False
        parsed = parse_number(raw)
        if parsed.blank:
            return None, None, False
        if parsed.status:
            return None, parsed.status, True
        if parsed.problem:
            self.error(sheet, cell, "not_a_number", f"The {role} {parsed.problem}", raw,
                       "Enter a number, or a suppression code such as c (small number) or x (not available).")
            return None, None, False
        unit = self.context.units[kpi_code]
        value = parsed.value
        if parsed.percent_sign and unit != "%":
            self.error(sheet, cell, "percent_for_non_percentage", f"{kpi_code} is measured in {unit}, not %",
                       raw, "Remove the % sign or check the KPI.")
            return None, None, False
        if role == "value" and unit == "%" and not 0 <= value <= 100:
            self.error(sheet, cell, "percentage_out_of_range", "A percentage must be between 0 and 100", raw,
                       "Enter the percentage as a number such as 85.5.")
            return None, None, False
        if value < 0:
            self.error(sheet, cell, "negative", f"The {role} cannot be negative", raw, "Check the figure.")
            return None, None, False
        if unit == "count" and role == "value" and value != int(value):
            self.error(sheet, cell, "count_not_whole", f"{kpi_code} is a count and must be a whole number", raw,
                       "Round it, or check it is the right KPI.")
            return None, None, False
        return value, None, True

    def add(self, row: _Row) -> None:
        self.rows.append(row)

    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def parse(file: str, sheets: list[Sheet], context: Context) -> Parsed:
    """Read every sheet, collect every problem, and return what would load."""
    collector = _Collector(file, context)
    summaries: list[SheetSummary] = []
    benchmark_sheets: list[tuple[Sheet, Layout]] = []
    for sheet in sheets:
        if sheet.name.strip().lower() in REFERENCE_SHEETS:
            summaries.append(SheetSummary(sheet.name, "skipped", 0, "the template's reference sheet"))
            continue
        layout = detect(sheet)
        before = len(collector.rows)
        if layout.kind == "long":
            _long(collector, sheet, layout)
        elif layout.kind == "wide":
            _wide(collector, sheet, layout)
        elif layout.kind in ("dfe_benchmarks", "dfe_neighbours"):
            benchmark_sheets.append((sheet, layout))
            summaries.append(SheetSummary(sheet.name, layout.kind, len(sheet.rows) - layout.header_row - 1,
                                          "DfE download: loaded as benchmarks, not as a monthly return"))
            continue
        else:
            if any(any(v is not None for v in row) for row in sheet.rows):
                collector.warning(sheet.name, None, "sheet_skipped", f"Sheet skipped: {layout.reason}", None,
                                  "Nothing to do if this is a cover or notes sheet.")
            summaries.append(SheetSummary(sheet.name, "skipped", 0, layout.reason))
            continue
        summaries.append(SheetSummary(sheet.name, layout.kind, len(collector.rows) - before))
    _check_duplicates(collector)
    _check_fractions(collector)
    if not collector.rows and not benchmark_sheets and not collector.has_errors():
        collector.error(None, None, "no_data", "No KPI data was found in any sheet", None,
                        "Use the template: a sheet with columns kpi, period and value, or a KPI column and one "
                        "column per month.")
    frame = pd.DataFrame([r.__dict__ for r in collector.rows], columns=list(_Row.__dataclass_fields__))
    return Parsed(file, frame, collector.issues, summaries, benchmark_sheets)


def _cell(row: list[object], column: int | None) -> object:
    if column is None or column >= len(row):
        return None
    return row[column]


def _long(c: _Collector, sheet: Sheet, layout: Layout) -> None:
    cols = layout.columns
    for r in range(layout.header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(v is None for v in row):
            continue
        kpi_raw, period_raw = _cell(row, cols["kpi"]), _cell(row, cols["period"])
        if kpi_raw is None and period_raw is None:
            continue  # a footnote below the table
        ref = lambda role: cell_ref(r, cols[role])  # noqa: E731
        la_code = _la_code(c, sheet.name, _cell(row, cols.get("la_code")), cell_ref(r, cols.get("la_code", 0)))
        kpi_code = c.kpi(sheet.name, ref("kpi"), kpi_raw) if kpi_raw is not None else None
        if kpi_raw is None:
            c.error(sheet.name, ref("kpi"), "missing_kpi", "The KPI is empty", None, "Enter a KPI code or name.")
        period = c.period(sheet.name, ref("period"), period_raw)
        if kpi_code is None or period is None or la_code is None:
            continue
        value_raw = _cell(row, cols["value"])
        value, status, ok = c.number(sheet.name, ref("value"), value_raw, kpi_code, "value",
                                     sheet.formulas_without_values)
        if not ok:
            if value_raw is None and ref("value") not in sheet.formulas_without_values:
                c.error(sheet.name, ref("value"), "missing_value", "The value is empty", None,
                        "Enter the figure, or a suppression code such as c or x if it is withheld.")
            continue
        numerator = denominator = None
        if "numerator" in cols:
            numerator, _, _ = c.number(sheet.name, ref("numerator"), _cell(row, cols["numerator"]), kpi_code,
                                       "numerator", sheet.formulas_without_values)
        if "denominator" in cols:
            denominator, _, _ = c.number(sheet.name, ref("denominator"), _cell(row, cols["denominator"]), kpi_code,
                                         "denominator", sheet.formulas_without_values)
        note = _cell(row, cols.get("note"))
        c.add(_Row(la_code, kpi_code, period, value, numerator, denominator, status,
                   None if note is None else str(note), sheet.name, ref("value")))


def _la_code(c: _Collector, sheet: str, raw: object, ref: str) -> str | None:
    if raw is None:
        return c.context.home_la
    code = str(raw).strip().upper()
    if not pd.Series([code]).str.match(LA_CODE_PATTERN).iloc[0]:
        c.error(sheet, ref, "bad_la_code", "Not a 9-character ONS council code", raw,
                f"Use the council's ONS code such as {c.context.home_la}, or leave the column empty for the home "
                "council.")
        return None
    return code


def _wide(c: _Collector, sheet: Sheet, layout: Layout) -> None:
    kpi_col = layout.columns["kpi"]
    header = layout.header_row
    for column, period in layout.month_columns.items():
        if period > c.context.latest_allowed:
            c.error(sheet.name, cell_ref(header, column), "future_period", f"{period:%B %Y} is in the future",
                    sheet.rows[header][column], "Check the year; only months up to the current one can be loaded.")
    months = {col: p for col, p in layout.month_columns.items() if p <= c.context.latest_allowed}
    extras = unknown_extra_columns(layout)
    if extras:
        c.warning(sheet.name, None, "columns_ignored", "Columns that are not months were ignored",
                  ", ".join(extras), "Nothing to do if these are notes; check any that should be months.")
    for r in range(header + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(v is None for v in row):
            continue
        kpi_raw = _cell(row, kpi_col)
        has_values = any(_cell(row, col) is not None for col in months) or any(
            cell_ref(r, col) in sheet.formulas_without_values for col in months)
        if not has_values:
            continue  # spacer, section heading or footnote: no monthly figures on the row
        if kpi_raw is None:
            c.error(sheet.name, cell_ref(r, kpi_col), "missing_kpi", "Figures on a row with no KPI name", None,
                    "Enter the KPI code or name in this cell, or delete the row.")
            continue
        kpi_code = c.kpi(sheet.name, cell_ref(r, kpi_col), kpi_raw)
        if kpi_code is None:
            continue
        for col, period in months.items():
            ref = cell_ref(r, col)
            value, status, ok = c.number(sheet.name, ref, _cell(row, col), kpi_code, "value",
                                         sheet.formulas_without_values)
            if ok:
                c.add(_Row(c.context.home_la, kpi_code, period, value, None, None, status, None, sheet.name, ref))


def _check_duplicates(c: _Collector) -> None:
    seen: dict[tuple[str, str, date], _Row] = {}
    for row in c.rows:
        key = (row.la_code, row.kpi_code, row.period)
        if key in seen:
            first = seen[key]
            c.error(row.sheet, row.cell, "duplicate", f"{row.kpi_code} for {row.period:%b %Y} is given twice "
                    f"(also at {first.sheet}!{first.cell})", None, "Keep one of the two figures.")
        else:
            seen[key] = row


def _check_fractions(c: _Collector) -> None:
    """A percentage KPI whose every value lies between 0 and 1 was almost certainly typed as fractions."""
    units = c.context.units
    by_kpi: dict[str, list[_Row]] = {}
    for row in c.rows:
        if units[row.kpi_code] == "%" and row.value is not None:
            by_kpi.setdefault(row.kpi_code, []).append(row)
    for code, rows in by_kpi.items():
        values = [r.value for r in rows]
        if max(values) <= 1 and max(values) > 0:
            first, last = rows[0], rows[-1]
            c.error(first.sheet, first.cell, "looks_like_fractions",
                    f"Every {code} value lies between 0 and 1 ({first.cell} to {last.cell}): they look like "
                    "fractions, not percentages", f"{values[0]:g}",
                    "Enter percentages as 0-100 (85.5, not 0.855). If the cells are formatted as %, change the "
                    "format to Number and multiply by 100.")
