"""The house's layers: each package imports only those below it, so a newcomer can tell where a feature belongs.

    views/, app.py   page scripts
    ui/              Streamlit helpers: cached reads, forms, feedback
    export/          the board pack
    ingest/          files in: readers, checks, loads, the catalogue and local KPIs, the command line
    records/         what people edit: targets, rules, commentary, the plan
    analysis/        maths, tables and charts, no store writes
    auth/            roles, users, the audit log
    demo/            the synthetic demo's generator
    settings.py      environment variables
    store/           connection, migrations, writes, queries, dates, words, refusals
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from store.errors import Refused

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["store", "settings", "demo", "auth", "analysis", "records", "ingest", "export", "ui", "views"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}


def _package(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return "views" if relative.parts[0] == "app.py" else relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(RANK)


def _product_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "settings.py"]
    for name in LAYERS:
        if (ROOT / name).is_dir():
            files += sorted((ROOT / name).rglob("*.py"))
    return files


@pytest.mark.parametrize("path", _product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_the_layers_below_its_own(path):
    own = _package(path)
    above = sorted(name for name in _imports(path) if RANK[name] > RANK[own])
    assert not above, f"{path.relative_to(ROOT)} ({own}) imports {above}, which sit above it"


def test_no_two_modules_share_a_file_name():
    names: dict[str, list[str]] = {}
    for path in _product_files():
        if path.name not in {"__init__.py", "__main__.py"}:
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}


def test_every_refusal_the_product_defines_is_one_kind():
    """A page catches `Refused` once; a refusal that is not one would fall through to "Something went wrong"."""
    from auth.roles import AccessDenied
    from export.gather import PackError
    from export.render import ChartRenderError
    from export.selections import SelectionError
    from ingest.catalogue import CatalogueError
    from ingest.issues import FileRefused, UploadRefused
    from settings import SettingsError
    from store.errors import EditRefused, StoreBusyError

    for kind in (AccessDenied, PackError, ChartRenderError, SelectionError, CatalogueError, FileRefused, UploadRefused,
                 SettingsError, EditRefused, StoreBusyError):
        assert issubclass(kind, Refused), kind


def test_the_product_defines_no_other_exception_for_people_to_read():
    """Every exception class in the product is a Refused, bar the few that never reach a person."""
    internal = {"Refused", "TooLarge"}  # the base itself; ingest.extent's, made a FileRefused inside the reader
    defined = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception")) for base in node.bases):
                defined.append(node.name)
    assert set(defined) <= internal, set(defined) - internal


def test_no_page_script_has_a_bare_string_after_its_docstring():
    """Streamlit draws a bare string in a page script on the page ("magic"): a docstring under a constant there
    showed at the top of the board pack, above its title. Only the module's own docstring is exempt."""
    for path in sorted((ROOT / "views").glob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        shown = [node.lineno for node in body[1:] if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                 and isinstance(node.value.value, str)]
        assert not shown, f"{path.name}: a string Streamlit would draw, at line {shown}"
