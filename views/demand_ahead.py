"""Demand ahead: children looked after, in need and on plans, and caseloads, forecast a year ahead with their
ranges, and the social workers the caseload forecast implies, for the budget conversation."""
from __future__ import annotations

import streamlit as st

from analysis import charts, demand, forecast, kpi
from store.dates import month_label
from ui import attribution, data, feedback, selection
from ui.text import md

chosen = selection.page_start()
feedback.show_flash()
st.title("Demand ahead")
if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet: forecasts need monthly figures.")
    st.stop()
st.markdown(f"{md(chosen.council_name)}'s demand a year on from {month_label(chosen.period)}: each forecast is "
            "fitted to the monthly figures since the KPI's latest SPC recalculation, drawn dotted with the ranges "
            "80% and 95% of simulated futures fall in. Forecasts, not data: they say where the recent pattern leads "
            "if nothing changes.")

catalogue = data.catalogue().set_index("code")
outlooks = {}
for column, code in zip(st.columns(2) * len(demand.DEMAND_KPIS), demand.DEMAND_KPIS):
    if code not in catalogue.index:
        continue
    view = data.kpi_view_of(chosen.la_code, code, chosen.period)
    ahead = data.outlook(chosen.la_code, code, chosen.period)
    outlooks[code] = ahead.result
    with column:
        if view.series.empty or view.published_only or isinstance(ahead.result, forecast.NoForecast):
            reason = ahead.result.reason if isinstance(ahead.result, forecast.NoForecast) else \
                "Forecasts need monthly figures."
            st.markdown(f"**{md(view.name)}**: no forecast. {md(reason)}")
            continue
        result = ahead.result
        recent = view.last_months(36)
        figure = charts.trend_chart(title=f"{view.name}: {chosen.council_name}", council_name=chosen.council_name,
                                    **recent.chart_inputs(), forecast=result, width=440, height=400)
        st.plotly_chart(figure, width="stretch", key=f"demand_{code}")
        last = len(result.periods) - 1
        st.markdown(f"{month_label(result.periods[last])}: about "
                    f"{kpi.format_value(result.central[last], view.unit, view.decimals)} (80%: "
                    f"{kpi.format_value(result.lower[last], view.unit, view.decimals)} to "
                    f"{kpi.format_value(result.upper[last], view.unit, view.decimals)}), against "
                    f"{view.card['latest_text']} in {view.card['latest_when']}.")

st.subheader("Social workers needed")
caseload, fte = outlooks.get(demand.CASELOAD), data.outlook(chosen.la_code, demand.FTE, chosen.period).result
if not isinstance(caseload, forecast.Forecast) or not isinstance(fte, forecast.Forecast):
    st.markdown("Needs forecasts of both the average caseload and social workers in post (24 monthly figures "
                "each).")
else:
    view = data.kpi_view_of(chosen.la_code, demand.CASELOAD, chosen.period)
    target, _ = forecast.target_and_due(view.kpi_targets, chosen.period)
    planned = st.number_input("Caseload to plan for (cases per case-holding social worker)", min_value=5.0,
                              max_value=40.0, value=float(target) if target else 18.0, step=0.5,
                              help="The caseload target in force, unless you try another")
    need = demand.workforce_need(caseload, fte, data.kpi_view_of(chosen.la_code, demand.FTE, chosen.period).series,
                                 planned)
    st.markdown(md(need.sentence))
    st.dataframe(need.table, hide_index=True, width="stretch")

attribution.caption()
