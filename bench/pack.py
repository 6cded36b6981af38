"""Benchmark the board pack: a 20-KPI pack made cold (the process's first, starting chromium), warm (the next, the
browser kept open) and as it was made before (a browser started for every pack, kaleido reloading its page after
every chart), with the time of each stage. The page reads the figures when it opens (its pre-flight needs them),
so its "Make the pack" costs only the pack made from figures already read.

Each run closes the renderer first, so every run has one cold pack. Figures are medians of N runs with min and
max; the machine is small and shared. This prints figures; it is not a test.

    python bench/pack.py [--db PATH] [--runs N]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import kaleido  # noqa: E402

from export import deck, figures, gather, pack, render, workbook  # noqa: E402
from ingest.bootstrap import ensure_ready  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store.connection import connect  # noqa: E402

KPI_COUNT = 20
GOAL_SECONDS = 5.0


def per_pack_browser(figs) -> list[bytes]:
    """The renderer as it was: a browser started for this pack alone, its page reloaded after every chart."""

    async def draw() -> list[bytes]:
        opts = {"format": "png", **figures.SLIDE_SIZE}
        async with kaleido.Kaleido(n=1, path=render.browser_path(), mathjax=False) as browser:
            return list(await asyncio.gather(*(browser.calc_fig(f, opts=dict(opts)) for f in figs)))

    return asyncio.run(draw())


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def line(name: str, samples: list[float]) -> str:
    return (f"  {name:<50} median {statistics.median(samples):6.2f} s   min {min(samples):6.2f}   "
            f"max {max(samples):6.2f}")


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
    period = con.execute("SELECT max(period) FROM observations WHERE la_code = ?", [DEMO_LA_CODE]).fetchone()[0]
    options = gather.PackOptions(DEMO_LA_CODE, "Anyshire (demo)", period or date.today(), codes,
                                 title="Benchmark pack", prepared_by="bench")
    samples: dict[str, list[float]] = {}
    print(f"Board pack benchmark: {len(codes)} KPIs, {args.runs} runs, chromium {render.browser_path()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    for run in range(1, args.runs + 1):
        render.close()
        cold, _ = timed(lambda: pack.build(con, options))
        warm, made = timed(lambda: pack.build(con, options))
        reading, data = timed(lambda: gather.gather(con, options))
        made_from_read, _ = timed(lambda: pack.assemble(data))
        building, figs = timed(lambda: list(pack.charts(data)))
        drawn, images = timed(lambda: pack.render_for_slides(figs))
        before_charts, _ = timed(lambda: per_pack_browser(figs))
        pptx, _ = timed(lambda: deck.build_deck(data, images))
        xlsx, _ = timed(lambda: workbook.build_workbook(data))
        preview, _ = timed(lambda: pack.previews(made.pptx))
        before = reading + building + before_charts + pptx + xlsx
        for name, value in {"whole pack, cold (first in the process)": cold,
                            "whole pack, warm (browser kept open)": warm,
                            "whole pack, before (browser per pack)": before,
                            "made from figures already read (the page, warm)": made_from_read,
                            "  data (gather)": reading, "  chart figures (Plotly)": building,
                            "  charts drawn, warm": drawn, "  charts drawn, before": before_charts,
                            "  pptx": pptx, "  xlsx": xlsx, "  preview of every slide (page only)": preview}.items():
            samples.setdefault(name, []).append(value)
        print(f"  run {run}: cold {cold:.2f} s, warm {warm:.2f} s, before {before:.2f} s "
              f"(load average {os.getloadavg()[0]:.1f})")
    print(f"A {len(codes)}-KPI pack (goal: under {GOAL_SECONDS:.0f} s warm):")
    for name, values in samples.items():
        print(line(name, values))
    warm = statistics.median(samples["whole pack, warm (browser kept open)"])
    print(f"Warm against before: {statistics.median(samples['whole pack, before (browser per pack)']) / warm:.1f}x "
          f"faster; the goal is {'met' if warm < GOAL_SECONDS else 'missed'}")
    con.close()
    render.close()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
