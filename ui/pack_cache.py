"""The board pack and presentation view's link to the store: cached by data version, errors as messages."""
from __future__ import annotations

import streamlit as st

from auth.roles import Actor, require
from export import gather, pack, render, selections
from export.gather import INTERNAL, PUBLICATION, PackData, PackOptions
from ui import data, feedback, plan_tables, selection
from ui.text import md


EXPORT_PERMISSIONS = {INTERNAL: "export_internal", PUBLICATION: "export_publication"}


def page_start(title: str) -> tuple[selection.Selection, dict[str, list[str]]]:
    """The sidebar, the page title and the saved selections; stops with a message when the council has no data."""
    chosen = selection.page_start()
    st.title(title)
    if chosen.period is None:
        st.warning(f"There is no data for {md(chosen.council_name)} yet. Upload a monthly return first.")
        st.stop()
    return chosen, saved_selections()


def presentation_start() -> tuple[selection.Selection, dict[str, list[str]]]:
    """`page_start` for the Presentation: no title and no demo banner, as the slide's own marking line says
    both; stops with a message when the council has no data."""
    chosen = selection.sidebar()
    if chosen.period is None:
        st.warning(f"There is no data for {md(chosen.council_name)} yet. Upload a monthly return first.")
        st.stop()
    return chosen, saved_selections()


@st.cache_data(show_spinner=False, max_entries=4)
def _selections(stamp: tuple) -> dict[str, list[str]]:
    return selections.read_selections(data.catalogue()["code"].tolist())


def saved_selections() -> dict[str, list[str]]:
    """The saved KPI selections, or none (with the reason shown) when the file cannot be used."""
    with feedback.refusals("The saved KPI selections cannot be read"):
        return _selections(data.version())
    return {}


@st.cache_data(show_spinner="Gathering the figures…", max_entries=16)
def _pages(stamp: tuple, options: PackOptions) -> PackData:
    with data.store() as con:
        return gather.gather(con, options)


def pages(options: PackOptions) -> PackData:
    return _pages(data.version(), options)


def plan_summary(options: PackOptions) -> gather.PlanSummary | None:
    """The council's improvement plan as the pack's slide shows it, counted to the same day as the plan page."""
    return gather.plan_summary(plan_tables.rows(options.la_code, data.plan_as_at(options.is_demo)))


@st.cache_data(show_spinner=False, max_entries=8)
def _build(stamp: tuple, options: PackOptions) -> pack.Pack:
    summary = plan_summary(options)
    with data.store() as con:
        return pack.build(con, options, summary)


def build(options: PackOptions, actor: Actor) -> pack.Pack | None:
    """The pack, or None after saying plainly why it could not be made.

    The role is checked before the cache is consulted: a pack for publication
    made by an analyst is never handed to a viewer from the cache.
    """
    require(actor, EXPORT_PERMISSIONS[options.audience])
    with feedback.refusals():
        return _build(data.version(), options)
    return None


def chart_renderable() -> bool:
    return render.available()


def chart_png(figure) -> bytes:
    """One chart as a PNG for a download button (drawn when the button is pressed)."""
    return render.render_png(figure)
