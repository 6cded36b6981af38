"""How long the Overview takes to become usable when many people open the dashboard at once.

Starts the real app (`streamlit run app.py`) on a loopback port with a temporary copy of the demo store. Each
round gets a fresh server: one person opens the Overview first in headless Debian chromium (the "first visit
alone" figure: nothing cached yet, and nobody else on the server), then N sessions open it at the same moment
(the figure judged: a board meeting opening the link), in one of three kinds of client:

- `browser`: each session is its own chromium context (its own cookie, so its own Streamlit session), timed
  in the page itself (`performance.now()`, from navigation start) until the Overview is usable: its heading,
  the RAG summary line and every group's table drawn. Faithful end to end, but here all N pages render on
  the same two cores as the server, which a deployment's users' own computers would do for themselves.
- `protocol`: what those N browsers ask of the server, without rendering: each fetches the page and every
  file the first visit's chromium fetched (six connections at a time, gzip accepted, as a browser does),
  opens the WebSocket and sends the very message that chromium sent to start the script, then reads the
  replies until the script has finished with the summary line and every table in them. This is the server's
  share of the wait; the first visit's own time shows what a browser adds alone. `cached` is the same for
  people who have opened the dashboard before: Streamlit's script and style files are named by their hash
  and sent as immutable for a year, so their browsers ask only for the page and the `/_stcore/` calls.

While they load, the resident memory of the server's process tree is sampled every 50 ms, and the CPU
seconds used by the server, by chromium and by everything else on the machine are counted.

    python bench/load.py [--sessions 10,25,50] [--client protocol,cached,browser] [--rounds 1] [--timeout 300]

Loopback only; every wait is bounded; the server and the browser are stopped at the end. A benchmark that
prints its figures, not a test: the goal (p95 under 3 s at 25 sessions) is judged in the output.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.bootstrap import ensure_ready  # noqa: E402
from settings import DEMO_LA_CODE  # noqa: E402
from store.connection import connect  # noqa: E402

GOAL_SESSIONS, GOAL_P95_S = 25, 3.0
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    # Background tabs must not be throttled: every session is a person looking at their own screen.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# Runs in every page before Streamlit's own code: notes the moment the Overview is usable.
USABLE_PROBE = """
(() => {
  const expected = %d;
  const check = () => {
    if (window.__usable !== undefined || !document.body) return;
    const text = document.body.textContent;
    if (!text.includes('KPI overview') || !text.includes('KPIs with a target')) return;
    const frames = document.querySelectorAll('[data-testid="stDataFrame"]');
    if (frames.length < expected) return;
    if (!frames[frames.length - 1].querySelector('canvas')) return;
    window.__usable = performance.now();
  };
  setInterval(check, 40);
})();
"""


# --- processes ------------------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry))
    return tree


def process_tree(root: int) -> list[int]:
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime of the process itself
    return total / TICKS


class TreeWatch:
    """Peak RSS of a process tree, sampled in a thread, and CPU seconds used by it (and by others) meanwhile."""

    def __init__(self, server_pid: int, browser_pid: int | None):
        self.server_pid, self.browser_pid = server_pid, browser_pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu: dict[str, float] = {}

    def _cpu_now(self) -> dict[str, float]:
        # Live processes only: a process that exits takes its CPU seconds with it (hence `finish` before any
        # page closes). A chromium page that crashes mid-round makes the chromium figure an undercount.
        now = {"server": cpu_seconds(process_tree(self.server_pid))}
        if self.browser_pid:
            now["browser"] = cpu_seconds(process_tree(self.browser_pid))
        now["machine"] = sum(float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:4]) / TICKS
        return now

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(process_tree(self.server_pid)))
            self._stop.wait(0.05)

    def __enter__(self) -> TreeWatch:
        self._cpu = self._cpu_now()
        self._start = time.monotonic()
        self._thread.start()
        return self

    def finish(self) -> None:
        """Stop counting; called once every session has loaded, before any closes (a closed tab's chromium
        process takes its CPU seconds with it)."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self.seconds = time.monotonic() - self._start
        end = self._cpu_now()
        self.cpu = {name: max(0.0, end[name] - self._cpu.get(name, 0.0)) for name in end}

    def __exit__(self, *exc) -> None:
        self.finish()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(db_template: Path, folder: Path):
    """The dashboard as `make run` starts it, on its own copy of the demo store, on a loopback port."""
    db = folder / "dashboard.duckdb"
    shutil.copy(db_template, db)
    port = _free_port()
    env = {**os.environ, "DASHBOARD_DB": str(db), "PYTHONUNBUFFERED": "1"}
    env.pop("DASHBOARD_LA", None)
    log = folder / "streamlit.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"streamlit did not start within 60 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield url, process.pid
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=15)


# --- sessions -------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    bytes_received: int = 0


@dataclass
class FirstVisit:
    """One person alone on a fresh server, and what their browser asked of it."""

    seconds: float
    tables: int
    urls: list[str]
    start_frame: bytes


async def first_visit(browser, url: str, timeout_s: float) -> FirstVisit:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    urls: list[str] = []
    frames: list[bytes] = []
    try:
        await context.add_init_script(USABLE_PROBE % 1)
        page = await context.new_page()
        page.on("request", lambda request: urls.append(request.url))
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode())))
        await page.goto(url + "/", wait_until="commit", timeout=timeout_s * 1000)
        handle = await page.wait_for_function("window.__usable", timeout=timeout_s * 1000, polling=100)
        seconds = await handle.json_value() / 1000
        await page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout_s * 1000)
        await page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        tables = await page.locator('[data-testid="stDataFrame"]').count()
    finally:
        await context.close()
    start = next((frame for frame in frames if _is_rerun(frame)), None)
    if start is None:
        raise SystemExit("the first visit's chromium sent no rerun_script message: has the protocol changed?")
    same_server = [u for u in dict.fromkeys(urls) if u.startswith(url + "/") and u != url + "/"]
    return FirstVisit(seconds, tables, same_server, start)


def _is_rerun(frame: bytes) -> bool:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    try:
        return BackMsg.FromString(frame).WhichOneof("type") == "rerun_script"
    except Exception:
        return False


async def browser_session(browser, url: str, expected_tables: int, timeout_s: float, start: asyncio.Event,
                          outcome: Outcome, hold: asyncio.Event) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        await context.add_init_script(USABLE_PROBE % expected_tables)
        page = await context.new_page()
        await start.wait()
        try:
            await page.goto(url + "/", wait_until="commit", timeout=timeout_s * 1000)
            handle = await page.wait_for_function("window.__usable", timeout=timeout_s * 1000, polling=100)
            outcome.seconds.append(await handle.json_value() / 1000)
        except Exception as error:  # a timeout or a crashed page counts as a failure, and the round goes on
            outcome.failures.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
        await hold.wait()  # every session stays open until all have loaded, as people keep their tabs
    finally:
        await context.close()


async def http_get(url: str, timeout_s: float) -> int:
    """One GET over its own HTTP/1.1 connection, as a browser would send it; the bytes of the reply."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port or 80)), timeout_s)
    try:
        writer.write((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nAccept: */*\r\n"
                      "Accept-Encoding: gzip, deflate, br\r\nUser-Agent: load-bench\r\nConnection: close\r\n\r\n"
                      ).encode())
        await writer.drain()
        body = await asyncio.wait_for(reader.read(-1), timeout_s)
        status = body.split(b" ", 2)[1] if body.startswith(b"HTTP/") else b"?"
        if status not in (b"200", b"304"):
            raise RuntimeError(f"GET /{path} answered {status.decode(errors='replace')}")
        return len(body)
    finally:
        writer.close()


async def protocol_session(url: str, visit: FirstVisit, timeout_s: float, start: asyncio.Event,
                           outcome: Outcome, hold: asyncio.Event, assets_cached: bool) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    await start.wait()
    began = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            received = await http_get(url + "/", timeout_s)
            lanes = asyncio.Semaphore(6)  # a browser's connections per host

            async def fetch(asset: str) -> int:
                async with lanes:
                    return await http_get(asset, timeout_s)

            wanted = [u for u in visit.urls if not (assets_cached and u.startswith(url + "/static/"))]
            received += sum(await asyncio.gather(*(fetch(asset) for asset in wanted)))
            ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
            async with connect(ws_url, subprotocols=["streamlit"], origin=url, max_size=None,
                               compression="deflate") as ws:
                await ws.send(visit.start_frame)
                tables, summary = 0, False
                while True:
                    frame = await ws.recv()
                    received += len(frame)
                    message = ForwardMsg.FromString(frame)
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        tables += element.WhichOneof("type") == "dataframe"
                        summary |= "KPIs with a target" in element.markdown.body
                    elif kind == "script_finished" and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        if summary and tables >= visit.tables:
                            outcome.seconds.append(time.perf_counter() - began)
                            break
                        raise RuntimeError(f"the script finished with {tables} tables and summary={summary}")
                outcome.bytes_received += received
                await hold.wait()  # the session stays connected until every one has loaded
    except Exception as error:
        outcome.failures.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}")


async def together(sessions: list, outcome: Outcome, start: asyncio.Event, hold: asyncio.Event,
                   timeout_s: float, watch: TreeWatch) -> None:
    """Start every session at the same moment; release them once all have loaded or failed."""
    tasks = [asyncio.create_task(session) for session in sessions]
    await asyncio.sleep(1.0)  # browser contexts are made before the clock matters
    start.set()
    deadline = time.monotonic() + timeout_s + 30
    while len(outcome.seconds) + len(outcome.failures) < len(tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    watch.finish()
    hold.set()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=120)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


@dataclass
class Round:
    client: str
    sessions: int
    first_s: float
    outcome: Outcome
    peak_rss: int
    idle_rss: int
    cpu: dict[str, float]
    wall: float
    load_before: tuple[float, float, float]


async def one_round(playwright, chromium: str, template: Path, client: str, sessions: int,
                    timeout_s: float) -> Round:
    with tempfile.TemporaryDirectory(prefix="load-bench-") as folder, running_app(template, Path(folder)) as (
            url, server_pid):
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            visit = await first_visit(browser, url, timeout_s)
            idle_rss = rss_bytes(process_tree(server_pid))
            load_before = os.getloadavg()
            outcome, start, hold = Outcome(), asyncio.Event(), asyncio.Event()
            if client == "browser":
                work = [browser_session(browser, url, visit.tables, timeout_s, start, outcome, hold)
                        for _ in range(sessions)]
            else:
                work = [protocol_session(url, visit, timeout_s, start, outcome, hold, client == "cached")
                        for _ in range(sessions)]
            browser_pid = _browser_pid(server_pid) if client == "browser" else None
            with TreeWatch(server_pid, browser_pid) as watch:
                await together(work, outcome, start, hold, timeout_s, watch)
            return Round(client, sessions, visit.seconds, outcome, watch.peak, idle_rss, watch.cpu, watch.seconds,
                         load_before)
        finally:
            await browser.close()


def _browser_pid(server_pid: int) -> int | None:
    """The chromium this benchmark launched: a chromium child of our own Playwright driver."""
    ours = set(process_tree(os.getpid())) - set(process_tree(server_pid))
    for pid in sorted(ours):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("chrom"):
            return pid
    return None


def report(result: Round) -> str:
    times, failed = result.outcome.seconds, result.outcome.failures
    mib = 1024 * 1024
    cpu = result.cpu
    others = max(0.0, cpu.get("machine", 0) - cpu.get("server", 0) - cpu.get("browser", 0))
    line = [f"{result.client:8} {result.sessions:>3} sessions"]
    if times:
        line.append(f"p50 {percentile(times, 0.5):5.2f} s  p95 {percentile(times, 0.95):5.2f} s  "
                    f"max {max(times):5.2f} s")
    line.append(f"failed {len(failed)}")
    if result.outcome.bytes_received:
        per_session = result.outcome.bytes_received / max(1, len(times)) / mib
        line.append(f"{per_session:.1f} MiB to each session")
    line.append(f"first visit alone {result.first_s:4.2f} s")
    line.append(f"server RSS {result.idle_rss / mib:.0f} MiB idle, peak {result.peak_rss / mib:.0f} MiB")
    line.append(f"CPU s in {result.wall:.1f} s: server {cpu.get('server', 0):.1f}, chromium "
                f"{cpu.get('browser', 0):.1f}, rest of machine {others:.1f} (of {2 * result.wall:.1f})")
    line.append("load avg before {:.1f} {:.1f} {:.1f}".format(*result.load_before))
    text = " | ".join(line)
    for failure in failed[:3]:
        text += f"\n      {failure}"
    return text


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("Debian's chromium is needed: run scripts/ensure-chromium (make load-bench does)")


async def main_async(args: argparse.Namespace) -> list[Round]:
    from playwright.async_api import async_playwright

    chromium = chromium_path()
    clients = args.client
    results = []
    with tempfile.TemporaryDirectory(prefix="load-bench-db-") as folder:
        template = Path(folder) / "demo.duckdb"
        con = connect(template)
        ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
        con.close()
        async with async_playwright() as playwright:
            for client in clients:
                for sessions in args.sessions:
                    for _ in range(args.rounds):
                        result = await one_round(playwright, chromium, template, client, sessions, args.timeout)
                        print(report(result), flush=True)
                        results.append(result)
    return results


def _clients(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = set(chosen) - {"protocol", "cached", "browser"}
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown client {', '.join(sorted(unknown))}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="10,25,50",
                        type=lambda text: [int(n) for n in text.split(",") if 0 < int(n) <= 200],
                        help="concurrent sessions per round, comma-separated (each 1-200)")
    parser.add_argument("--client", default="protocol,cached,browser", type=_clients,
                        help="which clients, comma-separated: protocol, cached (protocol with the static files in "
                             "the browser's cache) and browser (chromium pages)")
    parser.add_argument("--rounds", type=int, default=1, choices=range(1, 11), metavar="1-10")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a session may take (5-600)")
    args = parser.parse_args()
    args.timeout = min(max(args.timeout, 5.0), 600.0)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; times from the first request "
          "until the Overview is usable", flush=True)
    results = asyncio.run(main_async(args))
    for client in dict.fromkeys(r.client for r in results):
        at_goal = [r for r in results if r.client == client and r.sessions == GOAL_SESSIONS and r.outcome.seconds]
        if at_goal:
            worst = max(percentile(r.outcome.seconds, 0.95) for r in at_goal)
            failed = sum(len(r.outcome.failures) for r in at_goal)
            verdict = "met" if worst < GOAL_P95_S and not failed else "missed"
            print(f"{client}: goal p95 < {GOAL_P95_S:.0f} s at {GOAL_SESSIONS} sessions {verdict} "
                  f"(worst round p95 {worst:.2f} s{f', {failed} failed' if failed else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
