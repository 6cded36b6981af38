"""Everything the product does, run with every attempt to reach another machine recorded and refused.

`python -m tests.offline.workload DB OUT` builds the demo store, loads a file,
opens every page in AppTest, downloads, and makes a board pack with real chart
rendering; then writes to OUT (JSON) each connection or name lookup that was
tried for an address outside this machine. The test runs it inside a network
namespace with only loopback, so the network is blocked below Python too.
"""
from __future__ import annotations

import ipaddress
import json
import sys
from datetime import date
from pathlib import Path

ATTEMPTS: list[str] = []


def _outside(host: object) -> bool:
    if host is None or isinstance(host, (bytes, bytearray)):
        return False
    text = str(host)
    if text in ("localhost", "") or text.startswith("/"):
        return False
    try:
        return not ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return True


def _guard(event: str, args: tuple) -> None:
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else None
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0]
    else:
        return
    if _outside(host):
        ATTEMPTS.append(f"{event} {host!r}")
        raise OSError(f"network blocked by the offline test: {event} {host!r}")


def run(db: Path) -> None:
    import os

    os.environ["DASHBOARD_DB"] = str(db)
    os.environ.pop("DASHBOARD_LA", None)
    from streamlit.testing.v1 import AppTest

    from auth.roles import local_user
    from ingest import upload
    from ingest.bootstrap import ensure_ready
    from store.connection import connect
    from export import pack
    from export.gather import PackOptions
    from settings import DEMO_LA_CODE
    from tests.fixtures import long_rows, xlsx
    from ui.navigation import PAGES

    con = connect(db)
    ensure_ready(con, DEMO_LA_CODE, seed_demo=True)
    content = xlsx({"Data": long_rows({("ASSESS_45WD_PCT", "2026-10"): 96.4})})
    plan = upload.prepare(con, "october.xlsx", content, home_la=DEMO_LA_CODE, user=local_user().email)
    upload.commit(con, plan, local_user())
    options = PackOptions(DEMO_LA_CODE, "Anyshire (demo)", date(2026, 10, 1), ("ASSESS_45WD_PCT", "SW_AGENCY_PCT"))
    made = pack.build(con, options)
    assert made.pptx and made.xlsx
    con.close()

    from streamlit.runtime.media_file_manager import MediaFileManager

    offered: list[tuple[MediaFileManager, str]] = []
    register = MediaFileManager.add_deferred

    def deferring(self, *args, **kwargs):
        file_id = register(self, *args, **kwargs)
        offered.append((self, file_id))
        return file_id

    MediaFileManager.add_deferred = deferring
    app = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=120)
    app.run()
    for spec in PAGES:
        offered.clear()
        app.switch_page(spec.script).run()
        assert not app.exception, (spec.script, app.exception)
        assert len(offered) == len([b for b in app.download_button if not b.proto.url]), spec.script
        for manager, file_id in offered:
            manager.execute_deferred(file_id)  # what a click in the browser does: the file is made and audited


def main() -> int:
    db, out = Path(sys.argv[1]), Path(sys.argv[2])
    sys.addaudithook(_guard)
    try:
        run(db)
    finally:
        out.write_text(json.dumps(sorted(set(ATTEMPTS))))
    print(f"offline workload finished; {len(ATTEMPTS)} attempts to reach another machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
