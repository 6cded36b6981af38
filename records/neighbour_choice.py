"""A council's choice of statistical-neighbour model, kept as a history: the latest choice counts.

DfE replaced its April 2021 model in May 2025, and a council part-way through an
improvement plan may keep comparing with the neighbours its board has been shown
until it decides to move; so the choice is the council's, recorded with who and when.
"""
from __future__ import annotations

import duckdb

from auth import audit
from auth.roles import Actor, require
from store import queries
from store.dates import utcnow
from store.errors import EditRefused
from store.writes import transaction


def set_neighbour_model(con: duckdb.DuckDBPyConnection, la_code: str, model: str, actor: Actor) -> None:
    """Compare the council with its neighbours under `model` from now on; refused unless that model is loaded
    for the council, so a choice always names neighbours the pages can show."""
    require(actor, "edit_targets")
    with transaction(con):
        loaded = sorted(queries.neighbours(con, la_code)["model"].unique())
        if model not in loaded:
            choices = ", ".join(loaded) or "none is loaded yet"
            raise EditRefused(f"{model!r} is not a statistical-neighbour model loaded for this council ({choices}).")
        before = queries.neighbour_model(con, la_code)
        con.execute("INSERT INTO neighbour_model_choices (la_code, model, chosen_by, chosen_at) VALUES (?, ?, ?, ?)",
                    [la_code, model, actor.email, utcnow()])
        audit.record(con, actor, "neighbour_model_set", la_code, None if before is None else {"model": before},
                     {"model": model})
