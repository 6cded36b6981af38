"""What a person sees when something goes wrong: a refusal in its own words, a bug as a reference number.

Pages catch the product's one refusal type (`store.errors.Refused`) in one place,
`ui.feedback.refusals`; anything else reaches `app.py`, which logs it with a
reference and shows only that reference, never a traceback.
"""
from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

from ingest.issues import UploadRefused
from store.errors import EditRefused, Refused
from tests.find import containing
from ui import data, feedback
from ui.text import unescape


@pytest.mark.shows_bug_reference
def test_a_bug_on_a_page_shows_a_reference_and_logs_it_with_the_traceback(unstarted_app, monkeypatch, caplog):
    called = []

    def broken(*args, **kwargs):
        called.append(args)
        raise KeyError("a programming mistake")

    monkeypatch.setattr(data, "scorecard", broken)
    with caplog.at_level(logging.ERROR, logger="ui.feedback"):
        unstarted_app.run()
    assert not unstarted_app.exception
    assert called, "the overview no longer reads data.scorecard: break something it does read"
    shown = containing(unstarted_app.error, "Something went wrong (ref ").value
    reference = re.search(r"ref ([0-9A-F]{8})", shown).group(1)
    assert "KeyError" not in shown and "programming mistake" not in shown, "no detail of the bug reaches the page"
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info[0] is KeyError, "the log holds the reference and the traceback"


def test_a_refusal_no_page_caught_is_still_shown_in_its_words(unstarted_app, monkeypatch):
    called = []

    def refused(*args, **kwargs):
        called.append(args)
        raise EditRefused("There is no KPI with code 'XYZ' in the catalogue.")

    monkeypatch.setattr(data, "scorecard", refused)
    unstarted_app.run()
    assert not unstarted_app.exception
    assert called, "the overview no longer reads data.scorecard: break something it does read"
    assert containing(unstarted_app.error, "There is no KPI with code").value
    assert not [e for e in unstarted_app.error if "Something went wrong" in e.value]


@pytest.mark.parametrize("raise_what,error,after", [
    ("refused", "Nothing was loaded: this file is already loaded as upload 3", "refused"),
    ("nothing", None, "done"),
])
def test_refusals_shows_a_refusal_in_words_and_tells_the_page(raise_what, error, after):
    def script(raise_what: str) -> None:
        import streamlit as st

        from ingest.issues import UploadRefused
        from ui import feedback

        with feedback.refusals("Nothing was loaded") as outcome:
            if raise_what == "refused":
                raise UploadRefused("this file is already loaded as upload 3")
        st.markdown("refused" if outcome.refused else "done")

    app = AppTest.from_function(script, args=(raise_what,), default_timeout=30).run()
    assert [unescape(e.value) for e in app.error] == ([error] if error else [])
    assert [m.value for m in app.markdown] == [after]


def test_refusals_lets_anything_that_is_not_a_refusal_through():
    """A bug inside the block must not pass for "Nothing was loaded": it goes on up, to app.py's reference."""
    with pytest.raises(ValueError):
        with feedback.refusals("Nothing was loaded"):
            raise ValueError("a programming mistake")


def test_a_refusal_carries_its_words():
    assert UploadRefused("upload 4 is already withdrawn").words == "upload 4 is already withdrawn"
    assert isinstance(UploadRefused("x"), Refused) and not isinstance(UploadRefused("x"), ValueError)
