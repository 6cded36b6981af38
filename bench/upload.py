"""Benchmark the upload path (read, validate, load) against DuckDB's CSV loader and pandas with openpyxl.

Goals (issue 17, "Speed"):
- a monthly return (1 council x 34 KPIs x 12 months, the template's long layout)
  read, validated, checked for plausibility and loaded the way the Upload page does
  it (`ingest.upload.prepare_apart` opening the store for each read, then `commit` on
  a connection of its own, as `ui.uploads` does): under 150 ms; and on one connection
  kept open (`prepare` then `commit`), under 60 ms;
- a regional history (153 councils x 34 KPIs x 120 months, about 620,000 rows)
  in the same layout: the product's read + validate + compare + load of the xlsx
  within 1.5x the time calamine takes to parse the sheet alone, at least 20x faster
  than `pandas.read_excel(engine="openpyxl")` merely reading it, and under 1 GiB of
  peak memory. DuckDB's `read_csv` of the same data as CSV is timed beside them.

The monthly return is timed in this process, after a warm-up, because the app is a
long-running process whose imports and caches are warm. Each regional-history
contender runs in a fresh subprocess (so its peak memory is its own), which
reports its wall time around the work alone and its peak resident set size
(`resource.getrusage(RUSAGE_SELF).ru_maxrss`, read by the subprocess itself,
which includes the interpreter and its imports). The product and DuckDB take
turns so that the machine's noise falls on both; pandas with openpyxl is slow and
runs once. Every product load starts from a fresh copy of a store built the way
the app builds it (`ingest.bootstrap.ensure_ready` with the demo council), so the
upload is compared with, and supersedes, stored values just as it would in use.
This is a benchmark that prints figures, not a test that fails.

The large files are generated once into bench/out/ and reused.

    python bench/upload.py [--repeat N] [--big-repeat N] [--regenerate]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import python_calamine  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from auth.roles import Actor  # noqa: E402
from bench.large_db import SEED, bench_months, council_values, synthetic_councils  # noqa: E402
from bench.run import machine  # noqa: E402
from demo import synthetic  # noqa: E402
from ingest import readers, upload  # noqa: E402
from ingest.bootstrap import ensure_ready  # noqa: E402
from ingest.catalogue import read_catalogue  # noqa: E402
from ingest.template import TEMPLATE_COLUMNS  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store.audit_head import head_path  # noqa: E402
from store.connection import connect, open_store  # noqa: E402

OUT = ROOT / "bench" / "out"
HISTORY_XLSX = OUT / "regional_history.xlsx"
HISTORY_CSV = OUT / "regional_history.csv"
STORE = OUT / "upload_store.duckdb"
SCRATCH = OUT / "scratch"
MONTHLY_GOAL_MS = 150.0
MONTHLY_IN_PROCESS_GOAL_MS = 60.0
CALAMINE_RATIO_GOAL = 1.5
PANDAS_RATIO_GOAL = 20.0
MEMORY_GOAL_MIB = 1024.0
BENCH_USER = "upload benchmark"


def history_frame() -> pd.DataFrame:
    """Ten years of every KPI for the 11 demo councils and 142 synthetic ones, in the template's column names."""
    rng = np.random.default_rng(SEED)
    months = bench_months()
    codes = list(synthetic.COUNCILS["la_code"]) + list(synthetic_councils()["la_code"])
    frame = pd.concat([council_values(code, months, rng) for code in codes], ignore_index=True)
    return frame.rename(columns={"kpi_code": "kpi"})


def monthly_frame() -> pd.DataFrame:
    """The home council's last 12 months as a return it would send: la_code left empty, as the template allows.

    The stored values nudged by about 1% (counts kept whole), as a return revised by its
    sender: most differ, so the preview's diff and the supersession have work to do, and
    none is implausible, so nothing waits for a tick.
    """
    with open_store(STORE) as con:
        frame = con.execute(
            "SELECT la_code, kpi_code AS kpi, period, value FROM observations WHERE is_current AND la_code = ?"
            " AND period > ?::DATE - INTERVAL 12 MONTH AND value IS NOT NULL ORDER BY kpi, period",
            [DEMO_LA_CODE, synthetic.LAST_MONTH.date()]).df()
    rng = np.random.default_rng(SEED + 1)
    nudged = frame["value"] * (1 + rng.normal(0, 0.01, len(frame)))
    whole = frame["value"] == frame["value"].round()
    frame["value"] = np.where(whole, nudged.round(), nudged.round(1))
    return frame.assign(la_code=None)


def long_workbook(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as the template's Data sheet (periods as date cells, as Excel keeps them) and its KPIs sheet.

    openpyxl's write-only mode streams rows, so 620,000 rows fit in little memory.
    The file is written beside its final name and renamed, so an interrupted run
    never leaves a half-written file to be reused.
    """
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("Data")
    data.append(TEMPLATE_COLUMNS)
    periods = pd.to_datetime(frame["period"]).dt.to_pydatetime()
    for la_code, kpi, period, value in zip(frame["la_code"], frame["kpi"], periods, frame["value"].tolist()):
        data.append([la_code, kpi, period, value])
    kpis = workbook.create_sheet("KPIs")
    catalogue = read_catalogue()
    kpis.append(["Code", "Name", "Unit"])
    for row in catalogue[["code", "name", "unit"]].itertuples(index=False):
        kpis.append(list(row))
    partial = path.with_name(path.name + ".partial")
    workbook.save(partial)
    partial.replace(path)


def ensure_history_files(regenerate: bool) -> None:
    if not regenerate and HISTORY_XLSX.exists() and HISTORY_CSV.exists():
        return
    OUT.mkdir(parents=True, exist_ok=True)
    frame = history_frame()
    partial = HISTORY_CSV.with_name(HISTORY_CSV.name + ".partial")
    frame.assign(period=pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d")).to_csv(partial, index=False)
    partial.replace(HISTORY_CSV)
    long_workbook(frame, HISTORY_XLSX)


def build_store() -> None:
    """A store as the app builds it on first start: reference data and the demo councils' five years."""
    for stale in (STORE, STORE.with_name(STORE.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = connect(STORE)
    try:
        ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
    finally:
        con.close()


def fresh_store(name: str) -> Path:
    """A copy of the built store for one load, so every load meets the same stored values."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    path = SCRATCH / name
    for stale in (path.with_name(path.name + ".wal"), head_path(path)):
        stale.unlink(missing_ok=True)
    shutil.copy(STORE, path)
    return path


class PhaseClock:
    """Times prepare's phases from its progress reports, so the breakdown needs no copy of prepare's steps."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, fraction: float, text: str) -> None:
        self.marks.append((text, time.perf_counter()))

    def phases(self, end: float) -> dict[str, float]:
        names = {"Reading the file…": "read", "Checking every cell…": "validate",
                 "Comparing with what is stored…": "compare with store"}
        out = {}
        for (text, start), (_, stop) in zip(self.marks, self.marks[1:] + [("", end)]):
            if text in names:
                out[names[text]] = (stop - start) * 1000
        return out


def timed_upload(db: Path, file_name: str, content: bytes) -> dict[str, float]:
    """What the Upload page does: prepare opening the store for each read, commit on a connection of its own; ms
    per phase, and how many values were held for a check."""
    clock = PhaseClock()
    start = time.perf_counter()
    plan = upload.prepare_apart(lambda: open_store(db), file_name, content, home_la=DEMO_LA_CODE, user=BENCH_USER,
                                progress=clock)
    prepared = time.perf_counter()
    if not plan.can_load:
        raise RuntimeError(f"{file_name} would not load: {[i.line() for i in plan.errors[:5]]}")
    with open_store(db) as con:
        upload.commit(con, plan, Actor(BENCH_USER, "analyst"), checked=True)
    end = time.perf_counter()
    return clock.phases(prepared) | {"commit": (end - prepared) * 1000, "total": (end - start) * 1000,
                                     "rows": float(plan.row_count), "checks": float(len(plan.checks))}


def timed_in_process(db: Path, file_name: str, content: bytes) -> float:
    """The same upload on one connection kept open for both steps: ms."""
    with open_store(db) as con:
        start = time.perf_counter()
        plan = upload.prepare(con, file_name, content, home_la=DEMO_LA_CODE, user=BENCH_USER)
        upload.commit(con, plan, Actor(BENCH_USER, "analyst"), checked=True)
        return (time.perf_counter() - start) * 1000


def monthly_timings(repeat: int) -> tuple[int, list[dict[str, float]]]:
    """The monthly return through the Upload page's path, in this process; each run on a fresh store copy."""
    path = SCRATCH / "monthly_return.xlsx"
    SCRATCH.mkdir(parents=True, exist_ok=True)
    long_workbook(monthly_frame(), path)
    content = path.read_bytes()
    readers.warm_reader()  # as the Upload page does when it shows: each read finds a reader process started
    runs = []
    for i in range(repeat + 1):
        result = timed_upload(fresh_store("monthly.duckdb"), "monthly_return.xlsx", content)
        result["in process"] = timed_in_process(fresh_store("monthly.duckdb"), "monthly_return.xlsx", content)
        if i:
            runs.append(result)
    return len(content), runs


def worker(contender: str, db: Path | None) -> dict[str, float]:
    """One regional-history contender, run in a subprocess: wall ms around the work, rows, and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    phases: dict[str, float] = {}
    if contender == "product":
        phases = timed_upload(db, HISTORY_XLSX.name, HISTORY_XLSX.read_bytes())
        rows = int(phases.pop("rows"))
    elif contender == "duckdb":
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE observations AS SELECT * FROM read_csv(?)", [str(HISTORY_CSV)])
        rows = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        con.close()
    elif contender == "pandas":
        rows = len(pd.read_excel(HISTORY_XLSX, sheet_name="Data", engine="openpyxl"))
    elif contender == "calamine":
        workbook = python_calamine.CalamineWorkbook.from_path(str(HISTORY_XLSX))
        rows = workbook.get_sheet_by_name("Data").height - 1
    else:
        raise ValueError(f"unknown contender {contender!r}")
    ms = (time.perf_counter() - start) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"ms": ms, "rows": rows, "rss_before_mib": before, "peak_rss_mib": peak} | phases


def run_worker(contender: str) -> dict[str, float]:
    db = None
    if contender == "product":
        db = fresh_store("history.duckdb")
    elif contender == "duckdb":
        db = SCRATCH / "read_csv.duckdb"
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", contender]
    if db is not None:
        command += ["--db", str(db)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{contender} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def history_timings(repeat: int) -> dict[str, list[dict[str, float]]]:
    """Product, DuckDB and calamine alone in turns (after one untimed warm-up round), then pandas+openpyxl once."""
    results: dict[str, list[dict[str, float]]] = {"product": [], "duckdb": [], "calamine": [], "pandas": []}
    for i in range(repeat + 1):
        for contender in ("product", "duckdb", "calamine"):
            result = run_worker(contender)
            if i:
                results[contender].append(result)
            print(f"  {'warm-up' if not i else f'run {i}'}: {contender} {result['ms']:.0f} ms, "
                  f"peak RSS {result['peak_rss_mib']:.0f} MiB")
    results["pandas"].append(run_worker("pandas"))
    print(f"  pandas+openpyxl {results['pandas'][0]['ms']:.0f} ms")
    return results


def line(name: str, samples: list[float], goal: str = "", verdict: str = "") -> str:
    return (f"  {name:<44} {len(samples):>3} {statistics.median(samples):>10.1f} {min(samples):>9.1f} "
            f"{max(samples):>9.1f}  {goal:<22} {verdict}").rstrip()


def report(monthly_bytes: int, monthly: list[dict[str, float]], history: dict[str, list[dict[str, float]]]) -> str:
    header = f"  {'step':<44} {'n':>3} {'median ms':>10} {'min ms':>9} {'max ms':>9}  {'goal':<22} verdict"
    out = [header, "-" * len(header)]
    total = [r["total"] for r in monthly]
    out.append(f"monthly return (34 KPIs x 12 months, {int(monthly[0]['rows'])} rows, "
               f"{monthly_bytes / 1024:.0f} KiB xlsx), in process:")
    out.append(line("prepare + commit (the Upload page's path)", total, f"< {MONTHLY_GOAL_MS:.0f} ms",
                    "ok" if statistics.median(total) < MONTHLY_GOAL_MS else "MISSED"))
    for phase in ("read", "validate", "compare with store", "commit"):
        out.append(line(f"  of which {phase}", [r[phase] for r in monthly]))
    in_process = [r["in process"] for r in monthly]
    out.append(line("prepare + commit on one open connection", in_process, f"< {MONTHLY_IN_PROCESS_GOAL_MS:.0f} ms",
                    "ok" if statistics.median(in_process) < MONTHLY_IN_PROCESS_GOAL_MS else "MISSED"))
    out.append(f"  values held for a check: {int(monthly[0]['checks'])}")
    product, duck, pandas_run = (history[k] for k in ("product", "duckdb", "pandas"))
    rows = int(product[0]["rows"])
    out.append(f"regional history (153 councils x 34 KPIs x 120 months, {rows:,} rows; "
               f"xlsx {HISTORY_XLSX.stat().st_size / 2**20:.1f} MiB, csv {HISTORY_CSV.stat().st_size / 2**20:.1f} MiB),"
               " each run in a fresh subprocess:")
    p_ms, d_ms, x_ms = ([r["ms"] for r in runs] for runs in (product, duck, pandas_run))
    out.append(line("product: prepare + commit of the xlsx", p_ms))
    for phase in ("read", "validate", "compare with store", "commit"):
        out.append(line(f"  of which {phase}", [r[phase] for r in product]))
    out.append(line("duckdb read_csv of the csv into a table", d_ms))
    c_ms = [r["ms"] for r in history["calamine"]]
    out.append(line("calamine parse of the Data sheet alone", c_ms))
    out.append(line("pandas.read_excel(engine='openpyxl'), n=1", x_ms))
    p, d, x = statistics.median(p_ms), statistics.median(d_ms), statistics.median(x_ms)
    c = statistics.median(c_ms)
    peak = max(r["peak_rss_mib"] for r in product)
    out.append(f"  values held for a check: {int(product[0]['checks'])}")
    out.append("")
    out.append("ratios of medians and peak memory (peak RSS of each subprocess, ru_maxrss, interpreter included):")
    out.append(f"  product / calamine parse alone = {p / c:5.2f}x   goal <= {CALAMINE_RATIO_GOAL}x   "
               f"{'ok' if p / c <= CALAMINE_RATIO_GOAL else 'MISSED'}")
    out.append(f"  product / duckdb read_csv  = {p / d:5.2f}x (for reference); calamine parse alone / duckdb "
               f"read_csv = {c / d:5.2f}x")
    out.append(f"  pandas+openpyxl / product  = {x / p:5.1f}x   goal >= {PANDAS_RATIO_GOAL:.0f}x    "
               f"{'ok' if x / p >= PANDAS_RATIO_GOAL else 'MISSED'}")
    out.append(f"  product peak RSS           = {peak:5.0f} MiB (max of {len(product)} runs; "
               f"{statistics.median(r['rss_before_mib'] for r in product):.0f} MiB after imports)   "
               f"goal < {MEMORY_GOAL_MIB:.0f} MiB   {'ok' if peak < MEMORY_GOAL_MIB else 'MISSED'}")
    out.append(f"  duckdb peak RSS            = {max(r['peak_rss_mib'] for r in duck):5.0f} MiB; "
               f"pandas+openpyxl peak RSS = {pandas_run[0]['peak_rss_mib']:.0f} MiB")
    return "\n".join(out)


def versions() -> str:
    return ", ".join(f"{name} {version(name)}" for name in ("python-calamine", "openpyxl", "numpy", "pyarrow"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/upload.py", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed monthly uploads after a warm-up (default 20)")
    parser.add_argument("--big-repeat", type=int, default=5,
                        help="timed runs of the product and of DuckDB on the regional history (default 5)")
    parser.add_argument("--regenerate", action="store_true", help="write the regional history files afresh")
    parser.add_argument("--worker", choices=["product", "duckdb", "calamine", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.db)))
        return 0
    if args.repeat < 1 or args.big_repeat < 1:
        parser.error("--repeat and --big-repeat must be at least 1")
    sys.stdout.reconfigure(line_buffering=True)
    print(machine())
    print(versions())
    print(f"run at {datetime.now():%Y-%m-%d %H:%M}; {os.cpu_count()} cpus reported by the OS")
    started = time.perf_counter()
    ensure_history_files(args.regenerate)
    build_store()
    print(f"files and store ready in {time.perf_counter() - started:.1f} s")
    monthly_bytes, monthly = monthly_timings(args.repeat)
    print(f"monthly return: one warm-up, then {args.repeat} timed uploads")
    print(f"regional history: one warm-up round, then {args.big_repeat} timed runs each of product and duckdb")
    history = history_timings(args.big_repeat)
    print()
    print(report(monthly_bytes, monthly, history))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
