"""Saved KPI selections for board packs ("Corporate parenting board", "Scrutiny"), kept as data in
`data/pack_selections.csv` so a council changes its packs without a code change."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from settings import DATA_DIR
from store.errors import Refused

SELECTIONS_CSV = DATA_DIR / "pack_selections.csv"


class SelectionError(Refused):
    """The selections file cannot be used; the message names the line and the fix."""


def read_selections(known_codes: list[str], path: Path = SELECTIONS_CSV) -> dict[str, list[str]]:
    """Each saved selection's KPI codes in the file's order, checked against the catalogue."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise SelectionError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    if list(frame.columns) != ["selection", "kpi_code"]:
        raise SelectionError(f"{path.name}: the columns must be selection,kpi_code (found {','.join(frame.columns)})")
    known = set(known_codes)
    selections: dict[str, list[str]] = {}
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        name, code = row.selection.strip(), row.kpi_code.strip().upper()
        if not name:
            raise SelectionError(f"{path.name} line {line}: the selection name is empty")
        if code not in known:
            raise SelectionError(f"{path.name} line {line}: {code!r} is not a KPI code in the catalogue")
        codes = selections.setdefault(name, [])
        if code not in codes:
            codes.append(code)
    return selections
