"""The synthetic demo never enters a real council's store: a store remembers its kind, only the app's first start
or `python -m ingest demo` seeds the demo, and a council's store refuses it."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest import cli
from ingest.bootstrap import COUNCIL_STORE, DEMO_STORE, DemoRefused, ensure_ready, seed_demo_store, store_kind
from settings import DEMO_LA_CODE
from store.connection import connect


def _facts(path: Path) -> tuple[str | None, int, int]:
    """The store's kind, how many fictional councils it holds and how many demo uploads."""
    con = connect(path)
    try:
        fictional = con.execute("SELECT count(*) FROM councils WHERE is_demo OR la_code LIKE 'E99%'").fetchone()[0]
        demo = con.execute("SELECT count(*) FROM uploads WHERE kind = 'demo'").fetchone()[0]
        return store_kind(con), fictional, demo
    finally:
        con.close()


def test_a_real_councils_store_is_a_council_store_with_no_fictional_council(real_db_template):
    kind, fictional, demo = _facts(real_db_template)
    assert (kind, fictional, demo) == (COUNCIL_STORE, 0, 0)


def test_the_app_starting_a_council_store_for_the_demo_council_does_not_seed_it(real_db_template, tmp_path):
    path = tmp_path / "real.duckdb"
    path.write_bytes(real_db_template.read_bytes())
    con = connect(path)
    try:
        ensure_ready(con, DEMO_LA_CODE, seed_demo=True)  # DASHBOARD_LA unset on a council's server
        with pytest.raises(DemoRefused, match="real council's data"):
            seed_demo_store(con)
    finally:
        con.close()
    assert _facts(path)[1:] == (0, 0)


def test_a_read_only_command_with_no_council_set_seeds_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DASHBOARD_LA", raising=False)
    path = tmp_path / "new.duckdb"
    assert cli.main(["uploads", "--db", str(path)]) == 0
    kind, fictional, demo = _facts(path)
    assert (kind, fictional, demo) == (None, 0, 0)  # undecided: the next start with a real code makes it a council's


def test_a_read_only_command_on_a_council_store_seeds_nothing(real_db_template, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DASHBOARD_LA", raising=False)
    path = tmp_path / "real.duckdb"
    path.write_bytes(real_db_template.read_bytes())
    assert cli.main(["uploads", "--db", str(path)]) == 0
    assert _facts(path) == (COUNCIL_STORE, 0, 0)


def test_the_demo_command_refuses_a_council_store_and_fills_a_new_one(real_db_template, tmp_path, capsys):
    real = tmp_path / "real.duckdb"
    real.write_bytes(real_db_template.read_bytes())
    assert cli.main(["demo", "--db", str(real)]) == 1
    assert "holds a real council's data" in capsys.readouterr().err
    assert _facts(real) == (COUNCIL_STORE, 0, 0)

    new = tmp_path / "demo.duckdb"
    assert cli.main(["demo", "--db", str(new)]) == 0
    assert "demo council is loaded" in capsys.readouterr().out
    kind, fictional, demo = _facts(new)
    assert kind == DEMO_STORE and fictional > 0 and demo == 1
    assert cli.main(["demo", "--db", str(new)]) == 0
    assert "already loaded" in capsys.readouterr().out


def test_a_demo_store_holds_no_real_council(demo_con):
    real = demo_con.execute("SELECT count(*) FROM councils WHERE NOT is_demo").fetchone()[0]
    published = demo_con.execute("SELECT DISTINCT area_type FROM published_figures ORDER BY 1").fetchall()
    assert real == 0
    assert published == [("england",), ("region",)]
