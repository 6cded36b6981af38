"""Fail the build when a pinned dependency has a known vulnerability.

Runs pip-audit on the hashed locks (the runtime, the test tools and the audit
tool itself) without installing them, and reads its JSON. A machine that cannot
reach the vulnerability service gets every package back as "could not be
audited": that is printed as NOT AUDITED on stderr and the build goes on, unless
REQUIRE_DEPENDENCY_AUDIT=1 (set it in a council's CI), which makes it a failure.
A pip-audit that gives no report at all (a broken lock, a crash) always fails.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt", "requirements-audit.txt"]


def verdict(report: dict, require_audit: bool) -> tuple[int, list[str]]:
    """The exit code and the lines to print for one pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"VULNERABLE {dep['name']} {dep.get('version', '')}: {vuln['id']} (fixed in {fixes})")
    audited = len(dependencies) - len(skipped)
    if dependencies and not audited:
        lines.append(f"NOT AUDITED: the vulnerability service answered for none of the {len(dependencies)} "
                     f"pinned packages ({skipped[0]['skip_reason']}). Run `make audit` where it can be reached"
                     + ("." if require_audit else
                        "; the build goes on (REQUIRE_DEPENDENCY_AUDIT=1 makes this a failure)."))
        return (1 if require_audit or vulnerable else 0), lines
    if skipped:
        lines.append("Could not audit: " + ", ".join(d["name"] for d in skipped))
    lines.append(f"Audited {audited} pinned packages: {len(vulnerable)} with known vulnerabilities.")
    return (1 if vulnerable or (require_audit and skipped) else 0), lines


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--require-hashes", "--disable-pip", "--progress-spinner", "off",
               "--format", "json"]
    for name in REQUIREMENTS:
        command += ["-r", str(ROOT / name)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit did not produce a report (exit {result.returncode}):\n{result.stderr[-2000:]}",
              file=sys.stderr)
        return 1
    code, lines = verdict(report, os.environ.get("REQUIRE_DEPENDENCY_AUDIT") == "1")
    not_audited = any(line.startswith(("NOT AUDITED", "Could not audit")) for line in lines)
    print("\n".join(lines), file=sys.stderr if code or not_audited else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
