"""The board pack and presentation view's link to the store: cached by data version, errors as messages."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analysis import plan_status
from auth.roles import Actor, require
from export import gather, pack, preflight, render, selections
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
    return gather.plan_summary(plan_tables.rows(options.la_code, plan_status.plan_as_at(options.is_demo)))


@st.cache_data(show_spinner="Checking the pack…", max_entries=16)
def _preflight(stamp: tuple, options: PackOptions) -> list[preflight.Item]:
    # Judged on every figure, including those a publication pack hides: the checks are the author's, not the
    # board's.
    with data.store() as con:
        facts = preflight.read_facts(con, options.la_code)
    return preflight.check(_pages(stamp, replace(options, audience=INTERNAL)), facts)


def preflight_items(options: PackOptions) -> list[preflight.Item]:
    """What to fix or acknowledge before the pack is made (`export.preflight`)."""
    return _preflight(data.version(), options)


def acknowledge(options: PackOptions, items: list[preflight.Item], actor: Actor) -> bool:
    """Write the items a person chose to make the pack despite to the audit log; False when the store stayed busy
    (the pack is then not made, so no acknowledgement goes unrecorded)."""
    if not items:
        return True
    return data.record(actor, "pack_checks_acknowledged", f"Board pack: {options.file_stem}",
                       {"council": options.la_code, "month": options.period, "audience": options.audience,
                        "items": [item.text for item in items]})


def warm_up() -> None:
    """Start the chart renderer while the person chooses, so that making the pack does not wait for chromium."""
    render.warm_up()


@st.cache_data(show_spinner=False, max_entries=8)
def _build(stamp: tuple, options: PackOptions) -> pack.Pack:
    return pack.assemble(_pages(stamp, options), plan_summary(options))


def build(options: PackOptions, actor: Actor) -> pack.Pack | None:
    """The pack, or None after saying plainly why it could not be made.

    The role is checked before the cache is consulted: a pack for publication
    made by an analyst is never handed to a viewer from the cache.
    """
    require(actor, EXPORT_PERMISSIONS[options.audience])
    with feedback.refusals():
        return _build(data.version(), options)
    return None


@st.cache_data(show_spinner="Drawing the preview…", max_entries=8)
def previews(pptx: bytes) -> list[pack.SlidePreview]:
    """Every slide of a made deck, small, for the page's preview."""
    return pack.previews(pptx)


def chart_renderable() -> bool:
    return render.available()


def chart_png(figure) -> bytes:
    """One chart as a PNG for a download button (drawn when the button is pressed)."""
    return render.render_png(figure)
