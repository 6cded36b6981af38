"""The KPI catalogue and shipped England figures: reference data every page relies on."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from settings import DATA_DIR
from store.errors import Refused
from store.writes import insert_frame, transaction

CATALOGUE_CSV = DATA_DIR / "kpi_catalogue.csv"
ENGLAND_CSV = DATA_DIR / "england_benchmarks.csv"

POLARITIES = {"high", "low", "none", "target"}
UNITS = {"count", "%", "rate", "FTE", "cases"}
SUBJECTS = {"children", "staff"}
CATALOGUE_COLUMNS = ["code", "name", "definition", "unit", "polarity", "kpi_group", "decimals", "source", "frequency",
                     "numerator_kpi", "denominator_kpi", "subject"]
"""`numerator_kpi`: for a rate per 10,000 children, the count KPI it is worked out from (its denominator, the ONS
population aged 0-17, is not a KPI). `denominator_kpi`: for a percentage, the count KPI that is its denominator in
the same council and month, blank where none is (a 12-month total, a subset of a count). `subject`: whom the
figures count, `children` (disclosure control applies) or `staff` (social workers' FTE, caseloads, turnover,
absence). `analysis.disclosure` reads them to tell which published percentages and rates could give back 1 to 5."""


class CatalogueError(Refused):
    """The shipped KPI catalogue breaks a rule; the message names the row and the column."""


def read_catalogue(path: Path = CATALOGUE_CSV) -> pd.DataFrame:
    """Read and check the catalogue; a bad edit to the CSV must stop the start, not mislabel a chart."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(CATALOGUE_COLUMNS) - set(frame.columns)
    if missing:
        raise CatalogueError(f"{path.name}: missing columns {sorted(missing)}")
    problems = []
    units = dict(zip(frame["code"], frame["unit"]))
    for i, row in frame.iterrows():
        line = i + 2
        if not row["code"] or row["code"] != row["code"].upper().strip():
            problems.append(f"{path.name} line {line}: code {row['code']!r} must be upper case with no spaces")
        if row["polarity"] not in POLARITIES:
            problems.append(f"{path.name} line {line}: polarity {row['polarity']!r} is not one of {sorted(POLARITIES)}")
        if row["unit"] not in UNITS:
            problems.append(f"{path.name} line {line}: unit {row['unit']!r} is not one of {sorted(UNITS)}")
        if not row["decimals"].isdigit():
            problems.append(f"{path.name} line {line}: decimals {row['decimals']!r} must be a whole number")
        if row["subject"] not in SUBJECTS:
            problems.append(f"{path.name} line {line}: subject {row['subject']!r} is not one of {sorted(SUBJECTS)}")
        for column, unit in (("numerator_kpi", "rate"), ("denominator_kpi", "%")):
            named = row[column]
            if not named:
                continue
            if row["unit"] != unit:
                problems.append(f"{path.name} line {line}: {column} is for a KPI in unit {unit!r}, "
                                f"not {row['unit']!r}; leave it blank")
            elif units.get(named) != "count":
                problems.append(f"{path.name} line {line}: {column} {named!r} must be the code of a count KPI "
                                "in this catalogue")
    dupes = frame["code"][frame["code"].duplicated()].tolist()
    if dupes:
        problems.append(f"{path.name}: duplicate codes {dupes}")
    if problems:
        raise CatalogueError("\n".join(problems))
    frame["decimals"] = frame["decimals"].astype(int)
    for column in ("numerator_kpi", "denominator_kpi"):
        frame[column] = pd.Series([code or None for code in frame[column]], index=frame.index, dtype=object)
    frame["sort_order"] = range(1, len(frame) + 1)
    return frame[CATALOGUE_COLUMNS + ["sort_order"]]


def read_england(path: Path = ENGLAND_CSV, known_codes: set[str] | None = None) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"kpi_code": str, "source": str})
    if known_codes is not None:
        unknown = sorted(set(frame["kpi_code"]) - known_codes)
        if unknown:
            raise CatalogueError(f"{path.name}: KPI codes not in the catalogue: {unknown}")
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    frame["area_type"] = "england"
    frame["area_code"] = "E92000001"
    frame["release_year"] = frame["year"]
    frame["release"] = frame["source"]
    return frame[["kpi_code", "area_type", "area_code", "year", "period_end", "value", "source", "release_year",
                  "release"]]


def load_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the statutory catalogue and the shipped England figures in one transaction; the council's own
    (local) KPIs stay."""
    catalogue = read_catalogue()
    england = read_england(known_codes=set(catalogue["code"]))
    with transaction(con):
        con.execute("DELETE FROM kpis WHERE origin = 'statutory'")
        insert_frame(con, "kpis", catalogue)
        con.execute("DELETE FROM benchmarks WHERE area_type = 'england' AND upload_id IS NULL")
        insert_frame(con, "benchmarks", england)
