"""Workforce: caseload, turnover, agency, vacancies and absence against target, England and neighbours.

These are what councillors ask about most after an inspection, so they are brought together on one page.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import benchmarking, charts, kpi
from store.dates import month_label
from ui import data, selection
from ui.text import md

WORKFORCE_KPIS = ("SW_CASELOAD", "SW_TURNOVER_PCT", "SW_AGENCY_PCT", "SW_VACANCY_PCT", "SW_ABSENCE_PCT")
TREND_MONTHS = 24

chosen = selection.page_start()
st.title("Workforce")
if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet. Upload a monthly return to see the workforce.")
    st.stop()

card = data.scorecard(chosen.la_code, chosen.period).set_index("kpi_code")
catalogue = data.catalogue().set_index("code")
all_england = data.england()
all_targets = data.targets(chosen.la_code)
councils = data.councils()
neighbours = data.neighbours(chosen.la_code)
st.markdown(f"{md(chosen.council_name)} · figures up to {month_label(chosen.period)} · "
            "England and neighbour figures are annual, as at 30 September (the workforce census).")

for code in WORKFORCE_KPIS:
    row, meta = card.loc[code], catalogue.loc[code]
    england = all_england[all_england["kpi_code"] == code]
    st.subheader(row["name"])
    left, right = st.columns([1, 2], vertical_alignment="center")
    with left:
        st.metric(f"Latest ({month_label(row['latest_period'])})", row["latest_text"],
                  help=f"{meta['definition']}.")
        st.markdown(f"**Target:** {row['target_text']}  \n**RAG:** {row['rag_text']}  \n"
                    f"**Direction:** {row['direction_text']}  \n"
                    f"**England:** {row['england_text']}"
                    + (f" ({int(row['england_year'])})" if pd.notna(row["england_year"]) else ""))
        month = benchmarking.period_end_month(code, meta["kpi_group"], england)
        annual = benchmarking.annual_values(data.kpi_benchmarks(code, "la"), data.period_end_values(code, month), month)
        years = benchmarking.years_available(annual, chosen.la_code, month, chosen.period)
        if years:
            result = benchmarking.compare(annual=annual, year=years[0], month=month, home=chosen.la_code,
                                        polarity=meta["polarity"], councils=councils, neighbours=neighbours,
                                        england=england)
            st.markdown(f"**At {benchmarking.year_label(years[0], month)}:** {result.standing.text}; "
                        f"neighbour average {kpi.format_value(result.average.value, meta['unit'], meta['decimals'])}")
    with right:
        series = data.kpi_series(chosen.la_code, code, chosen.period).tail(TREND_MONTHS)
        if series.empty:
            st.info("No monthly values yet.")
            continue
        targets = all_targets[all_targets["kpi_code"] == code]
        figure = charts.trend_chart(
            title=f"Last {TREND_MONTHS} months", unit=meta["unit"], decimals=int(meta["decimals"]),
            council_name=chosen.council_name,
            series=series, targets=kpi.target_series(targets, series["period"]),
            england=england[pd.to_datetime(england["period_end"]) >= pd.to_datetime(series["period"]).min()],
        )
        figure.update_layout(height=360, title_font_size=16, margin=dict(t=50, b=40))
        figure.update_xaxes(title_text=None)
        st.plotly_chart(figure, width="stretch", key=f"workforce_{code}")
