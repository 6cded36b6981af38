"""Small DfE downloads in the shapes DfE publishes them, with made-up figures, for the national-data tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

SAMPLES = Path(__file__).resolve().parent / "dfe_samples"
AREA_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
                "region_name", "old_la_code", "la_name", "new_la_code"]
ENGLAND = "E92000001"
SOUTH_WEST = "E12000009"
PLYMOUTH = ("879", "E06000026", "Plymouth")
TORBAY = ("880", "E06000027", "Torbay")
LOOKED_AFTER = "Children looked after on 31 March each year"


def area(year: int, where: str | tuple[str, str, str] = ENGLAND) -> list[object]:
    """The area columns of one row: England, the South West region, or a council given as (old, new code, name)."""
    if where == ENGLAND:
        return [str(year), "Reporting year", "National", ENGLAND, "England", "", "", "", "", ""]
    if where == SOUTH_WEST:
        return [str(year), "Reporting year", "Regional", ENGLAND, "England", SOUTH_WEST, "South West", "", "", ""]
    old, code, name = where
    return [str(year), "Reporting year", "Local authority", ENGLAND, "England", SOUTH_WEST, "South West", old, name,
            code]


def tidy(columns: list[str], rows: list[list[object]]) -> bytes:
    """A DfE tidy CSV as DfE writes it (UTF-8 with a byte-order mark): the area columns, then `columns`."""
    return pd.DataFrame(rows, columns=AREA_COLUMNS + columns).to_csv(index=False).encode("utf-8-sig")


def looked_after(counts: dict[tuple[int, str | tuple[str, str, str]], object], *extra: str) -> bytes:
    """A children-looked-after download holding the count at 31 March for each (year, area); `extra` columns are
    added with the value 1."""
    rows = [area(year, where) + [LOOKED_AFTER, 100_000, count, 50] + [1] * len(extra)
            for (year, where), count in counts.items()]
    return tidy(["population_type", "population_estimate", "children_count", "rate_per_10000", *extra], rows)


def placement_stability(percentages: dict[tuple[str, str], object], year: int = 2025) -> bytes:
    """England's placement stability, long by `cla_group` x `placement_stability`, as (group, measure): percent."""
    rows = [area(year) + [group, measure, 1000, percent] for (group, measure), percent in percentages.items()]
    return tidy(["cla_group", "placement_stability", "children_count", "children_percent"], rows)


def older_workforce_release() -> bytes:
    """Rows of DfE's 2022 workforce release as published, whose rate headers end in `_%` and whose in-post and
    agency columns had other names (`social_worker_fte`, `agency_worker_rate_fte_%`)."""
    return (SAMPLES / "csww_headline_measures_2022_extract.csv").read_bytes()
