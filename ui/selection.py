"""The sidebar's council and month, which every page honours."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from settings import DEMO_LA_CODE, SettingsError, load_settings
from store.dates import month_label
from ui import data
from ui.text import md


@dataclass(frozen=True)
class Selection:
    la_code: str
    council_name: str
    period: date | None
    is_demo: bool


def sidebar() -> Selection:
    """Draw the selectors; called once per run from app.py, before the page."""
    councils = data.councils()
    codes = councils["la_code"].tolist()
    names = dict(zip(councils["la_code"], councils["name"]))
    demo = dict(zip(councils["la_code"], councils["is_demo"]))
    home = load_settings().home_la
    if not codes:
        st.sidebar.warning("No councils are loaded yet. Upload a monthly return to begin.")
        return Selection(home, home, None, home == DEMO_LA_CODE)
    if home not in codes:
        st.sidebar.warning(f"DASHBOARD_LA is {home}, but this database holds nothing for that council: it was made "
                           "for another council or for the demo. Set DASHBOARD_DB to a new file to start a store for "
                           f"{home}, with its published figures.")
    la_code = _remembered_selectbox("Council", codes, "la_code", home if home in codes else codes[0],
                                    format_func=lambda c: f"{names[c]} ({c})")
    months = data.months_with_data(la_code)
    period = None
    if months:
        options = list(reversed(months))
        period = _remembered_selectbox("Month", options, "period", options[0], format_func=month_label,
                                       help="Pages show data up to and including this month.")
    return Selection(la_code, names[la_code], period, bool(demo[la_code]))


def kpi_picker(chosen: Selection, catalogue, key: str, with_values=None) -> str:
    """The KPI selectbox of the trend and benchmarks pages. It opens on the first KPI the council has figures for
    (a council with only published figures has none for the first few KPIs, which are local measures), and marks
    the KPIs it has none for, so nobody is sent to an empty page. `with_values` narrows "has figures" further."""
    codes = catalogue["code"].tolist()
    names = dict(zip(codes, catalogue["name"]))
    known = set()
    if chosen.period is not None:
        card = data.scorecard(chosen.la_code, chosen.period)
        known = set(card.loc[card["latest"].notna(), "kpi_code"])
    if with_values is not None:
        known &= set(with_values)
    first = next((i for i, c in enumerate(codes) if c in known), 0)
    return st.selectbox("KPI", codes, index=first, key=key,
                        format_func=lambda c: f"{names[c]} ({c})" + ("" if c in known else " · no figures yet"))


def _remembered_selectbox(label: str, options: list, key: str, default, **kwargs):
    """A sidebar selectbox whose choice survives moving between pages.

    Streamlit forgets a page's widget state when another page runs, so the choice
    is also kept under a plain session key and given back to the widget each run.
    """
    kept = f"kept_{key}"
    if st.session_state.get(kept) not in options:
        st.session_state[kept] = default
    st.session_state[key] = st.session_state[kept]

    def keep() -> None:
        st.session_state[kept] = st.session_state[key]

    return st.sidebar.selectbox(label, options, key=key, on_change=keep, **kwargs)


def page_start() -> Selection:
    """What every page calls first: the sidebar selectors and, for the demo, the synthetic-data banner.

    Pages draw these themselves rather than app.py, so that a page run on its own
    (as Streamlit's AppTest does on a rerun) behaves exactly as in the browser.
    """
    try:
        chosen = sidebar()
    except SettingsError as exc:
        st.error(f"The dashboard cannot start: {md(exc)}")
        st.stop()
    if chosen.is_demo:
        st.info(
            "**Synthetic demo data.** Anyshire and its neighbours are fictional councils and every figure is "
            "made up for demonstration. No real child's data is shown.",
            icon="ℹ️",
        )
    return chosen
