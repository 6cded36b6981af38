"""How tables look in Streamlit: column settings and RAG colouring (always with the word too), and the Overview's
scorecard as a table that fits a laptop and as a list of cards that fits a tablet."""
from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

import pandas as pd
import streamlit as st

from analysis import tables
from analysis.tables import LATEST_DATED, SPC_SHORT
from ui import data
from ui.text import md

# Light fills with dark text keep a contrast ratio above 4.5:1 for the words.
RAG_COLOURS = {"green": ("#cfe8d9", "#0b3d1f"), "amber": ("#fde5bf", "#4a3000"), "red": ("#f6c9c3", "#5c0b00")}
RAG_FILL = {rag: f"background-color: {fill}; color: {ink}" for rag, (fill, ink) in RAG_COLOURS.items()}
UNRATED_FILL = "#f0f2f6"
"""The label of a context measure, or of a KPI with no target or no data: grey, its word says which."""
SPARKLINE = "#1c5d99"
"""The list view's line of the last 12 values, in the colour of the table's."""

SCORECARD_NARROWEST = {
    "KPI": 140, LATEST_DATED: 56, "Target": 56, "RAG": 90, "Gap to target": 72, "Direction": 90, "England": 64,
    "Neighbours": 64, SPC_SHORT: 90, "Last 12 values": 56,
}
"""The columns the Overview's table shows, in order, each at its narrowest in pixels; the other columns of
`tables.SCORECARD_VIEW` can be shown from the table's menu. A column widens to hold its longest run of words that
must not be split (a date, an SPC icon's words, a RAG label, which is drawn as one), so that the table is as narrow
as its month's words allow; KPI names, gaps and directions wrap. Together they fit a 1366 px laptop with the
sidebar open, the dates of published figures included."""
MEASURED = (LATEST_DATED, "Target", "England", "Neighbours", SPC_SHORT)
"""The columns whose words are kept together (`analysis.tables.KEEP_TOGETHER`), so widen to their longest run."""
ROW_MARKER = 40
"""The column of boxes that choose a row, and the table's borders."""
CELL_PADDING = 20
LABEL_PADDING = 24
LINE = 18
ROW_PADDING = 12
"""Pixels beside a cell's words and around a RAG label's, per line of the table's 14 px type, and above and below
a row's lines: with `_px`, enough to tell how wide a column must be and how many lines a cell wraps to, so that
each table's rows are as tall as its longest cell and no taller."""
_NARROW, _WIDE = set(" \u00a0fijlrt.,:;'()!-/"), set("mwMW%")

SCORECARD_HELP = {
    "KPI": "Choose a row to open the KPI's trend for the month shown.",
    LATEST_DATED: "The latest figure. It is dated only when it is not for the month shown: a published annual "
                  "figure, or a month whose return has not come yet.",
    "RAG": "● On target: at or better than the target. ▲ Within tolerance: worse than the target, but within the "
           "KPI's tolerance or not beyond its floor. ■ Off target: beyond that. A KPI that must stay close to its "
           "target says how close, for example ● Within 5% of target. ○ Context: a measure with no better "
           "direction, not rated. The rule each KPI is judged by is listed under its table.",
    "Gap to target": "How far the latest value is above or below the target, in the KPI's unit (percentage points "
                     "for a percentage)",
    "Direction": "The latest figure against the same month a year earlier (a published figure against the previous "
                 "published figure with a value), better or worse by the KPI's polarity; the arrow shows which way "
                 "it moved",
    "England": "The latest England figure published on or before the end of the month, with the date it describes; "
               "a count is compared by its rate per 10,000 children",
    "Neighbours": "The statistical-neighbour average published on or before the end of the month, with its date",
    SPC_SHORT: "SPC (Making Data Count), variation above assurance. ~ Common cause: no significant change. "
               "+ Improvement, ! Concern: special-cause variation the better or the worse way; ↑ Unusually high, "
               "↓ Unusually low for a KPI with no better direction. ✓ Hits target, ✗ Misses target: consistently, "
               "by the process limits; ≈ Hit and miss: the target lies between them. Judged on the months since the "
               "latest recalculation. The full words are in the Variation and Assurance columns, which the table's "
               "menu can show, and on the KPI's trend page.",
    "Last 12 values": "The last 12 monthly values, or yearly ones where only published figures exist",
}
SCORECARD_LABELS = {LATEST_DATED: "Latest", "Gap to target": "Gap", "Last 12 values": "Last 12"}


def red_commentary(card: pd.DataFrame) -> list[str]:
    """`analysis.tables.red_commentary` as Markdown lines, with each KPI's name and commentary as plain words."""
    words = card.assign(name=card["name"].map(md), commentary=card["commentary"].map(
        lambda text: md(text) if isinstance(text, str) else text))
    return tables.red_commentary(words)


def rule_legend(rows: pd.DataFrame) -> str:
    """`analysis.tables.rule_legend` with each KPI's name as plain words."""
    return tables.rule_legend(rows.assign(name=rows["name"].map(md)))


@dataclass(frozen=True)
class GroupLayout:
    """One group of KPIs as the Overview draws it: its rows of `analysis.tables.scorecard_view` with each KPI's
    code and RAG, its rows' height (tall enough for the most lines any of its cells wraps to), the RAG rules in
    force for it, and each KPI's card for the list view."""
    name: str
    view: pd.DataFrame
    codes: list[str]
    rags: list[str]
    row_height: int
    legend: str
    cards: list[str]


@dataclass(frozen=True)
class ScorecardLayout:
    """The KPIs a filter of a month's scorecard shows, by group, and the tables' column widths: the same for every
    group's table, so that their columns line up down the page."""
    widths: dict[str, int]
    groups: list[GroupLayout]

    @property
    def table_width(self) -> int:
        """The narrowest the tables can be drawn without scrolling sideways."""
        return sum(self.widths.values()) + ROW_MARKER


def scorecard_layout(la_code: str, until: date, shown: str) -> ScorecardLayout:
    """The `ScorecardLayout` of a month's scorecard filtered to `shown` (one of `analysis.tables.RAG_FILTERS`),
    worked out once per change of the data rather than on every run: the tables answer a click, so they are drawn
    on every run, and this is what they are drawn from."""
    return _layout(data.version(), la_code, until, shown)


@st.cache_data(show_spinner=False, max_entries=64)
def _layout(stamp: tuple, la_code: str, until: date, shown: str) -> ScorecardLayout:
    everything = data.scorecard(la_code, until)
    view = tables.scorecard_view(everything, until)
    widths = _widths(view)  # of every KPI, so the same whichever the filter shows
    groups = []
    for name, rows in tables.off_target(everything, shown).groupby("group", sort=False):
        group_view = view.loc[rows.index]
        groups.append(GroupLayout(
            name, group_view, rows["kpi_code"].tolist(), rows["rag"].tolist(), _row_height(group_view, widths),
            rule_legend(rows), [_card(row, rag) for (_, row), rag in zip(group_view.iterrows(), rows["rag"])]))
    return ScorecardLayout(widths, groups)


def scorecard_table(group: GroupLayout, widths: dict[str, int], key: str) -> str | None:
    """One group's scorecard table; returns the code of the KPI whose row the user chose, if any.

    Cells wrap rather than widen the table. The RAG word sits on its colour as a label, which needs no pandas
    Styler: styling was nine tenths of the Overview's server time, and a table that answers a click cannot be
    replayed from Streamlit's cache."""
    labels = dict(zip(group.view["RAG"], group.rags))
    config = {column: st.column_config.TextColumn(SCORECARD_LABELS.get(column, column), width=width,
                                                  help=SCORECARD_HELP.get(column))
              for column, width in widths.items()}
    config["RAG"] = st.column_config.MultiselectColumn(
        "RAG", width=widths["RAG"], help=SCORECARD_HELP["RAG"], options=list(labels),
        color=[RAG_COLOURS.get(rag, (UNRATED_FILL,))[0] for rag in labels.values()])
    config["Last 12 values"] = st.column_config.LineChartColumn(
        "Last 12", width=widths["Last 12 values"], help=SCORECARD_HELP["Last 12 values"])
    event = st.dataframe(group.view, column_config=config, column_order=list(widths), hide_index=True,
                         width="stretch", height="content", row_height=group.row_height, key=key,
                         on_select="rerun", selection_mode="single-row", alt=f"{group.name} scorecard")
    chosen = event.selection.rows
    return group.codes[chosen[0]] if chosen else None


def _widths(view: pd.DataFrame) -> dict[str, int]:
    widths = dict(SCORECARD_NARROWEST)
    for column in MEASURED:
        longest = max(_px(word) for text in view[column] for word in text.split(" "))
        widths[column] = max(widths[column], round(longest) + CELL_PADDING)
    widths["RAG"] = max(widths["RAG"], round(max(_px(text) for text in view["RAG"])) + LABEL_PADDING)
    return widths


def _row_height(view: pd.DataFrame, widths: dict[str, int]) -> int:
    lines = max(_lines(text, widths[column] - CELL_PADDING)
                for column in widths if column not in ("RAG", "Last 12 values") for text in view[column])
    return ROW_PADDING + LINE * max(lines, 2)


def _lines(text: str, room: float) -> int:
    """How many lines `text` wraps to in `room` pixels, breaking at ordinary spaces as the table does."""
    lines, used = 1, 0.0
    for word in text.split(" "):
        wide = _px(word)
        if used and used + _px(" ") + wide > room:
            lines, used = lines + 1, wide
        else:
            used += (_px(" ") if used else 0) + wide
    return lines


def _px(text: str) -> float:
    """About how wide `text` is in the table's 14 px type, from the widths of the font's narrow, wide and other
    letters; within a few pixels of the browser's own measure for the scorecard's words."""
    return sum(3.6 if c in _NARROW else 11.0 if c in _WIDE else 8.3 if c.isupper() else 7.0 if c.isdigit()
               else 8.6 if not c.isascii() else 7.2 for c in text)


def scorecard_list(group: GroupLayout, trend_page: str, link: Callable[[str], dict[str, str]]) -> None:
    """One group's scorecard as a card per KPI, for a screen too narrow for the table: the KPI's name opens its
    trend (`link` gives the page's address for a KPI code), and every column of the table is there in full words."""
    for code, name, card in zip(group.codes, group.view["KPI"], group.cards):
        with st.container(border=True):
            st.page_link(trend_page, label=f"**{md(name)}**", query_params=link(code), icon=":material/show_chart:")
            st.html(card)


def _card(shown: pd.Series, rag: str) -> str:
    """One KPI of the list view: the table's row in full words, the RAG label on its colour beside the latest figure
    it judges, and the summary sentence a narrow table leaves to its menu."""
    fill, ink = RAG_COLOURS.get(rag, (UNRATED_FILL, "inherit"))
    target = "" if shown["Target"] == "–" else f" against {escape(shown['Target'])}, {escape(shown['Gap to target'])}"
    return (
        '<div class="kpi-card">'
        f'<p><span class="kpi-value">{escape(shown[LATEST_DATED])}</span>'
        f' <span class="kpi-rag" style="background-color: {fill}; color: {ink}">{escape(shown["RAG"])}</span>'
        f'{target}</p>'
        f'<p>{escape(shown["Direction"])}</p>'
        f'{_comparators(shown)}'
        f'<p>SPC: {escape(shown["Variation (SPC)"])} · {escape(shown["Assurance (SPC)"])}</p>'
        f'{_sparkline(shown["Last 12 values"])}'
        f'<p class="kpi-summary">{escape(shown["Summary"])}</p>'
        '</div>'
    )


def _comparators(shown: pd.Series) -> str:
    """England and the neighbours, as the table's columns say them; nothing when there is neither (a count with
    no rate per 10,000 to compare)."""
    if shown["England"] == "–" and shown["Neighbours"] == "–":
        return ""
    return f'<p>England {escape(shown["England"])} · neighbours {escape(shown["Neighbours"])}</p>'


def _sparkline(values: list[float], width: int = 160, height: int = 32) -> str:
    """The last 12 values as a small line, as the table's column draws them; none for fewer than two."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    points = " ".join(f"{i * width / (len(values) - 1):.1f},{height - 2 - (v - low) * (height - 4) / span:.1f}"
                      for i, v in enumerate(values))
    drawing = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
               f'<polyline points="{points}" fill="none" stroke="{SPARKLINE}" stroke-width="1.5"/></svg>')
    # st.html keeps no inline SVG, so the line is a picture of one
    source = "data:image/svg+xml;base64," + base64.b64encode(drawing.encode()).decode()
    return f'<img class="kpi-sparkline" src="{source}" alt="The last {len(values)} values as a line">'


def fit_css(table_px: int) -> str:
    """The Overview's style: the tables where its column is at least `table_px` wide, else the cards; and narrower
    side margins on a laptop, which leave the table room for every column without scrolling sideways."""
    return f"""<style>
.st-key-overview {{ container-type: inline-size; }}
@container (width < {table_px}px) {{ [class*="st-key-scorecard_table_"] {{ display: none; }} }}
@container (width >= {table_px}px) {{ [class*="st-key-scorecard_list_"] {{ display: none; }} }}
@media (min-width: 1024px) {{ .stMain .stMainBlockContainer {{ padding-left: 2rem; padding-right: 2rem; }} }}
[class*="st-key-scorecard_list_"] [data-testid="stPageLink"] p {{ font-size: 1.05rem; }}
.kpi-card p {{ margin: 0 0 0.25rem 0; }}
.kpi-value {{ font-size: 1.5rem; font-weight: 600; }}
.kpi-rag {{ border-radius: 0.5rem; padding: 0.1rem 0.5rem; white-space: nowrap; }}
.kpi-sparkline {{ display: block; margin: 0.25rem 0; }}
</style>"""
