"""The Board pack and Presentation pages in AppTest, and the trend page's PNG download."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from auth import audit
from export import pack
from records.kpi_edits import add_commentary
from settings import DEMO_LA_CODE
from store.connection import open_store
from tests.actors import ADMIN, analyst
from tests.find import containing, texts
from tests.test_board_pack import MONTH, fake_renderer
from ui.text import unescape

UNEXPLAINED = ["Long-term placement stability (same placement 2+ years)", "Looked-after reviews held in timescale",
               "Looked-after visits within timescale", "Care leavers aged 19-21 in suitable accommodation",
               "Care leavers in bed and breakfast accommodation"]
"""The demo's corporate parenting board KPIs off target or within tolerance in Oct 2026, none with commentary."""


@pytest.fixture
def quick_charts(monkeypatch):
    """Charts drawn by a stand-in, so the page tests do not wait for a browser (the browser test draws them)."""
    monkeypatch.setattr(pack, "render_for_slides", fake_renderer)


def open_pack_page(app):
    app.switch_page("views/board_pack.py").run()
    assert not app.exception
    return app


def preflight_boxes(app) -> list:
    return [box for box in app.checkbox if box.key.startswith("preflight_")]


def make_anyway(app):
    """Acknowledge every pre-flight item and make the pack."""
    app.button(key="preflight_all").click().run()
    app.button(key="make_pack").click().run(timeout=120)
    assert not app.exception
    return app


def test_board_pack_previews_the_slides_of_the_saved_selection(app):
    open_pack_page(app)
    assert texts(app.title) == ["Board pack"]
    assert app.radio(key="pack_selection").options == ["Corporate parenting board", "Scrutiny", "Choose KPIs"]
    preview = unescape(next(m.value for m in app.markdown if m.value.startswith("1. ")))
    lines = preview.splitlines()
    assert lines[0] == "1. Anyshire (demo): Corporate parenting board"
    assert lines[1:3] == ["2. Scorecard (1 of 2)", "3. Scorecard (2 of 2)"]
    assert lines[-2:] == ["15. Care leavers in bed and breakfast accommodation", "16. Improvement plan"]
    app.radio(key="pack_selection").set_value("Scrutiny").run()
    preview = unescape(next(m.value for m in app.markdown if m.value.startswith("1. ")))
    assert preview.splitlines()[0] == "1. Anyshire (demo): Scrutiny" and "Referrals received" in preview


def test_board_pack_makes_both_files_for_publication(app, downloads, quick_charts):
    open_pack_page(app)
    app.radio(key="pack_audience").set_value("publication").run()
    assert any("Disclosure control" in i.value for i in app.info)
    make_anyway(app)
    containing(app.success, "marked OFFICIAL")
    stem = "E99000001_Corporate_parenting_board_2026-10_publication"
    pptx, mime = downloads[f"{stem}.pptx"]
    assert mime == pack.PPTX_MIME
    deck = Presentation(io.BytesIO(pptx))
    assert len(deck.slides) == 16
    plan_slide = "\n".join(s.text_frame.text for s in deck.slides[-1].shapes if s.has_text_frame)
    assert deck.slides[-1].shapes.title.text == "Improvement plan"
    assert "bed and breakfast" in plan_slide, "the demo's one overdue recommendation is named"
    assert "OFFICIAL" in [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]
    book = load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"][0]))
    assert book.sheetnames[:3] == ["About", "KPIs", "Scorecard"] and "CL_BB_COUNT" in book.sheetnames


def test_board_pack_refuses_an_empty_choice_with_a_message(app):
    open_pack_page(app)
    app.radio(key="pack_selection").set_value("Choose KPIs").run()
    assert not app.exception
    containing(app.warning, "Choose at least one KPI")
    assert not app.button


def test_board_pack_says_when_choices_changed_after_making(app, quick_charts):
    make_anyway(open_pack_page(app))
    assert app.get("download_button")
    app.slider(key="pack_months").set_value(36).run()
    assert not app.get("download_button")
    containing(app.info, "make it again")


def test_board_pack_lists_what_to_check_and_makes_the_pack_once_each_is_acknowledged(app, demo_db_path,
                                                                                     quick_charts):
    open_pack_page(app)
    boxes = preflight_boxes(app)
    labels = [unescape(box.label) for box in boxes]
    assert [label.split(":", 1)[0].strip("*") for label in labels] == ["Drafted commentary"] + UNEXPLAINED
    assert labels[0].startswith("**Drafted commentary**: 12 slides carry the dashboard's draft from the data")
    assert all("with no commentary for Oct 2026" in label and "on the KPI trend page" in label for label in labels[1:])
    assert not any("_PCT" in label or "_COUNT" in label for label in labels), "KPI names, never codes"
    containing(app.markdown, "6 things to check")
    assert app.button(key="make_pack").disabled
    for box in boxes[:-1]:
        box.check().run()
    assert app.button(key="make_pack").disabled, "one item is still neither put right nor ticked"
    containing(app.caption, "tick the 1 item above")
    preflight_boxes(app)[-1].check().run()
    assert not app.button(key="make_pack").disabled
    app.button(key="make_pack").click().run(timeout=120)
    assert not app.exception
    containing(app.success, "The pack is ready")
    with open_store(demo_db_path) as con:
        entries = audit.entries(con, ADMIN, actions=["pack_checks_acknowledged"])
    assert len(entries) == 1
    recorded = json.loads(entries["after"].iloc[0])
    assert recorded["month"] == "2026-10-01" and len(recorded["items"]) == len(UNEXPLAINED) + 1
    assert recorded["items"][1].startswith(UNEXPLAINED[0] + ": within tolerance")


def test_an_item_put_right_leaves_the_list(app, demo_db_path):
    open_pack_page(app)
    with open_store(demo_db_path) as con:
        add_commentary(con, DEMO_LA_CODE, "CL_BB_COUNT", MONTH, "Two young people moved on from B&B this month.",
                       analyst("ad@anyshire.example"))
    app.run()
    named = [unescape(box.label).split(":", 1)[0].strip("*") for box in preflight_boxes(app)]
    assert named == ["Drafted commentary"] + UNEXPLAINED[:-1]


def test_board_pack_previews_every_slide_small_before_download_and_shows_no_timings(app, quick_charts):
    make_anyway(open_pack_page(app))
    assert "Preview" in texts(app.subheader)
    titles = [unescape(m.value) for m in app.markdown if m.value.startswith("**") and ". " in m.value[:8]]
    assert titles[0] == "**1. Anyshire (demo): Corporate parenting board**"
    assert titles[1:3] == ["**2. Scorecard (1 of 2)**", "**3. Scorecard (2 of 2)**"]
    assert titles[-1] == "**16. Improvement plan**"
    images = app.get("image")
    assert len(images) == 12, "one chart picture per KPI slide"
    alts = [picture.alt for image in images for picture in image.proto.imgs]
    assert len(alts) == 12 and all(a.startswith("Line chart: ") and "Latest value" in a for a in alts)
    words = "\n".join(unescape(c.value) for c in app.caption)
    assert "Draft from the data, not yet reviewed, Oct 2026" in words and "OFFICIAL-SENSITIVE" in words
    assert "Children looked after at period end · " in words, "the scorecard's rows"
    assert not any(m.value.startswith("Made in") for m in app.markdown)


def slide_title(app) -> str:
    return unescape(next(m.value for m in app.markdown if m.value.startswith("## ")).removeprefix("## "))


def marking_line(app) -> str:
    return unescape(next(m.value for m in app.markdown if m.value.startswith("**OFFICIAL")))


def open_presentation(app):
    app.switch_page("views/present.py").run()
    assert not app.exception
    return app


def test_presentation_opens_on_the_agenda_and_ends_on_the_improvement_plan(app):
    open_presentation(app)
    assert slide_title(app) == "Corporate parenting board: agenda"
    agenda = unescape(next(m.value for m in app.markdown if m.value.startswith("1. "))).splitlines()
    assert len(agenda) == 12
    assert agenda[0] == "1. Children looked after at period end"
    assert agenda[-1] == "12. Care leavers in bed and breakfast accommodation"
    containing(app.markdown, "12 KPIs, then the improvement plan", unescaped=True)
    assert marking_line(app) == "**OFFICIAL-SENSITIVE** · Synthetic demo data · Anyshire (demo) · Oct 2026"
    assert not app.title and not app.info, "the marking line stands for the page title and the demo banner"
    app.button(key="present_next").click().run()
    assert slide_title(app) == "Children looked after at period end"
    assert app.get("plotly_chart")
    assert "**Target:** none set" in [m.value for m in app.markdown], "a context measure's slide reads aloud"
    app.button(key="present_previous").click().run()
    app.button(key="present_previous").click().run()
    assert slide_title(app) == "Improvement plan"
    containing(app.markdown, "Overdue: 1 recommendation")
    containing(app.markdown, "bed and breakfast", unescaped=True)
    app.button(key="present_next").click().run()
    assert slide_title(app) == "Corporate parenting board: agenda"


def test_presentation_moves_with_the_keys_a_clicker_sends(app):
    open_presentation(app)
    shortcuts = {key: app.button(key=key).proto.shortcut for key in
                 ("present_previous", "present_next", "present_pageup", "present_pagedown", "present_space")}
    assert shortcuts == {"present_previous": "left", "present_next": "right", "present_pageup": "pageup",
                         "present_pagedown": "pagedown", "present_space": "space"}
    app.button(key="present_pagedown").click().run()
    app.button(key="present_space").click().run()
    assert slide_title(app) == "Children looked after per 10000 children"
    app.button(key="present_pageup").click().run()
    assert slide_title(app) == "Children looked after at period end"


def test_presentation_jumps_to_any_slide_from_the_list(app):
    open_presentation(app)
    slides = app.selectbox(key="present_list_0")
    assert slides.options[:2] == ["Agenda", "1. Children looked after at period end"]
    assert slides.options[-1] == "Improvement plan" and len(slides.options) == 14
    slides.select_index(5).run()
    assert slide_title(app) == "Long-term placement stability (same placement 2+ years)"
    app.button(key="present_next").click().run()
    assert slide_title(app) == "Children looked after with 3+ social workers in 12 months"
    assert app.selectbox(key="present_list_6").index == 6, "the list follows the keys"


def test_presentation_starts_each_audience_on_its_agenda(app):
    open_presentation(app)
    app.button(key="present_next").click().run()
    app.radio(key="present_audience").set_value("Scrutiny").run()
    assert slide_title(app) == "Scrutiny: agenda"
    app.button(key="present_next").click().run()
    assert slide_title(app) == "Referrals received"
    app.radio(key="present_audience").set_value("All KPIs").run()
    containing(app.markdown, "34 KPIs, then the improvement plan", unescaped=True)
    app.button(key="present_previous").click().run()
    app.button(key="present_previous").click().run()
    assert slide_title(app) == "Cases without an allocated social worker"


def test_presentation_says_so_when_a_council_keeps_no_plan(app):
    open_presentation(app)
    app.selectbox(key="la_code").set_value("E99000002").run()
    app.button(key="present_previous").click().run()
    assert slide_title(app) == "Improvement plan"
    containing(app.markdown, "keeps no improvement plan in the dashboard")


def test_trend_page_offers_the_chart_as_png(app):
    app.switch_page("views/trend.py").run()
    labels = [b.label for b in app.get("download_button")]
    assert "Download this chart (PNG)" in labels


def test_presentation_in_a_public_meeting_shows_c_for_a_small_count(app, demo_db_path):
    from store.connection import open_store

    with open_store(demo_db_path) as con:
        con.execute("UPDATE observations SET value = 3 WHERE kpi_code = 'CL_BB_COUNT' AND period = DATE '2026-10-01'"
                    " AND is_current")
    open_presentation(app)
    app.button(key="present_previous").click().run()
    app.button(key="present_previous").click().run()
    assert slide_title(app) == "Care leavers in bed and breakfast accommodation"
    values = texts(app.markdown)
    assert "3" in values and "c" not in values
    app.toggle(key="present_public").set_value(True).run()
    assert slide_title(app) == "Care leavers in bed and breakfast accommodation", "the switch keeps the slide"
    values = texts(app.markdown)
    assert "c" in values and "3" not in values
    assert any(v.startswith("c = suppressed") for v in values)
    assert marking_line(app).startswith("**OFFICIAL** · ")
