"""First start: make the database the dashboard opens, from shipped files, with no manual step."""
from __future__ import annotations

import duckdb
import pandas as pd

from etl.catalogue import load_reference_data
from etl.load import Provenance, load_observations
from etl.store import insert_frame, transaction, utcnow
from settings import DEMO_DIR, DEMO_LA_CODE

DEMO_USER = "demo data generator"


def ensure_ready(con: duckdb.DuckDBPyConnection, home_la: str) -> None:
    """Load reference data when missing, and the demo council when the demo is what is asked for."""
    if con.execute("SELECT count(*) FROM kpis").fetchone()[0] == 0:
        load_reference_data(con)
    if home_la == DEMO_LA_CODE and not _demo_loaded(con):
        load_demo(con)


def _demo_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM councils WHERE la_code = ?", [DEMO_LA_CODE]).fetchone()[0] > 0


def load_demo(con: duckdb.DuckDBPyConnection) -> int:
    """Load the shipped synthetic council; returns the upload id its values carry."""
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
    provenance = Provenance.of_bytes("demo/observations.csv (synthetic)", content, DEMO_USER, kind="demo")
    return load_observations(con, observations, provenance)
