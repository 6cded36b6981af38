"""Writing validated observations into the store, with provenance, supersession and withdrawal.

Every value keeps the upload it came from. A newer upload for the same council,
KPI and month becomes current and the older value stays in history, so that
withdrawing the newer upload brings the older value back.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import duckdb
import pandas as pd

from auth import audit
from auth.roles import Actor, require
from ingest.issues import UploadRefused
from ingest.teams import withdraw_breakdowns
from ingest.values import stored_frame
from store.dates import utcnow
from store.writes import insert_frame, transaction

OBSERVATION_COLUMNS = ["la_code", "kpi_code", "period", "value", "numerator", "denominator", "status_code", "note"]


MAX_NAME = 120
"""Characters kept of a file's name: enough for any real return's name, short enough for every table and message."""
MAX_ORIGINAL_NAME = 1000
"""Characters kept of the name exactly as the browser or command line gave it (a name is 255 bytes on disk)."""
_REMOVED = {"Cc", "Cf", "Cs"}  # controls; bidirectional overrides, isolates and zero-width marks; lone surrogates


def safe_file_name(name: str) -> str:
    """The name an upload is known by: the part after the last / or \\ (no folders, no ../), without control
    characters or the invisible ones that reorder or hide text (a right-to-left override makes `gpj.csv`
    read as `vsc.jpg`), spaces collapsed, at most `MAX_NAME` characters with its extension kept, and never empty.
    The name as given is kept beside it (`Provenance.original_file_name`)."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(" " if unicodedata.category(c) in ("Zl", "Zp") or c in "\t\n\r\v\f" else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c) not in _REMOVED)
    text = " ".join(re.split(r"[\\/]", text)[-1].split())
    if text.strip(".") == "":
        text = "upload"
    if len(text) > MAX_NAME:
        stem, dot, suffix = text.rpartition(".")
        suffix = f".{suffix}" if dot and stem and len(suffix) <= 10 else ""
        text = text[:MAX_NAME - len(suffix) - 1].rstrip() + "…" + suffix
    return text


@dataclass(frozen=True)
class Provenance:
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    kind: str = "monthly"
    original_file_name: str | None = None

    @classmethod
    def of_bytes(cls, file_name: str, content: bytes, uploaded_by: str, kind: str = "monthly") -> "Provenance":
        """Provenance of an upload; the name is made safe here, at the boundary, and the original kept."""
        return cls(safe_file_name(file_name), hashlib.sha256(content).hexdigest(), len(content), uploaded_by, kind,
                   original_name(file_name))


    @classmethod
    def of_shipped(cls, label: str, content: bytes, uploaded_by: str, kind: str) -> "Provenance":
        """Provenance of data the product itself loads (the demo), under a label it wrote, such as
        "demo/observations.csv (synthetic)": nobody's upload, so nothing to make safe."""
        return cls(label, hashlib.sha256(content).hexdigest(), len(content), uploaded_by, kind, label)


def original_name(name: str) -> str:
    """The name as given, cut to `MAX_ORIGINAL_NAME`; bytes that were not UTF-8 (possible in a command-line
    path) are written as \\udcXX rather than refused."""
    return str(name).encode("utf-8", "backslashreplace").decode("utf-8")[:MAX_ORIGINAL_NAME]


def find_loaded_upload(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    row = con.execute(
        "SELECT upload_id FROM uploads WHERE sha256 = ? AND status = 'loaded' ORDER BY upload_id DESC LIMIT 1",
        [sha256],
    ).fetchone()
    return None if row is None else row[0]


def load_observations(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, provenance: Provenance) -> int:
    """Load a frame of validated observations as one upload in one transaction; returns the upload id.

    The frame must already be clean (one row per council, KPI and month); a
    failure leaves the store untouched.
    """
    with transaction(con):
        return write_observations(con, frame, provenance)


def write_observations(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, provenance: Provenance) -> int:
    """The body of a load, for callers that hold a transaction of their own."""
    rows = stored_frame(frame, OBSERVATION_COLUMNS)
    upload_id = con.execute(
        "INSERT INTO uploads (file_name, sha256, size_bytes, kind, uploaded_by, uploaded_at, rows_loaded, status,"
        " original_file_name) VALUES (?, ?, ?, ?, ?, ?, ?, 'loaded', ?) RETURNING upload_id",
        [provenance.file_name, provenance.sha256, provenance.size_bytes, provenance.kind,
         provenance.uploaded_by, utcnow(), len(rows), provenance.original_file_name],
    ).fetchone()[0]
    rows["upload_id"] = upload_id
    rows["is_current"] = True
    insert_frame(con, "observations", rows)
    # What this upload replaces, found from its own rows now stored: registering the keys as a second frame cost
    # as much again as the statement.
    con.execute(
        "UPDATE observations SET is_current = FALSE WHERE is_current AND upload_id <> ? AND (la_code, kpi_code, period)"
        " IN (SELECT (la_code, kpi_code, period) FROM observations WHERE upload_id = ?)", [upload_id, upload_id])
    return upload_id


def withdraw_upload(con: duckdb.DuckDBPyConnection, upload_id: int, actor: Actor) -> int:
    """Withdraw an upload; the values it superseded become current again, and the targets and inspections it
    brought are retired. Returns rows affected."""
    require(actor, "withdraw")
    withdrawn_by = actor.email
    with transaction(con):
        status = con.execute("SELECT status, file_name FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
        if status is None:
            raise UploadRefused(f"there is no upload {upload_id}")
        if status[0] == "withdrawn":
            raise UploadRefused(f"upload {upload_id} is already withdrawn")
        con.execute(
            "UPDATE uploads SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = ? WHERE upload_id = ?",
            [withdrawn_by, utcnow(), upload_id],
        )
        affected = con.execute(
            "SELECT count(*) FROM observations WHERE upload_id = ?", [upload_id]
        ).fetchone()[0]
        con.execute(
            """
            UPDATE observations o SET is_current = (o.upload_id = latest.upload_id)
            FROM (
                SELECT la_code, kpi_code, period, max(upload_id) AS upload_id
                FROM observations JOIN uploads USING (upload_id)
                WHERE uploads.status = 'loaded'
                  AND (la_code, kpi_code, period) IN
                      (SELECT (la_code, kpi_code, period) FROM observations WHERE upload_id = ?)
                GROUP BY ALL
            ) latest
            WHERE o.la_code = latest.la_code AND o.kpi_code = latest.kpi_code AND o.period = latest.period
            """,
            [upload_id],
        )
        con.execute("UPDATE observations SET is_current = FALSE WHERE upload_id = ?", [upload_id])
        affected += withdraw_breakdowns(con, upload_id)
        con.execute("UPDATE targets SET retired_by = ?, retired_at = ? WHERE upload_id = ? AND retired_at IS NULL",
                    [withdrawn_by, utcnow(), upload_id])
        con.execute("UPDATE inspections SET retired_by = ?, retired_at = ? WHERE upload_id = ? AND retired_at IS NULL",
                    [withdrawn_by, utcnow(), upload_id])
        audit.record(con, actor, "withdraw", f"upload {upload_id}: {status[1]}", {"status": "loaded"},
                     {"status": "withdrawn", "rows": affected})
    return affected
