"""Store access for the pages: short-lived connections and results cached by data version.

The database file is opened only while a query runs, so the command line can
load a file while the dashboard is up. Every cached result is keyed by the
file's modification stamp as well as its arguments: a load from anywhere (this
app or the command line) changes the stamp, and the next rerun reads afresh.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator

import duckdb
import pandas as pd
import streamlit as st

from analysis import benchmarking, draft, forecast, kpi, kpi_view
from auth import audit, users
from auth.roles import Actor
from ingest.bootstrap import ensure_ready
from settings import load_settings
from store import queries
from store.connection import connect, open_store
from store.errors import StoreBusyError
from store.writes import transaction

BUSY_WAIT_SECONDS = 10.0


@st.cache_resource(show_spinner="Preparing the database…")
def _prepared(path: str, home_la: str) -> bool:
    """Migrate and seed the store once per process."""
    con = connect(path)
    try:
        ensure_ready(con, home_la, seed_demo=True)
    finally:
        con.close()
    return True


def db_path() -> str:
    settings = load_settings()
    _prepared(str(settings.db_path), settings.home_la)
    return str(settings.db_path)


@contextmanager
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one piece of work; writers must call `refresh()` afterwards."""
    with open_store(db_path(), wait_seconds=BUSY_WAIT_SECONDS) as con:
        yield con


def version() -> tuple[int, int]:
    """Changes whenever the database file (or its write-ahead log) changes."""
    path = db_path()
    stamp = []
    for name in (path, path + ".wal"):
        try:
            info = os.stat(name)
            stamp += [info.st_mtime_ns, info.st_size]
        except FileNotFoundError:
            stamp += [0, 0]
    return tuple(stamp)


def refresh() -> None:
    """Forget every cached result; call after anything writes to the store."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(_query: Callable[..., pd.DataFrame | list], name: str, stamp: tuple, *args) -> pd.DataFrame | list:
    """The query's result for these arguments at this data version. Streamlit cannot hash a function, so the
    function itself is passed unhashed (the leading underscore) and its qualified name keys the cache."""
    with store() as con:
        return _query(con, *args)


def _read(query: Callable[..., pd.DataFrame | list], *args, stamp: tuple | None = None) -> pd.DataFrame | list:
    """`query(con, *args)` from `store.queries`, cached by data version; pass the function, so that "go to
    definition" leads from a page to its SQL."""
    return _cached(query, f"{query.__module__}.{query.__qualname__}", stamp or version(), *args)


def councils() -> pd.DataFrame:
    return _read(queries.councils)


def catalogue() -> pd.DataFrame:
    return _read(queries.catalogue)


def team_values(la_code: str, kpi_code: str, until: date) -> pd.DataFrame:
    return _read(queries.team_values, la_code, kpi_code, until)


def kpis_with_team_values(la_code: str, period: date) -> list[str]:
    return _read(queries.kpis_with_team_values, la_code, period)


def teams(la_code: str) -> pd.DataFrame:
    return _read(queries.teams, la_code)


def months_with_data(la_code: str) -> list[date]:
    return _read(queries.months_with_data, la_code)


def targets(la_code: str) -> pd.DataFrame:
    return _read(queries.targets, la_code)


def england() -> pd.DataFrame:
    return _read(queries.england)



def releases() -> pd.DataFrame:
    return _read(queries.releases)


def uploads() -> pd.DataFrame:
    return _read(queries.uploads)


def live_targets(la_code: str) -> pd.DataFrame:
    return _read(queries.live_targets, la_code)


def team_targets(la_code: str, kpi_code: str) -> pd.DataFrame:
    return _read(queries.team_targets, la_code, kpi_code)


def target_history(la_code: str) -> pd.DataFrame:
    return _read(queries.target_history, la_code)


def rag_rules(la_code: str) -> pd.DataFrame:
    return _read(queries.rag_rules, la_code)


def commentary(la_code: str, period: date) -> pd.DataFrame:
    return _read(queries.commentary, la_code, period)


def rules_by_kpi(la_code: str) -> dict[str, kpi.RagRule]:
    return kpi.rules_from(rag_rules(la_code))


@st.cache_data(show_spinner="Working out the scorecard…", max_entries=64)
def _scorecard(stamp: tuple, la_code: str, until: date) -> pd.DataFrame:
    """RAG from the recent months, SPC icons from the whole history, dated comparators and the month's commentary."""
    with store() as con:
        return kpi_view.read_scorecard(con, la_code, until)


def scorecard(la_code: str, until: date) -> pd.DataFrame:
    return _scorecard(version(), la_code, until)


def peers(la_code: str) -> benchmarking.Peers:
    """What the council's comparators are made of, read once for every KPI."""
    return _read(kpi_view.peers, la_code)


@st.cache_data(show_spinner=False, max_entries=256)
def _view(stamp: tuple, la_code: str, code: str, until: date) -> kpi_view.KpiView:
    card = scorecard(la_code, until).set_index("kpi_code").loc[code]
    shared = kpi_view.Council(catalogue(), england(), targets(la_code), inspections(la_code))
    with store() as con:
        return kpi_view.read(con, la_code, code, until, card, neighbours(la_code), shared)


def kpi_view_of(la_code: str, code: str, until: date) -> kpi_view.KpiView:
    """One KPI's series, targets, comparators, marks and judgement: what every chart of it draws."""
    return _view(version(), la_code, code, until)


@st.cache_data(show_spinner="Forecasting…", max_entries=512)
def _outlook(stamp: tuple, la_code: str, code: str, until: date) -> forecast.KpiOutlook:
    view = kpi_view_of(la_code, code, until)
    marks = view.annotations
    due = marks.loc[marks["kind"] == "due", "period"].tolist() if "kind" in marks else []
    return forecast.for_kpi(view.series, view.unit, str(view.meta["polarity"]), view.kpi_targets, until,
                            name=view.name, rebases=view.rebases["period"], commitments=due,
                            target_text=lambda value: kpi.format_value(value, view.unit, view.decimals))


def outlook(la_code: str, code: str, until: date) -> forecast.KpiOutlook:
    """A KPI's forecast from the month shown and its outlook against its target, worked out once per change of the
    data: fitting the models takes a fraction of a second per KPI."""
    return _outlook(version(), la_code, code, until)


def outlooks(la_code: str, until: date, codes: list[str]) -> dict[str, forecast.KpiOutlook]:
    """Each KPI's outlook, for the Overview's "Will we hit it?" table."""
    return {code: outlook(la_code, code, until) for code in codes}


def draft_of(la_code: str, code: str, until: date) -> str:
    """The dashboard's draft commentary for a KPI's month (`analysis.draft`), from its scorecard row, forecast and
    linked recommendations."""
    view = kpi_view_of(la_code, code, until)
    linked = _read(queries.kpi_due_dates, la_code, code)
    return draft.paragraph(view.card, outlook=outlook(la_code, code, until).sentence,
                           recommendation=draft.recommendation_words(linked))


def upload_contents(upload_id: int) -> pd.DataFrame:
    return _read(queries.upload_contents, upload_id)


def kpi_benchmarks(kpi_code: str, area_type: str) -> pd.DataFrame:
    return _read(queries.kpi_benchmarks, kpi_code, area_type)


def period_end_values(kpi_code: str, month: int) -> pd.DataFrame:
    return _read(queries.period_end_values, kpi_code, month)


def neighbours(la_code: str) -> pd.DataFrame:
    """The council's neighbours under the model in use (its choice, else the newest loaded), so that every page
    compares it with the same ten councils."""
    return benchmarking.neighbours_in_use(neighbour_groups(la_code), neighbour_model(la_code))


def neighbour_groups(la_code: str) -> pd.DataFrame:
    """The council's neighbours under every model loaded, for the choice between them."""
    return _read(queries.neighbours, la_code)


def neighbour_model(la_code: str) -> str | None:
    """The model the council chose; None until it chooses."""
    return _read(queries.neighbour_model, la_code)


def annual_values(kpi_code: str, kpi_group: str) -> tuple[int, pd.DataFrame]:
    """The KPI's year-end month and one value per council and year (DfE figure, else the monthly return)."""
    national = england()
    month = benchmarking.period_end_month(kpi_code, kpi_group, national[national["kpi_code"] == kpi_code])
    return month, benchmarking.annual_values(kpi_benchmarks(kpi_code, "la"), period_end_values(kpi_code, month), month)


def inspections(la_code: str) -> pd.DataFrame:
    return _read(queries.inspections, la_code)


def inspection_history(la_code: str) -> pd.DataFrame:
    return _read(queries.inspection_history, la_code)


def recommendations(la_code: str) -> pd.DataFrame:
    return _read(queries.recommendations, la_code)


def recommendation_log(la_code: str, rec_id: int) -> pd.DataFrame:
    return _read(queries.recommendation_log, la_code, rec_id)


def recommendation_history(la_code: str, rec_id: int) -> pd.DataFrame:
    return _read(queries.recommendation_history, la_code, rec_id)


@st.cache_data(show_spinner=False, max_entries=1024)
def _role(stamp: tuple, email: str) -> str | None:
    with store() as con:
        return users.role_of(con, email)


def role_of(email: str) -> str | None:
    """Keyed by email and data version: a role change shows on the user's next click."""
    return _role(version(), email)


def users_table(reader: Actor) -> pd.DataFrame:
    """Read fresh, never cached: only admins may see it."""
    with store() as con:
        return users.users(con, reader)


def audit_log(reader: Actor, **filters) -> tuple[pd.DataFrame, audit.Verdict]:
    """The filtered log and the check of its fingerprints and of where it ends; read fresh for admins only."""
    with store() as con:
        return audit.entries(con, reader, **filters), audit.check(con)


def record(actor: Actor, action: str, subject: str, after: object = None, *, once: bool = False) -> bool:
    """Audit something that is not itself a write (a sign-in, a download); False when the store stayed busy."""
    try:
        with store() as con, transaction(con):
            (audit.record_once if once else audit.record)(con, actor, action, subject, None, after)
    except StoreBusyError:
        return False
    return True
