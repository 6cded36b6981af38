"""Start the real app with `streamlit run` on a loopback port and drive it in Debian's headless Chromium.

Playwright's own browser downloads are never used: the tests launch the system
chromium through `executable_path`. Without chromium the tests skip, except under
CI=true, where a missing browser is a failure rather than a silent pass.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Debian's chromium is not installed: run scripts/ensure-chromium")
        pytest.skip("chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@contextmanager
def running_app(demo_db_template: Path | None, folder: Path, env: dict[str, str] | None = None,
                args: tuple[str, ...] = ()) -> Iterator[dict]:
    """The dashboard as a user runs it, on its own copy of the demo database (or, with no template, on a store
    it makes itself at its first start); `env` and `args` add settings."""
    db = folder / "dashboard.duckdb"
    if demo_db_template is not None:
        shutil.copy(demo_db_template, db)
    port = _free_port()
    inherited = {name: value for name, value in os.environ.items() if name != "DASHBOARD_LA"}
    env = {**inherited, "DASHBOARD_DB": str(db), "PYTHONUNBUFFERED": "1", **(env or {})}
    log = folder / "streamlit.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start within 60 s:\n{log.read_text()}")
    try:
        yield {"url": url, "db": db, "log": log, "port": port, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def app_server(demo_db_template, tmp_path_factory):
    """One server shared by the browser tests, as many users share one in use."""
    with running_app(demo_db_template, tmp_path_factory.mktemp("e2e")) as server:
        yield server


@pytest.fixture
def fresh_app_server(demo_db_template, tmp_path):
    """A server nobody has opened yet: for what happens on the very first request."""
    with running_app(demo_db_template, tmp_path) as server:
        yield server


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
