"""Statistical-neighbour tables in the shapes they are published in, read into each council's ten neighbours.

Three shapes are in use: DfE's 2021 groupings (`LA num, LA Name, LA number, GOInd,
GOReg, SN1, SNP, SN2, SNP, ...` with a trailing empty column), DfE's 2025 model
(`old_la_code, la_name, region_ind, region_name, SN_1, SN_1P, ...`) and LAIT's
workbook (title rows above `LA num, LA Name, SN1 ... SN10`). All name councils by
DfE's 3-digit number, which the store maps to the 9-character code once a DfE
benchmark file has named every council with both.

The model's name is what a council chooses between on the Benchmarks page, so the
same model must get the same name whichever shape it came in: the year is taken
from the title rows above the header, else the file's name, else the shape, which
only one DfE release used.
"""
from __future__ import annotations

import re

from ingest.issues import FirstIssues, Issue, cell_ref
from ingest.layouts import NEIGHBOUR_CODE_HEADERS, Layout
from ingest.readers import Sheet

RANKS = range(1, 11)
SHAPE_YEARS = {2021: {"lanum", "goind", "snp"}, 2025: {"oldlacode", "regionind", "sn1p"}}
"""Headers only one DfE release's table has together, for a file renamed without its year."""
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
LOAD_DFE_FIRST = ("Upload a DfE benchmark file (such as children looked after) first: it names every council with "
                  "its old and new codes.")


def model_name(file_name: str, sheet: Sheet, layout: Layout) -> str:
    """'DfE statistical neighbours 2021' or '... 2025' when the year can be told, else the file's name, so that two
    undated tables are never taken for the same model."""
    titles = [str(cell) for row in sheet.rows[:layout.header_row] for cell in row
              if isinstance(cell, str) and re.search(r"neighbour|model", cell, re.IGNORECASE)]
    for text in (*titles, file_name):
        found = YEAR.search(text)
        if found:
            return f"DfE statistical neighbours {found.group(1)}"
    for year, headers in SHAPE_YEARS.items():
        if headers <= set(layout.columns):
            return f"DfE statistical neighbours {year}"
    return f"Statistical neighbours ({file_name})"


def old_code(value: object) -> str:
    """DfE's 3-digit council number as text, whether the cell held 879, 879.0 or ' 879 '."""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def read_neighbours(file_name: str, sheet: Sheet, layout: Layout,
                    known: dict[str, str]) -> tuple[list[tuple[str, str, str, int]], list[Issue]]:
    """(council, neighbour, model, rank) rows in 9-character codes; `known` maps 3-digit numbers to those codes.

    A number not known yet is named in a warning and its council or neighbour left out; when no council at all
    is known the table is refused, saying which file to load first, rather than loading nothing.
    """
    model = model_name(file_name, sheet, layout)
    cols = layout.columns
    code_column = next(cols[h] for h in NEIGHBOUR_CODE_HEADERS if h in cols)
    rank_columns = [(rank, cols[f"sn{rank}"]) for rank in RANKS if f"sn{rank}" in cols]
    rows: list[tuple[str, str, str, int]] = []
    unknown: set[str] = set()
    first_row: dict[str, int] = {}
    found = FirstIssues(file_name, sheet.name)
    for r in range(layout.header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if row[code_column] is None:
            continue
        council = old_code(row[code_column])
        if council in first_row:
            found.add((r,), "duplicate", lambda r=r, council=council: Issue(
                "error", file_name, sheet.name, cell_ref(r, code_column), "duplicate",
                f"Council {council} is listed twice (also at {cell_ref(first_row[council], code_column)})", council,
                "Keep one row per council: the table must be an unedited DfE download."))
            continue
        first_row[council] = r
        if council not in known:
            unknown.add(council)
            continue
        for rank, column in rank_columns:
            neighbour = None if row[column] is None else old_code(row[column])
            if neighbour in known:
                rows.append((known[council], known[neighbour], model, rank))
            elif neighbour:
                unknown.add(neighbour)
    issues = found.issues()
    if unknown and not rows:
        issues.append(Issue("error", file_name, sheet.name, None, "neighbours_no_known_councils",
                            "None of the councils in this statistical-neighbour table is known yet, so nothing "
                            "could be loaded", ", ".join(sorted(unknown)[:10]), LOAD_DFE_FIRST))
    elif unknown:
        issues.append(Issue("warning", file_name, sheet.name, None, "neighbours_unknown_councils",
                            f"{len(unknown)} council numbers are not known yet, so their neighbours were skipped",
                            ", ".join(sorted(unknown)[:10]), LOAD_DFE_FIRST))
    return rows, issues
