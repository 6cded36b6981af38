"""The Improvement plan and Inspections pages in AppTest, and the plan's marks on the KPI trend charts."""
from __future__ import annotations

from datetime import date

from tests.find import containing, frame, texts, widget
from ui import plan_tables
from ui.text import unescape, unescape_cells


def _plan(app):
    app.switch_page("views/improvement_plan.py").run()
    assert not app.exception
    return app


def _plan_table(app):
    return unescape_cells(frame(app.table, "Recommendation"))


def _log(app):
    return unescape_cells(frame(app.table, "Entry"))


def test_the_overdue_item_is_listed_first_in_red_with_the_word_overdue(app):
    app = _plan(app)
    assert texts(app.title) == ["Improvement plan"]
    table = _plan_table(app)
    first = table.iloc[0]
    assert first["Ref"] == "R4"
    assert first["Days"].startswith("Overdue by")
    assert first["RAG"] == "■ Red: overdue"
    assert (table["Days"].str.startswith("Overdue")).sum() == 1
    assert {m.label: m.value for m in app.metric} == {"Not started": "0", "In progress": "3", "Completed": "2",
                                                       "Evidenced": "4", "Overdue": "1"}
    overdue = containing(app.error, "1 recommendation overdue", unescaped=True)
    assert "R4" in unescape(overdue.value)
    assert any("16 Nov 2026" in text for text in texts(app.markdown))


def test_filters_narrow_the_plan(app):
    app = _plan(app)
    app.checkbox(key="plan_overdue").check().run()
    assert _plan_table(app)["Ref"].tolist() == ["R4"]
    app.checkbox(key="plan_overdue").uncheck().run()
    app.multiselect(key="plan_statuses").set_value(["completed"]).run()
    assert set(_plan_table(app)["Status"]) == {"Completed"}
    app.multiselect(key="plan_statuses").set_value([]).run()
    app.multiselect(key="plan_areas").set_value(["workforce"]).run()
    assert _plan_table(app)["Ref"].tolist() == ["R8"]


def test_opening_a_recommendation_shows_its_log_and_its_kpis_with_the_due_date_marked(app):
    app = _plan(app)
    assert app.selectbox(key="open_rec").format_func(app.selectbox(key="open_rec").value).startswith("R4:")
    log = _log(app)
    assert "Too early to tell" in set(log["Note"])
    assert {"Progress", "Impact"} == set(log["Entry"])
    specs = [c.proto.spec for c in app.get("plotly_chart")]
    assert len(specs) == 2
    assert "Care leavers in bed and breakfast accommodation" in specs[0]
    assert all("Due: R4" in s and "Ofsted ILACS inspection" in s for s in specs)
    assert any("always shown red" in m.value for m in app.markdown)


def test_a_progress_note_added_in_the_form_appears_in_the_log(app):
    app = _plan(app)
    rec_id = app.selectbox(key="open_rec").value
    before = len(_log(app))
    app.text_area(key=f"note_text_{rec_id}").input("Housing scheme contract signed; first move in January.")
    widget(app.button, "Add to the log").click().run()
    assert not app.exception
    containing(app.success, "Progress note added to R4's log", unescaped=True)
    log = _log(app)
    assert len(log) == before + 1
    added = log[log["Note"] == "Housing scheme contract signed; first move in January."]
    assert len(added) == 1
    assert added.iloc[0]["Entry"] == "Progress"
    assert added.iloc[0]["By"].endswith("(no sign-in)")


def test_an_empty_note_is_refused_in_words(app):
    app = _plan(app)
    widget(app.button, "Add to the log").click().run()
    assert not app.exception
    containing(app.error, "Write the progress note")


def test_green_on_an_overdue_item_is_refused_and_completing_it_clears_the_overdue(app):
    app = _plan(app)
    rec_id = app.selectbox(key="open_rec").value
    app.selectbox(key=f"status_{rec_id}_rag").set_value("green")
    widget(app.button, "Save status").click().run()
    assert not app.exception
    assert any("cannot be green" in e.value for e in app.error)
    app.selectbox(key=f"status_{rec_id}_status").set_value("completed")
    app.selectbox(key=f"status_{rec_id}_rag").set_value("green")
    widget(app.button, "Save status").click().run()
    assert not app.exception
    containing(app.success, "R4 updated", unescaped=True)
    assert not _plan_table(app)["Days"].str.startswith("Overdue").any()
    assert {m.label: m.value for m in app.metric}["Overdue"] == "0"


def test_a_council_recommendation_is_added_from_the_form(app):
    app = _plan(app)
    app.selectbox(key="add_rec_from").set_value(plan_tables.COUNCIL)
    app.date_input(key="add_rec_agreed").set_value(date(2026, 11, 2))
    app.text_area(key="add_rec_text").input("Reduce repeat child protection plans.")
    app.selectbox(key="add_rec_area").set_value("help_protection")
    app.text_input(key="add_rec_timescale").input("within 20 working days")
    app.multiselect(key="add_rec_kpis").set_value(["CPP_REPEAT_PCT"])
    widget(app.button, "Add recommendation").click().run()
    assert not app.exception
    containing(app.success, "Recommendation added", unescaped=True)
    row = _plan_table(app).set_index("Ref").loc["R10"]
    assert (row["Due"], row["Days"], row["Status"]) == ("30 Nov 2026", "14 days left", "Not started")


def test_the_inspections_page_shows_the_history_with_judgements_and_a_timeline(app):
    app.switch_page("views/inspections.py").run()
    assert not app.exception
    table = unescape_cells(frame(app.table, "Type", "Overall effectiveness"))
    assert table["Type"].tolist() == ["Focused visit", "Standard ILACS inspection"]
    ilacs = table.iloc[1]
    assert ilacs["Overall effectiveness"] == "Requires improvement to be good"
    assert ilacs["Children in care"] == "Good"
    assert ilacs["Report published"] == "22 Mar 2024"
    spec = app.get("plotly_chart")[0].proto.spec
    assert "Inspections and judgements" in spec and "Requires improvement to be good" in spec and '"Good"' in spec


def test_recording_an_inspection_adds_it_and_a_graded_focused_visit_is_refused(app):
    app.switch_page("views/inspections.py").run()
    app.selectbox(key="add_inspection_kind").set_value("focused_visit")
    app.date_input(key="add_inspection_inspected").set_value(date(2026, 10, 6))
    app.selectbox(key="add_inspection_care_leavers").set_value("good")
    app.button(key="FormSubmitter:add_inspection-Save inspection").click().run()
    assert not app.exception
    containing(app.error, "no graded judgements", unescaped=True)
    app.selectbox(key="add_inspection_care_leavers").set_value(None)
    app.text_input(key="add_inspection_ref").input("Focused visit letter, children in need")
    app.button(key="FormSubmitter:add_inspection-Save inspection").click().run()
    assert not app.exception
    containing(app.success, "Inspection recorded", unescaped=True)
    assert unescape_cells(frame(app.table, "Type", "Inspected"))["Inspected"].iloc[0] == "6 Oct 2026"


def test_trend_charts_mark_inspections_and_due_dates_of_linked_recommendations(app):
    app.switch_page("views/trend.py").run()
    app.selectbox(key="kpi_code").set_value("CL_BB_COUNT").run()
    assert not app.exception
    spec = app.get("plotly_chart")[0].proto.spec
    assert "Due: R4 End the reliance on bed and" in spec and "Ofsted focused visit" in spec
    assert spec.count("Ofsted ILACS inspection: Requires improvement to be good") == 1
    app.radio(key="chart_view").set_value("SPC chart (Making Data Count)").run()
    assert not app.exception
    spec = app.get("plotly_chart")[0].proto.spec
    assert "Due: R4 End the reliance on bed and" in spec and "Ofsted focused visit" in spec
    app.selectbox(key="kpi_code").set_value("CONTACTS").run()
    assert "Due:" not in app.get("plotly_chart")[0].proto.spec
