"""One call from the page's choices to the finished pack: gather, draw the charts in one batch, assemble.

The stages are timed (data, chart rendering, PowerPoint, Excel) for the benchmark and the page.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import plotly.graph_objects as go

from export import deck, figures, render, workbook
from export.gather import PackData, PackOptions, PlanSummary, gather

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Renderer = Callable[[list[go.Figure]], list[bytes]]


@dataclass
class Pack:
    pptx: bytes
    xlsx: bytes
    slides: list[str]
    file_stem: str
    timings: dict[str, float] = field(default_factory=dict)


def charts(data: PackData) -> list[go.Figure]:
    """The KPI slides' charts, sized and lettered for a slide; the slide's title names each."""
    return [figures.figure(page, data.options.council_name, font_size=figures.SLIDE_FONT, titled=False)
            for page in data.pages]


def render_for_slides(figs: list[go.Figure]) -> list[bytes]:
    """Every chart of the pack from one browser start."""
    return render.render_pngs(figs, **figures.SLIDE_SIZE)


def build(con: duckdb.DuckDBPyConnection, options: PackOptions, plan: PlanSummary | None = None, *,
          renderer: Renderer | None = None, now: datetime | None = None) -> Pack:
    """The deck and the workbook for `options`. `plan` adds the improvement-plan slide and sheet when given."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    data = gather(con, options, now)
    timings["data"] = time.perf_counter() - clock
    clock = time.perf_counter()
    images = (renderer or render_for_slides)(charts(data))
    timings["charts"] = time.perf_counter() - clock
    clock = time.perf_counter()
    pptx = deck.build_deck(data, images, plan)
    timings["pptx"] = time.perf_counter() - clock
    clock = time.perf_counter()
    xlsx = workbook.build_workbook(data, plan)
    timings["xlsx"] = time.perf_counter() - clock
    slides = deck.slide_titles(data, title=title_of(options), has_plan=plan is not None)
    return Pack(pptx, xlsx, slides, options.file_stem, timings)


def title_of(options: PackOptions) -> str:
    """The title slide's heading, as the preview lists it."""
    return f"{options.council_name}: {options.title}"
