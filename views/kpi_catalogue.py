"""KPI catalogue: every KPI the dashboard knows, statutory and the council's own, and the council's teams, with
the forms that add, retire and restore local KPIs and rename and merge teams."""
from __future__ import annotations

import streamlit as st

from store.words import plural
from ui import catalogue_forms, data, exports, feedback, identity, selection, uploads
from ui.text import md

identity.page_needs("view")
chosen = selection.page_start()
st.title("KPI catalogue")
feedback.show_flash()
st.markdown("The statutory KPIs come with the dashboard and are compared with England, the region and statistical "
            "neighbours. **Local KPIs** are the council's own measures (case audits, supervision, return home "
            "interviews): they are marked *(local)* wherever they appear, and have no England comparator. A local "
            "KPI with figures is retired, never deleted, and every change is kept.")

full = catalogue_forms.full_catalogue()
local = int((full["origin"] == "local").sum())
st.subheader(f"{plural(len(full), 'KPI')}: {len(full) - local:,} statutory, {local:,} local")
st.dataframe(catalogue_forms.catalogue_table(full), hide_index=True, width="stretch")
exports.download("Download the catalogue (.xlsx)", catalogue_forms.export_bytes, file_name="kpi_catalogue.xlsx",
                 what="KPI catalogue", mime=uploads.XLSX_MIME, icon=":material/download:",
                 help="Every KPI in the columns the import reads: add the council's own measures as rows and import it")

if catalogue_forms.may_edit():
    st.subheader("Add a local KPI")
    catalogue_forms.add_form([], "add_local_kpi", submit="Add the local KPI",
                        done="Local KPI added: uploads now take it by its code or name, and the pages show it")
    catalogue_forms.retire_form(full)
    with st.expander("Import local KPIs from a spreadsheet"):
        catalogue_forms.import_form()
else:
    st.info(f"Local KPIs are added, retired and restored by {catalogue_forms.who_may()}.", icon=":material/info:")

changes = catalogue_forms.versions()
with st.expander(f"Changes to the catalogue ({len(changes):,})"):
    if changes.empty:
        st.markdown("No local KPI has been added or changed yet.")
    else:
        st.dataframe(catalogue_forms.versions_table(changes), hide_index=True, width="stretch")

teams = data.teams(chosen.la_code)
st.subheader("Teams, localities and services")
if teams.empty:
    st.markdown(f"No figures by team for {md(chosen.council_name)} yet. A monthly return gives them in a `team`, "
                "`locality` or `service` column beside the whole council's row; each new name becomes a team here.")
else:
    st.dataframe(catalogue_forms.teams_table(teams), hide_index=True, width="stretch")
    if identity.actor().can("upload"):
        catalogue_forms.team_forms(chosen.la_code, teams)
