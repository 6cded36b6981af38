"""A database the size of a real deployment, for benchmarks: 153 councils × 34 KPIs × 120 months.

The shipped demo (11 councils, 60 months, about 22,000 values) is too small to
show how the queries behave on ten years of every English council's returns
(about 624,000 values). This module builds that database through the product's
own loading path (`ingest.bootstrap.ensure_ready`, then `ingest.load.load_observations`
with one upload per council, as councils would send them), so the store holds
exactly what the real code writes: uploads, provenance and the `is_current` flag.

The demo council stays the home council so the app's default selection has data;
its ten demo neighbours and 142 synthetic councils (E98…, "Bench council 001
(synthetic)") make up the 153. Values come from the demo generator's KPI models
with a fixed seed, so every build is identical. Building takes a while, so an
existing file with the right number of current values is reused.

    python bench/large_db.py [--db PATH] [--rebuild]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import synthetic  # noqa: E402
from ingest.bootstrap import ensure_ready  # noqa: E402
from ingest.load import Provenance, load_observations  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store.connection import CONNECT_CONFIG, connect  # noqa: E402
from store.writes import insert_frame, transaction

DEFAULT_PATH = ROOT / "bench" / "out" / "large.duckdb"
SEED = 20240302
COUNCIL_COUNT = 153
MONTH_COUNT = 120
SYNTHETIC_COUNT = COUNCIL_COUNT - len(synthetic.COUNCILS)
EXPECTED_ROWS = COUNCIL_COUNT * len(synthetic.MODELS) * MONTH_COUNT
BENCH_USER = "benchmark generator"
RATE_KPIS = {"CPP_RATE": "CPP_COUNT", "CLA_RATE": "CLA_COUNT"}
"""KPIs derived from a count per 10,000 children rather than drawn from a model, as in demo.synthetic."""


@dataclass(frozen=True)
class BuildReport:
    """What `build` did, so the benchmark can print it next to its timings."""

    path: Path
    rows: int
    reused: bool
    uploads: int = 0
    rows_loaded: int = 0
    load_seconds: float = 0.0
    upload_ms: tuple[float, ...] = ()

    def describe(self) -> str:
        if self.reused:
            return f"reused {self.path} ({self.rows:,} current observations)"
        return (
            f"built {self.path}: {self.rows:,} current observations; load_observations took "
            f"{self.load_seconds:.1f} s for {self.rows_loaded:,} rows in {self.uploads} uploads "
            f"(median {statistics.median(self.upload_ms):.0f} ms, max {max(self.upload_ms):.0f} ms per upload; "
            f"{self.rows_loaded / self.load_seconds:,.0f} rows/s)"
        )


def bench_months() -> pd.DatetimeIndex:
    """Ten years ending at the demo's last month, so the demo's 60 months are the newest half."""
    return pd.date_range(end=synthetic.LAST_MONTH, periods=MONTH_COUNT, freq="MS")


def synthetic_councils() -> pd.DataFrame:
    """The 142 made-up councils; E98 is no ONS prefix, so they cannot clash with a real or demo council."""
    numbers = range(1, SYNTHETIC_COUNT + 1)
    return pd.DataFrame(
        {
            "la_code": [f"E98{n:06d}" for n in numbers],
            "name": [f"Bench council {n:03d} (synthetic)" for n in numbers],
            "region": "Bench region (synthetic)",
            "is_demo": True,
        }
    )


def council_values(la_code: str, periods: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Every KPI for one council over `periods`, drawn from the demo's models at a council-sized scale."""
    scale = float(rng.uniform(0.6, 1.5))
    series = {}
    for code, model in synthetic.MODELS.items():
        if code in RATE_KPIS:
            continue
        offset = 0.0 if model.integer else float(rng.normal(0, model.noise * 1.5))
        kpi_scale = scale if model.integer or code == "SW_FTE" else 1.0
        series[code] = synthetic._series(code, model, periods, rng, kpi_scale, offset, events=False)
    population = synthetic.CHILD_POPULATION * scale
    for rate, count in RATE_KPIS.items():
        series[rate] = np.round(series[count] / population * 10_000, 1)
    return pd.concat(
        [pd.DataFrame({"la_code": la_code, "kpi_code": code, "period": periods, "value": series[code]})
         for code in synthetic.MODELS],
        ignore_index=True,
    )


def current_rows(path: Path) -> int:
    """Current observations in an existing file; 0 when it is missing or unreadable (a half-finished build)."""
    if not path.exists():
        return 0
    try:
        con = duckdb.connect(str(path), read_only=True, config=CONNECT_CONFIG)
    except duckdb.Error:
        return 0
    try:
        return con.execute("SELECT count(*) FROM observations WHERE is_current").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def build(path: Path = DEFAULT_PATH, *, rebuild: bool = False) -> BuildReport:
    """Make the large database at `path`, or reuse it when it already holds the expected rows."""
    if not rebuild and current_rows(path) == EXPECTED_ROWS:
        connect(path).close()  # bring an older file's schema up to date, as the app does at start
        return BuildReport(path, EXPECTED_ROWS, reused=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(path)
    try:
        ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
        rows_loaded, upload_ms = _load_councils(con)
    finally:
        con.close()
    rows = current_rows(path)
    if rows != EXPECTED_ROWS:
        raise RuntimeError(f"{path} holds {rows:,} current observations, expected {EXPECTED_ROWS:,}")
    return BuildReport(path, rows, reused=False, uploads=len(upload_ms), rows_loaded=rows_loaded,
                       load_seconds=sum(upload_ms) / 1000, upload_ms=tuple(upload_ms))


def _load_councils(con: duckdb.DuckDBPyConnection) -> tuple[int, list[float]]:
    """Add the synthetic councils and the older five years of the demo councils; returns rows and ms per upload.

    Only `load_observations` is timed: generating values is the benchmark's cost, not the product's.
    """
    rng = np.random.default_rng(SEED)
    months = bench_months()
    older = months[months < synthetic.months()[0]]
    councils = synthetic_councils()
    with transaction(con):
        insert_frame(con, "councils", councils)
    work = [(code, older) for code in synthetic.COUNCILS["la_code"]] + [(code, months) for code in councils["la_code"]]
    rows_loaded, upload_ms = 0, []
    for la_code, periods in work:
        frame = council_values(la_code, periods, rng)
        content = frame.to_csv(index=False).encode()
        provenance = Provenance.of_bytes(f"{la_code}_monthly.csv (synthetic)", content, BENCH_USER, kind="bench")
        start = time.perf_counter()
        load_observations(con, frame, provenance)
        upload_ms.append((time.perf_counter() - start) * 1000)
        rows_loaded += len(frame)
    return rows_loaded, upload_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/large_db.py", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_PATH, help=f"database file (default {DEFAULT_PATH})")
    parser.add_argument("--rebuild", action="store_true", help="build afresh even when the file can be reused")
    args = parser.parse_args(argv)
    print(build(args.db, rebuild=args.rebuild).describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
