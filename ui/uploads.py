"""Upload and withdrawal for the pages: the store work in `ingest`, wrapped with progress, caching and wording.

The pages stay thin: everything they show about an upload (the error table, the
preview, the history list) is shaped here, so AppTest and the browser tests see
the same tables the analyst does.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st

from analysis import tables
from analysis.kpi import change_text, value_with_unit
from auth.roles import Actor
from ingest import upload
from ingest.issues import CELL_REF, Issue, file_order
from ingest.load import withdraw_upload
from ingest.template import template_bytes
from store.spreadsheets import csv_bytes, workbook_bytes
from ui import data
from ui.text import md

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_KEY = "upload_plan"
T = TypeVar("T")
MADE_KEY = "upload_made"
"""Where the tables and reports made from the checked file are kept, until another file is checked."""
ROUND_KEY = "upload_round"
SHORT_HASH = 12
# Up to this many problems show as a plain table whose long sentences wrap; more scroll in a grid.
WRAPPED_ISSUES = 50
# Warnings beyond this many (a history file replaces many months) fold into an expander.
WARNINGS_SHOWN = 5

# What the analyst reads first (where, which KPI and month, what, what was found, how to fix) comes first. The
# rule's code is for automation: it is the report's last column and never on screen.
ISSUE_COLUMNS = ["Sheet", "Cell", "KPI", "Month", "Problem", "Found", "How to fix", "Type", "File"]
REPORT_COLUMNS = ISSUE_COLUMNS + ["Code"]
ISSUE_COLUMN_CONFIG = {
    "Sheet": st.column_config.TextColumn("Sheet", width="small"),
    "Cell": st.column_config.TextColumn("Cell", width="small"),
    "KPI": st.column_config.TextColumn("KPI", width="medium"),
    "Month": st.column_config.TextColumn("Month", width="small"),
    "Problem": st.column_config.TextColumn("Problem", width="medium"),
    "Found": st.column_config.TextColumn("Found", width="small"),
    "How to fix": st.column_config.TextColumn("How to fix", width="large"),
    "Type": st.column_config.TextColumn("Type", width="small"),
    "File": st.column_config.TextColumn("File", width="small"),
}
PER_WARNING_TICKS = 10
"""Up to this many values to check get a tick each; more (a history with many surprises) get one tick for all."""

HISTORY_COLUMN_CONFIG = {
    "Values": st.column_config.NumberColumn("Values", format="localized"),
    "Warnings checked": st.column_config.NumberColumn(
        "Warnings checked", help="Plausibility warnings acknowledged when the file was loaded: ticked as checked on "
                                 "the Upload page, or printed by the command line, which loads past them"),
    "SHA-256": st.column_config.TextColumn("SHA-256", help="The start of the file's SHA-256 fingerprint"),
}


def uploader_key() -> str:
    """The file uploader's key; a successful load moves it on, which empties the uploader for the next file."""
    return f"upload_file_{st.session_state.get(ROUND_KEY, 0)}"


def check(file_name: str, content: bytes, home_la: str, user: str) -> upload.Plan:
    """Check a file once; reruns of the page (ticking a box, pressing Load) reuse the result.

    Only the latest plan is kept, because a regional history's plan holds hundreds
    of thousands of rows. The plan is keyed by the store's version too, so a load
    from the command line or another tab in the meantime makes the preview's diff
    and the duplicate check fresh rather than stale.
    """
    key = (hashlib.sha256(content).hexdigest(), home_la, data.version())
    kept = st.session_state.get(PLAN_KEY)
    if kept is not None and kept[0] == key:
        return kept[1]
    st.session_state.pop(PLAN_KEY, None)
    st.session_state.pop(MADE_KEY, None)
    size_mb = len(content) / 1_000_000
    bar = st.progress(0.0, text=f"Reading {md(file_name)} ({size_mb:.1f} MB)…")
    try:  # the store is open only while it is read, not while the file is, so a load elsewhere need not wait
        plan = upload.prepare_apart(data.store, file_name, content, home_la=home_la, user=user,
                                    progress=lambda fraction, text: bar.progress(fraction, text=text))
    finally:
        bar.empty()
    st.session_state[PLAN_KEY] = (key, plan)
    return plan


def load(plan: upload.Plan, actor: Actor, checked: bool = False) -> int:
    """Commit a checked plan (`checked`: the analyst ticked its plausibility warnings as checked), then forget it
    and empty the uploader so the page starts afresh."""
    with st.spinner(f"Loading {plan.row_count:,} values in one transaction…"):
        with data.store() as con:
            upload_id = upload.commit(con, plan, actor, checked=checked)
    data.refresh()
    st.session_state.pop(PLAN_KEY, None)
    st.session_state.pop(MADE_KEY, None)
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    return upload_id


def withdraw(upload_id: int, actor: Actor) -> int:
    with data.store() as con:
        affected = withdraw_upload(con, upload_id, actor)
    data.refresh()
    return affected


def issue_table(plan: upload.Plan) -> pd.DataFrame:
    """Every problem listed, one row each with its stable code last (the page leaves the code off): errors first,
    sheet by sheet, down the rows as in Excel; then the row counting the errors not listed (a file with more than
    `ingest.issues.ISSUE_LIMIT`); then the warnings."""
    in_file = file_order([] if plan.parsed is None else [s.sheet for s in plan.parsed.sheets])

    def order(issue: Issue) -> tuple:
        where = CELL_REF.fullmatch(issue.cell or "")
        column = (len(where[1]), where[1]) if where else (0, "")
        return issue.severity != "error", bool(issue.unlisted), in_file(issue), column

    return pd.DataFrame([i.as_row() for i in sorted(plan.issues, key=order)], columns=REPORT_COLUMNS)


@dataclass(frozen=True)
class Problems:
    """The error table and the same table, with each problem's code, as a spreadsheet and a CSV to download."""

    table: pd.DataFrame
    report: bytes
    csv: bytes


def made_once(plan: upload.Plan, name: str, make: Callable[[upload.Plan], T]) -> T:
    """What `make` makes of a checked file (its error table and reports, its preview, the values it changes), made
    once: every rerun of the page (a click anywhere, a tick) reuses it until another file is checked, where a
    single council's ten years are 4,000 rows each worded in Python. Keyed by the file's SHA-256 and the plan
    `check` keeps for it."""
    key = (plan.provenance.sha256, id(plan))
    kept = st.session_state.get(MADE_KEY)
    if kept is None or kept[0] != key:
        kept = st.session_state[MADE_KEY] = (key, {})
    if name not in kept[1]:
        kept[1][name] = make(plan)
    return kept[1][name]


def problems(plan: upload.Plan) -> Problems:
    """The error table and reports of a checked file, made once (`made_once`)."""
    return made_once(plan, "problems", _problems)


def _problems(plan: upload.Plan) -> Problems:
    report = issue_table(plan)
    return Problems(report.drop(columns="Code"), workbook_bytes({"Problems": report}), csv_bytes(report))


def error_report_name(file_name: str, suffix: str = ".xlsx") -> str:
    return f"{Path(file_name).stem}-errors{suffix}"


def sheet_table(plan: upload.Plan) -> pd.DataFrame:
    """The recognised-layout summary: each sheet, how it was read, and why a sheet was skipped."""
    sheets = [] if plan.parsed is None else plan.parsed.sheets
    return pd.DataFrame(
        [{"Sheet": s.sheet, "Read as": s.layout, "Values recognised": s.rows, "Note": s.note} for s in sheets],
        columns=["Sheet", "Read as", "Values recognised", "Note"],
    )


def targets_preview(plan: upload.Plan) -> pd.DataFrame:
    """The targets a Targets sheet sets, worded as on the Targets page."""
    rows = pd.DataFrame([{"target_id": None, "kpi_code": t.kpi_code, "kind": t.kind, "value": t.value,
                          "start_period": t.start_period, "end_period": t.end_period, "glide_from": t.glide_from,
                          "glide_until": t.glide_until, "source": t.source, "team": t.team} for t in plan.targets])
    return tables.targets_view(rows, data.catalogue()).drop(columns="Id")


def warning_lines(plan: upload.Plan) -> list[str]:
    """The warnings that need no check (sheets skipped, months replaced) as short lines; a whole-file warning
    needs no location in front of it."""
    lines = []
    for warning in plan.notes:
        where = f"{warning.location}: " if warning.sheet else ""
        found = f" ({warning.found})" if warning.found else ""
        lines.append(f"{where}{warning.message}{found}")
    return lines


def checks_table(plan: upload.Plan) -> pd.DataFrame:
    """The values to check before loading, each with where it is, what it is, the usual range and the fix."""
    return pd.DataFrame([{"Sheet": i.sheet or "", "Cell": i.cell or "", "KPI": i.kpi or "", "Month": i.month or "",
                          "Found": i.found or "", "Why it may be wrong": i.message, "How to fix": i.fix}
                         for i in plan.checks],
                        columns=["Sheet", "Cell", "KPI", "Month", "Found", "Why it may be wrong", "How to fix"])


def check_label(issue: Issue) -> str:
    """The words beside one value's tick: which value, where."""
    found = f" = {issue.found}" if issue.found else ""
    return f"I have checked {issue.kpi or 'the months'}, {issue.month} ({issue.location}{found})"


def check_key(plan: upload.Plan, index: int | None = None) -> str:
    """A tick's key, tied to the file checked, so a tick never carries over to another file."""
    return f"checked_{plan.provenance.sha256[:SHORT_HASH]}_{'all' if index is None else index}"


def all_checked(plan: upload.Plan) -> bool:
    """Whether the analyst has ticked every value to check, one by one or all at once."""
    if not plan.checks or st.session_state.get(check_key(plan)):
        return True
    if len(plan.checks) > PER_WARNING_TICKS:
        return False
    return all(st.session_state.get(check_key(plan, i)) for i in range(len(plan.checks)))


def _kpi_labels() -> dict[str, str]:
    catalogue = data.catalogue()
    return {code: f"{name} ({code})" for code, name in zip(catalogue["code"], catalogue["name"])}


def _council_names() -> dict[str, str]:
    councils = data.councils()
    return dict(zip(councils["la_code"], councils["name"]))


PREVIEW_COLUMNS = ["KPI", "Month", "Value", "Before", "Change", "Check", "Cell"]


def preview_table(plan: upload.Plan) -> pd.DataFrame:
    """What the file holds, KPIs in catalogue order.

    For one council, one row per value: the value in its unit as the analyst would
    check it against the spreadsheet (91.0%, not 91), the value before it (the
    file's previous month, else the latest stored) and the change, flagged where a
    value is to be checked. For a file covering several councils, the number of
    values (one per council) per KPI and month.
    """
    observations = plan.parsed.observations
    labels = _kpi_labels()
    order = {code: i for i, code in enumerate(labels)}
    if observations["la_code"].nunique() > 1:
        table = plan.summary.rename(columns={"KPI": "kpi_code"})
        table = table.sort_values("kpi_code", key=lambda codes: codes.map(lambda c: order.get(c, len(order))))
        table.columns.name = None
        table["kpi_code"] = table["kpi_code"].map(lambda c: labels.get(c, c))
        return table.rename(columns={"kpi_code": "KPI"}).reset_index(drop=True)
    catalogue = data.catalogue().set_index("code")
    rows = observations.merge(plan.changes[["kpi_code", "period", "previous_value", "previous_period"]]
                              .assign(period=lambda f: pd.to_datetime(f["period"]).dt.date),
                              on=["kpi_code", "period"], how="left") if not plan.changes.empty else \
        observations.assign(previous_value=float("nan"), previous_period=None)
    rows = rows.assign(rank=rows["kpi_code"].map(lambda c: order.get(c, len(order)))).sort_values(["rank", "period"])
    flagged = {(i.sheet, i.cell): i.message for i in plan.checks}
    table = []
    for row in rows.itertuples(index=False):
        unit, decimals = catalogue.at[row.kpi_code, "unit"], int(catalogue.at[row.kpi_code, "decimals"])
        has_before = pd.notna(row.previous_value)
        before = (f"{with_unit(row.previous_value, unit, decimals)} ({pd.Timestamp(row.previous_period):%b %Y})"
                  if has_before else "")
        table.append({
            "KPI": labels.get(row.kpi_code, row.kpi_code),
            "Month": f"{pd.Timestamp(row.period):%b %Y}",
            "Value": with_unit(row.value, unit, decimals) if pd.notna(row.value) else (row.status_code or ""),
            "Before": before,
            "Change": change_text(row.value - row.previous_value, unit, decimals)
            if has_before and pd.notna(row.value) else "",
            "Check": "⚠ Check: " + flagged[(row.sheet, row.cell)] if (row.sheet, row.cell) in flagged else "",
            "Cell": f"{row.sheet}!{row.cell}",
        })
    return pd.DataFrame(table, columns=PREVIEW_COLUMNS)


def team_preview(plan: upload.Plan) -> pd.DataFrame:
    """The file's figures by team, one row each, in their unit, with the cell they came from; ⚠ where a team's
    name is new to the council (a value to check)."""
    teams = plan.parsed.breakdowns
    labels = _kpi_labels()
    catalogue = data.catalogue().set_index("code")
    flagged = {(i.sheet, i.cell) for i in plan.checks if i.rule == "new_team"}
    new_names = {i.found for i in plan.checks if i.rule == "new_team"}
    rows = []
    for row in teams.itertuples(index=False):
        unit, decimals = catalogue.at[row.kpi_code, "unit"], int(catalogue.at[row.kpi_code, "decimals"])
        rows.append({
            "KPI": labels.get(row.kpi_code, row.kpi_code),
            "Month": f"{pd.Timestamp(row.period):%b %Y}",
            str(row.breakdown_kind).capitalize(): row.breakdown,
            "Value": with_unit(row.value, unit, decimals) if pd.notna(row.value) else (row.status_code or ""),
            "Check": "⚠ A new name: check it" if (row.sheet, row.cell) in flagged or row.breakdown in new_names
            else "",
            "Cell": f"{row.sheet}!{row.cell}",
        })
    return pd.DataFrame(rows)


def with_unit(value: float, unit: str, decimals: int) -> str:
    """A value in its KPI's unit, to the KPI's decimals or more where the value was typed with more (so 0.85
    reads as typed, not as 0.9%): 91.0%, 27,310, 72.9 per 10,000."""
    typed = f"{value:.10g}"
    typed_decimals = len(typed.split(".")[1]) if "." in typed and "e" not in typed else 0
    return value_with_unit(value, unit, max(decimals, typed_decimals))


def _described(values: pd.Series, statuses: pd.Series) -> pd.Series:
    """A value as the analyst typed it, or its suppression code, or blank."""
    text = values.map(lambda v: f"{v:,.10g}" if pd.notna(v) else None)
    return text.fillna(statuses.astype("object").where(statuses.notna(), None)).fillna("")


def change_counts(plan: upload.Plan) -> dict[str, int]:
    counts = plan.changes["change"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in ("new", "changed", "unchanged")}


def changed_values(plan: upload.Plan) -> pd.DataFrame:
    """Each stored value this upload will replace, beside its replacement."""
    changes = plan.changes
    columns = ["Council", "KPI", "Month", "Stored now", "After upload", "Stored from upload"]
    if changes.empty:
        return pd.DataFrame(columns=columns)
    shown = changes[changes["change"] == "changed"].sort_values(["kpi_code", "period"], kind="stable")
    labels, names = _kpi_labels(), _council_names()
    return pd.DataFrame({
        "Council": shown["la_code"].map(lambda c: names.get(c, c)),
        "KPI": shown["kpi_code"].map(lambda c: labels.get(c, c)),
        "Month": pd.to_datetime(shown["period"]).dt.strftime("%Y-%m"),
        "Stored now": _described(shown["stored_value"], shown["stored_status"]),
        "After upload": _described(shown["new_value"], shown["new_status"]),
        "Stored from upload": shown["stored_upload"].astype("Int64"),
    }, columns=columns).reset_index(drop=True)


def history_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """Every upload with its provenance, times in UK time, the hash shortened to what tells files apart."""
    return pd.DataFrame({
        "Upload": uploads["upload_id"],
        "File": uploads["file_name"],
        "Kind": uploads["kind"],
        "Uploaded by": uploads["uploaded_by"],
        "Uploaded at": uk_time(uploads["uploaded_at"]),
        "Values": uploads["rows_loaded"],
        "Warnings checked": uploads["warnings_acknowledged"],
        "Status": uploads["status"],
        "SHA-256": uploads["sha256"].str[:SHORT_HASH],
        "Withdrawn by": uploads["withdrawn_by"].fillna(""),
        "Withdrawn at": uk_time(uploads["withdrawn_at"]),
    })


def acknowledged_lines(stored: str | None) -> list[str]:
    """The warnings an uploader ticked as checked, as the upload keeps them (a JSON list of lines)."""
    return json.loads(stored) if isinstance(stored, str) and stored else []


def uk_time(stamps: pd.Series) -> pd.Series:
    """Stored times are UTC; analysts in England read them in UK time, to the minute."""
    local = pd.to_datetime(stamps).dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    return local.dt.strftime("%d %b %Y %H:%M").fillna("")


def contents_table(contents: pd.DataFrame) -> pd.DataFrame:
    """What one upload holds, per kind, council and KPI, with how many of its rows the pages use now."""
    labels, names = _kpi_labels(), _council_names()
    return pd.DataFrame({
        "Holds": contents["holds"].str.capitalize(),
        "Council": contents["la_code"].map(lambda c: names.get(c, c) if isinstance(c, str) else "All councils"),
        "KPI": contents["kpi_code"].map(lambda c: labels.get(c, c) if isinstance(c, str) else "–"),
        "Rows loaded": contents["values_loaded"],
        "In use now": contents["values_current"],
        "First month": contents["first_month"],
        "Last month": contents["last_month"],
    })


def template() -> bytes:
    return template_bytes(data.catalogue(), date.today().strftime("%Y-%m"))
