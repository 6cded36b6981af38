"""Tables the pages show and export, built from query results without Streamlit."""
from __future__ import annotations

import pandas as pd

from analysis import benchmarking, kpi, variation

POLARITY_WORDS = {"high": "higher is better", "low": "lower is better", "none": "context measure, no good or bad direction",
                  "target": "closer to target is better"}
SCORECARD_VIEW = {
    "name": "KPI",
    "latest_text": "Latest",
    "latest_when": "As at",
    "previous_text": "Previous",
    "target_text": "Target",
    "rag_text": "RAG",
    "direction_text": "Direction",
    "england_text": "England",
    "neighbour_text": "Neighbours",
    "variation_text": "Variation (SPC)",
    "assurance_text": "Assurance (SPC)",
    "trend": "Last 12 values",
}


def full_scorecard(catalogue: pd.DataFrame, recent: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
                   england: pd.DataFrame, rules: pd.DataFrame, rebases: pd.DataFrame, commentary: pd.DataFrame,
                   until, peers: benchmarking.Peers, home: str) -> pd.DataFrame:
    """The overview's scorecard: RAG from the recent months, SPC icons from the whole history, England, region and
    neighbour comparators at one dated reference point, the month's commentary; from the query results, so the
    pages and the board pack show the same rows."""
    card = kpi.scorecard(catalogue, recent, targets, until, kpi.rules_from(rules))
    card = card.merge(comparator_columns(catalogue, england, peers, home, until), on="kpi_code", how="left")
    icons = variation.icons(catalogue, history, targets, rebases)
    notes = commentary[["kpi_code", "text"]].rename(columns={"text": "commentary"})
    return card.merge(icons, on="kpi_code", how="left").merge(notes, on="kpi_code", how="left")


def _dated(found: benchmarking.Dated, unit: str, decimals: int) -> str:
    return "–" if found.value is None else f"{kpi.format_value(found.value, unit, decimals)} ({found.as_at_text})"


def comparator_columns(catalogue: pd.DataFrame, england: pd.DataFrame, peers: benchmarking.Peers, home: str,
                       until) -> pd.DataFrame:
    """Per KPI: England, region and neighbour average, each with the date it describes, and the council's rank."""
    rows = []
    for meta in catalogue.itertuples(index=False):
        month = benchmarking.period_end_month(meta.code, meta.kpi_group, england)
        found = benchmarking.comparators(meta.code, meta.unit, meta.polarity, month, home, until, peers, england)
        unit, decimals = meta.unit, int(meta.decimals)
        rows.append({
            "kpi_code": meta.code,
            "england": found.england.value,
            "england_as_at": found.england.as_at_text,
            "england_text": _dated(found.england, unit, decimals),
            "region": found.region.value,
            "region_text": _dated(found.region, unit, decimals),
            "neighbour": found.neighbours.value,
            "neighbour_as_at": found.neighbours.as_at_text,
            "neighbours_with_value": found.neighbours_with_value,
            "neighbour_text": _dated(found.neighbours, unit, decimals),
            "rank_text": "–" if found.standing is None else
            f"{found.standing.text}, at {benchmarking.Dated(None, found.standing_as_at).as_at_text}",
        })
    return pd.DataFrame(rows)


def rag_summary(card: pd.DataFrame) -> str:
    """A line such as '22 KPIs with a target: 12 on target, 6 near, 4 off'."""
    rated = card[card["rag"].isin(["green", "amber", "red"])]
    counts = rated["rag"].value_counts()
    context = int((card["rag"] == "context").sum())
    no_target = int(card["rag"].isin(["none", "nodata"]).sum())
    return (
        f"**{len(rated)} KPIs with a target:** {counts.get('green', 0)} on target, "
        f"{counts.get('amber', 0)} near target, {counts.get('red', 0)} off target. "
        f"{context} context measures; {no_target} without a target or data."
    )


def off_target(card: pd.DataFrame) -> pd.DataFrame:
    """The red rows, which the assistant director must explain first."""
    return card[card["rag"] == "red"]


def red_commentary(card: pd.DataFrame) -> list[str]:
    """One line per red KPI: its commentary, or a prompt that it is still missing (boards expect one)."""
    lines = []
    for row in off_target(card).itertuples(index=False):
        note = row.commentary if isinstance(row.commentary, str) and row.commentary else \
            "no commentary yet for this month (add it on the KPI trend page)"
        lines.append(f"■ **{row.name}** ({row.latest_text} against {row.target_text}): {note}")
    return lines


def scorecard_view(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[list(SCORECARD_VIEW)].rename(columns=SCORECARD_VIEW)


def trend_table(series: pd.DataFrame, kpi_targets: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the trend chart, with each value's upload so it can be traced."""
    return pd.DataFrame(
        {
            "Month": [kpi.date_text(p, k) for p, k in zip(series["period"], series["kind"])]
            if "kind" in series else pd.to_datetime(series["period"]).dt.strftime("%Y-%m"),
            "Value": series["value"],
            "Target": kpi.target_series(kpi_targets, series["period"]),
            "Status": series["status_code"].fillna(""),
            "Upload": series["upload_id"],
            "Upload file": series["upload_file"],
        }
    )


KIND_WORDS = {"local": "Local target", "inspection": "Inspection action-plan target", "floor": "Floor"}


def _month_text(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%b %Y").fillna("")


def targets_view(targets: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Targets as a reader expects them: KPI names, kinds in words, months, and any trajectory spelt out."""
    names = dict(zip(catalogue["code"], catalogue["name"]))
    trajectory = [
        f"moves from {start:g} to the target by {until:%b %Y}" if pd.notna(start) and pd.notna(until) else ""
        for start, until in zip(targets["glide_from"], pd.to_datetime(targets["glide_until"]))
    ]
    view = pd.DataFrame({
        "Id": targets["target_id"],
        "KPI": targets["kpi_code"].map(names).fillna(targets["kpi_code"]),
        "Kind": targets["kind"].map(KIND_WORDS),
        "Value": targets["value"],
        "From": _month_text(targets["start_period"]),
        "Until": _month_text(targets["end_period"]),
        "Trajectory": trajectory,
        "Source": targets["source"],
    })
    for column in ("created_by", "created_at", "retired_by", "retired_at"):
        if column in targets:
            view[column.replace("_", " ").capitalize()] = targets[column]
    return view
