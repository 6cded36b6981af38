"""The catalogue on the pages: the table everyone reads, and the forms that add and retire local KPIs.

The Upload page and the KPI catalogue page share the form, so a measure added
from a file it arrived in and one added by hand are checked and recorded alike.
"""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ingest import catalogue_sheet, local_kpis
from ingest import teams as teams_store
from ingest.catalogue import SUBJECTS
from settings import load_settings
from store import queries
from store.dates import month_label
from store.words import plural
from ui import data, edits, feedback
from ui.identity import actor
from ui.text import md
from ui.uploads import ISSUE_COLUMNS

UNIT_CHOICES = ["%", "count", "rate", "FTE", "cases"]
DEFAULT_GROUP = "Local measures"
KIND_WORDS = {"statutory": "Statutory", "local": "Local (the council's own)"}


def may_edit() -> bool:
    return local_kpis.may_edit(actor(), load_settings().analysts_add_kpis)


def who_may() -> str:
    return "admins and analysts" if load_settings().analysts_add_kpis else "admins"


def full_catalogue() -> pd.DataFrame:
    """Read fresh: the page that changes the catalogue shows what it now holds."""
    with data.store() as con:
        return queries.full_catalogue(con)


def versions() -> pd.DataFrame:
    with data.store() as con:
        return queries.kpi_versions(con)


def catalogue_table(full: pd.DataFrame) -> pd.DataFrame:
    """The catalogue in words: what each KPI counts, in which unit, which way is better, and whether it is the
    council's own and in use."""
    status = [f"Retired {at:%d %b %Y}" if pd.notna(at) else "In use" for at in full["retired_at"]]
    return pd.DataFrame({
        "Code": full["code"],
        "Name": full["name"],
        "Kind": full["origin"].map(KIND_WORDS),
        "Unit": full["unit"].map(local_kpis.UNIT_WORDS),
        "Better when": full["polarity"].map(local_kpis.POLARITY_WORDS),
        "Group": full["kpi_group"],
        "Frequency": full["frequency"].str.capitalize(),
        "Status": status,
        "Monthly values": full["monthly_values"].astype(int),
        "Definition": full["definition"],
    })


def versions_table(changes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "When (UTC)": changes["changed_at"].dt.strftime("%d %b %Y %H:%M"),
        "Who": changes["changed_by"],
        "Code": changes["code"],
        "Version": changes["version"],
        "Change": changes["change"].str.capitalize(),
        "Name": changes["name"],
        "Unit": changes["unit"].map(local_kpis.UNIT_WORDS),
        "Better when": changes["polarity"].map(local_kpis.POLARITY_WORDS),
        "Group": changes["kpi_group"],
    })


def _count_kpis() -> list[str]:
    full = data.catalogue()
    return full.loc[full["unit"] == "count", "code"].tolist()


def add_form(measures: list[str], key: str, *, submit: str, done: str) -> None:
    """One row of fields per measure (a name given for a measure a file brought, typed for one added by hand);
    only what cannot be guessed must be chosen: unit, which way is better and the group. All are added in one
    transaction or none."""
    counts = _count_kpis()
    taken: set[str] = set()
    with st.form(key):
        specs = []
        for i, measure in enumerate(measures or [""]):
            if measures:
                st.markdown(f"**{i + 1}. {measure}**" if len(measures) > 1 else f"**{measure}**")
                name = measure
            else:
                name = st.text_input("Name, as the monthly report gives it", max_chars=local_kpis.NAME_LENGTH,
                                     key=f"{key}_name_{i}")
            code_default = local_kpis.suggest_code(measure, taken) if measure else ""
            taken.add(code_default)
            left, middle, right = st.columns(3)
            code = left.text_input("Code", value=code_default, max_chars=40, key=f"{key}_code_{i}",
                                   help="Capital letters, digits and underscores; files may give the code or name")
            unit = middle.selectbox("Unit", UNIT_CHOICES, format_func=local_kpis.UNIT_WORDS.get,
                                    index=UNIT_CHOICES.index(local_kpis.guess_unit(measure)) if measure else 0,
                                    key=f"{key}_unit_{i}")
            polarity = right.selectbox("Better when", list(local_kpis.POLARITY_WORDS), index=None,
                                       format_func=local_kpis.POLARITY_WORDS.get, placeholder="Choose",
                                       key=f"{key}_polarity_{i}")
            left, middle, right = st.columns(3)
            group = left.text_input("Group on the Overview", value=DEFAULT_GROUP, max_chars=60, key=f"{key}_group_{i}")
            decimals = middle.number_input("Decimals shown", min_value=0, max_value=local_kpis.MAX_DECIMALS, value=1,
                                           step=1, key=f"{key}_decimals_{i}")
            frequency = right.selectbox("Reported", local_kpis.FREQUENCIES, format_func=str.capitalize,
                                        key=f"{key}_frequency_{i}")
            left, right = st.columns([2, 1])
            definition = left.text_input("Definition (what is counted)", max_chars=300, key=f"{key}_definition_{i}")
            subject = right.radio("Counts", sorted(SUBJECTS), horizontal=True, key=f"{key}_subject_{i}",
                                  help="Children's counts are protected by disclosure control in publication packs")
            denominator = st.selectbox("For a percentage: the count it is a share of (optional, for disclosure "
                                       "control)", counts, index=None, placeholder="None", key=f"{key}_denominator_{i}")
            specs.append(local_kpis.LocalKpi(
                code=code, name=name, unit=unit, polarity=polarity or "", kpi_group=group, definition=definition,
                decimals=int(decimals), frequency=frequency, denominator_kpi=denominator, subject=subject))
        if st.form_submit_button(submit, type="primary"):
            adding = partial(local_kpis.add_local_kpis, analysts_may=load_settings().analysts_add_kpis)
            edits.apply(adding, specs, done=done)


def retire_form(full: pd.DataFrame) -> None:
    local = full[full["origin"] == "local"]
    in_use = local.loc[local["retired_at"].isna(), "code"].tolist()
    retired = local.loc[local["retired_at"].notna(), "code"].tolist()
    names = dict(zip(full["code"], full["name"]))
    analysts_may = load_settings().analysts_add_kpis
    left, right = st.columns(2)
    with left.form("retire_kpi"):
        st.markdown("**Retire a local KPI**: hidden from pages and uploads; its figures, targets and commentary "
                    "are kept and come back if it is restored.")
        code = st.selectbox("Local KPI", in_use, index=None, format_func=lambda c: f"{c}: {names[c]}",
                            placeholder="Choose a KPI in use")
        if st.form_submit_button("Retire") and code:
            edits.apply(partial(local_kpis.retire_kpi, analysts_may=analysts_may), code,
                        done=f"{code} retired: hidden from pages and uploads, its figures kept")
    with right.form("restore_kpi"):
        st.markdown("**Restore a retired local KPI**, with its history.")
        code = st.selectbox("Retired KPI", retired, index=None, format_func=lambda c: f"{c}: {names[c]}",
                            placeholder="Choose a retired KPI")
        if st.form_submit_button("Restore") and code:
            edits.apply(partial(local_kpis.restore_kpi, analysts_may=analysts_may), code,
                        done=f"{code} restored")


def teams_table(teams: pd.DataFrame) -> pd.DataFrame:
    merged = [f"Into {into} from {month_label(when)}" if pd.notna(when) else "" for into, when in
              zip(teams["merged_into_name"], teams["merged_from"])]
    return pd.DataFrame({"Name": teams["name"], "Kind": teams["kind"].str.capitalize(),
                         "Names in files": teams["names"], "Figures": teams["figures"].astype(int),
                         "Merged": merged})


def team_forms(la_code: str, teams: pd.DataFrame) -> None:
    """Rename a team (files may use either name, its trend carries on) or merge it into another from a month."""
    in_use = teams.loc[teams["merged_from"].isna(), "name"].tolist()
    left, right = st.columns(2)
    with left.form("rename_team", clear_on_submit=True):
        st.markdown("**Rename a team**: files may use either name, and its trend carries on.")
        old = st.selectbox("Team", in_use, index=None, placeholder="Choose a team", key="rename_team_old")
        new = st.text_input("New name", max_chars=80, key="rename_team_new")
        if st.form_submit_button("Rename") and old:
            edits.apply(teams_store.rename_team, la_code, old, new, done=f"{old} is now {' '.join(new.split())}")
    with right.form("merge_team", clear_on_submit=True):
        st.markdown("**Merge a team into another** from a month: its earlier figures keep its name.")
        merged = st.selectbox("Team that closes", in_use, index=None, placeholder="Choose a team",
                              key="merge_team_old")
        into = st.selectbox("Team it joins", in_use, index=None, placeholder="Choose a team", key="merge_team_into")
        when = st.date_input("From the month of", format="DD/MM/YYYY", key="merge_team_when")
        if st.form_submit_button("Merge") and merged and into:
            edits.apply(teams_store.merge_team, la_code, merged, into, when,
                        done=f"{merged} merged into {into} from {month_label(when)}")


IMPORT_ROUND_KEY = "catalogue_import_round"


def export_bytes() -> bytes:
    return catalogue_sheet.export_bytes(full_catalogue())


def import_form() -> None:
    """A catalogue file checked cell by cell, its changes listed, and applied in one step on confirm."""
    st.markdown("One row per KPI with the columns " + ", ".join(catalogue_sheet.EXPORT_COLUMNS) + " (as the "
                "download). A local row with a new code adds a local KPI; one whose code is a local KPI changes it; "
                "Status retires or restores it; statutory rows are left as they are. Every cell is checked first, "
                "and **nothing changes until there are no errors and you confirm**.")
    file = st.file_uploader("Catalogue (.xlsx, .xlsm, .ods or .csv)", type=["xlsx", "xlsm", "ods", "csv"],
                            key=f"catalogue_import_{st.session_state.get(IMPORT_ROUND_KEY, 0)}")
    if file is None:
        return
    with feedback.refusals("Your file has not been checked") as outcome, data.store() as con:
        parsed = catalogue_sheet.check_file(con, file.name, file.getvalue())
        changes = catalogue_sheet.changes(con, parsed)
    if outcome.refused:
        return
    if parsed.errors:
        st.error(f"**{plural(parsed.error_count, 'error')} in {md(file.name)}: nothing has been imported.** "
                 "Fix them in the spreadsheet and upload it again.", icon=":material/error:")
        st.dataframe(pd.DataFrame([i.as_row() for i in parsed.issues], columns=ISSUE_COLUMNS), hide_index=True,
                     width="stretch")
        return
    listed = [f"- **{VERBS[kind]}:** {', '.join(codes)}" for kind, codes in changes.items() if codes]
    if not listed:
        st.success("The file matches the catalogue: there is nothing to import.", icon=":material/check_circle:")
        return
    st.markdown("\n".join(listed))
    if st.button("Import these changes", type="primary", key="import_catalogue"):
        st.session_state[IMPORT_ROUND_KEY] = st.session_state.get(IMPORT_ROUND_KEY, 0) + 1
        importing = partial(catalogue_sheet.import_catalogue, analysts_may=load_settings().analysts_add_kpis)
        edits.apply(importing, parsed, done=f"{file.name} imported; every change is kept in the catalogue's history")


VERBS = {"added": "Add", "changed": "Change", "retired": "Retire", "restored": "Restore"}
