"""The build's dependency audit: a known vulnerability fails it; an unreachable service is said out loud."""
from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "audit_dependencies", Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py")
audit_dependencies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_dependencies)
verdict = audit_dependencies.verdict

CLEAN = {"name": "duckdb", "version": "2.0.0", "vulns": []}
VULNERABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [
    {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"]}]}
UNREACHABLE = {"name": "plotly", "skip_reason": "Dependency not found on PyPI and could not be audited: plotly"}


def test_a_known_vulnerability_fails_the_build_and_names_the_fix():
    code, lines = verdict({"dependencies": [CLEAN, VULNERABLE]}, require_audit=False)
    assert code == 1
    assert "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in lines


def test_clean_pins_pass():
    assert verdict({"dependencies": [CLEAN]}, require_audit=True) == (0, ["Audited 1 pinned packages: 0 with known "
                                                                          "vulnerabilities."])


def test_an_unreachable_service_is_reported_and_fails_only_where_an_audit_is_required():
    code, lines = verdict({"dependencies": [UNREACHABLE, UNREACHABLE]}, require_audit=False)
    assert code == 0 and lines[0].startswith("NOT AUDITED: the vulnerability service answered for none of the 2")
    assert verdict({"dependencies": [UNREACHABLE]}, require_audit=True)[0] == 1


def test_a_partly_audited_run_lists_what_was_skipped():
    code, lines = verdict({"dependencies": [CLEAN, UNREACHABLE]}, require_audit=False)
    assert code == 0 and "Could not audit: plotly" in lines


def test_an_audit_that_gives_no_report_fails_even_where_no_audit_is_required(monkeypatch, capsys):
    class Broken:
        returncode, stdout, stderr = 1, "", "ERROR: requirement boolean.py==5.0 does not contain a hash"

    monkeypatch.setattr(audit_dependencies.subprocess, "run", lambda *args, **kwargs: Broken())
    monkeypatch.delenv("REQUIRE_DEPENDENCY_AUDIT", raising=False)
    assert audit_dependencies.main() == 1
    assert "does not contain a hash" in capsys.readouterr().err


def test_not_audited_says_how_to_make_it_a_failure():
    _, lines = verdict({"dependencies": [UNREACHABLE]}, require_audit=False)
    assert "REQUIRE_DEPENDENCY_AUDIT=1 makes this a failure" in lines[0]
