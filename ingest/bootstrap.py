"""First start: make the database the dashboard opens, from shipped files, with no manual step."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analysis import plan_status
from demo.synthetic import PLAN_AS_AT
from ingest.catalogue import load_reference_data
from ingest.load import Provenance, load_observations
from ingest.national import load_national
from records import plan_edits
from settings import DEMO_DIR, DEMO_LA_CODE
from store.dates import utcnow
from store.errors import Refused
from store.writes import insert_frame, transaction

DEMO_USER = "demo data generator"
DEMO_STORE, COUNCIL_STORE = "demo", "council"


class DemoRefused(Refused):
    """Demo data asked for in a store that holds a real council's data."""


def store_kind(con: duckdb.DuckDBPyConnection) -> str | None:
    """'demo' or 'council' once decided; a store never changes kind, so the demo cannot mix with real figures."""
    row = con.execute("SELECT value FROM store_facts WHERE fact = 'kind'").fetchone()
    return None if row is None else row[0]


def _set_kind(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    with transaction(con):
        con.execute("INSERT INTO store_facts VALUES ('kind', ?, ?) ON CONFLICT (fact) DO NOTHING", [kind, utcnow()])


def _decide_kind(con: duckdb.DuckDBPyConnection, home_la: str, seed_demo: bool) -> str | None:
    """A store made before it remembered its kind is a demo store if it holds the demo's upload; a new store is
    the demo only when the app starts it for the demo council. Anything else waits for a real council's code."""
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM uploads").fetchall()}
    if "demo" in kinds:
        return DEMO_STORE
    if kinds - {"national"}:
        return COUNCIL_STORE
    if home_la == DEMO_LA_CODE:
        return DEMO_STORE if seed_demo else None
    return COUNCIL_STORE


def ensure_ready(con: duckdb.DuckDBPyConnection, home_la: str, *, seed_demo: bool = False) -> None:
    """Reference data, the store's kind, the shipped national figures and, for a demo store started by the app
    (`seed_demo`), the synthetic council. Only the app's first start and `python -m ingest demo` seed the demo:
    a command that merely reads never writes fictional councils into a real council's store."""
    if con.execute("SELECT count(*) FROM kpis").fetchone()[0] == 0:
        load_reference_data(con)
    kind = store_kind(con)
    if kind is None:
        kind = _decide_kind(con, home_la, seed_demo)
        if kind is None:
            return
        _set_kind(con, kind)
    if kind == DEMO_STORE and seed_demo:
        _seed(con)
    load_national(con, councils=kind == COUNCIL_STORE)


def seed_demo_store(con: duckdb.DuckDBPyConnection) -> bool:
    """`python -m ingest demo`: make this store the demo's; False when it already was. A council's store refuses."""
    if con.execute("SELECT count(*) FROM kpis").fetchone()[0] == 0:
        load_reference_data(con)
    if (store_kind(con) or _decide_kind(con, DEMO_LA_CODE, seed_demo=True)) != DEMO_STORE:
        raise DemoRefused("This database holds a real council's data, so the synthetic demo is not loaded into it: "
                          "fictional councils would enter its rankings. Load the demo into a new database file "
                          "(python -m ingest demo --db demo.duckdb).")
    _set_kind(con, DEMO_STORE)
    seeded = _seed(con)
    load_national(con, councils=False)
    return seeded


def _seed(con: duckdb.DuckDBPyConnection) -> bool:
    """Load whatever of the synthetic council is missing; a demo store made before the plan existed gets it now."""
    seeded = False
    if not _demo_loaded(con):
        _load_demo(con)
        seeded = True
    if not _demo_plan_loaded(con):
        _load_demo_plan(con)
        seeded = True
    return seeded


def _demo_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM councils WHERE la_code = ?", [DEMO_LA_CODE]).fetchone()[0] > 0


def _load_demo(con: duckdb.DuckDBPyConnection) -> int:
    """The shipped synthetic council; returns the upload id its values carry."""
    path = DEMO_DIR / "observations.csv"
    content = path.read_bytes()
    observations = pd.read_csv(path, dtype={"la_code": str, "kpi": str, "period": str})
    observations = observations.rename(columns={"kpi": "kpi_code"})
    councils = pd.read_csv(DEMO_DIR / "councils.csv", dtype=str)
    councils["is_demo"] = councils["is_demo"].str.lower() == "true"
    neighbours = pd.read_csv(DEMO_DIR / "neighbours.csv", dtype={"la_code": str, "neighbour_code": str, "model": str})
    targets = pd.read_csv(DEMO_DIR / "targets.csv", dtype={"start_period": str, "end_period": str, "glide_until": str})
    annotations = pd.read_csv(DEMO_DIR / "annotations.csv", dtype=str)
    now = utcnow()
    for column in ("start_period", "end_period", "glide_until"):
        targets[column] = pd.to_datetime(targets[column], format="%Y-%m").dt.date
    targets = targets.assign(la_code=DEMO_LA_CODE, created_by=DEMO_USER, created_at=now)
    targets = targets.astype(object).where(targets.notna(), None)
    annotations["period"] = pd.to_datetime(annotations["period"], format="%Y-%m").dt.date
    annotations = annotations.assign(la_code=DEMO_LA_CODE, created_by=DEMO_USER, created_at=now)
    annotations = annotations.astype(object).where(annotations.notna(), None)
    with transaction(con):
        insert_frame(con, "councils", councils)
        insert_frame(con, "neighbours", neighbours)
        insert_frame(con, "targets", targets)
        insert_frame(con, "annotations", annotations)
    provenance = Provenance.of_shipped("demo/observations.csv (synthetic)", content, DEMO_USER, kind="demo")
    return load_observations(con, observations, provenance)


def _demo_plan_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM inspections WHERE la_code = ?", [DEMO_LA_CODE]).fetchone()[0] > 0


def _or_none(value: object) -> object:
    return None if pd.isna(value) else value


def _day(text: str | float) -> date | None:
    return None if pd.isna(text) else date.fromisoformat(text)


def _load_demo_plan(con: duckdb.DuckDBPyConnection) -> None:
    """The synthetic inspections and improvement plan, written through the same checks as the pages, in one go."""
    inspections = pd.read_csv(DEMO_DIR / "inspections.csv", dtype=str)
    recommendations = pd.read_csv(DEMO_DIR / "recommendations.csv", dtype=str)
    log = pd.read_csv(DEMO_DIR / "plan_log.csv", dtype=str)
    with transaction(con):
        ids = {}
        for row in inspections.itertuples(index=False):
            grades = {area: getattr(row, area) for area in plan_status.JUDGEMENT_AREAS if not pd.isna(getattr(row, area))}
            ids[row.key] = plan_edits.insert_inspection(
                con, DEMO_LA_CODE, plan_edits.InspectionInput(row.kind, _day(row.inspected_on), _day(row.published_on),
                                                              row.report_ref, grades), DEMO_USER)
        refs = {}
        for row in recommendations.itertuples(index=False):
            rec = plan_edits.RecommendationInput(row.text, row.area, row.timescale, None, row.owner, row.status,
                                                 _or_none(row.rag), tuple(row.kpi_codes.split(", ")))
            refs[row.ref] = plan_edits.insert_recommendation(
                con, DEMO_LA_CODE, ids.get(_or_none(row.inspection)), _day(row.agreed_on), rec, PLAN_AS_AT,
                DEMO_USER, ref=row.ref, source="demo/recommendations.csv (synthetic)")
        for row in log.itertuples(index=False):
            plan_edits.insert_log_entry(con, DEMO_LA_CODE, refs[row.ref], row.kind, _day(row.noted_on), row.text,
                                        DEMO_USER, source="demo/plan_log.csv (synthetic)")
