"""Who is using this session: sign-in by the configured mode, the session's limits, and the role from the store.

`gate` runs first on every run of the app. It either returns the signed-in
actor or draws the sign-in, no-access or session-ended page and stops the run,
so no page is reached without a role.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import streamlit as st

from auth.roles import PERMISSIONS, ROLE_NAMES, Actor, local_user
from auth.sessions import Sessions
from etl.store import StoreBusyError
from settings import Settings, SettingsError, load_settings
from ui import data

ACTOR_KEY = "signed_in_actor"
TAB_KEY = "session_tab"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
IDLE_CHECK_SECONDS = 60


@dataclass(frozen=True)
class Person:
    """A signed-in identity; `key` names this sign-in across the user's tabs and reloads."""

    email: str
    key: str
    signed_in_at: datetime | None


@st.cache_resource
def _sessions() -> Sessions:
    return Sessions()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _tab() -> str:
    """A random name for this browser tab's session, for sign-ins that carry no time of their own."""
    return st.session_state.setdefault(TAB_KEY, uuid.uuid4().hex)


def _oidc_person() -> Person | None:
    if not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is False:
        return Person("", "", None)
    issued = claims.get("iat")
    if isinstance(issued, (int, float)):
        signed_in_at = datetime.fromtimestamp(issued, timezone.utc).replace(tzinfo=None)
        return Person(email, f"oidc|{email}|{int(issued)}", signed_in_at)
    return Person(email, f"oidc|{email}|{_tab()}", None)


def _header_person(settings: Settings) -> Person | None:
    """The proxy's header; two copies mean one came from the browser, so neither is believed."""
    values = [value.strip() for value in st.context.headers.get_all(settings.auth_header) if value.strip()]
    if len(values) != 1:
        return None
    return Person(values[0], f"header|{values[0]}|{_tab()}", None)


def signed_in_person(settings: Settings) -> Person | None:
    """The identity the sign-in mode vouches for, or None before sign-in."""
    return _oidc_person() if settings.auth_mode == "oidc" else _header_person(settings)


def _record_once(actor: Actor, action: str, subject: str, after: object = None) -> None:
    """Audit a session event once, however many times the page runs (and across server restarts)."""
    if not data.record(actor, action, subject, after, once=True):
        st.toast("The audit log is busy; this sign-in will be recorded on your next action.")


def _session(person: Person, now: datetime) -> str:
    """How a sign-in is named in the audit log: by when it began."""
    return f"session from {(person.signed_in_at or now):%Y-%m-%d %H:%M:%S} UTC"


def _stop_with(title: str, message: str, *, sign_out: bool = False, sign_in: str | None = None) -> None:
    """Show only this message: it becomes the app's one page, so a menu from before (an ended session's) goes."""

    def only_page() -> None:
        st.title(title)
        st.markdown(message)
        if sign_in is not None and st.button("Sign in", type="primary", icon=":material/login:"):
            st.login(sign_in) if sign_in else st.login()
        if sign_out and st.button("Sign out", icon=":material/logout:"):
            st.logout()

    st.navigation([st.Page(only_page, title=title, default=True)], position="hidden").run()
    st.stop()


def _has_auth_secrets() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # Streamlit raises a subclass of it when there is no secrets file at all
        return False


def _check_configuration(settings: Settings) -> None:
    if settings.auth_mode == "header" and str(st.get_option("server.address") or "") not in LOOPBACK:
        _stop_with("The dashboard is not safely configured",
                   f"Sign-in is set to come from the **{settings.auth_header}** header of a reverse proxy, so the "
                   "dashboard must listen on this machine only, where nobody can bypass the proxy. Start it with "
                   "`--server.address 127.0.0.1` (see the README's security section).")
    if settings.auth_mode == "oidc" and not _has_auth_secrets():
        _stop_with("The dashboard is not safely configured",
                   "Sign-in is set to use the council's identity provider, but `.streamlit/secrets.toml` has no "
                   "`[auth]` section. See the README's security section for what it needs.")


def gate() -> Actor:
    """The actor for this run, or a page that says why there is none, and a stopped run."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        _stop_with("The dashboard cannot start", str(exc))
    if settings.auth_mode == "none":
        actor = local_user()
        st.session_state[ACTOR_KEY] = actor
        return actor
    _check_configuration(settings)
    person = signed_in_person(settings)
    if person is None:
        st.session_state.pop(ACTOR_KEY, None)
        if settings.auth_mode == "oidc":
            _stop_with("Sign in", "This dashboard holds OFFICIAL-SENSITIVE information about children's services. "
                       "Sign in with your council account to continue.", sign_in=settings.oidc_provider or "")
        _stop_with("Sign-in needed", f"The sign-in service did not say who you are (no **{settings.auth_header}** "
                   f"header reached the dashboard). Ask {settings.access_contact} to check the proxy.")
    if not person.email:
        _stop_with("No verified email address", "Your account signed in, but your identity provider did not send a "
                   "verified email address, which the dashboard needs to find your role. Ask "
                   f"{settings.access_contact} to check the email claim.", sign_out=settings.auth_mode == "oidc")
    now = _now()
    first, ended, newly_ended = _sessions().check(
        person.key, person.signed_in_at or now, now,
        timedelta(minutes=settings.idle_minutes), timedelta(hours=settings.session_hours))
    try:
        actor = Actor(person.email, data.role_of(person.email))
    except StoreBusyError:
        _stop_with("The dashboard is busy", "A large upload is being loaded. Reload the page in a few seconds.")
    started = _session(person, now)
    if ended:
        st.session_state.pop(ACTOR_KEY, None)
        if newly_ended:
            _record_once(actor, "session_ended", started, {"reason": ended})
        if settings.auth_mode == "oidc":
            _stop_with("Your session has ended", f"Your session ended because {ended}. Sign in again to go on.",
                       sign_out=True)
        _stop_with("Your session has ended", f"Your session ended because {ended}. Reload the page to start a "
                   "new one.")
    if actor.role is None:
        st.session_state.pop(ACTOR_KEY, None)
        if first:
            _record_once(actor, "access_refused", started)
        _stop_with("No access yet", f"You are signed in as **{person.email}**, but you have no role on this "
                   f"dashboard. Ask {settings.access_contact} to give you one: viewer, analyst or admin.",
                   sign_out=settings.auth_mode == "oidc")
    if first:
        _record_once(actor, "sign_in", started, {"role": actor.role})
    st.session_state[ACTOR_KEY] = actor
    _watch_idle(person.key, settings.idle_minutes)
    return actor


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def _watch_idle(key: str, idle_minutes: int) -> None:
    """Ends an idle session even while its page sits open untouched: this check does not count as use."""
    idle = _sessions().idle_for(key, _now())
    if idle is not None and idle >= timedelta(minutes=idle_minutes):
        st.rerun(scope="app")


def actor() -> Actor:
    """The actor `gate` found for this run."""
    found = st.session_state.get(ACTOR_KEY)
    return found if found is not None else gate()


def show(actor: Actor) -> None:
    """Who is signed in, in the sidebar; in demo mode, a notice that nobody is."""
    settings = load_settings()
    if settings.auth_mode == "none":
        st.sidebar.warning("**No sign-in: demo mode.** Anyone who can open this page can change the data. "
                           "Do not load real data until sign-in is set up.", icon=":material/lock_open:")
        return
    st.sidebar.markdown(f":material/account_circle: Signed in as **{actor.email}** "
                        f"({ROLE_NAMES[actor.role]})")
    if settings.auth_mode == "oidc" and st.sidebar.button("Sign out", icon=":material/logout:", key="sign_out"):
        person = signed_in_person(settings)
        if person is not None:
            _sessions().end(person.key, "you signed out")
            _record_once(actor, "sign_out", _session(person, _now()))
        st.logout()


def page_needs(permission: str) -> Actor:
    """Stop a page the actor's role may not open, even if a stale link reaches it."""
    who = actor()
    if not who.can(permission):
        needed, what = PERMISSIONS[permission]
        st.error(f"This page is for users who {what}, which needs the {needed} role. "
                 "Ask a dashboard admin if you need it.", icon=":material/block:")
        st.stop()
    return who


def tabs(editing: list[str], reading: list[str], permission: str) -> dict:
    """A page's tabs by name, with the editing tabs left out for roles without `permission`."""
    names = (editing if actor().can(permission) else []) + reading
    return dict(zip(names, st.tabs(names)))
