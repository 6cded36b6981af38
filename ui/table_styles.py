"""How tables look in Streamlit: column settings and RAG colouring (always with the word too)."""
from __future__ import annotations

import pickle

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from analysis import tables
from analysis.tables import SCORECARD_VIEW, scorecard_view
from ui.text import md

# Light fills with dark text keep a contrast ratio above 4.5:1 for the words.
RAG_FILL = {
    "green": "background-color: #cfe8d9; color: #0b3d1f",
    "amber": "background-color: #fde5bf; color: #4a3000",
    "red": "background-color: #f6c9c3; color: #5c0b00",
}

SCORECARD_COLUMNS = {
    "KPI": st.column_config.TextColumn("KPI", width="large"),
    "RAG": st.column_config.TextColumn(
        "RAG", help="● On target: at or better than the target. ▲ Within tolerance: worse than the target, but within "
                    "the KPI's tolerance or not beyond its floor. ■ Off target: beyond that. A KPI that must stay "
                    "close to its target says how close, for example ● Within 5% of target. ○ Context: a measure "
                    "with no better direction, not rated. The rule each KPI is judged by is listed under its table."),
    "Gap to target": st.column_config.TextColumn(
        "Gap to target", help="How far the latest value is above or below the target, in the KPI's unit "
                              "(percentage points for a percentage)"),
    "Last 12 values": st.column_config.LineChartColumn(
        "Last 12 values", width="small", help="The last 12 monthly values, or yearly ones where only published figures exist"),
}


def red_commentary(card: pd.DataFrame) -> list[str]:
    """`analysis.tables.red_commentary` as Markdown lines, with each KPI's name and commentary as plain words."""
    words = card.assign(name=card["name"].map(md), commentary=card["commentary"].map(
        lambda text: md(text) if isinstance(text, str) else text))
    return tables.red_commentary(words)


def rule_legend(rows: pd.DataFrame) -> str:
    """`analysis.tables.rule_legend` with each KPI's name as plain words."""
    return tables.rule_legend(rows.assign(name=rows["name"].map(md)))


def styled_scorecard(rows: pd.DataFrame) -> Styler:
    view = scorecard_view(rows)
    fills = rows["rag"].map(RAG_FILL).fillna("").tolist()

    def colour(column: pd.Series) -> list[str]:
        return fills if column.name == SCORECARD_VIEW["rag_text"] else [""] * len(column)

    return view.style.apply(colour, axis=0)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs={pd.DataFrame: pickle.dumps})
def scorecard_table(rows: pd.DataFrame) -> None:
    """One group's scorecard table. Styling it was nine tenths of the Overview's server time, paid again by every
    session; cached, later sessions get the drawn table replayed. The key is the rows pickled, so a changed figure
    is styled afresh (the trend cells hold lists, which Streamlit's own DataFrame hash refuses with a warning)."""
    st.dataframe(styled_scorecard(rows), column_config=SCORECARD_COLUMNS, hide_index=True, width="stretch")
