"""Benchmarks: how the council ranks among all councils, its statistical neighbours and England for one KPI."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis import benchmarking, charts, kpi, tables
from store.spreadsheets import csv_bytes
from ui import data, exports, selection
from ui.text import md

chosen = selection.page_start()
catalogue = data.catalogue()
st.title("Benchmarks")
names = dict(zip(catalogue["code"], catalogue["name"]))
code = st.selectbox("KPI", catalogue["code"].tolist(), format_func=lambda c: f"{names[c]} ({c})",
                    key="benchmark_kpi")
meta = catalogue.set_index("code").loc[code]
england = data.england()
england = england[england["kpi_code"] == code]
month, annual = data.annual_values(code, meta["kpi_group"])
years = [] if chosen.period is None else benchmarking.years_available(annual, chosen.la_code, month, chosen.period)
if not years:
    st.warning(f"{md(chosen.council_name)} has no value for this KPI in any year-end month, so there is nothing to "
               "compare yet.")
    st.stop()
year = st.selectbox("Year ending", years, format_func=lambda y: benchmarking.year_label(y, month), key=f"benchmark_year_{month}")
result = benchmarking.compare(annual=annual, year=year, month=month, home=chosen.la_code, polarity=meta["polarity"],
                            councils=data.councils(), neighbours=data.neighbours(chosen.la_code), england=england)

when = benchmarking.year_label(year, month)
own = result.table.loc[result.table["Code"] == chosen.la_code, "Value"]
own_text = kpi.format_value(float(own.iloc[0]) if len(own) else None, meta["unit"], meta["decimals"])
st.subheader(f"{md(chosen.council_name)}: {result.standing.text}")
england_words = ("no England figure for this year yet" if result.england is None
                 else f"England **{kpi.format_value(result.england, meta['unit'], meta['decimals'])}**")
st.markdown(
    f"{md(meta['name'])} at {when}: **{own_text}**. "
    f"Statistical-neighbour average **{kpi.format_value(result.average.value, meta['unit'], meta['decimals'])}**; "
    f"{england_words}. Polarity: {tables.POLARITY_WORDS[meta['polarity']]}."
)
st.markdown(
    f"{result.average.note} Rank 1 is the "
    f"{'best' if meta['polarity'] in benchmarking.RANKED_POLARITIES else 'highest'} value; band A is the best quarter "
    "of councils. Councils without a DfE figure are compared on their own monthly return for the year-end month."
)
st.plotly_chart(
    charts.ranked_bar_chart(title=f"{meta['name']}, {when}: all councils, best first"
                            if meta["polarity"] in benchmarking.RANKED_POLARITIES
                            else f"{meta['name']}, {when}: all councils, highest first",
                            unit=meta["unit"], decimals=int(meta["decimals"]), bars=result.bars),
    width="stretch",
)
st.plotly_chart(
    charts.benchmark_trend_chart(title=f"{meta['name']}: {chosen.council_name} over the years", unit=meta["unit"],
                                 council_name=chosen.council_name, trend=result.trend,
                                 neighbour_label="Statistical-neighbour average"),
    width="stretch",
)
st.subheader("All councils")
st.dataframe(result.table, hide_index=True, width="stretch")
exports.download("Download this table (CSV)", partial(csv_bytes, result.table),
                 file_name=f"benchmarks_{code}_{year}.csv", what="Benchmark table", mime="text/csv")
