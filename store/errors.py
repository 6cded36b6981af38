"""The one kind of refusal the product makes: every "no" a person can be told in words subclasses `Refused`.

Pages catch `Refused` in one place (`ui.feedback.refusals`) and show its words;
anything else that escapes is a bug, logged with a reference number. So a
programming error can never pass for "Nothing was loaded".
"""
from __future__ import annotations

import sys
from collections.abc import Callable


class Refused(Exception):
    """A request the product declines, with the words to show the person who made it."""

    @property
    def words(self) -> str:
        return str(self)


class UsageRefused(Refused):
    """A command or setting asked for something that cannot be asked for (a month written wrongly, a file name
    with the wrong ending): the command line's exit 2."""


def command_exit(run: Callable[[], int]) -> int:
    """Run a command-line command, and turn a refusal into its words on standard error and the exit code every
    command shares: 2 for a request or setting that cannot be used, 1 for anything else refused or a store that
    could not be used. Anything else is a bug and keeps its traceback.

    DuckDB is imported here, not at the top: the upload reader's child process imports this module's refusals,
    and importing DuckDB there took 170 ms of every upload."""
    import duckdb

    try:
        return run()
    except UsageRefused as exc:
        print(exc.words, file=sys.stderr)
        return 2
    except Refused as exc:
        print(exc.words, file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(f"the database could not be used: {exc}", file=sys.stderr)
        return 1


class StoreBusyError(Refused):
    """Another process holds the database file for writing."""


class EditRefused(Refused):
    """An edit breaks a rule (a value out of range, an unknown KPI, a duplicate); the message says which."""
