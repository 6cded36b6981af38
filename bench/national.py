"""What loading the shipped national files costs a new store's first start, parsing them in process or in the child.

Each round makes a new store as the first start does (connect and migrate, the catalogue and England figures, then
`ingest.national.load_national_files` for a council's store and for the synthetic demo's), once parsing the shipped
files in this process (what the product does: they are trusted and hashed) and once in the capped child process
every upload gets (`ingest.readers.read_file`). The recognition, checks and loading are the same in both. Prints
medians, the ratio, and each file's median time in process so the slow ones show.

    python bench/national.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import machine  # noqa: E402
from ingest.catalogue import load_reference_data  # noqa: E402
from ingest.national import load_national_files, read_trusted  # noqa: E402
from ingest.readers import read_file  # noqa: E402
from store.connection import connect  # noqa: E402

READERS = {"in process": read_trusted, "child": read_file}


def first_start(folder: Path, councils: bool, read) -> tuple[float, float, dict[str, float], int]:
    """One new store: (whole start in s, national files alone in s, seconds per file, uploads made)."""
    started = time.perf_counter()
    con = connect(folder / f"store-{time.perf_counter_ns()}.duckdb")
    try:
        load_reference_data(con)
        national_started = time.perf_counter()
        outcomes = load_national_files(con, councils=councils, read=read)
        ended = time.perf_counter()
    finally:
        con.close()
    loaded = sum(o.upload_id is not None for o in outcomes)
    return ended - started, ended - national_started, {o.file: o.seconds for o in outcomes}, loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/national.py", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds after one warm-up (default 3)")
    args = parser.parse_args(argv)
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        for councils, store in ((True, "a council's store"), (False, "the demo's store (no real councils)")):
            whole: dict[str, list[float]] = defaultdict(list)
            national: dict[str, list[float]] = defaultdict(list)
            per_file: dict[str, list[float]] = defaultdict(list)
            loaded = 0
            for round_ in range(args.repeat + 1):
                for label, read in READERS.items():
                    total, files, each, loaded = first_start(Path(folder), councils, read)
                    if round_:
                        whole[label].append(total)
                        national[label].append(files)
                        if label == "in process":
                            for name, seconds in each.items():
                                per_file[name].append(seconds)
            local, child = (statistics.median(national[k]) for k in ("in process", "child"))
            print(f"\n{store}: {loaded} uploads, median of {args.repeat}")
            print(f"  first start, in process: {statistics.median(whole['in process']):.2f} s "
                  f"(national files {local:.2f} s)")
            print(f"  first start, child:      {statistics.median(whole['child']):.2f} s "
                  f"(national files {child:.2f} s); child / in process {child / local:.2f}x")
            for name, seconds in per_file.items():
                print(f"    {statistics.median(seconds) * 1000:7.0f} ms  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
