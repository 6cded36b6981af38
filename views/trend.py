"""KPI trend: one KPI's monthly line against its target, England and the notes that explain it."""
from __future__ import annotations

from functools import partial

import streamlit as st

from analysis import benchmarking, charts, draft, forecast, tables, variation
from records import kpi_edits
from store.spreadsheets import csv_bytes
from store.dates import month_label
from ui import attribution, data, edits, exports, feedback, identity, pack_cache, selection, team_figures
from ui.text import md

chosen = selection.page_start()
feedback.show_flash()
catalogue = data.catalogue()
st.title("KPI trend")
code = selection.kpi_picker(chosen, catalogue, "kpi_code")
meta = catalogue.set_index("code").loc[code]
st.markdown(f"{md(meta['definition'])}. Polarity: {tables.POLARITY_WORDS[meta['polarity']]}. "
            f"Source: {md(meta['source'])}.")

if chosen.period is None:
    st.warning(f"There is no data for {md(chosen.council_name)} yet: no monthly return and no published figure.")
    st.stop()

view = data.kpi_view_of(chosen.la_code, code, chosen.period)
series = view.series
if series.empty:
    st.warning(f"{md(chosen.council_name)} has no values for this KPI up to {month_label(chosen.period)}: no monthly "
               "return holds it and DfE publishes no council figure for it.")
    st.stop()
if view.published_only:
    st.info(f"No monthly return holds this KPI yet, so the chart shows {md(chosen.council_name)}'s published annual "
            "figures, each at the date it describes. Monthly returns, once uploaded, are drawn as a line.")
targets = view.targets
title = f"{meta['name']}: {chosen.council_name}"

# The two charts, each with the word that names it in the page's address.
charts_shown = {"Trend against target": "trend", "SPC chart (Making Data Count)": "spc"}
shown = st.radio("Chart", list(charts_shown), horizontal=True, **selection.linked(
    "chart_view", list(charts_shown), "Trend against target",
    selection.InAddress(selection.VIEW, charts_shown.get, omit="Trend against target")))
ahead = None
if shown.startswith("SPC") and view.published_only:
    st.info("An SPC chart needs monthly values; published figures come once a year. The trend chart is shown.")
if shown.startswith("SPC") and not view.published_only:
    result = variation.kpi_xmr(series, meta["polarity"], targets[-1], view.rebases["period"])
    read = variation.reading(result, targets[-1], meta["polarity"])
    st.markdown(f"**Variation:** {read.variation_text} · **Assurance:** {read.assurance_text} · {read.since_text}",
                help="Variation: where the process is now (the latest month's special cause, or common cause, "
                     "which is noise). Assurance: whether the target lies beyond the current process limits "
                     "(consistently hit or missed) or between them (hit and miss). Both are judged on the months "
                     "since the latest recalculation only; earlier periods are drawn with their own limits.")
    if result["short_group"].iloc[-1]:
        st.info("Trial limits: fewer than 13 months since the last recalculation, so treat signals with care.")
    figure = charts.spc_chart(title=title, unit=meta["unit"], result=result, target=targets,
                              annotations=view.annotations, rebases=view.rebases)
else:
    ahead = None if view.published_only else data.outlook(chosen.la_code, code, chosen.period)
    drawn = ahead is not None and isinstance(ahead.result, forecast.Forecast) and st.checkbox(
        "Forecast the next 12 months", value=True, key="show_forecast",
        help="Exponential smoothing fitted to the monthly figures since the latest SPC recalculation; the shaded "
             "ranges hold 80% and 95% of 1,000 simulated futures. A forecast, never data.")
    figure = charts.trend_chart(title=title, council_name=chosen.council_name, **view.chart_inputs(),
                                forecast=ahead.result if drawn else None)
    if not benchmarking.comparable(meta["unit"]):
        st.markdown("England and neighbour figures are not drawn: a count depends on the size of the council, so "
                    "only rates and percentages compare like for like.")
st.plotly_chart(figure, width="stretch")
if ahead is not None:
    result = ahead.result
    if isinstance(result, forecast.NoForecast):
        st.markdown(f"No forecast: {result.reason}")
    else:
        if ahead.sentence:
            st.markdown(f"**Will we hit it?** {md(ahead.sentence)}")
        st.markdown(f"Forecast: {result.method} fitted to the {result.months_used} monthly figures from "
                   f"{month_label(result.since)}; central line dotted, shaded ranges hold 80% and 95% of simulated "
                   "futures. A forecast, not data.")
if pack_cache.chart_renderable():
    exports.download("Download this chart (PNG)", partial(pack_cache.chart_png, figure), key="chart_png",
                     file_name=f"{chosen.la_code}_{code}_to_{chosen.period:%Y-%m}.png", what="KPI chart",
                     mime="image/png", help="The chart as a picture for a report, drawn when you press the button")

if not view.published_only:
    with st.expander("By team, locality or service", expanded=True):
        if not team_figures.show(chosen.la_code, chosen.council_name, view, chart=True):
            st.markdown("No figures by team for this KPI yet. A monthly return gives them in a `team`, `locality` or "
                        "`service` column beside the whole council's row.")

commentary = data.commentary(chosen.la_code, chosen.period)
current = commentary[commentary["kpi_code"] == code]
may_write = identity.actor().can("edit_commentary")
with st.expander(f"Commentary for {month_label(chosen.period)}", expanded=current.empty and may_write):
    proposed = ""
    if not current.empty:
        row = current.iloc[0]
        by = draft.byline(row["created_by"], row["created_at"], bool(row["drafted"]), "%d %b %Y %H:%M")
        st.markdown(f"{md(row['text'])}\n\n*{md(by)}*")
    else:
        proposed = data.draft_of(chosen.la_code, code, chosen.period)
        with st.container(key="commentary_draft"):
            st.markdown(f"*{draft.DRAFT_LABEL}:* {md(proposed)}")
        if may_write and st.button("Accept this draft as the month's commentary", key="accept_draft",
                                   help="Saved marked as drafted from the data, with your name as who accepted it"):
            edits.apply(partial(kpi_edits.add_commentary, drafted=True), chosen.la_code, code, chosen.period,
                        proposed, done="Draft accepted as the month's commentary, marked as drafted from the data")
    if may_write:
        with st.form("commentary", clear_on_submit=True):
            text = st.text_area("Commentary (what happened, and what is being done)", max_chars=2000,
                                value=proposed, key=f"commentary_text_{code}_{chosen.period:%Y-%m}",
                                help="Starts from the draft where there is no commentary yet: edit it into your own")
            if st.form_submit_button("Save commentary", key="save_commentary"):
                unchanged = bool(proposed) and text.strip() == proposed.strip()
                edits.apply(partial(kpi_edits.add_commentary, drafted=unchanged), chosen.la_code, code,
                            chosen.period, text, done="Commentary saved")

with st.expander("Notes on the chart and SPC recalculations"):
    if may_write:
        with st.form("annotation", clear_on_submit=True):
            when = st.date_input("Month", value=chosen.period, format="DD/MM/YYYY")
            text = st.text_input("Note (for example 'Ofsted focused visit')", max_chars=200)
            every_kpi = st.checkbox("Show on every KPI's chart")
            if st.form_submit_button("Add note"):
                edits.apply(kpi_edits.add_annotation, chosen.la_code, None if every_kpi else code, when, text,
                            done="Note added")
        with st.form("rebase", clear_on_submit=True):
            when = st.date_input("Recalculate SPC limits from", value=chosen.period, format="DD/MM/YYYY")
            reason = st.text_input("Why (a known change in the process)", max_chars=200, key="rebase_reason")
            if st.form_submit_button("Recalculate limits from this month", key="save_rebase"):
                edits.apply(kpi_edits.add_rebase, chosen.la_code, code, when, reason, done="Limits recalculated")
    else:
        st.markdown("Analysts add notes and recalculate SPC limits; the chart above shows the ones in force.")
    if not view.rebases.empty:
        st.dataframe(view.rebases[["period", "reason", "created_by"]], hide_index=True, width="stretch")

st.subheader("Data")
table = tables.trend_table(series, view.kpi_targets)
st.dataframe(table, hide_index=True, width="stretch")
exports.download("Download this data (CSV)", partial(csv_bytes, table),
                 file_name=f"{chosen.la_code}_{code}_to_{chosen.period:%Y-%m}.csv", what="KPI data",
                 mime="text/csv")

attribution.caption()
