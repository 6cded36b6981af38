"""One KPI for one council up to one month: everything its chart and its judgement need, assembled once.

The trend page, Workforce, the improvement plan's charts, the Presentation and the board pack all draw a KPI from
a `KpiView`, so one KPI in one month shows the same points, comparators, marks and words wherever it appears.
Before, each page put the series, targets, England and neighbour points together itself, and the copies disagreed
(the trend chart carried an England marker the pack left out).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import pandas as pd

from analysis import benchmarking, kpi, plan_status, tables
from store import queries

EMPTY_POINTS = pd.DataFrame({"period_end": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float),
                             "with_value": pd.Series(dtype=int)})


@dataclass(frozen=True)
class KpiView:
    """`series` is the council's monthly values up to the month or, with no monthly return, its published annual
    figures (`kind` 'published'); `published` its published figures to mark beside a monthly line. `england` and
    `neighbours` (period_end, value) are the comparators dated at their reference dates, empty for a count or FTE,
    which is not like for like. `card` is the KPI's scorecard row: its judgement in words."""

    code: str
    meta: pd.Series
    until: date
    series: pd.DataFrame
    published: pd.DataFrame
    kpi_targets: pd.DataFrame
    england: pd.DataFrame
    neighbours: pd.DataFrame
    annotations: pd.DataFrame
    rebases: pd.DataFrame
    card: pd.Series

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    @property
    def unit(self) -> str:
        return str(self.meta["unit"])

    @property
    def decimals(self) -> int:
        return int(self.meta["decimals"])

    @property
    def published_only(self) -> bool:
        return bool(len(self.series)) and bool((self.series["kind"] == kpi.PUBLISHED).all())

    @property
    def targets(self) -> list[float | None]:
        return kpi.target_series(self.kpi_targets, self.series["period"])

    @property
    def floors(self) -> list[float | None]:
        return kpi.floor_series(self.kpi_targets, self.series["period"])

    def since(self, start: pd.Timestamp | None) -> KpiView:
        """The same view from `start` (a month), for a chart of the last months: every dated part is cut alike,
        so a window shows no marker from before its first point."""
        if start is None:
            return self
        start = pd.Timestamp(start)

        def cut(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            if frame.empty:
                return frame
            return frame[pd.to_datetime(frame[column]) >= start].reset_index(drop=True)

        return replace(self, series=cut(self.series, "period"), published=cut(self.published, "period_end"),
                       england=cut(self.england, "period_end"), neighbours=cut(self.neighbours, "period_end"))

    def last_months(self, months: int) -> KpiView:
        """The view's last `months` months up to its month (or, for published annual figures, every year)."""
        if self.published_only or self.series.empty:
            return self
        end = pd.Timestamp(self.until)
        return self.since(end - pd.DateOffset(months=months - 1))

    def chart_inputs(self) -> dict:
        """Keyword arguments for `analysis.charts.trend_chart`, the one way a KPI's trend is drawn."""
        return dict(unit=self.unit, decimals=self.decimals, series=self.series, targets=self.targets,
                    floors=self.floors, england=self.england, neighbours=self.neighbours,
                    annotations=self.annotations, published=None if self.published.empty else self.published)


def assemble(code: str, catalogue: pd.DataFrame, until: date, series: pd.DataFrame, published: pd.DataFrame,
             targets: pd.DataFrame, england: pd.DataFrame, annual: pd.DataFrame, neighbours: pd.DataFrame,
             notes: pd.DataFrame, marks: pd.DataFrame, rebases: pd.DataFrame, card: pd.Series) -> KpiView:
    """The view from query results, without a store: what the tests and both readers below share.

    `annual` is every council's value per year (`benchmarking.annual_values`) for the neighbour averages;
    `neighbours` the council's neighbours in the model in use; `marks` the plan's inspection and due-date marks.
    """
    meta = catalogue.set_index("code").loc[code]
    end = pd.Timestamp(until) + pd.offsets.MonthEnd(0)
    start = pd.Timestamp(series["period"].min()) if len(series) else end
    comparable = benchmarking.comparable(str(meta["unit"]))
    national, points = EMPTY_POINTS, EMPTY_POINTS
    if comparable:
        month = benchmarking.period_end_month(code, str(meta["kpi_group"]), england)
        national = england[(england["kpi_code"] == code)]
        national = national[(pd.to_datetime(national["period_end"]) >= start)
                            & (pd.to_datetime(national["period_end"]) <= end)]
        national = national[["year", "period_end", "value"]].reset_index(drop=True)
        points = benchmarking.neighbour_points(annual, neighbours, month)
        points = points[(points["period_end"] >= start) & (points["period_end"] <= end)].reset_index(drop=True)
    only_published = bool(len(series)) and bool((series["kind"] == kpi.PUBLISHED).all())
    return KpiView(
        code=code, meta=meta, until=until, series=series.reset_index(drop=True),
        published=published.iloc[0:0] if only_published else published.reset_index(drop=True),
        kpi_targets=targets[targets["kpi_code"] == code], england=national, neighbours=points,
        annotations=plan_status.with_marks(notes, marks), rebases=rebases, card=card,
    )


@dataclass(frozen=True)
class Council:
    """What every KPI's view of one council shares: read once for a page or a pack of many KPIs, not once a KPI."""

    catalogue: pd.DataFrame
    england: pd.DataFrame
    targets: pd.DataFrame
    inspections: pd.DataFrame


def council(con: duckdb.DuckDBPyConnection, la_code: str) -> Council:
    return Council(queries.catalogue(con), queries.england(con), queries.targets(con, la_code),
                   queries.inspections(con, la_code))


def read(con: duckdb.DuckDBPyConnection, la_code: str, code: str, until: date, card: pd.Series,
         neighbours: pd.DataFrame, shared: Council | None = None) -> KpiView:
    """The view of one KPI from the store; `card` is its scorecard row and `neighbours` the council's neighbours
    in the model it uses (`benchmarking.neighbours_in_use`), both worked out once for every KPI by the caller, as
    `shared` may be."""
    shared = council(con, la_code) if shared is None else shared
    meta = shared.catalogue.set_index("code").loc[code]
    month = benchmarking.period_end_month(code, str(meta["kpi_group"]), shared.england)
    annual = benchmarking.annual_values(queries.kpi_benchmarks(con, code, "la"),
                                        queries.period_end_values(con, code, month), month)
    notes = queries.annotations(con, la_code, code)
    marks = plan_status.chart_marks(shared.inspections, queries.kpi_due_dates(con, la_code, code), notes)
    return assemble(code, shared.catalogue, until, queries.kpi_series(con, la_code, code, until),
                    queries.council_published(con, la_code, code, until), shared.targets, shared.england,
                    annual, neighbours, notes, marks, queries.rebases(con, la_code, code), card)


def peers(con: duckdb.DuckDBPyConnection, la_code: str) -> benchmarking.Peers:
    """What a council's comparators are made of, read once for every KPI: every council's reference-date figures,
    DfE's regional figures, its neighbours in the model in use and its region."""
    region = queries.councils(con).set_index("la_code")["region"].get(la_code)
    neighbours = benchmarking.neighbours_in_use(queries.neighbours(con, la_code), queries.neighbour_model(con, la_code))
    return benchmarking.Peers(queries.year_end_figures(con), queries.region_figures(con), neighbours,
                              region if isinstance(region, str) else None)


def read_scorecard(con: duckdb.DuckDBPyConnection, la_code: str, until: date,
                   codes: Collection[str] | None = None) -> pd.DataFrame:
    """The Overview's scorecard for a council and month, one row per KPI (of `codes`, or all): what the page, the
    board pack and `python -m ingest scorecard` all show."""
    return tables.full_scorecard(
        queries.catalogue(con), queries.recent_values(con, la_code, until), queries.history_values(con, la_code, until),
        queries.targets(con, la_code), queries.england(con), queries.rag_rules(con, la_code),
        queries.all_rebases(con, la_code), queries.commentary(con, la_code, until), until, peers(con, la_code),
        la_code, codes)
