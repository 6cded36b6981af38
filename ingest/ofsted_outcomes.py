"""Ofsted's official statistics on local authority inspection outcomes, loaded as every council's ILACS inspections.

The publication is a workbook (ODS, or the same saved as xlsx): cover, contents and
notes sheets, then data sheets, each with a title row and a row of notes above its
header. One gives every council's latest judgements (without saying whether the
inspection was standard or short), one the year's inspections and visits, and one
every ILACS inspection since 2018. A council's inspection is the same one in every
sheet it appears in, so the sheets are merged on council and first day on site: the
type comes from whichever sheet gives it, the judgements from the first sheet read.

So that the publication can be loaded every year, an inspection already recorded for
the council (same type and first day, whether loaded or typed in) is left as it is,
and the analyst is told where the file's judgements differ from those recorded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import duckdb

from analysis import plan_status
from ingest.issues import FirstIssues, Issue, cell_ref
from ingest.layouts import find_header
from ingest.readers import Sheet
from ingest.validate import SheetSummary
from ingest.values import normalise_name
from records.plan_edits import InspectionInput, check_inspection, insert_inspection, parse_day
from store.words import plural

SOURCE = "Ofsted official statistics"
COLUMNS: dict[str, set[str]] = {
    "la_code": {"localauthorityareacode", "laareacode", "newlacode", "lacode"},
    "name": {"localauthorityname", "laname"},
    "status": {"localauthoritystatus"},
    "inspected_on": {"inspectiondate", "inspectionvisitdate", "dateofinspection"},
    "published_on": {"publicationdate", "reportpublicationdate"},
    "kind": {"inspectiontype", "inspectionvisittype"},
    "overall": {"overalleffectiveness"},
    "leaders": {"theimpactofleadersonsocialworkpracticewithchildrenandfamilies", "impactofleaders"},
    "help_protection": {"theexperiencesandprogressofchildrenwhoneedhelpandprotection"},
    "children_in_care": {"theexperiencesandprogressofchildrenincare",
                         "theexperiencesandprogressofchildrenincareandcareleavers"},
    "care_leavers": {"theexperiencesandprogressofcareleavers"},
}
"""Ofsted's headers, normalised; before January 2023 children in care and care leavers were one judgement."""
REQUIRED = ("la_code", "inspected_on", "leaders", "help_protection", "children_in_care")
KINDS = {"ilacsstandardinspection": "ilacs_standard", "ilacsshortinspection": "ilacs_short"}
GRADES = {normalise_name(words): code for code, words in plan_status.GRADES.items()} | {
    "requiresimprovement": "requires_improvement"}
LA_CODE = re.compile(r"E\d{8}")
AS_AT = re.compile(r"as at (\d{1,2} [A-Za-z]+ \d{4})")
NO_LONGER_EXISTS = "nolongerexists"


@dataclass
class Outcomes:
    """The file's ILACS inspections as (council, inspection), with what each sheet was read as and any problems."""

    inspections: list[tuple[str, InspectionInput]]
    sheets: list[SheetSummary]
    issues: list[Issue] = field(default_factory=list)

    @property
    def councils(self) -> int:
        return len({la_code for la_code, _ in self.inspections})

    def contents(self) -> str:
        return f"ILACS judgements for {plural(self.councils, 'council')}"


@dataclass
class _Row:
    """One sheet row's inspection, before the sheets are merged; `kind` is None where the sheet does not say."""

    la_code: str
    kind: str | None
    inspected_on: date
    published_on: date | None
    judgements: dict[str, str]


def source_line(file_name: str, sheets: list[Sheet]) -> str:
    """'Ofsted official statistics, LA inspection outcomes as at 31 March 2025' from the title rows, kept with each
    inspection as its reference so the page can say where it came from."""
    for sheet in sheets:
        for row in sheet.rows[:2]:
            for cell in row:
                found = AS_AT.search(cell) if isinstance(cell, str) else None
                if found:
                    return f"{SOURCE}, LA inspection outcomes as at {found.group(1)}"
    return f"{SOURCE} ({file_name})"


def read_outcomes(file_name: str, sheets: list[Sheet]) -> Outcomes | None:
    """The publication's inspections, or None when no sheet has its header (the file is something else)."""
    headers = {sheet.name: find_header(sheet, COLUMNS, REQUIRED) for sheet in sheets}
    if not any(headers.values()):
        return None
    reference = source_line(file_name, sheets)
    merged: dict[tuple[str, date], _Row] = {}
    summaries, issues = [], []
    for sheet in sheets:
        header = headers[sheet.name]
        if header is None:
            summaries.append(SheetSummary(sheet.name, "skipped", 0, "cover, contents or notes"))
            continue
        rows, note, found = _read_sheet(file_name, sheet, *header)
        issues += found
        summaries.append(SheetSummary(sheet.name, "Ofsted inspection outcomes", len(rows), note))
        for row in rows:
            kept = merged.setdefault((row.la_code, row.inspected_on), row)
            kept.kind = kept.kind or row.kind
            kept.published_on = kept.published_on or row.published_on
    untyped = [row for row in merged.values() if row.kind is None]
    if untyped:
        issues.append(Issue("warning", file_name, None, None, "inspection_type_unknown",
                            f"{plural(len(untyped), 'inspection')} {'has' if len(untyped) == 1 else 'have'} no type "
                            "in any sheet, so each is recorded as a standard ILACS inspection",
                            ", ".join(sorted({r.la_code for r in untyped})[:10]),
                            "Keep the ILACS inspection history sheet in the file: it gives each inspection's type."))
    inspections = [(row.la_code, InspectionInput(row.kind or "ilacs_standard", row.inspected_on, row.published_on,
                                                 reference, row.judgements))
                   for row in sorted(merged.values(), key=lambda r: (r.la_code, r.inspected_on))]
    return Outcomes(inspections, summaries, issues)


def _read_sheet(file_name: str, sheet: Sheet, header_row: int,
                cols: dict[str, int]) -> tuple[list[_Row], str, list[Issue]]:
    """The ILACS inspections of one data sheet; visits and councils that no longer exist are counted, not read."""
    found = FirstIssues(file_name, sheet.name)
    rows: list[_Row] = []
    visits = gone = 0
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]

        def cell(column: str, row: list[object] = row) -> object:
            return row[cols[column]] if column in cols else None

        def problem(column: str, message: str, fix: str, r: int = r, row: list[object] = row) -> None:
            found.add((r, cols[column]), "inspection_outcome", lambda: Issue(
                "error", file_name, sheet.name, cell_ref(r, cols[column]), "inspection_outcome", message,
                str(row[cols[column]]), fix))

        code = cell("la_code")
        if code is None:
            continue
        if normalise_name(str(cell("status") or "")) == NO_LONGER_EXISTS:
            gone += 1
            continue
        kind = None
        if "kind" in cols:
            kind = KINDS.get(normalise_name(str(cell("kind") or "")))
            if kind is None:
                visits += 1
                continue
        if not LA_CODE.fullmatch(str(code).strip()):
            problem("la_code", "Not a council's 9-character ONS code", "Check the file is Ofsted's unedited "
                    "publication: column B holds codes such as E06000026.")
            continue
        inspected_on = parse_day(cell("inspected_on"))
        if inspected_on is None:
            problem("inspected_on", "Not a date", "Give the first day on site as a date, such as 22/01/2024.")
            continue
        judgements = {}
        for area in plan_status.JUDGEMENT_AREAS:
            text = cell(area)
            if text is None:
                continue
            grade = GRADES.get(normalise_name(str(text)))
            if grade is None:
                problem(area, f"Not one of Ofsted's grades ({', '.join(plan_status.GRADES.values())})",
                        "Check the file is Ofsted's unedited publication.")
            else:
                judgements[area] = grade
        published = cell("published_on")
        inspection = InspectionInput(kind or "ilacs_standard", inspected_on, parse_day(published), "", judgements)
        if published is not None and inspection.published_on is None:
            problem("published_on", "Not a date", "Give the report's publication date as a date, such as "
                    "15/03/2024, or leave it empty.")
            continue
        for message in check_inspection(inspection):
            problem("inspected_on", message, "Check the file is Ofsted's unedited publication.")
        rows.append(_Row(str(code).strip(), kind, inspected_on, inspection.published_on, judgements))
    left_out = [plural(visits, "visit") + " (only ILACS inspections are loaded)" if visits else "",
                plural(gone, "inspection") + " of councils that no longer exist" if gone else ""]
    note = "; ".join(text for text in left_out if text)
    return rows, f"left out: {note}" if note else "", found.issues()


def _recorded(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, date], dict]:
    """Every live inspection as last recorded, by council, type and first day, with its publication date and
    judgements."""
    rows = con.execute(
        """
        WITH current AS (
            SELECT i.la_code, v.* FROM inspection_versions v JOIN inspections i USING (inspection_id)
            WHERE i.retired_at IS NULL
            QUALIFY row_number() OVER (PARTITION BY v.inspection_id ORDER BY v.version_id DESC) = 1
        )
        SELECT c.la_code, c.kind, c.inspected_on, c.published_on,
               list(j.area || '=' || j.grade) FILTER (WHERE j.area IS NOT NULL)
        FROM current c LEFT JOIN inspection_judgements j USING (version_id) GROUP BY ALL
        """
    ).fetchall()
    return {(la, kind, day): {"published_on": published, "judgements": dict(p.split("=") for p in pairs or [])}
            for la, kind, day, published, pairs in rows}


def already_recorded(con: duckdb.DuckDBPyConnection, file_name: str, outcomes: Outcomes) -> list[Issue]:
    """A warning counting the file's inspections that are recorded already and will be left as they are, naming
    those whose recorded judgements or publication date differ from the file's (Ofsted corrects a grade now and
    then), for the analyst to check on the Inspections page."""
    recorded = _recorded(con)
    same, differ = 0, []
    for la_code, inspection in outcomes.inspections:
        stored = recorded.get((la_code, inspection.kind, inspection.inspected_on))
        if stored is None:
            continue
        same += 1
        if stored != {"published_on": inspection.published_on, "judgements": inspection.judgements}:
            differ.append(f"{la_code} inspected {plan_status.day_text(inspection.inspected_on)}")
    if not same:
        return []
    differing = (f"; {len(differ):,} of them {'is' if len(differ) == 1 else 'are'} recorded with other judgements "
                 "or dates than this file gives" if differ else "")
    return [Issue("warning", file_name, None, None, "inspections_already_recorded",
                  f"{plural(same, 'inspection')} in this file {'is' if same == 1 else 'are'} recorded already and "
                  f"will be left as {'it is' if same == 1 else 'they are'}{differing}", ", ".join(differ[:10]) or None,
                  "Nothing to do, unless a council's judgements differ: then correct them on the Inspections page "
                  "if the file is right.")]


def store_inspections(con: duckdb.DuckDBPyConnection, outcomes: Outcomes, upload_id: int, user: str) -> int:
    """Write inside the caller's transaction the inspections not recorded yet, each naming the upload so that
    withdrawing it retires them; returns how many were added."""
    recorded = _recorded(con)
    added = 0
    for la_code, inspection in outcomes.inspections:
        if (la_code, inspection.kind, inspection.inspected_on) not in recorded:
            insert_inspection(con, la_code, inspection, user, upload_id=upload_id)
            added += 1
    return added
