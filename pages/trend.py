"""KPI trend: one KPI's monthly line against its target, England and the notes that explain it."""
from __future__ import annotations

import streamlit as st

from analysis import charts, kpi
from ui import data, selection, tables

chosen = selection.page_start()
catalogue = data.catalogue()
st.title("KPI trend")
names = dict(zip(catalogue["code"], catalogue["name"]))
code = st.selectbox("KPI", catalogue["code"].tolist(), format_func=lambda c: f"{names[c]} ({c})", key="kpi_code")
meta = catalogue.set_index("code").loc[code]
st.markdown(f"{meta['definition']}. Polarity: {tables.POLARITY_WORDS[meta['polarity']]}. Source: {meta['source']}.")

if chosen.period is None:
    st.warning(f"There is no data for {chosen.council_name} yet.")
    st.stop()

series = data.kpi_series(chosen.la_code, code, chosen.period)
if series.empty:
    st.warning(f"{chosen.council_name} has no values for this KPI up to {charts.month_label(chosen.period)}.")
    st.stop()

kpi_targets = data.targets(chosen.la_code)
kpi_targets = kpi_targets[kpi_targets["kpi_code"] == code]
england = data.england()
england = england[(england["kpi_code"] == code) & (england["period_end"] >= series["period"].min())]
figure = charts.trend_chart(
    title=f"{meta['name']}: {chosen.council_name}",
    unit=meta["unit"],
    council_name=chosen.council_name,
    series=series,
    targets=kpi.target_series(kpi_targets, series["period"]),
    floors=kpi.target_series(kpi_targets[kpi_targets["kind"] == "floor"].assign(kind="local"), series["period"]),
    england=england,
    annotations=data.annotations(chosen.la_code, code),
)
st.plotly_chart(figure, width="stretch")

st.subheader("Data")
table = tables.trend_table(series, kpi_targets)
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Download this data (CSV)",
    table.to_csv(index=False).encode("utf-8-sig"),
    file_name=f"{chosen.la_code}_{code}_to_{chosen.period:%Y-%m}.csv",
    mime="text/csv",
)
