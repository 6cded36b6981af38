"""Words people typed or files carried, shown as words: never as Markdown, HTML or a link.

Streamlit renders Markdown (links, images, HTML-looking tags as text, colour directives, LaTeX) in
`st.markdown`, titles, subheaders, captions, alerts, toasts, progress and spinner text, every widget's label,
radio options and every cell of `st.table`. A file name such as `[click](http://evil.example) ![i](http://x/)`
would otherwise be a live link for every reader and make each reader's browser fetch an image from elsewhere.

Every page passes user-supplied text (file names, notes, commentary, council names from files, emails,
recommendation text, owners, error messages that quote a file) through `md` before putting it in Markdown,
and a table through `cells` before `st.table`. Plain-text elements (`st.dataframe`, `st.text`, `st.code`,
selectbox and multiselect options) need neither.
"""
from __future__ import annotations

import re
import string
import unicodedata

import pandas as pd

_INERT = "',;?%\""  # punctuation that starts nothing in Markdown, left as it is so messages read naturally
_PUNCTUATION = re.compile("([" + re.escape("".join(c for c in string.punctuation if c not in _INERT)) + "])")
_ESCAPE = re.compile(r"\\(.)")
_JOINER = "\u2060"  # WORD JOINER: invisible, and it splits the patterns below
# GitHub-flavoured Markdown turns addresses into links after parsing, in the words themselves, so a backslash
# does not stop it: a joiner after a scheme's colon (http:, mailto:), before an address's @ and inside "www."
# does. It also stops :emoji:, :material/icons: and :colour[...] directives.
_AUTOLINKS = re.compile(r"(\\:)(?=[^\s\d])|(?=\\@)|(?i:(?<=www)(?=\\\.))")  # not in a time such as 10:30
# Characters that reorder or hide text (right-to-left overrides, isolates, zero-width marks) and controls.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _shown(value: object) -> str:
    """The characters a reader should see: no controls or bidirectional overrides, which would reorder the words."""
    return "".join(" " if unicodedata.category(c) in ("Zl", "Zp") or c == "\t" else c
                   for c in str(value) if c in "\n\t" or unicodedata.category(c) not in _HIDDEN)


def md(value: object, *, lines: bool = False) -> str:
    """`value` as literal text inside Markdown: every ASCII punctuation character that can start something
    backslash-escaped, so that no link, image, tag, emphasis, heading, list, table, colour directive or formula
    can start and `&` cannot begin an entity, and an invisible word joiner where an address would otherwise
    become a link by itself (`http://`, `www.`, `name@host`). Whitespace
    runs become one space; with `lines=True`, line breaks are kept as Markdown line breaks."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = _shown(value)
    if lines:
        parts = [" ".join(line.split()) for line in text.splitlines()]
        return "  \n".join(_unlinked(_PUNCTUATION.sub(r"\\\1", part)) for part in parts)
    return _unlinked(_PUNCTUATION.sub(r"\\\1", " ".join(text.split())))


def _unlinked(escaped: str) -> str:
    return _AUTOLINKS.sub(lambda found: (found.group(1) or "") + _JOINER, escaped)


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` fit for `st.table`, whose cells are Markdown: every text cell escaped with `md`."""
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = [md(v, lines=True) if isinstance(v, str) else v for v in escaped[column]]
    return escaped


def visible(value: object) -> str:
    """`value` with each hidden character (a control, a right-to-left override, a zero-width mark) written out
    as its code, such as <U+202E>, so a reader can see what a name really held."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in _HIDDEN else c for c in str(value))


def unescape(markdown: str) -> str:
    """The words a reader sees for Markdown made with `md` (for tests and logs)."""
    return _ESCAPE.sub(r"\1", markdown.replace(_JOINER, ""))


def unescape_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The words a reader sees in a table made with `cells` (for tests)."""
    return frame.map(lambda v: unescape(v) if isinstance(v, str) else v)
