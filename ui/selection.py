"""The sidebar's council and month, which every page honours, and the page's state in its address.

Every choice that says what a page shows (council, month, KPI, chart) is also in the query string, so a copied
address opens the same view for a colleague with access: `?la=E99000001&month=2026-10&kpi=SW_AGENCY_PCT&view=spc`.
A link is read when the page opens and written back whenever a choice changes. A parameter that names nothing
this store holds (a council or month it lacks, a mistyped KPI) is ignored and the page opens as it would without it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from settings import DEMO_LA_CODE, SettingsError, load_settings
from store.dates import month_label
from ui import data
from ui.text import md


COUNCIL, MONTH, KPI, VIEW, SHOW = "la", "month", "kpi", "view", "show"
"""The query parameters a page's address carries: council, month, KPI, chart and the Overview's filter."""


@dataclass(frozen=True)
class Selection:
    la_code: str
    council_name: str
    period: date | None
    is_demo: bool


def month_param(period: date) -> str:
    return f"{period:%Y-%m}"


@dataclass(frozen=True)
class InAddress:
    """How a widget's choice is written in the page's address: under `param`, as `text` writes it. A choice equal to
    `omit` is left out, which keeps a link short for a choice whose default never changes (a chart, a filter); the
    council, month and KPI are always written, since the latest month and the KPIs with figures move on."""
    param: str
    text: Callable[[Any], str] = str
    omit: Any = None

    def of(self, value: Any) -> str | None:
        return None if self.omit is not None and value == self.omit else self.text(value)


COUNCIL_ADDRESS = InAddress(COUNCIL)
MONTH_ADDRESS = InAddress(MONTH, month_param)
KPI_ADDRESS = InAddress(KPI)


def kpi_link(chosen: Selection, code: str) -> dict[str, str]:
    """The query parameters of a KPI's trend page for the council and month shown."""
    return {COUNCIL: chosen.la_code, MONTH: month_param(chosen.period), KPI: code}


def kpi_in_address(codes: list[str]) -> str | None:
    """The KPI the address names, when it is one of `codes`: how a link opens the Presentation on a KPI's slide."""
    return _named(KPI_ADDRESS, codes)


def show_kpi_in_address(code: str | None) -> None:
    """Write the KPI on screen to the address, or take it out (the Presentation's agenda and plan slides)."""
    _write({KPI: code})


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
    la_code = _remembered_selectbox("Council", codes, "la_code", home if home in codes else codes[0], COUNCIL_ADDRESS,
                                    format_func=lambda c: f"{names[c]} ({c})")
    months = data.months_with_data(la_code)
    period = None
    if months:
        options = list(reversed(months))
        period = _remembered_selectbox("Month", options, "period", options[0], MONTH_ADDRESS,
                                       format_func=month_label, help="Pages show data up to and including this month.")
    _write({COUNCIL: la_code, MONTH: None if period is None else month_param(period)})
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
    first = next((c for c in codes if c in known), codes[0])
    return st.selectbox("KPI", codes, **linked(key, codes, first, KPI_ADDRESS),
                        format_func=lambda c: names[c] + ("" if c in known else " · no figures yet"))


def linked(key: str, options: list, default: Any, address: InAddress, *, write: bool = True) -> dict:
    """Give the widget `key` its value before it is drawn, and (with `write`) put it in the address: the option the
    address names, else the widget's own value, else `default`. Returns the widget's `key` and a change handler that
    writes a new choice to the address before the page runs again."""
    named = _named(address, options)
    if named is not None:
        st.session_state[key] = named
    elif st.session_state.get(key) not in options:
        st.session_state[key] = default
    if write:
        _write({address.param: address.of(st.session_state[key])})
    return {"key": key, "on_change": _follow, "args": (key, address)}


def _named(address: InAddress, options: list) -> Any:
    """The option the address names; None when it names none, or nothing this store holds."""
    wanted = st.query_params.get(address.param)
    return next((option for option in options if address.text(option) == wanted), None)


def _write(params: dict[str, str | None]) -> None:
    """Put `params` in the address at once (None takes a parameter out). The browser adds a history entry for each
    change of address, so the page's state is written in one change, and not at all when it is already there."""
    wanted = {name: value for name, value in st.query_params.to_dict().items() if name not in params}
    wanted |= {name: value for name, value in params.items() if value is not None}
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)


def _follow(key: str, address: InAddress) -> None:
    _write({address.param: address.of(st.session_state[key])})


def _remembered_selectbox(label: str, options: list, key: str, default: Any, address: InAddress, **kwargs) -> Any:
    """A sidebar selectbox whose choice survives moving between pages and is in the address.

    Streamlit forgets a page's widget state when another page runs, and empties the query string when the menu
    moves to another page, so the choice is also kept under a plain session key and given back to the widget each
    run; an address that names a choice wins over the kept one, which is how a shared link opens its view.
    """
    kept = f"kept_{key}"
    linked(kept, options, default, address, write=False)
    st.session_state[key] = st.session_state[kept]

    def keep() -> None:
        st.session_state[kept] = st.session_state[key]
        _follow(key, address)

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
