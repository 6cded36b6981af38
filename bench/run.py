"""Benchmark the pages' queries and warm reruns on a deployment-sized database, and judge them against the goals.

Goals: the overview's warm rerun (what a user waits for after touching a widget)
under 300 ms, and every page query under 20 ms so that a cache miss stays quick.
Queries are timed as ui.data runs them on a cache miss (a short-lived connection
per query, `store.connection.open_store`) and, to show where that time goes, alone on
one open connection. The machine is small and noisy, so every figure is the
median of N runs after a warm-up call, with min and max beside it. This is a
benchmark that prints figures, not a test that fails.

    python bench/run.py [--db PATH] [--repeat N] [--rebuild]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import kpi, variation  # noqa: E402
from bench.large_db import DEFAULT_PATH, build  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store import queries
from store.connection import open_store  # noqa: E402

QUERY_GOAL_MS = 20.0
OVERVIEW_GOAL_MS = 300.0
APP = ROOT / "app.py"

Query = Callable[[duckdb.DuckDBPyConnection], object]


@dataclass(frozen=True)
class Timing:
    """One benchmarked step: its samples in ms and the goal it is judged against, if any."""

    name: str
    samples_ms: list[float]
    goal_ms: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def met(self) -> bool | None:
        return None if self.goal_ms is None else self.median < self.goal_ms


def time_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def repeat_ms(call: Callable[[], object], repeat: int) -> list[float]:
    """Time `repeat` calls after one untimed warm-up, which pays for first-use costs (plans, imports, caches)."""
    call()
    return [time_ms(call) for _ in range(repeat)]


def default_selection(db: Path) -> tuple[date, str]:
    """What the pages show first: the home council's latest month, and the first KPI on the trend page."""
    with open_store(db) as con:
        return queries.months_with_data(con, DEMO_LA_CODE)[-1], queries.catalogue(con)["code"].iloc[0]


def page_queries(until: date, first_kpi: str) -> dict[str, Query]:
    """Each page query with the arguments the pages pass for the default selection."""
    la = DEMO_LA_CODE
    return {
        "councils": queries.councils,
        "catalogue": queries.catalogue,
        "months_with_data": lambda con: queries.months_with_data(con, la),
        "recent_values": lambda con: queries.recent_values(con, la, until),
        "kpi_series": lambda con: queries.kpi_series(con, la, first_kpi, until),
        "targets": lambda con: queries.targets(con, la),
        "england": queries.england,
        "annotations": lambda con: queries.annotations(con, la, first_kpi),
        "history_values (10 years, for SPC)": lambda con: queries.history_values(con, la, until),
        "rag_rules": lambda con: queries.rag_rules(con, la),
        "commentary": lambda con: queries.commentary(con, la, until),
    }


def as_ui_data_runs_it(db: Path, query: Query) -> Callable[[], object]:
    """Open, query, close: what ui.data does on a cache miss, so the file is free for other writers between reads."""
    def call() -> object:
        with open_store(db) as con:
            return query(con)
    return call


def query_timings(db: Path, repeat: int) -> dict[str, list[Timing]]:
    """Page queries through a fresh connection (judged), then alone on one open connection (where the time goes).

    The fresh-connection timings must run while nothing else holds the file open:
    DuckDB keeps one database instance per file while any connection lives, so an
    open connection here would hide the cost of opening the file on every query.
    """
    until, first_kpi = default_selection(db)
    calls = page_queries(until, first_kpi)
    fresh = [Timing(name, repeat_ms(as_ui_data_runs_it(db, query), repeat), QUERY_GOAL_MS)
             for name, query in calls.items()]
    fresh.append(Timing("open_store alone (open + close)", repeat_ms(as_ui_data_runs_it(db, lambda con: None), repeat)))
    with open_store(db) as con:
        alone = [Timing(name, repeat_ms(lambda query=query: query(con), repeat)) for name, query in calls.items()]
        alone.append(Timing("kpi.scorecard (on recent_values)", repeat_ms(scorecard_call(con, calls, until), repeat)))
        alone.append(Timing("variation.icons (SPC for every KPI, 10 years)", repeat_ms(icons_call(con, calls), repeat)))
    return {
        "page queries as ui.data runs them (a fresh connection per query)": fresh,
        "the same queries alone on one open connection, and the scorecard maths": alone,
    }


def icons_call(con: duckdb.DuckDBPyConnection, calls: dict[str, Query]) -> Callable[[], pd.DataFrame]:
    """SPC variation and assurance for every KPI of the home council over its whole history."""
    inputs = [calls[name](con) for name in ("catalogue", "history_values (10 years, for SPC)", "targets")]
    rebases = queries.all_rebases(con, DEMO_LA_CODE)
    return lambda: variation.icons(*inputs, rebases)


def scorecard_call(con: duckdb.DuckDBPyConnection, calls: dict[str, Query], until: date) -> Callable[[], pd.DataFrame]:
    """The scorecard maths alone, its inputs fetched once, as ui.data computes it on a cache miss."""
    inputs = [calls[name](con) for name in ("catalogue", "recent_values", "targets")]
    return lambda: kpi.scorecard(*inputs, until)


def rerun_timings(db: Path, repeat: int) -> dict[str, list[Timing]]:
    """Cold first run and warm reruns of the overview, then of the trend page, in AppTest against `db`.

    The process is fresh, so Streamlit's caches start empty and the first run is truly cold.
    """
    os.environ["DASHBOARD_DB"] = str(db)
    os.environ.pop("DASHBOARD_LA", None)
    at = AppTest.from_file(str(APP), default_timeout=120)
    overview_cold = time_ms(at.run)
    _check_page(at, "KPI overview")
    overview = repeat_ms(at.run, repeat)
    _check_page(at, "KPI overview")
    at.switch_page("views/trend.py")
    trend_cold = time_ms(at.run)
    _check_page(at, "KPI trend")
    trend = repeat_ms(at.run, repeat)
    _check_page(at, "KPI trend")
    return {
        "pages in AppTest (app.py, default council and month)": [
            Timing("overview first run (cold)", [overview_cold]),
            Timing("overview warm rerun", overview, OVERVIEW_GOAL_MS),
            Timing("trend first run (cold page caches)", [trend_cold]),
            Timing("trend warm rerun", trend),
        ]
    }


def _check_page(at: AppTest, title: str) -> None:
    """Refuse to report the timing of an error page as if it were the page."""
    if at.exception:
        raise RuntimeError(f"the app raised: {at.exception[0].message}")
    if not at.title or at.title[0].value != title:
        raise RuntimeError(f"expected the page titled {title!r}, got {[t.value for t in at.title]}")


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"machine: {platform.machine()}, {cores} cores available (nproc), {platform.platform()}\n"
            f"python {platform.python_version()}, duckdb {duckdb.__version__}, streamlit {st.__version__}, "
            f"pandas {pd.__version__}")


def table(sections: dict[str, list[Timing]]) -> str:
    header = f"{'step':<38} {'n':>3} {'median ms':>10} {'min ms':>9} {'max ms':>9} {'goal ms':>8}  verdict"
    lines = [header, "-" * len(header)]
    for title, timings in sections.items():
        lines.append(f"{title}:")
        for t in timings:
            goal = "" if t.goal_ms is None else f"{t.goal_ms:.0f}"
            verdict = {None: "", True: "ok", False: "MISSED"}[t.met]
            lines.append(f"  {t.name:<36} {len(t.samples_ms):>3} {t.median:>10.1f} {min(t.samples_ms):>9.1f} "
                         f"{max(t.samples_ms):>9.1f} {goal:>8}  {verdict}".rstrip())
    return "\n".join(lines)


def verdict(timings: list[Timing]) -> str:
    overview = next(t for t in timings if t.goal_ms == OVERVIEW_GOAL_MS)
    slow = [t for t in timings if t.goal_ms == QUERY_GOAL_MS and not t.met]
    return "\n".join([
        f"overview warm rerun under {OVERVIEW_GOAL_MS:.0f} ms: "
        f"{'MET' if overview.met else 'MISSED'} (median {overview.median:.1f} ms)",
        f"every query under {QUERY_GOAL_MS:.0f} ms: "
        + ("MET" if not slow else "MISSED by " + ", ".join(f"{t.name} ({t.median:.1f} ms)" for t in slow)),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_PATH, help=f"large database (default {DEFAULT_PATH})")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per step after the warm-up (default 20)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even when it can be reused")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    db = args.db.resolve()
    sys.stdout.reconfigure(line_buffering=True)  # keep our lines in order with Streamlit's log lines on stderr
    print(machine())
    print(build(db, rebuild=args.rebuild).describe())
    print(f"database file: {db.stat().st_size / 2**20:.1f} MiB")
    print(f"council {DEMO_LA_CODE}; each step: one warm-up, then {args.repeat} timed runs\n")
    sections = query_timings(db, args.repeat) | rerun_timings(db, args.repeat)
    print(table(sections))
    print()
    print(verdict([t for timings in sections.values() for t in timings]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
