"""Every setting the product reads, in one place.

Values come from environment variables so that the same code runs the demo,
the tests (which point at temporary databases) and a council's deployment.
"""
from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from store.errors import UsageRefused

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"

DEMO_LA_CODE = "E99000001"
"""The demo council's code: E99 is not an ONS council prefix, so it cannot clash with a real council."""


class SettingsError(UsageRefused):
    """A setting has a value the product cannot use; the message says which and how to fix it."""


AUTH_MODES = {
    "none": "no sign-in: one local user who may do everything (the demo)",
    "oidc": "sign-in with the council's identity provider through Streamlit's st.login",
    "header": "an authenticating reverse proxy sets a header with the user's email",
}
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


@dataclass(frozen=True)
class Settings:
    db_path: Path
    home_la: str
    auth_mode: str = "none"
    auth_header: str = "X-Forwarded-Email"
    oidc_provider: str | None = None
    idle_minutes: int = 30
    session_hours: int = 10
    access_contact: str = "a dashboard admin"
    demo_open: bool = False
    upload_memory_bytes: int = 2048 * 2**20
    upload_seconds: int = 120
    analysts_add_kpis: bool = False
    """Whether analysts as well as admins may add, change and retire the council's own (local) KPIs."""


def _whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int, unit: str) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name}={text!r} must be a whole number of {unit} from {low} to {high}; "
                            f"unset it for {default}")
    return int(text)


def _yes_or_no(env: Mapping[str, str], name: str) -> bool:
    text = env.get(name, "").strip().lower()
    if text in ("", "0", "no", "false"):
        return False
    if text in ("1", "yes", "true"):
        return True
    raise SettingsError(f"{name}={text!r} must be 1 (yes) or 0 (no); unset it for no")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    db = Path(env.get("DASHBOARD_DB", str(DATA_DIR / "dashboard.duckdb"))).expanduser()
    if db.exists() and db.is_dir():
        raise SettingsError(f"DASHBOARD_DB={db} is a folder; set it to a file path such as data/dashboard.duckdb")
    la = env.get("DASHBOARD_LA", DEMO_LA_CODE).strip().upper()
    if len(la) != 9 or not la[0].isalpha() or not la[1:].isdigit():
        raise SettingsError(
            f"DASHBOARD_LA={la!r} is not a 9-character ONS council code (for example E06000026); "
            "unset it to use the demo council"
        )
    mode = env.get("DASHBOARD_AUTH", "none").strip().lower() or "none"
    if mode not in AUTH_MODES:
        raise SettingsError(f"DASHBOARD_AUTH={mode!r} is not a sign-in mode; use one of: "
                            + "; ".join(f"{name} ({what})" for name, what in AUTH_MODES.items()))
    header = env.get("DASHBOARD_AUTH_HEADER", "X-Forwarded-Email").strip()
    if not HEADER_NAME.match(header):
        raise SettingsError(f"DASHBOARD_AUTH_HEADER={header!r} is not an HTTP header name such as X-Forwarded-Email")
    return Settings(
        db_path=db,
        home_la=la,
        auth_mode=mode,
        auth_header=header,
        oidc_provider=env.get("DASHBOARD_OIDC_PROVIDER", "").strip() or None,
        idle_minutes=_whole_number(env, "DASHBOARD_IDLE_MINUTES", 30, 1, 24 * 60, "minutes"),
        session_hours=_whole_number(env, "DASHBOARD_SESSION_HOURS", 10, 1, 24 * 30, "hours"),
        access_contact=env.get("DASHBOARD_ACCESS_CONTACT", "").strip() or "a dashboard admin",
        demo_open=_yes_or_no(env, "DASHBOARD_DEMO_OPEN"),
        upload_memory_bytes=_whole_number(env, "DASHBOARD_UPLOAD_MEMORY_MB", 2048, 256, 64 * 1024, "megabytes") * 2**20,
        upload_seconds=_whole_number(env, "DASHBOARD_UPLOAD_SECONDS", 120, 5, 3600, "seconds"),
        analysts_add_kpis=_yes_or_no(env, "DASHBOARD_ANALYSTS_ADD_KPIS"),
    )


def is_loopback(address: str | None) -> bool:
    """Whether a server listening on `address` (Streamlit's `server.address`) can be reached from this machine
    only. No address means every interface, so it is not."""
    text = (address or "").strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def unsafe_binding(settings: Settings, address: str | None) -> str | None:
    """Why the dashboard must not serve with these settings on `address`, or None when it may.

    Behind a signing-in proxy (header) anyone reaching the dashboard around the proxy could name themselves, and
    in the demo (no sign-in) anyone reaching it is an admin; so both listen on loopback only. The demo may be
    opened to the network on purpose with DASHBOARD_DEMO_OPEN=1, and then says so on every page and in the log.
    """
    if is_loopback(address):
        return None
    if settings.auth_mode == "header":
        return "header"
    if settings.auth_mode == "none" and not settings.demo_open:
        return "demo"
    return None
