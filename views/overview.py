"""Overview scorecard: every KPI, its latest value against target, direction and England; a row opens its trend."""
from __future__ import annotations

import streamlit as st

from analysis import forecast, tables
from store.dates import month_label
from ui import attribution, data, selection, table_styles, team_figures
from ui.text import md

TREND_PAGE = "views/trend.py"
# Each filter with the word that names it in the page's address.
FILTER_WORDS = {tables.ALL_KPIS: "all", tables.OFF_TARGET: "off", tables.OFF_OR_WITHIN: "off-or-within"}

chosen = selection.page_start()
st.title("KPI overview")
if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet: no monthly return and no published figure. "
               "Upload a monthly return to see the scorecard.")
    st.stop()

card = data.scorecard(chosen.la_code, chosen.period)
month = month_label(chosen.period)
st.markdown(f"{md(chosen.council_name)} · figures up to {month}. A KPI without a monthly return "
            "shows its latest published figure, dated; England and neighbour figures are the latest published on "
            "or before the end of the month, with their date, and only for rates and percentages.")
st.markdown(tables.rag_summary(card))
st.markdown(tables.spc_period_line(card))
shown = st.radio("Show", tables.RAG_FILTERS, horizontal=True, **selection.linked(
    "rag_filter", list(tables.RAG_FILTERS), tables.ALL_KPIS,
    selection.InAddress(selection.SHOW, FILTER_WORDS.get, omit=tables.ALL_KPIS)))
filtered = shown != tables.ALL_KPIS
if filtered:
    card = tables.off_target(card, shown)
    if card.empty:
        st.success(f"No KPI is {shown.lower()} this month.")

targeted = card[card["polarity"].isin(["high", "low"]) & card["target"].notna()]
if not targeted.empty and st.toggle("Will we hit it? Forecast each KPI with a target", key="outlooks",
                                    help="A forecast of each KPI's next 12 months from its monthly figures, and the "
                                         "chance of meeting its target when it is due; the first time after new "
                                         "figures it takes a few seconds."):
    ahead = data.outlooks(chosen.la_code, chosen.period, targeted["kpi_code"].tolist())
    outlooks = forecast.outlook_table(targeted, ahead)
    st.dataframe(outlooks.drop(columns="In words"), hide_index=True, width="stretch")
    with st.expander("Each outlook in words"):
        st.markdown("\n".join(f"- {md(sentence)}" for sentence in outlooks["In words"]))
    st.markdown("Furthest from the target first. A forecast, not data: each is fitted to the KPI's monthly figures "
                "since its latest SPC recalculation; KPIs with fewer than 24 are not forecast. The KPI trend page "
                "draws each forecast with its 80% and 95% ranges.")

commentary = table_styles.red_commentary(card)
if commentary:
    with st.expander(f"Commentary on the {len(commentary)} KPIs off target", expanded=filtered):
        st.markdown("\n".join(f"- {line}" for line in commentary))

layout = table_styles.scorecard_layout(chosen.la_code, chosen.period, shown)
st.html(table_styles.fit_css(layout.table_width))
with st.container(key="overview"):
    with st.container(key="scorecard_table_hint"):
        st.markdown(f"Choose a KPI's row to open its trend for {month}: tick the box at the start of the row, or "
                    "press Shift and Space in the row.")
    with st.container(key="scorecard_list_hint"):
        st.markdown(f"Each KPI's name opens its trend for {month}.")
    for index, group in enumerate(layout.groups):
        st.subheader(group.name)
        with st.container(key=f"scorecard_table_{index}"):
            picked = table_styles.scorecard_table(group, layout.widths, key=f"scorecard_{index}")
        if picked is not None:
            st.switch_page(TREND_PAGE, query_params=selection.kpi_link(chosen, picked))
        with st.container(key=f"scorecard_list_{index}"):
            table_styles.scorecard_list(group, TREND_PAGE, lambda code: selection.kpi_link(chosen, code))
        if group.legend:
            st.markdown(group.legend)

with_teams = team_figures.kpis_with_teams(chosen.la_code, chosen.period)
if with_teams:
    st.subheader(f"By team in {month}")
    names = data.catalogue().set_index("code")["name"]
    drilled = st.selectbox("KPI", with_teams, format_func=lambda code: names.get(code, code), key="team_kpi",
                           help="The KPIs with figures by team, locality or service this month")
    team_figures.show(chosen.la_code, chosen.council_name, data.kpi_view_of(chosen.la_code, drilled, chosen.period),
                    chart=False)
    st.page_link(TREND_PAGE, label="Open its trend, with each team's panel",
                 query_params=selection.kpi_link(chosen, drilled), icon=":material/show_chart:")

attribution.caption()
