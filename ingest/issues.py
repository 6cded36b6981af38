"""Problems found in an uploaded file, each precise enough to fix in Excel in one go."""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

from store.errors import Refused

Severity = Literal["error", "warning"]
SEVERITY_WORDS = {"error": "Error: must be fixed", "warning": "Warning: please check"}

ISSUE_LIMIT = 200
"""At most this many errors are listed for a file: the first in the file's order, then one issue that counts the
rest by rule. A mis-laid-out file can break a rule in every one of a million cells, and a million messages cost
gigabytes and minutes to make and show, while the first 200 already tell the analyst what to fix."""
UNLISTED_RULE = "more_errors"
CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")
RULE_WORDS = {
    "unknown_kpi": "unknown KPIs", "missing_kpi": "rows without a KPI", "bad_period": "months that cannot be read",
    "future_period": "months in the future", "not_a_number": "values that are not numbers",
    "percentage_out_of_range": "percentages outside 0-100", "negative": "negative values",
    "count_not_whole": "counts that are not whole", "missing_value": "empty values",
    "formula_without_value": "formulas without a saved result",
    "percent_for_non_percentage": "% signs on non-percentages",
    "duplicate": "figures given twice", "bad_la_code": "council codes that cannot be read",
    "looks_like_fractions": "percentages typed as fractions", "bad_target": "targets that cannot be read",
    "bad_area": "areas that cannot be read", "bad_timescale": "timescales that cannot be read",
    "bad_due_date": "due dates that cannot be read", "bad_status": "statuses that cannot be read",
    "bad_rag": "RAG ratings that cannot be read", "green_overdue": "overdue actions rated green",
}
"""How the line counting unlisted errors names each rule: in the analyst's words, never the code."""


def column_letter(number: int) -> str:
    """Excel's letters for a 1-based column number (1 is A, 27 is AA, 16,384 is XFD).

    Written here rather than taken from openpyxl because the upload's reader
    process imports this module, and openpyxl would add half a second to its start.
    """
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column number of Excel's letters (A is 1, XFD is 16,384)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def cell_ref(row: int, column: int) -> str:
    """An Excel reference such as D14 from 0-based row and column positions."""
    return f"{column_letter(column + 1)}{row + 1}"


@dataclass(frozen=True)
class Issue:
    severity: Severity
    file: str
    sheet: str | None
    cell: str | None
    rule: str
    message: str
    found: str | None = None
    fix: str = ""
    unlisted: tuple[tuple[str, int], ...] = ()
    """Only on the issue that closes a capped list: the errors it stands for, as (rule, how many)."""
    kpi: str | None = None
    """The catalogue name of the KPI the cell belongs to, when it is known: the analyst finds a row by its KPI."""
    month: str | None = None
    """The month the cell belongs to, as "Oct 2026", when it is known."""

    @property
    def count(self) -> int:
        """How many errors this issue stands for: one, or for the closing issue of a capped list, the unlisted."""
        return sum(n for _, n in self.unlisted) if self.unlisted else 1

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or "(whole file)"

    @property
    def about(self) -> str:
        """The KPI and month the cell belongs to, as far as they are known: "Contacts received, Oct 2026"."""
        return ", ".join(part for part in (self.kpi, self.month) if part)

    def line(self) -> str:
        """One line as the command line prints it: `FILE: SHEET!CELL (KPI, month): message (found ...). fix`."""
        about = f" ({self.about})" if self.about else ""
        found = f" (found {self.found!r})" if self.found is not None else ""
        fix = f" {self.fix}" if self.fix else ""
        return f"{self.file}: {self.location}{about}: {self.message}{found}.{fix}"

    def as_row(self) -> dict[str, str]:
        """The issue as the error table and report show it: in words, with the stable rule code last, for
        automation; the page leaves the code off."""
        return {
            "Type": SEVERITY_WORDS[self.severity],
            "File": self.file,
            "Sheet": self.sheet or "",
            "Cell": self.cell or "",
            "KPI": self.kpi or "",
            "Month": self.month or "",
            "Problem": self.message,
            "Found": "" if self.found is None else str(self.found),
            "How to fix": self.fix,
            "Code": self.rule,
        }


def error_count(issues: Sequence[Issue]) -> int:
    """The number of errors found, the unlisted ones included."""
    return sum(i.count for i in issues if i.severity == "error")


class HasIssues:
    """For a checked file's result that keeps its `issues`: its errors, its warnings and how many errors in all."""

    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def error_count(self) -> int:
        """Every error found: the listed ones and those the closing issue of a long list counts."""
        return error_count(self.issues)


def unlisted_issue(file: str, sheet: str | None, cell: str | None, unlisted: Counter[str] | dict[str, int]) -> Issue:
    """The one issue that follows the listed errors: how many more there are, which rules, and where they start.

    `sheet` and `cell` name the first unlisted error; every other unlisted error comes after it in the file.
    """
    counts = sorted(((rule, n) for rule, n in unlisted.items() if n), key=lambda item: (-item[1], item[0]))
    total = sum(n for _, n in counts)
    rules = ", ".join(f"{n:,} {RULE_WORDS.get(rule, 'other problems')}" for rule, n in counts)
    first = ", the first of them in this cell" if cell else ""
    return Issue("error", file, sheet, cell, UNLISTED_RULE,
                 f"…and {total:,} more {'error' if total == 1 else 'errors'} not listed here ({rules}){first}", None,
                 f"Only the first {ISSUE_LIMIT} errors are listed. Fix them, then upload the file again: the errors "
                 "that remain will be listed.", tuple(sorted(counts)))


def file_order(sheets: Sequence[str]) -> Callable[[Issue], tuple]:
    """A sort key putting issues in the order a reader meets them: sheet by sheet (in the order of `sheets`),
    then row by row; a stable sort keeps the order the checks gave within a row.

    Issues about the whole file come first, those about a whole sheet first in that sheet, and the issue closing
    a capped list after every listed issue in its row.
    """
    positions = {name: i for i, name in enumerate(sheets)}

    def key(issue: Issue) -> tuple:
        where = CELL_REF.fullmatch(issue.cell or "")
        sheet = -1 if issue.sheet is None else positions.get(issue.sheet, len(positions))
        return sheet, int(where[2]) if where else 0, bool(issue.unlisted)

    return key


def cap(issues: list[Issue], sheets: Sequence[str], limit: int = ISSUE_LIMIT) -> list[Issue]:
    """At most `limit` errors, the first in the file's order, then one issue counting the rest; warnings all kept.

    Issues from several checks (each capped already, or not) are merged: the closing issues' counts add up, and
    the new closing issue names the first error left out. Below the limit the list is returned as it was.
    """
    closing = [i for i in issues if i.unlisted]
    errors = [i for i in issues if i.severity == "error" and not i.unlisted]
    if not closing and len(errors) <= limit:
        return issues
    key = file_order(sheets)
    ranked = sorted(errors, key=key)
    listed = {id(i) for i in ranked[:limit]}
    left_out = ranked[limit:]
    counts: Counter[str] = Counter(i.rule for i in left_out)
    for issue in closing:
        counts.update(dict(issue.unlisted))
    first = min(left_out[:1] + closing, key=key)
    kept = [i for i in issues if not i.unlisted and (i.severity != "error" or id(i) in listed)]
    return kept + [unlisted_issue(first.file, first.sheet, first.cell, counts)]


class FirstIssues:
    """Collects the first `limit` errors of one file or sheet by a sort key, and counts the rest by rule.

    An issue is made (`make` is called) only when it may be listed, or when it is the first error left out, so a
    sheet that breaks a rule in a million cells costs a million comparisons rather than a million messages.
    Warnings are always kept.
    """

    def __init__(self, file: str, sheet: str | None = None, limit: int = ISSUE_LIMIT):
        self.file = file
        self.sheet = sheet
        self.limit = limit
        self._listed: list[tuple[tuple, Issue]] = []  # (key + (sequence,), issue), kept sorted
        self._warnings: list[tuple[tuple, Issue]] = []
        self._unlisted: Counter[str] = Counter()
        self._first_left_out: tuple[tuple, Issue] | None = None
        self._sequence = 0

    def _key(self, key: tuple) -> tuple:
        self._sequence += 1
        return (*key, self._sequence)

    def add(self, key: tuple, rule: str, make: Callable[[], Issue], severity: Severity = "error") -> None:
        if severity != "error":
            self._warnings.append((self._key(key), make()))
            return
        full = len(self._listed) >= self.limit
        if not full or key < self._listed[-1][0][:-1]:
            bisect.insort(self._listed, (self._key(key), make()), key=lambda item: item[0])
            if len(self._listed) > self.limit:
                self._leave_out(*self._listed.pop())
        elif self._first_left_out is None or key < self._first_left_out[0][:-1]:
            self._leave_out(self._key(key), make())
        else:
            self._unlisted[rule] += 1

    def count_left_out(self, rule: str, count: int) -> None:
        """Count errors known to come after one already left out, without making them."""
        self._unlisted[rule] += count

    def _leave_out(self, key: tuple, issue: Issue) -> None:
        self._unlisted[issue.rule] += 1
        if self._first_left_out is None or key < self._first_left_out[0]:
            self._first_left_out = (key, issue)

    @property
    def any_errors(self) -> bool:
        return bool(self._listed)

    def issues(self) -> list[Issue]:
        """The listed issues in key order, then the issue counting the rest (when any were left out)."""
        found = [issue for _, issue in sorted(self._listed + self._warnings, key=lambda item: item[0])]
        if self._first_left_out is not None:
            first = self._first_left_out[1]
            found.append(unlisted_issue(self.file, first.sheet, first.cell, self._unlisted))
        return found


class FileRefused(Refused):
    """The file cannot be read at all; carries the one issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.line())
        self.issue = issue


class UploadRefused(Refused):
    """A checked upload cannot be loaded or withdrawn as asked (already loaded, has errors, already withdrawn)."""
