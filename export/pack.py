"""One call from the page's (or the command line's) choices to the finished pack: gather, draw the charts in one
batch, assemble; and the slides read back from the finished deck for the page's preview."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import duckdb
import plotly.graph_objects as go
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from export import deck, figures, render, workbook
from export.gather import PackData, PackOptions, PlanSummary, gather

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Renderer = Callable[[Iterable[go.Figure]], list[bytes]]
THUMBNAIL_WIDTH = 480
"""Pixels across a preview's chart: three to a row on the page, sharp on a high-density screen."""


@dataclass
class Pack:
    pptx: bytes
    xlsx: bytes
    slides: list[str]
    file_stem: str


@dataclass(frozen=True)
class SlidePreview:
    """One slide as the page previews it: its title, its words in reading order and its chart, small."""

    title: str
    lines: list[str]
    chart: bytes | None
    chart_alt: str


def charts(data: PackData) -> Iterator[go.Figure]:
    """The KPI slides' charts, made one at a time (so each can be drawn while the next is made), sized and
    lettered for a slide; the slide's title names each."""
    return (figures.figure(page, data.options.council_name, font_size=figures.SLIDE_FONT, titled=False)
            for page in data.pages)


def render_for_slides(figs: Iterable[go.Figure]) -> list[bytes]:
    """Every chart of the pack, drawn by the process's one browser, each while the next is made."""
    return render.render_pngs(figs, **figures.SLIDE_SIZE)


def assemble(data: PackData, plan: PlanSummary | None = None, *, renderer: Renderer | None = None) -> Pack:
    """The deck and the workbook for pages already gathered. `plan` adds the improvement-plan slide and sheet."""
    images = (renderer or render_for_slides)(charts(data))
    pptx = deck.build_deck(data, images, plan)
    xlsx = workbook.build_workbook(data, plan)
    slides = deck.slide_titles(data, title=title_of(data.options), has_plan=plan is not None)
    return Pack(pptx, xlsx, slides, data.options.file_stem)


def build(con: duckdb.DuckDBPyConnection, options: PackOptions, plan: PlanSummary | None = None, *,
          renderer: Renderer | None = None, now: datetime | None = None) -> Pack:
    """The deck and the workbook for `options`, read from the store."""
    if renderer is None:
        render.warm_up()  # a cold browser starts while the figures are read
    return assemble(gather(con, options, now), plan, renderer=renderer)


def title_of(options: PackOptions) -> str:
    """The title slide's heading, as the preview lists it."""
    return f"{options.council_name}: {options.title}"


def previews(pptx: bytes, width: int = THUMBNAIL_WIDTH) -> list[SlidePreview]:
    """Every slide of a finished deck, read back from the deck itself so that the preview cannot differ from the
    file: a table is a line per row, a chart its picture made `width` pixels across, with its alt text."""
    shown = []
    for slide in Presentation(io.BytesIO(pptx)).slides:
        title = slide.shapes.title
        lines: list[str] = []
        chart, alt = None, ""
        for shape in slide.shapes:
            if shape.shape_id == title.shape_id:
                continue
            if shape.has_text_frame:
                lines += [p.text for p in shape.text_frame.paragraphs if p.text.strip()]
            elif shape.has_table:
                lines += [" · ".join(cell.text for cell in row.cells) for row in shape.table.rows]
            elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                chart, alt = _small(shape.image.blob, width), shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr")
        shown.append(SlidePreview(title.text, lines, chart, alt or ""))
    return shown


def _small(png: bytes, width: int) -> bytes:
    picture = Image.open(io.BytesIO(png))
    picture.thumbnail((width, width * picture.height // picture.width), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
