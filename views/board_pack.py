"""Board pack: the month's KPIs as a PowerPoint deck and the numbers behind it as Excel, in one click.

Before the pack is made, its pre-flight list (`export.preflight`) says what would go out wrong or unexplained;
each item is fixed elsewhere or ticked as seen, and the ticks go to the audit log when the pack is made. Once made,
every slide is previewed, small, before anyone downloads it.
"""
from __future__ import annotations

import streamlit as st

from analysis.disclosure import NOTE
from export import deck, pack
from export.gather import CHART_KINDS, INTERNAL, MARKINGS, PUBLICATION, PackOptions
from store.dates import month_label
from store.words import plural
from ui import data, exports, feedback, identity, pack_cache
from ui.text import md

CHOOSE = "Choose KPIs"
PREVIEW_COLUMNS = 3
PREVIEW_LINES = 3  # lines of a slide's words under its picture (a KPI's value, target, RAG); the rest opens below
AUDIENCES = {INTERNAL: f"Internal ({MARKINGS[INTERNAL]}): small numbers shown",
             PUBLICATION: f"For publication ({MARKINGS[PUBLICATION]}): counts of 1 to 5 shown as c"}

chosen, saved = pack_cache.page_start("Board pack")
pack_cache.warm_up()
catalogue = data.catalogue()
names = dict(zip(catalogue["code"], catalogue["name"]))
st.markdown(f"{md(chosen.council_name)} · figures up to {month_label(chosen.period)} (change the council and month in "
            "the sidebar)")

left, right = st.columns(2)
with left:
    which = st.radio("KPIs", [*saved, CHOOSE], key="pack_selection", format_func=md,
                     help="Saved selections are kept in data/pack_selections.csv.")
    if which == CHOOSE:
        codes = st.multiselect("KPIs in the pack", catalogue["code"].tolist(), key="pack_kpis",
                               format_func=lambda c: names[c], placeholder="Choose one or more KPIs")
    else:
        codes = saved[which]
    user = identity.actor()
    audience = st.radio("Audience", [a for a in AUDIENCES if user.can(pack_cache.EXPORT_PERMISSIONS[a])],
                        format_func=AUDIENCES.get, key="pack_audience",
                        help=None if user.can("export_publication") else "Analysts make packs for publication.")
with right:
    chart = st.radio("Charts", list(CHART_KINDS), format_func=CHART_KINDS.get, key="pack_chart")
    spc_words = st.checkbox("Show SPC variation and assurance words on each KPI slide", value=True,
                            key="pack_spc_words")
    months = st.slider("Months on each chart", min_value=12, max_value=60, value=24, step=6, key="pack_months")

if audience == PUBLICATION:
    st.info(f"Disclosure control is applied to the deck and the workbook. {NOTE}", icon=":material/shield:")

with feedback.refusals(warning=True) as outcome:
    options = PackOptions(chosen.la_code, chosen.council_name, chosen.period, tuple(codes), audience=audience,
                          title="Selected KPIs" if which == CHOOSE else which, chart=chart, spc_words=spc_words,
                          months=months, prepared_by=user.email, is_demo=chosen.is_demo)
if outcome.refused:
    st.stop()

st.subheader("Slides")
titles = deck.slide_titles([names[c] for c in codes], title=pack.title_of(options),
                          has_plan=pack_cache.plan_summary(options) is not None)
st.markdown("\n".join(f"{i}. {md(title)}" for i, title in enumerate(titles, start=1)))
st.markdown("Every KPI slide has its chart (with alt text), the month's commentary and a footer naming the data "
           "source and the upload. The workbook has the scorecard and a sheet of numbers per KPI.")

st.subheader("Before you make the pack")
items = pack_cache.preflight_items(options)
ticks = {item.key: f"preflight_{options.la_code}_{options.period:%Y-%m}_{item.key}" for item in items}
if items:
    st.markdown(f"{plural(len(items), 'thing')} to check before the pack goes out. Put each right where it says, or "
                "tick it to make the pack as it is: what you tick is recorded in the audit log.")
    st.button("Acknowledge all", key="preflight_all",
              on_click=lambda: st.session_state.update(dict.fromkeys(ticks.values(), True)))
    for item in items:
        st.checkbox(f"**{md(item.subject)}**: {md(item.problem)} {md(item.fix)}", key=ticks[item.key])
else:
    st.success("Nothing to check: every KPI has its month's figure, every one off target or within tolerance has "
               "its commentary, no target has ended unreplaced, and the month is the latest loaded.",
               icon=":material/check_circle:")
waiting = [item for item in items if not st.session_state.get(ticks[item.key])]

if st.button("Make the pack", type="primary", key="make_pack", disabled=bool(waiting),
             help="Put right or tick each item above first." if waiting else None) and not waiting:
    # `not waiting` again: a click from a page drawn before a new item appeared (new figures loaded meanwhile)
    # must not make the pack past an item nobody has seen.
    if pack_cache.acknowledge(options, items, user):
        st.session_state["pack_made"] = options
    else:
        st.warning("The database is busy, so the acknowledgements could not be recorded and the pack was not made. "
                   "Try again in a moment.")
if waiting:
    st.caption(f"Put right or tick the {plural(len(waiting), 'item')} above to make the pack.")
if st.session_state.get("pack_made") == options:
    with st.spinner(f"Drawing {len(codes)} charts and assembling the deck…"):
        with feedback.refusals() as outcome:
            made = pack_cache.build(options, user)
        if outcome.refused:
            st.stop()
    if made is not None:
        st.success(f"The pack is ready: {len(made.slides)} slides, marked {options.marking}.",
                   icon=":material/check_circle:")
        one, two = st.columns(2)
        details = {"council": options.la_code, "month": options.period, "kpis": list(options.kpi_codes),
                   "marking": options.marking}
        with one:
            exports.download("Download the slides (.pptx)", made.pptx, file_name=f"{made.file_stem}.pptx",
                             what="Board pack slides", audience=audience, details=details, mime=pack.PPTX_MIME,
                             type="primary", key="download_pptx")
        with two:
            exports.download("Download the numbers (.xlsx)", made.xlsx, file_name=f"{made.file_stem}.xlsx",
                             what="Board pack numbers", audience=audience, details=details, mime=pack.XLSX_MIME,
                             key="download_xlsx")
        st.subheader("Preview")
        st.markdown(f"Every slide, small, with its first lines; each is marked {options.marking}.")
        shown = pack_cache.previews(made.pptx)
        for start in range(0, len(shown), PREVIEW_COLUMNS):
            for column, (number, slide) in zip(st.columns(PREVIEW_COLUMNS),
                                               enumerate(shown[start:start + PREVIEW_COLUMNS], start=start + 1)):
                lines = [md(line) for line in slide.lines if line != options.marking]
                with column.container(border=True):
                    st.markdown(f"**{number}. {md(slide.title)}**")
                    if slide.chart is not None:
                        st.image(slide.chart, alt=slide.chart_alt, width="stretch", output_format="PNG")
                    st.caption("  \n".join(lines[:PREVIEW_LINES]))
                    if len(lines) > PREVIEW_LINES:
                        with st.expander("Every word on the slide"):
                            st.caption("  \n".join(lines))
elif "pack_made" in st.session_state:
    st.info("The choices have changed since the pack was made: make it again to download it.")
