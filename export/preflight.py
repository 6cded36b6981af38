"""The pack's pre-flight: what would go out wrong or unexplained, found before the pack is made.

An assistant director's pack once went to a board with "No commentary has been written" on every KPI slide and
nobody told. So before a pack is made the page (and `python -m export pack`, as `warning:` lines) lists:

- a KPI off target or within tolerance with no commentary for the month, which a board will ask about;
- a KPI with no figure for the month, whose slide shows an older month (or nothing);
- a KPI whose target (or floor) has ended with nothing after it, so its slide shows no target at all; a target
  that ended because a later one replaced it is history, drawn on the chart as a step, and is not listed;
- a pack for a month older than the latest the council has loaded;
- how many slides carry the dashboard's drafted commentary that nobody has reviewed yet.

Each item names the KPI (never its code), says what is wrong and how to put it right. `check` is a pure function
of the gathered pages and the few store facts it needs (`read_facts`), so each rule is tested on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analysis import kpi
from export.gather import KpiPage, PackData
from store import queries
from store.dates import month_label
from store.words import plural

UNEXPLAINED, NO_DATA, OLD_MONTH, DRAFTS = "unexplained", "no_data", "old_month", "drafts"
TARGET_ENDED, FLOOR_ENDED = "target_ended", "floor_ended"
NEEDS_COMMENTARY = {kpi.RAG_RED.code: "off target", kpi.RAG_AMBER.code: "within tolerance"}


@dataclass(frozen=True)
class StoreFacts:
    """What the pre-flight needs beyond the pack's pages."""

    latest_month: date | None
    """The latest month the council has figures for."""
    targets: pd.DataFrame
    """The council's targets and floors, removed ones left out (`store.queries.targets`)."""


@dataclass(frozen=True)
class Item:
    """One thing to fix or acknowledge before the pack is made."""

    check: str
    kpi_code: str | None
    """Which KPI, to tell items apart; never shown (the subject names it)."""
    subject: str
    problem: str
    fix: str

    @property
    def key(self) -> str:
        return f"{self.check}:{self.kpi_code or ''}"

    @property
    def text(self) -> str:
        return f"{self.subject}: {self.problem} {self.fix}"


def read_facts(con: duckdb.DuckDBPyConnection, la_code: str) -> StoreFacts:
    months = queries.months_with_data(con, la_code)
    return StoreFacts(months[-1] if months else None, queries.targets(con, la_code))


def check(data: PackData, facts: StoreFacts) -> list[Item]:
    """Every item for the pack, the pack's month first and then each KPI in the pack's order."""
    month = data.options.period
    items = []
    if facts.latest_month is not None and _month(facts.latest_month) > _month(month):
        latest = month_label(facts.latest_month)
        items.append(Item(OLD_MONTH, None, "The pack's month",
                          f"the pack shows figures to {month_label(month)}, but figures up to {latest} are loaded.",
                          f"Choose {latest} unless the board asked for {month_label(month)}."))
    drafted = [page for page in data.pages if page.draft]
    if drafted:
        items.append(Item(DRAFTS, None, "Drafted commentary",
                          f"{plural(len(drafted), 'slide')} {'carries' if len(drafted) == 1 else 'carry'} the "
                          "dashboard's draft from the data, not yet "
                          f"reviewed ({', '.join(page.name for page in drafted[:5])}{', …' if len(drafted) > 5 else ''}"
                          "): each is marked as a draft on its slide.",
                          f"Accept or edit each draft for {month_label(month)} on the KPI trend page."))
    for page in data.pages:
        items += [item for item in (_no_data(page, month), _unexplained(page, month)) if item is not None]
        targets = facts.targets[facts.targets["kpi_code"] == page.code]
        items += [item for floors in (False, True) if (item := _ended(page, targets, month, floors)) is not None]
    return items


def _month(value: date | pd.Timestamp) -> pd.Period:
    return pd.Timestamp(value).to_period("M")


def _no_data(page: KpiPage, month: date) -> Item | None:
    if page.latest_period is None or pd.isna(page.latest_period):
        return Item(NO_DATA, page.code, page.name, f"no figures up to {month_label(month)}: its slide has no value.",
                    "Upload its figures on the Upload page, or leave it out of the pack.")
    if _month(page.latest_period) < _month(month):
        return Item(NO_DATA, page.code, page.name,
                    f"no figure for {month_label(month)}; its slide shows {page.latest_when}.",
                    f"Upload the {month_label(month)} return on the Upload page, or tell the board which month the "
                    "slide shows.")
    return None


def _unexplained(page: KpiPage, month: date) -> Item | None:
    if page.rag not in NEEDS_COMMENTARY or page.commentary:
        return None
    gap = f" ({page.gap_text})" if page.gap_text and page.gap_text != "–" else ""
    return Item(UNEXPLAINED, page.code, page.name,
                f"{NEEDS_COMMENTARY[page.rag]}{gap} with no commentary for {month_label(month)}.",
                f"Write commentary for {month_label(month)} on the KPI trend page.")


def _ended(page: KpiPage, targets: pd.DataFrame, month: date, floors: bool) -> Item | None:
    """A target (or floor) that ended before the month with none in force in it."""
    own = targets[(targets["kind"] == "floor") == floors]
    if own.empty or kpi.row_in_force(own, month, floors) is not None:
        return None
    ended = own[own["end_period"].notna() & (pd.to_datetime(own["end_period"]) < pd.Timestamp(month))]
    if ended.empty:
        return None
    last = ended.sort_values("end_period").iloc[-1]
    what = "floor" if floors else f"{last['kind']} target"
    return Item(FLOOR_ENDED if floors else TARGET_ENDED, page.code, page.name,
                f"its {what} of {page.text(float(last['value']))} ended in {month_label(last['end_period'])} and "
                f"nothing has replaced it, so its slide shows no {'floor' if floors else 'target'}.",
                f"Set a new {'floor' if floors else 'target'} on the Targets and RAG rules page, or remove the "
                "ended one if the KPI no longer has one.")
