"""Statistical disclosure control for papers marked for publication (DOMAIN section 7, DfE practice).

- A count of children from 1 to 5 is shown as `c` (primary suppression). Zero is shown: it names no child.
- A figure that would give a suppressed count back is suppressed too (secondary suppression): a change on
  the previous month that starts or ends at a suppressed count; an average that is a total of 1 to 5 in
  disguise (a neighbour average of counts); an SPC centre line and limits, which are the mean of every
  month shown, when any month is hidden. The pack shows no other totals of children.
- A percentage or rate worked out from a count of 1 to 5 (its numerator or denominator, or the count a
  rate is computed from) is not shown.
- National and regional counts are rounded to the nearest 10.

Everything here is a function of plain values, without Streamlit, so that the property tests can check that
no published table lets a suppressed count be worked out by subtraction.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

SUPPRESSED = "c"
SMALLEST, LARGEST = 1, 5
NOTE = ("c = suppressed: a count of 1 to 5 children, or a figure that would reveal one, is not shown, "
        "nor is a percentage or rate worked out from one (DfE practice for published statistics).")
COUNT_UNITS = {"count"}
DERIVED_UNITS = {"%", "rate"}
RATE_FROM_COUNT = {"CPP_RATE": "CPP_COUNT", "CLA_RATE": "CLA_COUNT"}
"""Rates per 10,000 children computed from a count in the catalogue: the population is public, so a shown
rate would give the count back."""


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and not pd.isna(value)


def is_small(value: object) -> bool:
    """A count from 1 to 5: the numbers DfE never publishes."""
    return _known(value) and SMALLEST <= float(value) <= LARGEST


def suppressed_values(series: pd.DataFrame, unit: str, base_suppressed: Sequence[bool] | None = None) -> list[bool]:
    """Which monthly values of one KPI a publication pack must hide.

    `series` has `value` and, when known, `numerator` and `denominator`. A count is hidden when it is 1 to 5;
    a percentage or rate when its numerator or denominator is, or when the count it is computed from is
    hidden that month (`base_suppressed`, aligned with the rows). Other units (FTE, caseloads) are not
    counts of children and are shown.
    """
    hidden = []
    for i, row in enumerate(series.itertuples(index=False)):
        if unit in COUNT_UNITS:
            hide = is_small(row.value)
        elif unit in DERIVED_UNITS:
            hide = any(is_small(getattr(row, part, None)) for part in ("numerator", "denominator"))
            hide = hide or bool(base_suppressed is not None and base_suppressed[i])
        else:
            hide = False
        hidden.append(bool(hide and _known(row.value)))
    return hidden


def changes(values: Sequence[float | None], hidden: Sequence[bool]) -> list[float | None]:
    """Each month's change on the month before, hidden (None) where either month is hidden: a difference
    that starts or ends at a suppressed count would give the count back from the other month."""
    out: list[float | None] = [None]
    for i in range(1, len(values)):
        both = _known(values[i]) and _known(values[i - 1])
        out.append(float(values[i]) - float(values[i - 1]) if both and not hidden[i] and not hidden[i - 1]
                   else None)
    return out


def spc_hidden(hidden: Sequence[bool]) -> bool:
    """An SPC chart's centre line is the mean of every month, a total in disguise: with any month hidden it
    would give that month back, so a publication pack draws the plain trend instead."""
    return any(hidden)


def average_hidden(average: float | None, members: int, unit: str) -> bool:
    """An average of counts over `members` areas is their total divided by a known number: hide it when that
    total is 1 to 5."""
    return unit in COUNT_UNITS and _known(average) and members > 0 and is_small(round(float(average) * members))


def round_national(value: float | None, unit: str) -> float | None:
    """National and regional counts to the nearest 10, as DfE publishes them; other units unchanged."""
    if not _known(value) or unit not in COUNT_UNITS:
        return value
    return float(int(math.floor(float(value) / 10 + 0.5)) * 10)


def shown(value: object, hidden: bool) -> object:
    """The cell as published: `c` for a hidden value, the number otherwise (numbers stay numbers)."""
    return SUPPRESSED if hidden else value
