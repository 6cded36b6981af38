"""The Targets page: adding, changing and removing targets, RAG rules, all kept in history."""
from __future__ import annotations



def _open(app):
    app.switch_page("views/targets.py").run()
    assert not app.exception
    return app


def _add_target(app, kpi: str, value: float, source: str):
    """Fill the add-target form and press Save, as an analyst does."""
    app.selectbox(key="add_target_kpi").set_value(kpi)
    app.number_input(key="add_target_value").set_value(value)
    app.text_input(key="add_target_source").input(source)
    next(b for b in app.button if b.label == "Save target").click().run()
    assert not app.exception


def test_targets_page_lists_the_demo_targets(app):
    app = _open(app)
    assert app.title[0].value == "Targets and RAG rules"
    table = app.dataframe[0].value
    assert {"KPI", "Kind", "Value", "From", "Source"} <= set(table.columns)
    assert "Ofsted ILACS action plan, March 2024" in set(table["Source"])
    assert "Inspection action-plan target" in set(table["Kind"])


def test_a_percentage_target_over_100_is_refused_in_words(app):
    app = _open(app)
    before = len(app.dataframe[0].value)
    _add_target(app, "SW_AGENCY_PCT", 120.0, "Workforce strategy")
    assert "between 0 and 100" in app.error[0].value
    assert len(app.dataframe[0].value) == before


def test_adding_a_target_shows_it_and_records_who(app):
    app = _open(app)
    before = len(app.dataframe[0].value)
    _add_target(app, "SW_TURNOVER_PCT", 12.0, "Workforce strategy 2026")
    assert "saved" in app.success[0].value
    table = app.dataframe[0].value
    assert len(table) == before + 1
    assert "Workforce strategy 2026" in set(table["Source"])
    history = app.dataframe[-1].value
    assert (history["Source"] == "Workforce strategy 2026").sum() == 1
    assert history.loc[history["Source"] == "Workforce strategy 2026", "Created by"].iloc[0].endswith("(no sign-in)")


def test_a_rag_rule_is_saved_and_changes_the_overview(app):
    app = _open(app)
    app.selectbox(key="rule_kpi").set_value("SW_AGENCY_PCT")
    app.radio[0].set_value("close")
    app.number_input[-1].set_value(50.0)
    next(b for b in app.button if b.label == "Save rule").click().run()
    assert not app.exception
    assert "RAG rule" in app.success[0].value
    rules = next(d.value for d in app.dataframe if "method" in d.value.columns)
    assert rules["tolerance_pct"].tolist() == [50.0]
    app.switch_page("views/overview.py").run()
    workforce = next(d.value for d in app.dataframe if "Agency worker rate" in " ".join(d.value["KPI"]))
    row = workforce[workforce["KPI"].str.contains("Agency worker rate")].iloc[0]
    assert row["RAG"] == "● On target"  # within 50% either side of its target


def test_changing_and_removing_a_target_keeps_both_in_history(app):
    app = _open(app)
    history_before = len(app.dataframe[-1].value)
    live_before = len(app.dataframe[0].value)
    chosen = app.selectbox(key="change_target").value
    app.number_input(key=f"change_target_{chosen}_value").set_value(3.0)
    [b for b in app.button if b.label == "Save target"][1].click().run()
    assert not app.exception
    assert "old one is kept" in app.success[0].value
    assert len(app.dataframe[0].value) == live_before
    assert len(app.dataframe[-1].value) == history_before + 1
    app.checkbox(key="confirm_remove").check().run()
    next(b for b in app.button if b.label == "Remove target").click().run()
    assert not app.exception
    assert "stays in the history" in app.success[0].value
    assert len(app.dataframe[0].value) == live_before - 1
    history = app.dataframe[-1].value
    assert history["Retired by"].notna().sum() == 2
