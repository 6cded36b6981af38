"""The dashboard's pages and the permission each needs.

A page the user's role may not use is left out of the menu. Its address still
opens, so that a bookmarked link explains which role it needs rather than
showing Streamlit's "page not found"; the page itself stops before drawing
anything (`ui.identity.page_needs`).
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth.roles import Actor


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    permission: str


PAGES = [
    PageSpec("views/overview.py", "Overview", ":material/dashboard:", "", "view"),
    PageSpec("views/trend.py", "KPI trend", ":material/show_chart:", "trend", "view"),
    PageSpec("views/benchmarks.py", "Benchmarks", ":material/leaderboard:", "benchmarks", "view"),
    PageSpec("views/workforce.py", "Workforce", ":material/groups:", "workforce", "view"),
    PageSpec("views/demand_ahead.py", "Demand ahead", ":material/trending_up:", "demand", "view"),
    PageSpec("views/targets.py", "Targets and RAG rules", ":material/flag:", "targets", "view"),
    PageSpec("views/improvement_plan.py", "Improvement plan", ":material/checklist:", "plan", "view"),
    PageSpec("views/inspections.py", "Inspections", ":material/fact_check:", "inspections", "view"),
    PageSpec("views/kpi_catalogue.py", "KPI catalogue", ":material/list_alt:", "catalogue", "view"),
    PageSpec("views/board_pack.py", "Board pack", ":material/slideshow:", "board-pack", "export_internal"),
    PageSpec("views/present.py", "Presentation", ":material/present_to_all:", "present", "view"),
    PageSpec("views/upload_file.py", "Upload", ":material/upload_file:", "upload", "upload"),
    PageSpec("views/upload_history.py", "Upload history", ":material/history:", "uploads", "view"),
    PageSpec("views/users_and_roles.py", "Users and roles", ":material/manage_accounts:", "users", "manage_users"),
    PageSpec("views/audit_log.py", "Audit log", ":material/policy:", "audit", "read_audit"),
]


def menu(actor: Actor) -> list[str]:
    """The page titles the actor's menu shows, in order."""
    return [spec.title for spec in PAGES if actor.can(spec.permission)]


def pages_for(actor: Actor) -> list:
    return [st.Page(spec.script, title=spec.title, icon=spec.icon, url_path=spec.url_path or None,
                    default=not spec.url_path, visibility="visible" if actor.can(spec.permission) else "hidden")
            for spec in PAGES]
