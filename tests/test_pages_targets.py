"""The Targets page: adding, changing and removing targets, RAG rules, all kept in history."""
from __future__ import annotations

from tests.find import containing, frame, texts, widget


def _open(app):
    app.switch_page("views/targets.py").run()
    assert not app.exception
    return app


def _add_target(app, kpi: str, value: float, source: str):
    """Fill the add-target form and press Save, as an analyst does."""
    app.selectbox(key="add_target_kpi").set_value(kpi)
    app.number_input(key="add_target_value").set_value(value)
    app.text_input(key="add_target_source").input(source)
    app.button(key="FormSubmitter:add_target-Save target").click().run()
    assert not app.exception


def _in_force(app):
    """The targets in force: the history's columns say who set and retired each target, these do not."""
    return frame(app.dataframe, "Source", without=["Created by"])


def _history(app):
    return frame(app.dataframe, "Source", "Retired by")


def test_targets_page_lists_the_demo_targets(app):
    app = _open(app)
    assert texts(app.title) == ["Targets and RAG rules"]
    table = _in_force(app)
    assert {"KPI", "Kind", "Status", "Value", "From", "Source"} <= set(table.columns)
    assert "Ofsted ILACS action plan, March 2024" in set(table["Source"])
    assert "Inspection action-plan target" in set(table["Kind"])


def test_an_expired_target_is_listed_as_expired_not_in_force(app):
    """The demo's local assessment target ended in March 2024, when the inspection target took over."""
    app = _open(app)
    containing(app.markdown, "Status in ")
    table = _in_force(app)
    assessments = table[table["KPI"] == "Assessments completed within 45 working days"].set_index("Kind")
    assert assessments.loc["Local target", "Status"] == "Expired (ended Mar 2024)"
    assert assessments.loc["Inspection action-plan target", "Status"] == "In force"
    assert assessments.loc["Floor", "Status"] == "In force"


def test_a_context_measure_is_not_offered_a_rag_rule(app):
    app = _open(app)
    offered = app.selectbox(key="rule_kpi").options
    assert "Agency worker rate" in offered and "Referrals received" not in offered


def test_a_percentage_target_over_100_is_refused_in_words(app):
    app = _open(app)
    before = len(_in_force(app))
    _add_target(app, "SW_AGENCY_PCT", 120.0, "Workforce strategy")
    containing(app.error, "between 0 and 100")
    assert len(_in_force(app)) == before


def test_adding_a_target_shows_it_and_records_who(app):
    app = _open(app)
    before = len(_in_force(app))
    _add_target(app, "SW_TURNOVER_PCT", 12.0, "Workforce strategy 2026")
    containing(app.success, "saved")
    table = _in_force(app)
    assert len(table) == before + 1
    assert "Workforce strategy 2026" in set(table["Source"])
    history = _history(app)
    assert (history["Source"] == "Workforce strategy 2026").sum() == 1
    assert history.loc[history["Source"] == "Workforce strategy 2026", "Created by"].iloc[0].endswith("(no sign-in)")


def test_a_rag_rule_is_saved_and_changes_the_overview(app):
    app = _open(app)
    app.selectbox(key="rule_kpi").set_value("SW_AGENCY_PCT")
    widget(app.radio, "Rule").set_value("close")
    widget(app.number_input, "N (per cent of the target)").set_value(50.0)
    widget(app.button, "Save rule").click().run()
    assert not app.exception
    containing(app.success, "RAG rule")
    rules = frame(app.dataframe, "method")
    assert rules["tolerance_pct"].tolist() == [50.0]
    assert rules["rule"].tolist() == ["Stay close to target: green within 50% either side, amber within twice that, "
                                      "red beyond"]
    app.switch_page("views/overview.py").run()
    workforce = next(d.value for d in app.dataframe if "Agency worker rate" in " ".join(d.value["KPI"]))
    row = workforce[workforce["KPI"].str.contains("Agency worker rate")].iloc[0]
    assert row["RAG"] == "● Within 50% of target"  # close to its target, and worded so, not "on target"
    containing(app.markdown, "Stay close to target: green within 50% either side, amber within 100%, for "
                             "Agency worker rate")


def test_changing_and_removing_a_target_keeps_both_in_history(app):
    app = _open(app)
    history_before = len(_history(app))
    live_before = len(_in_force(app))
    chosen = app.selectbox(key="change_target").value
    app.number_input(key=f"change_target_{chosen}_value").set_value(3.0)
    app.button(key=f"FormSubmitter:change_target_{chosen}-Save target").click().run()
    assert not app.exception
    containing(app.success, "old one is kept")
    assert len(_in_force(app)) == live_before
    assert len(_history(app)) == history_before + 1
    app.checkbox(key="confirm_remove").check().run()
    widget(app.button, "Remove target").click().run()
    assert not app.exception
    containing(app.success, "stays in the history")
    assert len(_in_force(app)) == live_before - 1
    history = _history(app)
    assert history["Retired by"].notna().sum() == 2
