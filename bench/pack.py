"""Benchmark the board pack: a 20-KPI pack's build time by stage, and batched against one-at-a-time charts.

Stages: data (every read and calculation), chart rendering (kaleido and chromium), pptx assembly and xlsx
assembly. Charts are drawn two ways in the same run: batched (one browser start for every chart, as the
product does) and one at a time (a browser start per chart), with the ratio. Each figure is the median of
N runs, with min and max beside it; the machine is small and noisy. This prints figures; it is not a test.

    python bench/pack.py [--db PATH] [--runs N]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from export import deck, figures, gather, pack, render, workbook  # noqa: E402
from ingest.bootstrap import ensure_ready  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store.connection import connect  # noqa: E402

KPI_COUNT = 20


def one_at_a_time(figs) -> list[bytes]:
    return [render.render_png(f, **figures.SLIDE_SIZE) for f in figs]


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def line(name: str, samples: list[float]) -> str:
    return (f"  {name:<34} median {statistics.median(samples):7.2f} s   min {min(samples):7.2f}   "
            f"max {max(samples):7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a dashboard database (default: a fresh copy of the demo)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not render.available():
        print("chromium is not installed: nothing to benchmark (scripts/ensure-chromium installs it)")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="bench-pack-"))
    db = folder / "pack.duckdb"
    if args.db:
        shutil.copy(args.db, db)
    con = connect(db)
    ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
    codes = tuple(con.execute("SELECT code FROM kpis ORDER BY sort_order").df()["code"])[:KPI_COUNT]
    period = max(con.execute("SELECT max(period) FROM observations WHERE la_code = ?", [DEMO_LA_CODE]).fetchone())
    options = gather.PackOptions(DEMO_LA_CODE, "Anyshire (demo)", period or date.today(), codes,
                                 title="Benchmark pack", prepared_by="bench")
    samples: dict[str, list[float]] = {k: [] for k in ("data", "charts batched", "charts one at a time", "pptx",
                                                        "xlsx", "whole pack (batched)", "whole pack (one at a time)")}
    print(f"Board pack benchmark: {len(codes)} KPIs, {args.runs} runs, chromium {render.browser_path()}")
    for run in range(1, args.runs + 1):
        seconds, data = timed(lambda: gather.gather(con, options))
        samples["data"].append(seconds)
        figs = pack.charts(data)
        batched, images = timed(lambda: pack.render_for_slides(figs))
        single, _ = timed(lambda: one_at_a_time(figs))
        samples["charts batched"].append(batched)
        samples["charts one at a time"].append(single)
        seconds, _ = timed(lambda: deck.build_deck(data, images))
        samples["pptx"].append(seconds)
        seconds, _ = timed(lambda: workbook.build_workbook(data))
        samples["xlsx"].append(seconds)
        base = samples["data"][-1] + samples["pptx"][-1] + samples["xlsx"][-1]
        samples["whole pack (batched)"].append(base + batched)
        samples["whole pack (one at a time)"].append(base + single)
        print(f"  run {run}: charts batched {batched:.2f} s, one at a time {single:.2f} s")
    print("Stages (a 20-KPI pack):")
    for name, values in samples.items():
        print(line(name, values))
    ratio = statistics.median(samples["charts one at a time"]) / statistics.median(samples["charts batched"])
    print(f"Chart rendering, one at a time / batched: {ratio:.1f}x "
          f"({statistics.median(samples['charts batched']) / len(codes):.2f} s per chart batched)")
    con.close()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
