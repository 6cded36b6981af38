"""Overview scorecard: every KPI, its latest value against target, direction and England."""
from __future__ import annotations

import streamlit as st

from analysis import tables
from store.dates import month_label
from ui import attribution, data, selection, table_styles
from ui.text import md

chosen = selection.page_start()
st.title("KPI overview")
if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet: no monthly return and no published figure. "
               "Upload a monthly return to see the scorecard.")
    st.stop()

card = data.scorecard(chosen.la_code, chosen.period)
st.markdown(f"{md(chosen.council_name)} · figures up to {month_label(chosen.period)}. A KPI without a monthly return "
            "shows its latest published figure, dated; England and neighbour figures are the latest published on "
            "or before the end of the month, with their date, and only for rates and percentages.")
st.markdown(tables.rag_summary(card))
st.markdown(tables.spc_period_line(card))
shown = st.radio("Show", tables.RAG_FILTERS, horizontal=True, key="rag_filter")
filtered = shown != tables.ALL_KPIS
if filtered:
    card = tables.off_target(card, shown)
    if card.empty:
        st.success(f"No KPI is {shown.lower()} this month.")

commentary = table_styles.red_commentary(card)
if commentary:
    with st.expander(f"Commentary on the {len(commentary)} KPIs off target", expanded=filtered):
        st.markdown("\n".join(f"- {line}" for line in commentary))

for group, rows in card.groupby("group", sort=False):
    st.subheader(group)
    table_styles.scorecard_table(rows)
    legend = table_styles.rule_legend(rows)
    if legend:
        st.markdown(legend)

attribution.caption()
