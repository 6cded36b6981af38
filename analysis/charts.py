"""Plotly figures with one shared style, readable by councillors at a glance.

Colours are the Okabe-Ito palette, which stays distinct for the common kinds of
colour blindness; every series also differs by line style or marker shape so
that colour is never the only way to tell them apart.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

PALETTE = {
    "council": "#0072B2",
    "target": "#D55E00",
    "floor": "#CC79A7",
    "england": "#000000",
    "neighbours": "#009E73",
    "annotation": "#555555",
}
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=15, color="#1a1a1a")


def _axis_title(unit: str) -> str:
    return {"%": "Percentage (%)", "rate": "Rate per 10,000 children", "count": "Number",
            "FTE": "Full-time equivalent", "cases": "Cases per social worker"}.get(unit, unit)


def base_layout(fig: go.Figure, title: str, unit: str) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=20)),
        font=FONT,
        template="plotly_white",
        hovermode="x unified",
        margin=dict(l=70, r=30, t=90, b=60),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=14)),
        height=480,
    )
    fig.update_yaxes(title_text=_axis_title(unit), gridcolor="#dddddd", zeroline=False,
                     ticksuffix="%" if unit == "%" else None)
    fig.update_xaxes(title_text="Month", gridcolor="#eeeeee", dtick="M6", tickformat="%b %Y")
    return fig


def trend_chart(
    *,
    title: str,
    unit: str,
    council_name: str,
    series: pd.DataFrame,
    targets: list[float | None],
    floors: list[float | None] | None = None,
    england: pd.DataFrame | None = None,
    annotations: pd.DataFrame | None = None,
) -> go.Figure:
    """Monthly line against its target (a step line), England as annual markers and dated notes."""
    fig = go.Figure()
    periods = pd.to_datetime(series["period"])
    fig.add_trace(
        go.Scatter(
            x=periods, y=series["value"], name=council_name, mode="lines+markers",
            line=dict(color=PALETTE["council"], width=3), marker=dict(size=6, symbol="circle"),
            hovertemplate="%{y}<extra>" + council_name + "</extra>",
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
                text=[f"England {v:g}" for v in england["value"]], textposition="top center",
                textfont=dict(size=13), hovertemplate="England %{y} (%{x|%b %Y})<extra></extra>",
            )
        )
    if annotations is not None:
        add_annotations(fig, annotations, periods.min() if len(periods) else None)
    return base_layout(fig, title, unit)


def add_annotations(fig: go.Figure, notes: pd.DataFrame, start: pd.Timestamp | None) -> None:
    """Vertical dotted lines with their text, staggered so neighbouring notes do not overlap."""
    shown = notes if start is None else notes[pd.to_datetime(notes["period"]) >= start]
    for i, note in enumerate(shown.itertuples(index=False)):
        x = pd.Timestamp(note.period)
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                      line=dict(color=PALETTE["annotation"], width=1.5, dash="dot"))
        fig.add_annotation(x=x, y=1.0 - 0.07 * (i % 3), yref="paper", text=note.text, showarrow=False,
                           xanchor="left", yanchor="top", align="left", font=dict(size=12, color="#333333"),
                           bgcolor="rgba(255,255,255,0.85)")


def month_label(value: date | pd.Timestamp | None) -> str:
    return "–" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%b %Y")
