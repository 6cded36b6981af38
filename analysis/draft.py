"""Drafted commentary: a KPI's month in a paragraph, from its numbers alone, for an analyst to accept or edit.

An assistant director writes a paragraph per red KPI every month by hand. The draft says what the scorecard
row says, in sentences a councillor reads without a glossary: the figure and its change on the month before,
the judgement against the target with the gap, the comparison with a year earlier, what SPC says, England and
the statistical neighbours, the forecast, and the linked recommendation. Every clause is built from the row's own
words (`analysis.kpi`, `analysis.travel`, `analysis.variation`), so no sentence can say what the figures beside
it do not; there is no language model. A draft is marked as a draft wherever it appears until someone accepts it,
and accepted it is marked as drafted from the data, never as a person's words.
"""
from __future__ import annotations

import pandas as pd

from analysis import kpi

DRAFT_LABEL = "Draft from the data, not yet reviewed"
VARIATION_SENTENCES = {
    "common_cause": "Month to month it is moving within its usual range (SPC: no significant change).",
    "special_cause_improvement": "SPC shows a significant change for the better, beyond its usual month-to-month "
                                 "variation.",
    "special_cause_concern": "SPC shows a significant change for the worse, beyond its usual month-to-month "
                             "variation, which needs attention.",
    "special_cause_neutral_high": "SPC shows it unusually high, beyond its usual month-to-month variation.",
    "special_cause_neutral_low": "SPC shows it unusually low, beyond its usual month-to-month variation.",
}
ASSURANCE_SENTENCES = {
    "consistent_pass": "On its recent pattern it will consistently meet the target.",
    "consistent_fail": "On its recent pattern it will consistently miss the target unless something changes.",
    "inconsistent": "On its recent pattern it will sometimes meet the target and sometimes miss it.",
}


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _judgement(row: pd.Series) -> str:
    rag, gap, target = row["rag"], _text(row.get("gap_text")), _text(row.get("target_text"))
    if rag == kpi.RAG_CONTEXT.code:
        return "It is a context measure: it has no target and is not rated."
    if rag == kpi.RAG_NO_TARGET.code:
        return "No target is set for it."
    if rag == kpi.RAG_NO_DATA.code:
        return ""
    label = _text(row.get("rag_text")).lstrip("●▲■○– ").strip()
    gap_words = f", {gap} the target of {target}" if gap and gap not in ("–", "at target") else \
        f", at the target of {target}" if gap == "at target" else f" (target {target})"
    return f"That is {label[:1].lower()}{label[1:]}{gap_words}."


def _year(row: pd.Series) -> str:
    text = _text(row.get("direction_text"))
    if not text or row.get("direction") in (None, "unknown") or text.startswith("–"):
        return ""
    words = text.split(" ", 1)[1] if " " in text else text  # without the arrow, which a sentence cannot read
    return f"It is {words[:1].lower()}{words[1:]}." if words else ""


def _spc(row: pd.Series) -> str:
    parts = []
    variation = row.get("variation")
    if isinstance(variation, str) and variation in VARIATION_SENTENCES:
        parts.append(VARIATION_SENTENCES[variation])
    assurance = row.get("assurance")
    if isinstance(assurance, str) and assurance in ASSURANCE_SENTENCES:
        parts.append(ASSURANCE_SENTENCES[assurance])
    return " ".join(parts)


def _comparators(row: pd.Series) -> str:
    england, neighbours = _text(row.get("england_text")), _text(row.get("neighbour_text"))
    shown = [f"England {england}" if england and england != "–" else "",
             f"the statistical-neighbour average {neighbours}" if neighbours and neighbours != "–" else ""]
    shown = [s for s in shown if s]
    return f"For comparison: {' and '.join(shown)}." if shown else ""


def paragraph(row: pd.Series, *, outlook: str = "", recommendation: str = "") -> str:
    """A draft for one KPI's month from its scorecard row (`analysis.kpi_view.read_scorecard`): value and change,
    judgement with the gap, a year on year, SPC, England and neighbours, then the forecast's outlook sentence and
    the linked recommendation when given."""
    if row.get("latest") is None or pd.isna(row.get("latest")):
        return f"There is no figure for {row['name']} for {row['latest_when']}."
    change = _text(row.get("month_change_text"))
    at = "at" if row.get("latest_kind") == kpi.PUBLISHED else "in"  # a published figure describes a day
    opening = f"{row['name']} was {row['latest_text']} {at} {row['latest_when']}" + (f" ({change})." if change else ".")
    parts = [opening, _judgement(row), _year(row), _spc(row), _comparators(row), outlook.strip(),
             recommendation.strip()]
    return " ".join(part for part in parts if part)


def recommendation_words(due: pd.DataFrame) -> str:
    """The open recommendations linked to the KPI (`store.queries.kpi_due_dates`), in a sentence."""
    open_ones = due[~due["status"].isin(["completed", "evidenced"])] if not due.empty else due
    if open_ones.empty:
        return ""
    named = [f"{row.ref} (due {pd.Timestamp(row.due_on):%b %Y})" if pd.notna(row.due_on) else str(row.ref)
             for row in open_ones.itertuples(index=False)]
    return f"It is linked to the improvement plan's {', '.join(named)}."


def byline(created_by: str, created_at, drafted: bool, time_format: str = "%d %b %Y") -> str:
    """Who stands behind the words: a person's, or the dashboard's draft that a person accepted unchanged."""
    when = f"{pd.Timestamp(created_at):{time_format}}"
    if drafted:
        return f"Drafted from the data; accepted unchanged by {created_by}, {when}"
    return f"{created_by}, {when}"
