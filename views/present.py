"""Presentation view: the board or committee's slides on the projector, the slide alone on the screen.

The agenda first, one KPI a slide, the improvement plan last. ← → PageUp PageDown and Space move (a presenter's
clicker sends PageUp and PageDown); the slide list jumps to any slide. The controls keep to one line above it.
The address names the KPI on screen, so a copied link (`/present?kpi=SW_AGENCY_PCT`) opens on that slide.
"""
from __future__ import annotations

import streamlit as st

from analysis import plan_status
from export.gather import INTERNAL, PUBLICATION, PackOptions
from ui import attribution, data, feedback, identity, pack_cache, presentation, selection

ALL = "All KPIs"
SLIDE = "present_slide_list"

presentation.style(sidebar=st.session_state.get("present_sidebar", False))
chosen, saved = pack_cache.presentation_start()
audiences = {**saved, ALL: data.catalogue()["code"].tolist()}
linked_kpi = None if SLIDE in st.session_state else selection.kpi_in_address(audiences[ALL])
if linked_kpi and "present_audience" not in st.session_state:
    # A link to a KPI's slide opens the first audience that has it.
    st.session_state["present_audience"] = next(name for name, codes in audiences.items() if linked_kpi in codes)


def to_agenda() -> None:
    st.session_state[SLIDE] = 0


def step(by: int, count: int) -> None:
    st.session_state[SLIDE] = (st.session_state.get(SLIDE, 0) + by) % count


def jump(key: str) -> None:
    st.session_state[SLIDE] = st.session_state[key]


with st.container(key="present_bar", horizontal=True, gap="small", vertical_alignment="center"):
    marking, previous = st.container(key="present_marking"), st.container(width="content")
    slide_list, following = st.container(width=380), st.container(width="content")
    with st.popover("Options", icon=":material/tune:", key="present_options"):
        audience = st.radio("Audience", list(audiences), key="present_audience", on_change=to_agenda,
                            help="A saved KPI selection of the board pack, or every KPI")
        in_public = st.toggle("Public meeting: show counts of 1 to 5 as c", key="present_public",
                              help="Committee meetings are often public and webcast; this applies the publication "
                                   "rules.")
        st.toggle("Show the sidebar: council, month and pages", key="present_sidebar")
        st.page_link("views/overview.py", label="Leave the presentation", icon=":material/close:")

with feedback.refusals(warning=True) as outcome:
    options = PackOptions(chosen.la_code, chosen.council_name, chosen.period, tuple(audiences[audience]),
                          audience=PUBLICATION if in_public else INTERNAL, title=audience,
                          prepared_by=identity.actor().email, is_demo=chosen.is_demo)
if outcome.refused:
    st.stop()
marking.markdown(presentation.marking(options.marking, chosen.council_name, chosen.period, chosen.is_demo))
pages = pack_cache.pages(options).pages
titles = ["Agenda", *(f"{number}. {page.name}" for number, page in enumerate(pages, start=1)), "Improvement plan"]
count = len(titles)
previous.button("◀ Previous", key="present_previous", on_click=step, args=(-1, count), shortcut="Left",
                help="← or PageUp")
following.button("Next ▶", key="present_next", on_click=step, args=(1, count), shortcut="Right", type="primary",
                 help="→, PageDown or Space")
for key, by, shortcut in presentation.CLICKER_KEYS:
    following.button(shortcut, key=key, on_click=step, args=(by, count), shortcut=shortcut)
codes = [page.code for page in pages]
if linked_kpi in codes:
    st.session_state[SLIDE] = codes.index(linked_kpi) + 1
index = st.session_state.get(SLIDE, 0) % count
selection.show_kpi_in_address(codes[index - 1] if 0 < index < count - 1 else None)
# A new list for each slide: the one used to jump goes, and with it the keyboard focus that would keep the keys
list_key = f"present_list_{index}"
slide_list.selectbox("Slide", range(count), index=index, key=list_key, format_func=titles.__getitem__,
                     label_visibility="collapsed", on_change=jump, args=(list_key,))

with presentation.slide():
    if index == 0:
        presentation.agenda(audience, chosen.council_name, chosen.period, [page.name for page in pages])
    elif index < count - 1:
        presentation.kpi_slide(pages[index - 1], chosen.council_name, in_public)
    else:
        presentation.plan_slide(pack_cache.plan_summary(options), plan_status.plan_as_at(chosen.is_demo))
    with st.container(key="present_attribution"):
        attribution.caption()
