"""Small spreadsheets the tests build themselves, in the shapes analysts and DfE produce."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook


def xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def long_rows(values: dict[tuple[str, str], object], la_code: str | None = None) -> list[list[object]]:
    rows: list[list[object]] = [["la_code", "kpi", "period", "value"]]
    for (kpi, period), value in values.items():
        rows.append([la_code, kpi, period, value])
    return rows


def messy_wide() -> bytes:
    """A council scorecard as it really looks: title, merged cells, extra columns, spacers, footnotes, `c`."""
    return xlsx(
        {
            "Cover": [["Anyshire children's services"], ["Monthly performance report"]],
            "Scorecard": [
                ["Anyshire scorecard: September and October 2026"],
                [],
                ["Indicator", "Polarity", "Target", "England", "Stat neighbours", date(2026, 9, 1), "Oct-26"],
                ["Front door"],
                ["Assessments within 45 working days", "High", 90, 85.7, 84.1, 88.2, "91.5%"],
                [],
                ["Care leavers in B&B", "Low", 0, None, None, "c", "[c]"],
                ["SW_AGENCY_PCT", "Low", 15, 13, 14, 15.1, 14.9],
                [],
                ["Notes: c = suppressed small number. Source: case-management system."],
            ],
        },
        merges={"Scorecard": ["A1:G1"]},
    )


def dfe_tidy_csv() -> bytes:
    frame = pd.DataFrame(
        [
            ["2025", "Reporting year", "National", "E92000001", "England", "", "", "", "", "", 36186.3, 13.0, 15.2],
            ["2025", "Reporting year", "Regional", "E92000001", "England", "E12000001", "North East", "", "", "",
             2299.3, 8.2, 16.5],
            ["2025", "Reporting year", "Local authority", "E92000001", "England", "E12000001", "North East", "841",
             "E06000047", "County Durham", 300.5, "c", 17.1],
            ["2024", "Reporting year", "Local authority", "E92000001", "England", "E12000001", "North East", "841",
             "E06000047", "County Durham", 290.0, 9.5, 17.9],
        ],
        columns=["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
                 "region_name", "old_la_code", "new_la_code", "la_name", "inpost_fte", "agency_rate_fte",
                 "caseload_fte"],
    )
    return frame.to_csv(index=False).encode("utf-8-sig")
