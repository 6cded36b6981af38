"""Entry point: page configuration and navigation. Each page draws the shared sidebar itself."""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Children's services performance", page_icon="📊", layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/trend.py", title="KPI trend", icon=":material/show_chart:", url_path="trend"),
    st.Page("views/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:", url_path="benchmarks"),
    st.Page("views/workforce.py", title="Workforce", icon=":material/groups:", url_path="workforce"),
    st.Page("views/targets.py", title="Targets and RAG rules", icon=":material/flag:", url_path="targets"),
    st.Page("views/plan.py", title="Improvement plan", icon=":material/checklist:", url_path="plan"),
    st.Page("views/inspections.py", title="Inspections", icon=":material/fact_check:", url_path="inspections"),
    st.Page("views/board_pack.py", title="Board pack", icon=":material/slideshow:", url_path="board-pack"),
    st.Page("views/present.py", title="Presentation", icon=":material/present_to_all:", url_path="present"),
    st.Page("views/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("views/upload_history.py", title="Upload history", icon=":material/history:", url_path="uploads"),
]
st.navigation(pages).run()
