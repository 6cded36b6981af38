"""The locks: hashed, runtime free of test tools, the dev lock holding the runtime pins unchanged, and every
package the product imports installed by the runtime lock alone."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_CODE = ["app.py", "settings.py", "views", "ui", "ingest", "records", "demo", "store", "analysis", "auth", "export"]
TEST_TOOLS = {"pytest", "hypothesis", "playwright", "axe-playwright-python", "oidc-provider-mock", "flask",
              "werkzeug", "pluggy", "iniconfig", "greenlet", "htpy", "pydantic"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:[ \t]*\\\n[ \t]*--hash=sha256:[0-9a-f]{64})*)", re.M)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(file: str) -> dict[str, tuple[str, frozenset[str]]]:
    text = (ROOT / file).read_text()
    pins = {_name(m[1]): (m[2], frozenset(re.findall(r"[0-9a-f]{64}", m[3]))) for m in PIN.finditer(text)}
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(pins) == len(requirement_lines), f"{file} has a line that is not a hashed pin"
    return pins


def test_every_pin_in_every_lock_is_exact_and_hashed():
    for file in ("requirements.txt", "requirements-dev.txt", "requirements-audit.txt"):
        pins = lock(file)
        assert pins, file
        assert all(hashes for _, hashes in pins.values()), f"{file}: a pin without --hash"


def test_the_runtime_lock_has_no_test_tools():
    assert not TEST_TOOLS & set(lock("requirements.txt"))


def test_the_dev_lock_holds_every_runtime_pin_with_the_same_version_and_hashes():
    runtime, dev = lock("requirements.txt"), lock("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert TEST_TOOLS <= set(dev)


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for entry in RUNTIME_CODE:
        path = ROOT / entry
        for file in [path] if path.is_file() else path.rglob("*.py"):
            for node in ast.walk(ast.parse(file.read_text(), str(file))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names)


def test_every_third_party_package_the_product_imports_is_in_the_runtime_lock():
    distributions = importlib.metadata.packages_distributions()
    runtime = set(lock("requirements.txt"))
    local = {path.stem for path in ROOT.iterdir()}
    missing = {module: distributions.get(module) for module in _imported_top_level_modules() - local
               if not {_name(d) for d in distributions.get(module, [])} & runtime}
    assert not missing, f"imported by the product but only installed for the tests: {missing}"
