"""Problems found in an uploaded file, each precise enough to fix in Excel in one go."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from openpyxl.utils import get_column_letter

Severity = Literal["error", "warning"]


def cell_ref(row: int, column: int) -> str:
    """An Excel reference such as D14 from 0-based row and column positions."""
    return f"{get_column_letter(column + 1)}{row + 1}"


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

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or "(whole file)"

    def line(self) -> str:
        """One line as the command line prints it: `FILE: SHEET!CELL: message`."""
        found = f" (found {self.found!r})" if self.found is not None else ""
        fix = f" {self.fix}" if self.fix else ""
        return f"{self.file}: {self.location}: {self.message}{found}.{fix}"

    def as_row(self) -> dict[str, str]:
        return {
            "Severity": self.severity,
            "File": self.file,
            "Sheet": self.sheet or "",
            "Cell": self.cell or "",
            "Rule": self.rule,
            "Problem": self.message,
            "Found": "" if self.found is None else str(self.found),
            "How to fix": self.fix,
        }


class FileRefused(Exception):
    """The file cannot be read at all; carries the one issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.line())
        self.issue = issue
