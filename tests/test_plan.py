"""Improvement-plan maths: timescales to due dates, working days without bank holidays, status and RAG rules."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analysis import plan_status
from analysis.plan_status import Timescale
from records.plan_edits import InspectionInput, check_inspection, parse_day, parse_timescale, resolve_due

PUBLISHED = date(2024, 3, 22)  # a Friday, a week before Good Friday 2024


@pytest.mark.parametrize(
    "start,months,due",
    [
        (date(2024, 3, 22), 3, date(2024, 6, 22)),
        (date(2024, 3, 22), 6, date(2024, 9, 22)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: the last day of the shorter month
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 4, 30), 1, date(2024, 5, 30)),  # the same day, not the month end
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 31), 12, date(2025, 12, 31)),
    ],
)
def test_calendar_months_land_on_the_same_day_or_the_shorter_months_end(start, months, due):
    assert plan_status.due_date(Timescale("months", months), start) == due


@pytest.mark.parametrize(
    "start,days,due,why",
    [
        (date(2024, 12, 20), 5, date(2024, 12, 31), "skips Christmas Day and Boxing Day 2024"),
        (date(2026, 12, 24), 1, date(2026, 12, 29), "Boxing Day 2026 is a Saturday: substitute Monday 28th"),
        (date(2025, 4, 17), 1, date(2025, 4, 22), "Good Friday 18 and Easter Monday 21 April 2025"),
        (date(2024, 3, 22), 20, date(2024, 4, 23), "Easter 2024 falls inside the 20 days"),
        (date(2023, 5, 5), 1, date(2023, 5, 9), "the coronation bank holiday, 8 May 2023"),
        (date(2022, 9, 16), 1, date(2022, 9, 20), "the late Queen's funeral, 19 September 2022"),
        (date(2024, 6, 3), 5, date(2024, 6, 10), "an ordinary week: weekends only"),
        (date(2024, 6, 8), 1, date(2024, 6, 10), "counting from a Saturday"),
    ],
)
def test_working_days_skip_weekends_and_england_and_wales_bank_holidays(start, days, due, why):
    assert plan_status.add_working_days(start, days) == due, why
    assert plan_status.due_date(Timescale("working_days", days), start) == due


def test_a_bank_holiday_is_not_a_working_day_but_an_ordinary_monday_is():
    assert not plan_status.is_working_day(date(2025, 12, 25))
    assert not plan_status.is_working_day(date(2025, 8, 25))  # late summer bank holiday
    assert not plan_status.is_working_day(date(2025, 8, 23))  # Saturday
    assert plan_status.is_working_day(date(2025, 9, 1))


def test_immediately_is_due_on_publication_and_a_date_needs_no_publication():
    assert plan_status.due_date(Timescale("immediately"), PUBLISHED) == PUBLISHED
    assert plan_status.due_date(Timescale("date", on=date(2027, 3, 31)), None) == date(2027, 3, 31)
    assert plan_status.due_date(Timescale("months", 3), None) is None
    assert plan_status.due_date(Timescale("weeks", 6), PUBLISHED) == date(2024, 5, 3)
    assert plan_status.due_date(Timescale("days", 10), PUBLISHED) == date(2024, 4, 1)


@pytest.mark.parametrize(
    "written,meant",
    [
        ("Immediately", Timescale("immediately")),
        ("with immediate effect", Timescale("immediately")),
        ("within 3 months", Timescale("months", 3)),
        ("Within three months of publication", Timescale("months", 3)),
        ("6 months", Timescale("months", 6)),
        ("within twenty-four months", Timescale("months", 24)),
        ("Within 20 working days", Timescale("working_days", 20)),
        ("10 WD", Timescale("working_days", 10)),
        ("within 6 weeks", Timescale("weeks", 6)),
        ("within 14 calendar days", Timescale("days", 14)),
        ("31/03/2025", Timescale("date", on=date(2025, 3, 31))),
        ("by 31 March 2025", Timescale("date", on=date(2025, 3, 31))),
        ("31st Mar 2025", Timescale("date", on=date(2025, 3, 31))),
        ("2025-03-31", Timescale("date", on=date(2025, 3, 31))),
        ("March 2025", Timescale("date", on=date(2025, 3, 31))),
        (datetime(2025, 3, 31), Timescale("date", on=date(2025, 3, 31))),
        (45747, Timescale("date", on=date(2025, 3, 31))),  # an Excel serial number
        ("soon", None),
        ("31/02/2025", None),
        ("", None),
        (None, None),
    ],
)
def test_timescales_are_read_as_councils_write_them(written, meant):
    assert parse_timescale(written) == meant


def test_a_day_is_read_day_first_and_nonsense_is_refused():
    assert parse_day("01/04/2025") == date(2025, 4, 1)
    assert parse_day("1.4.25") == date(2025, 4, 1)
    assert parse_day(pd.Timestamp("2025-04-01")) == date(2025, 4, 1)
    assert parse_day("yesterday") is None
    assert parse_day(True) is None
    assert parse_day(12) is None


def test_a_due_date_that_disagrees_with_the_timescale_is_refused_in_words():
    due, problems = resolve_due("within 3 months", date(2024, 6, 30), PUBLISHED)
    assert due is None
    assert problems[0][0] == "due_on"
    assert "does not match the timescale 'within 3 months', which gives 22 Jun 2024" in problems[0][1]
    assert resolve_due("within 3 months", date(2024, 6, 22), PUBLISHED) == (date(2024, 6, 22), [])
    assert resolve_due("", date(2024, 6, 30), None) == (date(2024, 6, 30), [])
    assert resolve_due("within 3 months", None, None)[1][0][0] == "timescale"
    assert "cannot be read" in resolve_due("asap", None, PUBLISHED)[1][0][1]
    assert "Give a timescale" in resolve_due(None, None, PUBLISHED)[1][0][1]


def test_overdue_means_past_due_and_not_done():
    today = date(2026, 11, 16)
    assert plan_status.is_overdue(date(2026, 11, 15), "in_progress", today)
    assert plan_status.is_overdue(date(2026, 11, 15), "not_started", today)
    assert not plan_status.is_overdue(date(2026, 11, 16), "in_progress", today)  # due today is not late yet
    assert not plan_status.is_overdue(date(2024, 1, 1), "completed", today)
    assert not plan_status.is_overdue(date(2024, 1, 1), "evidenced", today)
    assert plan_status.timing_text(date(2026, 11, 15), "in_progress", today) == "Overdue by 1 day"
    assert plan_status.timing_text(date(2026, 11, 6), "in_progress", today) == "Overdue by 10 days"
    assert plan_status.timing_text(date(2026, 11, 16), "in_progress", today) == "Due today"
    assert plan_status.timing_text(date(2026, 11, 30), "not_started", today) == "14 days left"
    assert plan_status.timing_text(date(2024, 1, 1), "evidenced", today) == "Done"


def test_an_overdue_item_is_never_green_and_the_rag_is_always_in_words():
    assert plan_status.checked_rag("green", overdue=True) == "red"
    assert plan_status.checked_rag("amber", overdue=True) == "red"
    assert plan_status.checked_rag(None, overdue=True) == "red"
    assert plan_status.checked_rag("green", overdue=False) == "green"
    assert plan_status.rag_text("red", overdue=True) == "■ Red: overdue"
    assert plan_status.rag_text("amber") == "▲ Amber"
    assert plan_status.rag_text("green") == "● Green"
    assert plan_status.rag_text(None) == "Not set"
    today = date(2026, 11, 16)
    refused = plan_status.rag_problem("green", date(2026, 1, 1), "in_progress", today)
    assert refused.startswith("An overdue recommendation cannot be green")
    assert plan_status.rag_problem("green", date(2026, 1, 1), "completed", today) is None
    assert plan_status.rag_problem("amber", date(2026, 1, 1), "in_progress", today) is None
    assert plan_status.rag_problem("green", date(2027, 1, 1), "in_progress", today) is None


def _recs(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["rec_id", "ref", "text", "area", "due_on", "status", "rag", "owner"])


def test_the_plan_lists_overdue_first_then_open_by_due_date_then_done():
    recs = _recs(
        (1, "R1", "Done early", "help_protection", pd.Timestamp("2024-01-01"), "evidenced", "green", "A"),
        (2, "R2", "Later", "workforce", pd.Timestamp("2027-06-01"), "in_progress", "green", "B"),
        (3, "R3", "Late a little", "care_leavers", pd.Timestamp("2026-10-01"), "in_progress", "green", "C"),
        (4, "R4", "Sooner", "workforce", pd.Timestamp("2027-01-01"), "not_started", None, None),
        (5, "R5", "Very late", "care_leavers", pd.Timestamp("2024-09-22"), "in_progress", "amber", "D"),
    )
    rows = plan_status.plan_rows(recs, date(2026, 11, 16))
    assert rows["ref"].tolist() == ["R5", "R3", "R4", "R2", "R1"]
    view = plan_status.plan_view(rows)
    assert view.columns.tolist() == ["Ref", "Recommendation", "Area", "Due", "Days", "Owner", "Status", "RAG"]
    assert view.loc[0, "Days"].startswith("Overdue by")
    assert view.loc[1, "RAG"] == "■ Red: overdue"  # the owner said green; it is late
    assert view.loc[2, "RAG"] == "Not set"
    assert plan_status.status_counts(rows) == {"Not started": 1, "In progress": 3, "Completed": 0, "Evidenced": 1,
                                        "Overdue": 2}
    assert plan_status.filter_rows(rows, [], [], True)["ref"].tolist() == ["R5", "R3"]
    assert plan_status.filter_rows(rows, ["workforce"], ["not_started"], False)["ref"].tolist() == ["R4"]


def test_inspections_are_checked_against_what_ofsted_grades():
    ilacs = InspectionInput("ilacs_standard", date(2024, 2, 12), date(2024, 3, 22), "",
                            {"overall": "requires_improvement", "children_in_care": "good"})
    assert check_inspection(ilacs) == []
    visit = InspectionInput("focused_visit", date(2025, 9, 9), None, "", {"care_leavers": "good"})
    assert "gives no graded judgements" in " ".join(check_inspection(visit))
    later = InspectionInput("ilacs_standard", date(2026, 5, 11), None, "", {"overall": "good"})
    assert "no longer grades overall effectiveness" in " ".join(check_inspection(later))
    backwards = InspectionInput("ilacs_short", date(2024, 2, 12), date(2024, 1, 1))
    assert "cannot be published before" in " ".join(check_inspection(backwards))
    assert "Type must be one of" in " ".join(check_inspection(InspectionInput("audit", date(2024, 1, 1))))


def test_chart_marks_name_inspections_and_due_dates_and_skip_a_note_already_on_the_chart():
    inspections = pd.DataFrame({"kind": ["ilacs_standard", "focused_visit"],
                                "inspected_on": [pd.Timestamp("2024-02-12"), pd.Timestamp("2025-09-09")],
                                "overall": ["requires_improvement", None]})
    due = pd.DataFrame({"ref": ["R4"], "text": ["End the reliance on bed and breakfast accommodation for care "
                                                "leavers."], "due_on": [pd.Timestamp("2024-09-22")]})
    marks = plan_status.chart_marks(inspections, due)
    assert marks["text"].tolist() == ["Ofsted ILACS inspection: Requires improvement to be good",
                                      "Due: R4 End the reliance on bed and…", "Ofsted focused visit"]
    assert marks["kind"].tolist() == ["inspection", "due", "inspection"]
    notes = pd.DataFrame({"period": [date(2024, 2, 1)],
                          "text": ["Ofsted ILACS inspection: Requires improvement to be good"]})
    assert "Ofsted ILACS inspection: Requires improvement to be good" not in \
        plan_status.chart_marks(inspections, due, notes)["text"].tolist()
    assert plan_status.chart_marks(inspections, due, brief=True)["text"].tolist() == [
        "Ofsted ILACS inspection", "Due: R4", "Ofsted focused visit"]
    merged = plan_status.with_marks(notes.assign(annotation_id=[1]), marks)
    assert merged["kind"].tolist() == ["note", "inspection", "due", "inspection"]
