"""Roles and what each may do, checked by the functions that change data as well as by the pages.

Hiding a button is not protection: a page can be reached by a stale link or a
bug, so every function that writes refuses an actor whose role is too low.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

from store.errors import Refused

ROLES = ("viewer", "analyst", "admin")
ROLE_NAMES = {"viewer": "Viewer", "analyst": "Analyst", "admin": "Admin"}
ROLE_DESCRIPTIONS = {
    "viewer": "sees every figure, target, commentary and the improvement plan, and exports internal board packs",
    "analyst": "also uploads and withdraws data, edits targets, commentary and the improvement plan, "
               "and exports packs for publication",
    "admin": "also manages users and roles, RAG rules and the council's own (local) KPIs, and reads the audit log",
}

PERMISSIONS: dict[str, tuple[str, str]] = {
    # permission: (lowest role that has it, what it lets you do, for refusals)
    "view": ("viewer", "see the dashboard"),
    "export_internal": ("viewer", "export internal board packs"),
    "export_publication": ("analyst", "export board packs for publication"),
    "upload": ("analyst", "load files"),
    "withdraw": ("analyst", "withdraw uploads"),
    "edit_targets": ("analyst", "change targets"),
    "edit_commentary": ("analyst", "write commentary, chart notes and SPC rebases"),
    "edit_plan": ("analyst", "change inspections and the improvement plan"),
    "edit_rag_rules": ("admin", "change RAG rules"),
    "edit_catalogue": ("admin", "add, change or retire the council's own (local) KPIs"),
    "manage_users": ("admin", "manage users and roles"),
    "read_audit": ("admin", "read the audit log"),
}


class AccessDenied(Refused):
    """The actor's role does not allow this; the message says which role does."""


@dataclass(frozen=True)
class Actor:
    """Someone doing something: `email` is what provenance and the audit log record."""

    email: str
    role: str | None

    def can(self, permission: str) -> bool:
        needed = PERMISSIONS[permission][0]
        return self.role in ROLES and ROLES.index(self.role) >= ROLES.index(needed)


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        needed, what = PERMISSIONS[permission]
        held = f"the {actor.role} role" if actor.role else "no role"
        raise AccessDenied(
            f"{actor.email} has {held} and cannot {what}; this needs the {needed} role. "
            "Ask a dashboard admin to change your role."
        )


def local_user() -> Actor:
    """The one person at the keyboard when sign-in is off (the demo): they may do everything."""
    return Actor(f"{getpass.getuser()} (no sign-in)", "admin")


def operator(name: str | None = None) -> Actor:
    """The command line, run by someone who can already read and write the database file."""
    return Actor(f"{name or getpass.getuser()} (command line)", "admin")

