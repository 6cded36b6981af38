"""The Presentation page's slides and their look: one screen each, for a committee-room projector.

Sizes follow the viewport (CSS `vh`), so a slide fills 1366x768 and 1920x1080 alike without scrolling, but never
drop below what the back of a room can read: titles 32 px, the value, target and judgement 28 px. Nothing of the
slide shows before the style applies (`slide`), and the chart fills a box whose size the layout fixes before the
chart arrives, so the slide does not jump when it does.
"""
from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis.disclosure import NOTE
from analysis.draft import DRAFT_LABEL
from export import figures
from export.gather import KpiPage, PlanSummary
from store.dates import month_label
from store.words import plural
from ui.table_styles import RAG_FILL
from ui.text import md

BAR, GAP = "2.5rem", "0.5rem"
"""The one-line bar above the slide (marking and controls) and the space around it."""
CLICKER_KEYS = (("present_pagedown", 1, "PageDown"), ("present_pageup", -1, "PageUp"), ("present_space", 1, "Space"))
"""(button key, slides moved, key): a presenter's clicker sends PageDown and PageUp. A Streamlit button takes one
shortcut, and Previous and Next have ← and →, so each of these keys has a button of its own, not drawn."""
LONG_AGENDA = 14
"""An agenda longer than this is set in three columns of smaller type, so all 34 KPIs fit on one screen."""
SHOWN_OVERDUE = 4
"""Overdue recommendations named on the plan slide; any more are counted, as on the pack's slide."""
SMALLER = ("context", "comparators", "commentary")
"""What is said beside the figures rather than the figures themselves, set a size smaller (22 px at 768 high)."""
CHART_FONT = 17

_STYLE = f"""
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none; }}
[data-testid="stMain"] {{ overflow: hidden; }}
[data-testid="stMainBlockContainer"] {{ padding: {GAP} 1.4rem 0; max-width: none; }}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {{ gap: {GAP}; }}
[data-testid="stSpinner"] p {{ font-size: max(28px, 3.6vh); }}
{", ".join(f".st-key-{key}" for key, _, _ in CLICKER_KEYS)} {{ display: none; }}
.st-key-present_heading {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }}
.st-key-present_bar {{ height: {BAR}; flex-wrap: nowrap; }}
.st-key-present_bar p {{ margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.st-key-present_marking {{ min-width: 0; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-present_slide) {{ flex: none; height: auto; }}  /* see slide() */
.st-key-present_slide {{ flex: none; height: calc(100vh - {BAR} - 4 * {GAP}); overflow: hidden; gap: 0.6rem;
                         background: #ffffff; color: #000000; border-top: 3px solid #000000; padding-top: 0.6rem; }}
.st-key-present_slide [data-testid="stMarkdownContainer"] {{ margin-bottom: 0; }}
.st-key-present_slide [data-testid="stHeaderActionElements"] {{ display: none; }}
.st-key-present_slide h2 {{ font-size: max(32px, 5vh); line-height: 1.15; color: #000000; padding: 0; }}
.st-key-present_slide p, .st-key-present_slide li {{ font-size: max(28px, 3.6vh); line-height: 1.3; color: #000000;
                                                     margin: 0; }}
[data-testid="stLayoutWrapper"]:has(> .st-key-present_body) {{ flex: 1 1 0; min-height: 0; }}
.st-key-present_body, .st-key-present_body > [data-testid="stLayoutWrapper"],
.st-key-present_body [data-testid="stColumn"],
.st-key-present_body [data-testid="stColumn"] > [data-testid="stVerticalBlock"],
[data-testid="stLayoutWrapper"]:has(> .st-key-present_chart) {{ height: 100%; min-height: 0; }}
.st-key-present_chart {{ position: relative; height: 100%; min-height: 0; }}
.st-key-present_chart > [data-testid="stElementContainer"] {{ position: absolute; inset: 0; }}
.st-key-present_chart [data-testid="stElementToolbar"] {{ display: none; }}  /* its full screen has no KPI name */
.st-key-present_value p {{ font-size: max(44px, 8vh); font-weight: 700; line-height: 1.05; }}
{" ".join(f".st-key-present_rag_{rag} {{ {fill}; padding: 0.1rem 0.6rem; border-radius: 6px; }}"
          for rag, fill in RAG_FILL.items())}
{", ".join(f".st-key-present_rag_{rag} p" for rag in RAG_FILL)} {{ color: inherit; }}
{", ".join(f".st-key-present_slide .st-key-present_{key} p" for key in SMALLER)} {{ font-size: max(22px, 2.8vh); }}
.st-key-present_notes {{ flex: none; max-height: 34vh; overflow-y: auto; }}
.st-key-present_slide .st-key-present_disclosure p {{ font-size: max(16px, 2vh); }}
.st-key-present_slide .st-key-present_attribution p {{ font-size: 0.8rem; }}
.st-key-present_agenda ol, .st-key-present_agenda_long ol {{ columns: 2; column-gap: 3rem; padding: 0; }}
.st-key-present_agenda_long ol {{ columns: 3; }}
.st-key-present_agenda li, .st-key-present_agenda_long li {{ list-style: none; position: relative; padding-left: 2em;
                                                           break-inside: avoid; margin-bottom: 0.5rem; }}
.st-key-present_agenda li::before, .st-key-present_agenda_long li::before {{
    content: counter(list-item) "."; position: absolute; left: 0; width: 1.6em; text-align: right; }}
.st-key-present_slide .st-key-present_agenda_long li {{ font-size: max(20px, 2.5vh); margin-bottom: 0.25rem; }}
</style>
"""
_HIDE_SIDEBAR = """
<style>[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }</style>
"""


def style(*, sidebar: bool) -> None:
    """The presentation's look, drawn first; Streamlit's header, toolbar and (unless asked for) sidebar go."""
    st.html(_STYLE if sidebar else _STYLE + _HIDE_SIDEBAR)
    with st.container(key="present_heading"):
        st.markdown("# Presentation")  # for screen readers and the page's outline; people see the slide's title


def slide() -> DeltaGenerator:
    """The container the slide is drawn in. Streamlit loads the code of its HTML element only on first use, so on
    opening the page the style arrives a moment after the slide's words: until it does, the slide is a box one
    pixel high (Streamlit's own fixed height, drawn at once), and the style gives it the screen."""
    return st.container(key="present_slide", height=1, border=False)


def marking(marking_word: str, council_name: str, period: date, is_demo: bool) -> str:
    """The one line above every slide: the protective marking and, in the demo, that the figures are made up."""
    demo = " · Synthetic demo data" if is_demo else ""
    return f"**{marking_word}**{demo} · {md(council_name)} · {month_label(period)}"


def agenda(audience: str, council_name: str, period: date, names: list[str]) -> None:
    """The KPIs the meeting will see, numbered as the slide list numbers them."""
    with st.container(key="present_agenda_long" if len(names) > LONG_AGENDA else "present_agenda"):
        st.markdown(f"## {md(audience)}: agenda")
        with st.container(key="present_context"):
            st.markdown(f"{md(council_name)} · figures up to {month_label(period)} · "
                        f"{plural(len(names), 'KPI')}, then the improvement plan")
        st.markdown("\n".join(f"{number}. {md(name)}" for number, name in enumerate(names, start=1)))


def kpi_slide(page: KpiPage, council_name: str, public: bool) -> None:
    """The KPI's name, its latest value, target and judgement beside its chart, the summary and commentary below."""
    st.markdown(f"## {md(page.name)}")
    with st.container(key="present_body"):
        facts, chart = st.columns([2, 3], gap="medium")
    with facts:
        with st.container(key="present_value"):
            st.markdown(page.latest_text)
        st.markdown(f"at {page.latest_when}")
        st.markdown(f"**Target:** {page.target_words}")
        with st.container(key=f"present_rag_{page.rag}"):
            gap = "" if page.gap_text == "–" or page.gap_text in page.rag_text else f" · {page.gap_text}"
            st.markdown(f"**{page.rag_text}**{gap}")
        st.markdown(page.direction_text)
        with st.container(key="present_comparators"):
            st.markdown(f"England: {page.england_text}  \nNeighbours: {page.neighbour_text}")
    with chart, st.container(key="present_chart"):
        st.plotly_chart(figures.figure(page, council_name, font_size=CHART_FONT, titled=False), width="stretch",
                        height="stretch", key="present_figure", theme=None,  # its own dark-on-white colours
                        config={"displayModeBar": False})
    with st.container(key="present_notes"):
        st.markdown(md(page.sentence))
        commentary = md(page.commentary, lines=True)
        with st.container(key="present_commentary"):
            if commentary:
                st.markdown(f"**Commentary:** {commentary}")
            elif page.draft:
                st.markdown(f"**{DRAFT_LABEL}:** {md(page.draft)}")
            else:
                st.markdown("**Commentary:** No commentary has been written for this month.")
        if public and page.shows_c:
            with st.container(key="present_disclosure"):
                st.markdown(NOTE)


def plan_slide(plan: PlanSummary | None, as_at: date) -> None:
    """The improvement plan as the pack's last slide shows it: recommendations by status and the overdue ones."""
    st.markdown("## Improvement plan")
    if plan is None:
        st.markdown("This council keeps no improvement plan in the dashboard, so there is nothing to report here.")
        return
    by_status, late = st.columns([2, 3], gap="large")
    total = int(plan.counts["recommendations"].sum())
    by_status.markdown("  \n".join([f"**{plural(total, 'recommendation')}**",
                                    *(f"{int(row.recommendations)} {row.status.lower()}"
                                      for row in plan.counts.itertuples(index=False))]))
    lines = [f"**Overdue: {plural(len(plan.overdue), 'recommendation')}**"]
    lines += [f"■ {md(item.recommendation)} ({md(item.owner)}; due {item.due:%d %b %Y}, "
              f"{plural(item.days_overdue, 'day')} overdue)" for item in plan.overdue[:SHOWN_OVERDUE]]
    if len(plan.overdue) > SHOWN_OVERDUE:
        lines.append(f"and {plural(len(plan.overdue) - SHOWN_OVERDUE, 'more overdue recommendation')}: see the "
                     "Improvement plan page")
    if not plan.overdue:
        lines.append("No recommendation is overdue.")
    late.markdown("  \n".join(lines))
    with st.container(key="present_context"):
        st.markdown(f"Source: the council's improvement plan, counted to {as_at:%d %b %Y}.")
