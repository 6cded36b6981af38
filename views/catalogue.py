"""KPI catalogue: every KPI the dashboard knows, statutory and the council's own, and the forms that add, retire
and restore local KPIs."""
from __future__ import annotations

import streamlit as st

from store.words import plural
from ui import feedback, identity, local_kpis

identity.page_needs("view")
st.title("KPI catalogue")
feedback.show_flash()
st.markdown("The statutory KPIs come with the dashboard and are compared with England, the region and statistical "
            "neighbours. **Local KPIs** are the council's own measures (case audits, supervision, return home "
            "interviews): they are marked *(local)* wherever they appear, and have no England comparator. A local "
            "KPI with figures is retired, never deleted, and every change is kept.")

full = local_kpis.full_catalogue()
local = int((full["origin"] == "local").sum())
st.subheader(f"{plural(len(full), 'KPI')}: {len(full) - local:,} statutory, {local:,} local")
st.dataframe(local_kpis.catalogue_table(full), hide_index=True, width="stretch")

if local_kpis.may_edit():
    st.subheader("Add a local KPI")
    local_kpis.add_form([], "add_local_kpi", submit="Add the local KPI",
                        done="Local KPI added: uploads now take it by its code or name, and the pages show it")
    local_kpis.retire_form(full)
else:
    st.info(f"Local KPIs are added, retired and restored by {local_kpis.who_may()}.", icon=":material/info:")

changes = local_kpis.versions()
with st.expander(f"Changes to the catalogue ({len(changes):,})"):
    if changes.empty:
        st.markdown("No local KPI has been added or changed yet.")
    else:
        st.dataframe(local_kpis.versions_table(changes), hide_index=True, width="stretch")
