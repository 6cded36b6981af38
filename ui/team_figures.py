"""A KPI by team on the pages: the KPI trend page shows the panels and the month's table, the Overview drills from
a KPI to the same table."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import breakdowns, kpi
from analysis.kpi_view import KpiView
from store.dates import month_label
from ui import data


def month_table(la_code: str, view: KpiView, values: pd.DataFrame) -> pd.DataFrame:
    card = view.card
    rule = kpi.rules_from(data.rag_rules(la_code)).get(view.code)
    target = None if pd.isna(card["target"]) else float(card["target"])
    floor = None if pd.isna(card["floor"]) else float(card["floor"])
    return breakdowns.month_table(values, view.series, view.until, unit=view.unit, decimals=view.decimals,
                                  polarity=str(view.meta["polarity"]), target=target, floor=floor,
                                  target_kind=card["target_kind"], rule=rule,
                                  team_targets=data.team_targets(la_code, view.code))


def show(la_code: str, council_name: str, view: KpiView, *, chart: bool) -> bool:
    """The KPI's teams for the view's month (and, with `chart`, their trends); False when it has none."""
    values = data.team_values(la_code, view.code, view.until)
    if values.empty:
        return False
    table = month_table(la_code, view, values)
    month = month_label(view.until)
    if table.empty:
        latest = month_label(pd.Timestamp(values["period"].max()))
        st.markdown(f"No team figures for {month}; the latest are for {latest}.")
    else:
        st.markdown(f"Each team in {month} against its own target where it has one, else the council's, worst "
                    "first; ▲▼ show which way the figure moved since the team's previous month, the RAG word whether "
                    "it meets the target.")
        st.dataframe(table, hide_index=True, width="stretch")
    if chart:
        figure = breakdowns.team_chart(title=f"{view.name} by team: {council_name}", unit=view.unit,
                                       decimals=view.decimals, council_name=council_name, values=values,
                                       council=view.series, targets=view.targets)
        st.plotly_chart(figure, width="stretch")
    return True


def kpis_with_teams(la_code: str, period: date) -> list[str]:
    return data.kpis_with_team_values(la_code, period)
