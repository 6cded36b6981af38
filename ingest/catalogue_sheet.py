"""The council's catalogue in and out of a spreadsheet, so 80 local measures are set up in one step.

The export lists every KPI, statutory and local, in the columns the import reads:

    Code, Name, Definition, Unit, Polarity, Group, Decimals, Frequency, Denominator KPI, Counts, Kind, Status

On import a local row whose code is new adds a local KPI, one whose code is a local
KPI changes it where something differs, and its Status retires or restores it;
statutory rows are the product's and are left as they are. Every cell is checked
first, each problem naming its cell, and the whole file lands in one transaction
or not at all, so a catalogue exported and imported again changes nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb
import pandas as pd

from auth.roles import Actor
from ingest import local_kpis
from ingest.catalogue import POLARITIES, SUBJECTS, UNITS
from ingest.issues import FileRefused, FirstIssues, HasIssues, Issue, cell_ref
from ingest.layouts import find_header
from ingest.readers import Sheet, read_file
from ingest.values import normalise_name
from store import queries
from store.errors import EditRefused
from store.spreadsheets import unescape, workbook_bytes
from store.writes import transaction

SHEET_NAME = "KPI catalogue"
EXPORT_COLUMNS = ["Code", "Name", "Definition", "Unit", "Polarity", "Group", "Decimals", "Frequency",
                  "Denominator KPI", "Counts", "Kind", "Status"]
COLUMNS = {
    "code": {"code", "kpicode", "kpi"},
    "name": {"name", "kpiname", "measure", "measurename"},
    "definition": {"definition", "description"},
    "unit": {"unit", "units"},
    "polarity": {"polarity", "betterwhen", "goodis", "direction"},
    "group": {"group", "kpigroup", "theme", "section"},
    "decimals": {"decimals", "dp", "decimalplaces"},
    "frequency": {"frequency", "reported"},
    "denominator": {"denominatorkpi", "denominator"},
    "subject": {"counts", "subject"},
    "kind": {"kind", "type", "origin"},
    "status": {"status"},
}
REQUIRED = ("code", "name", "unit", "polarity", "group")
POLARITY_TEXT = {normalise_name(word): code for code, words in local_kpis.POLARITY_WORDS.items()
                 for word in (code, words, words.split(" (")[0])}
UNIT_TEXT = {normalise_name(word): code for code, words in local_kpis.UNIT_WORDS.items() for word in (code, words)} \
    | {"percent": "%", "percentage": "%", "pct": "%"}
STATUS_TEXT = {"inuse": False, "": False, "active": False, "retired": True}


@dataclass(frozen=True)
class CatalogueRow:
    row: int
    kpi: local_kpis.LocalKpi
    retired: bool


@dataclass
class ParsedCatalogue(HasIssues):
    file: str
    rows: list[CatalogueRow] = field(default_factory=list)
    statutory: int = 0
    issues: list[Issue] = field(default_factory=list)


def export_frame(full: pd.DataFrame) -> pd.DataFrame:
    """`store.queries.full_catalogue` in the import's columns."""
    return pd.DataFrame({
        "Code": full["code"], "Name": full["name"], "Definition": full["definition"], "Unit": full["unit"],
        "Polarity": full["polarity"], "Group": full["kpi_group"], "Decimals": full["decimals"].astype(int),
        "Frequency": full["frequency"], "Denominator KPI": full["denominator_kpi"].fillna(""),
        "Counts": full["subject"], "Kind": full["origin"],
        "Status": ["retired" if pd.notna(at) else "in use" for at in full["retired_at"]],
    }, columns=EXPORT_COLUMNS)


def export_bytes(full: pd.DataFrame) -> bytes:
    return workbook_bytes({SHEET_NAME: export_frame(full)})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape(str(value).strip())


def check_file(con: duckdb.DuckDBPyConnection, file_name: str, content: bytes) -> ParsedCatalogue:
    """Read and check a catalogue file against the store, writing nothing."""
    try:
        sheets = read_file(file_name, content)
    except FileRefused as refused:
        return ParsedCatalogue(file_name, issues=[refused.issue])
    full = queries.full_catalogue(con)
    for sheet in sheets:
        located = find_header(sheet, COLUMNS, REQUIRED)
        if located is not None:
            return _parse_sheet(file_name, sheet, *located, full)
    return ParsedCatalogue(file_name, issues=[Issue(
        "error", file_name, None, None, "no_header", "No sheet has a header row with Code, Name, Unit, Polarity and "
        "Group columns", None, "Use the columns of an exported catalogue: " + ", ".join(EXPORT_COLUMNS) + ".")])


def _parse_sheet(file_name: str, sheet: Sheet, header_row: int, at: dict[str, int],
                 full: pd.DataFrame) -> ParsedCatalogue:
    parsed = ParsedCatalogue(file_name)
    found = FirstIssues(file_name, sheet.name)
    origins = dict(zip(full["code"], full["origin"]))
    units = dict(zip(full["code"], full["unit"]))
    names = {normalise_name(n): c for c, n in zip(full["code"], full["name"])}
    seen: dict[str, str] = {}
    rows = []
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(v is None or str(v).strip() == "" for v in row):
            continue

        def cell(column: str) -> str:
            c = at.get(column)
            return "" if c is None or c >= len(row) else _text(row[c])

        problems = 0

        def problem(column: str, rule: str, message: str, found_text: str, fix: str) -> None:
            nonlocal problems
            problems += 1
            where = cell_ref(r, at[column]) if column in at else None
            found.add((r, at.get(column, 0)), rule, lambda: Issue("error", file_name, sheet.name, where, rule, message,
                                                found_text or None, fix))

        code = cell("code").upper()
        if origins.get(code) == "statutory" or cell("kind").lower() == "statutory":
            if code not in origins:
                problem("code", "unknown_kpi", f"{code or 'This row'} is marked statutory but is not a statutory KPI",
                        code, "Mark the council's own measures local in the Kind column.")
            parsed.statutory += 1
            continue
        if not local_kpis.CODE.match(code):
            problem("code", "bad_code", "Not a KPI code the dashboard can use", code,
                    "Use capital letters, digits and underscores, starting with a letter (2 to 40 of them).")
        elif code in seen:
            problem("code", "duplicate", f"{code} appears twice (first at {seen[code]})", code,
                    "Keep one row per KPI.")
        else:
            seen[code] = cell_ref(r, at["code"])
        name = cell("name")
        other = names.get(normalise_name(name))
        if not name:
            problem("name", "missing_value", "The name is empty", "", "Give the measure its name.")
        elif other not in (None, code):
            problem("name", "duplicate", f"This name is already {other}'s", name,
                    "Give each KPI its own name, so uploads can tell them apart.")
        unit = UNIT_TEXT.get(normalise_name(cell("unit")))
        if unit not in UNITS:
            problem("unit", "bad_unit", "Not a unit the dashboard knows", cell("unit"),
                    "Use one of: % (percentage), count, rate (per 10,000 children), FTE, cases.")
        polarity = POLARITY_TEXT.get(normalise_name(cell("polarity")))
        if polarity not in POLARITIES:
            problem("polarity", "bad_polarity", "Not a polarity the dashboard knows", cell("polarity"),
                    "Use high (higher is better), low (lower is better), target (stay close) or none (context).")
        group = cell("group")
        if not group:
            problem("group", "missing_value", "The group is empty", "", "Name the Overview group it sits in.")
        decimals_text = cell("decimals") or "1"
        if not decimals_text.isdigit() or int(decimals_text) > local_kpis.MAX_DECIMALS:
            problem("decimals", "bad_decimals", "Decimals must be a whole number from 0 to 3", decimals_text,
                    "Enter 0, 1, 2 or 3.")
        frequency = (cell("frequency") or "monthly").lower()
        if frequency not in local_kpis.FREQUENCIES:
            problem("frequency", "bad_frequency", "Not a frequency the dashboard knows", cell("frequency"),
                    "Use monthly, quarterly or annual.")
        subject = (cell("subject") or "children").lower()
        if subject not in SUBJECTS:
            problem("subject", "bad_subject", "Counts must be children or staff", cell("subject"),
                    "Use children (disclosure control applies) or staff.")
        denominator = cell("denominator").upper() or None
        if denominator and (unit != "%" or units.get(denominator) != "count"):
            problem("denominator", "bad_denominator", "A denominator KPI is the code of a count KPI, for a percentage",
                    denominator, "Give a count KPI's code, or leave it empty.")
        status = normalise_name(cell("status"))
        if status not in STATUS_TEXT:
            problem("status", "bad_status", "Status must be in use or retired", cell("status"),
                    "Write in use, or retired to hide the KPI from pages and uploads.")
        if problems == 0:
            rows.append(CatalogueRow(r, local_kpis.LocalKpi(
                code=code, name=name, unit=unit, polarity=polarity, kpi_group=group, definition=cell("definition"),
                decimals=int(decimals_text), frequency=frequency, denominator_kpi=denominator, subject=subject),
                STATUS_TEXT[status]))
    parsed.issues += found.issues()
    parsed.rows = rows
    if not rows and not parsed.errors and not parsed.statutory:
        parsed.issues.append(Issue("error", file_name, sheet.name, None, "no_data",
                                   "The catalogue has a header row but no KPIs under it", None,
                                   "Add one row per local KPI under the header."))
    return parsed


def changes(con: duckdb.DuckDBPyConnection, parsed: ParsedCatalogue) -> dict[str, list[str]]:
    """What an import would do, by kind: codes to add, change, retire and restore."""
    full = queries.full_catalogue(con).set_index("code")
    plan: dict[str, list[str]] = {"added": [], "changed": [], "retired": [], "restored": []}
    for row in parsed.rows:
        if row.kpi.code not in full.index:
            plan["added"].append(row.kpi.code)
            if row.retired:
                plan["retired"].append(row.kpi.code)
            continue
        stored = full.loc[row.kpi.code]
        if _differs(stored, row.kpi):
            plan["changed"].append(row.kpi.code)
        was_retired = pd.notna(stored["retired_at"])
        if row.retired and not was_retired:
            plan["retired"].append(row.kpi.code)
        elif was_retired and not row.retired:
            plan["restored"].append(row.kpi.code)
    return plan


def _differs(stored: pd.Series, kpi: local_kpis.LocalKpi) -> bool:
    given = asdict(kpi)
    given["definition"] = kpi.definition or kpi.name
    now = {"name": stored["name"], "definition": stored["definition"], "unit": stored["unit"],
           "polarity": stored["polarity"], "kpi_group": stored["kpi_group"], "decimals": int(stored["decimals"]),
           "frequency": stored["frequency"],
           "denominator_kpi": None if pd.isna(stored["denominator_kpi"]) else stored["denominator_kpi"],
           "subject": stored["subject"]}
    return any(now[key] != given[key] for key in now)


def import_catalogue(con: duckdb.DuckDBPyConnection, parsed: ParsedCatalogue, actor: Actor, *,
                     analysts_may: bool = False) -> dict[str, list[str]]:
    """Apply a checked file in one transaction: every local KPI added, changed, retired or restored, or none.
    A row the checks of `ingest.local_kpis` refuse (a unit changed under stored figures) refuses the file, named
    by its row."""
    local_kpis.require_editor(actor, analysts_may)
    if parsed.errors:
        raise EditRefused(f"{parsed.file} has errors; nothing was imported.")
    with transaction(con):
        plan = changes(con, parsed)
        for row in parsed.rows:
            try:
                if row.kpi.code in plan["added"]:
                    local_kpis.write_add(con, row.kpi, actor)
                elif row.kpi.code in plan["changed"]:
                    local_kpis.write_change(con, row.kpi, actor)
                if row.kpi.code in plan["retired"] or row.kpi.code in plan["restored"]:
                    local_kpis.write_retirement(con, row.kpi.code, actor, row.kpi.code in plan["retired"])
            except EditRefused as refused:
                raise EditRefused(f"{parsed.file} row {row.row + 1} ({row.kpi.code}): {refused.words} Nothing was "
                                  "imported.") from refused
    return plan
