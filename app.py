"""Entry point: page configuration, sign-in and the pages the user's role may open.

Each page draws the shared sidebar itself. A page the role may not use is left
out of the navigation, and the functions behind its actions refuse as well.
"""
from __future__ import annotations

import streamlit as st

from ui import identity

st.set_page_config(page_title="Children's services performance", page_icon="📊", layout="wide")

PAGES = [
    (st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True), "view"),
    (st.Page("views/trend.py", title="KPI trend", icon=":material/show_chart:", url_path="trend"), "view"),
    (st.Page("views/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:", url_path="benchmarks"), "view"),
    (st.Page("views/workforce.py", title="Workforce", icon=":material/groups:", url_path="workforce"), "view"),
    (st.Page("views/targets.py", title="Targets and RAG rules", icon=":material/flag:", url_path="targets"), "view"),
    (st.Page("views/plan.py", title="Improvement plan", icon=":material/checklist:", url_path="plan"), "view"),
    (st.Page("views/inspections.py", title="Inspections", icon=":material/fact_check:", url_path="inspections"),
     "view"),
    (st.Page("views/board_pack.py", title="Board pack", icon=":material/slideshow:", url_path="board-pack"),
     "export_internal"),
    (st.Page("views/present.py", title="Presentation", icon=":material/present_to_all:", url_path="present"), "view"),
    (st.Page("views/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"), "upload"),
    (st.Page("views/upload_history.py", title="Upload history", icon=":material/history:", url_path="uploads"),
     "view"),
    (st.Page("views/users.py", title="Users and roles", icon=":material/manage_accounts:", url_path="users"),
     "manage_users"),
    (st.Page("views/audit.py", title="Audit log", icon=":material/policy:", url_path="audit"), "read_audit"),
]

actor = identity.gate()
identity.show(actor)
st.navigation([page for page, permission in PAGES if actor.can(permission)]).run()
