"""Writing validated observations into the store, with provenance, supersession and withdrawal.

Every value keeps the upload it came from. A newer upload for the same council,
KPI and month becomes current and the older value stays in history, so that
withdrawing the newer upload brings the older value back.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from auth import audit
from auth.roles import Actor, require
from etl.store import insert_frame, transaction, utcnow

OBSERVATION_COLUMNS = ["la_code", "kpi_code", "period", "value", "numerator", "denominator", "status_code", "note"]


@dataclass(frozen=True)
class Provenance:
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    kind: str = "monthly"

    @classmethod
    def of_bytes(cls, file_name: str, content: bytes, uploaded_by: str, kind: str = "monthly") -> "Provenance":
        return cls(file_name, hashlib.sha256(content).hexdigest(), len(content), uploaded_by, kind)


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
    rows = frame.reindex(columns=OBSERVATION_COLUMNS).copy()
    rows["period"] = pd.to_datetime(rows["period"]).dt.date
    for column in ("value", "numerator", "denominator"):
        rows[column] = pd.to_numeric(rows[column]).astype("float64")
    for column in ("status_code", "note"):
        rows[column] = rows[column].astype("object").where(rows[column].notna(), None)
    upload_id = con.execute(
        "INSERT INTO uploads (file_name, sha256, size_bytes, kind, uploaded_by, uploaded_at, rows_loaded, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'loaded') RETURNING upload_id",
        [provenance.file_name, provenance.sha256, provenance.size_bytes, provenance.kind,
         provenance.uploaded_by, utcnow(), len(rows)],
    ).fetchone()[0]
    rows["upload_id"] = upload_id
    rows["is_current"] = True
    con.register("_keys", rows[["la_code", "kpi_code", "period"]])
    try:
        con.execute(
            "UPDATE observations SET is_current = FALSE WHERE is_current AND (la_code, kpi_code, period) IN"
            " (SELECT (la_code, kpi_code, period) FROM _keys)"
        )
    finally:
        con.unregister("_keys")
    insert_frame(con, "observations", rows)
    return upload_id


def withdraw_upload(con: duckdb.DuckDBPyConnection, upload_id: int, actor: Actor) -> int:
    """Withdraw an upload; the values it superseded become current again. Returns rows affected."""
    require(actor, "withdraw")
    withdrawn_by = actor.email
    with transaction(con):
        status = con.execute("SELECT status, file_name FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
        if status is None:
            raise LookupError(f"there is no upload {upload_id}")
        if status[0] == "withdrawn":
            raise ValueError(f"upload {upload_id} is already withdrawn")
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
        con.execute("UPDATE targets SET retired_by = ?, retired_at = ? WHERE upload_id = ? AND retired_at IS NULL",
                    [withdrawn_by, utcnow(), upload_id])
        audit.record(con, actor, "withdraw", f"upload {upload_id}: {status[1]}", {"status": "loaded"},
                     {"status": "withdrawn", "rows": affected})
    return affected
