"""Statistical disclosure control for papers marked for publication (DOMAIN section 7, DfE practice).

- A count of children from 1 to 5 is shown as `c` (primary suppression). Zero is shown: it names no child.
- A percentage of children is shown only when its total (denominator) is known for the same council and month,
  from the numerator and denominator loaded with it or from the count KPI the catalogue names as its
  `denominator_kpi`, and neither the children it counts nor the rest of the total (those *not* visited, say)
  could be 1 to 5, allowing for the rounding of the percentage as stored and as printed. 0.5% of 815 (4
  children), 99.5% of 815 (4 not visited) and 1.1% of 450 (5 children) are hidden; 50% of 815 is shown; a
  percentage whose total is not known (a 12-month total, a subset of a count) is hidden.
- A rate per 10,000 children is shown only when the count it is worked out from (the catalogue's
  `numerator_kpi`, or the numerator loaded with it) is known for the same month and is not 1 to 5. Its
  denominator, the ONS population aged 0-17, is public but is not a KPI: the count is what a rate gives back.
- Percentages about staff (turnover, agency, vacancies, absence; catalogue `subject` = staff) are not counts of
  children: they are hidden only when a numerator, denominator or their difference loaded with them is 1 to 5.
- A figure that would give a hidden value back is suppressed too (secondary suppression): a change on the
  previous month, a direction of travel or a RAG rating that compares a hidden value; an average that is a
  total of 1 to 5 in disguise (a neighbour average of counts); an SPC centre line, limits and words, which use
  every month, when any month is hidden.
- National and regional counts are rounded to the nearest 10.
- A team's, locality's or service's figure is judged as the council's is; since teams add up to the council, a
  single hidden team count takes the smallest other team's with it, so no subtraction from the council's total
  gives it back.

Everything here is a function of plain values, without Streamlit, so that the property tests can check that
no published table lets a suppressed count be worked out by subtraction.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

SUPPRESSED = "c"
SMALLEST, LARGEST = 1, 5
NOTE = ("c = suppressed (DfE practice for published statistics): a count of 1 to 5 children is not shown, nor is "
        "a figure that could reveal one: a percentage or rate that could stand for 1 to 5 children, or leave 1 to 5 "
        "out (those not visited, say), or whose total is not held for the same month so it cannot be checked; "
        "nor a change, direction, rating or SPC word that compares a hidden figure.")
NOT_SHOWN = "Not shown (could reveal a small number)"
"""What a direction of travel, RAG or SPC word says in place of a comparison with a hidden value."""
COUNT_UNITS = {"count"}
DERIVED_UNITS = {"%", "rate"}
CHILDREN, STAFF = "children", "staff"


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and not pd.isna(value)


def is_small(value: object) -> bool:
    """A count from 1 to 5: the numbers DfE never publishes."""
    return _known(value) and SMALLEST <= float(value) <= LARGEST


def _decimals_held(value: float) -> int:
    """How many decimals a stored number carries: 0.5 has 1; 1.0 has 0, since it may have been a whole number."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def percentage_range(value: float, decimals: int | None = None) -> tuple[float, float]:
    """Every true percentage that could have been stored as `value` and printed with `decimals` decimals.

    The stored value is taken to be rounded to the decimals it carries (50.0 could be 49.5 to 50.5), and the
    printed value to `decimals`; a reader of either learns no more than this range.
    """
    value = float(value)
    ranges = [(value, 0.5 * 10.0 ** -_decimals_held(value))]
    if decimals is not None:
        ranges.append((round(value, decimals), 0.5 * 10.0 ** -decimals))
    return max(0.0, min(v - half for v, half in ranges)), min(100.0, max(v + half for v, half in ranges))


def possible_counts(value: float, total: float, decimals: int | None = None) -> tuple[int, int]:
    """The lowest and highest whole number of children that `value` per cent of `total` could stand for.

    When no whole number fits the range (the total is not exactly the percentage's own, as when a visits
    measure leaves out children placed that week), the whole numbers either side of it, which is what a reader
    working it out would round to.
    """
    low, high = percentage_range(value, decimals)
    total = float(total)
    slack = 1e-9 * max(1.0, total)
    low, high = low * total / 100 - slack, high * total / 100 + slack
    first, last = math.ceil(low), math.floor(high)
    if first > last:
        first, last = math.floor(low), math.ceil(high)
    return max(0, first), min(int(math.ceil(total)), last)


def _meets_small(first: float, last: float) -> bool:
    return first <= LARGEST and last >= SMALLEST


def share_could_be_small(value: float, total: float, decimals: int | None = None) -> bool:
    """Whether `value` per cent of `total` could stand for 1 to 5 children, or leave 1 to 5 out of the total
    (99.5% of 815 visited leaves 4 not visited), allowing for rounding."""
    first, last = possible_counts(value, total, decimals)
    return _meets_small(first, last) or _meets_small(float(total) - last, float(total) - first)


def _total_known(value: object) -> bool:
    return _known(value) and float(value) > 0


def suppressed_values(series: pd.DataFrame, unit: str, base: Sequence[float | None] | None = None, *,
                      decimals: int | None = None, subject: str = CHILDREN) -> list[bool]:
    """Which monthly values of one KPI a publication pack must hide.

    `series` has `value` and, when loaded, `numerator` and `denominator`. `base` holds, row by row, the same
    month's value of the count KPI the catalogue names for the KPI (a percentage's `denominator_kpi`, a rate's
    `numerator_kpi`), None where there is none or it has no value that month. `decimals` are the KPI's printed
    decimals. A count is hidden when it is 1 to 5. A percentage of children is hidden unless a total is known
    and no total known makes it stand for, or leave out, 1 to 5 children; a rate unless the count it comes from
    is known and is not 1 to 5. Loaded numerators and denominators are checked as well: a numerator,
    denominator or difference of 1 to 5 hides the value whatever the subject. Other units (FTE, caseloads) are
    not counts of children and are shown.
    """
    hidden = []
    for i, row in enumerate(series.itertuples(index=False)):
        value = row.value
        if not _known(value):
            hidden.append(False)
            continue
        if unit in COUNT_UNITS:
            hidden.append(is_small(value))
            continue
        if unit not in DERIVED_UNITS:
            hidden.append(False)
            continue
        numerator, denominator = getattr(row, "numerator", None), getattr(row, "denominator", None)
        other = base[i] if base is not None else None
        loaded = [numerator, denominator]
        if _known(numerator) and _known(denominator):
            loaded.append(float(denominator) - float(numerator))
        hide = any(is_small(part) for part in loaded)
        if subject != STAFF and unit == "%":  # anything not known to be about staff is treated as children
            totals = [float(t) for t in (denominator, other) if _total_known(t)]
            hide = hide or not totals or any(share_could_be_small(value, t, decimals) for t in totals)
        elif subject != STAFF:  # a rate per 10,000 children: what it gives back is the count it comes from
            counts = [c for c in (other, numerator) if _known(c)]
            hide = hide or not counts or any(is_small(c) for c in counts)
        hidden.append(bool(hide))
    return hidden


def aligned(base: pd.DataFrame | None, periods: Sequence) -> list[float | None] | None:
    """Another KPI's values month by month for `periods` (None where it has no value), for `suppressed_values`."""
    if base is None:
        return None
    by_month = dict(zip(pd.to_datetime(base["period"]), base["value"]))
    return [by_month.get(month) for month in pd.to_datetime(pd.Series(periods))]


def known_pair(values: Sequence[float | None]) -> tuple[int | None, int | None]:
    """Positions of the latest value and the one before it that are known: what a direction of travel compares."""
    known = [i for i, value in enumerate(values) if _known(value)]
    return (known[-1] if known else None), (known[-2] if len(known) > 1 else None)


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


def teams_hidden(teams: pd.DataFrame, unit: str, *, council_shown: bool, decimals: int | None = None,
                 subject: str = CHILDREN) -> list[bool]:
    """Which teams' figures for one KPI and month a publication hides. `teams` has `value` (and, when loaded,
    `numerator`, `denominator`, and `base`: the same team's value of the KPI's denominator or numerator count).

    Each team is judged as a council's month is (`suppressed_values`). Teams add up to the council, so one hidden
    count beside the council's total and every other team's would come back by subtraction: a second team, the
    smallest shown, is hidden with it (secondary suppression), whenever the council's figure is shown."""
    base = teams["base"].tolist() if "base" in teams else None
    hidden = suppressed_values(teams, unit, base, decimals=decimals, subject=subject)
    if unit in COUNT_UNITS and council_shown and sum(hidden) == 1:
        others = [(float(v), i) for i, (v, h) in enumerate(zip(teams["value"], hidden)) if not h and _known(v)]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def shown(value: object, hidden: bool) -> object:
    """The cell as published: `c` for a hidden value, the number otherwise (numbers stay numbers)."""
    return SUPPRESSED if hidden else value
