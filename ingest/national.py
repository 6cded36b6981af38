"""The national picture the product ships: DfE's published files in `data/national/`, loaded when a store starts.

Every file in the manifest (`data/national/manifest.csv`: file, publication, release, reference date, SHA-256,
licence) is loaded once, as an upload of kind 'national' by "national baseline (shipped)", through the same file
dispatch, recognition and checks as a person's upload (`ingest.upload.prepare` and `commit`), one transaction per
file. So a next year's release is loaded like any upload (`python -m ingest load FILE`) and, being newer, wins for
every figure it holds.

The shipped files are trusted (they come with the product and must match the manifest's hashes), so they are parsed
in this process rather than in the capped child process an upload gets, which nearly doubled a council store's first
start (`bench/national.py` measures both).
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

import duckdb

from auth.roles import Actor
from ingest import dfe, upload
from ingest.load import Provenance
from ingest.parse_worker import parse
from ingest.readers import Sheet, _limits
from settings import DATA_DIR
from store.words import plural

NATIONAL_DIR = DATA_DIR / "national"
NATIONAL_USER = "national baseline (shipped)"
NATIONAL_ACTOR = Actor(NATIONAL_USER, "analyst")
"""Who loads the shipped files: the product itself, with no more rights than an analyst uploading them."""
LOG = logging.getLogger(__name__)
OUTCOME_LOG_LEVELS = {"loaded": logging.INFO, "already": logging.DEBUG, "reference": logging.DEBUG,
                      "councils only": logging.DEBUG, "refused": logging.WARNING, "altered": logging.WARNING}
"""How loudly each outcome is logged: a shipped file that is refused or altered is a fault; the rest are routine."""


@dataclass(frozen=True)
class NationalFile:
    """What became of one shipped file (`outcome`, a key of OUTCOME_LOG_LEVELS): the upload it was loaded as, or
    why it was not loaded."""

    file: str
    outcome: str
    note: str
    seconds: float
    upload_id: int | None = None


def read_trusted(file_name: str, content: bytes) -> list[Sheet]:
    """A shipped file's sheets, parsed in this process by the upload reader's own parser and limits."""
    return [Sheet.from_rows(name, rows, missing, blank="") for name, rows, missing in
            parse(file_name, content, _limits())]


def load_national(con: duckdb.DuckDBPyConnection, *, councils: bool) -> list[int]:
    """Load every shipped national file not loaded yet; returns the new uploads' ids.

    With `councils` False (the synthetic demo's store) only England's and the regions' figures are kept: no real
    council, none of their figures and no neighbour groups. A file that cannot load is skipped, and logged with why,
    so that a start never fails on it.
    """
    return [f.upload_id for f in load_national_files(con, councils=councils) if f.upload_id is not None]


def load_national_files(con: duckdb.DuckDBPyConnection, *, councils: bool,
                        read: upload.Reader = read_trusted) -> list[NationalFile]:
    """`load_national`, saying for each shipped file what became of it and how long it took; `read` parses a file
    (`ingest.readers.read_file`, the child process, to compare)."""
    indicators = dfe.read_mapping()
    outcomes = []
    for entry in dfe.read_manifest().to_dict("records"):
        started = time.perf_counter()
        outcome, note, upload_id = _load_file(con, entry, indicators, councils, read)
        done = NationalFile(entry["file"], outcome, note, time.perf_counter() - started, upload_id)
        LOG.log(OUTCOME_LOG_LEVELS[outcome], "national baseline: %s: %s (%.2f s)", done.file, note, done.seconds)
        outcomes.append(done)
    return outcomes


def _load_file(con: duckdb.DuckDBPyConnection, entry: dict[str, str], indicators: list[dfe.Indicator],
               councils: bool, read: upload.Reader) -> tuple[str, str, int | None]:
    """One shipped file loaded, or not: (outcome, what happened in words, upload id)."""
    name = entry["file"]
    content = (NATIONAL_DIR / name).read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    if sha256 != entry["sha256"]:
        return "altered", (f"not loaded: its SHA-256 is {sha256}, not the manifest's {entry['sha256']}, so it is "
                           "not the file as published"), None
    if dfe.reference_only(entry["publication"], indicators):
        return "reference", "read for reference, not a KPI: nothing to load", None
    councils_only = "not loaded: it holds councils' data only, which this store does not keep"
    if not councils and entry["publication"] not in {i.publication for i in indicators if i.kpi_code}:
        return "councils only", councils_only, None  # neighbour models, inspection outcomes: known without a read
    earlier = con.execute("SELECT upload_id, status FROM uploads WHERE sha256 = ? ORDER BY upload_id DESC LIMIT 1",
                          [sha256]).fetchone()
    if earlier is not None:  # a shipped file an admin withdrew stays withdrawn
        return "already", f"already {earlier[1]} as upload {earlier[0]}", None
    plan = upload.prepare(con, name, content, home_la=dfe.ENGLAND_CODE, user=NATIONAL_USER, read=read)
    if not councils:
        only_benchmarks = plan.benchmarks is not None and plan.row_count == plan.benchmarks.row_count
        if only_benchmarks:
            plan.benchmarks = plan.benchmarks.without_councils()
        if not only_benchmarks or plan.row_count == 0:
            return "councils only", councils_only, None
    if not plan.can_load:
        reason = plan.errors[0].line() if plan.errors else "it holds nothing to load"
        return "refused", f"not loaded ({plural(plan.error_count, 'error')}): {reason}", None
    plan.provenance = Provenance.of_shipped(f"national/{name}", content, NATIONAL_USER, kind="national")
    upload_id = upload.commit(con, plan, NATIONAL_ACTOR)
    release = f"{entry['publication']} {entry['release']}"
    return "loaded", f"loaded {plan.contents()} ({release}) as upload {upload_id}", upload_id
