"""An improvement plan in and out of a spreadsheet: one row per recommendation, checked cell by cell.

Councils keep their action plans in Excel or Word tables, so the plan is read
from `.xlsx`, `.xlsm`, `.ods` or `.csv` with the monthly upload's reader and
written back to `.xlsx` in the same columns:

    Ref, Recommendation, Area, Timescale, Due date, Owner, Status, RAG, Progress, Impact, Linked KPIs

A row whose Ref is already in the plan updates that recommendation (a new
version, only when something differs; Progress and Impact become new log
entries only when they differ from the latest ones); a row without a Ref, or
with a new one, adds a recommendation. Every cell is checked before anything is
written, each problem names its cell, and the whole file loads in one
transaction or not at all. RAG that repeats what the product already shows
(red for an overdue item) is not a change. So a plan exported and imported
again changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable

import duckdb
import pandas as pd

from analysis import plan_status
from auth import audit
from auth.roles import Actor, require
from ingest.issues import FileRefused, FirstIssues, HasIssues, Issue, cell_ref
from ingest.layouts import find_header
from ingest.readers import Sheet, read_file
from ingest.upload import context_for
from ingest.values import KpiMatcher, normalise_name
from records.plan_edits import (
    RecommendationInput,
    counts_from_for,
    insert_log_entry,
    insert_recommendation,
    parse_day,
    resolve_due,
    write_change,
)
from store import queries
from store.errors import EditRefused
from store.spreadsheets import unescape, workbook_bytes
from store.writes import transaction

SHEET_NAME = "Improvement plan"
EXPORT_COLUMNS = ["Ref", "Recommendation", "Area", "Timescale", "Due date", "Owner", "Status", "RAG", "Progress",
                  "Impact", "Linked KPIs"]
COLUMNS = {
    "ref": {"ref", "reference", "no", "number", "id", "recommendationno", "recommendationnumber"},
    "text": {"recommendation", "recommendations", "action", "recommendationtext", "areaforimprovement"},
    "area": {"area", "theme", "judgementarea", "areaofpractice"},
    "timescale": {"timescale", "timescales", "timeframe"},
    "due_on": {"duedate", "due", "deadline", "targetdate", "completionby", "dateduetobecompleted"},
    "owner": {"owner", "lead", "leadofficer", "responsible", "responsibleofficer"},
    "status": {"status", "progressstatus"},
    "rag": {"rag", "ragstatus", "ragrating"},
    "progress": {"progress", "progressupdate", "update", "latestprogress"},
    "impact": {"impact", "evidenceofimpact", "impactstatement"},
    "kpis": {"linkedkpis", "linkedkpicodes", "kpis", "kpicodes", "kpi", "measures"},
}
REQUIRED = ("text", "area")
AREA_WORDS = {normalise_name(word): code for code, label in plan_status.AREAS.items() for word in (code, label)} | {
    "childrenwhoneedhelpandprotection": "help_protection", "helpandprotection": "help_protection",
    "lookedafterchildren": "children_in_care", "cla": "children_in_care", "childrenlookedafter": "children_in_care",
    "leaders": "leadership", "leadershipandmanagement": "leadership", "impactofleaders": "leadership",
    "partnership": "partnerships"}
STATUS_WORDS = {normalise_name(word): code for code, label in plan_status.STATUSES.items() for word in (code, label)} | {
    "complete": "completed", "done": "completed", "ongoing": "in_progress", "started": "in_progress",
    "completeandevidenced": "evidenced", "completedandevidenced": "evidenced"}
RAG_WORDS = {"r": "red", "a": "amber", "g": "green"}
NOT_SET = {"", "notset", "none", "na"}


@dataclass(frozen=True)
class Existing:
    """A recommendation already in the plan, as the import compares against it."""

    rec_id: int
    rec: RecommendationInput
    counts_from: date | None
    shown_rag: str | None
    progress: str | None
    impact: str | None


@dataclass(frozen=True)
class PlanContext:
    """What checking a file needs: KPI names, the plan as it stands (by Ref), and where new rows' clocks start."""

    matcher: KpiMatcher
    existing: dict[str, Existing]
    inspection_id: int | None
    new_counts_from: date | None
    as_at: date


@dataclass(frozen=True)
class PlanRow:
    row: int
    ref: str | None
    rec: RecommendationInput
    progress: str | None
    impact: str | None


@dataclass
class ParsedPlan(HasIssues):
    file: str
    context: PlanContext
    rows: list[PlanRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def existing_plan(recommendations: pd.DataFrame, as_at: date) -> dict[str, Existing]:
    """The plan from `queries.recommendations`, keyed by Ref."""
    rows = plan_status.plan_rows(recommendations, as_at)
    found = {}
    for row in rows.itertuples(index=False):
        codes = tuple(c for c in row.kpi_codes.split(", ") if c)
        rec = RecommendationInput(row.text, row.area, _none(row.timescale), _day(row.due_on), _none(row.owner) or "",
                                  row.status, _none(row.rag), codes)
        found[row.ref] = Existing(int(row.rec_id), rec, _day(row.counts_from), _none(row.shown_rag),
                                  _none(row.progress), _none(row.impact))
    return found


def _none(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _day(value: object) -> date | None:
    return None if _none(value) is None else pd.Timestamp(value).date()


def check_file(con: duckdb.DuckDBPyConnection, la_code: str, file_name: str, content: bytes,
               inspection_id: int | None, agreed_on: date | None, as_at: date) -> ParsedPlan:
    """Read and check an action-plan file against the council's plan, writing nothing.

    New rows belong to `inspection_id` (their timescales count from its report's
    publication) or, when it is None, were added by the council on `agreed_on`.
    """
    context = PlanContext(context_for(con, la_code).matcher,
                          existing_plan(queries.recommendations(con, la_code), as_at), inspection_id,
                          counts_from_for(con, la_code, inspection_id, agreed_on), as_at)
    try:
        sheets = read_file(file_name, content)
    except FileRefused as refused:
        return ParsedPlan(file_name, context, issues=[refused.issue])
    return parse_plan(file_name, sheets, context)


def _text(value: object) -> str | None:
    """A cell as text, or None when empty. An apostrophe the export put before formula-like text is taken off."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape(str(value).strip()) or None


def parse_plan(file_name: str, sheets: list[Sheet], context: PlanContext) -> ParsedPlan:
    """Every recommendation in the file checked against the plan, or the issues that stop the import."""
    parsed = ParsedPlan(file_name, context)
    for sheet in sheets:
        located = find_header(sheet, COLUMNS, REQUIRED)
        if located is not None:
            _parse_sheet(parsed, sheet, *located)
            if not parsed.rows and not parsed.errors:
                parsed.issues.append(Issue("error", file_name, sheet.name, None, "no_data",
                                           "The plan has a header row but no recommendations under it", None,
                                           "Add one row per recommendation under the header."))
            return parsed
    parsed.issues.append(Issue("error", file_name, None, None, "no_header",
                               "No sheet has a header row with Recommendation and Area columns", None,
                               "Use the columns of an exported plan: " + ", ".join(EXPORT_COLUMNS) + "."))
    return parsed


def _parse_sheet(parsed: ParsedPlan, sheet: Sheet, header_row: int, at: dict[str, int]) -> None:
    """Check every row; the first `ingest.issues.ISSUE_LIMIT` errors are listed, in order, and the rest counted."""
    context = parsed.context
    refs_seen: dict[str, str] = {}
    found_issues = FirstIssues(parsed.file, sheet.name)
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        problems = 0

        def problem(column: str, rule: str, message: str, found: object = None,
                    fix: str | Callable[[], str] = "") -> None:
            """An error at a cell; a fix given as a function is worked out only if the error is listed."""
            nonlocal problems
            problems += 1
            where = cell_ref(r, at[column]) if column in at else None
            found_issues.add((r,), rule, lambda: Issue("error", parsed.file, sheet.name, where, rule, message,
                                                       None if found is None else str(found),
                                                       fix() if callable(fix) else fix))

        def cell(column: str) -> object:
            c = at.get(column)
            if c is None or c >= len(row):
                return None
            if cell_ref(r, c) in sheet.formulas_without_values:
                problem(column, "formula_without_value", "This cell holds a formula whose result was never saved",
                        None, "Open the file in Excel, let it calculate, save it and import it again.")
                return None
            return row[c]

        ref = _text(cell("ref"))
        if ref is not None and ref in refs_seen:
            problem("ref", "duplicate", f"Ref {ref} appears twice (first at {refs_seen[ref]})", ref,
                    "Give each recommendation its own Ref, or leave it empty to number it.")
        elif ref is not None:
            refs_seen[ref] = cell_ref(r, at["ref"])
        existing = context.existing.get(ref) if ref else None
        text = _text(cell("text"))
        if text is None:
            problem("text", "missing_value", "The recommendation is empty", None, "Write the recommendation.")
        area_text = _text(cell("area"))
        area = AREA_WORDS.get(normalise_name(area_text or ""))
        if area is None:
            problem("area", "bad_area", "Unknown area" if area_text else "The area is empty", area_text,
                    f"Use one of: {', '.join(plan_status.AREAS.values())}.")
        raw_timescale = cell("timescale")
        timescale = plan_status.day_text(parse_day(raw_timescale)) if raw_timescale is not None and not isinstance(
            raw_timescale, str) and parse_day(raw_timescale) else _text(raw_timescale)
        due_cell = cell("due_on")
        due_given = parse_day(due_cell) if _text(due_cell) is not None else None
        if _text(due_cell) is not None and due_given is None:
            problem("due_on", "bad_due_date", "Not a date", due_cell, "Enter a date such as 31/03/2025.")
        counts_from = existing.counts_from if existing else context.new_counts_from
        due_on, due_problems = resolve_due(timescale, due_given, counts_from)
        for column, message in due_problems if _text(due_cell) is None or due_given is not None else []:
            column = column if column in at else ("timescale" if "timescale" in at else "due_on")
            problem(column, "bad_timescale" if column == "timescale" else "bad_due_date", message.rstrip("."),
                    timescale if column == "timescale" else due_cell)
        status_text = _text(cell("status"))
        status = "not_started" if status_text is None else STATUS_WORDS.get(normalise_name(status_text))
        if status is None:
            problem("status", "bad_status", "Unknown status", status_text,
                    f"Use one of: {', '.join(plan_status.STATUSES.values())}.")
        rag = _rag(problem, _text(cell("rag")), existing)
        codes = _kpis(problem, context.matcher, _text(cell("kpis")))
        if problems:
            continue
        rec = RecommendationInput(text, area, timescale, due_on, _text(cell("owner")) or "", status, rag,
                                  tuple(codes)).normalised()
        rag_problem = plan_status.rag_problem(rag, due_on, status, context.as_at)
        if rag_problem:
            problem("rag" if "rag" in at else "status", "green_overdue", rag_problem.rstrip("."), "Green")
            continue
        parsed.rows.append(PlanRow(r, ref, rec, _text(cell("progress")), _text(cell("impact"))))
    parsed.issues += found_issues.issues()


def _rag(problem, text: str | None, existing: Existing | None) -> str | None:
    """The owner's RAG the row sets. Repeating what the product shows (red for an overdue item) keeps the owner's."""
    key = normalise_name(text or "")
    if key in NOT_SET:
        rag = None
    else:
        rag = RAG_WORDS.get(key) or next((code for code in plan_status.RAGS if key.startswith(code)), "bad")
    if rag == "bad":
        problem("rag", "bad_rag", "Unknown RAG", text, "Use Red, Amber or Green, or leave it empty.")
        return None
    if existing is not None and rag == existing.shown_rag:
        return existing.rec.rag
    return rag


def _kpis(problem, matcher: KpiMatcher, text: str | None) -> list[str]:
    codes = []
    for name in re.split(r"[,;\n]+", text or ""):
        if not name.strip():
            continue
        code = matcher.match(name.strip())
        if code is None:
            def suggested(name: str = name.strip()) -> str:
                suggestions = matcher.suggest(name)
                return (f"Did you mean {', '.join(suggestions)}?" if suggestions else
                        "Use codes from the KPI catalogue, separated by commas.")

            problem("kpis", "unknown_kpi", "Unknown KPI", name.strip(), suggested)
        else:
            codes.append(code)
    return codes


def changes(parsed: ParsedPlan) -> pd.DataFrame:
    """What importing would do, row by row: add, change (naming the fields) or nothing."""
    rows = []
    for row in parsed.rows:
        existing = parsed.context.existing.get(row.ref) if row.ref else None
        if existing is None:
            rows.append({"Ref": row.ref or "(new)", "Recommendation": plan_status.short_text(row.rec.text, 60),
                         "Will": "Add"})
            continue
        what = _differences(existing, row)
        rows.append({"Ref": row.ref, "Recommendation": plan_status.short_text(row.rec.text, 60),
                     "Will": "Change " + ", ".join(what) if what else "Nothing (unchanged)"})
    return pd.DataFrame(rows, columns=["Ref", "Recommendation", "Will"])


FIELD_WORDS = {"text": "wording", "area": "area", "timescale": "timescale", "due_on": "due date", "owner": "owner",
               "status": "status", "rag": "RAG", "kpi_codes": "linked KPIs"}


def _differences(existing: Existing, row: PlanRow) -> list[str]:
    before = existing.rec.normalised()
    what = [word for name, word in FIELD_WORDS.items() if getattr(before, name) != getattr(row.rec, name)]
    if row.progress and row.progress != existing.progress:
        what.append("new progress note")
    if row.impact and row.impact != existing.impact:
        what.append("new impact statement")
    return what


def import_plan(con: duckdb.DuckDBPyConnection, la_code: str, parsed: ParsedPlan, noted_on: date,
                actor: Actor) -> dict[str, int]:
    """Write a checked plan in one transaction: every row lands or none does. Returns counts of what changed."""
    require(actor, "edit_plan")
    user = actor.email
    if parsed.errors:
        raise EditRefused(f"{parsed.file} has errors; nothing was imported.")
    context = parsed.context
    source = f"import: {parsed.file}"
    counts = {"added": 0, "changed": 0, "notes": 0}
    with transaction(con):
        existing = existing_plan(queries.recommendations(con, la_code), context.as_at)
        for row in parsed.rows:
            found = existing.get(row.ref) if row.ref else None
            if found is None:
                rec_id = insert_recommendation(con, la_code, context.inspection_id, context.new_counts_from,
                                               replace(row.rec, due_on=None) if row.rec.timescale else row.rec,
                                               context.as_at, user, ref=row.ref, source=source)
                counts["added"] += 1
                previous_progress = previous_impact = None
            else:
                rec_id = found.rec_id
                given = replace(row.rec, due_on=None) if row.rec.timescale else row.rec
                if write_change(con, la_code, rec_id, given, context.as_at, user, source) is not None:
                    counts["changed"] += 1
                previous_progress, previous_impact = found.progress, found.impact
            for kind, text, previous in (("progress", row.progress, previous_progress),
                                         ("impact", row.impact, previous_impact)):
                if text and text != previous:
                    insert_log_entry(con, la_code, rec_id, kind, noted_on, text, user, source)
                    counts["notes"] += 1
        audit.record(con, actor, "plan_import", f"{la_code} plan from {parsed.file}", None, counts)
    return counts


def export_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The plan in the import's columns, in the order of `analysis.plan_status.plan_rows` (its output is the input)."""
    if rows.empty:
        return pd.DataFrame(columns=EXPORT_COLUMNS)
    return pd.DataFrame({
        "Ref": rows["ref"],
        "Recommendation": rows["text"],
        "Area": rows["area"].map(plan_status.AREAS).fillna(rows["area"]),
        "Timescale": rows["timescale"].fillna(""),
        "Due date": [plan_status.day_text(d) for d in rows["due_on"]],
        "Owner": rows["owner"].fillna(""),
        "Status": rows["status"].map(plan_status.STATUSES),
        "RAG": rows["shown_rag"].map(plan_status.RAGS).fillna(""),
        "Progress": rows["progress"].fillna(""),
        "Impact": rows["impact"].fillna(""),
        "Linked KPIs": rows["kpi_codes"].fillna(""),
    }, columns=EXPORT_COLUMNS)


def export_bytes(rows: pd.DataFrame) -> bytes:
    """An .xlsx of the plan, ready to paste into a scrutiny report; no text cell can become a live formula."""
    return workbook_bytes({SHEET_NAME: export_frame(rows)})
