"""Find what a page shows by its words, columns, label or key, never by its position on the page.

An index (the second Markdown, the first dataframe) names whatever happens to be there: a new line, note or
table above it moves every index, and the test then fails for no reason, or passes while checking something else.
These look an element up by what it is, and fail saying what was on the page when it is not there or not
the only one. A widget with a key is found by its key (`app.button(key="confirm_load")`); `widget` is for one
without a key.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ui.text import unescape


def texts(elements: Iterable) -> list[str]:
    """The text of each element (a title, Markdown, caption or alert), in page order."""
    return [element.value for element in elements]


def containing(elements: Iterable, text: str, *, unescaped: bool = False):
    """The one element whose text contains `text`, so a call on its own asserts the page says it once.

    With `unescaped`, an element's text is read as a reader sees it (`ui.text.md`'s escapes undone)."""
    elements = list(elements)
    shown = [unescape(element.value) if unescaped else element.value for element in elements]
    found = [element for element, words in zip(elements, shown) if text in words]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} elements contain {text!r}, not 1; the page shows {shown!r}")
    return found[0]


def frame(elements: Iterable, *columns: str, without: Iterable[str] = ()) -> pd.DataFrame:
    """The one table among `elements` (`app.dataframe`, `app.table`) whose columns include every one of
    `columns` and none of `without`."""
    tables = [element.value for element in elements]
    found = [table for table in tables if set(columns) <= set(table.columns) and not set(without) & set(table.columns)]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} tables have the columns {list(columns)} (and none of {list(without)}),"
                             f" not 1; the tables' columns are {[list(table.columns) for table in tables]!r}")
    return found[0]


def widget(elements: Iterable, label: str):
    """The one widget (or tab or expander) labelled `label`, for one that has no key."""
    elements = list(elements)
    found = [element for element in elements if element.label == label]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} elements are labelled {label!r}, not 1; the labels are "
                             f"{[element.label for element in elements]!r}")
    return found[0]
