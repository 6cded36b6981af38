"""Improvement-plan maths: timescales turned into due dates, days left or overdue, and the RAG check.

Councils set each recommendation's timescale in words ("immediately", "within 3
months", "within 20 working days") counted from the inspection report's
publication date, and scrutiny asks one question of every line: is it late? So
the due date is worked out here, once, by rules a test pins down:

- calendar months land on the same day of the later month, or on its last day
  when that month is shorter (31 August + 6 months is 28 or 29 February), which
  is how "a calendar month" is read in English law and by `dateutil`;
- working days skip weekends and England and Wales bank holidays, taken from the
  maintained `holidays` package rather than a hand-typed list that would go stale
  (substitute days and one-off days such as a coronation included);
- "immediately" is due on the day the report is published.

The owner sets the RAG; the product checks it: an overdue recommendation (past
its due date and neither completed nor evidenced) is red whatever was set, so a
board can never be shown a late item in green.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import holidays
import pandas as pd
from dateutil.relativedelta import relativedelta

from analysis.kpi import RAG_AMBER, RAG_GREEN, RAG_RED
from demo.synthetic import PLAN_AS_AT
from store.words import plural

STATUSES = {"not_started": "Not started", "in_progress": "In progress", "completed": "Completed",
            "evidenced": "Evidenced"}
DONE = frozenset({"completed", "evidenced"})
RAGS = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_SYMBOLS = {"red": RAG_RED.symbol, "amber": RAG_AMBER.symbol, "green": RAG_GREEN.symbol}
AREAS = {
    "help_protection": "Help and protection",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
    "leadership": "Leadership",
    "workforce": "Workforce",
    "partnerships": "Partnerships",
    "other": "Other",
}
LOG_KINDS = {"progress": "Progress", "impact": "Impact"}
TOO_EARLY = "Too early to tell"

INSPECTION_KINDS = {
    "ilacs_standard": "Standard ILACS inspection",
    "ilacs_short": "Short ILACS inspection",
    "focused_visit": "Focused visit",
    "monitoring_visit": "Monitoring visit",
    "jtai": "Joint targeted area inspection (JTAI)",
}
GRADED_KINDS = frozenset({"ilacs_standard", "ilacs_short"})
JUDGEMENT_AREAS = {
    "overall": "Overall effectiveness",
    "leaders": "Impact of leaders on social work practice",
    "help_protection": "Children who need help and protection",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
}
GRADES = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement to be good",
          "inadequate": "Inadequate"}
OVERALL_DROPPED_FROM = date(2026, 4, 1)
"""Ofsted stopped grading overall effectiveness for inspections from April 2026."""


@dataclass(frozen=True)
class Timescale:
    """A timescale as councils write it, read: so many months, weeks, days or working days, or a date."""

    kind: Literal["immediately", "months", "weeks", "days", "working_days", "date"]
    amount: int = 0
    on: date | None = None


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of one year (England's list: Wales has the same days)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself does not count, as in statute)."""
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day when it is shorter."""
    return start + relativedelta(months=months)


def due_date(timescale: Timescale, counts_from: date | None) -> date | None:
    """When a recommendation is due; None when its timescale needs a start date that is not known yet."""
    if timescale.kind == "date":
        return timescale.on
    if counts_from is None:
        return None
    if timescale.kind == "immediately":
        return counts_from
    if timescale.kind == "months":
        return add_months(counts_from, timescale.amount)
    if timescale.kind == "weeks":
        return counts_from + timedelta(weeks=timescale.amount)
    if timescale.kind == "days":
        return counts_from + timedelta(days=timescale.amount)
    return add_working_days(counts_from, timescale.amount)


def is_done(status: str) -> bool:
    return status in DONE


def is_overdue(due_on: date, status: str, as_at: date) -> bool:
    """Past its due date and neither completed nor evidenced. Due today is not yet overdue."""
    return not is_done(status) and due_on < as_at


def days_left(due_on: date, as_at: date) -> int:
    """Days from `as_at` to the due date: negative when overdue."""
    return (due_on - as_at).days


def timing_text(due_on: date, status: str, as_at: date) -> str:
    """What the plan's days column says: 'Overdue by 3 days', 'Due today', '12 days left' or 'Done'."""
    if is_done(status):
        return "Done"
    left = days_left(due_on, as_at)
    if left < 0:
        return f"Overdue by {plural(-left, 'day')}"
    if left == 0:
        return "Due today"
    return f"{plural(left, 'day')} left"


def checked_rag(owner_rag: str | None, overdue: bool) -> str | None:
    """The RAG the product shows: the owner's, except that an overdue item is always red."""
    return "red" if overdue else owner_rag


def rag_text(rag: str | None, overdue: bool = False) -> str:
    """RAG as symbol and word, never colour alone: '■ Red: overdue', '● Green', 'Not set'."""
    if rag is None or rag not in RAGS:
        return "Not set"
    words = f"{RAG_SYMBOLS[rag]} {RAGS[rag]}"
    return f"{words}: overdue" if overdue else words


def rag_problem(rag: str | None, due_on: date | None, status: str, as_at: date) -> str | None:
    """Why an owner may not set this RAG, or None: an overdue recommendation cannot be green."""
    if rag == "green" and due_on is not None and is_overdue(due_on, status, as_at):
        return (f"An overdue recommendation cannot be green: it was due on {day_text(due_on)} and is "
                f"{STATUSES.get(status, status).lower()}. Mark it completed or evidenced, or choose amber or red.")
    return None


def day_text(day: date | None) -> str:
    return "–" if day is None or pd.isna(day) else pd.Timestamp(day).strftime("%-d %b %Y")


def short_text(text: str, length: int = 48) -> str:
    """The start of a recommendation, cut at a word, for chart marks and choosers."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def plan_as_at(is_demo: bool) -> date:
    """The day the plan's days left and overdue count to: today, or the demo's fixed today so that its synthetic
    plan reads the same (exactly one item overdue) whenever it is opened, on the page or in a pack."""
    return PLAN_AS_AT if is_demo else date.today()


def plan_rows(recommendations: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """The recommendations with the product's judgements added, in the order scrutiny reads them.

    Overdue items come first (the most overdue at the top), then open items by due
    date, then done ones; each row gains `overdue`, `days_left`, `timing`, the
    checked `rag` and `rag_text`. An item with no owner shows a blank owner.
    """
    if recommendations.empty:
        return recommendations.assign(overdue=pd.Series(dtype=bool), days_left=pd.Series(dtype=int), timing="",
                                      shown_rag=None, rag_text="")
    rows = recommendations.copy()
    if "owner" in rows:
        rows["owner"] = rows["owner"].fillna("")
    due = pd.to_datetime(rows["due_on"]).dt.date
    rows["overdue"] = [is_overdue(d, s, as_at) for d, s in zip(due, rows["status"])]
    rows["days_left"] = [days_left(d, as_at) for d in due]
    rows["timing"] = [timing_text(d, s, as_at) for d, s in zip(due, rows["status"])]
    owner = rows["rag"].where(rows["rag"].notna(), None)
    rows["shown_rag"] = [checked_rag(r, o) for r, o in zip(owner, rows["overdue"])]
    rows["rag_text"] = [rag_text(r, o) for r, o in zip(rows["shown_rag"], rows["overdue"])]
    group = [0 if o else (2 if is_done(s) else 1) for o, s in zip(rows["overdue"], rows["status"])]
    return (rows.assign(_group=group, _due=pd.to_datetime(rows["due_on"]))
            .sort_values(["_group", "_due", "rec_id"]).drop(columns=["_group", "_due"]).reset_index(drop=True))


PLAN_VIEW = {"ref": "Ref", "text": "Recommendation", "area_text": "Area", "due_text": "Due", "timing": "Days",
             "owner": "Owner", "status_text": "Status", "rag_text": "RAG"}


def plan_view(rows: pd.DataFrame) -> pd.DataFrame:
    """The table the page shows, from `plan_rows`: words only, so it reads the same printed in greyscale."""
    view = rows.assign(
        area_text=rows["area"].map(AREAS).fillna(rows["area"]),
        due_text=[day_text(d) for d in rows["due_on"]],
        status_text=rows["status"].map(STATUSES),
        owner=rows["owner"].fillna(""),
    )
    return view[list(PLAN_VIEW)].rename(columns=PLAN_VIEW)


def filter_rows(rows: pd.DataFrame, areas: list[str], statuses: list[str], overdue_only: bool) -> pd.DataFrame:
    """The plan narrowed by area and status codes (empty lists mean all) and, when asked, to overdue items."""
    keep = pd.Series(True, index=rows.index)
    if areas:
        keep &= rows["area"].isin(areas)
    if statuses:
        keep &= rows["status"].isin(statuses)
    if overdue_only:
        keep &= rows["overdue"]
    return rows[keep]


def status_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many recommendations are in each status, in the plan's order, plus how many are overdue."""
    counts = {label: int((rows["status"] == code).sum()) for code, label in STATUSES.items()}
    counts["Overdue"] = int(rows["overdue"].sum()) if "overdue" in rows else 0
    return counts


def inspection_label(kind: str, inspected_on: date) -> str:
    """'Standard ILACS inspection, Feb 2024': how choosers and tables name an inspection."""
    return f"{INSPECTION_KINDS.get(kind, kind)}, {pd.Timestamp(inspected_on):%b %Y}"


def inspection_mark(kind: str, overall: str | None) -> str:
    """The words marking an inspection on a KPI chart, e.g. 'Ofsted ILACS inspection: Requires improvement to be
    good' (the same words a council's own chart note uses, so the two are recognised as one)."""
    name = {"ilacs_standard": "Ofsted ILACS inspection", "ilacs_short": "Ofsted short ILACS inspection",
            "focused_visit": "Ofsted focused visit", "monitoring_visit": "Ofsted monitoring visit",
            "jtai": "Joint targeted area inspection"}.get(kind, kind)
    return f"{name}: {GRADES[overall]}" if overall in GRADES else name


def chart_marks(inspections: pd.DataFrame, due: pd.DataFrame, notes: pd.DataFrame | None = None,
                brief: bool = False) -> pd.DataFrame:
    """Dated marks for a KPI chart: inspection dates ('Ofsted ILACS inspection: …') and linked recommendations'
    due dates ('Due: R4 End the reliance…'), with a `kind` column the chart styles by. `brief` marks leave out
    the grade and the recommendation's words, for the small charts of one recommendation.

    An inspection the council already noted on the chart in the same words and month is not marked twice.
    """
    frames = []
    if not inspections.empty:
        marks = pd.DataFrame({"period": pd.to_datetime(inspections["inspected_on"]),
                              "text": [inspection_mark(k, None if brief else o) for k, o in
                                       zip(inspections["kind"], inspections["overall"])],
                              "kind": "inspection"})
        if notes is not None and not notes.empty:
            noted = {(pd.Timestamp(p).to_period("M"), t) for p, t in zip(notes["period"], notes["text"])}
            marks = marks[[(p.to_period("M"), t) not in noted for p, t in zip(marks["period"], marks["text"])]]
        frames.append(marks)
    if not due.empty:
        frames.append(pd.DataFrame({"period": pd.to_datetime(due["due_on"]),
                                    "text": [f"Due: {r}" if brief else f"Due: {r} {short_text(t, 34)}"
                                             for r, t in zip(due["ref"], due["text"])],
                                    "kind": "due"}))
    if not frames:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "text": pd.Series(dtype=str),
                             "kind": pd.Series(dtype=str)})
    return pd.concat(frames, ignore_index=True).sort_values("period", kind="stable").reset_index(drop=True)


def with_marks(notes: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """A chart's own notes followed by the plan's marks, in date order, for `charts.add_annotations`."""
    if marks.empty:
        return notes
    own = notes[["period", "text"]].assign(period=pd.to_datetime(notes["period"]), kind="note")
    return pd.concat([own, marks], ignore_index=True).sort_values("period", kind="stable").reset_index(drop=True)
