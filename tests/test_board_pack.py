"""The board pack opened as a reader would: the .pptx with python-pptx and the .xlsx with openpyxl.

Charts are drawn by a stand-in renderer here (a small PNG per figure) so these tests run without a browser;
`test_real_charts_are_drawn_in_one_batch` draws them with kaleido and chromium.
"""
from __future__ import annotations

import asyncio
import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from numbers import Number

import kaleido
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from analysis import disclosure
from analysis.kpi import RagRule
from export import deck, figures, gather, pack, render, selections, workbook
from export.gather import OverdueItem, PackOptions, PlanSummary
from records.kpi_edits import add_commentary, set_rag_rule
from settings import DEMO_LA_CODE
from tests.actors import ADMIN, analyst

MONTH = date(2026, 10, 1)
SMALL = 3
KPIS = ("CLA_COUNT", "CL_BB_COUNT", "SW_AGENCY_PCT")
FORMULA = "=HYPERLINK(\"http://example.invalid\",\"click\")"
NOW = datetime(2026, 11, 2, 9, 30)


def fake_renderer(figs) -> list[bytes]:
    images = []
    for _ in figs:
        buffer = io.BytesIO()
        Image.new("RGB", (860, 480), "white").save(buffer, format="PNG")
        images.append(buffer.getvalue())
    return images


@pytest.fixture
def con(demo_con):
    """The demo with a care-leaver count of 3 in the month and commentary that looks like a formula."""
    demo_con.execute("UPDATE observations SET value = ? WHERE la_code = ? AND kpi_code = 'CL_BB_COUNT' AND period = ?"
                     " AND is_current", [SMALL, DEMO_LA_CODE, MONTH])
    add_commentary(demo_con, DEMO_LA_CODE, "CL_BB_COUNT", MONTH, FORMULA, analyst("analyst@anyshire.example"))
    add_commentary(demo_con, DEMO_LA_CODE, "SW_AGENCY_PCT", MONTH, "Agency use fell after the recruitment drive.",
                   analyst("analyst@anyshire.example"))
    return demo_con


def options(audience: str = gather.INTERNAL, **kwargs) -> PackOptions:
    return PackOptions(DEMO_LA_CODE, "Anyshire (demo)", MONTH, kwargs.pop("kpis", KPIS), audience=audience,
                       title="Corporate parenting board", prepared_by="analyst@anyshire.example", is_demo=True, **kwargs)


PLAN = PlanSummary(pd.DataFrame({"status": ["Not started", "In progress", "Completed"], "recommendations": [2, 5, 3]}),
                   [OverdueItem("End the reliance on bed and breakfast accommodation for care leavers",
                                "Head of care leavers service", date(2026, 6, 30), 125)])


def build(con, audience=gather.INTERNAL, plan=None, **kwargs) -> pack.Pack:
    return pack.build(con, options(audience, **kwargs), plan, renderer=fake_renderer, now=NOW)


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def scorecard_rows(presentation) -> list[list[str]]:
    rows = []
    for slide in presentation.slides:
        if slide.shapes.title.text.startswith("Scorecard"):
            table = next(shape.table for shape in slide.shapes if shape.has_table)
            rows += [[cell.text for cell in row.cells] for row in table.rows][1:]
    return rows


def descr(shape) -> str:
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")


def test_slides_are_in_order_with_titles(con):
    made = build(con, plan=PLAN)
    presentation = Presentation(io.BytesIO(made.pptx))
    titles = [slide.shapes.title.text for slide in presentation.slides]
    assert titles == ["Anyshire (demo): Corporate parenting board", "Scorecard",
                      "Children looked after at period end", "Care leavers in bed and breakfast accommodation",
                      "Agency worker rate", "Improvement plan"]
    assert titles == made.slides
    assert presentation.slide_width / presentation.slide_height == pytest.approx(16 / 9, rel=1e-3)


def test_the_plan_slide_is_left_out_without_a_plan(con):
    made = build(con, plan=None)
    assert "Improvement plan" not in made.slides
    assert len(Presentation(io.BytesIO(made.pptx)).slides) == 2 + len(KPIS)
    assert "Improvement plan" not in load_workbook(io.BytesIO(made.xlsx)).sheetnames


def test_the_plan_slide_counts_by_status_and_lists_overdue_items(con):
    presentation = Presentation(io.BytesIO(build(con, plan=PLAN).pptx))
    slide = presentation.slides[-1]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Status", "Recommendations"], ["Not started", "2"], ["In progress", "5"], ["Completed", "3"], ["Total", "10"]]
    text = "\n".join(slide_texts(slide))
    assert "Overdue: 1 recommendation" in text and "End the reliance on bed and breakfast" in text
    assert "125 days overdue" in text


def test_scorecard_is_a_real_table_with_the_months_values(con):
    presentation = Presentation(io.BytesIO(build(con).pptx))
    rows = {row[0]: row for row in scorecard_rows(presentation)}
    header = next(s for s in presentation.slides[1].shapes if s.has_table).table.rows[0].cells
    assert [c.text for c in header] == ["KPI", "Value", "Target", "RAG", "Direction", "England", "Neighbour average"]
    bb = rows["Care leavers in bed and breakfast accommodation"]
    assert bb[1] == str(SMALL) and bb[2] == "0" and bb[3] == "■ Off target"
    agency = rows["Agency worker rate"]
    assert re.fullmatch(r"\d+\.\d%", agency[1]) and agency[2] == "15.0%"
    assert agency[3].split(" ", 1)[1] in {"On target", "Within tolerance", "Off target"}
    assert agency[5].startswith("13.0% (30 Sep 2025)")
    assert rows["Children looked after at period end"][3] == "○ Context"


def test_every_chart_has_alt_text_that_describes_it(con):
    presentation = Presentation(io.BytesIO(build(con).pptx))
    pictures = [shape for slide in presentation.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == len(KPIS)
    for picture in pictures:
        text = descr(picture)
        assert len(text) > 60
        assert not re.search(r"\.(png|jpe?g)\b|^image", text, re.I)
        assert "Latest value" in text and "Over the months shown" in text
    agency = next(descr(p) for p in pictures if "Agency worker rate" in descr(p))
    assert "against a target of 15.0%" in agency


def test_the_alt_texts_trend_is_true_of_every_month_shown_not_only_the_first_and_last(con):
    """Review visits began and ended the window at 93.7% and moved between 88.2% and 99.6%: not "unchanged"."""
    may = replace(options(kpis=("CPP_REVIEW_PCT",)), period=date(2026, 5, 1))
    page = gather.gather(con, may).pages[0]
    shown = page.series["value"].round(1)
    assert shown.iloc[0] == shown.iloc[-1] == 93.7 and (shown.min(), shown.max()) == (88.2, 99.6)
    assert gather.trend_sentence(page) == ("Over the months shown it was 93.7% in Jun 2024 and again in May 2026, "
                                           "with a low of 88.2% and a high of 99.6% between.")


def test_the_alt_text_counts_the_months_a_publication_hides(con):
    page = gather.gather(con, options(gather.PUBLICATION, kpis=("CL_BB_COUNT",))).pages[0]
    hidden = sum(page.hidden)
    assert hidden > 0
    words = gather.trend_sentence(page)
    assert words.endswith(f"; {hidden} months not shown (c: it could reveal a small number).")
    assert "unchanged" not in words


def test_every_slide_carries_the_internal_marking(con):
    presentation = Presentation(io.BytesIO(build(con).pptx))
    for slide in presentation.slides:
        assert "OFFICIAL-SENSITIVE" in slide_texts(slide)
    assert any("Internal: not for publication" in t for t in slide_texts(presentation.slides[0]))


def test_publication_pack_is_official_and_shows_c_where_internal_shows_the_count(con):
    internal = Presentation(io.BytesIO(build(con).pptx))
    public = Presentation(io.BytesIO(build(con, gather.PUBLICATION).pptx))
    name = "Care leavers in bed and breakfast accommodation"
    assert {r[0]: r for r in scorecard_rows(internal)}[name][1] == str(SMALL)
    assert {r[0]: r for r in scorecard_rows(public)}[name][1] == disclosure.SUPPRESSED
    for slide in public.slides:
        texts = slide_texts(slide)
        assert "OFFICIAL" in texts and "OFFICIAL-SENSITIVE" not in texts
    bb_slide = next(s for s in public.slides if s.shapes.title.text == name)
    text = "\n".join(slide_texts(bb_slide))
    assert "Latest (Oct 2026): c" in text and disclosure.NOTE in text
    assert disclosure.NOTE in "\n".join(slide_texts(public.slides[1]))
    picture = next(s for s in bb_slide.shapes if s.shape_type == 13)
    assert "not shown (c: it could reveal a small number)" in descr(picture) and f"value {SMALL} " not in descr(picture)


def test_kpi_slide_has_commentary_and_a_footer_naming_source_upload_and_date(con):
    presentation = Presentation(io.BytesIO(build(con).pptx))
    slide = next(s for s in presentation.slides if s.shapes.title.text == "Agency worker rate")
    text = "\n".join(slide_texts(slide))
    assert "Agency use fell after the recruitment drive." in text
    upload_id = con.execute("SELECT upload_id FROM observations WHERE is_current AND kpi_code = 'SW_AGENCY_PCT' AND "
                            "la_code = ? AND period = ?", [DEMO_LA_CODE, MONTH]).fetchone()[0]
    footer = next(t for t in slide_texts(slide) if t.startswith("Source:"))
    assert f"upload {upload_id} (demo/observations.csv (synthetic)" in footer
    assert "Pack produced 02 Nov 2026 by analyst@anyshire.example" in footer
    assert footer.startswith("Source: DfE Children's social work workforce.")


def test_long_packs_split_the_scorecard_and_keep_every_kpi(con):
    codes = tuple(con.execute("SELECT code FROM kpis ORDER BY sort_order LIMIT 20").df()["code"])
    made = build(con, kpis=codes)
    presentation = Presentation(io.BytesIO(made.pptx))
    assert len(presentation.slides) == 1 + 3 + 20
    assert len(scorecard_rows(presentation)) == 20
    assert made.slides[1:4] == ["Scorecard (1 of 3)", "Scorecard (2 of 3)", "Scorecard (3 of 3)"]
    for slide in list(presentation.slides)[1:4]:
        table = next(s for s in slide.shapes if s.has_table)
        assert table.top + table.height <= Emu(deck.HEIGHT)


def cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows()]


def test_workbook_has_scorecard_and_a_sheet_per_kpi_with_units_and_sources(con):
    book = load_workbook(io.BytesIO(build(con).xlsx))
    assert book.sheetnames == ["About", "KPIs", "Scorecard", *KPIS]
    agency = book["SW_AGENCY_PCT"]
    header = [c.value for c in agency[1]]
    assert header[:3] == ["Month", "Value (%)", "Change on previous month"]
    assert [c.value for c in book["CLA_COUNT"][1]][1] == "Value (number)"
    assert {"Target", "England (annual)", "Neighbour average (annual)", "Upload", "Upload file", "Source"} <= set(header)
    rows = list(agency.iter_rows(min_row=2, values_only=True))
    assert len(rows) == gather.DEFAULT_MONTHS
    assert all(isinstance(r[1], Number) and not isinstance(r[1], bool) for r in rows)
    assert all(isinstance(r[2], Number) for r in rows[1:] if r[2] is not None)
    assert rows[-1][0] == "2026-10"
    kpis = {r[0]: r for r in book["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert kpis["SW_AGENCY_PCT"][3] == "Percentage (%)" and kpis["SW_AGENCY_PCT"][6]


def test_workbook_numbers_stay_numbers_and_formula_text_is_neutralised(con):
    book = load_workbook(io.BytesIO(build(con).xlsx))
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    value = rows["CL_BB_COUNT"][header.index("Value")]
    assert value.data_type == "n" and value.value == SMALL
    commentary = rows["CL_BB_COUNT"][header.index("Commentary")]
    assert commentary.data_type == "s" and commentary.value == FORMULA and commentary.quotePrefix, \
        "a person's text that looks like a formula is text, marked so, and reads as written"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    england = rows["CLA_COUNT"][header.index("England")]
    assert england.data_type == "n"


def test_workbook_figures_are_rounded_to_each_kpis_decimals(con):
    """The demo's neighbour average for children looked after per 10,000 is 72.30999999999999 as a float sum."""
    data = gather.gather(con, options(kpis=("CLA_RATE", "CLA_COUNT", "SW_AGENCY_PCT"), chart="spc"))
    assert next(p for p in data.pages if p.code == "CLA_RATE").neighbour_value == pytest.approx(72.31)
    book = load_workbook(io.BytesIO(workbook.build_workbook(data)))
    header = [c.value for c in book["Scorecard"][1]]
    rows = {r[0]: r for r in book["Scorecard"].iter_rows(min_row=2, values_only=True)}
    assert rows["CLA_RATE"][header.index("Neighbour average")] == 72.3
    decimals = {"CLA_RATE": 1, "CLA_COUNT": 0, "SW_AGENCY_PCT": 1}
    for code, places in decimals.items():
        sheet_header = [c.value for c in book[code][1]]
        for row in book[code].iter_rows(min_row=2, values_only=True):
            for name, value in zip(sheet_header, row):
                if isinstance(value, float) and name not in ("Upload", "Numerator", "Denominator"):
                    allowed = places + 1 if name.startswith("SPC") else places
                    assert value == round(value, allowed), (code, name, value)
        for cell in rows[code]:
            if isinstance(cell, float):
                assert cell == round(cell, places), (code, cell)
    changes = [r[2] for r in book["SW_AGENCY_PCT"].iter_rows(min_row=3, values_only=True)]
    values = [r[1] for r in book["SW_AGENCY_PCT"].iter_rows(min_row=2, values_only=True)]
    assert changes == [round(after - before, 1) for before, after in zip(values, values[1:])], \
        "each change is the difference of the figures as printed"


def test_the_products_own_words_starting_with_a_sign_read_without_an_apostrophe(con):
    """'+ Special cause: improvement' is the SPC words for the agency worker rate in the demo."""
    book = load_workbook(io.BytesIO(build(con).xlsx))
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[1]]
    cell = {r[0].value: r for r in sheet.iter_rows(min_row=2)}["SW_AGENCY_PCT"][header.index("Variation (SPC)")]
    assert cell.value == "+ Special cause: improvement" and cell.data_type == "s" and cell.quotePrefix
    words = [c.value for each in book.worksheets for line in each.iter_rows() for c in line if isinstance(c.value, str)]
    assert not [w for w in words if w.startswith("'")], "no apostrophe shows anywhere in the pack's workbook"


def test_publication_workbook_hides_the_same_cells_as_the_deck(con):
    book = load_workbook(io.BytesIO(build(con, gather.PUBLICATION).xlsx))
    sheet = book["Scorecard"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["CL_BB_COUNT"][header.index("Value")] == disclosure.SUPPRESSED
    assert isinstance(rows["CLA_COUNT"][header.index("Value")], Number)
    assert rows["CLA_COUNT"][header.index("England")] is None  # a count is not compared with England's total
    assert isinstance(rows["SW_AGENCY_PCT"][header.index("England")], Number)
    bb = list(book["CL_BB_COUNT"].iter_rows(min_row=2, values_only=True))
    for month, value, change, *_ in bb:
        assert value == disclosure.SUPPRESSED or not disclosure.is_small(value)
    assert bb[-1][1] == disclosure.SUPPRESSED and bb[-1][2] is None
    assert "Numerator" not in [c.value for c in book["CL_BB_COUNT"][1]]
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Protective marking"] == "OFFICIAL" and "c = suppressed" in about["Disclosure control"]


def test_publication_spc_chart_falls_back_to_the_trend_when_a_month_is_hidden(con):
    data = gather.gather(con, options(gather.PUBLICATION, chart="spc"))
    pages = {page.code: page for page in data.pages}
    assert pages["CL_BB_COUNT"].chart_kind == "trend" and "SPC chart not shown" in pages["CL_BB_COUNT"].notes[0]
    assert pages["SW_AGENCY_PCT"].chart_kind == "spc" and pages["SW_AGENCY_PCT"].spc is not None
    internal = gather.gather(con, options(chart="spc"))
    assert all(page.chart_kind == "spc" for page in internal.pages)


def test_the_chart_leaves_hidden_months_out_of_the_line(con):
    data = gather.gather(con, options(gather.PUBLICATION, kpis=("CL_BB_COUNT",)))
    page = data.pages[0]
    fig = figures.figure(page, "Anyshire (demo)")
    line = next(t for t in fig.data if t.name == "Anyshire (demo)")
    drawn = [v for v in line.y if v is not None and v == v]
    assert not any(disclosure.is_small(v) for v in drawn)
    assert sum(a.text == disclosure.SUPPRESSED for a in fig.layout.annotations) == sum(page.hidden) > 0


def test_the_packs_charts_carry_the_inspection_and_due_date_marks(con):
    """The dashboard's marks, from the one KPI view: the Sep 2025 care-leavers focused visit within 24 months, and
    recommendation R4's due date (Sep 2024) within 36."""
    data = gather.gather(con, options(kpis=("CL_SUITABLE_ACCOM_PCT", "CL_BB_COUNT"), months=36))
    for fig in pack.charts(data):
        words = [a.text for a in fig.layout.annotations]
        assert "Ofsted focused visit" in words
        assert any(w.startswith("Due: R4 End the reliance on bed and") for w in words)
        assert pd.Timestamp("2025-09-09") in {pd.Timestamp(s.x0) for s in fig.layout.shapes if s.type == "line"}


def test_saved_selections_come_from_the_data_file(tmp_path, con):
    codes = con.execute("SELECT code FROM kpis").df()["code"].tolist()
    saved = selections.read_selections(codes)
    assert {"Corporate parenting board", "Scrutiny"} <= set(saved)
    assert "CL_BB_COUNT" in saved["Corporate parenting board"]
    bad = tmp_path / "bad.csv"
    bad.write_text("selection,kpi_code\nScrutiny,NOT_A_KPI\n")
    with pytest.raises(selections.SelectionError, match="line 2: 'NOT_A_KPI' is not a KPI code"):
        selections.read_selections(codes, bad)


def test_bad_choices_are_refused_with_a_reason(con):
    with pytest.raises(gather.PackError, match="at least one KPI"):
        options(kpis=())
    with pytest.raises(gather.PackError, match="Unknown KPI"):
        gather.gather(con, options(kpis=("NOPE",)))


def needs_chromium() -> None:
    if not render.available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is not installed: run scripts/ensure-chromium")
        pytest.skip("chromium is not installed")


def test_real_charts_are_drawn_in_one_batch(con):
    needs_chromium()
    made = pack.build(con, options(), now=NOW)
    presentation = Presentation(io.BytesIO(made.pptx))
    pictures = [s for slide in presentation.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == len(KPIS)
    for picture in pictures:
        image = Image.open(io.BytesIO(picture.image.blob))
        assert image.format == "PNG"
        assert image.size == (figures.SLIDE_SIZE["width"] * 2.5, figures.SLIDE_SIZE["height"] * 2.5)
        assert len(image.convert("L").resize((40, 20)).getcolors(800)) > 3  # a drawing, not a blank


def test_the_renderer_stays_warm_between_packs_and_draws_what_kaleido_draws(con):
    needs_chromium()
    figs = list(pack.charts(gather.gather(con, options())))
    first = pack.render_for_slides(figs)
    browser = render._RENDERER._browser
    assert pack.render_for_slides(figs) == first
    assert render._RENDERER._browser is browser, "the second pack is drawn by the browser the first one started"
    assert hasattr(kaleido.Kaleido, "_return_kaleido_tab"), "kaleido still has the hook that spares the reloads"

    async def stock() -> list[bytes]:  # kaleido as shipped: a browser of its own, its page reloaded every figure
        async with kaleido.Kaleido(n=1, path=render.browser_path(), mathjax=False) as own:
            return [await own.calc_fig(f, opts={"format": "png", **figures.SLIDE_SIZE}) for f in figs]

    # On a thread of its own: a browser test's Playwright may still hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        drawn = pool.submit(asyncio.run, stock()).result()
    assert drawn == first, "byte for byte the pictures kaleido draws with its reloads"


def test_packs_made_at_once_share_one_browser_and_each_gets_its_own_charts(con, monkeypatch):
    needs_chromium()
    one = list(pack.charts(gather.gather(con, options(kpis=("CLA_COUNT",)))))
    two = list(pack.charts(gather.gather(con, options(kpis=("SW_AGENCY_PCT", "CL_BB_COUNT")))))
    alone = [pack.render_for_slides(one), pack.render_for_slides(two)]
    render.close()
    started = []
    opened = render._open

    async def counted(path: str):
        started.append(path)
        return await opened(path)

    monkeypatch.setattr(render, "_open", counted)
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(pack.render_for_slides, [one, two])) == alone
    assert len(started) == 1, "two first packs at once start one browser"


def test_a_browser_that_died_is_replaced_and_the_pack_still_drawn(con):
    needs_chromium()
    figs = list(pack.charts(gather.gather(con, options(kpis=("SW_AGENCY_PCT",)))))
    drawn = pack.render_for_slides(figs)
    dead = render._RENDERER._browser
    render._RENDERER._run(dead.close()).result(timeout=30)  # as if chromium had been killed
    assert pack.render_for_slides(figs) == drawn
    assert render._RENDERER._browser is not dead


# The security review's publication pack (issue 14, item 5): percentages uploaded without numerator and
# denominator that gave back 1 to 5 children from the count KPI beside them, and directions between hidden months.
LOOKED_AFTER, ON_PLANS = 815, 450
REVIEW_CASES = {"CLA_3PLUS_SW_PCT": "0.5%", "VISITS_CLA_PCT": "99.5%", "CPP_2YR_PCT": "1.1%"}
PREVIOUS = date(2026, 9, 1)


def set_value(con, kpi: str, month: date, value: float) -> None:
    con.execute("UPDATE observations SET value = ?, numerator = NULL, denominator = NULL WHERE la_code = ? AND "
                "kpi_code = ? AND period = ? AND is_current", [value, DEMO_LA_CODE, kpi, month])


@pytest.fixture
def review_con(con):
    """0.5% of 815 children looked after (4 children), 99.5% of 815 visited (4 not visited), 1.1% of 450 children
    on plans (5 children) in the month; in the month before, 99.4% of 815 visited (5 not visited) and 4 care
    leavers in bed and breakfast, so two months in a row are hidden."""
    for month in (PREVIOUS, MONTH):
        set_value(con, "CLA_COUNT", month, LOOKED_AFTER)
        set_value(con, "CPP_COUNT", month, ON_PLANS)
    set_value(con, "CLA_3PLUS_SW_PCT", MONTH, 0.5)
    set_value(con, "VISITS_CLA_PCT", MONTH, 99.5)
    set_value(con, "CPP_2YR_PCT", MONTH, 1.1)
    set_value(con, "VISITS_CLA_PCT", PREVIOUS, 99.4)
    set_value(con, "CL_BB_COUNT", PREVIOUS, 4)
    return con


REVIEW_KPIS = ("CLA_COUNT", "CPP_COUNT", *REVIEW_CASES, "CL_BB_COUNT")


def deck_text(presentation) -> str:
    texts = [t for slide in presentation.slides for t in slide_texts(slide)]
    texts += [descr(shape) for slide in presentation.slides for shape in slide.shapes if shape.shape_type == 13]
    texts += [slide.notes_slide.notes_text_frame.text for slide in presentation.slides if slide.has_notes_slide]
    return "\n".join(texts + ["|".join(row) for row in scorecard_rows(presentation)])


def test_percentages_that_could_be_1_to_5_children_are_hidden_in_publication_packs(review_con):
    internal = build(review_con, kpis=REVIEW_KPIS)
    public = build(review_con, gather.PUBLICATION, kpis=REVIEW_KPIS)
    inside = {r[0]: r for r in scorecard_rows(Presentation(io.BytesIO(internal.pptx)))}
    outside = {r[0]: r for r in scorecard_rows(Presentation(io.BytesIO(public.pptx)))}
    names = dict(review_con.execute("SELECT code, name FROM kpis").fetchall())
    for code, shown in REVIEW_CASES.items():
        assert inside[names[code]][1] == shown  # internal packs are unchanged
        assert outside[names[code]][1] == disclosure.SUPPRESSED
    text = deck_text(Presentation(io.BytesIO(public.pptx)))
    for shown in REVIEW_CASES.values():
        assert not re.search(rf"(?<![\d.]){re.escape(shown)}", text), shown  # 1.1%, but not inside 11.1%
    book = load_workbook(io.BytesIO(public.xlsx))
    for code in REVIEW_CASES:
        last = list(book[code].iter_rows(min_row=2, values_only=True))[-1]
        assert last[0] == "2026-10" and last[1] == disclosure.SUPPRESSED and last[2] is None
    assert outside[names["CLA_COUNT"]][1] == "815" and outside[names["CPP_COUNT"]][1] == "450"


def test_a_safe_percentage_of_the_same_children_is_shown(review_con):
    set_value(review_con, "CLA_3PLUS_SW_PCT", MONTH, 50.0)
    page = gather.gather(review_con, options(gather.PUBLICATION, kpis=("CLA_3PLUS_SW_PCT",))).pages[0]
    assert page.latest_value == 50.0 and page.latest_text == "50.0%" and not page.hidden[-1]


def test_no_direction_rating_or_change_compares_a_hidden_month(review_con):
    internal = {p.code: p for p in gather.gather(review_con, options(kpis=REVIEW_KPIS)).pages}
    public = {p.code: p for p in gather.gather(review_con, options(gather.PUBLICATION, kpis=REVIEW_KPIS)).pages}
    assert internal["VISITS_CLA_PCT"].direction_text == "↑ Better than 93.9% in Oct 2025"  # 99.5% hidden in public
    assert internal["CL_BB_COUNT"].direction_text == "↑ Worse than 1 in Oct 2025"  # 3 hidden in public
    for code in ("VISITS_CLA_PCT", "CL_BB_COUNT", "CLA_3PLUS_SW_PCT"):
        page = public[code]
        assert page.hidden[-1]
        assert page.direction_text == gather.NOT_SHOWN.text == "– Not shown (could reveal a small number)"
        assert page.rag_text == gather.NOT_SHOWN.text and page.rag == "hidden"
        assert page.variation_text == page.assurance_text == disclosure.NOT_SHOWN
        words = gather.alt_text(page).lower()
        assert not any(word in words for word in ("improved", "worsened", "on target", "within tolerance",
                                                  "off target"))
    made = build(review_con, gather.PUBLICATION, kpis=REVIEW_KPIS)
    presentation = Presentation(io.BytesIO(made.pptx))
    slide = next(s for s in presentation.slides if s.shapes.title.text == public["VISITS_CLA_PCT"].name)
    text = "\n".join(slide_texts(slide))
    assert "On the same month a year earlier: – Not shown (could reveal a small number)" in text
    assert "Variation: Not shown (could reveal a small number)" in text
    assert "Improved" not in text and "Worsened" not in text and "On target" not in text
    book = load_workbook(io.BytesIO(made.xlsx))
    rows = {r[0]: r for r in book["Scorecard"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in book["Scorecard"][1]]
    for code in ("VISITS_CLA_PCT", "CL_BB_COUNT"):
        assert rows[code][header.index("Direction")] == gather.NOT_SHOWN.text
        assert rows[code][header.index("RAG")] == gather.NOT_SHOWN.text


def test_a_rating_never_leans_on_the_previous_month_so_a_hidden_one_leaves_it_shown(review_con):
    """A rating compares the month with its target and nothing else, so hiding the month before hides no rating."""
    set_value(review_con, "VISITS_CLA_PCT", MONTH, 92.0)  # shown: 3 points below its inspection target of 95%
    set_value(review_con, "VISITS_CLA_PCT", PREVIOUS, 0.2)  # hidden (2 children)
    set_rag_rule(review_con, DEMO_LA_CODE, "VISITS_CLA_PCT", RagRule("tolerance", 5.0), ADMIN)
    internal = gather.gather(review_con, options(kpis=("VISITS_CLA_PCT",))).pages[0]
    public = gather.gather(review_con, options(gather.PUBLICATION, kpis=("VISITS_CLA_PCT",))).pages[0]
    assert public.latest_text == "92.0%" and public.hidden[-2]
    assert internal.rag_text == public.rag_text == "▲ Within tolerance"


def _could_be_small(value: float, total: float) -> bool:
    """A reader's check, independent of the code under test: does any count of 1 to 5 children, or of the rest,
    give this percentage when printed to one decimal place?"""
    for k in range(1, 6):
        for guess in (k, total - k):
            if 0 <= guess <= total and abs(100 * guess / total - value) <= 0.05 + 1e-9:
                return True
    return False


def test_a_publication_pack_of_the_demo_carries_no_figure_that_could_give_back_1_to_5(review_con):
    catalogue = review_con.execute("SELECT code, unit, subject, numerator_kpi, denominator_kpi FROM kpis "
                                   "ORDER BY sort_order").df().set_index("code")
    made = build(review_con, gather.PUBLICATION, kpis=tuple(catalogue.index))
    book = load_workbook(io.BytesIO(made.xlsx))
    values = review_con.execute("SELECT kpi_code, strftime(period, '%Y-%m'), value FROM observations WHERE "
                                "la_code = ? AND is_current", [DEMO_LA_CODE]).fetchall()
    month_value = {(code, month): value for code, month, value in values}
    shown_percentages = 0
    for code, row in catalogue.iterrows():
        sheet = list(book[code].iter_rows(min_row=2, values_only=True))
        for month, value, change, *_ in sheet:
            if value is None or value == disclosure.SUPPRESSED:
                continue
            assert isinstance(value, Number)
            if row["unit"] == "count":
                assert not disclosure.is_small(value)
            elif row["subject"] == "children" and row["unit"] == "%":
                assert row["denominator_kpi"] is not None, f"{code} {month}: no total known, yet shown"
                total = month_value.get((row["denominator_kpi"], month))
                assert total and not _could_be_small(value, total), (code, month, value, total)
                shown_percentages += 1
            elif row["subject"] == "children" and row["unit"] == "rate":
                count = month_value.get((row["numerator_kpi"], month))
                assert count is not None and not disclosure.is_small(count), (code, month)
        for before, after in zip(sheet, sheet[1:]):
            if disclosure.SUPPRESSED in (before[1], after[1]):
                assert after[2] is None, f"{code} {after[0]}: a change next to a hidden month"
    assert shown_percentages > 0
    header = [c.value for c in book["Scorecard"][1]]
    for row in book["Scorecard"].iter_rows(min_row=2, values_only=True):
        sheet = [r for r in book[row[0]].iter_rows(min_row=2, values_only=True) if r[1] is not None]
        if disclosure.SUPPRESSED in [r[1] for r in sheet[-2:]]:
            assert row[header.index("Direction")] == gather.NOT_SHOWN.text, row[0]
        if any(r[1] == disclosure.SUPPRESSED for r in sheet):
            assert row[header.index("Variation (SPC)")] == disclosure.NOT_SHOWN, row[0]
    text = deck_text(Presentation(io.BytesIO(made.pptx)))
    for shown in REVIEW_CASES.values():
        assert not re.search(rf"(?<![\d.]){re.escape(shown)}", text), shown  # 1.1%, but not inside 11.1%
