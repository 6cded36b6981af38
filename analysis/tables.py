"""Tables the pages show and export, built from query results without Streamlit."""
from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

import pandas as pd

from analysis import benchmarking, kpi, travel, variation
from store.words import plural

POLARITY_WORDS = {"high": "higher is better", "low": "lower is better", "none": "context measure, no good or bad direction",
                  "target": "closer to target is better"}
SCORECARD_VIEW = {
    "name": "KPI",
    "latest_text": "Latest",
    "latest_when": "As at",
    "target_text": "Target",
    "rag_text": "RAG",
    "gap_text": "Gap to target",
    "direction_text": "Direction",
    "england_text": "England",
    "neighbour_text": "Neighbours",
    "variation_text": "Variation (SPC)",
    "assurance_text": "Assurance (SPC)",
    "sentence": "Summary",
    "trend": "Last 12 values",
}
"""Every column of the Overview's table, named as the page names them: the compact columns below are built from
these, and a reader can open any of these from the table's column menu."""
LATEST_DATED = "Latest dated"
SPC_SHORT = "SPC"
KEEP_TOGETHER = "\u00a0"
"""A no-break space: a narrow cell wraps its words at ordinary spaces only, so '31 Mar 2025' or '~ Common cause'
joined by these is never split across two lines."""
SPC_SHORT_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Improvement",
    "special_cause_concern": "Concern",
    "special_cause_neutral_high": "Unusually high",
    "special_cause_neutral_low": "Unusually low",
    "consistent_pass": "Hits target",
    "consistent_fail": "Misses target",
    "inconsistent": "Hit and miss",
}
"""SPC's icons in a word or two, for the table at laptop width; the full words are in the Variation and Assurance
columns, on the trend page and in the list view."""
_DATES = re.compile(r"\b(\d{1,2} )?([A-Z][a-z]{2}) (\d{4})\b")


def full_scorecard(catalogue: pd.DataFrame, recent: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
                   england: pd.DataFrame, rules: pd.DataFrame, rebases: pd.DataFrame, commentary: pd.DataFrame,
                   until, peers: benchmarking.Peers, home: str, codes: Collection[str] | None = None) -> pd.DataFrame:
    """The overview's scorecard: the judgements (`judged`), England, region and neighbour comparators at one dated
    reference point, and the month's commentary; from the query results, so the pages and the board pack show the
    same rows. With `codes`, the rows of those KPIs only (a pack of 20 need not judge all 34)."""
    shown = catalogue if codes is None else catalogue[catalogue["code"].isin(codes)]
    card = judged(shown, recent, history, targets, rules, rebases, until)
    card = card.merge(comparator_columns(catalogue, england, peers, home, until, codes), on="kpi_code", how="left")
    drafted = commentary["drafted"] if "drafted" in commentary else pd.Series(False, index=commentary.index)
    notes = pd.DataFrame({"kpi_code": commentary["kpi_code"], "commentary": commentary["text"],
                          "commentary_drafted": drafted.fillna(False).astype(bool)})
    card = card.merge(notes, on="kpi_code", how="left")
    card["commentary_drafted"] = card["commentary_drafted"].fillna(False).astype(bool)
    return card


def judged(catalogue: pd.DataFrame, recent: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
           rules: pd.DataFrame, rebases: pd.DataFrame, until) -> pd.DataFrame:
    """Per KPI what is said of it: RAG from the recent months, direction over a year, SPC icons from its current
    limits, and the sentence that reconciles the three, made from the same row so that it cannot disagree with it."""
    card = kpi.scorecard(catalogue, recent, targets, until, kpi.rules_from(rules))
    card = card.merge(travel.columns(catalogue, _travel_values(recent, history), until), on="kpi_code", how="left")
    card = card.merge(variation.icons(catalogue, history, targets, rebases), on="kpi_code", how="left")
    return card.assign(sentence=[travel.sentence(row) for row in card.to_dict("records")])


def _travel_values(recent: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The recent months with, for a KPI that has a figure among them, its whole monthly history instead: a run of
    moves can be longer than the recent months. A KPI with no recent figure keeps none, as its RAG says."""
    known = recent.loc[recent["value"].notna(), "kpi_code"]
    monthly = history[history["kpi_code"].isin(known)].assign(kind="monthly")
    return pd.concat([recent[~recent["kpi_code"].isin(monthly["kpi_code"])], monthly], ignore_index=True)


def spc_period_line(card: pd.DataFrame) -> str:
    """Which months the SPC icons' limits come from, counted per start ('limits from Nov 2021 for 24 KPIs'), so a
    reader knows the period the variation and assurance words judge; each row's summary names its own."""
    starts = card.loc[card["spc_status"] == variation.JUDGED, "spc_since"].value_counts(sort=False)
    too_few = int((card["spc_status"] == variation.TOO_FEW_SINCE_REBASE).sum())
    parts = [f"{since} for {plural(count, 'KPI')}" for since, count in starts.items()]
    if too_few:
        parts.append(f"not judged for {plural(too_few, 'KPI')} with fewer than {variation.MIN_POINTS_TO_JUDGE} "
                     "months since the recalculation")
    if not parts:
        return "No KPI has enough months for SPC limits yet."
    return ("SPC variation and assurance are judged on each KPI's limits since its latest recalculation, or since "
            f"its first month: {'; '.join(parts)}.")


def _dated(found: benchmarking.Dated, unit: str, decimals: int) -> str:
    return "–" if found.value is None else f"{kpi.format_value(found.value, unit, decimals)} ({found.as_at_text})"


def _per_10000(found: benchmarking.Dated, decimals: int) -> str:
    return "–" if found.value is None else f"{found.value:,.{decimals}f} per 10,000 ({found.as_at_text})"


def comparator_columns(catalogue: pd.DataFrame, england: pd.DataFrame, peers: benchmarking.Peers, home: str,
                       until, codes: Collection[str] | None = None) -> pd.DataFrame:
    """Per KPI (of `codes`, or all): England, region and neighbour average, each with the date it describes, and
    the council's rank. The whole catalogue is given, as a count is compared by the rate KPI made from it."""
    rows = []
    metas = {meta.code: meta for meta in catalogue.itertuples(index=False)}
    rate_of = {meta.numerator_kpi: meta.code for meta in metas.values()
               if meta.unit == "rate" and isinstance(meta.numerator_kpi, str) and meta.numerator_kpi}

    def found_for(meta):
        month = benchmarking.period_end_month(meta.code, meta.kpi_group, england)
        return benchmarking.comparators(meta.code, meta.unit, meta.polarity, month, home, until, peers, england)

    for meta in metas.values():
        if codes is not None and meta.code not in codes:
            continue
        found = found_for(meta)
        unit, decimals = meta.unit, int(meta.decimals)
        england_text, neighbour_text = _dated(found.england, unit, decimals), _dated(found.neighbours, unit, decimals)
        if meta.code in rate_of:
            # A count is not compared with England's total; its rate per 10,000 children is, and is named so.
            rate = metas[rate_of[meta.code]]
            by_rate = found_for(rate)
            england_text = _per_10000(by_rate.england, int(rate.decimals))
            neighbour_text = _per_10000(by_rate.neighbours, int(rate.decimals))
        rows.append({
            "kpi_code": meta.code,
            "england": found.england.value,
            "england_as_at": found.england.as_at_text,
            "england_period_end": found.england.as_at,
            "england_text": england_text,
            "region": found.region.value,
            "region_text": _dated(found.region, unit, decimals),
            "neighbour": found.neighbours.value,
            "neighbour_as_at": found.neighbours.as_at_text,
            "neighbour_period_end": found.neighbours.as_at,
            "neighbours_with_value": found.neighbours_with_value,
            "neighbour_text": neighbour_text,
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
        if getattr(row, "commentary_drafted", False) and isinstance(row.commentary, str):
            note = f"{note} (drafted from the data, accepted unchanged)"
        lines.append(f"■ **{row.name}** ({row.latest_text} against {row.target_text}): {note}")
    return lines


def scorecard_view(rows: pd.DataFrame, until: date) -> pd.DataFrame:
    """The Overview's table for the month `until`: the columns of `SCORECARD_VIEW`, and two compact ones that let it
    fit a laptop without scrolling sideways. `LATEST_DATED` is the latest figure with its date only when that is not
    `until` (a published figure, or a month whose return has not come), so the dates that stand out are the ones to
    notice; `SPC_SHORT` is the variation and assurance icons in a word or two each, one above the other. Dates are
    kept whole on a line, and the last 12 values leave out a suppressed figure, which the line joins across (a
    gap stops the table drawing the line at all)."""
    view = rows[list(SCORECARD_VIEW)].rename(columns=SCORECARD_VIEW)
    for column in ("Direction", "England", "Neighbours"):
        view[column] = view[column].map(_dates_whole)
    view["Last 12 values"] = [[value for value in values if pd.notna(value)] for values in view["Last 12 values"]]
    undated = ((pd.to_datetime(rows["latest_period"]) == pd.Timestamp(until)) & (rows["latest_kind"] != kpi.PUBLISHED)
               | rows["latest"].isna())
    view.insert(2, LATEST_DATED, [text if plain else _dated_figure(text, period, kind)
                                  for text, period, kind, plain in
                                  zip(rows["latest_text"], rows["latest_period"], rows["latest_kind"], undated)])
    view.insert(len(view.columns) - 2, SPC_SHORT, [
        _spc_short(*icons) for icons in zip(rows["variation"], rows["assurance"], rows["spc_status"], rows["target"])])
    return view


def _dated_figure(text: str, period: date, kind: str) -> str:
    """'2,740 (Sep 2026)' or '101.0 (31 Mar 2025, published)'."""
    when = _dates_whole(kpi.date_text(period, kind))
    return f"{text} ({when}, published)" if kind == kpi.PUBLISHED else f"{text} ({when})"


def _dates_whole(text: str) -> str:
    return _DATES.sub(lambda m: KEEP_TOGETHER.join(part.strip() for part in m.groups() if part), text)


def _spc_short(point_type: str | None, assurance: str | None, status: str, target: float | None) -> str:
    """'~ Common cause ✓ Hits target': each icon's words kept together, so the cell wraps between the two."""
    if status != variation.JUDGED or not isinstance(point_type, str):
        words = ["– Too few months"]
    elif isinstance(assurance, str):
        words = [f"{variation.VARIATION_SYMBOLS[point_type]} {SPC_SHORT_WORDS[point_type]}",
                 f"{variation.ASSURANCE_SYMBOLS[assurance]} {SPC_SHORT_WORDS[assurance]}"]
    else:  # as the full words say: no target, or one with no better side, which SPC cannot assure
        words = [f"{variation.VARIATION_SYMBOLS[point_type]} {SPC_SHORT_WORDS[point_type]}",
                 "– No target" if pd.isna(target) else "– Not assured"]
    return " ".join(word.replace(" ", KEEP_TOGETHER) for word in words)


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
    whose = targets["team"].fillna("") if "team" in targets else pd.Series("", index=targets.index)
    for _, rows in targets.groupby([targets["kpi_code"], whose]):  # a team's own target outranks no council one
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
        **({"For": targets["team"].fillna("Whole council")} if "team" in targets and targets["team"].notna().any()
           else {}),
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


SCORECARD_EXPORT = ["la_code", "kpi_code", "period", "value", "target", "target_kind", "rag", "rag_label", "gap",
                    "direction", "direction_basis", "england", "england_period_end", "sn_average", "sn_period_end",
                    "spc_variation", "spc_assurance", "sentence"]


def _period(period, kind: str) -> str:
    """A monthly value's month as YYYY-MM; a published figure's reference date as YYYY-MM-DD."""
    if period is None or pd.isna(period):
        return ""
    if kind == kpi.PUBLISHED:
        return (pd.Timestamp(period) + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    return pd.Timestamp(period).strftime("%Y-%m")


def scorecard_export(card: pd.DataFrame, catalogue: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """The Overview as data, one row per KPI, for `python -m ingest scorecard`: the same numbers (to the KPI's
    decimals, as the page shows them) and words as the page, with codes a spreadsheet can filter on (`rag` is
    green, amber, red or none)."""
    decimals = card["kpi_code"].map(dict(zip(catalogue["code"], catalogue["decimals"].astype(int))))

    def shown(column: str) -> list[float | None]:
        return [None if pd.isna(v) else round(float(v), int(d)) for v, d in zip(card[column], decimals)]

    def day(value) -> str:
        return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")

    return pd.DataFrame({
        "la_code": la_code,
        "kpi_code": card["kpi_code"],
        "period": [_period(p, k) for p, k in zip(card["latest_period"], card["latest_kind"])],
        "value": shown("latest"),
        "target": shown("target"),
        "target_kind": card["target_kind"].fillna(""),
        "rag": card["rag"].where(card["rag"].isin(RAG_ORDER), "none"),
        "rag_label": card["rag_text"].str.split(" ", n=1).str[-1],
        "gap": shown("gap"),
        "direction": card["direction"],
        "direction_basis": card["direction_basis"].fillna(""),
        "england": shown("england"),
        "england_period_end": card["england_period_end"].map(day),
        "sn_average": shown("neighbour"),
        "sn_period_end": card["neighbour_period_end"].map(day),
        "spc_variation": card["variation"].fillna(""),
        "spc_assurance": card["assurance"].fillna(""),
        "sentence": card["sentence"],
    }, columns=SCORECARD_EXPORT)
