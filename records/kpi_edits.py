"""Edits users make on the pages: targets, RAG rules, commentary, chart notes and SPC rebases.

Nothing is overwritten. A changed target is a new row that names the row it
replaces, and the old row is retired with who and when; RAG rules and commentary
are appended and the latest one counts; notes and rebases are retired, not
deleted. So the history of every figure a board was shown can be reproduced.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

import duckdb

from analysis.kpi import RagRule
from auth import audit
from auth.roles import Actor, require
from store.dates import utcnow
from store.errors import EditRefused
from store.writes import transaction

TARGET_KINDS = {"local": "Local target", "inspection": "Inspection action-plan target", "floor": "Floor"}


@dataclass(frozen=True)
class TargetInput:
    """What the Targets form collects; `glide_from`/`glide_until` make a trajectory."""

    kpi_code: str
    kind: str
    value: float
    start_period: date
    source: str
    end_period: date | None = None
    glide_from: float | None = None
    glide_until: date | None = None
    team_id: int | None = None
    """A team's own target (`teams.team_id`); None for the council's, which every team is judged by otherwise."""
    team: str | None = None
    """The team's name as a Targets sheet gives it, found or added (`ingest.teams.team_for`) when the upload loads."""


def _month(day: date | None) -> date | None:
    return None if day is None else day.replace(day=1)


def _is_number(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def check_target(target: TargetInput, unit: str) -> list[str]:
    """Every problem with a target, in words a user can act on; empty when it can be saved."""
    problems = []
    if target.kind not in TARGET_KINDS:
        problems.append(f"Kind must be one of: {', '.join(TARGET_KINDS.values())}.")
    if not _is_number(target.value):
        problems.append("Enter a target value.")
    for label, value in (("Target", target.value), ("Trajectory start value", target.glide_from)):
        if unit == "%" and _is_number(value) and not 0 <= value <= 100:
            problems.append(f"{label} is a percentage, so it must be between 0 and 100 (got {value:g}).")
        if unit != "%" and _is_number(value) and value < 0:
            problems.append(f"{label} cannot be negative (got {value:g}).")
    if target.end_period is not None and _month(target.end_period) < _month(target.start_period):
        problems.append("The end month must be on or after the start month.")
    if (target.glide_from is None) != (target.glide_until is None):
        problems.append("A trajectory needs both a starting value and the month it must reach the target by.")
    if target.glide_until is not None and _month(target.glide_until) <= _month(target.start_period):
        problems.append("The trajectory must reach the target after the start month.")
    if target.glide_until is not None and target.end_period is not None \
            and _month(target.glide_until) > _month(target.end_period):
        problems.append("The trajectory must reach the target before the target ends.")
    if not target.source.strip():
        problems.append("Say where the target comes from (for example 'Ofsted ILACS action plan, Feb 2025').")
    return problems


def _require_kpi(con: duckdb.DuckDBPyConnection, kpi_code: str) -> str:
    row = con.execute("SELECT unit FROM kpis WHERE code = ?", [kpi_code]).fetchone()
    if row is None:
        raise EditRefused(f"There is no KPI with code {kpi_code!r} in the catalogue.")
    return row[0]


def insert_target(con: duckdb.DuckDBPyConnection, la_code: str, target: TargetInput, created_by: str,
                  replaces: int | None = None, upload_id: int | None = None) -> int:
    """Write a checked target inside the caller's transaction (an upload loads its Targets sheet this way,
    naming itself so that withdrawing the upload retires its targets)."""
    return con.execute(
        """
        INSERT INTO targets (la_code, kpi_code, kind, value, start_period, end_period, glide_from, glide_until,
                             source, created_by, created_at, replaces, upload_id, team_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING target_id
        """,
        [la_code, target.kpi_code, target.kind, float(target.value), _month(target.start_period),
         _month(target.end_period), target.glide_from, _month(target.glide_until), target.source.strip(),
         created_by, utcnow(), replaces, upload_id, target.team_id],
    ).fetchone()[0]


def retire(con: duckdb.DuckDBPyConnection, table: str, id_column: str, row_id: int, la_code: str,
           actor: Actor) -> dict:
    """Mark one live row retired and return it as it was, for the audit log; `table` and `id_column` come
    from this package, never from users."""
    cursor = con.execute(
        f"UPDATE {table} SET retired_by = ?, retired_at = ? "
        f"WHERE {id_column} = ? AND la_code = ? AND retired_at IS NULL RETURNING *",
        [actor.email, utcnow(), row_id, la_code],
    )
    found = cursor.fetchall()
    if not found:
        raise EditRefused(f"Item {row_id} does not exist for this council or has already been removed.")
    names = [column[0] for column in cursor.description]
    return {name: value for name, value in zip(names, found[0]) if name not in ("retired_by", "retired_at")}


def _checked(con: duckdb.DuckDBPyConnection, target: TargetInput) -> dict:
    problems = check_target(target, _require_kpi(con, target.kpi_code))
    if target.team_id is not None and con.execute("SELECT count(*) FROM teams WHERE team_id = ?",
                                                  [target.team_id]).fetchone()[0] == 0:
        problems.append("There is no such team.")
    if problems:
        raise EditRefused(" ".join(problems))
    return asdict(target)


def add_target(con: duckdb.DuckDBPyConnection, la_code: str, target: TargetInput, actor: Actor) -> int:
    require(actor, "edit_targets")
    after = _checked(con, target)
    with transaction(con):
        target_id = insert_target(con, la_code, target, actor.email, None)
        audit.record(con, actor, "target_add", f"{la_code} {target.kpi_code} target {target_id}", None, after)
        return target_id


def replace_target(con: duckdb.DuckDBPyConnection, la_code: str, target_id: int, target: TargetInput,
                   actor: Actor) -> int:
    """Change a target: the old row is retired and the new one remembers which it replaced."""
    require(actor, "edit_targets")
    after = _checked(con, target)
    with transaction(con):
        before = retire(con, "targets", "target_id", target_id, la_code, actor)
        new_id = insert_target(con, la_code, target, actor.email, target_id)
        audit.record(con, actor, "target_change", f"{la_code} {target.kpi_code} target {target_id} -> {new_id}",
                     before, after)
        return new_id


def retire_target(con: duckdb.DuckDBPyConnection, la_code: str, target_id: int, actor: Actor) -> None:
    require(actor, "edit_targets")
    with transaction(con):
        before = retire(con, "targets", "target_id", target_id, la_code, actor)
        audit.record(con, actor, "target_retire", f"{la_code} {before['kpi_code']} target {target_id}", before)


def set_rag_rule(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, rule: RagRule, actor: Actor) -> None:
    """Set the rule a KPI is judged by. A context measure is refused: it is never rated, so a rule set for it would
    be listed as if it counted."""
    require(actor, "edit_rag_rules")
    _require_kpi(con, kpi_code)
    name, polarity = con.execute("SELECT name, polarity FROM kpis WHERE code = ?", [kpi_code]).fetchone()
    if polarity == "none":
        raise EditRefused(f"{name} is a context measure with no better direction: it is never rated, so it takes "
                          "no RAG rule.")
    with transaction(con):
        previous = con.execute(
            "SELECT method, tolerance_pct FROM rag_rules WHERE la_code = ? AND kpi_code = ?"
            " ORDER BY created_at DESC, rule_id DESC LIMIT 1",
            [la_code, kpi_code],
        ).fetchone()
        con.execute(
            "INSERT INTO rag_rules (la_code, kpi_code, method, tolerance_pct, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [la_code, kpi_code, rule.method, float(rule.tolerance_pct), actor.email, utcnow()],
        )
        before = None if previous is None else {"method": previous[0], "tolerance_pct": previous[1]}
        audit.record(con, actor, "rag_rule_set", f"{la_code} {kpi_code}", before,
                     {"method": rule.method, "tolerance_pct": float(rule.tolerance_pct)})


def add_commentary(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, period: date, text: str,
                   actor: Actor, *, drafted: bool = False) -> None:
    """The month's explanation of a KPI; a later entry for the same month is the one shown. `drafted`: the text is
    the dashboard's draft (`analysis.draft`), accepted unchanged, and is marked so wherever it is shown."""
    require(actor, "edit_commentary")
    _require_kpi(con, kpi_code)
    if not text.strip():
        raise EditRefused("Write the commentary before saving it.")
    month = _month(period)
    with transaction(con):
        previous = con.execute(
            "SELECT text FROM commentary WHERE la_code = ? AND kpi_code = ? AND period = ?"
            " ORDER BY created_at DESC LIMIT 1",
            [la_code, kpi_code, month],
        ).fetchone()
        con.execute(
            "INSERT INTO commentary (la_code, kpi_code, period, text, created_by, created_at, drafted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [la_code, kpi_code, month, text.strip(), actor.email, utcnow(), drafted],
        )
        audit.record(con, actor, "commentary_add", f"{la_code} {kpi_code} {month:%Y-%m}",
                     None if previous is None else {"text": previous[0]},
                     {"text": text.strip(), **({"drafted": True} if drafted else {})})


def add_annotation(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str | None, period: date, text: str,
                   actor: Actor) -> int:
    """A dated note on one KPI's chart, or on every chart when `kpi_code` is None."""
    require(actor, "edit_commentary")
    if kpi_code is not None:
        _require_kpi(con, kpi_code)
    if not text.strip():
        raise EditRefused("Write the note before saving it.")
    with transaction(con):
        note_id = con.execute(
            "INSERT INTO annotations (la_code, kpi_code, period, text, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING annotation_id",
            [la_code, kpi_code, _month(period), text.strip(), actor.email, utcnow()],
        ).fetchone()[0]
        audit.record(con, actor, "note_add", f"{la_code} {kpi_code or 'every KPI'} note {note_id}", None,
                     {"period": _month(period), "text": text.strip()})
        return note_id


def retire_annotation(con: duckdb.DuckDBPyConnection, la_code: str, annotation_id: int, actor: Actor) -> None:
    require(actor, "edit_commentary")
    with transaction(con):
        before = retire(con, "annotations", "annotation_id", annotation_id, la_code, actor)
        audit.record(con, actor, "note_retire",
                     f"{la_code} {before['kpi_code'] or 'every KPI'} note {annotation_id}", before)


def add_rebase(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, period: date, reason: str,
               actor: Actor) -> int:
    """Start new SPC limits from a month, because a known change altered the process."""
    require(actor, "edit_commentary")
    _require_kpi(con, kpi_code)
    if not reason.strip():
        raise EditRefused("Say why the limits are recalculated (for example 'new recording rules from April').")
    with transaction(con):
        rebase_id = con.execute(
            "INSERT INTO spc_rebases (la_code, kpi_code, period, reason, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING rebase_id",
            [la_code, kpi_code, _month(period), reason.strip(), actor.email, utcnow()],
        ).fetchone()[0]
        audit.record(con, actor, "rebase_add", f"{la_code} {kpi_code} rebase {rebase_id}", None,
                     {"period": _month(period), "reason": reason.strip()})
        return rebase_id


def retire_rebase(con: duckdb.DuckDBPyConnection, la_code: str, rebase_id: int, actor: Actor) -> None:
    require(actor, "edit_commentary")
    with transaction(con):
        before = retire(con, "spc_rebases", "rebase_id", rebase_id, la_code, actor)
        audit.record(con, actor, "rebase_retire", f"{la_code} {before['kpi_code']} rebase {rebase_id}", before)
