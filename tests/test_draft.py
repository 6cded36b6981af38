"""Drafted commentary: built from a KPI's numbers alone, never contradicting them, marked as a draft until someone
accepts it and as drafted from the data after; a pack counts the drafts nobody has reviewed."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import draft, kpi_view
from export import preflight
from export.gather import PackOptions, gather
from records.kpi_edits import add_commentary
from settings import DEMO_LA_CODE
from store import queries
from store.connection import open_store
from tests.actors import ANALYST
from tests.find import widget
from ui.text import unescape

MONTH = date(2026, 10, 1)
BASE = {"kpi_code": "X", "name": "Assessments in 45 days", "latest": 88.2, "latest_text": "88.2%",
        "latest_when": "Oct 2026", "month_change_text": "-1.1 points on Sep 2026", "target_text": "92.0%",
        "england_text": "85.7% (31 Mar 2025)", "neighbour_text": "84.1% (31 Mar 2026)", "variation": None,
        "assurance": None}
CASES = [
    ({"rag": "red", "rag_text": "■ Off target", "gap_text": "3.8 points below"},
     "That is off target, 3.8 points below the target of 92.0%.", ["on target", "within tolerance"]),
    ({"rag": "amber", "rag_text": "▲ Within tolerance", "gap_text": "1.2 points below"},
     "That is within tolerance, 1.2 points below the target of 92.0%.", ["off target", "on target"]),
    ({"rag": "green", "rag_text": "● On target", "gap_text": "2.6 points above"},
     "That is on target, 2.6 points above the target of 92.0%.", ["off target", "within tolerance"]),
    ({"rag": "green", "rag_text": "● On target", "gap_text": "at target"},
     "That is on target, at the target of 92.0%.", ["off target"]),
    ({"rag": "green", "rag_text": "● Within 5% of target", "gap_text": "1.0 points above"},
     "That is within 5% of target, 1.0 points above the target of 92.0%.", ["off target", "on target"]),
    ({"rag": "context", "rag_text": "○ Context", "gap_text": "–", "target_text": "–"},
     "It is a context measure: it has no target and is not rated.", ["on target", "off target"]),
    ({"rag": "none", "rag_text": "– No target", "gap_text": "–", "target_text": "–"},
     "No target is set for it.", ["on target", "off target"]),
]
DIRECTIONS = [("improved", "↑ Better than 84.0% in Oct 2025", "It is better than 84.0% in Oct 2025."),
              ("worsened", "↓ Worse than 90.1% in Oct 2025", "It is worse than 90.1% in Oct 2025."),
              ("unknown", "– No comparison with a year earlier", None)]


@pytest.mark.parametrize("judgement, said, never", CASES)
@pytest.mark.parametrize("direction, direction_text, year", DIRECTIONS)
def test_every_judgement_and_direction_is_said_as_the_numbers_say_it(judgement, said, never, direction,
                                                                      direction_text, year):
    row = pd.Series({**BASE, **judgement, "direction": direction, "direction_text": direction_text})
    text = draft.paragraph(row)
    assert text.startswith("Assessments in 45 days was 88.2% in Oct 2026 (-1.1 points on Sep 2026). ")
    assert said in text
    assert not [word for word in never if word in text.lower()], text
    assert (year in text) if year else ("a year" not in text and "than" not in text)
    assert "For comparison: England 85.7% (31 Mar 2025) and the statistical-neighbour average 84.1% (31 Mar 2026)." \
        in text
    assert "↑" not in text and "↓" not in text


@pytest.mark.parametrize("variation, assurance, sentence", [
    ("common_cause", "inconsistent", "Month to month it is moving within its usual range (SPC: no significant change). "
                                     "On its recent pattern it will sometimes meet the target and sometimes miss it."),
    ("special_cause_concern", "consistent_fail", "SPC shows a significant change for the worse"),
    ("special_cause_improvement", None, "SPC shows a significant change for the better"),
])
def test_spc_is_said_in_plain_words(variation, assurance, sentence):
    row = pd.Series({**BASE, **CASES[0][0], "direction": "unknown", "direction_text": "–", "variation": variation,
                     "assurance": assurance})
    assert sentence in draft.paragraph(row)


def test_a_draft_for_every_demo_kpi_repeats_its_own_figures(demo_con):
    card = kpi_view.read_scorecard(demo_con, DEMO_LA_CODE, MONTH)
    for _, row in card.iterrows():
        text = draft.paragraph(row)
        assert row["latest_text"] in text and row["name"] in text
        if row["rag"] == "red":
            assert "off target" in text and "on target" not in text
        if row["rag"] == "green":
            assert "off target" not in text


def test_an_accepted_draft_is_marked_as_drafted_and_an_edited_one_as_written(app, demo_db_path):
    app.switch_page("views/trend.py").run()
    widget(app.selectbox, "KPI").set_value("ASSESS_45WD_PCT").run()
    shown = [unescape(m.value) for m in app.markdown if draft.DRAFT_LABEL in m.value]
    assert len(shown) == 1 and "Assessments completed within 45 working days was" in shown[0]
    assert widget(app.text_area, "Commentary (what happened, and what is being done)").value in shown[0]
    app.button(key="accept_draft").click().run()
    assert not app.exception
    with open_store(demo_db_path) as con:
        stored = queries.commentary(con, DEMO_LA_CODE, MONTH).set_index("kpi_code").loc["ASSESS_45WD_PCT"]
    assert bool(stored["drafted"]) and stored["text"] in shown[0]
    assert any("Drafted from the data; accepted unchanged by" in m.value for m in app.markdown)


def test_a_pack_shows_drafts_marked_and_its_pre_flight_counts_them(demo_db_path):
    with open_store(demo_db_path) as con:
        add_commentary(con, DEMO_LA_CODE, "CONTACTS", MONTH, "Our own words.", ANALYST)
        data = gather(con, PackOptions(DEMO_LA_CODE, "Anyshire", MONTH,
                                       ("CONTACTS", "ASSESS_45WD_PCT", "SW_AGENCY_PCT")))
        facts = preflight.read_facts(con, DEMO_LA_CODE)
        public = gather(con, PackOptions(DEMO_LA_CODE, "Anyshire", MONTH, ("ASSESS_45WD_PCT",),
                                         audience="publication"))
    pages = {page.code: page for page in data.pages}
    assert pages["CONTACTS"].draft is None and pages["CONTACTS"].commentary == "Our own words."
    assert pages["ASSESS_45WD_PCT"].draft.startswith("Assessments completed within 45 working days was")
    (item,) = [i for i in preflight.check(data, facts) if i.check == preflight.DRAFTS]
    assert item.problem.startswith("2 slides carry the dashboard's draft from the data, not yet reviewed")
    assert public.pages[0].draft is None, "a publication never carries a draft made from unprotected figures"


def test_a_published_figure_is_at_its_date_not_in_it():
    row = pd.Series({**BASE, **CASES[5][0], "latest": 101.0, "latest_text": "101.0", "latest_kind": "published",
                     "latest_when": "31 Mar 2025 (published)", "month_change_text": "", "direction": "unknown",
                     "direction_text": "–"})
    assert draft.paragraph(row).startswith("Assessments in 45 days was 101.0 at 31 Mar 2025 (published).")
