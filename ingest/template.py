"""The monthly return template: the long layout the upload reads best, with the KPI list beside it."""
from __future__ import annotations

import pandas as pd

from store.spreadsheets import workbook_bytes

REFERENCE_SHEETS = {"kpis", "read me", "example"}
TEMPLATE_COLUMNS = ["la_code", "kpi", "period", "value", "numerator", "denominator", "note"]
READ_ME = [
    "One row per KPI and month. la_code may be left empty for the home council.",
    "kpi: a code or a name from the KPIs sheet. period: a month such as 2025-04, Apr-25 or a date cell.",
    "value: the figure; percentages as 0-100 (85.5, not 0.855). Suppressed figures: c (small number), "
    "x (not available), z (not applicable).",
    "numerator, denominator and note are optional.",
    "Targets (optional), one row each in the Targets sheet: kpi; kind (local, inspection or floor; blank means "
    "local); value; start month; optional end month; optional trajectory_from and trajectory_until for a target "
    "that moves month by month to its value; source (where it was agreed). They are the home council's targets.",
    "The upload checks every cell and loads nothing until every error is fixed.",
]
TARGET_COLUMNS = ["kpi", "kind", "value", "start", "end", "trajectory_from", "trajectory_until", "source"]


def template_bytes(catalogue: pd.DataFrame, example_period: str) -> bytes:
    data = pd.DataFrame(columns=TEMPLATE_COLUMNS)
    example = pd.DataFrame([["", "ASSESS_45WD_PCT", example_period, 87.5, 350, 400, "assessments up after training"]],
                           columns=TEMPLATE_COLUMNS)
    kpis = catalogue[["code", "name", "unit", "polarity", "definition"]].rename(columns=str.capitalize)
    return workbook_bytes({"Data": data, "Targets": pd.DataFrame(columns=TARGET_COLUMNS), "KPIs": kpis,
                           "Read me": pd.DataFrame({"How to fill this in": READ_ME}),
                           "Example": example})
