"""How long a signed-in session lasts, whatever the identity cookie says.

Streamlit's identity cookie is valid for 30 days. The council's rule is shorter:
a session ends after a spell without use and at a maximum age. The clocks live
on the server, keyed by the sign-in (the user and the time their identity
provider issued the token), so that reloading the page or opening a new tab
does not restart them, and a session that has ended stays ended.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.words import plural


@dataclass
class Clock:
    signed_in_at: datetime
    last_seen: datetime
    ended: str | None = None


def why_ended(clock: Clock, now: datetime, idle: timedelta, max_age: timedelta) -> str | None:
    """The reason a session is over, in words for the user, or None while it may go on."""
    if clock.ended:
        return clock.ended
    if now - clock.signed_in_at >= max_age:
        return f"it reached the limit of {plural(round(max_age / timedelta(hours=1)), 'hour')}"
    if now - clock.last_seen >= idle:
        return f"it was not used for {plural(round(idle / timedelta(minutes=1)), 'minute')}"
    return None


class Sessions:
    """Every sign-in this server has seen, safe to use from the server's many script threads."""

    def __init__(self) -> None:
        self._clocks: dict[str, Clock] = {}
        self._lock = threading.Lock()

    def check(self, key: str, signed_in_at: datetime, now: datetime, idle: timedelta,
              max_age: timedelta) -> tuple[bool, str | None, bool]:
        """Record use of the session now; returns (first time seen, why it ended or None, ended just now)."""
        with self._lock:
            self._forget_older_than(now - max_age)
            clock = self._clocks.get(key)
            first = clock is None
            if first:
                clock = self._clocks[key] = Clock(signed_in_at, now)
            already = clock.ended
            reason = why_ended(clock, now, idle, max_age)
            if reason:
                clock.ended = reason
            else:
                clock.last_seen = now
            return first, reason, bool(reason) and not already

    def _forget_older_than(self, cutoff: datetime) -> None:
        """Drop sign-ins past the maximum age: were one seen again, its age alone would end it at once."""
        for key in [key for key, clock in self._clocks.items() if clock.signed_in_at < cutoff]:
            del self._clocks[key]

    def idle_for(self, key: str, now: datetime) -> timedelta | None:
        """How long since the session was last used, without counting this look as use."""
        with self._lock:
            clock = self._clocks.get(key)
            return None if clock is None else now - clock.last_seen

    def end(self, key: str, reason: str) -> None:
        with self._lock:
            if key in self._clocks:
                self._clocks[key].ended = reason
