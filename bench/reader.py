"""What reading uploads in a capped child process costs, against reading them in the dashboard's own process.

Both contenders run the same parsing code (`ingest.parse_worker.parse`) on the same
bytes, in turns, in one run: "child" is the product's `read_file` (start the
worker, send the file, unpickle the answer, build the sheets); "in process" calls
the parser directly and builds the sheets, as the product did before a 5 KB file
could abort the server. Files: the monthly return the upload benchmark writes and
the regional history (624,000 rows). Prints medians and the ratio.

    python bench/reader.py [--repeat 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import machine  # noqa: E402
from bench.upload import HISTORY_XLSX, ensure_history_files, long_workbook, monthly_frame  # noqa: E402
from ingest import parse_worker, readers  # noqa: E402

MONTHLY_XLSX = ROOT / "bench" / "out" / "monthly_return.xlsx"


def in_process(name: str, content: bytes) -> list[readers.Sheet]:
    parsed = parse_worker.parse(name, content, readers._limits())
    return [readers.Sheet.from_rows(sheet, rows, missing, blank="") for sheet, rows, missing in parsed]


def timed(function, name: str, content: bytes) -> float:
    started = time.perf_counter()
    function(name, content)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/reader.py", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds after one warm-up (default 7)")
    args = parser.parse_args(argv)
    print(machine())
    ensure_history_files(False)
    long_workbook(monthly_frame(), MONTHLY_XLSX)
    for path in (MONTHLY_XLSX, HISTORY_XLSX):
        content = path.read_bytes()
        samples: dict[str, list[float]] = {"child": [], "in process": []}
        for round_ in range(args.repeat + 1):
            for label, function in (("child", readers.read_file), ("in process", in_process)):
                seconds = timed(function, path.name, content)
                if round_:
                    samples[label].append(seconds)
        child, local = (statistics.median(samples[k]) for k in ("child", "in process"))
        print(f"{path.name} ({len(content) / 2**20:.2f} MiB), median of {args.repeat}: child {child * 1000:.0f} ms, "
              f"in process {local * 1000:.0f} ms, child / in process {child / local:.2f}x "
              f"(child min-max {min(samples['child']) * 1000:.0f}-{max(samples['child']) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
