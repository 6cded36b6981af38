"""Who may use the dashboard: roles keyed by email, kept in the store and edited by admins."""
from __future__ import annotations

import re

import duckdb
import pandas as pd

from auth import audit
from auth.roles import ROLES, Actor, require
from store.dates import utcnow
from store.errors import EditRefused
from store.writes import transaction

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(email: str) -> str:
    """Identity providers differ in the case they send; the table keys on one spelling."""
    return email.strip().lower()


def role_of(con: duckdb.DuckDBPyConnection, email: str) -> str | None:
    row = con.execute("SELECT role FROM users WHERE email = ?", [normalise(email)]).fetchone()
    return None if row is None else row[0]


def users(con: duckdb.DuckDBPyConnection, reader: Actor) -> pd.DataFrame:
    require(reader, "manage_users")
    return con.execute("SELECT email, role, note, changed_by, changed_at FROM users ORDER BY email").df()


def _admins(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]


def _current(con: duckdb.DuckDBPyConnection, email: str) -> dict | None:
    row = con.execute("SELECT role, note FROM users WHERE email = ?", [email]).fetchone()
    return None if row is None else {"role": row[0], "note": row[1]}


def set_role(con: duckdb.DuckDBPyConnection, email: str, role: str, note: str, actor: Actor) -> None:
    """Add a user or change their role; the last admin cannot demote themselves out of the dashboard.

    The actor comes last, as in every checked write, so the pages call it through `ui.edits.apply`."""
    require(actor, "manage_users")
    email = normalise(email)
    if not EMAIL.match(email):
        raise EditRefused(f"{email!r} is not an email address; enter the address the user signs in with.")
    if role not in ROLES:
        raise EditRefused(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
    with transaction(con):
        before = _current(con, email)
        if before and before["role"] == "admin" and role != "admin" and _admins(con) == 1:
            raise EditRefused(f"{email} is the only admin; make someone else an admin first.")
        con.execute(
            "INSERT OR REPLACE INTO users (email, role, note, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)",
            [email, role, note.strip() or None, actor.email, utcnow()],
        )
        audit.record(con, actor, "role_set", email, before, {"role": role, "note": note.strip() or None})


def remove_user(con: duckdb.DuckDBPyConnection, email: str, actor: Actor) -> None:
    require(actor, "manage_users")
    email = normalise(email)
    with transaction(con):
        before = _current(con, email)
        if before is None:
            raise EditRefused(f"{email} has no role to remove.")
        if before["role"] == "admin" and _admins(con) == 1:
            raise EditRefused(f"{email} is the only admin; make someone else an admin first.")
        con.execute("DELETE FROM users WHERE email = ?", [email])
        audit.record(con, actor, "role_remove", email, before, None)
