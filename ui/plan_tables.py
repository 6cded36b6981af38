"""The improvement plan for the pages: the styled table, labels for choosers, and the import check.

The store work is in `records.plan_edits` and `ingest.plan_import` and the maths in
`analysis.plan_status`; this module only shapes what the pages show, so AppTest and
the browser see the same tables the assistant director does.
"""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from analysis import plan_status
from ingest import plan_import
from ui import data, feedback
from ui.table_styles import RAG_FILL
from ui.text import cells
from ui.uploads import ISSUE_COLUMNS

CHECK_KEY = "plan_import_check"
ROUND_KEY = "plan_import_round"
OVERDUE_TEXT = "color: #5c0b00; font-weight: 600"
def rows(la_code: str, as_at: date) -> pd.DataFrame:
    """The council's plan with the product's judgements, overdue first (`analysis.plan_status.plan_rows`)."""
    return plan_status.plan_rows(data.recommendations(la_code), as_at)


def styled(rows: pd.DataFrame) -> Styler:
    """The plan table with the RAG cell coloured (its words and symbol say the same) and overdue days in bold."""
    view = cells(plan_status.plan_view(rows))  # st.table's cells are Markdown; the plan's words are people's own
    fills = rows["shown_rag"].map(RAG_FILL).fillna("").tolist()
    overdue = [OVERDUE_TEXT if o else "" for o in rows["overdue"]]

    def colour(column: pd.Series) -> list[str]:
        if column.name == "RAG":
            return fills
        if column.name == "Days":
            return overdue
        return [""] * len(column)

    return view.style.apply(colour, axis=0)


def label(row: pd.Series | tuple) -> str:
    """How a recommendation is named in the chooser: 'R4: End the reliance on … (Overdue by 785 days)'."""
    return f"{row.ref}: {plan_status.short_text(row.text, 70)} ({row.timing})"


COUNCIL = 0
"""The chooser's value for a recommendation the council added itself (inspection ids start at 1)."""


def inspection_labels(inspections: pd.DataFrame) -> dict[int, str]:
    """Choices for where a recommendation comes from: each inspection, newest first, or the council itself."""
    labels = {int(row.inspection_id): plan_status.inspection_label(row.kind, row.inspected_on)
              for row in inspections.sort_values("inspected_on", ascending=False).itertuples(index=False)}
    labels[COUNCIL] = "Added by the council (no inspection)"
    return labels


def inspection_id(choice: int) -> int | None:
    return None if choice == COUNCIL else int(choice)


def export(rows: pd.DataFrame) -> bytes:
    return plan_import.export_bytes(rows)


def uploader_key() -> str:
    """Moves on after an import, which empties the uploader for the next file."""
    return f"plan_import_file_{st.session_state.get(ROUND_KEY, 0)}"


def imported() -> None:
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(CHECK_KEY, None)


def check(la_code: str, file_name: str, content: bytes, inspection_id: int | None, agreed_on: date,
          as_at: date) -> plan_import.ParsedPlan | None:
    """Check a file once per content, inspection and store version; reruns reuse the result."""
    key = (hashlib.sha256(content).hexdigest(), la_code, inspection_id, agreed_on, as_at, data.version())
    kept = st.session_state.get(CHECK_KEY)
    if kept is not None and kept[0] == key:
        return kept[1]
    with feedback.refusals("Your file has not been checked") as outcome, data.store() as con:
        parsed = plan_import.check_file(con, la_code, file_name, content, inspection_id, agreed_on, as_at)
    if outcome.refused:
        return None
    st.session_state[CHECK_KEY] = (key, parsed)
    return parsed


def issue_table(parsed: plan_import.ParsedPlan) -> pd.DataFrame:
    return pd.DataFrame([i.as_row() for i in parsed.issues], columns=ISSUE_COLUMNS)


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The progress log as the page shows it: newest first, withdrawn entries left out."""
    live = log[log["retired_at"].isna()]
    return pd.DataFrame({
        "Date": [plan_status.day_text(d) for d in live["noted_on"]],
        "Entry": live["kind"].map(plan_status.LOG_KINDS),
        "Note": live["text"],
        "By": live["created_by"],
    })


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Every version of a recommendation, newest first, with who changed it and when."""
    return pd.DataFrame({
        "Changed": pd.to_datetime(history["created_at"]).dt.strftime("%d %b %Y %H:%M"),
        "By": history["created_by"],
        "Status": history["status"].map(plan_status.STATUSES),
        "RAG set": [plan_status.rag_text(r if isinstance(r, str) else None) for r in history["rag"]],
        "Owner": history["owner"].fillna(""),
        "Timescale": history["timescale"].fillna(""),
        "Due": [plan_status.day_text(d) for d in history["due_on"]],
        "Linked KPIs": history["kpi_codes"],
        "Recommendation": history["text"],
        "How": history["source"],
    })


def inspections_table(inspections: pd.DataFrame) -> pd.DataFrame:
    """The council's inspections, newest first, each judgement in words ('Not judged' where there is none)."""
    newest = inspections.sort_values("inspected_on", ascending=False)
    table = pd.DataFrame({
        "Type": newest["kind"].map(plan_status.INSPECTION_KINDS),
        "Inspected": [plan_status.day_text(d) for d in newest["inspected_on"]],
        "Report published": [plan_status.day_text(d) if not pd.isna(d) else "Not yet" for d in newest["published_on"]],
    })
    for column, area in plan_status.JUDGEMENT_AREAS.items():
        table[area] = newest[column].map(plan_status.GRADES).fillna("Not judged").tolist()
    table["Report"] = newest["report_ref"].fillna("").tolist()
    return table


def inspection_history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Every version of every inspection, with who recorded, corrected or removed it."""
    def judged(text: object) -> str:
        if not isinstance(text, str) or not text:
            return ""
        pairs = (part.split("=") for part in text.split("; "))
        return "; ".join(f"{plan_status.JUDGEMENT_AREAS.get(a, a)}: {plan_status.GRADES.get(g, g)}" for a, g in pairs)

    return pd.DataFrame({
        "Recorded": pd.to_datetime(history["created_at"]).dt.strftime("%d %b %Y %H:%M"),
        "By": history["created_by"],
        "Type": history["kind"].map(plan_status.INSPECTION_KINDS),
        "Inspected": [plan_status.day_text(d) for d in history["inspected_on"]],
        "Published": [plan_status.day_text(d) if not pd.isna(d) else "" for d in history["published_on"]],
        "Judgements": [judged(t) for t in history["judgements"]],
        "Removed": [f"{b}, {pd.Timestamp(a):%d %b %Y}" if isinstance(b, str) else ""
                    for b, a in zip(history["retired_by"], history["retired_at"])],
    })
