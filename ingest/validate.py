"""From recognised sheets to clean observation rows, collecting every problem before deciding.

Nothing here touches the store: it returns the rows that would load and the
issues found, so the page can show a preview and the command line a report.

A sheet is checked a column at a time rather than a cell at a time, because a
regional history holds 620,000 rows: the per-cell readers in `ingest.values` are
applied once per distinct period, council and KPI name, numbers are checked as
arrays, and the issues are then sorted back into the order of the sheet's cells.
A rule's failing cells are counted from its mask, but issues are made only for the
first `ISSUE_LIMIT` errors of the file: the rest are counted in one closing issue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from ingest.issues import FirstIssues, HasIssues, ISSUE_LIMIT, Issue, Severity, cap, cell_ref, unlisted_issue
from ingest.layouts import BREAKDOWN_KINDS, Layout, detect, unknown_extra_columns
from ingest.readers import Sheet
from ingest.targets_sheet import is_targets_sheet
from ingest.template import reference_sheet
from ingest.values import KpiMatcher, as_typed, by_distinct, normalise_name, parse_numbers
from store.dates import parse_period

LA_CODE_PATTERN = r"^[EW]\d{8}$"
LA_CODE = re.compile(LA_CODE_PATTERN)


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
class Parsed(HasIssues):
    """Everything read from one file."""

    file: str
    observations: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    benchmark_sheets: list[tuple[Sheet, Layout]] = field(default_factory=list)
    target_sheets: list[Sheet] = field(default_factory=list)
    breakdowns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAKDOWN_FIELDS))
    """The figures of teams, localities or services (`BREAKDOWN_FIELDS`), apart from the whole council's."""


OBSERVATION_FIELDS = ["la_code", "kpi_code", "period", "value", "numerator", "denominator", "status_code", "note",
                      "typed", "sheet", "cell"]
"""The columns of `Parsed.observations`: what loads, the value's text where it was typed as text (for the
plausibility checks), and the sheet and value cell it came from."""
NUMBER_FIELDS = {"value", "numerator", "denominator"}
BREAKDOWN_FIELDS = OBSERVATION_FIELDS + ["breakdown", "breakdown_kind"]
"""A team's figure: an observation with the team's name as the file gives it and whether the file calls it a team,
a locality or a service."""


Made = tuple[str | None, str, object, str]
"""What an issue at one cell says: (cell, message, value found, fix)."""
UNIT_WORDS = {"count": "a count", "%": "a percentage", "rate": "a rate per 10,000 children",
              "FTE": "full-time equivalent staff (FTE)", "cases": "cases per worker"}


def month_words(period: object) -> str | None:
    """A month as issues name it, "Oct 2026"; None when the cell's month is not known."""
    return None if period is None else f"{period:%b %Y}"


class _Found:
    """The issues of one sheet, put in the order a reader meets them: by row, then by place within the row.

    Columns are checked one after another, so issues arrive column by column; each
    carries its row and a rank (its position within the row) to be sorted back.
    Issues about the whole sheet take row -1 and come first, in the order found.
    Only the first `ISSUE_LIMIT` errors in that order are made into issues; the rest
    are counted (`ingest.issues.FirstIssues`).
    """

    def __init__(self, file: str, sheet: str, names: dict[str, str]):
        self.file = file
        self.sheet = sheet
        self.names = names
        self._first = FirstIssues(file, sheet)

    def add(self, row: int, rank: int, severity: Severity, cell: str | None, rule: str, message: str,
            found: object = None, fix: str = "", month: object = None) -> None:
        self._first.add((int(row), int(rank)), rule,
                        lambda: Issue(severity, self.file, self.sheet, cell, rule, message, as_typed(found), fix,
                                      month=month_words(month)), severity)

    def add_each(self, at: np.ndarray, rows: np.ndarray, ranks: np.ndarray | int, rule: str,
                 made: Callable[[int], Made], kpis: np.ndarray | None = None,
                 periods: np.ndarray | None = None) -> None:
        """An error of `rule` at each position `at` of `rows` and `ranks`; `made(i)` words the one at i, and
        `kpis[i]` and `periods[i]` (when given) are the KPI code and month its cell belongs to.

        Only the first of them in the sheet's order are offered for listing (one more than can be listed, so the
        first left out is known too); the others cannot be listed and are only counted.
        """
        at = np.asarray(at, dtype=np.intp)
        if not len(at):
            return
        row = np.asarray(rows)[at].astype(np.int64)
        rank = np.asarray(ranks)[at].astype(np.int64) if np.ndim(ranks) else np.full(len(at), int(ranks))
        order = np.lexsort((rank, row))
        offered = order[:self._first.limit + 1]
        for j in offered.tolist():
            self._first.add((int(row[j]), int(rank[j])), rule,
                            lambda i=int(at[j]): self._issue(rule, made(i), None if kpis is None else kpis[i],
                                                             None if periods is None else periods[i]))
        self._first.count_left_out(rule, len(order) - len(offered))

    def _issue(self, rule: str, made: Made, kpi: str | None, period: object) -> Issue:
        cell, message, found, fix = made
        return Issue("error", self.file, self.sheet, cell, rule, message, as_typed(found), fix,
                     kpi=self.names.get(kpi) if kpi is not None else None, month=month_words(period))

    def issues(self) -> list[Issue]:
        return self._first.issues()


def _is_none(cells: np.ndarray) -> np.ndarray:
    return np.equal(cells, None)


FORMULA_KEY_COLUMNS = 1 << 20  # more than a worksheet's 16,384 columns


def _in_formulas(rows: np.ndarray, columns: np.ndarray, formulas: set[tuple[int, int]]) -> np.ndarray:
    """Whether each (row, column) is a formula cell without a saved result, checked as arrays."""
    if not formulas:
        return np.zeros(len(rows), dtype=bool)
    wanted = np.fromiter((r * FORMULA_KEY_COLUMNS + c for r, c in formulas), dtype=np.int64, count=len(formulas))
    return np.isin(np.asarray(rows, dtype=np.int64) * FORMULA_KEY_COLUMNS + np.asarray(columns, dtype=np.int64),
                   wanted)


def _formula_positions(refs: set[str]) -> set[tuple[int, int]]:
    """(row, column), 0-based, of each cell whose formula has no saved result."""
    positions = set()
    for ref in refs:
        letters, row = coordinate_from_string(ref)
        positions.add((row - 1, column_index_from_string(letters) - 1))
    return positions


def _refs(rows: np.ndarray, columns: np.ndarray) -> list[str]:
    letters = {c: get_column_letter(c + 1) for c in np.unique(columns).tolist()}
    if len(letters) == 1:  # a long sheet's values share a column: a third of the time for 620,000 rows
        return list(map(f"{letters.popitem()[1]}{{}}".format, (np.asarray(rows) + 1).tolist()))
    return [f"{letters[c]}{r + 1}" for r, c in zip(rows.tolist(), columns.tolist())]


def _numbers(found: _Found, cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, rank: np.ndarray | int,
             kpi_codes: np.ndarray, periods: np.ndarray, units: np.ndarray, role: str,
             formulas: set[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read value, numerator or denominator cells and report each rule a cell breaks (the first one only).

    Returns (value, status code, usable, blank, typed) per cell; value is NaN unless the
    cell is a usable number. A blank cell is unusable but not reported here: whether
    a blank is allowed is the caller's rule. `typed` is the cell's text where it was
    typed as text, None elsewhere: "72,9" read as 729 is a plausibility check's clue.
    """
    size = len(cells)
    ranks = np.broadcast_to(rank, size)
    parsed = parse_numbers(cells)
    value = parsed.value
    in_formula = _is_none(cells) & _in_formulas(rows, columns, formulas)
    pending = np.ones(size, dtype=bool)

    def report(broken: np.ndarray, rule: str, message: Callable[[int], str], fix: str, show: bool = True) -> None:
        """Report the cells that break `rule` and have broken no earlier rule; they are then settled."""
        hit = pending & broken
        pending[hit] = False
        found.add_each(np.flatnonzero(hit), rows, ranks, rule,
                       lambda i: (cell_ref(rows[i], columns[i]), message(i), cells[i] if show else None, fix),
                       kpi_codes, periods)

    is_value = role == "value"
    report(in_formula, "formula_without_value", lambda i: f"The {role} is a formula whose result was never saved",
           "Open the file in Excel, let it calculate, save it and upload again (or paste values).", show=False)
    blank = pending & parsed.blank
    status = pending & ~_is_none(parsed.status)
    pending &= ~(blank | status)
    report(~_is_none(parsed.problem), "not_a_number", lambda i: f"The {role} {parsed.problem[i]}",
           "Enter a number, or a suppression code such as c (small number) or x (not available).")
    report(parsed.percent_sign & ~_is_none(units) & (units != "%"), "percent_for_non_percentage",
           lambda i: f"This KPI is {UNIT_WORDS.get(units[i], units[i])}, not a percentage",
           "Remove the % sign, or check the KPI is the right one.")
    if is_value:
        report((units == "%") & ((value < 0) | (value > 100)), "percentage_out_of_range",
               lambda i: "A percentage must be between 0 and 100", "Enter the percentage as a number such as 85.5.")
    report(value < 0, "negative", lambda i: f"The {role} cannot be negative", "Check the figure.")
    if is_value:
        report((units == "count") & (value != np.trunc(value)), "count_not_whole",
               lambda i: "This KPI is a count, so it must be a whole number",
               "Round it, or check it is the right KPI.")
    usable = pending | status
    typed = np.where(parsed.text, cells, None) if parsed.text.any() else np.full(size, None, dtype=object)
    return np.where(pending, value, np.nan), parsed.status, usable, blank, typed


def _kpis(found: _Found, raw: np.ndarray, rows: np.ndarray, column: int, rank: int, matcher: KpiMatcher,
          missing_message: str, missing_fix: str, periods: np.ndarray | None = None) -> np.ndarray:
    """The catalogue code of each KPI cell (None where there is none), reporting empty and unknown KPIs."""
    codes = by_distinct(raw, matcher.match)
    missing = _is_none(raw)
    found.add_each(np.flatnonzero(missing), rows, rank, "missing_kpi",
                   lambda i: (cell_ref(rows[i], column), missing_message, None, missing_fix), periods=periods)
    hints: dict[str, str] = {}

    def unknown(i: int) -> Made:
        key = normalise_name(str(raw[i]))
        if key not in hints:  # suggestions are slow to find, so only for the issues listed, once per name
            suggestions = matcher.suggest(raw[i])
            hints[key] = f"Did you mean {' or '.join(suggestions)}?" if suggestions else "No catalogue KPI is close."
        return (cell_ref(rows[i], column), "Unknown KPI", raw[i],
                f"{hints[key]} Use a code or name from the template's KPIs sheet, or add the council's own "
                "measure as a local KPI.")

    found.add_each(np.flatnonzero(_is_none(codes) & ~missing), rows, rank, "unknown_kpi", unknown, periods=periods)
    return codes


def _la_code(raw: object, home_la: str) -> str | None:
    """The council code a cell names (the home council when empty), or None when it is not an ONS code."""
    if raw is None:
        return home_la
    code = str(raw).strip().upper()
    return code if LA_CODE.match(code) else None


def _frame(sheet: str, rows: np.ndarray, columns: np.ndarray, **values: object) -> pd.DataFrame:
    """The observations of one sheet; text columns stay Python objects, which is what they hold and cheap to build."""
    size = len(rows)
    frame = {}
    for name in OBSERVATION_FIELDS[:-2]:
        column = values.get(name)
        if np.ndim(column) == 0:
            column = np.full(size, column, dtype=object)
        frame[name] = pd.Series(column, dtype="float64" if name in NUMBER_FIELDS else object)
    frame["sheet"] = pd.Series(np.full(size, sheet, dtype=object))
    frame["cell"] = pd.Series(_refs(rows, columns), dtype=object)
    return pd.DataFrame(frame)


def no_data(file: str, skipped: list[SheetSummary] | None = None) -> Issue:
    """The file holds nothing to load; the sheets skipped are named with why, since one of them may be the data."""
    why = "; ".join(f"{s.sheet}: {s.note}" for s in skipped or [])
    return Issue("error", file, None, None, "no_data",
                 "No KPI data or targets were found in any sheet" + (f" (skipped {why})" if why else ""), None,
                 "Use the template: a sheet with columns kpi, period and value, or a KPI column and one column per "
                 "month; targets go in a sheet named Targets.")


def _skipped(file: str, sheet: Sheet, reason: str) -> tuple[SheetSummary, Issue]:
    """A sheet that is not read, said so in the sheet list and as a warning naming the sheet and why."""
    fix = ("Nothing to do if it holds no figures to load. If it does, give it a header row with KPI, month and "
           "value columns (as the template's Data sheet), or a KPI column and one column per month.")
    return (SheetSummary(sheet.name, "skipped", 0, reason),
            Issue("warning", file, sheet.name, "A1", "sheet_skipped", f"Sheet {sheet.name!r} was not read: {reason}",
                  None, fix))


def parse(file: str, sheets: list[Sheet], context: Context) -> Parsed:
    """Read every sheet, collect every problem, and return what would load."""
    issues: list[Issue] = []
    frames: list[pd.DataFrame] = []
    summaries: list[SheetSummary] = []
    benchmark_sheets: list[tuple[Sheet, Layout]] = []
    target_sheets: list[Sheet] = []
    for sheet in sheets:
        if is_targets_sheet(sheet):
            target_sheets.append(sheet)
            continue
        if _is_none(sheet.cells).all():
            layout = Layout("none", reason="it is empty")
        else:
            reference = reference_sheet(sheet)
            layout = Layout("none", reason=reference) if reference else detect(sheet)
        if layout.kind in ("long", "wide"):
            found = _Found(file, sheet.name, context.matcher.names)
            frame = (_long if layout.kind == "long" else _wide)(found, sheet, layout, context)
            issues += found.issues()
            frames.append(frame)
            summaries.append(SheetSummary(sheet.name, layout.kind, len(frame)))
        elif layout.kind in ("dfe_benchmarks", "dfe_neighbours"):
            benchmark_sheets.append((sheet, layout))
            summaries.append(SheetSummary(sheet.name, layout.kind, len(sheet.cells) - layout.header_row - 1,
                                          "DfE download: loaded as benchmarks, not as a monthly return"))
        else:
            summary, skipped = _skipped(file, sheet, layout.reason)
            summaries.append(summary)
            issues.append(skipped)
    observations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=OBSERVATION_FIELDS)
    observations, breakdowns = _split_breakdowns(observations)
    issues += _duplicates(file, observations, context.matcher.names)
    issues += _duplicates(file, breakdowns.assign(team=breakdowns["breakdown"].map(normalise_name)),
                          context.matcher.names, "team")  # one team however its name is cased or spaced
    issues += _fractions(file, observations, context.units, context.matcher.names)
    nothing_else = not benchmark_sheets and not target_sheets
    if observations.empty and breakdowns.empty and nothing_else and not any(i.severity == "error" for i in issues):
        issues.append(no_data(file, [s for s in summaries if s.layout == "skipped"]))
    issues = cap(issues, [s.sheet for s in summaries])
    return Parsed(file, observations, issues, summaries, benchmark_sheets, target_sheets, breakdowns)


def _split_breakdowns(observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole council's figures apart from those of its teams, localities or services, so the two are never
    stored, compared or judged as one."""
    if "breakdown" not in observations.columns:
        return observations, pd.DataFrame(columns=BREAKDOWN_FIELDS)
    by_team = observations["breakdown"].notna().to_numpy()
    whole = observations[~by_team].drop(columns=["breakdown", "breakdown_kind"]).reset_index(drop=True)
    return whole, observations[by_team].reset_index(drop=True)


def _long(found: _Found, sheet: Sheet, layout: Layout, context: Context) -> pd.DataFrame:
    """One row per council, KPI and month, checked a column at a time."""
    cols = layout.columns
    start = layout.header_row + 1
    body = sheet.cells[start:]
    listed = ~(_is_none(body[:, cols["kpi"]]) & _is_none(body[:, cols["period"]]))  # not blank, not a footnote
    rows = np.flatnonzero(listed) + start
    body = body[listed]

    def column(role: str) -> np.ndarray:
        return body[:, cols[role]] if role in cols else np.full(len(body), None, dtype=object)

    period_raw = column("period")
    periods = by_distinct(period_raw, parse_period)
    kpi_codes = _kpis(found, column("kpi"), rows, cols["kpi"], 1, context.matcher, "The KPI is empty",
                      "Enter a KPI code or name.", periods)
    la_raw = column("la_code")
    la_codes = by_distinct(la_raw, lambda raw: _la_code(raw, context.home_la))
    la_column = cols.get("la_code", 0)
    found.add_each(np.flatnonzero(_is_none(la_codes)), rows, 0, "bad_la_code", lambda i: (
        cell_ref(rows[i], la_column), "Not a 9-character ONS council code", la_raw[i],
        f"Use the council's ONS code such as {context.home_la}, or leave the column empty for the home council."),
        kpi_codes, periods)
    latest = context.latest_allowed
    future = by_distinct(periods, lambda p: p is not None and p > latest).astype(bool)
    period_column = cols["period"]
    found.add_each(np.flatnonzero(_is_none(periods)), rows, 2, "bad_period", lambda i: (
        cell_ref(rows[i], period_column), "Not a month the dashboard can read", period_raw[i],
        "Write the month as 2025-04, Apr-25, April 2025 or 04/2025, or use a date cell."), kpi_codes)
    found.add_each(np.flatnonzero(future), rows, 2, "future_period", lambda i: (
        cell_ref(rows[i], period_column), f"{periods[i]:%B %Y} is in the future", period_raw[i],
        "Check the year; only months up to the current one can be loaded."), kpi_codes, periods)
    placed = ~(_is_none(la_codes) | _is_none(kpi_codes) | _is_none(periods) | future)
    valid = np.flatnonzero(placed)
    units = by_distinct(kpi_codes[valid], context.units.get)
    formulas = _formula_positions(sheet.formulas_without_values)

    def numbers(role: str, at: np.ndarray, rank: int) -> tuple[np.ndarray, ...]:
        return _numbers(found, column(role)[valid[at]], rows[valid[at]], np.full(len(at), cols[role]), rank,
                        kpi_codes[valid[at]], periods[valid[at]], units[at], role, formulas)

    def report_blank(blank: np.ndarray, positions: np.ndarray) -> None:
        found.add_each(positions[blank], rows, 3, "missing_value", lambda i: (
            cell_ref(rows[i], cols["value"]), "The value is empty", None,
            "Enter the figure, or a suppression code such as c or x if it is withheld."), kpi_codes, periods)

    value, status, usable, blank, typed = numbers("value", np.arange(len(valid)), 3)
    report_blank(blank, valid)
    # A row whose KPI, council or month is wrong still has its value checked, as far as that can be done
    # without knowing the KPI's unit, so that one round of fixes in Excel clears every error.
    unplaced = np.flatnonzero(~placed)
    *_, unplaced_blank, _ = _numbers(found, column("value")[unplaced], rows[unplaced],
                                  np.full(len(unplaced), cols["value"]), 3, kpi_codes[unplaced],
                                  np.where(future[unplaced], None, periods[unplaced]),
                                  np.full(len(unplaced), None, dtype=object), "value", formulas)
    report_blank(unplaced_blank, unplaced)
    kept = np.flatnonzero(usable)
    loaded = valid[kept]
    extra = {role: numbers(role, kept, rank)[0] for rank, role in ((4, "numerator"), (5, "denominator"))
             if role in cols}
    frame = _frame(sheet.name, rows[loaded], np.full(len(loaded), cols["value"]), la_code=la_codes[loaded],
                   kpi_code=kpi_codes[loaded], period=periods[loaded], value=value[kept], status_code=status[kept],
                   typed=typed[kept], note=[None if v is None else str(v) for v in column("note")[loaded]], **extra)
    if "breakdown" in cols:
        header = normalise_name(str(sheet.cells[layout.header_row, cols["breakdown"]]))
        teams = [None if v is None or not str(v).strip() else " ".join(str(v).split()) for v in
                 column("breakdown")[loaded]]
        frame["breakdown"] = pd.Series(teams, dtype=object)
        frame["breakdown_kind"] = next(kind for kind in BREAKDOWN_KINDS if header.startswith(kind))
    return frame


def _wide(found: _Found, sheet: Sheet, layout: Layout, context: Context) -> pd.DataFrame:
    """A KPI per row and a month per column: every month cell of every KPI row, checked at once."""
    kpi_col = layout.columns["kpi"]
    header = layout.header_row
    for column, period in layout.month_columns.items():
        if period > context.latest_allowed:
            found.add(-1, 0, "error", cell_ref(header, column), "future_period", f"{period:%B %Y} is in the future",
                      sheet.cells[header, column], "Check the year; only months up to the current one can be loaded.",
                      month=period)
    months = {col: p for col, p in layout.month_columns.items() if p <= context.latest_allowed}
    extras = unknown_extra_columns(layout)
    if extras:
        found.add(-1, 0, "warning", None, "columns_ignored", "Columns that are not months were ignored",
                  ", ".join(extras), "Nothing to do if these are notes; check any that should be months.")
    start = header + 1
    body = sheet.cells[start:]
    month_cols = np.array(list(months), dtype=int)
    grid = body[:, month_cols]
    formulas = _formula_positions(sheet.formulas_without_values)
    unsaved = np.zeros(grid.shape, dtype=bool)
    month_at = {c: j for j, c in enumerate(month_cols.tolist())}
    for r, c in formulas:
        if start <= r < start + len(body) and c in month_at:
            unsaved[r - start, month_at[c]] = True
    has_values = (~_is_none(grid) | unsaved).any(axis=1) & ~_is_none(body).all(axis=1)
    at = np.flatnonzero(has_values)  # spacers, section headings and footnotes have no monthly figures
    rows = at + start
    codes = _kpis(found, body[at, kpi_col], rows, kpi_col, 0, context.matcher, "Figures on a row with no KPI name",
                  "Enter the KPI code or name in this cell, or delete the row.")
    known = np.flatnonzero(~_is_none(codes))
    width = len(month_cols)
    cell_rows = np.repeat(rows[known], width)
    cell_cols = np.tile(month_cols, len(known))
    cell_codes = np.repeat(codes[known], width)
    units = by_distinct(cell_codes, context.units.get)
    periods = np.empty(width, dtype=object)
    periods[:] = list(months.values())
    cell_periods = np.tile(periods, len(known))
    value, status, usable, _, typed = _numbers(found, grid[at[known]].reshape(-1), cell_rows, cell_cols,
                                        np.tile(np.arange(1, width + 1), len(known)), cell_codes, cell_periods, units,
                                        "value", formulas)
    frame = _frame(sheet.name, cell_rows[usable], cell_cols[usable], la_code=context.home_la,
                   kpi_code=cell_codes[usable], period=cell_periods[usable], value=value[usable],
                   status_code=status[usable], typed=typed[usable])
    teams, kinds = _wide_breakdowns(sheet, header, body, kpi_col)
    if teams is not None:
        frame["breakdown"] = pd.Series(np.repeat(teams[at[known]], width)[usable], dtype=object)
        frame["breakdown_kind"] = pd.Series(np.repeat(kinds[at[known]], width)[usable], dtype=object)
    return frame


BREAKDOWN_MARK = re.compile(r"^\s*(team|locality|service)\s*[:\-–]\s*(.+?)\s*$", re.IGNORECASE)
WHOLE_COUNCIL = {"wholecouncil", "council", "all", "allteams", "total"}
"""A marker naming these (Team: whole council) ends a block of team rows: the rows after it are the council's."""


def _wide_breakdowns(sheet: Sheet, header: int, body: np.ndarray,
                     kpi_col: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The team (and whether a team, locality or service) of each body row of a wide sheet: a title above the
    header such as "Team: North" makes the whole sheet North's; a row in the body holding only "Locality: East" in
    its KPI column starts a block of East's rows, until the next such row ("Team: whole council" ends it). None
    when the sheet names no team: all its figures are the council's."""
    def mark(value: object) -> tuple[str, str | None] | None:
        found = BREAKDOWN_MARK.match(value) if isinstance(value, str) else None
        if found is None:
            return None
        name = " ".join(found.group(2).split())
        return found.group(1).lower(), None if normalise_name(name) in WHOLE_COUNCIL else name

    sheet_mark = next((m for row in sheet.cells[:header].tolist() for m in map(mark, row) if m), None)
    kind, team = sheet_mark if sheet_mark else ("team", None)
    rows = len(body)
    teams = np.full(rows, team, dtype=object)
    kinds = np.full(rows, kind, dtype=object)
    marked = False
    for i, value in enumerate(body[:, kpi_col].tolist() if rows else []):
        block = mark(value)
        if block is not None and _is_none(np.delete(body[i], kpi_col)).all():
            kind, team = block
            marked = True
        teams[i], kinds[i] = team, kind
    return (teams, kinds) if sheet_mark or marked else (None, None)


def _duplicates(file: str, observations: pd.DataFrame, names: dict[str, str], *by: str) -> list[Issue]:
    """Each repeat of a council, KPI and month (and team, `by`), naming the cell where it was first given.

    Observations are in the file's order, so the first repeats are the ones listed; the rest are counted.
    """
    keys = observations[["la_code", "kpi_code", "period", *by]]
    repeated = np.flatnonzero(keys.duplicated(keep="first").to_numpy())
    if not len(repeated):
        return []
    group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(keys))).groupby(group).transform("min").to_numpy()
    issues = []
    for i in repeated[:ISSUE_LIMIT + 1]:
        row, original = observations.iloc[i], observations.iloc[first[i]]
        issues.append(Issue("error", file, row["sheet"], row["cell"], "duplicate",
                            f"This KPI and month{' for this ' + str(row['breakdown_kind']) if by else ''} are "
                            f"given twice (also at {original['sheet']}!{original['cell']})",
                            None, "Keep one of the two figures.", kpi=names.get(row["kpi_code"]),
                            month=month_words(row["period"])))
    if len(issues) > ISSUE_LIMIT:
        listed, first_left_out = issues[:ISSUE_LIMIT], issues[ISSUE_LIMIT]
        issues = listed + [unlisted_issue(file, first_left_out.sheet, first_left_out.cell,
                                          {"duplicate": len(repeated) - ISSUE_LIMIT})]
    return issues


def _fractions(file: str, observations: pd.DataFrame, units: dict[str, str], names: dict[str, str]) -> list[Issue]:
    """A percentage KPI whose every value lies between 0 and 1 was almost certainly typed as fractions."""
    percentages = [code for code, unit in units.items() if unit == "%"]
    rated = observations[observations["kpi_code"].isin(percentages) & observations["value"].notna()]
    issues = []
    for code, top in rated.groupby("kpi_code", sort=False)["value"].max().items():
        if 0 < top <= 1:
            rows = rated[rated["kpi_code"] == code]
            first, last = rows.iloc[0], rows.iloc[-1]
            issues.append(Issue(
                "error", file, first["sheet"], first["cell"], "looks_like_fractions",
                f"Every value of this KPI lies between 0 and 1 ({first['cell']} to {last['cell']}): they look like "
                "fractions, not percentages", f"{first['value']:g}",
                "Enter percentages as 0-100 (85.5, not 0.855). If the cells are formatted as %, change the "
                "format to Number and multiply by 100.", kpi=names.get(code), month=month_words(first["period"])))
    return issues
