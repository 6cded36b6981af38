"""Benchmarks: how the council ranks among all councils, its statistical neighbours and England for one KPI."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from analysis import benchmarking, charts, kpi, tables
from records import neighbour_choice
from store.spreadsheets import csv_bytes
from ui import attribution, data, edits, exports, feedback, identity, selection
from ui.text import md


def neighbour_model() -> None:
    """Which statistical-neighbour model every figure here uses: those who may edit targets choose it for the
    council; everyone else is told which it is."""
    groups = data.neighbour_groups(chosen.la_code)
    models = sorted(groups["model"].unique())
    if not models:
        st.markdown("No statistical-neighbour table is loaded for this council yet, so there is no neighbour average.")
        return
    in_use = benchmarking.choose_model(groups, data.neighbour_model(chosen.la_code))
    if identity.actor().can("edit_targets"):
        picked = st.selectbox("Statistical neighbour model", models, index=models.index(in_use), key="neighbour_model",
                              help=f"The ten councils {md(chosen.council_name)} is compared with in every neighbour "
                                   "average, on every page and in the board pack.")
        if picked != in_use and st.button(f"Compare with {md(picked)} from now on", key="use_neighbour_model"):
            edits.apply(neighbour_choice.set_neighbour_model, chosen.la_code, picked,
                        done=f"{chosen.council_name} is now compared with its neighbours in {picked}")
    else:
        st.markdown(f"Statistical neighbour model: **{md(in_use)}**")
    st.markdown(f"Until the council chooses a model, the newest loaded is used "
               f"({md(benchmarking.choose_model(groups))}), since DfE replaces the model every few years.")


chosen = selection.page_start()
feedback.show_flash()
catalogue = data.catalogue()
st.title("Benchmarks")
neighbour_model()
code = selection.kpi_picker(chosen, catalogue, "benchmark_kpi")
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
                            councils=data.councils(), neighbours=data.neighbours(chosen.la_code), england=england,
                            unit=meta["unit"])

when = benchmarking.year_label(year, month)
own = result.table.loc[result.table["Code"] == chosen.la_code, "Value"]
own_text = kpi.format_value(float(own.iloc[0]) if len(own) else None, meta["unit"], meta["decimals"])
st.subheader(f"{md(chosen.council_name)}: {result.standing.text}")
unit, decimals = meta["unit"], int(meta["decimals"])
if benchmarking.comparable(unit):
    at_year_end = benchmarking.comparators(code, unit, meta["polarity"], month, chosen.la_code,
                                           pd.Timestamp(year, month, 1).date(),
                                           data.peers(chosen.la_code), england)
    region = at_year_end.region
    region_words = ("" if region.value is None else
                    f"{md(data.peers(chosen.la_code).region)} **{kpi.format_value(region.value, unit, decimals)}** "
                    f"({region.as_at_text}); ")
    england_words = ("no England figure for this year yet" if result.england is None
                     else f"England **{kpi.format_value(result.england, unit, decimals)}**")
    st.markdown(
        f"{md(meta['name'])} at {when}: **{own_text}**. "
        f"Statistical-neighbour average **{kpi.format_value(result.average.value, unit, decimals)}**; "
        f"{region_words}{england_words}. Polarity: {tables.POLARITY_WORDS[meta['polarity']]}."
    )
else:
    st.markdown(
        f"{md(meta['name'])} at {when}: **{own_text}**. A {'count' if unit == 'count' else 'number of FTE'} "
        "depends on the size of the council, so it is not set beside England's total or a neighbour average, and the ranking below orders "
        "councils by size as much as by practice: compare the rates and percentages."
    )
st.markdown(
    (f"{result.average.note} " if benchmarking.comparable(unit) else "") + "Rank 1 is the "
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

attribution.caption()
