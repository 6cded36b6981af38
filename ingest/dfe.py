"""DfE data downloads and statistical-neighbour tables, loaded as published figures rather than monthly returns.

Where each KPI's figures sit in a DfE download is data (`data/dfe_mapping.csv`), because DfE's files change shape
between releases: a row names the KPI, its measure column with every header DfE has used for it across releases
(`agency_rate_fte|agency_worker_rate_fte_%`), the rows the figures are read from as filters on one or more columns
(`care_leaver_age=19 to 21 years;breakdown=Accommodation considered suitable`), the date the figures refer to (31
March, or 30 September for the workforce census) and the publication. A row without a KPI names a column the
dashboard reads for reference only, such as the ONS population: recognised, never stored.

A file's release is the latest `time_period` it holds. Each DfE release republishes earlier years, revised, so every
figure keeps the release it came from, and the store's `published_figures` shows the newest release of each figure
whatever order the files were loaded in.

Figures pass the monthly upload's checks: each cell is read by `ingest.values.parse_number`, so DfE's suppression
codes (`c`, `x`, `z`, `u`, `k`, `low`) are kept as a status with no value, never as a number; no figure may be
negative, a percentage must lie between 0 and 100, a count must be whole, and every area needs a 9-character ONS
code. Each problem names the file, the cell and its column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from ingest.catalogue import read_catalogue
from ingest.issues import FirstIssues, Issue, cell_ref
from ingest.layouts import Layout
from ingest.neighbour_tables import read_neighbours
from ingest.readers import Sheet
from ingest.validate import LA_CODE_PATTERN
from ingest.values import as_typed, by_distinct, normalise_name, parse_numbers
from settings import DATA_DIR
from store.errors import Refused
from store.words import plural
from store.writes import insert_frame

MAPPING_CSV = DATA_DIR / "dfe_mapping.csv"
MANIFEST_CSV = DATA_DIR / "national" / "manifest.csv"
ENGLAND_CODE = "E92000001"
LEVELS = {"national": "england", "regional": "region", "localauthority": "la"}
AREA_COLUMNS = frozenset(normalise_name(c) for c in (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "new_la_code", "la_name"))
"""The columns every DfE tidy download starts with: where and when a row is, never a figure."""
AREA_CODE = re.compile(LA_CODE_PATTERN)
JOINT_CODE = re.compile(r"[EW]\d{8}(\s*/\s*[EW]\d{8})+")
"""Councils that share a service are published as one row, such as `E09000021 / E09000027`."""
VALUE_COLUMNS = ["kpi_code", "area_type", "area_code", "year", "period_end", "value", "status_code", "source",
                 "release_year", "release"]
COUNCIL_COLUMNS = ["la_code", "name", "region", "old_la_code"]
LISTED = 10
"""Names listed in one message before the rest are counted."""


class MappingError(Refused):
    """The shipped DfE mapping breaks a rule; the message names the line."""


@dataclass(frozen=True)
class Indicator:
    """One row of the mapping: where a KPI's figures sit in a DfE download (no KPI: read for reference only)."""

    kpi_code: str | None
    measures: tuple[str, ...]
    filters: tuple[tuple[str, str], ...]
    month: int
    day: int
    publication: str

    @property
    def rows_wanted(self) -> str:
        return " and ".join(f"{column} = {value}" for column, value in self.filters) or "any row"


@dataclass
class Benchmarks:
    """What a DfE file holds: published figures, the councils it names, neighbour groups, and what was found."""

    values: pd.DataFrame
    councils: pd.DataFrame
    neighbours: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    release_year: int | None = None

    @property
    def row_count(self) -> int:
        return len(self.values) + len(self.neighbours)

    def without_councils(self) -> Benchmarks:
        """England and regional figures only: what a store without real councils (the synthetic demo) keeps."""
        return replace(self, values=self.values[self.values["area_type"] != "la"].reset_index(drop=True),
                       councils=self.councils.iloc[0:0], neighbours=self.neighbours.iloc[0:0])


def read_mapping(path: Path = MAPPING_CSV) -> list[Indicator]:
    """The mapping, checked: a malformed row stops the load rather than put a figure under the wrong KPI."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    indicators = []
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        measures = tuple(m.strip() for m in row.measure.split("|") if m.strip())
        filters = []
        for part in filter(str.strip, row.filters.split(";")):
            column, equals, value = part.partition("=")
            if not equals or not column.strip() or not value.strip():
                raise MappingError(f"{path.name} line {line}: filter {part!r} is not column=value")
            filters.append((column.strip(), value.strip()))
        try:
            month, day = (int(x) for x in row.reference_date.split("-"))
            date(2000, month, day)
        except ValueError as exc:
            raise MappingError(f"{path.name} line {line}: reference_date {row.reference_date!r} is not MM-DD") from exc
        if not measures or not row.publication.strip():
            raise MappingError(f"{path.name} line {line}: a measure column and a publication are needed")
        indicators.append(Indicator(row.kpi_code.strip() or None, measures, tuple(filters), month, day,
                                    row.publication.strip()))
    return indicators


def read_manifest(path: Path = MANIFEST_CSV) -> pd.DataFrame:
    """The DfE files the product ships, in loading order, with their publication, release and SHA-256."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def reference_only(publication: str, indicators: list[Indicator]) -> bool:
    """Whether the mapping (`indicators`) reads this publication for reference only: it names it, never with a KPI."""
    rows = [i for i in indicators if i.publication == publication]
    return bool(rows) and all(i.kpi_code is None for i in rows)


@cache
def _units() -> dict[str, str]:
    """Each KPI's unit from the shipped catalogue, read once: the checks a figure must pass depend on it."""
    catalogue = read_catalogue()
    return dict(zip(catalogue["code"], catalogue["unit"]))


def _year(time_period: object) -> int | None:
    """DfE writes a year as 2025 or a financial year as 202425; both mean the year ending in 2025."""
    if isinstance(time_period, float) and time_period.is_integer():
        time_period = int(time_period)
    text = str(time_period).strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    if re.fullmatch(r"\d{6}", text):
        return 2000 + int(text[-2:])
    return None


def _level(cell: object) -> str | None:
    return None if cell is None else LEVELS.get(normalise_name(str(cell)))


def _text(cell: object) -> str | None:
    return None if cell is None else _old_code(cell)


def _filter_text(cell: object) -> str:
    """A filter cell as the mapping's value is compared with it: case, spaces and punctuation aside."""
    return "" if cell is None else normalise_name(str(cell))


def known_old_codes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each stored council's 3-digit old code and its 9-character code, to read statistical-neighbour tables."""
    return dict(con.execute("SELECT old_la_code, la_code FROM councils WHERE old_la_code IS NOT NULL").fetchall())


@dataclass
class _SheetRead:
    """What one tidy sheet gave: figures (with the cell each came from), councils and what the dashboard used."""

    values: list[pd.DataFrame] = field(default_factory=list)
    councils: list[tuple[str, str, str | None, str | None, int]] = field(default_factory=list)
    joint: set[str] = field(default_factory=set)
    recognised: list[Indicator] = field(default_factory=list)
    referenced: list[Indicator] = field(default_factory=list)
    skipped: list[tuple[Indicator, str]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    latest_year: int | None = None


def read_benchmarks(file_name: str, sheets: list[tuple[Sheet, Layout]], old_codes: dict[str, str]) -> Benchmarks:
    """Published figures and neighbour groups from DfE sheets; `old_codes` is `known_old_codes` of the store, read
    beforehand so that the file is read without the store open."""
    indicators = read_mapping()
    units = _units()
    reads: list[tuple[Sheet, _SheetRead]] = []
    neighbours, issues = [], []
    for sheet, layout in sheets:
        if layout.kind == "dfe_benchmarks":
            found = FirstIssues(file_name, sheet.name)
            reads.append((sheet, _tidy(found, sheet, layout, indicators, units)))
            issues += found.issues()
    councils = [c for _, read in reads for c in read.councils]
    for sheet, layout in sheets:
        if layout.kind != "dfe_benchmarks":
            known = {**old_codes, **{c[3]: c[0] for c in councils if c[3]}}
            n, i = read_neighbours(file_name, sheet, layout, known)
            neighbours += n
            issues += i
    release_year = max((read.latest_year for _, read in reads if read.latest_year), default=None)
    frames = [frame for _, read in reads for frame in read.values]
    values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=VALUE_COLUMNS + ["where"])
    issues += _duplicates(file_name, values)
    values["release_year"] = release_year
    values["release"] = values["release"] + f" {release_year}"
    council_frame = pd.DataFrame(councils, columns=COUNCIL_COLUMNS + ["year"]).sort_values("year", kind="stable")
    council_frame = council_frame.drop_duplicates("la_code", keep="last")[COUNCIL_COLUMNS].reset_index(drop=True)
    neighbour_frame = pd.DataFrame(neighbours, columns=["la_code", "neighbour_code", "model", "rank"])
    recognised = any(read.recognised for _, read in reads)
    if not recognised and all(layout.kind == "dfe_benchmarks" for _, layout in sheets):
        issues.append(_nothing_to_load(file_name, [read for _, read in reads], indicators))
    else:
        for sheet, read in reads:
            issues += _what_was_read(file_name, sheet.name, read)
    return Benchmarks(values[VALUE_COLUMNS], council_frame, neighbour_frame, issues, release_year)


def _tidy(found: FirstIssues, sheet: Sheet, layout: Layout, indicators: list[Indicator],
          units: dict[str, str]) -> _SheetRead:
    """Every mapped figure of one tidy sheet, checked a column at a time; problems go to `found`."""
    cols = layout.columns
    read = _SheetRead(columns=[str(v) for v in sheet.cells[layout.header_row] if isinstance(v, str) and v.strip()])
    start = layout.header_row + 1
    body = sheet.cells[start:]
    listed = ~np.equal(body, None).all(axis=1)
    rows = np.flatnonzero(listed) + start
    body = body[listed]
    read_columns: dict[tuple[str, Callable], np.ndarray] = {}

    def column(key: str, read_cell: Callable[[object], object]) -> np.ndarray:
        """A column's cells read by `read_cell`, once per distinct cell; all None where the file lacks it."""
        if (key, read_cell) not in read_columns:
            cells = body[:, cols[key]] if key in cols else np.full(len(body), None, dtype=object)
            read_columns[key, read_cell] = by_distinct(cells, read_cell)
        return read_columns[key, read_cell]

    def report(at: np.ndarray, key: str, rule: str, message: str) -> None:
        for i in at.tolist():
            _error(found, rows[i], cols[key], rule, message, body[i, cols[key]])

    levels = column("geographiclevel", _level)
    placed = ~np.equal(levels, None)  # rows at a level the dashboard keeps: England, regions, councils
    years = column("timeperiod", _year)
    dated = placed & ~np.equal(years, None)
    if "timeperiod" in cols:
        report(np.flatnonzero(placed & ~dated), "timeperiod", "bad_period",
               f"{_header(sheet, layout, 'timeperiod')} is not a year such as 2025 or 202425")
    if dated.any():
        read.latest_year = int(max(years[dated]))
    codes = np.full(len(body), None, dtype=object)
    codes[levels == "england"] = ENGLAND_CODE
    codes[levels == "region"] = column("regioncode", _text)[levels == "region"]
    codes[levels == "la"] = column("newlacode", _text)[levels == "la"]
    valid = by_distinct(codes, lambda code: code is not None and AREA_CODE.fullmatch(code) is not None).astype(bool)
    joint = (levels == "la") & by_distinct(codes, lambda c: c is not None and JOINT_CODE.fullmatch(c) is not None)
    joint = joint.astype(bool)
    for key, level in (("regioncode", "region"), ("newlacode", "la")):
        if key in cols:
            report(np.flatnonzero(dated & (levels == level) & ~valid & ~joint), key, "bad_la_code",
                   f"{_header(sheet, layout, key)} is not a 9-character ONS code such as E06000026")
    names, regions, old = (column(key, _text) for key in ("laname", "regionname", "oldlacode"))
    for i in np.flatnonzero(dated & joint).tolist():
        read.joint.add(f"{names[i] or codes[i]} ({codes[i]})")
    for i in np.flatnonzero(dated & valid & (levels == "la")).tolist():
        read.councils.append((codes[i], names[i] or codes[i], regions[i], old[i], years[i]))
    used: set[str] = set()
    for indicator in indicators:
        measure = next((key for key in map(normalise_name, indicator.measures) if key in cols), None)
        filter_keys = [normalise_name(c) for c, _ in indicator.filters]
        if measure is None or any(key not in cols for key in filter_keys):
            continue
        matched = dated.copy()
        for key, (_, value) in zip(filter_keys, indicator.filters):
            matched &= column(key, _filter_text) == normalise_name(value)
        if not matched.any():
            read.skipped.append((indicator, _header(sheet, layout, measure)))
            continue
        used.update([measure, *filter_keys])
        if indicator.kpi_code is None:
            read.referenced.append(indicator)
            continue
        read.recognised.append(indicator)
        at = np.flatnonzero(matched & valid)
        read.values.append(_figures(found, indicator, units.get(indicator.kpi_code), body, rows, at, cols[measure],
                                    _header(sheet, layout, measure), levels, codes, years))
    reference = {normalise_name(m) for i in indicators if i.kpi_code is None for m in i.measures}
    skipped = {normalise_name(m) for i, _ in read.skipped for m in i.measures} | {
        normalise_name(c) for i, _ in read.skipped for c, _ in i.filters}
    read.unread = [c for c in read.columns
                   if normalise_name(c) not in AREA_COLUMNS | used | reference | skipped]
    return read


def _header(sheet: Sheet, layout: Layout, key: str) -> str:
    """A column's header as the file writes it, for messages."""
    return str(sheet.cells[layout.header_row, layout.columns[key]])


def _figures(found: FirstIssues, indicator: Indicator, unit: str | None, body: np.ndarray, rows: np.ndarray,
             at: np.ndarray, column: int, header: str, levels: np.ndarray, codes: np.ndarray,
             years: np.ndarray) -> pd.DataFrame:
    """One indicator's figures at body rows `at`, each cell read and checked as an uploaded value is; a blank
    cell is no figure, a suppression code a figure with no value."""
    numbers = parse_numbers(body[at, column])
    value = numbers.value
    label = f"{header} ({indicator.kpi_code})"
    checks: list[tuple[np.ndarray, str, Callable[[int], str]]] = [
        (~np.equal(numbers.problem, None), "not_a_number", lambda j: f"{label} {numbers.problem[j]}"),
        (numbers.percent_sign & (unit != "%"), "percent_for_non_percentage",
         lambda j: f"{label} is measured in {unit}, not %"),
        ((unit == "%") & ((value < 0) | (value > 100)), "percentage_out_of_range",
         lambda j: f"{label}: a percentage must be between 0 and 100"),
        (value < 0, "negative", lambda j: f"{label} cannot be negative"),
        ((unit == "count") & np.isfinite(value) & (value != np.trunc(value)), "count_not_whole",
         lambda j: f"{label} is a count and must be a whole number"),
    ]
    broken = np.zeros(len(at), dtype=bool)
    for mask, rule, message in checks:
        for j in np.flatnonzero(mask & ~broken).tolist():
            broken[j] = True
            _error(found, rows[at[j]], column, rule, message(j), body[at[j], column])
    keep = ~broken & ~numbers.blank
    kept = at[keep]
    return pd.DataFrame({
        "kpi_code": indicator.kpi_code, "area_type": levels[kept], "area_code": codes[kept],
        "year": pd.Series(years[kept], dtype="int64"),
        "period_end": pd.Series([date(int(y), indicator.month, indicator.day) for y in years[kept]], dtype=object),
        "value": value[keep], "status_code": pd.Series(numbers.status[keep], dtype=object),
        "source": f"DfE {indicator.publication} ({found.file})", "release": indicator.publication,
        "where": [cell_ref(r, column) for r in rows[kept].tolist()]})


def _error(found: FirstIssues, row: int, column: int, rule: str, message: str, cell: object) -> None:
    """An error at one cell; `message` starts with the column's header, so the cell is found by name too."""
    where = cell_ref(row, column)
    found.add((int(row), column), rule, lambda: Issue("error", found.file, found.sheet, where, rule, message,
                                                       as_typed(cell), "Check the file is an unedited DfE download."))



def _duplicates(file_name: str, values: pd.DataFrame) -> list[Issue]:
    """A figure given twice for the same KPI, area and date: the mapping's rows must pick out one row each."""
    keys = ["kpi_code", "area_type", "area_code", "period_end"]
    repeated = values[values.duplicated(keys, keep=False)]
    issues = []
    for _, group in list(repeated.groupby(keys, sort=False))[:LISTED]:
        first, again = group.iloc[0], group.iloc[1]
        issues.append(Issue("error", file_name, None, again["where"], "duplicate",
                            f"{first['kpi_code']} for {first['area_code']} at {first['period_end']:%d %b %Y} is given "
                            f"twice (also at {first['where']})", None, "Check the file is an unedited DfE download."))
    return issues


def _listed(names: list[str]) -> str:
    more = len(names) - LISTED
    return ", ".join(names[:LISTED]) + (f" and {more} more" if more > 0 else "")


def _files_read(indicators: list[Indicator]) -> str:
    """The DfE downloads the dashboard reads, by publication, from the files it ships."""
    kpi_publications = {i.publication for i in indicators if i.kpi_code}
    manifest = read_manifest()
    shipped = manifest[manifest["publication"].isin(kpi_publications)]
    return "; ".join(f"{publication}: {', '.join(files)}"
                     for publication, files in shipped.groupby("publication", sort=False)["file"])


def _nothing_to_load(file_name: str, reads: list[_SheetRead], indicators: list[Indicator]) -> Issue:
    referenced = [i for read in reads for i in read.referenced]
    if referenced:
        return Issue("error", file_name, None, None, "reference_only",
                     f"This file holds {referenced[0].publication}: the dashboard reads it for reference only, so "
                     "there is nothing in it to load", None,
                     "Nothing to do: rates per 10,000 children come with DfE's own figures, such as the children "
                     "looked after file.")
    columns = [c for read in reads for c in read.columns if normalise_name(c) not in AREA_COLUMNS]
    return Issue("error", file_name, None, None, "no_known_indicators",
                 "This DfE file holds no figure the dashboard reads",
                 f"columns besides time and place: {_listed(columns)}" if columns else None,
                 f"The dashboard reads these DfE downloads, unchanged: {_files_read(indicators)}.")


def _what_was_read(file_name: str, sheet: str, read: _SheetRead) -> list[Issue]:
    """Warnings for a recognised sheet: figures it lacks, columns not read, joint councils' rows not kept."""
    issues = []
    kpis = sorted({i.kpi_code for i in read.recognised})
    for indicator, header in read.skipped:
        if indicator.kpi_code is not None:
            issues.append(Issue(
                "warning", file_name, sheet, None, "measure_skipped",
                f"No {indicator.kpi_code} figures were found: column {header} is here, but no row has "
                f"{indicator.rows_wanted}", header,
                "The other figures load as usual. If DfE has renamed these rows, tell your dashboard admin."))
    if read.unread:
        these = "this column" if len(read.unread) == 1 else f"these {len(read.unread)} columns"
        issues.append(Issue(
            "warning", file_name, sheet, None, "columns_ignored",
            f"The dashboard read {', '.join(kpis) or 'no KPI'} from this file; it does not use {these}",
            _listed(read.unread),
            "Nothing to do: DfE files hold more than the dashboard's KPIs."))
    if read.joint:
        issues.append(Issue(
            "warning", file_name, sheet, None, "joint_rows_skipped",
            "Figures published for councils that share a service, as one row, are not stored against either "
            "council", _listed(sorted(read.joint)),
            "Nothing to do: each council's own figures, where DfE publishes them, load as usual."))
    return issues


def compare_with_store(con: duckdb.DuckDBPyConnection, file_name: str, benchmarks: Benchmarks) -> list[Issue]:
    """What loading these figures would change, said before it happens: councils whose stored name differs from
    the file's (the stored name is kept) and how many stored figures this release supersedes or leaves to a newer
    release."""
    return _names_kept(con, file_name, benchmarks.councils) + _release_outcome(con, file_name, benchmarks)


def _names_kept(con: duckdb.DuckDBPyConnection, file_name: str, councils: pd.DataFrame) -> list[Issue]:
    if councils.empty:
        return []
    con.register("_named", councils[["la_code", "name"]])
    try:
        differ = con.execute(
            "SELECT c.la_code, c.name, n.name FROM _named n JOIN councils c USING (la_code)"
            " WHERE c.name <> n.name AND c.name <> c.la_code ORDER BY c.la_code").fetchall()
    finally:
        con.unregister("_named")
    if not differ:
        return []
    return [Issue("warning", file_name, None, None, "council_name_kept",
                  f"{plural(len(differ), 'council')} named differently in this file "
                  f"{'keeps its' if len(differ) == 1 else 'keep their'} stored name",
                  _listed([f"{code} {stored} (file: {theirs})" for code, stored, theirs in differ]),
                  "Nothing to do: a file never renames a council the dashboard already knows.")]


def _release_outcome(con: duckdb.DuckDBPyConnection, file_name: str, benchmarks: Benchmarks) -> list[Issue]:
    if benchmarks.values.empty:
        return []
    kpis = sorted(set(benchmarks.values["kpi_code"]))
    con.register("_incoming_figures", benchmarks.values)
    try:  # naming the KPIs lets the view be worked out for them alone, in about half the time
        superseded, revised, kept, newer = con.execute(
            f"""
            SELECT count(*) FILTER (WHERE coalesce(p.release_year, 0) <= i.release_year),
                   count(*) FILTER (WHERE coalesce(p.release_year, 0) <= i.release_year
                                    AND (p.value IS DISTINCT FROM i.value
                                         OR p.status_code IS DISTINCT FROM i.status_code)),
                   count(*) FILTER (WHERE p.release_year > i.release_year),
                   list(DISTINCT p.release ORDER BY p.release) FILTER (WHERE p.release_year > i.release_year)
            FROM _incoming_figures i
            JOIN (SELECT * FROM published_figures WHERE kpi_code IN ({", ".join("?" * len(kpis))})) p
              USING (kpi_code, area_type, area_code, period_end)
            """, kpis).fetchall()[0]
    finally:
        con.unregister("_incoming_figures")
    parts = []
    if superseded:
        parts.append(f"{plural(superseded, 'figure')} superseded by this {benchmarks.release_year} release"
                     + (f" ({revised:,} of them revised)" if revised else ""))
    if kept:
        parts.append(f"{kept:,} kept from the newer release already stored ({', '.join(newer)})")
    if not parts:
        return []
    return [Issue("warning", file_name, None, None, "release_precedence", "; ".join(parts), None,
                  "Nothing to do: for every figure the newest release is shown, whatever order files are loaded in.")]


def _old_code(value: object) -> str:
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def store_benchmarks(con: duckdb.DuckDBPyConnection, benchmarks: Benchmarks, upload_id: int) -> None:
    """Write inside the caller's transaction. A council new to the store is added under DfE's name; one already
    stored keeps its name, since a file never renames a council (`compare_with_store` warns where they differ),
    unless it was stored under its bare code by a monthly return, and gains a region or old code it lacked."""
    if not benchmarks.councils.empty:
        con.register("_councils", benchmarks.councils)
        try:
            con.execute(
                "INSERT INTO councils (la_code, name, region, old_la_code)"
                " SELECT la_code, name, region, old_la_code FROM _councils ON CONFLICT (la_code) DO UPDATE SET"
                " name = CASE WHEN councils.name = councils.la_code THEN excluded.name ELSE councils.name END,"
                " region = coalesce(councils.region, excluded.region),"
                " old_la_code = coalesce(councils.old_la_code, excluded.old_la_code)")
        finally:
            con.unregister("_councils")
    insert_frame(con, "benchmarks", benchmarks.values.assign(upload_id=upload_id))
    if not benchmarks.neighbours.empty:
        # Earlier groups of the same model stay stored: the latest loaded upload is the one shown.
        insert_frame(con, "neighbours", benchmarks.neighbours.assign(upload_id=upload_id))
