"""Upload and withdrawal for the pages: the store work in `etl`, wrapped with the cache and progress bar."""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from etl import ingest
from etl.load import withdraw_upload
from etl.spreadsheets import workbook_bytes
from etl.template import template_bytes
from ui import data


def check(file_name: str, content: bytes, home_la: str, user: str) -> ingest.Plan:
    """Check a file once per content; reruns of the page reuse the result."""
    key = "plan:" + hashlib.sha256(content).hexdigest() + ":" + home_la
    if key not in st.session_state:
        bar = st.progress(0.0, text="Reading the file…")
        with data.store() as con:
            plan = ingest.prepare(con, file_name, content, home_la=home_la, user=user,
                                  progress=lambda fraction, text: bar.progress(fraction, text=text))
        bar.empty()
        st.session_state[key] = plan
    return st.session_state[key]


def load(plan: ingest.Plan) -> int:
    with data.store() as con:
        upload_id = ingest.commit(con, plan)
    data.refresh()
    for key in [k for k in st.session_state if str(k).startswith("plan:")]:
        del st.session_state[key]
    return upload_id


def withdraw(upload_id: int, user: str) -> int:
    with data.store() as con:
        affected = withdraw_upload(con, upload_id, user)
    data.refresh()
    return affected


def issue_table(plan: ingest.Plan) -> pd.DataFrame:
    return pd.DataFrame([i.as_row() for i in plan.issues])


def error_report(plan: ingest.Plan) -> bytes:
    return workbook_bytes({"Problems": issue_table(plan)})


def changed_values(plan: ingest.Plan) -> pd.DataFrame:
    changes = plan.changes
    if changes.empty:
        return changes
    shown = changes[changes["change"] == "changed"]
    return pd.DataFrame({
        "Council": shown["la_code"], "KPI": shown["kpi_code"],
        "Month": pd.to_datetime(shown["period"]).dt.strftime("%Y-%m"),
        "Stored now": shown["stored_value"], "Stored status": shown["stored_status"].fillna(""),
        "After upload": shown["new_value"], "New status": shown["new_status"].fillna(""),
        "From upload": shown["stored_upload"].astype("Int64"),
    })


def template() -> bytes:
    return template_bytes(data.catalogue(), date.today().strftime("%Y-%m"))
