"""Counts and marks in words, the same on the pages, in error messages and at the command line."""
from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """"1 value", "3 values", "1,204 values": a count with its noun agreeing."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


LOCAL_MARK = " (local)"
"""Ends the name of a council's own (local) KPI wherever it is shown, so no one takes it for a statutory measure
with national comparators."""
