"""Targets and RAG rules: what each KPI is judged against, edited with a full history."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import kpi, tables
from records import kpi_edits
from records.kpi_edits import TARGET_KINDS, TargetInput
from store.dates import month_label
from ui import data, edits, feedback, identity, selection
from ui.text import md



def _or_none(value):
    return None if pd.isna(value) else value


def target_form(key: str, defaults: dict) -> TargetInput | None:
    """The fields of a target; returns what was entered when the form is submitted."""
    with st.form(key):
        code = st.selectbox("KPI", catalogue["code"].tolist(), index=catalogue["code"].tolist().index(defaults["kpi"]),
                            format_func=lambda c: f"{names[c]} ({units[c]})", key=f"{key}_kpi")
        kind = st.selectbox("Kind", list(TARGET_KINDS), index=list(TARGET_KINDS).index(defaults["kind"]),
                            format_func=TARGET_KINDS.get)
        value = st.number_input("Target value", value=defaults["value"], step=0.5, key=f"{key}_value",
                                help="For a percentage KPI, a number from 0 to 100.")
        left, right = st.columns(2)
        start = left.date_input("From month", value=defaults["start"], format="DD/MM/YYYY")
        end = right.date_input("Until month (leave empty if open-ended)", value=defaults["end"], format="DD/MM/YYYY")
        glide = st.checkbox("Trajectory: the target moves month by month towards its value",
                            value=defaults["glide_from"] is not None)
        left, right = st.columns(2)
        glide_from = left.number_input("Trajectory starts at", value=defaults["glide_from"] or 0.0, step=0.5)
        glide_until = right.date_input("Reaches the target by", value=defaults["glide_until"], format="DD/MM/YYYY")
        source = st.text_input("Source", value=defaults["source"], key=f"{key}_source",
                               placeholder="For example 'Ofsted ILACS action plan, Feb 2025'")
        team_id = None
        if not teams.empty:
            choices = [None] + teams["team_id"].tolist()
            team_id = st.selectbox("For", choices, index=choices.index(defaults.get("team_id")),
                                   format_func=lambda t: "The whole council" if t is None else team_names[t],
                                   key=f"{key}_team", help="A team's own target; a team without one is judged "
                                                           "against the council's")
        if not st.form_submit_button("Save target"):
            return None
    return TargetInput(code, kind, float(value), start, source, end or None, glide_from if glide else None,
                       glide_until if glide else None, None if team_id is None else int(team_id))


def targets_in_force() -> None:
    """Every target not removed, each with its status in the selected month: an expired or outranked target is
    still listed, so that it can be changed, but never called in force."""
    month = chosen.period or date.today().replace(day=1)
    st.subheader("Targets in force, expired and to come")
    if live.empty:
        st.info("No targets yet. Add one below.")
        return
    st.markdown(f"Status in {month_label(month)}. Where two targets cover a month, an inspection target outranks a "
                "local one, and between targets of one kind the later start counts.")
    st.dataframe(tables.targets_view(live, catalogue, month), hide_index=True, width="stretch")


def add_target() -> None:
    blank = {"kpi": catalogue["code"].iloc[0], "kind": "local", "value": 0.0, "start": chosen.period or date.today(),
             "end": None, "glide_from": None, "glide_until": None, "source": ""}
    entered = target_form("add_target", blank)
    if entered is not None:
        edits.apply(kpi_edits.add_target, chosen.la_code, entered, done=f"Target for {names[entered.kpi_code]} saved")


def change_or_remove_target() -> None:
    if live.empty:
        st.info("There are no targets to change.")
        return
    labels = {row.target_id: f"{names.get(row.kpi_code, row.kpi_code)}: {tables.KIND_WORDS[row.kind]} {row.value:g}"
              + (f" ({row.team})" if isinstance(row.team, str) else "") for row in live.itertuples(index=False)}
    target_id = st.selectbox("Target", list(labels), format_func=labels.get, key="change_target")
    row = live.set_index("target_id").loc[target_id]
    current = {"kpi": row["kpi_code"], "kind": row["kind"], "value": float(row["value"]),
               "start": row["start_period"], "end": _or_none(row["end_period"]),
               "glide_from": _or_none(row["glide_from"]), "glide_until": _or_none(row["glide_until"]),
               "source": row["source"], "team_id": None if pd.isna(row["team_id"]) else int(row["team_id"])}
    entered = target_form(f"change_target_{target_id}", current)
    if entered is not None:
        edits.apply(kpi_edits.replace_target, chosen.la_code, int(target_id), entered,
                    done="Target changed; the old one is kept in the history")
    sure = st.checkbox("I want to remove this target", key="confirm_remove")
    if sure and st.button("Remove target", type="primary"):
        edits.apply(kpi_edits.retire_target, chosen.la_code, int(target_id),
                    done="Target removed; it stays in the history")


def rag_rules() -> None:
    rules = data.rag_rules(chosen.la_code)
    st.markdown("Without a rule set here, a KPI with an **inspection target** is judged with **no tolerance** (red "
                "as soon as it is worse than the target); with a floor, by **target and floor**; otherwise by "
                "**target and tolerance 5%**. KPIs where both directions are bad always **stay close to target**. "
                "Green is only ever at or better than the target (or, staying close, within N% of it, and says so).")
    if not rules.empty:
        shown = rules.assign(kpi=rules["kpi_code"].map(names),
                             rule=[kpi.RagRule(m, t).description for m, t in zip(rules["method"], rules["tolerance_pct"])])
        st.dataframe(shown[["kpi", "rule", "method", "tolerance_pct", "created_by", "created_at"]], hide_index=True,
                     width="stretch")
    if not user.can("edit_rag_rules"):
        return
    with st.form("rag_rule"):
        rated = catalogue.loc[catalogue["polarity"] != "none", "code"].tolist()
        code = st.selectbox("KPI", rated, format_func=names.get, key="rule_kpi",
                            help="Context measures are not listed: they are never rated.")
        method = st.radio("Rule", list(kpi.RAG_METHODS), format_func=kpi.RAG_METHODS.get)
        tolerance = st.number_input("N (per cent of the target)", min_value=0.0, max_value=100.0, value=5.0, step=1.0)
        saved = st.form_submit_button("Save rule")
    if saved:
        edits.apply(kpi_edits.set_rag_rule, chosen.la_code, code, kpi.RagRule(method, tolerance),
                    done=f"RAG rule for {names[code]} saved")


def history() -> None:
    st.dataframe(tables.targets_view(data.target_history(chosen.la_code), catalogue), hide_index=True,
                 width="stretch")


chosen = selection.page_start()
feedback.show_flash()
st.title("Targets and RAG rules")
st.markdown(f"What {md(chosen.council_name)}'s KPIs are judged against. Changes never overwrite: the history below "
            "keeps every target with who set it and when.")
catalogue = data.catalogue()
names = dict(zip(catalogue["code"], catalogue["name"]))
units = dict(zip(catalogue["code"], catalogue["unit"]))
live = data.live_targets(chosen.la_code)
teams = data.teams(chosen.la_code)
teams = teams[teams["merged_from"].isna()]
team_names = dict(zip(teams["team_id"], teams["name"]))
user = identity.actor()

targets_in_force()
tabs = identity.tabs(["Add a target", "Change or remove a target"], ["RAG rules", "History"], "edit_targets")
if user.can("edit_targets"):
    with tabs["Add a target"]:
        add_target()
    with tabs["Change or remove a target"]:
        change_or_remove_target()
else:
    st.caption("Your role can read targets and rules; analysts change targets and admins change RAG rules.")
with tabs["RAG rules"]:
    rag_rules()
with tabs["History"]:
    history()
