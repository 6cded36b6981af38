"""The council's own measures: local KPIs added to the catalogue, changed, retired and restored.

A council's monthly report carries measures no statutory return has (case audits
graded good or better, supervision in timescale, return home interviews). They
join the catalogue beside the statutory KPIs and then work like them everywhere.
Nothing is deleted: a KPI with figures is retired (hidden from pages and uploads,
its history kept) and can be restored, and every change is a numbered version in
`kpi_versions` as well as an entry in the audit log.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

import duckdb

from auth import audit
from auth.roles import Actor, require
from ingest.catalogue import POLARITIES, SUBJECTS, UNITS
from ingest.values import normalise_name
from store.dates import utcnow
from store.errors import EditRefused
from store.writes import transaction

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
FREQUENCIES = ("monthly", "quarterly", "annual")
MAX_DECIMALS = 3
NAME_LENGTH = 120
LOCAL_SOURCE = "The council's own measure"
POLARITY_WORDS = {"high": "higher is better", "low": "lower is better", "target": "stay close to the target",
                  "none": "context only (never rated)"}
UNIT_WORDS = {"%": "percentage", "count": "count", "rate": "rate per 10,000 children", "FTE": "FTE",
              "cases": "cases per worker"}


@dataclass(frozen=True)
class LocalKpi:
    """What a council says about one of its own measures; `denominator_kpi` (a count KPI's code, for a
    percentage) tells disclosure control which count the percentage could give back small numbers of."""

    code: str
    name: str
    unit: str
    polarity: str
    kpi_group: str
    definition: str = ""
    decimals: int = 1
    frequency: str = "monthly"
    denominator_kpi: str | None = None
    subject: str = "children"


def may_edit(actor: Actor, analysts_may: bool) -> bool:
    """Admins may change the catalogue; analysts too where the council allows it (`DASHBOARD_ANALYSTS_ADD_KPIS`)."""
    return actor.can("edit_catalogue") or (analysts_may and actor.can("edit_targets"))


def require_editor(actor: Actor, analysts_may: bool) -> None:
    if not may_edit(actor, analysts_may):
        if analysts_may:
            require(actor, "edit_targets")
        require(actor, "edit_catalogue")


def suggest_code(name: str, taken: set[str]) -> str:
    """A code for a measure known only by its name ("Case audits graded good or better" gives
    CASE_AUDITS_GRADED_GOOD_OR_BETTER), shortened to fit and numbered if taken."""
    words = re.sub(r"[^A-Z0-9]+", "_", name.upper().replace("%", " PCT ")).strip("_") or "LOCAL"
    if not words[0].isalpha():
        words = "LOCAL_" + words
    code = words[:40].rstrip("_")
    number = 2
    while code in taken:
        suffix = f"_{number}"
        code = words[:40 - len(suffix)].rstrip("_") + suffix
        number += 1
    return code


def guess_unit(name: str) -> str:
    """The likeliest unit from a measure's name, for the form to start from; the analyst confirms it."""
    words = name.lower()
    if "%" in words or any(w in words for w in ("percent", "proportion", "within timescale", "in timescale",
                                                  "good or better", "rate")):
        return "%"
    return "count"


def check_local_kpi(con: duckdb.DuckDBPyConnection, kpi: LocalKpi, *, changing: bool = False) -> list[str]:
    """Every problem with a local KPI, in words a user can act on; empty when it can be saved."""
    problems = []
    if not CODE.match(kpi.code):
        problems.append(f"Code {kpi.code!r} must start with a capital letter and hold only capital letters, digits "
                        "and underscores, 2 to 40 of them (for example CASE_AUDIT_GOOD_PCT).")
    exists = con.execute("SELECT origin FROM kpis WHERE code = ?", [kpi.code]).fetchone()
    if exists is not None and not changing:
        whose = "a statutory KPI" if exists[0] == "statutory" else "a local KPI already (retired ones included)"
        problems.append(f"Code {kpi.code} is {whose}; choose another code.")
    if changing and (exists is None or exists[0] != "local"):
        problems.append(f"{kpi.code} is not a local KPI; only the council's own measures can be changed here.")
    name = kpi.name.strip()
    if not name:
        problems.append("Give the measure a name, as the monthly report calls it.")
    elif len(name) > NAME_LENGTH:
        problems.append(f"The name is {len(name)} characters; keep it to {NAME_LENGTH}.")
    else:
        clash = con.execute(
            "SELECT code, name FROM kpis WHERE code <> ?", [kpi.code]).fetchall()
        same = [f"{code} ({other})" for code, other in clash
                if normalise_name(other) == normalise_name(name) or normalise_name(code) == normalise_name(name)]
        if same:
            problems.append(f"The name {name!r} is already used by {same[0]}; uploads could not tell them apart.")
    if kpi.unit not in UNITS:
        problems.append(f"Unit {kpi.unit!r} must be one of: {', '.join(sorted(UNITS))}.")
    if not kpi.polarity:
        problems.append("Choose which way is better: higher, lower, close to the target, or context only.")
    elif kpi.polarity not in POLARITIES:
        problems.append(f"Polarity {kpi.polarity!r} must be one of: high (higher is better), low (lower is better), "
                        "target (stay close to the target), none (context only).")
    if not kpi.kpi_group.strip():
        problems.append("Give the group the measure belongs to on the Overview (for example 'Quality assurance').")
    if not isinstance(kpi.decimals, int) or not 0 <= kpi.decimals <= MAX_DECIMALS:
        problems.append(f"Decimals must be a whole number from 0 to {MAX_DECIMALS}.")
    if kpi.frequency not in FREQUENCIES:
        problems.append(f"Frequency {kpi.frequency!r} must be one of: {', '.join(FREQUENCIES)}.")
    if kpi.subject not in SUBJECTS:
        problems.append(f"Subject {kpi.subject!r} must be children or staff.")
    if kpi.denominator_kpi:
        unit = con.execute("SELECT unit FROM kpis WHERE code = ? AND retired_at IS NULL",
                           [kpi.denominator_kpi]).fetchone()
        if kpi.unit != "%":
            problems.append("Only a percentage has a denominator KPI; leave it blank.")
        elif unit is None or unit[0] != "count":
            problems.append(f"Denominator {kpi.denominator_kpi!r} must be the code of a count KPI in the catalogue.")
    return problems


def _cleaned(kpi: LocalKpi) -> LocalKpi:
    return replace(kpi, code=kpi.code.strip().upper(), name=kpi.name.strip(), kpi_group=kpi.kpi_group.strip(),
                   definition=kpi.definition.strip() or kpi.name.strip(),
                   denominator_kpi=(kpi.denominator_kpi or "").strip().upper() or None)


def _version(con: duckdb.DuckDBPyConnection, code: str, change: str, actor: Actor) -> int:
    """Write the KPI as it now stands as its next version."""
    version = con.execute("SELECT coalesce(max(version), 0) + 1 FROM kpi_versions WHERE code = ?", [code]).fetchone()[0]
    con.execute(
        """
        INSERT INTO kpi_versions (code, version, change, name, definition, unit, polarity, kpi_group, decimals,
                                  frequency, denominator_kpi, subject, changed_by, changed_at)
        SELECT code, ?, ?, name, definition, unit, polarity, kpi_group, decimals, frequency, denominator_kpi,
               subject, ?, ? FROM kpis WHERE code = ?
        """, [version, change, actor.email, utcnow(), code])
    return version


def write_add(con: duckdb.DuckDBPyConnection, kpi: LocalKpi, actor: Actor) -> None:
    """Check and add one KPI with its first version and audit entry, inside the caller's transaction."""
    kpi = _cleaned(kpi)
    problems = check_local_kpi(con, kpi)
    if problems:
        raise EditRefused(" ".join(problems))
    order = con.execute("SELECT coalesce(max(sort_order), 0) + 1 FROM kpis").fetchone()[0]
    con.execute(
        """
        INSERT INTO kpis (code, name, definition, unit, polarity, kpi_group, decimals, source, frequency,
                          sort_order, numerator_kpi, denominator_kpi, subject, origin)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 'local')
        """, [kpi.code, kpi.name, kpi.definition, kpi.unit, kpi.polarity, kpi.kpi_group, kpi.decimals,
              LOCAL_SOURCE, kpi.frequency, order, kpi.denominator_kpi, kpi.subject])
    _version(con, kpi.code, "added", actor)
    audit.record(con, actor, "kpi_add", kpi.code, None, asdict(kpi))


def add_local_kpis(con: duckdb.DuckDBPyConnection, kpis: list[LocalKpi], actor: Actor, *,
                   analysts_may: bool = False) -> list[str]:
    """Add several local KPIs at once, all or none: the upload page adds every measure a file brings together.
    Refused with every problem, each prefixed by the measure's name, when any cannot be added."""
    require_editor(actor, analysts_may)
    kpis = [_cleaned(kpi) for kpi in kpis]
    codes = [kpi.code for kpi in kpis]
    problems = [f"{kpi.code}: the code is given twice." for i, kpi in enumerate(kpis) if kpi.code in codes[:i]]
    with transaction(con):
        for kpi in kpis:
            found = check_local_kpi(con, kpi)
            problems += [f"{kpi.name or kpi.code}: {problem}" for problem in found]
            if not problems:
                write_add(con, kpi, actor)
        if problems:
            raise EditRefused(" ".join(problems))
    return codes


def add_local_kpi(con: duckdb.DuckDBPyConnection, kpi: LocalKpi, actor: Actor, *, analysts_may: bool = False) -> str:
    require_editor(actor, analysts_may)
    with transaction(con):
        write_add(con, kpi, actor)
    return _cleaned(kpi).code


def _local(con: duckdb.DuckDBPyConnection, code: str) -> tuple:
    row = con.execute("SELECT origin, retired_at, name FROM kpis WHERE code = ?", [code]).fetchone()
    if row is None:
        raise EditRefused(f"There is no KPI with code {code!r} in the catalogue.")
    if row[0] != "local":
        raise EditRefused(f"{code} ({row[2]}) is a statutory KPI: the national returns and published figures use "
                          "it, so it cannot be retired or changed; only the council's own measures can.")
    return row


CHANGEABLE = ("name", "definition", "unit", "polarity", "kpi_group", "decimals", "frequency", "denominator_kpi",
              "subject")


def write_change(con: duckdb.DuckDBPyConnection, kpi: LocalKpi, actor: Actor) -> int:
    """Check and change one local KPI as a new version, inside the caller's transaction."""
    kpi = _cleaned(kpi)
    _local(con, kpi.code)
    problems = check_local_kpi(con, kpi, changing=True)
    before = con.execute(f"SELECT {', '.join(CHANGEABLE)} FROM kpis WHERE code = ?", [kpi.code]).fetchone()
    if before[2] != kpi.unit and con.execute("SELECT count(*) FROM observations WHERE kpi_code = ?",
                                             [kpi.code]).fetchone()[0]:
        problems.append(f"{kpi.code} has figures stored as a {UNIT_WORDS[before[2]]}, so its unit cannot change; "
                        "add a new KPI for the new measure and retire this one.")
    if problems:
        raise EditRefused(" ".join(problems))
    con.execute(
        "UPDATE kpis SET name = ?, definition = ?, unit = ?, polarity = ?, kpi_group = ?, decimals = ?,"
        " frequency = ?, denominator_kpi = ?, subject = ? WHERE code = ?",
        [getattr(kpi, field) for field in CHANGEABLE] + [kpi.code])
    version = _version(con, kpi.code, "changed", actor)
    audit.record(con, actor, "kpi_change", kpi.code, dict(zip(CHANGEABLE, before)), asdict(kpi))
    return version


def change_local_kpi(con: duckdb.DuckDBPyConnection, kpi: LocalKpi, actor: Actor, *,
                     analysts_may: bool = False) -> int:
    """Change a local KPI's name, definition, polarity, group, decimals, frequency or denominator; its unit only
    while it has no figures, since stored figures were checked and shown in the old unit."""
    require_editor(actor, analysts_may)
    with transaction(con):
        return write_change(con, kpi, actor)


def write_retirement(con: duckdb.DuckDBPyConnection, code: str, actor: Actor, retire: bool) -> None:
    """Retire (or restore) one local KPI, inside the caller's transaction."""
    code = code.strip().upper()
    _, retired_at, name = _local(con, code)
    if retire and retired_at is not None:
        raise EditRefused(f"{code} ({name}) was already retired on {retired_at:%d %b %Y}.")
    if not retire and retired_at is None:
        raise EditRefused(f"{code} ({name}) is in use; only a retired KPI can be restored.")
    con.execute("UPDATE kpis SET retired_at = ?, retired_by = ? WHERE code = ?",
                [utcnow() if retire else None, actor.email if retire else None, code])
    _version(con, code, "retired" if retire else "restored", actor)
    audit.record(con, actor, "kpi_retire" if retire else "kpi_restore", code, {"retired": not retire},
                 {"retired": retire})


def retire_kpi(con: duckdb.DuckDBPyConnection, code: str, actor: Actor, *, analysts_may: bool = False) -> None:
    """Hide a local KPI from pages and uploads; its figures, targets and commentary stay in the store."""
    require_editor(actor, analysts_may)
    with transaction(con):
        write_retirement(con, code, actor, True)


def restore_kpi(con: duckdb.DuckDBPyConnection, code: str, actor: Actor, *, analysts_may: bool = False) -> None:
    """Bring a retired local KPI back to the pages and uploads, with its history."""
    require_editor(actor, analysts_may)
    with transaction(con):
        write_retirement(con, code, actor, False)
