"""`python -m export pack`: the month's board pack without a browser, for a council that schedules it for the first
working day of the month.

    python -m export pack --month YYYY-MM --audience board|scrutiny|all [--publication] --out FILE.pptx
                          [--la CODE] [--db PATH]

The Excel copy is written beside the deck (same name, .xlsx). The audiences are the saved selections of
`data/pack_selections.csv` ("Corporate parenting board", "Scrutiny"); `all` is every KPI of the catalogue. The
pre-flight list (`export.preflight`) is printed first, a line each starting `warning:`; the pack is made
regardless, as on the page once acknowledged, and both files are written to the audit log as the page's downloads
are, with the warnings. Exit codes as `python -m ingest`: 0 made, 1 refused (a month or council without figures,
an unusable selections file, a busy database), 2 wrong usage; every refusal is one line, never a traceback.

The command lives here, not in `ingest/cli.py`, because making a pack needs `export`, a layer above `ingest`.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import NoReturn

import duckdb

from analysis import plan_status
from auth import audit
from auth.roles import operator
from export import pack, preflight, render, selections
from export.gather import INTERNAL, PUBLICATION, PackOptions, PlanSummary, gather, plan_summary
from ingest.bootstrap import ensure_ready
from ingest.validate import LA_CODE_PATTERN
from settings import load_settings
from store import queries
from store.connection import connect
from store.dates import parse_period
from store.errors import Refused, UsageRefused, command_exit
from store.writes import transaction

BUSY_WAIT_SECONDS = 15.0
AUDIENCES = {"board": "Corporate parenting board", "scrutiny": "Scrutiny", "all": None}
"""Each audience's saved selection; `all` is every KPI."""
ALL_TITLE = "All KPIs"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Wrong usage in one line, as every other refusal of the command."""
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m export", description="Make the board pack from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("pack", help="write the month's deck (.pptx) and its numbers (.xlsx) beside it")
    made.add_argument("--month", required=True, metavar="YYYY-MM")
    made.add_argument("--audience", required=True, metavar="board|scrutiny|all",
                      help="the saved KPI selection: the corporate parenting board's, scrutiny's, or every KPI")
    made.add_argument("--publication", action="store_true",
                      help="a pack for publication (OFFICIAL): counts of 1 to 5, and figures that could reveal one, "
                           "shown as c; without it the pack is internal (OFFICIAL-SENSITIVE)")
    made.add_argument("--out", type=Path, required=True, metavar="FILE.pptx")
    made.add_argument("--la", help="council code (default: DASHBOARD_LA)")
    made.add_argument("--db", type=Path, help="database file (default: DASHBOARD_DB)")
    return parser


@dataclass(frozen=True)
class _Request:
    month: date
    audience: str
    la_code: str
    out: Path
    db: Path


def _request(args: argparse.Namespace) -> _Request:
    """The arguments checked before the database is opened."""
    text = args.month.strip()
    month = parse_period(text) if re.fullmatch(r"\d{4}-\d{2}", text) else None
    if month is None:
        raise UsageRefused(f"--month {args.month}: give the month as YYYY-MM, such as 2026-10")
    audience = args.audience.strip().lower()
    if audience not in AUDIENCES:
        raise UsageRefused(f"--audience {args.audience}: choose one of {', '.join(AUDIENCES)}")
    settings = load_settings()
    la_code = (args.la or settings.home_la).strip().upper()
    if not re.match(LA_CODE_PATTERN, la_code):
        raise UsageRefused(f"--la {la_code}: not a 9-character ONS council code such as E06000047")
    if args.out.suffix.lower() != ".pptx":
        raise UsageRefused(f"--out {args.out}: the pack is a PowerPoint deck; give a name ending .pptx")
    if not args.out.parent.is_dir():
        raise UsageRefused(f"--out {args.out}: the folder {args.out.parent} does not exist")
    db = args.db or settings.db_path
    if not Path(db).is_file():
        raise UsageRefused(f"{db}: no such database (give --db or set DASHBOARD_DB)")
    return _Request(month, audience, la_code, args.out, Path(db))


def _options(con: duckdb.DuckDBPyConnection, request: _Request, publication: bool) -> PackOptions:
    """The pack as the page would be asked for it, refused in words when the council or month has no figures."""
    councils = queries.councils(con).set_index("la_code")
    if request.la_code not in councils.index:
        raise Refused(f"{request.la_code} is not a council in {request.db.name}")
    months = queries.months_with_data(con, request.la_code)
    if request.month not in months:
        latest = f"; its latest is {months[-1]:%Y-%m}" if months else ""
        raise Refused(f"{request.la_code} has no figures for {request.month:%Y-%m}{latest}")
    catalogue = queries.catalogue(con)["code"].tolist()
    selection = AUDIENCES[request.audience]
    if selection is None:
        codes, title = catalogue, ALL_TITLE
    else:
        saved = selections.read_selections(catalogue, selections.SELECTIONS_CSV)
        if selection not in saved:
            raise Refused(f"{selections.SELECTIONS_CSV.name} has no selection named {selection!r} for --audience "
                          f"{request.audience}")
        codes, title = saved[selection], selection
    council = councils.loc[request.la_code]
    return PackOptions(request.la_code, str(council["name"]), request.month, tuple(codes),
                       audience=PUBLICATION if publication else INTERNAL, title=title,
                       prepared_by=operator().email, is_demo=bool(council["is_demo"]))


def _plan(con: duckdb.DuckDBPyConnection, options: PackOptions) -> PlanSummary | None:
    """The improvement plan's slide, counted to the same day as the plan page (the demo's fixed day in the demo)."""
    return plan_summary(plan_status.plan_rows(queries.recommendations(con, options.la_code),
                                              plan_status.plan_as_at(options.is_demo)))


def _pack(args: argparse.Namespace) -> int:
    request = _request(args)
    render.warm_up()  # chromium starts while the figures are read
    con = connect(request.db, wait_seconds=BUSY_WAIT_SECONDS)
    try:
        ensure_ready(con, load_settings().home_la)
        options = _options(con, request, args.publication)
        data = gather(con, options)
        # The pre-flight judges every figure, including those a publication pack hides.
        checked = gather(con, replace(options, audience=INTERNAL)) if options.publication else data
        items = preflight.check(checked, preflight.read_facts(con, options.la_code))
        plan = _plan(con, options)
    finally:
        con.close()
    for item in items:
        print(f"warning: {item.text}")
    made = pack.assemble(data, plan)
    workbook = request.out.with_suffix(".xlsx")
    request.out.write_bytes(made.pptx)
    workbook.write_bytes(made.xlsx)
    _audit(request, options, made, [item.text for item in items])
    print(f"wrote {len(made.slides)} slides to {request.out} and the numbers to {workbook}, marked {options.marking}")
    return 0


def _audit(request: _Request, options: PackOptions, made: pack.Pack, warnings: list[str]) -> None:
    """Both files in the audit log, as the page's two downloads would be."""
    details = {"council": options.la_code, "month": options.period, "kpis": list(options.kpi_codes),
               "marking": options.marking, "audience": options.audience, "warnings": warnings}
    files = {"Board pack slides": request.out, "Board pack numbers": request.out.with_suffix(".xlsx")}
    con = connect(request.db, wait_seconds=BUSY_WAIT_SECONDS)
    try:
        with transaction(con):
            for what, path in files.items():
                audit.record(con, operator(), "export", f"{what}: {path.name}", None, {"file": path.name, **details})
    finally:
        con.close()


COMMANDS = {"pack": _pack}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return command_exit(lambda: COMMANDS[args.command](args))


if __name__ == "__main__":
    raise SystemExit(main())
