"""Session limits: idle time and maximum age end a session, and an ended session stays ended."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from auth.sessions import Clock, Sessions, why_ended
from settings import SettingsError, load_settings

START = datetime(2026, 11, 23, 9, 0)
IDLE = timedelta(minutes=30)
MAX_AGE = timedelta(hours=10)


@pytest.mark.parametrize("signed_in,last_seen,now,reason", [
    (START, START, START + timedelta(minutes=29), None),
    (START, START, START + timedelta(minutes=30), "not used for 30 minutes"),
    (START, START + timedelta(hours=9, minutes=50), START + timedelta(hours=9, minutes=59), None),
    (START, START + timedelta(hours=9, minutes=50), START + timedelta(hours=10), "limit of 10 hours"),
])
def test_a_session_ends_when_idle_or_too_old(signed_in, last_seen, now, reason):
    found = why_ended(Clock(signed_in, last_seen), now, IDLE, MAX_AGE)
    assert found is None if reason is None else reason in found


def test_use_keeps_a_session_alive_until_its_maximum_age():
    sessions = Sessions()
    assert sessions.check("pat", START, START, IDLE, MAX_AGE) == (True, None, False)
    now = START
    while now < START + MAX_AGE - timedelta(minutes=20):
        now += timedelta(minutes=20)
        assert sessions.check("pat", START, now, IDLE, MAX_AGE) == (False, None, False)
    first, reason, newly = sessions.check("pat", START, START + MAX_AGE, IDLE, MAX_AGE)
    assert (first, newly) == (False, True) and "limit of 10 hours" in reason


def test_an_ended_session_stays_ended_even_if_used_again_at_once():
    sessions = Sessions()
    sessions.check("pat", START, START, IDLE, MAX_AGE)
    assert sessions.check("pat", START, START + IDLE, IDLE, MAX_AGE)[2] is True
    first, reason, newly = sessions.check("pat", START, START + IDLE + timedelta(seconds=1), IDLE, MAX_AGE)
    assert reason and not newly and not first


def test_signing_out_ends_the_session_for_every_tab_that_shares_it():
    sessions = Sessions()
    sessions.check("pat|1700000000", START, START, IDLE, MAX_AGE)
    sessions.end("pat|1700000000", "you signed out")
    assert sessions.check("pat|1700000000", START, START + timedelta(seconds=5), IDLE, MAX_AGE)[1] == "you signed out"


def test_looking_at_idle_time_does_not_count_as_use():
    sessions = Sessions()
    sessions.check("pat", START, START, IDLE, MAX_AGE)
    assert sessions.idle_for("pat", START + timedelta(minutes=10)) == timedelta(minutes=10)
    assert sessions.idle_for("pat", START + timedelta(minutes=31)) == timedelta(minutes=31)
    assert sessions.idle_for("nobody", START) is None


def test_sign_in_settings_default_to_the_demo_and_are_read_from_the_environment():
    assert load_settings({}).auth_mode == "none"
    settings = load_settings({"DASHBOARD_AUTH": "OIDC", "DASHBOARD_IDLE_MINUTES": "15",
                              "DASHBOARD_SESSION_HOURS": "8", "DASHBOARD_ACCESS_CONTACT": "the BI team"})
    assert (settings.auth_mode, settings.idle_minutes, settings.session_hours, settings.access_contact) == \
        ("oidc", 15, 8, "the BI team")


@pytest.mark.parametrize("environ,refusal", [
    ({"DASHBOARD_AUTH": "saml"}, "not a sign-in mode; use one of: none"),
    ({"DASHBOARD_IDLE_MINUTES": "0"}, "whole number of minutes from 1 to 1440"),
    ({"DASHBOARD_SESSION_HOURS": "ten"}, "whole number of hours"),
    ({"DASHBOARD_AUTH_HEADER": "X-Email: evil"}, "not an HTTP header name"),
])
def test_a_bad_sign_in_setting_says_what_to_set(environ, refusal):
    with pytest.raises(SettingsError, match=refusal):
        load_settings(environ)


@pytest.mark.parametrize("sent,believed", [
    (["pat@council.example"], "pat@council.example"),
    (["attacker@x.example", "pat@council.example"], None),
    ([], None),
    (["  "], None),
    (["", "pat@council.example"], None),                      # a blank copy still makes two
    (["pat@council.example", "  "], None),
    (["attacker@x.example, pat@council.example"], None),      # two joined into one by a proxy
])
def test_the_proxy_header_is_believed_only_when_it_arrives_once(monkeypatch, sent, believed):
    import streamlit

    from ui import identity

    class Headers:
        def get_all(self, name: str) -> list[str]:
            assert name == "X-Forwarded-Email"
            return sent

    monkeypatch.setattr(streamlit, "context", type("Context", (), {"headers": Headers()})())
    monkeypatch.setattr(streamlit, "session_state", {})
    person = identity.signed_in_person(load_settings({"DASHBOARD_AUTH": "header"}))
    assert (person.email if person else None) == believed
