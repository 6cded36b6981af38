"""The board pack as a 16:9 PowerPoint deck (python-pptx): title, scorecard table, a slide per KPI, the plan.

Every slide has a real title (screen readers and PowerPoint's outline use it), the protective marking at the
top, and text in reading order; every picture has alt text saying what the chart shows; the scorecard is a
table, not a picture of one, so it can be read cell by cell and copied.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from analysis import disclosure, draft, kpi
from export.gather import KpiPage, PackData, PlanSummary, alt_text
from store.dates import month_label
from store.words import plural

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)
INK = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x3D, 0x3D, 0x3D)
HEADER_FILL = RGBColor(0x1F, 0x2A, 0x44)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ROW_FILL = (RGBColor(0xFF, 0xFF, 0xFF), RGBColor(0xF2, 0xF2, 0xF2))
RAG_FILLS = {  # light fills with dark text: the word, not the colour, carries the meaning
    "green": (RGBColor(0xCF, 0xE8, 0xD9), RGBColor(0x0B, 0x3D, 0x1F)),
    "amber": (RGBColor(0xFD, 0xE5, 0xBF), RGBColor(0x4A, 0x30, 0x00)),
    "red": (RGBColor(0xF6, 0xC9, 0xC3), RGBColor(0x5C, 0x0B, 0x00)),
}
ROWS_PER_SCORECARD = 8
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
PLAN_TITLE = "Improvement plan"


def scorecard_columns() -> list[tuple[str, int]]:
    columns = [("KPI", 3.8), ("Value", 1.1), ("Target", 1.0), ("RAG", 1.45), ("Direction", 1.45),
               ("England", 1.95), ("Neighbour average", 1.85)]
    scale = (WIDTH - 2 * MARGIN) / Inches(sum(w for _, w in columns))
    return [(name, int(Inches(width) * scale)) for name, width in columns]


def scorecard_parts(count: int) -> list[tuple[int, int]]:
    """(start, stop) of each scorecard slide's rows: at most ROWS_PER_SCORECARD each, split evenly."""
    parts = max(1, -(-count // ROWS_PER_SCORECARD))
    size = -(-count // parts) if count else 0
    return [(i * size, min(count, (i + 1) * size)) for i in range(parts)]


def slide_titles(data_or_names: PackData | Sequence[str], *, title: str, has_plan: bool) -> list[str]:
    """The slides in order, for the page's preview and for the tests."""
    names = [p.name for p in data_or_names.pages] if isinstance(data_or_names, PackData) else list(data_or_names)
    parts = len(scorecard_parts(len(names)))
    slides = [title]
    slides += ["Scorecard" if parts == 1 else f"Scorecard ({i} of {parts})" for i in range(1, parts + 1)]
    slides += names
    if has_plan:
        slides.append(PLAN_TITLE)
    return slides


def build_deck(data: PackData, images: Sequence[bytes], plan: PlanSummary | None = None) -> bytes:
    """The .pptx bytes: `images` are the KPI pages' charts as PNG, in the pages' order."""
    if len(images) != len(data.pages):
        raise ValueError(f"{len(data.pages)} KPI pages but {len(images)} chart images")
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, data)
    parts = scorecard_parts(len(data.pages))
    for i, (start, stop) in enumerate(parts, start=1):
        _scorecard_slide(deck, data, data.pages[start:stop],
                         "Scorecard" if len(parts) == 1 else f"Scorecard ({i} of {len(parts)})")
    for page, image in zip(data.pages, images):
        _kpi_slide(deck, data, page, image)
    if plan is not None:
        _plan_slide(deck, data, plan)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _text(frame, lines: Sequence[tuple[str, int, bool]], *, colour: RGBColor = INK, align=None) -> None:
    """Fill a text frame with (text, size, bold) paragraphs."""
    frame.word_wrap = True
    for i, (text, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = text
        if align is not None:
            paragraph.alignment = align
        for run in paragraph.runs:
            run.font.size, run.font.bold = Pt(size), bold
            run.font.color.rgb = colour


def _box(slide, left, top, width, height, lines, **kwargs):
    shape = slide.shapes.add_textbox(left, top, width, height)
    _text(shape.text_frame, lines, **kwargs)
    return shape


def _set_title(slide, text: str, *, top=Inches(0.45), height=Inches(0.85), size: int = 28) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, top, WIDTH - 2 * MARGIN, height
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), True, INK


def _marking(slide, marking: str) -> None:
    _box(slide, Inches(4.67), Inches(0.08), Inches(4.0), Inches(0.32), [(marking, 12, True)], align=PP_ALIGN.CENTER)


def _footer(slide, data: PackData, text: str) -> None:
    produced = f"Pack produced {data.generated_at:%d %b %Y}" + (f" by {data.options.prepared_by}"
                                                                  if data.options.prepared_by else "")
    _box(slide, MARGIN, Inches(6.88), Inches(10.4), Inches(0.5), [(f"{text} {produced}.", 10, False)], colour=MUTED)
    _box(slide, Inches(10.9), Inches(6.88), Inches(2.0), Inches(0.5), [(data.options.marking, 10, True)],
         align=PP_ALIGN.RIGHT)


def _describe(shape, text: str) -> None:
    """Alt text on a picture or table: PowerPoint reads it from the shape's `descr`."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def _title_slide(deck, data: PackData) -> None:
    options = data.options
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    _marking(slide, options.marking)
    _set_title(slide, f"{options.council_name}: {options.title}", top=Inches(1.6), height=Inches(1.5), size=40)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(3.3), WIDTH - 2 * MARGIN, Inches(2.6)
    audience = ("For publication: counts of 1 to 5 children, and figures that could reveal one, are shown as c "
                "(suppressed)."
                if options.publication else "Internal: not for publication. Small numbers are shown in full.")
    lines = [(f"Children's services performance, figures to {options.period:%B %Y}", 24, False),
             (f"{plural(len(data.pages), 'KPI')} · protective marking {options.marking}", 18, False),
             (audience, 18, False),
             (f"Produced {data.generated_at:%d %B %Y}" + (f" by {options.prepared_by}" if options.prepared_by else ""),
              16, False)]
    if options.is_demo:
        lines.append(("Synthetic demo data: fictional councils, made-up figures, no real child's data.", 16, True))
    subtitle.text_frame.clear()
    _text(subtitle.text_frame, lines, align=PP_ALIGN.LEFT)
    _box(slide, MARGIN, Inches(6.6), WIDTH - 2 * MARGIN, Inches(0.6), [(options.marking, 20, True)],
         align=PP_ALIGN.CENTER)


def _scorecard_slide(deck, data: PackData, pages: Sequence[KpiPage], title: str) -> None:
    options = data.options
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _marking(slide, options.marking)
    _set_title(slide, title)
    columns = scorecard_columns()
    row_height = Inches(0.44)
    shape = slide.shapes.add_table(len(pages) + 1, len(columns), MARGIN, Inches(1.4), WIDTH - 2 * MARGIN,
                                   row_height * (len(pages) + 1))
    _describe(shape, f"Scorecard table for {options.period:%B %Y}: {plural(len(pages), 'KPI')} with value, target, "
                     "RAG rating in words, direction of travel, England and statistical-neighbour average.")
    table = shape.table
    for i, (name, width) in enumerate(columns):
        table.columns[i].width = Emu(width)
        _cell(table.cell(0, i), name, HEADER_FILL, WHITE, bold=True)
    for r, page in enumerate(pages, start=1):
        values = [page.name, page.latest_text, page.target_text, page.rag_text, page.direction_text,
                  page.england_text, page.neighbour_text]
        fill = ROW_FILL[r % 2]
        for c, value in enumerate(values):
            cell_fill, ink = RAG_FILLS.get(page.rag, (fill, INK)) if columns[c][0] == "RAG" else (fill, INK)
            _cell(table.cell(r, c), value, cell_fill, ink, bold=c == 0)
    notes = [f"Values for {options.period:%B %Y} or the latest month before it (a published figure where there is "
             "no monthly return, dated). RAG: ● on target, ▲ within tolerance, ■ off target, ○ context measure. "
             "Direction compares with the same month a year earlier, or a published figure with the previous "
             "published figure with a value, dated in the cell. England and neighbour averages are annual, "
             "dated at their reference date; a count is compared as a rate per 10,000."]
    if options.publication:
        notes.append(disclosure.NOTE)
    _box(slide, MARGIN, Inches(5.85), WIDTH - 2 * MARGIN, Inches(0.95), [(n, 11, False) for n in notes], colour=MUTED)
    _footer(slide, data, "Sources: the council's monthly returns; England figures from DfE official statistics.")


def _cell(cell, text: str, fill: RGBColor, ink: RGBColor, *, bold: bool = False) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    _text(cell.text_frame, [(str(text), 11, bold)], colour=ink)


def _kpi_slide(deck, data: PackData, page: KpiPage, image: bytes) -> None:
    options = data.options
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _marking(slide, options.marking)
    _set_title(slide, page.name, height=Inches(0.75), size=26)
    chart_width = Inches(8.55)
    picture = slide.shapes.add_picture(io.BytesIO(image), MARGIN, Inches(1.25), width=chart_width)
    picture.name = f"Chart: {page.name}"
    _describe(picture, alt_text(page))
    left = MARGIN + chart_width + Inches(0.2)
    width = WIDTH - MARGIN - left
    figures = [(f"Latest ({page.latest_when}): {page.latest_text}", 16, True),
               (f"Target: {page.target_words}", 13, False),
               (f"RAG: {page.rag_text}" + (f" ({page.gap_text})" if page.target_text != "–" else ""), 13, False),
               (f"On {kpi.PREVIOUS_WORDS[page.latest_kind]}: {page.direction_text}", 13, False),
               (f"England: {page.england_text}", 13, False),
               (f"Neighbour average: {page.neighbour_text}", 13, False)]
    if options.spc_words:
        since = f" ({page.spc_since})" if page.spc_since else ""
        figures += [(f"Variation{since}: {page.variation_text}", 13, False),
                    (f"Assurance: {page.assurance_text}", 13, False)]
    figures.append((page.sentence, 11, False))
    _box(slide, left, Inches(1.25), width, Inches(3.3), figures)
    commentary = page.commentary or page.draft or f"No commentary has been written for {month_label(options.period)}."
    size = 13 if len(commentary) < 350 else 11 if len(commentary) < 700 else 9
    heading = f"Commentary, {month_label(options.period)}" if page.commentary or not page.draft else \
        f"{draft.DRAFT_LABEL}, {month_label(options.period)}"
    lines = [(heading, 14, True), (commentary, size, False)]
    if page.commentary_by:
        lines.append((page.commentary_by, 10, False))
    _box(slide, left, Inches(4.6), width, Inches(2.2), lines)
    notes = ([f"Will we hit it? {page.outlook}"] if page.outlook else []) + list(page.notes)
    if options.publication and page.shows_c:
        notes.append(disclosure.NOTE)
    if notes:
        _box(slide, MARGIN, Inches(6.08), chart_width, Inches(0.78), [(n, 11, False) for n in notes], colour=MUTED)
    upload = (f"Values from upload {page.upload_id} ({page.upload_file}, loaded {page.upload_date:%d %b %Y})."
              if page.upload_id is not None and page.upload_date is not None else "No values loaded.")
    _footer(slide, data, f"Source: {page.source}. {upload}")
    slide.notes_slide.notes_text_frame.text = f"{alt_text(page)}\n\nCommentary: {commentary}"


def _plan_slide(deck, data: PackData, plan: PlanSummary) -> None:
    options = data.options
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _marking(slide, options.marking)
    _set_title(slide, PLAN_TITLE)
    counts = plan.counts
    shape = slide.shapes.add_table(len(counts) + 2, 2, MARGIN, Inches(1.4), Inches(4.6), Inches(0.43) * (len(counts) + 2))
    total = int(counts["recommendations"].sum())
    _describe(shape, f"Improvement plan recommendations by status: {plural(total, 'recommendation')} in all.")
    table = shape.table
    table.columns[0].width, table.columns[1].width = Inches(3.2), Inches(1.4)
    _cell(table.cell(0, 0), "Status", HEADER_FILL, WHITE, bold=True)
    _cell(table.cell(0, 1), "Recommendations", HEADER_FILL, WHITE, bold=True)
    for r, row in enumerate(counts.itertuples(index=False), start=1):
        _cell(table.cell(r, 0), str(row.status), ROW_FILL[r % 2], INK)
        _cell(table.cell(r, 1), f"{int(row.recommendations):,}", ROW_FILL[r % 2], INK)
    _cell(table.cell(len(counts) + 1, 0), "Total", ROW_FILL[0], INK, bold=True)
    _cell(table.cell(len(counts) + 1, 1), f"{total:,}", ROW_FILL[0], INK, bold=True)
    left = MARGIN + Inches(5.0)
    lines = [(f"Overdue: {plural(len(plan.overdue), 'recommendation')}", 18, True)]
    for item in plan.overdue[:8]:
        lines.append((f"■ {item.recommendation} ({item.owner}; due {item.due:%d %b %Y}, "
                      f"{plural(item.days_overdue, 'day')} overdue)", 13, False))
    if len(plan.overdue) > 8:
        lines.append((f"and {plural(len(plan.overdue) - 8, 'more overdue item')}: see the Improvement plan page.", 13,
                      False))
    if not plan.overdue:
        lines.append(("No recommendation is overdue.", 14, False))
    _box(slide, left, Inches(1.4), WIDTH - MARGIN - left, Inches(5.3), lines)
    _footer(slide, data, f"Source: the council's improvement plan as recorded on {data.generated_at:%d %b %Y}.")

