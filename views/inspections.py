"""Inspections: the council's Ofsted inspections and visits with their judgements, as a time line and a table."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import charts, plan_status
from ingest import ofsted_outcomes
from records import plan_edits
from records.plan_edits import InspectionInput
from ui import attribution, data, edits, feedback, identity, plan_tables, selection
from ui.text import cells, md

def _grade_words(grade: str | None) -> str:
    return "Not judged" if grade is None else plan_status.GRADES[grade]


def inspection_form(key: str, defaults: dict) -> InspectionInput | None:
    """The fields of an inspection; returns what was entered when the form is submitted."""
    with st.form(key):
        kinds = list(plan_status.INSPECTION_KINDS)
        kind = st.selectbox("Type", kinds, index=kinds.index(defaults["kind"]),
                            format_func=plan_status.INSPECTION_KINDS.get, key=f"{key}_kind")
        left, right = st.columns(2)
        inspected_on = left.date_input("Inspected (first day on site)", value=defaults["inspected_on"],
                                       format="DD/MM/YYYY", key=f"{key}_inspected")
        published_on = right.date_input("Report published (empty until it is)", value=defaults["published_on"],
                                        format="DD/MM/YYYY", key=f"{key}_published")
        report_ref = st.text_input("Report link or reference", value=defaults["report_ref"], max_chars=300,
                                   key=f"{key}_ref")
        st.markdown("**Judgements** (ILACS inspections only; overall effectiveness is not graded from April 2026)")
        grades = [None, *plan_status.GRADES]
        columns = st.columns(len(plan_status.JUDGEMENT_AREAS))
        chosen_grades = {area: column.selectbox(label, grades, index=grades.index(defaults["judgements"].get(area)),
                                                format_func=_grade_words, key=f"{key}_{area}")
                         for column, (area, label) in zip(columns, plan_status.JUDGEMENT_AREAS.items())}
        judgements = {area: grade for area, grade in chosen_grades.items() if grade is not None}
        if not st.form_submit_button("Save inspection"):
            return None
    return InspectionInput(kind, inspected_on, published_on, report_ref, judgements)


def timeline() -> None:
    if inspections.empty:
        st.info("No inspections are recorded yet. Add one below.")
        return
    figure = charts.inspection_timeline(title=f"Inspections and judgements: {chosen.council_name}",
                                        inspections=inspections, kinds=plan_status.INSPECTION_KINDS,
                                        areas=plan_status.JUDGEMENT_AREAS)
    st.plotly_chart(figure, width="stretch")
    st.table(cells(plan_tables.inspections_table(inspections)).style.hide(axis="index"))
    published = sorted({ref for ref in inspections["report_ref"].dropna() if ref.startswith(ofsted_outcomes.SOURCE)})
    if published:
        st.caption(f"Source: {md('; '.join(published))}. {attribution.OGL}")
    st.page_link("views/improvement_plan.py", label="See the improvement plan", icon=":material/checklist:")


def record_inspection() -> None:
    blank = {"kind": "ilacs_standard", "inspected_on": date.today(), "published_on": None, "report_ref": "",
             "judgements": {}}
    entered = inspection_form("add_inspection", blank)
    if entered is not None:
        edits.apply(plan_edits.add_inspection, chosen.la_code, entered, done="Inspection recorded")


def correct_or_remove() -> None:
    if inspections.empty:
        st.info("There are no inspections to correct.")
        return
    labels = {int(r.inspection_id): plan_status.inspection_label(r.kind, r.inspected_on)
              for r in inspections.itertuples(index=False)}
    inspection_id = st.selectbox("Inspection", list(labels), format_func=labels.get, key="change_inspection")
    row = inspections.set_index("inspection_id").loc[inspection_id]
    current = {"kind": row["kind"], "inspected_on": row["inspected_on"].date(),
               "published_on": None if pd.isna(row["published_on"]) else row["published_on"].date(),
               "report_ref": row["report_ref"] if isinstance(row["report_ref"], str) else "",
               "judgements": {a: row[a] for a in plan_status.JUDGEMENT_AREAS if isinstance(row[a], str)}}
    entered = inspection_form(f"change_inspection_{inspection_id}", current)
    if entered is not None:
        edits.apply(plan_edits.change_inspection, chosen.la_code, inspection_id, entered,
                    done="Inspection corrected; the earlier version is kept in the history")
    sure = st.checkbox("I want to remove this inspection (recorded by mistake)", key="confirm_remove_inspection")
    if sure and st.button("Remove inspection", type="primary"):
        edits.apply(plan_edits.retire_inspection, chosen.la_code, inspection_id,
                    done="Inspection removed; it stays in the history")


def history() -> None:
    st.dataframe(plan_tables.inspection_history_table(data.inspection_history(chosen.la_code)), hide_index=True,
                 width="stretch")


chosen = selection.page_start()
feedback.show_flash()
st.title("Inspections")
st.markdown(f"{md(chosen.council_name)}'s inspections and visits with the judgement for each area on Ofsted's "
            "four-point scale. Their dates are marked on every KPI trend chart, and their recommendations are "
            "tracked on the Improvement plan page.")
inspections = data.inspections(chosen.la_code)

timeline()
tabs = identity.tabs(["Record an inspection or visit", "Correct or remove one"], ["History"], "edit_plan")
if identity.actor().can("edit_plan"):
    with tabs["Record an inspection or visit"]:
        record_inspection()
    with tabs["Correct or remove one"]:
        correct_or_remove()
with tabs["History"]:
    history()
