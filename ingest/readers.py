"""Turning uploaded bytes into sheets of cell values, in a process of their own so no file can harm the server.

The parsing itself lives in `ingest.parse_worker`, run as a child process under a
memory cap and a time limit for every file: a reader that aborts or runs away
ends that child, and the upload is refused in words. This module starts the
child, hands it the file and the limits, and turns its answer into `Sheet`s.
"""
from __future__ import annotations

import atexit
import io
import json
import logging
import pickle
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from collections.abc import Sequence

import numpy as np

from ingest.issues import FileRefused, Issue
from ingest.parse_worker import EXIT_OUT_OF_MEMORY, EncodedColumn, Limits
from settings import ROOT, load_settings

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 1_100_000
MAX_CELLS = 8_000_000
"""A sheet is a rectangle from A1 to its farthest cell: 8 million cells is 1.1 million rows of the seven-column
template with room to spare, and about 450 MB in the reader."""
LOG = logging.getLogger(__name__)


@dataclass(eq=False)
class Sheet:
    """One sheet's cells as a 2-D array of Python values (None for empty), aligned so that cells[0, 0] is A1.

    An array rather than a list per row because a long sheet is checked a column
    at a time: turning 600,000 rows into lists only to take them apart again would
    cost about a second. `rows` gives the lists, one at a time, for code that reads
    row by row.
    """

    name: str
    cells: np.ndarray | list[list[object]]
    formulas_without_values: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Rows given as lists (of any lengths) are padded with None into a rectangle."""
        if not isinstance(self.cells, np.ndarray):
            rows = self.cells
            width = max(map(len, rows), default=0)
            if min(map(len, rows), default=0) < width:
                rows = [row + [None] * (width - len(row)) for row in rows]
            cells = np.array(rows, dtype=object) if rows else np.empty((0, 0), dtype=object)
            self.cells = cells.reshape(len(rows), width)

    @classmethod
    def from_rows(cls, name: str, rows: list[list[object]], formulas_without_values: set[str] | None = None,
                  blank: object = None) -> "Sheet":
        """A sheet from rows as a reader returns them; cells equal to `blank` become None."""
        sheet = cls(name, rows, formulas_without_values or set())
        if blank is not None:
            sheet.cells[sheet.cells == blank] = None
        return sheet

    @property
    def rows(self) -> "Rows":
        return Rows(self.cells)


class Rows(Sequence):
    """A sheet's rows as lists, each made when it is asked for: code that reads the first rows of a sheet, or its
    rows one by one, never pays for listing a long sheet whole (a 620,000-row history takes a second to list)."""

    def __init__(self, cells: np.ndarray):
        self._cells = cells

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, at: int | slice) -> list:
        return self._cells[at].tolist()

    def __eq__(self, other: object) -> bool:
        """Equal to the same rows as lists, as the list this once was."""
        return self[:] == (other[:] if isinstance(other, Rows) else other)

    __hash__ = None


class _Answer(pickle.Unpickler):
    """Unpickles the child's answer allowing only the value types a spreadsheet cell can hold.

    The child has read hostile bytes; should a reader bug ever let a file steer
    it, its answer still cannot make this process build arbitrary objects.
    """

    ALLOWED = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
               ("builtins", "set")}

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")
        return super().find_class(module, name)


def _limits() -> Limits:
    """Read at each call, so that a test lowering a limit here lowers it in the child too."""
    return Limits(MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES, MAX_RATIO, MAX_ROWS, MAX_CELLS)


def _refused(file_name: str, rule: str, message: str, fix: str, found: str | None = None) -> FileRefused:
    return FileRefused(Issue("error", file_name, None, None, rule, message, found, fix))


def read_file(file_name: str, content: bytes) -> list[Sheet]:
    """Every sheet of a workbook, or the single sheet of a CSV, or FileRefused saying why not."""
    settings = load_settings()
    request = json.dumps({"file_name": file_name, "limits": asdict(_limits())}).encode() + b"\n"
    child = _SPARES.take(settings.upload_memory_bytes)
    try:
        stdout, stderr = child.communicate(request + content, timeout=settings.upload_seconds)
    except subprocess.TimeoutExpired as exc:
        _end(child)
        raise _refused(file_name, "too_slow", f"Reading the file took longer than {settings.upload_seconds} seconds, "
                       "so it was stopped", "Split it into smaller files, or remove unused sheets, rows and columns, "
                       "and upload again.") from exc
    except BaseException:  # interrupted: the child must not outlive the read it was started for
        _end(child)
        raise
    finally:
        if _SPARES.wanted:
            _SPARES.ready(settings.upload_memory_bytes)
    if child.returncode in (EXIT_OUT_OF_MEMORY, -6, 134):
        raise _refused(file_name, "too_much_memory", "Reading the file needed more than the "
                       f"{settings.upload_memory_bytes // 2**20:,} MB of memory an upload may use, so it was stopped",
                       "Remove unused sheets, rows and columns, or split it into smaller files, and upload again.",
                       f"exit {child.returncode}")
    if child.returncode != 0:
        LOG.error("upload reader for %r stopped with exit %s: %s", file_name, child.returncode,
                  stderr.decode(errors="replace")[-2000:])
        raise _refused(file_name, "reader_failed", "The file could not be read: the reader stopped unexpectedly",
                       "Open it in Excel, save it again under a new name and upload that. If it still fails, send "
                       "the file to your dashboard admin.", f"exit {child.returncode}")
    kind, value = _Answer(io.BytesIO(stdout)).load()
    if kind == "refused":
        raise FileRefused(Issue(**value))
    return [decoded(*sheet) for sheet in value]


def decoded(name: str, height: int, width: int, columns: list[EncodedColumn], missing: set[str]) -> Sheet:
    """A sheet rebuilt from the reader's columns (`ingest.parse_worker.encode`), a column at a time."""
    cells = np.empty((height, width), dtype=object)
    for at, (kind, *parts) in enumerate(columns):
        if kind == "empty":
            continue
        if kind == "float":
            values = np.frombuffer(parts[0], dtype=np.float64).astype(object)
            if parts[1] is not None:
                values[np.frombuffer(parts[1], dtype=np.bool_)] = None
            for row, cell in parts[2]:
                values[row] = cell
        elif kind == "codes":
            distinct = np.empty(len(parts[1]), dtype=object)
            distinct[:] = parts[1]
            values = distinct[np.frombuffer(parts[0], dtype=np.int32)]
        else:
            values = np.empty(height, dtype=object)
            values[:] = parts[0]
        cells[:, at] = values
    return Sheet(name, cells, missing)


def _end(child: subprocess.Popen) -> None:
    child.kill()
    child.communicate()


def warm_reader() -> None:
    """Start the reader process the next upload will use, and another after each read from now on: for the
    Upload page, where analysts send one file after another. The command line reads its files without one."""
    _SPARES.wanted = True
    _SPARES.ready(load_settings().upload_memory_bytes)


class _Spares:
    """One reader process started ahead of need, per memory cap, waiting for a file on its standard input.

    A reader process takes a tenth of a second to start and import its modules, which
    was most of a monthly return's upload. Each process still reads one file only and
    ends, so no file can leave anything behind for the next; the spare has only
    started, capped its memory and imported. A lock keeps two uploads at once from
    taking the same process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, subprocess.Popen] = {}
        self.wanted = False
        atexit.register(self.stop)

    @staticmethod
    def _start(memory_bytes: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "ingest.parse_worker", str(memory_bytes)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)

    def take(self, memory_bytes: int) -> subprocess.Popen:
        with self._lock:
            child = self._waiting.pop(memory_bytes, None)
        if child is None or child.poll() is not None:
            return self._start(memory_bytes)
        return child

    def ready(self, memory_bytes: int) -> None:
        with self._lock:
            child = self._waiting.get(memory_bytes)
            if child is None or child.poll() is not None:
                self._waiting[memory_bytes] = self._start(memory_bytes)

    def stop(self) -> None:
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for child in waiting:
            _end(child)


_SPARES = _Spares()
