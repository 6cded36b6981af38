"""Plotly figures to PNG with kaleido and Debian's chromium, many figures per browser start.

Starting chromium takes seconds; drawing a figure in an open browser takes a fraction of one. So a pack's
charts are drawn in one batch (`render_pngs`): one browser, every figure queued to it. MathJax is off
(no chart uses it, and kaleido would otherwise fetch it from the internet) and plotly.js comes from the
installed plotly package, so rendering needs no network.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

from store.errors import Refused

WIDTH, HEIGHT, SCALE = 1100, 600, 2
DEBIAN_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 60


class ChartRenderError(Refused):
    """A chart could not be drawn as a picture; the message says why and what to do."""


def browser_path() -> str | None:
    """The browser kaleido drives: `BROWSER_PATH` when set, else chromium on the PATH, else Debian's path."""
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), DEBIAN_CHROMIUM):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def available() -> bool:
    return browser_path() is not None


async def _render(figures: list[go.Figure], width: int, height: int, scale: float) -> list[bytes]:
    import kaleido

    path = browser_path()
    if path is None:
        raise ChartRenderError("Charts cannot be drawn as pictures: chromium is not installed. Install Debian's "
                               "chromium package (scripts/ensure-chromium) or set BROWSER_PATH to a Chrome.")
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    async with kaleido.Kaleido(n=1, path=path, mathjax=False, timeout=TIMEOUT_SECONDS) as browser:
        return list(await asyncio.gather(*(browser.calc_fig(figure, opts=dict(opts)) for figure in figures)))


def render_pngs(figures: list[go.Figure], *, width: int = WIDTH, height: int = HEIGHT,
                scale: float = SCALE) -> list[bytes]:
    """Every figure as PNG bytes, in order, from one browser start.

    Runs on its own thread with its own event loop, so it works from Streamlit's script thread, from tests
    and from code that already runs an event loop.
    """
    if not figures:
        return []
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["images"] = asyncio.run(_render(list(figures), width, height, scale))
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="chart-render", daemon=True)
    thread.start()
    thread.join()
    error = outcome.get("error")
    if isinstance(error, ChartRenderError):
        raise error
    if error is not None:
        raise ChartRenderError(f"Charts could not be drawn as pictures ({type(error).__name__}: {error}).") from error
    return outcome["images"]  # type: ignore[return-value]


def render_png(figure: go.Figure, **size) -> bytes:
    """One figure as PNG bytes (starts a browser for it: draw many with `render_pngs`)."""
    return render_pngs([figure], **size)[0]
