"""People's words are shown as words on every page, never as Markdown or chart markup.

Hostile text is planted where people and files put words (a council name from a file, commentary, a
recommendation and its owner and log, an inspection's report reference, a chart note, an upload's file name), then
every page is run in AppTest and every place Streamlit renders as Markdown (text, titles, alerts, toasts, widget
labels, radio options, table cells) is checked: the link, image and tag must arrive escaped, never as Markdown.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from settings import DEMO_LA_CODE
from store.connection import open_store
from ui.text import cells, md, unescape, visible

HOSTILE = "[click](http://evil.example/x) ![i](http://127.0.0.1:9/x.png) <b>x</b>"
ESCAPED = md("[click](http://evil.example/x)")
RENDERED_AS_MARKDOWN = ("](http", "http://", "![i]", "<b>x</b>")  # a link, an address that links itself, an image
MARKDOWN_BODIES = {"markdown", "caption", "latex", "title", "header", "subheader", "divider", "success", "error",
                   "warning", "info", "exception", "toast"}
PAGES = ["overview", "trend", "benchmarks", "workforce", "demand_ahead", "targets", "improvement_plan", "inspections",
         "kpi_catalogue", "board_pack", "present", "upload_file", "upload_history", "users_and_roles", "audit_log"]


def plant(db) -> None:
    with open_store(db) as con:
        period = con.execute("SELECT max(period) FROM observations WHERE la_code = ?", [DEMO_LA_CODE]).fetchone()[0]
        con.execute("UPDATE councils SET name = ? WHERE la_code = ?", [f"{HOSTILE} council", DEMO_LA_CODE])
        con.execute("INSERT INTO commentary (la_code, kpi_code, period, text, created_by, created_at)"
                    " SELECT ?, code, ?, ?, ?, now() FROM kpis", [DEMO_LA_CODE, period, HOSTILE, HOSTILE])
        con.execute("UPDATE recommendation_versions SET text = ?, owner = ?, timescale = coalesce(timescale, ?)",
                    [HOSTILE, HOSTILE, None])
        con.execute("UPDATE recommendations SET ref = ?", [HOSTILE[:20]])
        con.execute("UPDATE recommendation_log SET text = ?", [HOSTILE])
        con.execute("UPDATE inspection_versions SET report_ref = ?", [HOSTILE])
        con.execute("UPDATE annotations SET text = ?", [HOSTILE])
        con.execute("INSERT INTO uploads (file_name, original_file_name, sha256, size_bytes, kind, uploaded_by,"
                    " uploaded_at, rows_loaded, status) VALUES (?, ?, 'ab', 1, 'monthly', ?, now(), 0, 'loaded')",
                    [f"{HOSTILE}.csv", f"../{HOSTILE}\u202e.csv", HOSTILE])


def _walk(node) -> Iterator:
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def rendered_markdown(app: AppTest) -> list[str]:
    """Every string the page hands Streamlit to render as Markdown."""
    texts = []
    for node in _walk(app._tree):
        kind = getattr(node, "type", "")
        if kind in MARKDOWN_BODIES and isinstance(getattr(node, "value", None), str):
            texts.append(node.value)
        label = getattr(node, "label", None)
        if isinstance(label, str):
            texts.append(label)
        if kind == "radio":
            texts += [str(option) for option in node.options]
        if kind == "table":
            frame = node.value
            texts += [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
    return texts


@pytest.fixture
def hostile_app(demo_db_path, unstarted_app):
    plant(demo_db_path)
    unstarted_app.run()
    assert not unstarted_app.exception
    return unstarted_app


def open_page(app: AppTest, page: str) -> list[str]:
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, app.exception
    if page == "improvement_plan":  # open the recommendation, which shows its words, owner and log
        assert app.selectbox(key="open_rec").value is not None
    return rendered_markdown(app)


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_planted_words_as_markdown(hostile_app, page):
    texts = open_page(hostile_app, page)
    leaked = [t for t in texts if any(mark in t for mark in RENDERED_AS_MARKDOWN)]
    assert leaked == []
    if page not in ("users_and_roles", "audit_log", "upload_file"):
        assert any(ESCAPED in t for t in texts), "the planted words are shown, escaped"


def test_upload_history_shows_the_name_as_given_with_its_hidden_character_written_out(hostile_app):
    texts = open_page(hostile_app, "upload_history")
    details = next(t for t in texts if "**Name as given:**" in t)
    assert r"\.\.\/" + ESCAPED in details and r"\<U\+202E\>\.csv" in details
    assert any(t.startswith("Yes, withdraw upload") and ESCAPED in t for t in texts), "the checkbox label"
    chosen = hostile_app.selectbox(key="history_upload").value
    hostile_app.checkbox(key=f"confirm_withdraw_{chosen}").check().run()
    hostile_app.button(key=f"withdraw_{chosen}").click().run()
    assert not hostile_app.exception
    assert any(ESCAPED in s.value and "withdrawn" in s.value for s in hostile_app.success)


def test_chart_words_are_entities_not_plotly_markup(hostile_app):
    import json

    hostile_app.switch_page("views/workforce.py").run()
    figure = json.dumps([json.loads(chart.proto.spec) for chart in hostile_app.get("plotly_chart")])
    assert "<b>x</b>" not in figure and "&lt;b&gt;x&lt;/b&gt;" in figure


@pytest.mark.parametrize("words", [
    HOSTILE, "<img src=x onerror=alert(1)>", "www.evil.example", "pat@council.example", "&#x202E;", ":red[alarm]",
    ":material/home:", "$x^2$", "# heading", "- item", "1. first", "| a | b |", "`code`", "**bold** _it_ ~~s~~",
    "line one\n===", "back\\slash",
])
def test_md_escapes_everything_markdown_could_start_and_reads_back_the_same(words):
    escaped = md(words)
    assert unescape(escaped) == " ".join(words.split())
    for mark in ("[", "]", "<", ">", "&", ":", "#", "`", "*", "_", "~", "$", "|", ".", "@", "!", "-", "="):
        assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c == mark), (mark, escaped)


def test_md_keeps_lines_only_when_asked_and_drops_characters_that_reorder_text():
    assert md("one\n# two") == "one \\# two"
    assert md("one\n# two", lines=True) == "one  \n\\# two"
    assert md("invoice\u202egpj.csv") == "invoicegpj\\.csv"
    assert visible("invoice\u202egpj.csv") == "invoice<U+202E>gpj.csv"
    assert md(None) == "" and md(float("nan")) == ""


def test_table_cells_are_escaped_and_numbers_left_alone():
    import pandas as pd

    frame = cells(pd.DataFrame({"Note": [HOSTILE, None], "Value": [1.5, 2.0]}))
    assert frame["Note"][0] == md(HOSTILE, lines=True) and pd.isna(frame["Note"][1])
    assert frame["Value"].tolist() == [1.5, 2.0]
