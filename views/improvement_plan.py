"""Improvement plan: every recommendation after an inspection, what is late, its progress and its KPIs.

The page is a list of sections, called at the bottom in the order they appear.
"""
from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from analysis import charts, impact, plan_status
from ingest import plan_import
from records import plan_edits
from records.plan_edits import RecommendationInput
from store.words import plural
from ui import data, edits, exports, feedback, identity, plan_tables, selection
from ui.text import cells, md


def introduction() -> None:
    demo_note = " (the demo's fixed today, so the synthetic plan reads the same whenever it is opened)" \
        if chosen.is_demo else ""
    st.markdown(f"{md(chosen.council_name)}'s recommendations from inspections and its own improvement actions. "
                f"Days left and overdue are counted to **{plan_status.day_text(as_at)}**{demo_note}. Every change "
                "is kept with who made it and when.")


def summary() -> None:
    counts = plan_status.status_counts(rows)
    for column, (name, count) in zip(st.columns(len(counts)), counts.items()):
        column.metric(name, count)
    late = rows[rows["overdue"]]
    if not late.empty:
        st.error(f"**{plural(len(late), 'recommendation')} overdue:** " + "; ".join(
            f"{md(r.ref)} {md(plan_status.short_text(r.text, 60))} (due {plan_status.day_text(r.due_on)}, "
            f"{r.timing.lower()})" for r in late.itertuples(index=False)), icon=":material/schedule:")


def filters() -> pd.DataFrame:
    """The recommendations the filters keep."""
    left, middle, right = st.columns([2, 2, 1])
    areas = left.multiselect("Area", list(plan_status.AREAS), format_func=plan_status.AREAS.get, key="plan_areas",
                             placeholder="All areas")
    statuses = middle.multiselect("Status", list(plan_status.STATUSES), format_func=plan_status.STATUSES.get,
                                  key="plan_statuses", placeholder="All statuses")
    overdue_only = right.checkbox("Overdue only", key="plan_overdue")
    return plan_status.filter_rows(rows, areas, statuses, overdue_only)


def table(shown: pd.DataFrame) -> None:
    if shown.empty:
        st.info("No recommendations match these filters.")
    else:
        st.table(plan_tables.styled(shown).hide(axis="index"))
    exports.download("Download the plan (.xlsx)", partial(plan_tables.export, rows), icon=":material/download:",
                     file_name=f"{chosen.la_code}_improvement_plan_{as_at:%Y-%m-%d}.xlsx", what="Improvement plan",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     help="The columns the import reads, ready to paste into a scrutiny report.")


def chosen_recommendation(shown: pd.DataFrame) -> tuple[int, pd.Series]:
    st.subheader("Open a recommendation")
    labels = {int(r.rec_id): plan_tables.label(r) for r in shown.itertuples(index=False)}
    rec_id = st.selectbox("Recommendation", list(labels), format_func=labels.get, key="open_rec")
    return rec_id, shown.set_index("rec_id").loc[rec_id]


def owner_rag(rec: pd.Series) -> str | None:
    return rec["rag"] if isinstance(rec["rag"], str) else None


def detail(rec: pd.Series) -> None:
    st.markdown(f"### {md(rec['ref'])}: {md(rec['text'])}")
    source = sources.get(plan_tables.COUNCIL if pd.isna(rec["inspection_id"]) else int(rec["inspection_id"]),
                         "An inspection that was removed")
    timescale = f"{md(rec['timescale'])} (counted from {plan_status.day_text(rec['counts_from'])})" \
        if isinstance(rec["timescale"], str) else "a date"
    rag_line = rec["rag_text"]
    if rec["overdue"] and owner_rag(rec) != "red":
        rag_line += f" (the owner set {plan_status.rag_text(owner_rag(rec))}; an overdue item is always shown red)"
    st.markdown(
        f"- **From:** {md(source)}\n- **Area:** {plan_status.AREAS.get(rec['area'], rec['area'])}\n"
        f"- **Due:** {plan_status.day_text(rec['due_on'])}, {timescale}: **{rec['timing']}**\n"
        f"- **Owner:** {md(rec['owner']) or 'not named'}\n- **Status:** {plan_status.STATUSES[rec['status']]}\n"
        f"- **RAG:** {rag_line}")


def progress_log(rec_id: int) -> None:
    st.markdown("#### Progress and impact log")
    log = plan_tables.log_table(data.recommendation_log(chosen.la_code, rec_id))
    if log.empty:
        st.info("No progress notes or impact statements yet.")
    else:
        st.table(cells(log).style.hide(axis="index"))


def linked_kpis(rec_id: int, rec: pd.Series) -> None:
    codes = linked_codes(rec)
    if not codes:
        return
    st.markdown("#### Linked KPIs")
    if chosen.period is None:
        st.info(f"There is no KPI data for {md(chosen.council_name)} yet.")
        return
    own = inspections[inspections["inspection_id"] == rec["inspection_id"]]
    marks = plan_status.chart_marks(own, pd.DataFrame([{"ref": rec["ref"], "text": rec["text"],
                                                        "due_on": rec["due_on"]}]), brief=True)
    made = rec["counts_from"] if pd.notna(rec["counts_from"]) else None
    lines = []
    for code in codes:
        view = data.kpi_view_of(chosen.la_code, code, chosen.period)
        if made is not None and not view.series.empty:
            lines.append(impact.kpi_impact(view.series, made, chosen.period, name=names[code], unit=view.unit,
                                           decimals=view.decimals, polarity=str(view.meta["polarity"]),
                                           rebases=view.rebases["period"]).sentence)
        if code in names and not view.series.empty:
            outlook = data.outlook(chosen.la_code, code, chosen.period).sentence
            if outlook:
                lines.append(f"Will we hit it? {outlook}")
    if lines:
        st.markdown("**Impact since the recommendation was made**\n" + "\n".join(f"- {md(line)}" for line in lines))
    for column, code in zip(st.columns(2) * len(codes), codes):
        view = data.kpi_view_of(chosen.la_code, code, chosen.period)
        if view.series.empty:
            column.info(f"No values for {names[code]} yet.")
            continue
        figure = charts.plan_kpi_chart(title=names[code], unit=view.unit, decimals=view.decimals,
                                       council_name=chosen.council_name, series=view.series, targets=view.targets,
                                       marks=marks)
        column.plotly_chart(figure, width="stretch", key=f"plan_chart_{rec_id}_{code}")


def linked_codes(rec: pd.Series) -> list[str]:
    return [c for c in str(rec["kpi_codes"]).split(", ") if c]


def log_form(rec_id: int, rec: pd.Series, where) -> None:
    with where.form(f"add_note_{rec_id}", clear_on_submit=True):
        st.markdown("**Add a progress note or impact statement**")
        kind = st.radio("Entry", list(plan_status.LOG_KINDS), format_func=plan_status.LOG_KINDS.get, horizontal=True,
                        key=f"note_kind_{rec_id}")
        noted_on = st.date_input("Date", value=date.today(), format="DD/MM/YYYY", key=f"note_date_{rec_id}")
        text = st.text_area("Note", max_chars=2000, key=f"note_text_{rec_id}",
                            help=f"For impact, '{plan_status.TOO_EARLY}' is a valid answer.")
        added = st.form_submit_button("Add to the log")
    if added:
        edits.apply(plan_edits.add_log_entry, chosen.la_code, rec_id, kind, noted_on, text,
                    done=f"{plan_status.LOG_KINDS[kind]} note added to {rec['ref']}'s log")


def status_form(rec_id: int, rec: pd.Series, where) -> None:
    with where.form(f"status_{rec_id}"):
        st.markdown("**Update status, RAG or owner**")
        statuses = list(plan_status.STATUSES)
        status = st.selectbox("Status", statuses, index=statuses.index(rec["status"]),
                              format_func=plan_status.STATUSES.get, key=f"status_{rec_id}_status")
        rag_options = [None, *plan_status.RAGS]
        rag = st.selectbox("RAG (the owner's judgement)", rag_options, index=rag_options.index(owner_rag(rec)),
                           format_func=plan_status.rag_text, key=f"status_{rec_id}_rag",
                           help="Checked by the dashboard: an overdue item cannot be green.")
        owner = st.text_input("Owner", value=rec["owner"], max_chars=200, key=f"status_{rec_id}_owner")
        saved = st.form_submit_button("Save status")
    if saved:
        edits.apply(plan_edits.update_status, chosen.la_code, rec_id, status, rag, owner, as_at,
                    done=f"{rec['ref']} updated; the previous version is kept in its history")


def change_form(rec_id: int, rec: pd.Series) -> None:
    with st.expander("Change the wording, area, timescale or linked KPIs"), st.form(f"change_{rec_id}"):
        text = st.text_area("Recommendation", value=rec["text"], max_chars=2000, key=f"change_{rec_id}_text")
        area = st.selectbox("Area", list(plan_status.AREAS), index=list(plan_status.AREAS).index(rec["area"]),
                            format_func=plan_status.AREAS.get, key=f"change_{rec_id}_area")
        timescale = st.text_input("Timescale", value=rec["timescale"] if isinstance(rec["timescale"], str) else "",
                                  help=plan_edits.TIMESCALE_HELP, key=f"change_{rec_id}_timescale")
        kpis = st.multiselect("Linked KPIs", catalogue["code"].tolist(), default=linked_codes(rec),
                              format_func=lambda c: f"{names[c]} ({c})", key=f"change_{rec_id}_kpis")
        saved = st.form_submit_button("Save changes")
    if saved:
        edits.apply(plan_edits.change_recommendation, chosen.la_code, rec_id,
                    RecommendationInput(text, area, timescale, None if timescale.strip() else rec["due_on"].date(),
                                        rec["owner"], rec["status"], owner_rag(rec), tuple(kpis)), as_at,
                    done=f"{rec['ref']} changed; the previous version is kept in its history")


def history(rec_id: int, rec: pd.Series) -> None:
    with st.expander("History of changes"):
        st.dataframe(plan_tables.history_table(data.recommendation_history(chosen.la_code, rec_id)),
                     hide_index=True, width="stretch")
        sure = may_edit and st.checkbox("I want to remove this recommendation from the plan",
                                        key=f"confirm_remove_{rec_id}")
        if sure and st.button("Remove recommendation", type="primary", key=f"remove_{rec_id}"):
            edits.apply(plan_edits.retire_recommendation, chosen.la_code, rec_id,
                        done=f"{rec['ref']} removed; it stays in the history")


def add_recommendation() -> None:
    with st.expander("Add a recommendation"), st.form("add_rec"):
        origin = st.selectbox("From", list(sources), format_func=sources.get, key="add_rec_from")
        agreed_on = st.date_input("Agreed on (for one added by the council: its timescale counts from this day)",
                                  value=date.today(), format="DD/MM/YYYY", key="add_rec_agreed")
        text = st.text_area("Recommendation", max_chars=2000, key="add_rec_text")
        area = st.selectbox("Area", list(plan_status.AREAS), format_func=plan_status.AREAS.get, key="add_rec_area")
        left, right = st.columns(2)
        timescale = left.text_input("Timescale", key="add_rec_timescale", help=plan_edits.TIMESCALE_HELP,
                                    placeholder="within 3 months")
        due = right.date_input("or a due date", value=None, format="DD/MM/YYYY", key="add_rec_due")
        owner = st.text_input("Owner", max_chars=200, key="add_rec_owner")
        kpis = st.multiselect("Linked KPIs", catalogue["code"].tolist(), format_func=lambda c: f"{names[c]} ({c})",
                              key="add_rec_kpis")
        added = st.form_submit_button("Add recommendation")
    if added:
        edits.apply(plan_edits.add_recommendation, chosen.la_code, plan_tables.inspection_id(origin), agreed_on,
                    RecommendationInput(text, area, timescale, due, owner, "not_started", None, tuple(kpis)),
                    as_at, done="Recommendation added to the plan")


def import_plan() -> None:
    with st.expander("Import an action plan from a spreadsheet"):
        st.markdown("One row per recommendation with the columns " + ", ".join(plan_import.EXPORT_COLUMNS) + " (as "
                    "the download above). A row whose Ref is in the plan updates it; other rows are added. Every cell "
                    "is checked first, and **nothing is imported until there are no errors and you confirm**.")
        origin = st.selectbox("New rows come from", list(sources), format_func=sources.get, key="import_from")
        file = st.file_uploader("Action plan (.xlsx, .xlsm, .ods or .csv)", type=["xlsx", "xlsm", "ods", "csv"],
                                key=plan_tables.uploader_key())
        if file is None:
            return
        checked = plan_tables.check(chosen.la_code, file.name, file.getvalue(), plan_tables.inspection_id(origin),
                                    date.today(), as_at)
        if checked is None:
            return
        if checked.errors:
            st.error(f"**{plural(checked.error_count, 'error')} in {md(file.name)}: nothing has been imported.** "
                     "Fix them in the spreadsheet and upload it again.", icon=":material/error:")
            st.dataframe(plan_tables.issue_table(checked), hide_index=True, width="stretch")
            return
        preview = plan_import.changes(checked)
        st.dataframe(preview, hide_index=True, width="stretch")
        if (preview["Will"] == "Nothing (unchanged)").all():
            st.success("The file matches the plan: there is nothing to import.", icon=":material/check_circle:")
        elif st.button("Import these changes", type="primary"):
            plan_tables.imported()
            edits.apply(plan_import.import_plan, chosen.la_code, checked, date.today(),
                        done=f"{file.name} imported; every change is kept in the history")


chosen = selection.page_start()
may_edit = identity.actor().can("edit_plan")
feedback.show_flash()
st.title("Improvement plan")
as_at = plan_status.plan_as_at(chosen.is_demo)
catalogue = data.catalogue()
names = dict(zip(catalogue["code"], catalogue["name"]))
inspections = data.inspections(chosen.la_code)
sources = plan_tables.inspection_labels(inspections)
rows = plan_tables.rows(chosen.la_code, as_at)

introduction()
if rows.empty:
    st.info("There are no recommendations yet." + (" Add one below, or import an action plan from a spreadsheet."
                                                     if may_edit else ""))
else:
    summary()
    shown = filters()
    table(shown)
    if not shown.empty:
        rec_id, rec = chosen_recommendation(shown)
        detail(rec)
        progress_log(rec_id)
        linked_kpis(rec_id, rec)
        if may_edit:
            note_column, status_column = st.columns(2)
            log_form(rec_id, rec, note_column)
            status_form(rec_id, rec, status_column)
            change_form(rec_id, rec)
        history(rec_id, rec)
if may_edit:
    st.subheader("Add or import recommendations")
    add_recommendation()
    import_plan()
