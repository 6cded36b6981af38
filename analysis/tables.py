"""Tables the pages show and export, built from query results without Streamlit."""
from __future__ import annotations

from datetime import date

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
    "gap_text": "Gap to target",
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


RAG_ORDER = ("green", "amber", "red")


def rag_summary(card: pd.DataFrame) -> str:
    """A line such as '22 KPIs with a target: 12 on target, 6 within tolerance, 4 off target', counted by the words
    the table shows, so that a 'stay close' KPI is counted as what it is called."""
    rated = card[card["rag"].isin(RAG_ORDER)]
    words = rated.assign(order=rated["rag"].map(RAG_ORDER.index),
                         label=rated["rag_text"].str.split(" ", n=1).str[1].str.lower())
    counts = words.groupby(["order", "label"]).size()
    parts = [f"{count} {label}" for (_, label), count in counts.items()]
    context = int((card["rag"] == "context").sum())
    no_target = int(card["rag"].isin(["none", "nodata"]).sum())
    return (
        f"**{len(rated)} KPIs with a target:** {', '.join(parts) or 'none rated'}. "
        f"{context} context measures; {no_target} without a target or data."
    )


ALL_KPIS = "All KPIs"
OFF_TARGET = "Off target"
OFF_OR_WITHIN = "Off target or within tolerance"
FILTER_CODES = {OFF_TARGET: ("red",), OFF_OR_WITHIN: ("amber", "red")}
RAG_FILTERS = (ALL_KPIS, *FILTER_CODES)


def off_target(card: pd.DataFrame, shown: str = OFF_TARGET) -> pd.DataFrame:
    """The rows one of `RAG_FILTERS` keeps: the reds, which the assistant director must explain first, or the reds
    and the ambers, which are not on target either."""
    if shown == ALL_KPIS:
        return card
    return card[card["rag"].isin(FILTER_CODES[shown])]


def rule_legend(rows: pd.DataFrame) -> str:
    """The RAG rule in force for each rated KPI of a table, one line per rule with the KPIs it applies to, so that
    every judgement can be checked against its rule."""
    rated = rows[rows["rule_text"].fillna("") != ""]
    lines = [f"- {rule}, for {', '.join(group['name'])}" for rule, group in rated.groupby("rule_text", sort=False)]
    return "**RAG rules in force**\n\n" + "\n".join(lines) if lines else ""


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


def target_status(targets: pd.DataFrame, period: date) -> list[str]:
    """Per target row, what it is in a month: in force (the one the scorecard judges against, or the floor in use),
    expired, not started, or set aside for a target that outranks it."""
    month = pd.Timestamp(period)
    in_force = set()
    for _, rows in targets.groupby("kpi_code"):
        for floors in (False, True):
            row = kpi.row_in_force(rows, month, floors)
            if row is not None:
                in_force.add(row["target_id"])
    statuses = []
    for row in targets.itertuples(index=False):
        start, end = pd.Timestamp(row.start_period), pd.Timestamp(row.end_period)
        if row.target_id in in_force:
            statuses.append("In force")
        elif pd.notna(end) and end < month:
            statuses.append(f"Expired (ended {end:%b %Y})")
        elif start > month:
            statuses.append(f"Not started (starts {start:%b %Y})")
        else:
            statuses.append("Not used: another target for this KPI outranks it")
    return statuses


def targets_view(targets: pd.DataFrame, catalogue: pd.DataFrame, period: date | None = None) -> pd.DataFrame:
    """Targets as a reader expects them: KPI names, kinds in words, months, and any trajectory spelt out; with a
    `period`, each target's status in that month."""
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
    if period is not None:
        view.insert(2, "Status", target_status(targets, period))
    for column in ("created_by", "created_at", "retired_by", "retired_at"):
        if column in targets:
            view[column.replace("_", " ").capitalize()] = targets[column]
    return view
