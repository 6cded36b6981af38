"""A KPI by team, locality or service: the month's table and the small-multiple chart.

The assistant director's next question after "assessments within 45 days fell"
is "in which team?". Each team is judged against its own target where it has one,
else the council's, by the council's rule, worded as the Overview words the council, and drawn in its own panel beside the council's line so a reader
compares shapes without matching colours to a legend.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import kpi
from analysis.charts import FONT, PALETTE, TEXT, axis_title, plain
from store.dates import month_label

RAG_ORDER = {kpi.RAG_RED.code: 0, kpi.RAG_AMBER.code: 1, kpi.RAG_GREEN.code: 2}
COLUMNS_OF_PANELS = 3
PANEL_HEIGHT = 230


def _judgement(value: float | None, unit: str, decimals: int, polarity: str, target: float | None,
               floor: float | None, target_kind: str | None, rule: kpi.RagRule | None) -> kpi.Judgement:
    """As the Overview judges the council: value, target and floor rounded as printed, so the word agrees with
    the figures beside it."""
    def shown(number: float | None) -> float | None:
        return None if number is None or pd.isna(number) else round(float(number), decimals)

    return kpi.rag(shown(value), shown(target), polarity, rule, floor=shown(floor), target_kind=target_kind)


def month_table(values: pd.DataFrame, council: pd.DataFrame, month: date, *, unit: str, decimals: int,
                polarity: str, target: float | None, floor: float | None, target_kind: str | None,
                rule: kpi.RagRule | None, team_targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each team's figure for the month beside the whole council's: the change on the team's previous month, the
    target (the team's own where `team_targets` has one in force, else the council's) and the judgement against it
    with the gap, worst first. `values` comes from `store.queries.team_values`, `council` is the KPI view's series,
    `team_targets` from `store.queries.team_targets`."""
    month = pd.Timestamp(month)
    periods = pd.to_datetime(values["period"])
    rows = []
    for team, figures in values.assign(period=periods).groupby("team", sort=True):
        now = figures[figures["period"] == month]
        if now.empty:
            continue
        before = figures[figures["period"] < month].tail(1)
        value = now["value"].iloc[0]
        own = None if team_targets is None else team_targets[team_targets["team"] == team]
        own_target = None if own is None or own.empty else kpi.target_at(own, month.date())
        if own_target is not None:
            judged = (own_target, kpi.floor_at(own, month.date()), kpi.target_kind_at(own, month.date()), "Team's own")
        else:
            judged = (target, floor, target_kind, "Council's" if target is not None else "–")
        rows.append(_row(team, value, before, unit, decimals, polarity, *judged, rule,
                         now["status_code"].iloc[0], now["upload_id"].iloc[0]))
    council_now = council[pd.to_datetime(council["period"]) == month]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["_order", "Team"], kind="stable").drop(columns="_order")
    if not council_now.empty:
        before = council[pd.to_datetime(council["period"]) < month].tail(1)
        whole = _row("Whole council", council_now["value"].iloc[0], before, unit, decimals, polarity, target, floor,
                     target_kind, "Council's" if target is not None else "–", rule,
                     council_now["status_code"].iloc[0] if "status_code" in council_now else None,
                     council_now["upload_id"].iloc[0])
        table = pd.concat([pd.DataFrame([whole]).drop(columns="_order"), table], ignore_index=True)
    return table.reset_index(drop=True)


def _row(team: str, value: float | None, before: pd.DataFrame, unit: str, decimals: int, polarity: str,
         target: float | None, floor: float | None, target_kind: str | None, whose: str, rule: kpi.RagRule | None,
         status: str | None, upload_id: object) -> dict:
    judgement = _judgement(value, unit, decimals, polarity, target, floor, target_kind, rule)
    shown = kpi.format_value(value, unit, decimals) if not pd.isna(value) else (status or "–")
    if before.empty or pd.isna(value) or pd.isna(before["value"].iloc[0]):
        change = "–"
    else:
        previous = before["value"].iloc[0]
        moved = round(round(value, decimals) - round(previous, decimals), decimals)
        arrow = "▲" if moved > 0 else "▼" if moved < 0 else "▶"
        change = (f"{arrow} {kpi.change_text(moved, unit, decimals)} "
                  f"on {month_label(pd.Timestamp(before['period'].iloc[0]).date())}")
    return {
        "Team": team,
        "Value": shown,
        "Change": change,
        "Target": kpi.format_value(target, unit, decimals) if target is not None else "–",
        "Whose target": whose,
        "RAG": f"{judgement.symbol} {judgement.label}",
        "Gap to target": kpi.gap_text(value, target, unit, decimals) if target is not None else "–",
        "Upload": int(upload_id) if upload_id is not None and not pd.isna(upload_id) else None,
        "_order": RAG_ORDER.get(judgement.code, 3),
    }


def panel_title(values: pd.DataFrame, team: str) -> str:
    """A team's name, and for a merged team the team it joined and from when: its line stops there."""
    merged = values[(values["team"] == team) & values["merged_from"].notna()]
    if merged.empty:
        return team
    return f"{team} (merged into {merged['merged_into_name'].iloc[0]}, {month_label(merged['merged_from'].iloc[0])})"


def team_chart(*, title: str, unit: str, decimals: int, council_name: str, values: pd.DataFrame,
               council: pd.DataFrame, targets: list[float | None]) -> go.Figure:
    """One small panel per team (up to a row of three), each with the team's line, the whole council's line for
    comparison and the council's target, all on one scale so panels compare at a glance."""
    names = sorted(values["team"].unique())
    columns = min(COLUMNS_OF_PANELS, len(names))
    rows = math.ceil(len(names) / columns)
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[plain(panel_title(values, name)) for name in names],
                        vertical_spacing=0.12 / max(rows - 1, 1), horizontal_spacing=0.04)
    first = pd.to_datetime(values["period"]).min()
    shown = (pd.to_datetime(council["period"]) >= first).to_numpy()  # the council over the teams' months only
    council = council[shown]
    targets = [t for t, keep in zip(targets, shown) if keep]
    council_x = pd.to_datetime(council["period"])
    for i, name in enumerate(names):
        row, col = i // columns + 1, i % columns + 1
        figures = values[values["team"] == name]
        first_panel = i == 0
        fig.add_trace(go.Scatter(x=council_x, y=council["value"], name=plain(council_name) + ", whole council",
                                 mode="lines", line=dict(color="#888888", width=2), legendgroup="council",
                                 showlegend=first_panel, hovertemplate="Council %{y}<extra></extra>"), row=row, col=col)
        if any(t is not None for t in targets):
            fig.add_trace(go.Scatter(x=council_x, y=targets, name="Target (the council's)", mode="lines",
                                     line_shape="hv", line=dict(color=PALETTE["target"], width=2, dash="dash"),
                                     legendgroup="target", showlegend=first_panel,
                                     hovertemplate="Target %{y}<extra></extra>"), row=row, col=col)
        fig.add_trace(go.Scatter(x=pd.to_datetime(figures["period"]), y=figures["value"], name="Team",
                                 mode="lines+markers", line=dict(color=PALETTE["council"], width=3),
                                 marker=dict(size=6), legendgroup="team", showlegend=first_panel,
                                 hovertemplate=plain(name).replace("%", "&#37;") + " %{y}<extra></extra>"),
                      row=row, col=col)
    height = 120 + rows * PANEL_HEIGHT
    fig.update_layout(title=dict(text=plain(title), font=dict(size=20, color=TEXT), x=0, xanchor="left"),
                      font=FONT, template="plotly_white", height=height, hovermode="x unified",
                      margin=dict(l=70, r=20, t=90, b=60),
                      legend=dict(orientation="h", yanchor="top", y=-40 / height, x=0, font=dict(color=TEXT)))
    fig.update_annotations(font=dict(size=15, color=TEXT))
    fig.update_yaxes(ticksuffix="%" if unit == "%" else None, gridcolor="#dddddd", matches="y",
                     tickfont=dict(color=TEXT), title_font=dict(color=TEXT),
                     rangemode="tozero" if unit != "%" else "normal")
    fig.update_yaxes(title_text=axis_title(unit), col=1)
    fig.update_xaxes(tickfont=dict(color=TEXT), gridcolor="#eeeeee", tickformat="%b %y")
    return fig
