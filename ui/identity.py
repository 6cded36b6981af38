"""Who is using this session: sign-in by the configured mode, the session's limits, and the role from the store.

`gate` runs first on every run of the app. It either returns the signed-in
actor or draws the sign-in, no-access or session-ended page and stops the run,
so no page is reached without a role.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import streamlit as st

from auth.roles import PERMISSIONS, ROLE_NAMES, Actor, local_user
from auth.sessions import Sessions
from settings import Settings, SettingsError, is_loopback, load_settings, unsafe_binding
from store.errors import StoreBusyError
from ui import data
from ui.text import md

ACTOR_KEY = "signed_in_actor"
TAB_KEY = "session_tab"
IDLE_CHECK_SECONDS = 60
BUSY = ("The dashboard is busy", "A large upload is being loaded. Reload the page in a few seconds.")
log = logging.getLogger(__name__)


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
    """The proxy's header, believed only when it arrives exactly once with one address in it. Two copies mean one
    came from the browser, so neither is believed, even when one is blank (a blank copy still shows the proxy
    added to what the browser sent rather than replacing it); nor is one copy holding a list, which is how some
    proxies join a browser's copy to their own."""
    values = [value.strip() for value in st.context.headers.get_all(settings.auth_header)]
    if len(values) != 1 or not values[0] or "," in values[0]:
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


def listening_address() -> str:
    """Where the server listens (`server.address`; empty means every interface)."""
    return str(st.get_option("server.address") or "")


def _check_configuration(settings: Settings) -> None:
    if unsafe_binding(settings, listening_address()) == "header":
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
        _stop_with("The dashboard cannot start", md(exc))
    if settings.auth_mode == "none":
        _check_demo(settings)
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
        _stop_with("Sign-in needed", f"The sign-in service did not say who you are (no single "
                   f"**{settings.auth_header}** header reached the dashboard). Ask {md(settings.access_contact)} to check the proxy.")
    if not person.email:
        _stop_with("No verified email address", "Your account signed in, but your identity provider did not send a "
                   "verified email address, which the dashboard needs to find your role. Ask "
                   f"{md(settings.access_contact)} to check the email claim.", sign_out=settings.auth_mode == "oidc")
    now = _now()
    first, ended, newly_ended = _sessions().check(
        person.key, person.signed_in_at or now, now,
        timedelta(minutes=settings.idle_minutes), timedelta(hours=settings.session_hours))
    try:
        actor = Actor(person.email, data.role_of(person.email))
    except StoreBusyError:
        busy()
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
        _stop_with("No access yet", f"You are signed in as **{md(person.email)}**, but you have no role on this "
                   f"dashboard. Ask {md(settings.access_contact)} to give you one: viewer, analyst or admin.",
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


def busy() -> None:
    """The store stayed busy (another program is writing): say so in words, not Streamlit's error page."""
    _stop_with(*BUSY)


def _check_demo(settings: Settings) -> None:
    """The demo makes everyone an admin, so it serves this machine only unless DASHBOARD_DEMO_OPEN=1 says
    otherwise; and it can open its store, or says the store is busy."""
    address = listening_address()
    if unsafe_binding(settings, address) == "demo":
        _stop_with("The dashboard is not safely configured",
                   f"Sign-in is off (demo mode), where anyone who can open the dashboard may change everything, but "
                   f"it listens on **{md(address or 'every network interface')}**, where other machines can reach "
                   "it. Start it on this machine only (`server.address = \"127.0.0.1\"`, as in "
                   "`.streamlit/config.toml`), set `DASHBOARD_AUTH` to turn sign-in on, or set "
                   "`DASHBOARD_DEMO_OPEN=1` to open the demo to the network on purpose (see the README's security "
                   "section).")
    if not is_loopback(address):
        _warn_open_demo(address)
    try:
        data.db_path()
    except StoreBusyError:
        busy()


@st.cache_resource(show_spinner=False)
def _warn_open_demo(address: str) -> bool:
    """Once per server, in its log: the demo is open to the network."""
    log.warning("DEMO MODE OPEN TO THE NETWORK: sign-in is off and the dashboard listens on %s "
                "(DASHBOARD_DEMO_OPEN=1), so anyone who can reach this machine may change every figure, target "
                "and user.", address or "every interface")
    return True


def show(actor: Actor) -> None:
    """Who is signed in, in the sidebar; in demo mode, a notice that nobody is, and who can reach it."""
    settings = load_settings()
    if settings.auth_mode == "none":
        address = listening_address()
        if is_loopback(address):
            st.sidebar.warning(f"**No sign-in: demo mode.** Only this computer can open it (it listens on "
                               f"{md(address)}), and anyone using this computer can change the data. Do not load "
                               "real data until sign-in is set up.", icon=":material/lock_open:")
            return
        notice = (f"**No sign-in: demo mode, open to the network.** The dashboard listens on "
                  f"{md(address or 'every network interface')} (`DASHBOARD_DEMO_OPEN=1`), so anyone who can reach "
                  "this machine can change every figure, target and user. Do not load real data.")
        st.sidebar.error(notice, icon=":material/public:")
        st.error(notice, icon=":material/public:")
        return
    st.sidebar.markdown(f":material/account_circle: Signed in as **{md(actor.email)}** "
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
