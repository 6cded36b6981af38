"""Presentation view: one KPI at a time for the meeting room, large type, high contrast, keyboard next/previous."""
from __future__ import annotations

import streamlit as st

from analysis import kpi
from analysis.disclosure import NOTE
from export import figures
from export.gather import INTERNAL, PUBLICATION, PackOptions
from store.dates import month_label
from ui import attribution, data, feedback, identity, pack_cache
from ui.text import md

ALL = "All KPIs"
INDEX = "present_index"
# Black on white and white on near-black: contrast far above the 7:1 of WCAG AAA, sizes for the back of a room.
STYLE = """
<style>
.st-key-present_slide { background: #ffffff; color: #000000; border: 3px solid #000000; border-radius: 8px;
                        padding: 1.2rem 1.6rem; }
.st-key-present_slide h2 { font-size: 2.6rem; line-height: 1.15; color: #000000; }
.st-key-present_slide p, .st-key-present_slide li { font-size: 1.55rem; line-height: 1.4; color: #000000; }
.st-key-present_slide .st-key-present_latest p { font-size: 3.2rem; font-weight: 700; line-height: 1.1; }
</style>
"""

chosen, saved = pack_cache.page_start("Presentation")
catalogue = data.catalogue()
pick, public = st.columns([3, 2], vertical_alignment="bottom")
which = pick.selectbox("KPIs to present", [*saved, ALL], key="present_selection")
in_public = public.toggle("Public meeting: show counts of 1 to 5 as c", key="present_public",
                          help="Committee meetings are often public and webcast; this applies the publication rules.")
codes = tuple(saved.get(which, catalogue["code"].tolist()))
with feedback.refusals(warning=True) as outcome:
    options = PackOptions(chosen.la_code, chosen.council_name, chosen.period, codes,
                          audience=PUBLICATION if in_public else INTERNAL, title=which,
                          prepared_by=identity.actor().email, is_demo=chosen.is_demo)
if outcome.refused:
    st.stop()

if st.session_state.get("present_codes") != codes:
    st.session_state["present_codes"] = codes
    st.session_state[INDEX] = 0
count = len(codes)


def step(by: int) -> None:
    st.session_state[INDEX] = (st.session_state.get(INDEX, 0) + by) % count


back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
back.button("◀ Previous", key="present_previous", on_click=step, args=(-1,), shortcut="Left",
            help="Left arrow key", width="stretch")
forward.button("Next ▶", key="present_next", on_click=step, args=(1,), shortcut="Right", type="primary",
               help="Right arrow key", width="stretch")
index = st.session_state.get(INDEX, 0) % count
where.markdown(f"**KPI {index + 1} of {count}** · {month_label(chosen.period)} · keys: ← previous, → next")

page = pack_cache.pages(options).pages[index]
st.html(STYLE)
with st.container(key="present_slide"):
    st.markdown(f"## {md(page.name)}")
    facts, chart = st.columns([1, 2])
    with facts:
        with st.container(key="present_latest"):
            st.markdown(f"{page.latest_text}")
        gap = f" ({page.gap_text})" if page.target_text != "–" else ""
        st.markdown(f"at {page.latest_when}\n\n"
                    f"- **Target:** {page.target_text}\n- **RAG:** {page.rag_text}{gap}\n"
                    f"- **On {kpi.PREVIOUS_WORDS[page.latest_kind]}:** {page.direction_text}\n"
                    f"- **England:** {page.england_text}\n- **Neighbours:** {page.neighbour_text}")
    with chart:
        st.plotly_chart(figures.figure(page, chosen.council_name, font_size=18, titled=False), width="stretch",
                        key="present_chart", theme=None)  # the chart's own dark-on-white colours, not the theme's greys
    commentary = md(page.commentary, lines=True) or "No commentary has been written for this month."
    st.markdown(f"**Summary:** {md(page.sentence)}\n\n**Commentary:** {commentary}")
    if in_public and page.shows_c:
        st.markdown(NOTE)

attribution.caption()
