"""Inspections and the improvement plan: checked writes that keep every version with who and when.

An inspection and a recommendation each have a stable identity row and a list of
versions; a change appends a version and the latest one counts, so what a
scrutiny committee was shown on any date can be reproduced. Progress notes and
impact statements are a dated log that is only ever appended to (or an entry
retired, never deleted). Removing an inspection or a recommendation retires it
with who and when.

Timescales and days are read here too (`parse_timescale`, `parse_day`), because
the form, the spreadsheet import and the demo loader must read them alike.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
from dateutil.relativedelta import relativedelta

from analysis import plan_status
from analysis.plan_status import Timescale
from auth import audit
from auth.roles import Actor, require
from records.kpi_edits import retire
from store.dates import EXCEL_EPOCH, MONTHS, MONTH_WORDS, SERIAL_RANGE, parse_period, utcnow
from store.errors import EditRefused
from store.words import plural
from store.writes import transaction

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty four": 24, "twenty-four": 24,
                "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60, "seventy": 70}
TIMESCALE_HELP = ("Write 'immediately', 'within 3 months', 'within 6 weeks', 'within 20 working days', or a date "
                  "such as 31/03/2025.")
FORM_SOURCE = "form"


def _month_number(word: str) -> int | None:
    return MONTHS.get(word) or (MONTHS[word[:3]] if word in MONTH_WORDS else None)


def parse_day(value: object) -> date | None:
    """A day a cell means (date cells, Excel serial numbers, 2025-03-31, 31/03/2025, 31 March 2025), or None.

    A month on its own ("March 2025") means the last day of that month, because a
    plan that says "by March 2025" is late only once March is over. UK order: the
    day comes first.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return (EXCEL_EPOCH + timedelta(days=float(value))).date()
        return None
    text = str(value).strip().lower().replace("\u00a0", " ")
    text = re.sub(r"^(by|on|no later than|before)\s+", "", text)
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00(?::00)?)?", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})", text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{1,2})[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4})", text):
            month = _month_number(m[2])
            return date(int(m[3]), month, int(m[1])) if month else None
    except ValueError:
        return None
    month = parse_period(text) if re.search(r"[a-z]", text) or re.fullmatch(r"\d{4}-\d{1,2}", text) else None
    return None if month is None else month + relativedelta(months=1, days=-1)


def parse_timescale(value: object) -> Timescale | None:
    """What a timescale cell or field means, or None when it cannot be read (callers say how to write one)."""
    if value is None:
        return None
    if not isinstance(value, str):
        day = parse_day(value)
        return None if day is None else Timescale("date", on=day)
    text = re.sub(r"\s+", " ", value.strip().lower().replace("\u00a0", " ")).rstrip(".")
    if not text:
        return None
    if text in {"immediately", "immediate", "now", "with immediate effect", "straight away", "at once"}:
        return Timescale("immediately")
    plain = re.sub(r"^(within|in|by|after|no later than|no more than)\s+", "", text)
    plain = re.sub(r"\s+(of|from|after) (the )?(publication|report|inspection).*$", "", plain)
    for word, number in NUMBER_WORDS.items():
        plain = re.sub(rf"^{word}\b", str(number), plain)
    if m := re.fullmatch(r"(\d{1,3}) ?(working|business) days?|(\d{1,3}) ?wd", plain):
        return Timescale("working_days", int(m[1] or m[3]))
    if m := re.fullmatch(r"(\d{1,2}) ?(calendar )?months?", plain):
        return Timescale("months", int(m[1]))
    if m := re.fullmatch(r"(\d{1,3}) ?weeks?", plain):
        return Timescale("weeks", int(m[1]))
    if m := re.fullmatch(r"(\d{1,3}) ?(calendar )?days?", plain):
        return Timescale("days", int(m[1]))
    day = parse_day(text)
    return None if day is None else Timescale("date", on=day)


def resolve_due(timescale: str | None, due_on: date | None,
                counts_from: date | None) -> tuple[date | None, list[tuple[str, str]]]:
    """The due date from a timescale counted from `counts_from`, or the date given; else the problems, each with
    the field it belongs to ('timescale' or 'due_on') so that an import can point at the cell.

    When both a timescale and a date are given they must agree, so that a plan
    never shows one deadline in one column and another in the next.
    """
    text = (timescale or "").strip()
    if not text:
        if due_on is None:
            return None, [("due_on", "Give a timescale (for example 'within 3 months') or a due date.")]
        return due_on, []
    parsed = parse_timescale(text)
    if parsed is None:
        return None, [("timescale", f"The timescale '{text}' cannot be read. {TIMESCALE_HELP}")]
    worked_out = plan_status.due_date(parsed, counts_from)
    if worked_out is None:
        return None, [("timescale", f"'{text}' counts from the report's publication date, which is not recorded "
                                    "yet. Add the publication date on the Inspections page, or give a date as the "
                                    "timescale.")]
    if due_on is not None and due_on != worked_out:
        return None, [("due_on", f"The due date {plan_status.day_text(due_on)} does not match the timescale '{text}', "
                                 f"which gives {plan_status.day_text(worked_out)} from {plan_status.day_text(counts_from)}. Leave "
                                 "the due date empty to use the timescale, or correct one of them.")]
    return worked_out, []


@dataclass(frozen=True)
class InspectionInput:
    """What the Inspections form collects; `judgements` maps JUDGEMENT_AREAS codes to GRADES codes."""

    kind: str
    inspected_on: date
    published_on: date | None = None
    report_ref: str = ""
    judgements: dict[str, str] = field(default_factory=dict)


def check_inspection(inspection: InspectionInput) -> list[str]:
    """Every problem with an inspection, in words a user can act on; empty when it can be saved."""
    problems = []
    if inspection.kind not in plan_status.INSPECTION_KINDS:
        problems.append(f"Type must be one of: {', '.join(plan_status.INSPECTION_KINDS.values())}.")
    if inspection.published_on is not None and inspection.published_on < inspection.inspected_on:
        problems.append("The report cannot be published before the inspection.")
    for area, grade in inspection.judgements.items():
        if area not in plan_status.JUDGEMENT_AREAS:
            problems.append(f"Unknown judgement area {area!r}.")
        if grade not in plan_status.GRADES:
            problems.append(f"A judgement must be one of: {', '.join(plan_status.GRADES.values())}.")
    if inspection.judgements and inspection.kind not in plan_status.GRADED_KINDS:
        problems.append(f"A {plan_status.INSPECTION_KINDS.get(inspection.kind, 'visit').lower()} gives no graded "
                        "judgements: only ILACS inspections do. Leave the judgements empty.")
    if "overall" in inspection.judgements and inspection.inspected_on >= plan_status.OVERALL_DROPPED_FROM:
        problems.append("Ofsted no longer grades overall effectiveness for inspections from April 2026: leave it "
                        "empty.")
    return problems


def _insert_inspection_version(con: duckdb.DuckDBPyConnection, inspection_id: int, inspection: InspectionInput,
                               user: str) -> int:
    version_id = con.execute(
        "INSERT INTO inspection_versions (inspection_id, kind, inspected_on, published_on, report_ref, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING version_id",
        [inspection_id, inspection.kind, inspection.inspected_on, inspection.published_on,
         inspection.report_ref.strip() or None, user, utcnow()],
    ).fetchone()[0]
    for area, grade in inspection.judgements.items():
        con.execute("INSERT INTO inspection_judgements (version_id, area, grade) VALUES (?, ?, ?)",
                    [version_id, area, grade])
    return version_id


def insert_inspection(con: duckdb.DuckDBPyConnection, la_code: str, inspection: InspectionInput, user: str,
                      upload_id: int | None = None) -> int:
    """Write a checked inspection inside the caller's transaction (the demo loader uses this, and Ofsted's
    published outcomes, naming their upload so that withdrawing it retires them)."""
    problems = check_inspection(inspection)
    if problems:
        raise EditRefused(" ".join(problems))
    inspection_id = con.execute(
        "INSERT INTO inspections (la_code, created_by, created_at, upload_id) VALUES (?, ?, ?, ?)"
        " RETURNING inspection_id",
        [la_code, user, utcnow(), upload_id],
    ).fetchone()[0]
    _insert_inspection_version(con, inspection_id, inspection, user)
    return inspection_id


def add_inspection(con: duckdb.DuckDBPyConnection, la_code: str, inspection: InspectionInput, actor: Actor) -> int:
    require(actor, "edit_plan")
    with transaction(con):
        inspection_id = insert_inspection(con, la_code, inspection, actor.email)
        audit.record(con, actor, "inspection_add", f"{la_code} inspection {inspection_id}", None, asdict(inspection))
        return inspection_id


def _require_live(con: duckdb.DuckDBPyConnection, table: str, id_column: str, row_id: int, la_code: str) -> None:
    """Refuse an edit of a row that is not this council's or was removed; names come from this module only."""
    found = con.execute(f"SELECT count(*) FROM {table} WHERE {id_column} = ? AND la_code = ? AND retired_at IS NULL",
                        [row_id, la_code]).fetchone()[0]
    if not found:
        raise EditRefused(f"Item {row_id} does not exist for this council or has been removed.")


def change_inspection(con: duckdb.DuckDBPyConnection, la_code: str, inspection_id: int, inspection: InspectionInput,
                      actor: Actor) -> int:
    """Correct an inspection: a new version; the old one stays in the history."""
    require(actor, "edit_plan")
    problems = check_inspection(inspection)
    if problems:
        raise EditRefused(" ".join(problems))
    with transaction(con):
        _require_live(con, "inspections", "inspection_id", inspection_id, la_code)
        before = _inspection_as_is(con, inspection_id)
        version_id = _insert_inspection_version(con, inspection_id, inspection, actor.email)
        audit.record(con, actor, "inspection_change", f"{la_code} inspection {inspection_id}", before,
                     asdict(inspection))
        return version_id


def _inspection_as_is(con: duckdb.DuckDBPyConnection, inspection_id: int) -> dict:
    row = con.execute(
        "SELECT version_id, kind, inspected_on, published_on, report_ref FROM inspection_versions"
        " WHERE inspection_id = ? ORDER BY version_id DESC LIMIT 1", [inspection_id]).fetchone()
    if row is None:
        raise EditRefused(f"Inspection {inspection_id} does not exist.")
    grades = dict(con.execute("SELECT area, grade FROM inspection_judgements WHERE version_id = ?",
                              [row[0]]).fetchall())
    return {"kind": row[1], "inspected_on": row[2], "published_on": row[3], "report_ref": row[4] or "",
            "judgements": grades}


def retire_inspection(con: duckdb.DuckDBPyConnection, la_code: str, inspection_id: int, actor: Actor) -> None:
    """Remove an inspection that was recorded by mistake; one with live recommendations cannot go."""
    require(actor, "edit_plan")
    linked = con.execute(
        "SELECT count(*) FROM recommendations WHERE inspection_id = ? AND la_code = ? AND retired_at IS NULL",
        [inspection_id, la_code]).fetchone()[0]
    if linked:
        raise EditRefused(f"{plural(linked, 'recommendation')} in the improvement plan come from this inspection. "
                          "Remove them first, or correct the inspection instead.")
    with transaction(con):
        before = _inspection_as_is(con, inspection_id)
        retire(con, "inspections", "inspection_id", inspection_id, la_code, actor)
        audit.record(con, actor, "inspection_retire", f"{la_code} inspection {inspection_id}", before)


@dataclass(frozen=True)
class RecommendationInput:
    """One version of a recommendation. `timescale` is kept as the council wrote it; `due_on` is the date given
    (when there is no timescale) or the one worked out from it."""

    text: str
    area: str
    timescale: str | None
    due_on: date | None
    owner: str = ""
    status: str = "not_started"
    rag: str | None = None
    kpi_codes: tuple[str, ...] = ()

    def normalised(self) -> "RecommendationInput":
        """Spaces trimmed, KPI codes sorted and without repeats, so equal plans compare equal."""
        return replace(self, text=" ".join(self.text.split()) if "\n" not in self.text else self.text.strip(),
                       timescale=(self.timescale or "").strip() or None, owner=(self.owner or "").strip(),
                       kpi_codes=tuple(sorted(set(self.kpi_codes))))


def check_recommendation(rec: RecommendationInput, counts_from: date | None, as_at: date,
                         known_kpis: set[str]) -> tuple[RecommendationInput | None, list[str]]:
    """The recommendation with its due date worked out, or None and every problem in words."""
    rec = rec.normalised()
    problems = []
    if not rec.text:
        problems.append("Write the recommendation.")
    if rec.area not in plan_status.AREAS:
        problems.append(f"Area must be one of: {', '.join(plan_status.AREAS.values())}.")
    if rec.status not in plan_status.STATUSES:
        problems.append(f"Status must be one of: {', '.join(plan_status.STATUSES.values())}.")
    if rec.rag is not None and rec.rag not in plan_status.RAGS:
        problems.append("RAG must be red, amber, green or not set.")
    unknown = [code for code in rec.kpi_codes if code not in known_kpis]
    if unknown:
        problems.append(f"Unknown KPI {', '.join(unknown)}: use codes from the KPI catalogue.")
    due_on, due_problems = resolve_due(rec.timescale, rec.due_on, counts_from)
    problems += [message for _, message in due_problems]
    if due_on is not None and rec.status in plan_status.STATUSES:
        problem = plan_status.rag_problem(rec.rag, due_on, rec.status, as_at)
        if problem:
            problems.append(problem)
    if problems:
        return None, problems
    return replace(rec, due_on=due_on), []


def _known_kpis(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT code FROM kpis").fetchall()}


def _insert_version(con: duckdb.DuckDBPyConnection, rec_id: int, rec: RecommendationInput, counts_from: date | None,
                    source: str, user: str) -> int:
    version_id = con.execute(
        """
        INSERT INTO recommendation_versions (rec_id, text, area, timescale, counts_from, due_on, owner, status, rag,
                                             source, created_by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING version_id
        """,
        [rec_id, rec.text, rec.area, rec.timescale, counts_from, rec.due_on, rec.owner or None, rec.status, rec.rag,
         source, user, utcnow()],
    ).fetchone()[0]
    for code in rec.kpi_codes:
        con.execute("INSERT INTO recommendation_kpis (version_id, kpi_code) VALUES (?, ?)", [version_id, code])
    return version_id


def next_ref(con: duckdb.DuckDBPyConnection, la_code: str) -> str:
    """The next free reference such as R9: one more than the highest R-number the council has used."""
    refs = [row[0] for row in con.execute("SELECT ref FROM recommendations WHERE la_code = ?", [la_code]).fetchall()]
    numbers = [int(m[1]) for ref in refs if (m := re.fullmatch(r"R(\d+)", ref))]
    return f"R{max(numbers, default=0) + 1}"


def _live_refs(con: duckdb.DuckDBPyConnection, la_code: str) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT ref FROM recommendations WHERE la_code = ? AND retired_at IS NULL", [la_code]).fetchall()}


def counts_from_for(con: duckdb.DuckDBPyConnection, la_code: str, inspection_id: int | None,
                 agreed_on: date | None) -> date | None:
    """When a new recommendation's clock starts: its inspection report's publication, else the day it was agreed."""
    if inspection_id is None:
        return agreed_on
    row = con.execute(
        """
        SELECT v.published_on FROM inspections i JOIN inspection_versions v USING (inspection_id)
        WHERE i.inspection_id = ? AND i.la_code = ? AND i.retired_at IS NULL
        ORDER BY v.version_id DESC LIMIT 1
        """, [inspection_id, la_code]).fetchone()
    if row is None:
        raise EditRefused(f"Inspection {inspection_id} does not exist for this council or has been removed.")
    return row[0]


def insert_recommendation(con: duckdb.DuckDBPyConnection, la_code: str, inspection_id: int | None,
                          agreed_on: date | None, rec: RecommendationInput, as_at: date, user: str,
                          ref: str | None = None, source: str = FORM_SOURCE) -> int:
    """Write a checked recommendation inside the caller's transaction; returns its id."""
    counts_from = counts_from_for(con, la_code, inspection_id, agreed_on)
    checked, problems = check_recommendation(rec, counts_from, as_at, _known_kpis(con))
    if problems:
        raise EditRefused(" ".join(problems))
    ref = (ref or "").strip() or next_ref(con, la_code)
    if ref in _live_refs(con, la_code):
        raise EditRefused(f"The plan already has a recommendation {ref}: choose another reference.")
    rec_id = con.execute(
        "INSERT INTO recommendations (la_code, ref, inspection_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING rec_id", [la_code, ref, inspection_id, user, utcnow()],
    ).fetchone()[0]
    _insert_version(con, rec_id, checked, counts_from, source, user)
    return rec_id


def add_recommendation(con: duckdb.DuckDBPyConnection, la_code: str, inspection_id: int | None,
                       agreed_on: date | None, rec: RecommendationInput, as_at: date, actor: Actor) -> int:
    """A new recommendation from an inspection (its timescale counts from the report's publication) or added by the
    council (counting from `agreed_on`)."""
    require(actor, "edit_plan")
    with transaction(con):
        rec_id = insert_recommendation(con, la_code, inspection_id, agreed_on, rec, as_at, actor.email)
        after, _ = current_recommendation(con, la_code, rec_id)
        audit.record(con, actor, "recommendation_add", f"{la_code} {_ref(con, rec_id)}", None, asdict(after))
        return rec_id


def _ref(con: duckdb.DuckDBPyConnection, rec_id: int) -> str:
    return con.execute("SELECT ref FROM recommendations WHERE rec_id = ?", [rec_id]).fetchone()[0]


def current_recommendation(con: duckdb.DuckDBPyConnection, la_code: str,
                           rec_id: int) -> tuple[RecommendationInput, date | None]:
    """The latest version of a live recommendation, and the date its timescale counts from."""
    _require_live(con, "recommendations", "rec_id", rec_id, la_code)
    row = con.execute(
        """
        SELECT version_id, text, area, timescale, due_on, owner, status, rag, counts_from
        FROM recommendation_versions WHERE rec_id = ? ORDER BY version_id DESC LIMIT 1
        """, [rec_id]).fetchone()
    codes = tuple(r[0] for r in con.execute(
        "SELECT kpi_code FROM recommendation_kpis WHERE version_id = ? ORDER BY kpi_code", [row[0]]).fetchall())
    return RecommendationInput(row[1], row[2], row[3], row[4], row[5] or "", row[6], row[7], codes), row[8]


def _due_input(rec: RecommendationInput) -> RecommendationInput:
    """A stored version as an input: with a timescale, the stored due date is worked out again, not given."""
    return replace(rec, due_on=None) if rec.timescale else rec


def write_change(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, rec: RecommendationInput, as_at: date,
                 user: str, source: str = FORM_SOURCE) -> int | None:
    """Append a version inside the caller's transaction when anything differs; None when nothing does."""
    before, counts_from = current_recommendation(con, la_code, rec_id)
    checked, problems = check_recommendation(rec, counts_from, as_at, _known_kpis(con))
    if problems:
        raise EditRefused(" ".join(problems))
    if checked == before.normalised():
        return None
    return _insert_version(con, rec_id, checked, counts_from, source, user)


def change_recommendation(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, rec: RecommendationInput,
                          as_at: date, actor: Actor, action: str = "recommendation_change") -> int:
    """Change any field: a new version that the history keeps beside the old ones."""
    require(actor, "edit_plan")
    with transaction(con):
        before, _ = current_recommendation(con, la_code, rec_id)
        version = write_change(con, la_code, rec_id, rec, as_at, actor.email)
        if version is not None:
            after, _ = current_recommendation(con, la_code, rec_id)
            audit.record(con, actor, action, f"{la_code} {_ref(con, rec_id)}", asdict(before), asdict(after))
    if version is None:
        raise EditRefused("Nothing was changed: the recommendation already reads like that.")
    return version


def update_status(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, status: str, rag: str | None,
                  owner: str, as_at: date, actor: Actor) -> int:
    """The owner's monthly update of status, RAG and owner, keeping the rest of the recommendation as it is."""
    require(actor, "edit_plan")
    before, _ = current_recommendation(con, la_code, rec_id)
    return change_recommendation(con, la_code, rec_id,
                                 replace(_due_input(before), status=status, rag=rag, owner=owner), as_at, actor,
                                 "recommendation_status")


def retire_recommendation(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, actor: Actor) -> None:
    require(actor, "edit_plan")
    with transaction(con):
        before, _ = current_recommendation(con, la_code, rec_id)
        retire(con, "recommendations", "rec_id", rec_id, la_code, actor)
        audit.record(con, actor, "recommendation_retire", f"{la_code} {_ref(con, rec_id)}", asdict(before))


def insert_log_entry(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, kind: str, noted_on: date, text: str,
                     user: str, source: str = FORM_SOURCE) -> int:
    """Append a dated progress note or impact statement inside the caller's transaction."""
    if kind not in plan_status.LOG_KINDS:
        raise EditRefused("Choose progress or impact.")
    if not text or not text.strip():
        raise EditRefused("Write the progress note or impact statement before saving it (for impact, "
                          f"'{plan_status.TOO_EARLY}' is a valid answer).")
    if noted_on is None:
        raise EditRefused("Give the date of the note.")
    _require_live(con, "recommendations", "rec_id", rec_id, la_code)
    return con.execute(
        "INSERT INTO recommendation_log (rec_id, kind, noted_on, text, source, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING log_id",
        [rec_id, kind, noted_on, text.strip(), source, user, utcnow()],
    ).fetchone()[0]


def add_log_entry(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int, kind: str, noted_on: date, text: str,
                  actor: Actor) -> int:
    require(actor, "edit_plan")
    with transaction(con):
        log_id = insert_log_entry(con, la_code, rec_id, kind, noted_on, text, actor.email)
        audit.record(con, actor, "plan_log_add", f"{la_code} {_ref(con, rec_id)} {kind} note {log_id}", None,
                     {"kind": kind, "noted_on": noted_on, "text": text.strip()})
        return log_id


def retire_log_entry(con: duckdb.DuckDBPyConnection, la_code: str, log_id: int, actor: Actor) -> None:
    """Withdraw a note written in error; it stays in the history marked as withdrawn."""
    require(actor, "edit_plan")
    with transaction(con):
        found = con.execute(
            "UPDATE recommendation_log SET retired_by = ?, retired_at = ? WHERE log_id = ? AND retired_at IS NULL"
            " AND rec_id IN (SELECT rec_id FROM recommendations WHERE la_code = ?) RETURNING rec_id, kind, noted_on,"
            " text", [actor.email, utcnow(), log_id, la_code]).fetchall()
        if not found:
            raise EditRefused(f"Note {log_id} does not exist for this council or has already been withdrawn.")
        rec_id, kind, noted_on, text = found[0]
        audit.record(con, actor, "plan_log_retire", f"{la_code} {_ref(con, rec_id)} {kind} note {log_id}",
                     {"kind": kind, "noted_on": noted_on, "text": text})
