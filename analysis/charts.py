"""Plotly figures with one shared style, readable by councillors at a glance.

Colours are the Okabe-Ito palette, which stays distinct for the common kinds of
colour blindness; every series also differs by line style or marker shape so
that colour is never the only way to tell them apart.
"""
from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from analysis.forecast import Forecast
from analysis.kpi import format_value
from store.dates import month_label

PALETTE = {
    "council": "#0072B2",
    "target": "#D55E00",
    "floor": "#CC79A7",
    "england": "#000000",
    "neighbours": "#009E73",
    "annotation": "#555555",
}
TEXT = "#1a1a1a"
"""Every word on a chart, 17:1 against white (WCAG asks 4.5:1). It is set on each axis, legend and title as well as the
font: Streamlit's chart theme otherwise greys axis words to about 3.5:1."""
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=15, color=TEXT)

NARROWEST = 560
"""The narrowest a chart is drawn, in pixels: Workforce's chart column on a 1366-pixel screen. Date ticks are spaced
for it whatever the chart's width: fewer ticks cost a wider chart nothing, and ticks never crowd or tilt."""
WIDTH = 860
"""The width, in pixels, a chart is laid out for unless told otherwise: the trend page's chart on a 1366-pixel screen,
and the pack's slide. Marker labels and notes placed to fit a width only stand further apart when the chart is drawn
wider, so a chart drawn narrower (Workforce's column, the plan's two columns) is told its width."""
HEIGHT = 480
MARGIN = dict(l=70, r=30, t=60)
CHAR_WIDTH = 0.58
"""A character's average width in ems: a little wide for Source Sans Pro and Arial, so estimates err towards room."""
TITLE_CHAR_WIDTH = 0.52
"""The same for a title's mostly lower-case words."""
TICK_ROOM = 34
"""Pixels under a plot for one row of horizontal tick labels."""
TICK_GAP = 18
TICK_WIDTH = NARROWEST - MARGIN["l"] - MARGIN["r"]
"""The widest plot ticks are spaced for."""
LEGEND_ROW = 24
LEGEND_FONT = 14
LABEL_FONT = 13
LABEL_PAD = 3
NOTE_FONT = 12
NOTE_ROW = 19
"""Pixels from one row of notes to the next: a line of a 12-pixel note in its box."""
NOTE_GAP = 4


def axis_title(unit: str) -> str:
    return {"%": "Percentage (%)", "rate": "Rate per 10,000 children", "count": "Number",
            "FTE": "Full-time equivalent", "cases": "Cases per social worker"}.get(unit, unit)


def plain(text: object) -> str:
    """Text for a chart as words: plotly reads `<a href>`, `<b>` and the like in titles, names, labels and notes
    as markup (a live link), so people's words (council names, notes, reasons) go in with < > & as entities."""
    return html.escape(str(text), quote=False)


def text_width(text: str, font_size: float) -> float:
    """An estimate of the words' width in pixels: Plotly lays text out only in the browser."""
    return len(text) * font_size * CHAR_WIDTH


@dataclass(frozen=True)
class Box:
    """A rectangle in plot pixels: x from the plot's left edge, y up from its foot."""

    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: Box, clearance: float = 0.0) -> bool:
        """Whether the two come closer than `clearance` pixels."""
        return (self.left < other.right + clearance and other.left < self.right + clearance
                and self.bottom < other.top + clearance and other.bottom < self.top + clearance)

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.bottom >= 0 and self.right <= width and self.top <= height

    def distance(self, x: float, y: float) -> float:
        """Pixels from the point to the nearest part of the box."""
        return math.hypot(max(self.left - x, 0.0, x - self.right), max(self.bottom - y, 0.0, y - self.top))

    def crosses(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether the segment from a to b passes through the box (Liang-Barsky clipping)."""
        (x0, y0), (x1, y1) = a, b
        low, high = 0.0, 1.0
        for p, q in ((x0 - x1, x0 - self.left), (x1 - x0, self.right - x0),
                     (y0 - y1, y0 - self.bottom), (y1 - y0, self.top - y0)):
            if p == 0:
                if q < 0:
                    return False
                continue
            if p < 0:
                low = max(low, q / p)
            else:
                high = min(high, q / p)
            if low > high:
                return False
        return True


@dataclass(frozen=True)
class Label:
    """A marker's words to place: the marker's centre in plot pixels, the words' width and line height, and the
    marker's radius (Plotly sets words radius / 0.8 + 1 pixels from the centre)."""

    x: float
    y: float
    width: float
    height: float
    radius: float


@dataclass(frozen=True)
class Spot:
    """Where a label goes: one of Plotly's text positions round its marker, and how many lines further out. Plotly
    has no offset for a marker's text, but a blank line on the side of the marker moves the words out by one."""

    position: str
    lines: int = 0

    @property
    def template(self) -> str:
        """The trace's `texttemplate` for the point."""
        blank = "<br> " * self.lines
        return blank + "%{text}" if self.position.startswith("bottom") else "%{text}" + blank


def _spots(below_first: bool) -> list[Spot]:
    """The places a label tries, in order: hugging its marker on the preferred side, then the other, then beside
    it; then one and two lines further out."""
    sides = ("bottom", "top") if below_first else ("top", "bottom")
    hugging = [Spot(f"{side} {across}") for side in sides for across in ("center", "right", "left")]
    return hugging + [Spot("middle right"), Spot("middle left")] + [
        Spot(f"{side} {across}", lines) for lines in (1, 2) for side in sides for across in ("center", "right", "left")]


def label_box(label: Label, spot: Spot) -> Box:
    """Where Plotly draws a label's words at `spot`."""
    vertical, horizontal = spot.position.split()
    gap = label.radius / 0.8 + 1
    out = gap + spot.lines * label.height
    left = {"center": label.x - label.width / 2, "right": label.x + gap, "left": label.x - gap - label.width}
    bottom = {"top": label.y + out, "bottom": label.y - out - label.height, "middle": label.y - label.height / 2}
    return Box(left[horizontal], bottom[vertical], left[horizontal] + label.width, bottom[vertical] + label.height)


def _height_at(line: list[list[tuple[float, float]]], x: float) -> float | None:
    """The line's height in pixels at `x`, or None where it is not drawn."""
    for run in line:
        for (x0, y0), (x1, y1) in zip(run, run[1:]):
            if x0 <= x <= x1 and x1 > x0:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        if len(run) == 1 and run[0][0] == x:
            return run[0][1]
    return None


def place_labels(labels: list[Label], *, width: float, height: float, line: list[list[tuple[float, float]]],
                 others: list[list[tuple[float, float]]], markers: list[Box]) -> list[Spot | None]:
    """A spot for each label, in the order given (the first placed first), or None where none is free.

    A label stays inside the plot (width by height pixels), a pixel off every marker (its own too), `LABEL_PAD`
    pixels off every earlier label, and off the council's `line` and the `others` (each a list of runs of points,
    a gap between runs); and no other label's marker is nearer its words than its own, so that none reads as
    another's. It tries the side of its marker away from the council's line first, so England's and the neighbours'
    words stand clear of it. A label with no free spot is left to its marker's hover and the legend.
    """
    segments = [segment for run in line + others for segment in zip(run, run[1:])]
    placed: list[Box] = []
    spots: list[Spot | None] = []
    for label in labels:
        under = _height_at(line, label.x)
        chosen = None
        for spot in _spots(below_first=under is not None and label.y < under):
            box = label_box(label, spot)
            own = box.distance(label.x, label.y)
            if (box.inside(width, height) and not any(box.overlaps(other, LABEL_PAD) for other in placed)
                    and not any(box.overlaps(marker, 1) for marker in markers)
                    and not any(box.distance(other.x, other.y) < own for other in labels if other is not label)
                    and not any(box.crosses(a, b) for a, b in segments)):
                chosen = spot
                placed.append(box)
                break
        spots.append(chosen)
    return spots


@dataclass(frozen=True)
class NotePlace:
    """Where a note's words go: their left edge in plot pixels, their row counted down from the top, and whether
    they read leftwards from their line (anchored at their right)."""

    left: float
    row: int
    leftwards: bool


def place_notes(xs: list[float], widths: list[float], plot_width: float) -> list[NotePlace]:
    """Each note's words beside its line, in the first row where they overlap no other note's words.

    Words go to the right of their line where they fit, else to its left; words too long for either side lie
    against the plot's edge on the side with more room, over their line. Notes are placed in the order given.
    """
    rows: list[list[tuple[float, float]]] = []
    places = []
    for x, width in zip(xs, widths):
        if x + NOTE_GAP + width <= plot_width:
            left, leftwards = x + NOTE_GAP, False
        elif x - NOTE_GAP - width >= 0:
            left, leftwards = x - NOTE_GAP - width, True
        else:  # wider than the plot: from its left edge, so that at least the start of the words shows
            leftwards = x > plot_width / 2 and width <= plot_width
            left = 0.0 if leftwards else max(0.0, plot_width - width)
        span = (left - NOTE_GAP, left + width + NOTE_GAP)
        row = next((i for i, taken in enumerate(rows) if all(span[1] <= a or b <= span[0] for a, b in taken)),
                   len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        places.append(NotePlace(left, row, leftwards))
    return places


@dataclass(frozen=True)
class Plot:
    """A chart's plot area as laid out: its x range (dates), its y range once known, and its size in pixels at the
    width it is laid out for."""

    start: pd.Timestamp
    end: pd.Timestamp
    width: float
    height: float
    low: float = 0.0
    high: float = 1.0

    def x(self, when: object) -> float:
        return (pd.Timestamp(when) - self.start) / (self.end - self.start) * self.width

    def y(self, value: float) -> float:
        return (value - self.low) / (self.high - self.low) * self.height


def _legend_rows(names: list[str], width: float) -> int:
    """How many rows Plotly's horizontal legend of these names takes across `width` pixels: one if all fit side by
    side, else a grid whose columns are as wide as the widest name."""
    items = [44 + text_width(html.unescape(name), LEGEND_FONT) for name in names]
    if sum(items) <= width:
        return 1
    return -(-len(items) // max(1, int(width // max(items))))


def _room_below(fig: go.Figure, width: int, under_axis: int) -> int:
    """Pixels under the plot: the axis's words, then the legend's rows."""
    shown = [t.name for t in fig.data if t.name and t.showlegend is not False]
    return under_axis + (LEGEND_ROW * _legend_rows(shown, width - MARGIN["l"] - MARGIN["r"]) + 10
                         if len(shown) > 1 else 0)


def _title(title: str, width: int, height: int, size: int = 20) -> tuple[dict, int]:
    """The title in lines that fit `width` pixels (Plotly never wraps a title, it runs off the edge), its first
    line 12 pixels from the top, and the pixels it takes. Plotly anchors a title by its last line, hence the shift."""
    lines = textwrap.wrap(plain(title), width=max(20, int((width - 20) / (size * TITLE_CHAR_WIDTH)))) or [""]
    line = size * 1.3
    return (dict(text="<br>".join(lines), x=0, xanchor="left", yref="container", yanchor="top",
                 y=1 - (12 + line * (len(lines) - 1)) / height, font=dict(size=size, color=TEXT)),
            round(line * len(lines)))


def base_layout(fig: go.Figure, title: str, unit: str, *, width: int = WIDTH, height: int = HEIGHT,
                under_axis: int = TICK_ROOM) -> go.Figure:
    """Title, type, colours, margins and a legend under the x-axis's words (`under_axis` pixels of them)."""
    heading, title_height = _title(title, width, height)
    top, below = title_height + 34, _room_below(fig, width, under_axis)
    fig.update_layout(
        title=heading,
        font=FONT,
        template="plotly_white",
        hovermode="x unified",
        margin=dict(MARGIN, t=top, b=below),
        legend=dict(orientation="h", yanchor="top", y=-under_axis / (height - top - below), x=0,
                    font=dict(size=LEGEND_FONT, color=TEXT)),
        height=height,
    )
    # Sizes and colours on each axis: Streamlit's theme would otherwise set 12-pixel grey ticks.
    axis = dict(tickfont=dict(color=TEXT, size=FONT["size"]), title_font=dict(color=TEXT), linecolor="#666666",
                automargin=True)
    fig.update_yaxes(title_text=axis_title(unit), gridcolor="#dddddd", zeroline=False,
                     ticksuffix="%" if unit == "%" else None, **axis)
    fig.update_xaxes(title_text=None, gridcolor="#eeeeee", tickangle=0, **axis)
    return fig


def _plot(fig: go.Figure, start: pd.Timestamp, end: pd.Timestamp, width: int) -> Plot:
    """The plot area of a chart laid out by `base_layout`, `width` pixels wide, spanning start to end."""
    margin = fig.layout.margin
    return Plot(start, end, width - margin.l - margin.r, fig.layout.height - margin.t - margin.b)


def _y_range(values: list[float], plot: Plot, top: float, bottom: float, from_zero: bool) -> Plot:
    """The plot with a y range that keeps the values `top` pixels below its top and `bottom` above its foot, so
    notes, and labels above and below the highest and lowest markers, have room; not below zero for values that
    cannot be (a percentage, a rate) unless they are."""
    shown = [float(v) for v in values if v is not None and not pd.isna(v)]
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    if high == low:
        low, high = low - (abs(low) * 0.1 or 1), high + (abs(high) * 0.1 or 1)
    per_pixel = (high - low) / max(plot.height - top - bottom, plot.height * 0.4)
    floor = low - bottom * per_pixel
    return replace(plot, low=max(floor, 0.0) if from_zero and low >= 0 else floor, high=high + top * per_pixel)


MONTH_STEPS = (1, 2, 3, 6, 12, 24, 36, 48, 60, 120)


def month_ticks(first: pd.Timestamp, last: pd.Timestamp, plot_width: float, *, annual: bool = False,
                font_size: float = FONT["size"]) -> dict:
    """Horizontal date ticks from `first` to `last`, as few months apart as fit side by side across `plot_width`
    pixels, and none in the room left beyond the dates.

    Monthly values are ticked 'Jan 2025' from January; published annual figures at their reference dates
    ('31 Mar 2025'), whole years apart and counted back from the latest, so that it is always named.
    """
    chars, steps = (11, [s for s in MONTH_STEPS if s % 12 == 0]) if annual else (8, list(MONTH_STEPS))
    fits = max(1, int(plot_width // (chars * font_size * CHAR_WIDTH + TICK_GAP)))
    for step in steps:
        if annual:
            ticks = [last - pd.DateOffset(months=step * k) for k in range(_months(first, last) // step, -1, -1)]
        else:
            january = pd.Timestamp(first.year, 1, 1)
            ticks = [january + pd.DateOffset(months=step * k) for k in range(_months(january, last) // step + 1)]
        ticks = [t for t in ticks if first <= t <= last]
        if len(ticks) <= fits:
            break
    return dict(tickmode="array", tickvals=ticks, ticktext=[f"{t.day} {t:%b %Y}" if annual else f"{t:%b %Y}"
                                                            for t in ticks],
                tickformat="%d %b %Y" if annual else "%b %Y", tickangle=0)


def _months(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _line(plot: Plot, xs: pd.Series, ys: list, step: bool = False) -> list[list[tuple[float, float]]]:
    """A drawn line in pixels as runs of points (a gap, None, breaks it); `step` for Plotly's 'hv' step lines."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys):
        if y is None or pd.isna(y):
            runs.append([])
            continue
        point = (plot.x(x), plot.y(float(y)))
        if step and runs[-1]:
            runs[-1].append((point[0], runs[-1][-1][1]))
        runs[-1].append(point)
    return [run for run in runs if run]


MARKER_SIZES = {"council": 6, "england": 13, "neighbours": 12, "published": 14}
LABELLED = ("england", "neighbours", "published")


def _label_markers(fig: go.Figure, plot: Plot, line: list[list[tuple[float, float]]],
                   others: list[list[tuple[float, float]]], band: float) -> None:
    """Place the England, neighbour and published markers' words (latest first; on one date England, then the
    neighbours, then the council's published figure) so that none overlaps another, a marker, a line or the notes'
    rows (the top `band` pixels). Words that fit nowhere are not drawn and stay in the marker's hover: a trace's
    `text` is the same wherever the chart is drawn, only where it shows differs."""
    markers = []
    for trace in fig.data:
        if trace.meta in MARKER_SIZES:
            half = MARKER_SIZES[trace.meta] / 2
            markers += [Box(plot.x(x) - half, plot.y(y) - half, plot.x(x) + half, plot.y(y) + half)
                        for x, y in zip(trace.x, trace.y) if y is not None and not pd.isna(y)]
    labelled = [t for t in fig.data if t.meta in LABELLED]
    order = sorted(((pd.Timestamp(x), rank, i) for rank, t in enumerate(labelled) for i, x in enumerate(t.x)),
                   key=lambda key: (-key[0].value, key[1]))
    labels = []
    for when, rank, i in order:
        trace = labelled[rank]
        labels.append(Label(plot.x(when), plot.y(trace.y[i]), text_width(html.unescape(trace.text[i]), LABEL_FONT),
                            LABEL_FONT * 1.3, MARKER_SIZES[trace.meta] / 2))
    placed = place_labels(labels, width=plot.width, height=plot.height - band, line=line, others=others,
                          markers=markers)
    spots = {(rank, i): spot for (_, rank, i), spot in zip(order, placed)}
    for rank, trace in enumerate(labelled):
        chosen = [spots[rank, i] for i in range(len(trace.x))]
        trace.update(textposition=[spot.position if spot else "top center" for spot in chosen],
                     texttemplate=[spot.template if spot else "" for spot in chosen])


EDGE = 24
"""Pixels between the plot's edges and the first and last dates."""


def _x_range(fig: go.Figure, first: pd.Timestamp, last: pd.Timestamp, plot_width: float) -> tuple[pd.Timestamp,
                                                                                                   pd.Timestamp]:
    """The dates at the plot's edges: `EDGE` pixels before the first date, and after the last room for the words of
    the latest labelled markers: centred over them, or beside them where they stand at or after the end of the
    council's line, which would otherwise crowd out the latest figures, the ones that matter most."""
    if last <= first:
        return first - pd.Timedelta(days=365), last + pd.Timedelta(days=365)
    line_end = max(pd.Timestamp(x) for x in fig.data[0].x)
    labelled = [(pd.Timestamp(x), text_width(html.unescape(text), LABEL_FONT), MARKER_SIZES[t.meta] / 1.6 + 1)
                for t in fig.data if t.meta in LABELLED for x, text in zip(t.x, t.text)]
    latest = max((when for when, _, _ in labelled), default=first)
    distance = (last - latest) / (last - first) * (plot_width - 2 * EDGE)
    right = max([EDGE] + [(words + gap if when >= line_end else words / 2) + LABEL_PAD - distance
                          for when, words, gap in labelled if when == latest])
    per_pixel = (last - first) / max(plot_width - EDGE - right, plot_width / 2)
    return first - EDGE * per_pixel, last + right * per_pixel


def _present(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def trend_chart(
    *,
    title: str,
    unit: str,
    decimals: int,
    council_name: str,
    series: pd.DataFrame,
    targets: list[float | None],
    floors: list[float | None] | None = None,
    england: pd.DataFrame | None = None,
    annotations: pd.DataFrame | None = None,
    neighbours: pd.DataFrame | None = None,
    published: pd.DataFrame | None = None,
    until: pd.Timestamp | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    forecast: Forecast | None = None,
) -> go.Figure:
    """Monthly line against its target (a step line), England and the statistical-neighbour average as
    annual markers at their year end (never drawn as if monthly), and dated notes. A series of published annual
    figures (`kind` 'published') is drawn at its reference dates and named so; `published` holds the council's
    own published figures to mark beside a monthly line. The x-axis reaches on to `until` (a deadline still to
    come). Labels and notes are placed to fit `width` by `height` pixels, the size the chart is drawn at (stretched
    wider, they only stand further apart)."""
    fig = go.Figure()
    annual = "kind" in series and (series["kind"] == "published").any()
    periods = pd.to_datetime(series["period_end"] if annual else series["period"])
    fig.add_trace(
        go.Scatter(
            x=periods, y=series["value"], meta="council",
            name=plain(council_name) + (" (published, annual)" if annual else ""), mode="lines+markers",
            line=dict(color=PALETTE["council"], width=3), marker=dict(size=MARKER_SIZES["council"], symbol="circle"),
            hovertemplate="%{y}<extra>" + plain(council_name).replace("%", "&#37;") + "</extra>",
        )
    )
    if any(t is not None for t in targets):
        fig.add_trace(
            go.Scatter(
                x=periods, y=targets, name="Target", mode="lines", line_shape="hv",
                line=dict(color=PALETTE["target"], width=2.5, dash="dash"), connectgaps=False,
                hovertemplate="Target %{y}<extra></extra>",
            )
        )
    if floors and any(f is not None for f in floors):
        fig.add_trace(
            go.Scatter(
                x=periods, y=floors, name="Floor", mode="lines", line_shape="hv",
                line=dict(color=PALETTE["floor"], width=2, dash="dot"),
                hovertemplate="Floor %{y}<extra></extra>",
            )
        )
    if _present(england):
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(england["period_end"]), y=england["value"], name="England (annual)", meta="england",
                mode="markers+text", marker=dict(symbol="diamond", size=MARKER_SIZES["england"],
                                                 color=PALETTE["england"]),
                text=[f"England {format_value(v, unit, decimals)}" for v in england["value"]],
                textfont=dict(size=LABEL_FONT, color=TEXT), cliponaxis=False,
                hovertemplate="%{text} (%{x|%d %b %Y})<extra></extra>",
            )
        )
    if _present(neighbours):
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(neighbours["period_end"]), y=neighbours["value"], meta="neighbours",
                name="Statistical-neighbour average (annual)", mode="markers+text",
                marker=dict(symbol="square", size=MARKER_SIZES["neighbours"], color=PALETTE["neighbours"]),
                text=[f"Neighbours {format_value(v, unit, decimals)}" for v in neighbours["value"]],
                textfont=dict(size=LABEL_FONT, color="#00563f"), cliponaxis=False,
                hovertemplate="%{text} (statistical-neighbour average, %{x|%d %b %Y})<extra></extra>",
            )
        )
    if _present(published):
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(published["period_end"]), y=published["value"], meta="published",
                name=plain(council_name) + " published (annual)", mode="markers+text",
                marker=dict(symbol="circle-open", size=MARKER_SIZES["published"], line=dict(width=3),
                            color=PALETTE["council"]),
                text=[f"Published {format_value(v, unit, decimals)}" for v in published["value"]],
                textfont=dict(size=LABEL_FONT, color="#00497a"), cliponaxis=False,
                hovertemplate="%{text} (%{x|%d %b %Y})<extra></extra>",
            )
        )
    if forecast is not None:
        add_forecast(fig, forecast, series, unit, decimals)
    base_layout(fig, title, unit, width=width, height=height)
    if not len(periods):
        return fig
    dates = [pd.Timestamp(x) for t in fig.data for x in t.x] + ([pd.Timestamp(until)] if until is not None else [])
    if annotations is not None:
        annotations = _notes_within(annotations, min(dates), max(dates))
        dates += list(annotations["period"])
    start, end = _x_range(fig, min(dates), max(dates), width - MARGIN["l"] - MARGIN["r"])
    plot = _plot(fig, start, end, width)
    band = add_annotations(fig, annotations, plot) if annotations is not None else 0.0
    room = 2 * LABEL_FONT + LABEL_PAD  # a label above the highest marker, or below the lowest
    plot = _y_range([v for t in fig.data for v in t.y], plot, band + room, room, True)
    steps = [run for t in fig.data if t.name in ("Target", "Floor") for run in _line(plot, periods, list(t.y), True)]
    _label_markers(fig, plot, _line(plot, periods, list(series["value"])), steps, band)
    fig.update_yaxes(range=[plot.low, plot.high])
    fig.update_xaxes(range=[start, end], **month_ticks(min(dates), max(dates), min(plot.width, TICK_WIDTH),
                                                                  annual=annual))
    return fig


FORECAST_FILL = {80: "rgba(0, 114, 178, 0.28)", 95: "rgba(0, 114, 178, 0.12)"}


def add_forecast(fig: go.Figure, forecast: Forecast, series: pd.DataFrame, unit: str, decimals: int) -> None:
    """The months ahead as shaded 95% and 80% ranges and a dotted central line, each named "Forecast" in the
    legend and the hover: a forecast is never drawn as data (no markers, no solid line)."""
    months = pd.to_datetime(pd.Series(forecast.periods))
    known = series[series["value"].notna()]
    start_x = pd.to_datetime(known["period"]).iloc[-1] if len(known) else months.iloc[0]
    start_y = float(known["value"].iloc[-1]) if len(known) else float(forecast.central[0])
    for level, low, high in ((95, forecast.lower95, forecast.upper95), (80, forecast.lower, forecast.upper)):
        xs = [start_x, *months, *months[::-1], start_x]
        ys = [start_y, *high, *low[::-1], start_y]
        fig.add_trace(go.Scatter(x=xs, y=ys, name=f"Forecast: {level}% range", mode="lines", fill="toself",
                                 fillcolor=FORECAST_FILL[level], line=dict(width=0), hoverinfo="skip",
                                 meta="forecast"))
    text = [f"Forecast {format_value(c, unit, decimals)} (80%: {format_value(lo, unit, decimals)} to "
            f"{format_value(hi, unit, decimals)})" for c, lo, hi in zip(forecast.central, forecast.lower,
                                                                          forecast.upper)]
    fig.add_trace(go.Scatter(x=[start_x, *months], y=[start_y, *forecast.central], name="Forecast (central)",
                             mode="lines", line=dict(color=PALETTE["council"], width=2, dash="dot"), meta="forecast",
                             text=["", *text], hovertemplate="%{text}<extra></extra>"))


SPC_POINTS = {
    "common_cause": ("Common cause", "#999999", "circle"),
    "special_cause_improvement": ("Special cause: improvement", "#0072B2", "triangle-up"),
    "special_cause_concern": ("Special cause: concern", "#E69F00", "x"),
    "special_cause_neutral_high": ("Special cause: unusually high", "#CC79A7", "square"),
    "special_cause_neutral_low": ("Special cause: unusually low", "#CC79A7", "square-open"),
}


def _per_group(result: pd.DataFrame, column: str) -> tuple[list, list]:
    """One segment per group of limits, with a gap between, so a rebase reads as a fresh start."""
    xs: list = []
    ys: list = []
    for _, rows in result.groupby("group", sort=True):
        if xs:
            xs.append(None)
            ys.append(None)
        xs += rows["period"].tolist()
        ys += rows[column].tolist()
    return xs, ys


def spc_chart(*, title: str, unit: str, result: pd.DataFrame, target: list[float | None] | None = None,
              annotations: pd.DataFrame | None = None, rebases: pd.DataFrame | None = None) -> go.Figure:
    """An XmR chart in the Making Data Count style from `analysis.variation.kpi_xmr`.

    Points differ by colour and by marker shape, each kind named in the legend;
    the limits are drawn per group so a rebase shows as a break in the lines.
    """
    fig = go.Figure()
    x = result["period"]
    fig.add_trace(go.Scatter(x=x, y=result["value"], name="Monthly value", mode="lines",
                             line=dict(color="#777777", width=1.5), hoverinfo="skip"))
    for column, name, dash in (("mean", "Average", "solid"), ("upl", "Upper process limit", "dash"),
                               ("lpl", "Lower process limit", "dash")):
        xs, ys = _per_group(result, column)
        fig.add_trace(go.Scatter(x=xs, y=ys, name=name, mode="lines", connectgaps=False,
                                 line=dict(color="#333333", width=1.8 if column == "mean" else 1.4, dash=dash),
                                 hovertemplate=name + " %{y:.1f}<extra></extra>"))
    if target and any(t is not None for t in target):
        fig.add_trace(go.Scatter(x=x, y=target, name="Target", mode="lines", line_shape="hv",
                                 line=dict(color=PALETTE["target"], width=2.5, dash="longdash"),
                                 hovertemplate="Target %{y}<extra></extra>"))
    for point_type, (name, colour, symbol) in SPC_POINTS.items():
        rows = result[result["point_type"] == point_type]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(x=rows["period"], y=rows["value"], name=name, mode="markers",
                                 marker=dict(color=colour, symbol=symbol, size=10 if point_type == "common_cause" else 13,
                                             line=dict(color=colour, width=2)),
                                 hovertemplate="%{y}<extra>" + name + "</extra>"))
    base_layout(fig, title, unit)
    if not len(x):
        return fig
    first, last = pd.Timestamp(x.min()), pd.Timestamp(x.max())
    if annotations is not None:
        annotations = _notes_within(annotations, first, last)
        last = max([last, *annotations["period"]])
    start, end = _x_range(fig, first, last, WIDTH - MARGIN["l"] - MARGIN["r"])
    plot = _plot(fig, start, end, WIDTH)
    top = add_annotations(fig, annotations, plot) if annotations is not None else 0.0
    bottom = _add_rebases(fig, rebases, plot) if rebases is not None else 0.0
    values = [*result["value"], *result["upl"], *result["lpl"], *(target or [])]
    plot = _y_range(values, plot, top + 8, bottom + 8, False)
    fig.update_yaxes(range=[plot.low, plot.high])
    fig.update_xaxes(range=[start, end], **month_ticks(first, last, TICK_WIDTH))
    return fig


def _add_rebases(fig: go.Figure, rebases: pd.DataFrame, plot: Plot) -> float:
    """A solid line at each recalculation of the limits, its reason in rows along the foot of the chart; returns
    the pixels the rows take, to be kept clear of the values."""
    shown = rebases[(pd.to_datetime(rebases["period"]) >= plot.start)
                    & (pd.to_datetime(rebases["period"]) <= plot.end)].sort_values("period", kind="stable")
    return _marks(fig, [pd.Timestamp(p) for p in shown["period"]],
                  [f"Limits recalculated: {plain(reason)}" for reason in shown["reason"]],
                  [MARK_STYLES["rebase"]] * len(shown), plot, top=False)


MARK_STYLES = {
    "rebase": ("#000000", 2, "solid"),
    "note": (PALETTE["annotation"], 1.5, "dot"),
    "inspection": (PALETTE["england"], 2, "solid"),
    "due": (PALETTE["target"], 2, "dash"),
}


def _note(fig: go.Figure, when: pd.Timestamp, text: str, place: NotePlace, plot: Plot, y: float,
          yanchor: str) -> None:
    """A note's words at its place; anchored at the side touching its line, so words wider than estimated grow
    away from it."""
    width = text_width(html.unescape(text), NOTE_FONT)
    edge = place.left + width if place.leftwards else place.left
    fig.add_annotation(x=when, y=y, yref="paper", text=text, showarrow=False,
                       xanchor="right" if place.leftwards else "left", xshift=edge - plot.x(when),
                       yanchor=yanchor, align="right" if place.leftwards else "left",
                       font=dict(size=NOTE_FONT, color="#333333"), bgcolor="rgba(255,255,255,0.9)")


def _notes_within(notes: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """The notes dated from the chart's first date to 45 days after its last (a note within its last month), so a
    chart of any months shows the same notes for them, whatever room its axis leaves for labels."""
    when = pd.to_datetime(notes["period"])
    within = (when >= first) & (when <= last + pd.Timedelta(days=45))
    return notes[within].assign(period=when[within])


def add_annotations(fig: go.Figure, notes: pd.DataFrame, plot: Plot) -> float:
    """Vertical lines with their words in rows along the top of the plot, no two overlapping, for notes dated
    within the plot's dates; returns the pixels the rows take, which the chart keeps clear of its values.

    Words read rightwards from their line, or leftwards where the right edge is too near, so they stay inside the
    chart. An optional `kind` column styles the line: a chart note (dotted grey), an inspection (solid black) or a
    recommendation's due date (dashed vermillion); the words ("Ofsted ...", "Due: ...") say which, too.
    """
    shown = notes.sort_values("period", kind="stable")
    styles = [MARK_STYLES.get(kind, MARK_STYLES["note"])
              for kind in (shown["kind"] if "kind" in shown else ["note"] * len(shown))]
    return _marks(fig, list(shown["period"]), [plain(t) for t in shown["text"]], styles, plot, top=True)


def _marks(fig: go.Figure, periods: list[pd.Timestamp], texts: list[str], styles: list[tuple[str, float, str]],
           plot: Plot, *, top: bool) -> float:
    """A vertical line at each date, styled (colour, width, dash), with its words in rows along the top or the
    foot of the plot, no two overlapping; returns the pixels the rows take."""
    places = place_notes([plot.x(p) for p in periods], [text_width(html.unescape(t), NOTE_FONT) for t in texts],
                         plot.width)
    for when, text, (colour, width, dash), place in zip(periods, texts, styles, places):
        fig.add_shape(type="line", x0=when, x1=when, y0=0, y1=1, yref="paper",
                      line=dict(color=colour, width=width, dash=dash))
        offset = (NOTE_GAP + place.row * NOTE_ROW) / plot.height
        _note(fig, when, text, place, plot, 1 - offset if top else offset, "top" if top else "bottom")
    return NOTE_GAP + NOTE_ROW * (max((p.row for p in places), default=-1) + 1)


# Ranked bars: each kind of bar differs by colour, by fill pattern and by the words beside it.
BAR_STYLE = {
    "This council": (PALETTE["council"], "", "◀ this council"),
    "Statistical neighbour": (PALETTE["neighbours"], "/", "neighbour"),
    "Same region": ("#56B4E9", ".", "same region"),
    "Other council": ("#BBBBBB", "", ""),
    "England": (PALETTE["england"], "", "England"),
    "Neighbour average": (PALETTE["neighbours"], "x", "neighbour average"),
    "Region average": ("#56B4E9", "x", "region average"),
}


def ranked_bar_chart(*, title: str, unit: str, decimals: int, bars: pd.DataFrame) -> go.Figure:
    """Every council's value, best at the top, from `analysis.benchmarking.bar_rows`.

    One trace per kind of bar gives a legend; the highlighted bars also carry their
    kind in words, so the chart reads without colour and in greyscale print.
    """
    fig = go.Figure()
    bars = bars.assign(label=bars["label"].map(plain))  # council names, some from uploaded files
    order = bars["label"].tolist()
    for kind, (colour, pattern, tag) in BAR_STYLE.items():
        rows = bars[bars["kind"] == kind]
        if rows.empty:
            continue
        text = [format_value(v, unit, decimals) + (f"  {tag}" if tag else "") for v in rows["value"]]
        fig.add_trace(
            go.Bar(
                x=rows["value"], y=rows["label"], orientation="h", name=kind, text=text, textposition="outside",
                cliponaxis=False, textfont=dict(size=13, color=TEXT),
                marker=dict(color=colour, line=dict(color="#333333", width=1),
                            pattern=dict(shape=pattern, fgcolor="#ffffff" if kind != "Other council" else "#333333")),
                hovertemplate="%{y}: %{x}<extra>" + kind + "</extra>",
            )
        )
    base_layout(fig, title, unit)
    # The legend may stack one kind per line, so its place is worked out in pixels: the title on top, the legend
    # under it, the bars under both, whatever the chart's height (it grows with the number of councils).
    _, title_height = _title(title, WIDTH, HEIGHT)
    legend_top, line = 12 + title_height + 10, 24
    top = legend_top + line * len(fig.data) + 16
    height = max(460, top + 40 + 30 * len(order))
    fig.update_layout(height=height, hovermode="closest", bargap=0.25,
                      margin=dict(l=20, r=170, t=top, b=60), title=_title(title, WIDTH, height)[0],
                      legend=dict(orientation="v", yanchor="top", yref="container", y=1 - legend_top / height,
                                  xref="container", x=0.01, xanchor="left"))
    fig.update_yaxes(title_text=None, categoryorder="array", categoryarray=order, autorange="reversed",
                     ticksuffix=None, tickfont=dict(size=14))
    fig.update_xaxes(title_text=axis_title(unit), ticksuffix="%" if unit == "%" else None, rangemode="tozero")
    return fig


def benchmark_trend_chart(*, title: str, unit: str, council_name: str, trend: pd.DataFrame,
                          neighbour_label: str) -> go.Figure:
    """Annual values (one marker per year-end, joined) of the council, its neighbour average and England.

    `trend` comes from `analysis.benchmarking.trend` with a `label` column naming each year's date; the dates
    are ticked horizontally, as many as fit, counted back from the latest so that it is always named.
    """
    fig = go.Figure()
    lines = [
        ("council", plain(council_name), PALETTE["council"], "solid", "circle"),
        ("neighbour_average", plain(neighbour_label), PALETTE["neighbours"], "dash", "square"),
        ("england", "England", PALETTE["england"], "dot", "diamond"),
    ]
    for column, name, colour, dash, symbol in lines:
        if trend[column].isna().all():
            continue
        fig.add_trace(
            go.Scatter(
                x=trend["label"], y=trend[column], name=name, mode="lines+markers", connectgaps=False,
                line=dict(color=colour, width=3, dash=dash), marker=dict(size=11, symbol=symbol, color=colour),
                hovertemplate="%{y}<extra>" + name + "</extra>",
            )
        )
    base_layout(fig, title, unit, under_axis=TICK_ROOM + 26)
    labels = trend["label"].tolist()
    fits = max(1, int(TICK_WIDTH // (11 * FONT["size"] * CHAR_WIDTH + TICK_GAP)))
    every = -(-len(labels) // fits)
    fig.update_xaxes(title_text="Year ending", type="category", tickmode="array", tickvals=labels[::-every][::-1])
    return fig


PLAN_WIDTH, PLAN_HEIGHT = 440, 380
"""A plan chart's size: one of two columns on a 1366-pixel screen."""


def plan_kpi_chart(*, title: str, unit: str, decimals: int, council_name: str, series: pd.DataFrame,
                   targets: list[float | None], marks: pd.DataFrame) -> go.Figure:
    """A small trend chart for a recommendation's linked KPI, with its inspection and due date marked.

    The chart starts a year before the first mark (the inspection), so before and
    after read side by side, and reaches a due date later than the last month, so a
    deadline still to come is visible; `marks` comes from `analysis.plan_status.chart_marks`.
    """
    if len(marks):
        keep = (pd.to_datetime(series["period"]) >= pd.to_datetime(marks["period"]).min() - pd.DateOffset(years=1))
        series, targets = series[keep.to_numpy()], [t for t, k in zip(targets, keep) if k]
    due = pd.to_datetime(marks["period"]).max() if len(marks) else None
    fig = trend_chart(title=title, unit=unit, decimals=decimals, council_name=council_name, series=series,
                      targets=targets, annotations=marks, until=due, width=PLAN_WIDTH, height=PLAN_HEIGHT)
    return fig.update_layout(title=_title(title, PLAN_WIDTH, PLAN_HEIGHT, 17)[0])


GRADE_STYLE = {
    "outstanding": ("Outstanding", "#009E73", "star"),
    "good": ("Good", "#0072B2", "circle"),
    "requires_improvement": ("Requires improvement to be good", "#E69F00", "triangle-down"),
    "inadequate": ("Inadequate", "#D55E00", "x"),
}
GRADE_SHORT = {"requires_improvement": "Requires improvement"}
VISIT_SYMBOLS = {"ilacs_standard": "diamond", "ilacs_short": "diamond-open", "focused_visit": "square",
                 "monitoring_visit": "square-open", "jtai": "hexagon"}


def inspection_timeline(*, title: str, inspections: pd.DataFrame, kinds: dict[str, str],
                        areas: dict[str, str]) -> go.Figure:
    """Every inspection and visit on a time line, with the grade of each judgement area beside it.

    One row per judgement area (`areas`: column to label) under a row of the inspections themselves. A grade
    differs by colour, by marker shape and by its name written beside the marker, so the chart reads in
    greyscale too; visits without grades appear on the first row only.
    """
    fig = go.Figure()
    visit_row = "Inspection or visit"
    rows = [visit_row] + list(areas.values())
    when = pd.to_datetime(inspections["inspected_on"])
    published = [month_label(p) if not pd.isna(p) else "not yet" for p in inspections["published_on"]]
    for kind, label in kinds.items():
        chosen = inspections["kind"] == kind
        if not chosen.any():
            continue
        fig.add_trace(go.Scatter(
            x=when[chosen], y=[visit_row] * int(chosen.sum()), name=label, mode="markers+text",
            marker=dict(symbol=VISIT_SYMBOLS.get(kind, "diamond"), size=16, color="#000000",
                        line=dict(color="#000000", width=2)),
            text=[f"{label}, {d.day} {d:%b %Y}" for d in when[chosen]], textposition="middle right",
            textfont=dict(size=13, color="#1a1a1a"),
            customdata=[p for p, c in zip(published, chosen) if c],
            hovertemplate="%{text}<br>Report published %{customdata}<extra></extra>",
        ))
    for grade, (label, colour, symbol) in GRADE_STYLE.items():
        xs, ys = [], []
        for column, area in areas.items():
            graded = inspections[column] == grade
            xs += list(when[graded])
            ys += [area] * int(graded.sum())
        if not xs:
            continue
        fig.add_trace(go.Scatter(
            x=xs, y=ys, name=label, mode="markers+text",
            marker=dict(symbol=symbol, size=17, color=colour, line=dict(color="#1a1a1a", width=1)),
            text=[GRADE_SHORT.get(grade, label)] * len(xs), textposition="middle right",
            textfont=dict(size=13, color="#1a1a1a"), hovertemplate="%{y}: " + label + "<extra></extra>",
        ))
    fig.update_layout(
        title=dict(text=plain(title), x=0, xanchor="left", font=dict(size=20)), font=FONT, template="plotly_white",
        hovermode="closest", height=120 + 62 * len(rows), margin=dict(l=20, r=30, t=70, b=90),
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0, font=dict(size=14, color=TEXT)),
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows)), automargin=True,
                     tickfont=dict(size=14, color="#1a1a1a"), gridcolor="#eeeeee")
    if len(when):
        # Room on the right for the words written beside the last markers.
        fig.update_xaxes(range=[when.min() - pd.Timedelta(days=120), when.max() + pd.Timedelta(days=420)])
    fig.update_xaxes(title_text="Date of inspection or visit", tickformat="%b %Y", gridcolor="#eeeeee",
                     tickfont=dict(color="#1a1a1a"))
    return fig
