"""A council's teams, localities and services, and their figures kept beside the whole council's.

A team is known by every name it has had: a file naming it by an old name still
adds to its trend after a rename. A merge is dated: the merged team's history
stays under its own name, marked as merged into the other from that month, and a
later file naming it is read as the team it joined. Every team added by an
upload, renamed or merged is a row in `team_changes`, with who and when.
"""
from __future__ import annotations

import difflib
from datetime import date

import duckdb
import pandas as pd

from auth import audit
from auth.roles import Actor, require
from ingest.issues import Issue
from ingest.values import normalise_name, stored_frame
from store.dates import utcnow
from store.errors import EditRefused
from store.writes import insert_frame, transaction

BREAKDOWN_COLUMNS = ["la_code", "kpi_code", "period", "team_id", "value", "numerator", "denominator",
                     "status_code", "note"]


def known_names(con: duckdb.DuckDBPyConnection, la_codes: list[str]) -> pd.DataFrame:
    """Every name the councils' teams are known by (la_code, name_key, team_id, name), with the team a merged
    one joined and the month it did (`merged_into`, `merged_from`)."""
    con.register("_councils", pd.DataFrame({"la_code": la_codes}))
    try:
        return con.execute(
            """
            SELECT n.la_code, n.name_key, n.team_id, n.name, t.merged_into, t.merged_from
            FROM team_names n JOIN teams t ON t.team_id = n.team_id
            WHERE n.la_code IN (SELECT la_code FROM _councils)
            """).df()
    finally:
        con.unregister("_councils")


def new_team_warnings(con: duckdb.DuckDBPyConnection, file_name: str, breakdowns: pd.DataFrame) -> list[Issue]:
    """A team name the council has never used, once it has teams, is as likely a misspelling as a new team: each
    is held for a second look, naming the closest known team, before it becomes a team of its own."""
    if breakdowns.empty:
        return []
    known = known_names(con, sorted(breakdowns["la_code"].unique()))
    warnings = []
    firsts = breakdowns.assign(key=breakdowns["breakdown"].map(normalise_name)).drop_duplicates(["la_code", "key"])
    for row in firsts.itertuples(index=False):
        ours = known[known["la_code"] == row.la_code]
        if ours.empty or row.key in set(ours["name_key"]):
            continue
        close = difflib.get_close_matches(row.breakdown, ours["name"].tolist(), n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        warnings.append(Issue(
            "warning", file_name, row.sheet, row.cell, "new_team",
            f"{row.breakdown!r} is a {row.breakdown_kind} this council has no figures for yet: it will be added as a "
            f"new {row.breakdown_kind}", row.breakdown,
            f"Check the name.{hint} A renamed team is renamed on the KPI catalogue's teams list (or `python -m "
            f"ingest team rename`), so its trend carries on under the new name.",
            month=f"{pd.Timestamp(row.period):%b %Y}"))
    return warnings


def _add_team(con: duckdb.DuckDBPyConnection, la_code: str, kind: str, name: str, who: str,
              upload_id: int | None) -> int:
    team_id = con.execute(
        "INSERT INTO teams (la_code, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING team_id",
        [la_code, kind, name, who, utcnow()]).fetchone()[0]
    con.execute("INSERT INTO team_names (la_code, name_key, team_id, name) VALUES (?, ?, ?, ?)",
                [la_code, normalise_name(name), team_id, name])
    con.execute("INSERT INTO team_changes (la_code, team_id, change, after_name, upload_id, changed_by, changed_at)"
                " VALUES (?, ?, 'added', ?, ?, ?, ?)", [la_code, team_id, name, upload_id, who, utcnow()])
    return team_id


def team_for(con: duckdb.DuckDBPyConnection, la_code: str, name: str, who: str, upload_id: int | None) -> int:
    """The team a name means now (a merged team's name means the team it joined), added as a team if new: a
    Targets sheet may set a team's target before any of its figures arrive."""
    found = con.execute(
        "SELECT coalesce(t.merged_into, t.team_id) FROM team_names n JOIN teams t ON t.team_id = n.team_id"
        " WHERE n.la_code = ? AND n.name_key = ?", [la_code, normalise_name(name)]).fetchone()
    return int(found[0]) if found else _add_team(con, la_code, "team", name, who, upload_id)


def write_breakdowns(con: duckdb.DuckDBPyConnection, breakdowns: pd.DataFrame, upload_id: int, who: str) -> int:
    """Store a file's team figures under the upload, adding the teams it names for the first time; the figures
    they replace stay in history, as the whole council's do. Call inside the upload's transaction."""
    if breakdowns.empty:
        return 0
    rows = breakdowns.assign(name_key=breakdowns["breakdown"].map(normalise_name))
    known = known_names(con, sorted(rows["la_code"].unique()))
    teams = {(row.la_code, row.name_key): (row.team_id, row.merged_into, row.merged_from)
             for row in known.itertuples(index=False)}
    for row in rows.drop_duplicates(["la_code", "name_key"]).itertuples(index=False):
        if (row.la_code, row.name_key) not in teams:
            added = _add_team(con, row.la_code, row.breakdown_kind, row.breakdown, who, upload_id)
            teams[(row.la_code, row.name_key)] = (added, None, None)

    def team_for(la_code: str, key: str, period: object) -> int:
        team, merged_into, merged_from = teams[(la_code, key)]
        joined = pd.notna(merged_into) and pd.Timestamp(period) >= pd.Timestamp(merged_from)
        return int(merged_into) if joined else int(team)

    rows["team_id"] = [team_for(la, key, period) for la, key, period in
                       zip(rows["la_code"], rows["name_key"], rows["period"])]
    stored = stored_frame(rows, BREAKDOWN_COLUMNS)
    stored["upload_id"] = upload_id
    stored["is_current"] = True
    con.register("_keys", stored[["la_code", "kpi_code", "period", "team_id"]])
    try:
        con.execute("UPDATE breakdown_values SET is_current = FALSE WHERE is_current AND"
                    " (la_code, kpi_code, period, team_id) IN (SELECT (la_code, kpi_code, period, team_id) FROM _keys)")
    finally:
        con.unregister("_keys")
    return insert_frame(con, "breakdown_values", stored)


def withdraw_breakdowns(con: duckdb.DuckDBPyConnection, upload_id: int) -> int:
    """Withdraw an upload's team figures: the ones they replaced become current again. Inside the withdrawal's
    transaction, after the upload is marked withdrawn."""
    affected = con.execute("SELECT count(*) FROM breakdown_values WHERE upload_id = ?", [upload_id]).fetchone()[0]
    con.execute(
        """
        UPDATE breakdown_values b SET is_current = (b.upload_id = latest.upload_id)
        FROM (
            SELECT la_code, kpi_code, period, team_id, max(upload_id) AS upload_id
            FROM breakdown_values JOIN uploads USING (upload_id)
            WHERE uploads.status = 'loaded'
              AND (la_code, kpi_code, period, team_id) IN
                  (SELECT (la_code, kpi_code, period, team_id) FROM breakdown_values WHERE upload_id = ?)
            GROUP BY ALL
        ) latest
        WHERE b.la_code = latest.la_code AND b.kpi_code = latest.kpi_code AND b.period = latest.period
          AND b.team_id = latest.team_id
        """, [upload_id])
    con.execute("UPDATE breakdown_values SET is_current = FALSE WHERE upload_id = ?", [upload_id])
    return affected


def _team(con: duckdb.DuckDBPyConnection, la_code: str, name: str) -> tuple[int, str, int | None]:
    row = con.execute(
        "SELECT t.team_id, t.name, t.merged_into FROM team_names n JOIN teams t ON t.team_id = n.team_id"
        " WHERE n.la_code = ? AND n.name_key = ?", [la_code, normalise_name(name)]).fetchone()
    if row is None:
        raise EditRefused(f"{la_code} has no team, locality or service called {name!r}.")
    return row


def rename_team(con: duckdb.DuckDBPyConnection, la_code: str, old: str, new: str, actor: Actor) -> int:
    """Give a team a new name; files may use either name from now on, and its trend carries on."""
    require(actor, "upload")
    new = " ".join(new.split())
    team_id, before, merged = _team(con, la_code, old)
    if merged is not None:
        raise EditRefused(f"{before} was merged into another team; rename that team instead.")
    if not new:
        raise EditRefused("Give the team's new name.")
    taken = con.execute("SELECT team_id FROM team_names WHERE la_code = ? AND name_key = ?",
                        [la_code, normalise_name(new)]).fetchone()
    if taken is not None and taken[0] != team_id:
        raise EditRefused(f"{new!r} is already the name of another team; to join the two, merge them.")
    with transaction(con):
        con.execute("UPDATE teams SET name = ? WHERE team_id = ?", [new, team_id])
        if taken is None:
            con.execute("INSERT INTO team_names (la_code, name_key, team_id, name) VALUES (?, ?, ?, ?)",
                        [la_code, normalise_name(new), team_id, new])
        con.execute("INSERT INTO team_changes (la_code, team_id, change, before_name, after_name, changed_by,"
                    " changed_at) VALUES (?, ?, 'renamed', ?, ?, ?, ?)",
                    [la_code, team_id, before, new, actor.email, utcnow()])
        audit.record(con, actor, "team_rename", f"{la_code} team {team_id}", {"name": before}, {"name": new})
    return team_id


def merge_team(con: duckdb.DuckDBPyConnection, la_code: str, merged: str, into: str, effective: date,
               actor: Actor) -> None:
    """Fold one team into another from a month: the merged team's figures before it stay under its own name, and
    files naming it afterwards add to the team it joined."""
    require(actor, "upload")
    team_id, name, already = _team(con, la_code, merged)
    into_id, into_name, into_merged = _team(con, la_code, into)
    if already is not None:
        raise EditRefused(f"{name} was already merged into another team.")
    if into_merged is not None or into_id == team_id:
        raise EditRefused(f"Choose a team that is still in use, other than {name}, to merge it into.")
    month = effective.replace(day=1)
    with transaction(con):
        con.execute("UPDATE teams SET merged_into = ?, merged_from = ? WHERE team_id = ?", [into_id, month, team_id])
        con.execute("INSERT INTO team_changes (la_code, team_id, change, before_name, after_name, into_team_id,"
                    " effective, changed_by, changed_at) VALUES (?, ?, 'merged', ?, ?, ?, ?, ?, ?)",
                    [la_code, team_id, name, into_name, into_id, month, actor.email, utcnow()])
        audit.record(con, actor, "team_merge", f"{la_code} team {team_id}", {"name": name},
                     {"merged_into": into_name, "from": f"{month:%Y-%m}"})
