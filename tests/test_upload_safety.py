"""Whatever bytes arrive, an upload loads cleanly or is refused with issues, and a killed load leaves no trace.

The property tests feed arbitrary and mutated files through `upload.prepare` and
`upload.commit`; the crash test SIGKILLs a command-line load at random moments
and checks the store holds exactly the state before or exactly the state after.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import upload
from ingest.catalogue import read_catalogue
from ingest.issues import UploadRefused
from settings import DEMO_LA_CODE
from store.connection import connect
from tests import fixtures
from tests.actors import ANALYST

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
TABLES = ["observations", "uploads", "councils", "benchmarks", "neighbours"]
NAMES = ["return.xlsx", "return.xlsm", "return.ods", "return.csv", "return.txt", "return.xls", "return"]
VALID = {
    "long.xlsx": fixtures.xlsx({"Data": fixtures.long_rows({("CONTACTS", "2026-09"): 2500, ("REFERRALS", "Oct-26"): 400,
                                                            ("ASSESS_45WD_PCT", "2026-10"): "88.5%"})}),
    "wide.xlsx": fixtures.messy_wide(),
    "long.csv": b"la_code;kpi;period;value\r\nE99000002;CONTACTS;2026-09;2500\r\n;Referrals received;Oct-26;c\r\n",
    "dfe.csv": fixtures.dfe_tidy_csv(),
    "long.ods": fixtures.ods({"Data": [["kpi", "period", "value"], ["CONTACTS", "2026-08", 2400]]}),
}
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def counts(con) -> dict[str, int]:
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture
def store(demo_db_path):
    con = connect(demo_db_path)
    yield con
    con.close()


def upload_either_loads_or_is_refused(con, name: str, content: bytes) -> None:
    """The property: never an exception; refused means issues to show and an untouched store; a plausibility warning
    holds the load until the values are ticked as checked."""
    before = counts(con)
    plan = upload.prepare(con, name, content, home_la=DEMO_LA_CODE, user="hypothesis", today=TODAY)
    if plan.can_load:
        if plan.checks:  # a value that may be wrong loads only once ticked as checked
            with pytest.raises(UploadRefused):
                upload.commit(con, plan, ANALYST)
            assert counts(con) == before
        upload_id = upload.commit(con, plan, ANALYST, checked=True)
        after = counts(con)
        assert after["uploads"] == before["uploads"] + 1
        assert con.execute("SELECT rows_loaded, status FROM uploads WHERE upload_id = ?",
                           [upload_id]).fetchone() == (plan.row_count, "loaded")
        return
    assert plan.errors or plan.already_loaded_as is not None
    assert all(issue.file == name and issue.message for issue in plan.issues)
    with pytest.raises(UploadRefused):
        upload.commit(con, plan, ANALYST)
    assert counts(con) == before


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """A valid file with bytes flipped, inserted, deleted or cut off, sometimes under another file type's name."""
    name = draw(st.sampled_from(sorted(VALID)))
    content = bytearray(VALID[name])
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(0, len(content) - 1)))
        if action == "flip" and content:
            content[at] = draw(st.integers(0, 255))
        elif action == "insert":
            content[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del content[at:at + draw(st.integers(1, 16))]
        else:
            del content[at:]
    if draw(st.booleans()):
        name = draw(st.sampled_from(NAMES))
    return name, bytes(content)


@PROPERTY_SETTINGS
@given(name=st.sampled_from(NAMES), content=st.binary(max_size=2000))
def test_arbitrary_bytes_load_or_are_refused(store, name, content):
    upload_either_loads_or_is_refused(store, name, content)


@PROPERTY_SETTINGS
@given(file=mutated())
def test_mutated_files_load_or_are_refused(store, file):
    upload_either_loads_or_is_refused(store, *file)


@PROPERTY_SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("kpiodvaluer,;\t\n\r\"c%-0123456789 CONTACTS")), max_size=400))
def test_csv_like_text_loads_or_is_refused(store, text):
    header = "kpi,period,value\n"
    upload_either_loads_or_is_refused(store, "return.csv", (header + text).encode("utf-8"))


def history_csv(path: Path) -> int:
    """The home council's every KPI for ten years, with plausible values: 4,080 rows.

    Its last five years overlap the demo data, so the load also supersedes stored values.
    """
    catalogue = read_catalogue()
    months = pd.period_range("2016-11", "2026-10", freq="M").strftime("%Y-%m")
    frame = pd.MultiIndex.from_product([catalogue["code"], months], names=["kpi", "period"]).to_frame(index=False)
    unit = frame["kpi"].map(dict(zip(catalogue["code"], catalogue["unit"])))
    frame["value"] = ((frame.index % 97) + 1).where(unit.isin(["count", "FTE"]), (frame.index % 89) + 10.5)
    frame.to_csv(path, index=False)
    return len(frame)


def state(db: Path) -> tuple[int, int, int]:
    con = connect(db)
    try:
        return con.execute("SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM uploads),"
                           " (SELECT count(*) FROM observations WHERE is_current)").fetchone()
    finally:
        con.close()


def cli_load(csv: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ingest", "load", str(csv), "--db", str(db)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={"PATH": "/usr/bin:/bin", "DASHBOARD_LA": DEMO_LA_CODE})


def test_sigkill_at_any_moment_leaves_the_store_before_or_after(tmp_path, demo_db_template):
    csv = tmp_path / "history.csv"
    rows = history_csv(csv)
    before = state(demo_db_template)

    reference = tmp_path / "reference.duckdb"
    shutil.copy(demo_db_template, reference)
    started = time.monotonic()
    finished = cli_load(csv, reference)
    out, err = finished.communicate(timeout=300)
    duration = time.monotonic() - started
    assert finished.returncode == 0, err
    after = state(reference)
    assert after[:2] == (before[0] + rows, before[1] + 1)

    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    # Some kills land anywhere in a load. The others land within 10 ms of the write-ahead log appearing (watched
    # every 0.2 ms): the commit is then being appended to the log or checkpointed into the database file,
    # which is the moment that matters; both outcomes occur there.
    moments = [("anywhere", rng.uniform(0.05, 1.1) * duration) for _ in range(2)]
    moments += [("in the commit", rng.uniform(0.0, 0.01)) for _ in range(4)]
    interrupted_commits = 0
    for i, (kind, delay) in enumerate(moments):
        db = tmp_path / f"killed{i}.duckdb"
        shutil.copy(demo_db_template, db)
        wal = Path(f"{db}.wal")
        process = cli_load(csv, db)
        if kind == "in the commit":
            give_up = time.monotonic() + duration * 3
            while not wal.exists() and process.poll() is None and time.monotonic() < give_up:
                time.sleep(0.0002)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        found = state(db)
        assert found in (before, after), f"seed {seed}: kill {i} ({kind}, {delay:.3f}s) left {found}, " \
                                         f"neither {before} nor {after}"
        interrupted_commits += kind == "in the commit" and process.returncode == -signal.SIGKILL
    assert interrupted_commits > 0, f"seed {seed}: every load finished before its kill; nothing was tested"
