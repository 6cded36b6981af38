"""DfE data downloads and statistical-neighbour tables, loaded as benchmarks rather than monthly returns.

Which DfE column feeds which KPI is data (`data/dfe_mapping.csv`): a new DfE
release with another indicator needs a row there, not a code change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from ingest.issues import FirstIssues, Issue, cell_ref
from ingest.layouts import Layout
from ingest.neighbour_tables import read_neighbours
from ingest.readers import Sheet
from ingest.values import normalise_name, parse_number
from settings import DATA_DIR
from store.writes import insert_frame

MAPPING_CSV = DATA_DIR / "dfe_mapping.csv"
ENGLAND_CODE = "E92000001"
LEVELS = {"national": "england", "regional": "region", "localauthority": "la"}


@dataclass
class Benchmarks:
    values: pd.DataFrame
    councils: pd.DataFrame
    neighbours: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.values) + len(self.neighbours)


def read_mapping() -> pd.DataFrame:
    mapping = pd.read_csv(MAPPING_CSV, dtype=str, keep_default_na=False)
    mapping["indicator_key"] = mapping["indicator_column"].map(normalise_name)
    mapping["filter_key"] = mapping["filter_column"].map(normalise_name)
    return mapping


def _year(time_period: object) -> int | None:
    """DfE writes a year as 2025 or a financial year as 202425; both mean the year ending in 2025."""
    text = str(time_period).strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    if re.fullmatch(r"\d{6}", text):
        return 2000 + int(text[-2:])
    return None


def known_old_codes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each stored council's 3-digit old code and its 9-character code, to read statistical-neighbour tables."""
    return dict(con.execute("SELECT old_la_code, la_code FROM councils WHERE old_la_code IS NOT NULL").fetchall())


def read_benchmarks(file_name: str, sheets: list[tuple[Sheet, Layout]], old_codes: dict[str, str]) -> Benchmarks:
    """Benchmarks and neighbour groups from DfE sheets; `old_codes` is `known_old_codes` of the store, read
    beforehand so that the file is read without the store open."""
    mapping = read_mapping()
    values, councils, neighbours, issues = [], [], [], []
    for sheet, layout in sheets:
        if layout.kind == "dfe_benchmarks":
            v, c, i = _tidy(file_name, sheet, layout, mapping)
            values += v
            councils += c
            issues += i
        else:
            known = {**old_codes, **{c[3]: c[0] for c in councils if c[3]}}
            n, i = read_neighbours(file_name, sheet, layout, known)
            neighbours += n
            issues += i
    value_frame = pd.DataFrame(values, columns=["kpi_code", "area_type", "area_code", "year", "period_end",
                                                "value", "status_code", "source"])
    council_frame = pd.DataFrame(councils, columns=["la_code", "name", "region", "old_la_code"]).drop_duplicates(
        "la_code", keep="last")
    neighbour_frame = pd.DataFrame(neighbours, columns=["la_code", "neighbour_code", "model", "rank"])
    if value_frame.empty and all(layout.kind == "dfe_benchmarks" for _, layout in sheets):
        issues.append(Issue("error", file_name, None, None, "no_known_indicators",
                            "This DfE file has no indicator the dashboard knows", None,
                            "Add a row for its indicator column to data/dfe_mapping.csv."))
    return Benchmarks(value_frame, council_frame, neighbour_frame, issues)


def _tidy(file_name: str, sheet: Sheet, layout: Layout, mapping: pd.DataFrame):
    cols = layout.columns
    usable = mapping[mapping["indicator_key"].isin(cols) & ((mapping["filter_key"] == "")
                                                            | mapping["filter_key"].isin(cols))]
    values, councils, issues = [], [], []
    if usable.empty:
        return values, councils, issues
    rules = list(usable.itertuples(index=False))
    found = FirstIssues(file_name, sheet.name)

    def get(row: list[object], key: str) -> object:
        index = cols.get(key)
        return None if index is None or index >= len(row) else row[index]

    for r in range(layout.header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(v is None for v in row):
            continue
        level = LEVELS.get(normalise_name(str(get(row, "geographiclevel") or "")))
        year = _year(get(row, "timeperiod"))
        if level is None or year is None:
            continue
        code = {"england": ENGLAND_CODE, "region": get(row, "regioncode"), "la": get(row, "newlacode")}[level]
        if not code:
            continue
        if level == "la":
            councils.append((str(code), str(get(row, "laname") or code), get(row, "regionname"),
                             None if get(row, "oldlacode") is None else str(get(row, "oldlacode"))))
        for m in rules:
            if m.filter_key and str(get(row, m.filter_key) or "").strip() != m.filter_value:
                continue
            parsed = parse_number(get(row, m.indicator_key))
            if parsed.problem:
                found.add((r,), "not_a_number", lambda r=r, m=m, parsed=parsed: Issue(
                    "error", file_name, sheet.name, cell_ref(r, cols[m.indicator_key]), "not_a_number",
                    f"{m.indicator_column} {parsed.problem}", str(get(row, m.indicator_key)),
                    "Check the file is an unedited DfE download."))
                continue
            month, day = (int(x) for x in m.period_end.split("-"))
            values.append((m.kpi_code, level, str(code), year, date(year, month, day), parsed.value,
                           parsed.status, f"{m.source} ({file_name})"))
    return values, councils, found.issues()


def store_benchmarks(con: duckdb.DuckDBPyConnection, benchmarks: Benchmarks, upload_id: int) -> None:
    """Write inside the caller's transaction; councils are named or renamed from DfE's own list."""
    for row in benchmarks.councils.itertuples(index=False):
        con.execute(
            "INSERT INTO councils (la_code, name, region, old_la_code) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (la_code) DO UPDATE SET name = excluded.name, region = excluded.region,"
            " old_la_code = excluded.old_la_code",
            [row.la_code, row.name, row.region, row.old_la_code],
        )
    insert_frame(con, "benchmarks", benchmarks.values.assign(upload_id=upload_id))
    if not benchmarks.neighbours.empty:
        # Earlier groups of the same model stay stored: the latest loaded upload is the one shown.
        insert_frame(con, "neighbours", benchmarks.neighbours.assign(upload_id=upload_id))
