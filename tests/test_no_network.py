"""The product makes no network call to another machine: the whole workload runs with the network blocked."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from tests.conftest import ROOT


def _namespace_available() -> bool:
    """A network namespace with only loopback needs unshare and the right to use it (root in CI)."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


def test_every_page_upload_download_and_pack_work_with_no_network(tmp_path):
    out = tmp_path / "attempts.json"
    command = [sys.executable, "-m", "tests.offline.workload", str(tmp_path / "offline.duckdb"), str(out)]
    if _namespace_available():
        command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "offline", *command]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads(out.read_text()) == []
