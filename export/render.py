"""Plotly figures to PNG with kaleido and Debian's chromium, from one browser kept open for the whole process.

Starting chromium takes seconds (about 5 s on this machine, loaded), drawing a figure in an open page a fraction
of one. So the first picture asked for starts a browser, and every later one, from any of Streamlit's script
threads, the command line or a test, is drawn by that same browser: a pack no longer pays for a start.

- One browser per process, started lazily under a lock (two first packs at once start it once), driven from its
  own thread and event loop, so callers need no event loop of their own and may already be running one.
- kaleido reloads its page after every figure, which costs more than drawing one (20 slide charts: 13 s against
  2 s). plotly draws each figure in an element of its own and removes it afterwards, so the pictures are byte for
  byte the same without the reload (`tests/test_board_pack.py` checks); the page is reloaded every
  `RELOAD_EVERY` figures instead, so a long-lived page cannot grow without bound.
- A browser that fails (killed, out of memory) is closed and forgotten, and the figures are drawn once more by a
  new one: a server that ran for weeks recovers without a restart.

MathJax is off (no chart uses it, and kaleido would otherwise fetch it from the internet) and plotly.js comes
from the installed plotly package, so rendering needs no network.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import threading
from collections.abc import Iterable
from concurrent.futures import Future, wait
from pathlib import Path

import kaleido
import plotly.graph_objects as go

from store.errors import Refused

WIDTH, HEIGHT, SCALE = 1100, 600, 2
DEBIAN_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 60
"""The longest one figure may take; a browser that takes longer is taken to be stuck and is replaced."""
RELOAD_EVERY = 100
CLOSE_SECONDS = 10


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


class _Browser(kaleido.Kaleido):
    """kaleido's browser with its page reloaded every `RELOAD_EVERY` figures rather than after each one."""

    drawn: int = 0

    async def _return_kaleido_tab(self, tab) -> None:
        self.drawn += 1
        if self.drawn % RELOAD_EVERY == 0:
            await super()._return_kaleido_tab(tab)
        else:
            await self.tabs_ready.put(tab)


class _Renderer:
    """The process's one browser and the event loop that drives it, both started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._browser: _Browser | None = None

    def _run(self, coroutine) -> Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _ready(self) -> tuple[_Browser, bool]:
        """The open browser, and whether this call started it."""
        with self._lock:
            if self._browser is not None:
                return self._browser, False
            path = browser_path()
            if path is None:
                raise ChartRenderError("Charts cannot be drawn as pictures: chromium is not installed. Install "
                                       "Debian's chromium package (scripts/ensure-chromium) or set BROWSER_PATH to a "
                                       "Chrome.")
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="chart-renderer", daemon=True).start()
            opening = self._run(_open(path))
            try:
                self._browser = opening.result(timeout=TIMEOUT_SECONDS)
            except Exception as exc:
                opening.cancel()  # a start that overran must not leave a browser nobody can reach
                raise _failed(exc) from exc
            return self._browser, True

    def draw(self, figures: Iterable[go.Figure], opts: dict) -> list[bytes]:
        browser, fresh = self._ready()
        sent: list[go.Figure] = []
        try:
            return self._draw(browser, figures, sent, opts)
        except ChartRenderError:
            if fresh:
                raise
        # The browser was open before this call and may have died since (killed, out of memory): a new one tries
        # once more.
        return self._draw(self._ready()[0], sent, [], opts)

    def _draw(self, browser: _Browser, figures: Iterable[go.Figure], sent: list[go.Figure],
              opts: dict) -> list[bytes]:
        """Each figure goes to the browser as soon as it is made (kept in `sent`), so chromium draws one while this
        thread builds the next."""
        work = []
        for figure in figures:
            sent.append(figure)
            work.append(self._run(browser.calc_fig(figure, opts=dict(opts))))
        wait(work, timeout=TIMEOUT_SECONDS * (len(work) + 1))
        try:
            return [piece.result(timeout=0) for piece in work]
        except Exception as exc:
            for piece in work:
                piece.cancel()
            self._forget(browser)
            raise _failed(exc) from exc

    def start(self) -> None:
        """Open the browser on a thread of its own, without waiting for it."""
        threading.Thread(target=self._start, name="chart-renderer-start", daemon=True).start()

    def _start(self) -> None:
        try:
            self._ready()
        except ChartRenderError:  # the pack that needs the browser tries again and says what went wrong
            pass

    def _forget(self, browser: _Browser) -> None:
        with self._lock:
            if self._browser is browser:
                self._browser = None
        try:
            self._run(browser.close()).result(timeout=CLOSE_SECONDS)
        except Exception:  # a dead browser has nothing left to close
            pass

    def close(self) -> None:
        with self._lock:
            browser = self._browser
        if browser is not None:
            self._forget(browser)


def _failed(exc: BaseException) -> ChartRenderError:
    return ChartRenderError(f"Charts could not be drawn as pictures ({type(exc).__name__}: {exc}).")


async def _open(path: str) -> _Browser:
    browser = _Browser(n=1, path=path, mathjax=False, timeout=TIMEOUT_SECONDS)
    await browser.open()
    return browser


_RENDERER = _Renderer()
atexit.register(_RENDERER.close)  # chromium is a child process: leave none behind


def render_pngs(figures: Iterable[go.Figure], *, width: int = WIDTH, height: int = HEIGHT,
                scale: float = SCALE) -> list[bytes]:
    """Every figure as PNG bytes, in order, drawn by the process's one browser (started on first use). Given a
    generator, each figure is drawn while the next is made."""
    return _RENDERER.draw(figures, {"format": "png", "width": width, "height": height, "scale": scale})


def render_png(figure: go.Figure, **size) -> bytes:
    """One figure as PNG bytes."""
    return render_pngs([figure], **size)[0]


def warm_up() -> None:
    """Start the browser in the background, without waiting for it: a page or command about to make a pack calls
    this first, so chromium starts while the figures are read."""
    if available():
        _RENDERER.start()


def close() -> None:
    """Close the browser; the next picture starts a new one."""
    _RENDERER.close()
