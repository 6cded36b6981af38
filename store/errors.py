"""The one kind of refusal the product makes: every "no" a person can be told in words subclasses `Refused`.

Pages catch `Refused` in one place (`ui.feedback.refusals`) and show its words;
anything else that escapes is a bug, logged with a reference number. So a
programming error can never pass for "Nothing was loaded".
"""
from __future__ import annotations


class Refused(Exception):
    """A request the product declines, with the words to show the person who made it."""

    @property
    def words(self) -> str:
        return str(self)


class StoreBusyError(Refused):
    """Another process holds the database file for writing."""


class EditRefused(Refused):
    """An edit breaks a rule (a value out of range, an unknown KPI, a duplicate); the message says which."""
