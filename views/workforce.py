"""Workforce: caseload, turnover, agency, vacancies and absence against target, England and neighbours.

These are what councillors ask about most after an inspection, so they are brought together on one page.
"""
from __future__ import annotations

import streamlit as st

from analysis import charts, kpi
from store.dates import month_label
from ui import attribution, data, selection
from ui.text import md

WORKFORCE_KPIS = ("SW_CASELOAD", "SW_TURNOVER_PCT", "SW_AGENCY_PCT", "SW_VACANCY_PCT", "SW_ABSENCE_PCT")
TREND_MONTHS = 24

chosen = selection.page_start()
st.title("Workforce")
if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet: no monthly return and no published figure.")
    st.stop()

card = data.scorecard(chosen.la_code, chosen.period).set_index("kpi_code")
catalogue = data.catalogue().set_index("code")
st.markdown(f"{md(chosen.council_name)} · figures up to {month_label(chosen.period)} · "
            "England, region and neighbour figures are annual, as at 30 September (the workforce census).")

for code in WORKFORCE_KPIS:
    row, meta = card.loc[code], catalogue.loc[code]
    st.subheader(row["name"])
    left, right = st.columns([1, 2], vertical_alignment="center")
    with left:
        st.metric(f"Latest ({row['latest_when']})", row["latest_text"], help=f"{meta['definition']}.")
        gap = f" ({row['gap_text']})" if row["target_text"] != "–" else ""
        st.markdown(f"**Target:** {row['target_text']}  \n**RAG:** {row['rag_text']}{gap}  \n"
                    f"**On {kpi.PREVIOUS_WORDS[row['latest_kind']]}:** {row['direction_text']}  \n"
                    f"**England:** {row['england_text']}  \n**Region:** {row['region_text']}  \n"
                    f"**Neighbour average:** {row['neighbour_text']}  \n**Rank:** {row['rank_text']}\n\n{md(row['sentence'])}")
    with right:
        view = data.kpi_view_of(chosen.la_code, code, chosen.period)
        if view.series.empty:
            st.info("No monthly return and no published figure yet.")
            continue
        shown = view.last_months(TREND_MONTHS)
        figure = charts.trend_chart(
            title=f"{row['name']}: published figures, 30 September each year" if view.published_only
            else f"{row['name']}: the last {TREND_MONTHS} months",
            council_name=chosen.council_name, width=charts.NARROWEST, height=360, **shown.chart_inputs())
        st.plotly_chart(figure, width="stretch", key=f"workforce_{code}")

attribution.caption()
