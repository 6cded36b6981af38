"""A `Targets` sheet in the monthly workbook: targets set in Excel, checked like every other cell.

Analysts often agree targets in the same workbook as the monthly return. One row
per target: `kpi`, `kind` (local, inspection or floor; blank means local),
`value`, `start` and optional `end` month, optional `trajectory_from` and
`trajectory_until` for a target that moves month by month, `source`, and an
optional `team` for a team's own target (empty: the council's). Each
row goes through the same checks as the Targets page form, so a target loaded
from a file can never be one the page would refuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ingest.issues import FirstIssues, Issue, cell_ref
from ingest.layouts import find_header
from ingest.readers import Sheet
from ingest.values import KpiMatcher, normalise_name, parse_number
from records.kpi_edits import TARGET_KINDS, TargetInput, check_target
from store.dates import parse_period

SHEET_NAME = "targets"
COLUMNS = {
    "kpi": {"kpi", "indicator", "measure", "kpicode"},
    "kind": {"kind", "type", "targettype"},
    "value": {"value", "target"},
    "start": {"start", "from", "startmonth", "frommonth"},
    "end": {"end", "until", "to", "endmonth"},
    "trajectory_from": {"trajectoryfrom", "glidefrom", "startvalue"},
    "trajectory_until": {"trajectoryuntil", "glideuntil", "reachby"},
    "source": {"source", "sourcenote", "agreedin"},
    "team": {"team", "teamname", "locality", "service"},
}
REQUIRED = ("kpi", "value", "start", "source")
KIND_WORDS = {normalise_name(word): kind for kind, label in TARGET_KINDS.items() for word in (kind, label)}


@dataclass
class TargetRows:
    targets: list[TargetInput]
    issues: list[Issue]


def is_targets_sheet(sheet: Sheet) -> bool:
    return normalise_name(sheet.name) == SHEET_NAME


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The first row that names the required columns, and where each known column is."""
    return find_header(sheet, COLUMNS, REQUIRED)


def parse_targets(file_name: str, sheet: Sheet, matcher: KpiMatcher, units: dict[str, str]) -> TargetRows:
    """Every target in the sheet, or the issues that stop them, each with its cell.

    Every row is checked, but only the first `ingest.issues.ISSUE_LIMIT` errors are listed; the rest are counted.
    """
    found = FirstIssues(file_name, sheet.name)
    broken_rows: set[int] = set()

    def problem(row: int, column: int, message: str, value: object, fix: str | Callable[[], str]) -> None:
        """An error at a cell; a fix given as a function is worked out only if the error is listed."""
        broken_rows.add(row)
        found.add((row,), "bad_target", lambda: Issue(
            "error", file_name, sheet.name, cell_ref(row, column), "bad_target", message,
            None if value is None else str(value), fix() if callable(fix) else fix))

    located = _header(sheet)
    if located is None:
        return TargetRows([], [Issue("error", file_name, sheet.name, None, "bad_target",
                                     "The Targets sheet needs columns kpi, value, start and source", None,
                                     "Add a header row with those columns (kind, end, trajectory_from, "
                                     "trajectory_until are optional).")])
    header_row, at = located
    targets = []
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]

        def cell(column: str) -> object:
            c = at.get(column)
            return None if c is None or c >= len(row) else row[c]

        if all(v is None or str(v).strip() == "" for v in row):
            continue
        code = matcher.match(cell("kpi"))
        if code is None:
            def suggested(text: object = cell("kpi")) -> str:
                suggestions = matcher.suggest(text)
                return f"Did you mean {', '.join(suggestions)}?" if suggestions else "Use a code from the KPIs sheet."

            problem(r, at["kpi"], "Unknown KPI", cell("kpi"), suggested)
            continue
        kind_text = cell("kind")
        kind = "local" if kind_text is None or str(kind_text).strip() == "" else KIND_WORDS.get(
            normalise_name(str(kind_text)))
        if kind is None:
            problem(r, at["kind"], "Unknown kind of target", kind_text, "Use local, inspection or floor.")
            continue
        numbers = {}
        for column in ("value", "trajectory_from"):
            parsed = parse_number(cell(column))
            if cell(column) is not None and parsed.value is None:
                problem(r, at[column], "Not a number", cell(column), "Enter the target as a number such as 85.")
            numbers[column] = parsed.value
        months = {}
        for column in ("start", "end", "trajectory_until"):
            months[column] = parse_period(cell(column))
            if cell(column) not in (None, "") and months[column] is None:
                problem(r, at[column], "Not a month", cell(column), "Enter a month such as 2025-04 or Apr-25.")
        if numbers["value"] is None or months["start"] is None:
            if numbers["value"] is None and cell("value") is None:
                problem(r, at["value"], "The target value is missing", None, "Enter the target value.")
            if cell("start") is None:
                problem(r, at["start"], "The start month is missing", None, "Enter the month the target starts.")
            continue
        team = " ".join(str(cell("team")).split()) if cell("team") not in (None, "") else None
        target = TargetInput(code, kind, float(numbers["value"]), months["start"], str(cell("source") or ""),
                             months["end"], numbers["trajectory_from"], months["trajectory_until"], team=team)
        for message in check_target(target, units[code]):
            problem(r, at["value"], message.rstrip("."), None, "Correct the row and upload again.")
        if r not in broken_rows:
            targets.append(target)
    return TargetRows(targets, found.issues())
