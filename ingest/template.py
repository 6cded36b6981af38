"""The monthly return template: the long layout the upload reads best, with the KPI list beside it.

The template's own reference sheets (the KPI list, the instructions, the example) are recognised by what they
hold, not by their names: an analyst who renames the Data sheet "KPIs" still has it read, and the reference
sheets are still skipped, with the reason, whatever they have been renamed to.
"""
from __future__ import annotations

import pandas as pd

from ingest.readers import Sheet
from ingest.values import normalise_name
from store.spreadsheets import workbook_bytes

TEMPLATE_COLUMNS = ["la_code", "kpi", "period", "value", "numerator", "denominator", "note", "team"]
READ_ME_HEADER = "How to fill this in"
READ_ME = [
    "One row per KPI and month. la_code may be left empty for the home council.",
    "kpi: a code or a name from the KPIs sheet. period: a month such as 2025-04, Apr-25 or a date cell.",
    "value: the figure; percentages as 0-100 (85.5, not 0.855). Suppressed figures: c (small number), "
    "x (not available), z (not applicable).",
    "numerator, denominator and note are optional.",
    "team (optional): the team the row's figure is for (the column may be headed team, locality or service); "
    "leave it empty for the whole council's figure. Give the whole council's row as well as the teams'.",
    "Targets (optional), one row each in the Targets sheet: kpi; kind (local, inspection or floor; blank means "
    "local); value; start month; optional end month; optional trajectory_from and trajectory_until for a target "
    "that moves month by month to its value; source (where it was agreed). They are the home council's targets.",
    "The upload checks every cell and loads nothing until every error is fixed.",
]
TARGET_COLUMNS = ["kpi", "kind", "value", "start", "end", "trajectory_from", "trajectory_until", "source"]
KPI_LIST_COLUMNS = ["code", "name", "unit", "polarity", "definition"]
EXAMPLE_NOTE = "assessments up after training"
REFERENCE_ROWS = 5
"""How far down a sheet the template's reference headers are looked for: they are in its first row."""


def template_bytes(catalogue: pd.DataFrame, example_period: str) -> bytes:
    data = pd.DataFrame(columns=TEMPLATE_COLUMNS)
    example = pd.DataFrame([["", "ASSESS_45WD_PCT", example_period, 87.5, 350, 400, EXAMPLE_NOTE, ""]],
                           columns=TEMPLATE_COLUMNS)
    kpis = catalogue[KPI_LIST_COLUMNS].rename(columns=str.capitalize)
    return workbook_bytes({"Data": data, "Targets": pd.DataFrame(columns=TARGET_COLUMNS), "KPIs": kpis,
                           "Read me": pd.DataFrame({READ_ME_HEADER: READ_ME}), "Example": example})


def reference_sheet(sheet: Sheet) -> str | None:
    """Why a sheet is one of the template's reference sheets (None when it is not): by its content alone.

    The KPI list is a header of code, name and unit (the columns the template writes) over KPI codes and names;
    the instructions start with the template's heading; the example holds the template's example row and
    nothing else, so an example overwritten with real figures is read as data.
    """
    top = sheet.cells[:REFERENCE_ROWS].tolist()
    rows = [[normalise_name(v) if isinstance(v, str) else v for v in row] for row in top]
    for row in rows:
        if row[:3] == KPI_LIST_COLUMNS[:3] and not {"period", "month", "value"} & set(row):
            return "the template's list of KPI codes and names, for reference only"
    if rows and rows[0][:1] == [normalise_name(READ_ME_HEADER)]:
        return "the template's instructions"
    filled = [row for row in rows if any(cell is not None for cell in row)]
    if len(sheet.cells) <= REFERENCE_ROWS and len(filled) == 2 and normalise_name(EXAMPLE_NOTE) in filled[1]:
        return "the template's example row, not data"
    return None
