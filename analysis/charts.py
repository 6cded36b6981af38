"""Plotly figures with one shared style, readable by councillors at a glance.

Colours are the Okabe-Ito palette, which stays distinct for the common kinds of
colour blindness; every series also differs by line style or marker shape so
that colour is never the only way to tell them apart.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

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
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=15, color="#1a1a1a")


def axis_title(unit: str) -> str:
    return {"%": "Percentage (%)", "rate": "Rate per 10,000 children", "count": "Number",
            "FTE": "Full-time equivalent", "cases": "Cases per social worker"}.get(unit, unit)


def plain(text: object) -> str:
    """Text for a chart as words: plotly reads `<a href>`, `<b>` and the like in titles, names, labels and notes
    as markup (a live link), so people's words (council names, notes, reasons) go in with < > & as entities."""
    return html.escape(str(text), quote=False)


def base_layout(fig: go.Figure, title: str, unit: str) -> go.Figure:
    fig.update_layout(
        title=dict(text=plain(title), x=0, xanchor="left", font=dict(size=20)),
        font=FONT,
        template="plotly_white",
        hovermode="x unified",
        margin=dict(l=70, r=30, t=90, b=60),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=14)),
        height=480,
    )
    fig.update_yaxes(title_text=axis_title(unit), gridcolor="#dddddd", zeroline=False,
                     ticksuffix="%" if unit == "%" else None)
    fig.update_xaxes(title_text="Month", gridcolor="#eeeeee", dtick="M6", tickformat="%b %Y")
    return fig


def _fit_months(fig: go.Figure, periods: pd.Series, until: pd.Timestamp | None = None) -> None:
    """Pin the x-axis to the months shown (or on to `until`, a deadline still to come); otherwise marker
    labels and notes stretch it into empty years."""
    if len(periods):
        start, end = pd.Timestamp(periods.min()), max(pd.Timestamp(periods.max()), until or pd.Timestamp.min)
        fig.update_xaxes(range=[start - pd.Timedelta(days=20), end + pd.Timedelta(days=45)])


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
) -> go.Figure:
    """Monthly line against its target (a step line), England and the statistical-neighbour average as
    annual markers at their year end (never drawn as if monthly), and dated notes. A series of published annual
    figures (`kind` 'published') is drawn at its reference dates and named so; `published` holds the council's
    own published figures to mark beside a monthly line."""
    fig = go.Figure()
    annual = "kind" in series and (series["kind"] == "published").any()
    periods = pd.to_datetime(series["period_end"] if annual else series["period"])
    fig.add_trace(
        go.Scatter(
            x=periods, y=series["value"],
            name=plain(council_name) + (" (published, annual)" if annual else ""), mode="lines+markers",
            line=dict(color=PALETTE["council"], width=3), marker=dict(size=6, symbol="circle"),
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
    if england is not None and not england.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(england["period_end"]), y=england["value"], name="England (annual)",
                mode="markers+text", marker=dict(symbol="diamond", size=13, color=PALETTE["england"]),
                text=[f"England {format_value(v, unit, decimals)}" for v in england["value"]],
                textposition="top center", textfont=dict(size=13),
                hovertemplate="England %{y} (%{x|%b %Y})<extra></extra>",
            )
        )
    if neighbours is not None and not neighbours.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(neighbours["period_end"]), y=neighbours["value"],
                name="Statistical-neighbour average (annual)", mode="markers+text",
                marker=dict(symbol="square", size=12, color=PALETTE["neighbours"]),
                text=[f"Neighbours {format_value(v, unit, decimals)}" for v in neighbours["value"]],
                textposition="bottom center", textfont=dict(size=13, color="#00563f"),
                hovertemplate="Neighbour average %{text}<extra></extra>",
            )
        )
    if published is not None and not published.empty:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(published["period_end"]), y=published["value"],
                name=plain(council_name) + " published (annual)", mode="markers",
                marker=dict(symbol="circle-open", size=14, line=dict(width=3), color=PALETTE["council"]),
                hovertemplate="Published %{y} (%{x|%d %b %Y})<extra></extra>",
            )
        )
    if annotations is not None:
        add_annotations(fig, annotations, periods.min() if len(periods) else None,
                        periods.max() if len(periods) else None)
    base_layout(fig, title, unit)
    _fit_months(fig, periods)
    if annual and len(periods):
        # One tick per published figure's date, not Plotly's half-yearly ticks that fall between them, and room
        # either side for the first and last labels.
        fig.update_xaxes(tick0=periods.min(), dtick="M12", tickformat="%d %b %Y", tickangle=0,
                         title_text="Published figure at", range=[periods.min() - pd.Timedelta(days=240),
                                                                  periods.max() + pd.Timedelta(days=240)])
    return fig


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
    if rebases is not None:
        for rebase in rebases.itertuples(index=False):
            when = pd.Timestamp(rebase.period)
            fig.add_shape(type="line", x0=when, x1=when, y0=0, y1=1, yref="paper",
                          line=dict(color="#000000", width=2))
            fig.add_annotation(x=when, y=0.02, yref="paper", text=f"Limits recalculated: {plain(rebase.reason)}",
                               showarrow=False, xanchor="left", yanchor="bottom", font=dict(size=12),
                               bgcolor="rgba(255,255,255,0.85)")
    if annotations is not None:
        add_annotations(fig, annotations, pd.Timestamp(x.min()) if len(x) else None,
                        pd.Timestamp(x.max()) if len(x) else None)
    base_layout(fig, title, unit)
    _fit_months(fig, x)
    return fig


MARK_STYLES = {
    "note": (PALETTE["annotation"], 1.5, "dot"),
    "inspection": (PALETTE["england"], 2, "solid"),
    "due": (PALETTE["target"], 2, "dash"),
}


def add_annotations(fig: go.Figure, notes: pd.DataFrame, start: pd.Timestamp | None,
                    end: pd.Timestamp | None = None) -> None:
    """Vertical lines with their text, staggered so neighbouring notes do not overlap.

    A note in the later half of the chart reads leftwards from its line, so its words stay inside the chart.
    An optional `kind` column styles the line: a chart note (dotted grey), an inspection (solid black) or a
    recommendation's due date (dashed vermillion); the words ("Ofsted ...", "Due: ...") say which, too.
    """
    shown = notes if start is None else notes[pd.to_datetime(notes["period"]) >= start]
    if end is not None:
        shown = shown[pd.to_datetime(shown["period"]) <= end + pd.Timedelta(days=45)]
    middle = start + (end - start) / 2 if start is not None and end is not None else None
    for i, note in enumerate(shown.itertuples(index=False)):
        x = pd.Timestamp(note.period)
        leftwards = middle is not None and x > middle
        colour, width, dash = MARK_STYLES.get(getattr(note, "kind", "note"), MARK_STYLES["note"])
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                      line=dict(color=colour, width=width, dash=dash))
        fig.add_annotation(x=x, y=1.0 - 0.07 * (i % 3), yref="paper", text=plain(note.text), showarrow=False,
                           xanchor="right" if leftwards else "left", yanchor="top",
                           align="right" if leftwards else "left", font=dict(size=12, color="#333333"),
                           bgcolor="rgba(255,255,255,0.85)")


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
                cliponaxis=False, textfont=dict(size=13, color="#1a1a1a"),
                marker=dict(color=colour, line=dict(color="#333333", width=1),
                            pattern=dict(shape=pattern, fgcolor="#ffffff" if kind != "Other council" else "#333333")),
                hovertemplate="%{y}: %{x}<extra>" + kind + "</extra>",
            )
        )
    base_layout(fig, title, unit)
    # The legend may stack one kind per line, so its place is worked out in pixels: the title on top, the legend
    # under it, the bars under both, whatever the chart's height (it grows with the number of councils).
    legend_top, line = 52, 24
    top = legend_top + line * len(fig.data) + 16
    height = max(460, top + 40 + 30 * len(order))
    fig.update_layout(height=height, hovermode="closest", bargap=0.25,
                      margin=dict(l=20, r=170, t=top, b=60),
                      title=dict(yref="container", y=1 - 34 / height, yanchor="bottom"),
                      legend=dict(orientation="v", yanchor="top", yref="container", y=1 - legend_top / height,
                                  xref="container", x=0.01, xanchor="left", font=dict(size=14)))
    fig.update_yaxes(title_text=None, categoryorder="array", categoryarray=order, autorange="reversed",
                     ticksuffix=None, automargin=True, tickfont=dict(size=14))
    fig.update_xaxes(title_text=axis_title(unit), dtick=None, tickformat=None,
                     ticksuffix="%" if unit == "%" else None, rangemode="tozero")
    return fig


def benchmark_trend_chart(*, title: str, unit: str, council_name: str, trend: pd.DataFrame,
                          neighbour_label: str) -> go.Figure:
    """Annual values (one marker per year-end, joined) of the council, its neighbour average and England.

    `trend` comes from `analysis.benchmarking.trend` with a `label` column naming each year's date.
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
    base_layout(fig, title, unit)
    fig.update_layout(legend=dict(y=-0.2), margin=dict(b=90))
    fig.update_xaxes(title_text="Year ending", dtick=None, tickformat=None, type="category")
    return fig


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
    fig = trend_chart(title=title, unit=unit, decimals=decimals, council_name=council_name, series=series,
                      targets=targets)
    periods = pd.to_datetime(series["period"])
    last_mark = pd.to_datetime(marks["period"]).max() if len(marks) else None
    start = periods.min() if len(periods) else None
    end = max(periods.max(), last_mark or periods.max()) if len(periods) else None
    add_annotations(fig, marks, start, end)
    fig.update_layout(height=380, title=dict(font=dict(size=17)), margin=dict(l=60, r=20, t=70, b=50),
                      legend=dict(y=-0.2, font=dict(size=13)))
    fig.update_xaxes(dtick="M12", tickformat="%b %Y")
    _fit_months(fig, periods, last_mark)
    return fig


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
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0, font=dict(size=14)),
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows)), automargin=True,
                     tickfont=dict(size=14, color="#1a1a1a"), gridcolor="#eeeeee")
    if len(when):
        # Room on the right for the words written beside the last markers.
        fig.update_xaxes(range=[when.min() - pd.Timedelta(days=120), when.max() + pd.Timedelta(days=420)])
    fig.update_xaxes(title_text="Date of inspection or visit", tickformat="%b %Y", gridcolor="#eeeeee",
                     tickfont=dict(color="#1a1a1a"))
    return fig
