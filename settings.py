"""Every setting the product reads, in one place.

Values come from environment variables so that the same code runs the demo,
the tests (which point at temporary databases) and a council's deployment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"

DEMO_LA_CODE = "E99000001"
"""The demo council's code: E99 is not an ONS council prefix, so it cannot clash with a real council."""


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    db_path: Path
    home_la: str


def load_settings(environ: dict[str, str] | None = None) -> Settings:
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
    return Settings(db_path=db, home_la=la)
