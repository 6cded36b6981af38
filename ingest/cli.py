"""`python -m ingest`: the monthly load from the command line, for analysts who automate it.

Exit codes: 0 loaded (or would load, with --dry-run), 1 refused, 2 wrong usage.
Errors print one per line as `FILE: SHEET!CELL (KPI, month): message`, the first `ingest.issues.ISSUE_LIMIT`
of a file and then one line counting the rest. Warnings print as the same lines after `warning: `; values far
from their usual range (`ingest.plausibility`) do not stop the load unless `--strict` is given.

`load` holds the database file only while it reads from it or writes the upload, never
while it reads and checks a file, so the dashboard (or another load) is not kept waiting
for the seconds a large file takes.
"""
from __future__ import annotations

import argparse
import getpass
import re
import shlex
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from analysis import forecast, kpi_view, tables
from auth import audit, users
from auth.roles import ROLES, operator
from ingest import catalogue, catalogue_sheet, local_kpis, teams, upload
from ingest.bootstrap import ensure_ready, seed_demo_store
from ingest.load import withdraw_upload
from ingest.template import template_bytes
from ingest.validate import LA_CODE_PATTERN
from settings import load_settings
from store import queries
from store.connection import connect, open_store
from store.dates import parse_period
from store.errors import Refused, command_exit
from store.spreadsheets import csv_bytes, workbook_bytes
from store.words import plural

BUSY_WAIT_SECONDS = 15.0
NAMED_MEASURES = 5
"""Unknown measures named, each with the command that adds it, when a load is refused for them."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Load, list, withdraw and export KPI data.")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="check and load monthly returns or DfE files")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", type=Path, help="database file (default: DASHBOARD_DB)")
    load.add_argument("--la", help="home council code for rows without la_code (default: DASHBOARD_LA)")
    load.add_argument("--user", default=getpass.getuser(), help="who is loading (default: your login name)")
    load.add_argument("--dry-run", action="store_true", help="check only; load nothing")
    load.add_argument("--strict", action="store_true",
                      help="refuse a file with any plausibility warning (a value far from its usual range) as well")
    listing = commands.add_parser("uploads", help="list uploads")
    listing.add_argument("--db", type=Path)
    withdraw = commands.add_parser("withdraw", help="withdraw an upload; the values it replaced come back")
    withdraw.add_argument("upload_id", type=int, metavar="ID")
    withdraw.add_argument("--db", type=Path)
    withdraw.add_argument("--user", default=getpass.getuser())
    template = commands.add_parser("template", help="write the monthly return template")
    template.add_argument("out", type=Path, metavar="OUT.xlsx")
    template.add_argument("--db", type=Path, help="list the council's local KPIs too (default: DASHBOARD_DB)")
    export = commands.add_parser("export", help="write the current values")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx")
    export.add_argument("--benchmarks", action="store_true",
                        help="write every published figure (England, regions, councils; the newest release of each)")
    export.add_argument("--db", type=Path)
    scorecard = commands.add_parser("scorecard", help="write the Overview's scorecard for one month as data")
    scorecard.add_argument("--month", required=True, metavar="YYYY-MM")
    scorecard.add_argument("--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx")
    scorecard.add_argument("--la", help="council code (default: DASHBOARD_LA)")
    scorecard.add_argument("--db", type=Path)
    listing_users = commands.add_parser("users", help="list who may sign in, with their roles")
    listing_users.add_argument("--db", type=Path)
    role = commands.add_parser("role", help="give someone a role (the first admin is made this way)")
    role.add_argument("email")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--note", default="")
    role.add_argument("--db", type=Path)
    role.add_argument("--user", default=getpass.getuser(), help="who is changing the role")
    kpi = commands.add_parser("kpi", help="list the KPI catalogue, or add, change, retire or restore a local KPI")
    kpi_commands = kpi.add_subparsers(dest="kpi_command", required=True)
    kpi_list = kpi_commands.add_parser("list", help="every KPI, statutory and local, retired ones last")
    kpi_list.add_argument("--db", type=Path)
    for verb, what in (("add", "add one of the council's own measures as a local KPI"),
                       ("change", "change a local KPI (its unit only while it has no figures)")):
        one = kpi_commands.add_parser(verb, help=what)
        one.add_argument("code", metavar="CODE", help="capital letters, digits and underscores, such as AUDIT_GOOD_PCT")
        one.add_argument("--name", required=True, help="the measure's name as the monthly report gives it")
        one.add_argument("--unit", required=True, choices=sorted(catalogue.UNITS))
        one.add_argument("--polarity", required=True, choices=sorted(catalogue.POLARITIES),
                         help="high or low: which way is better; target: stay close to it; none: context only")
        one.add_argument("--group", required=True, help="the Overview group it sits in, such as 'Quality assurance'")
        one.add_argument("--definition", default="", help="what is counted (default: the name)")
        one.add_argument("--decimals", type=int, default=1)
        one.add_argument("--frequency", default="monthly", choices=local_kpis.FREQUENCIES)
        one.add_argument("--denominator", help="for a percentage: the count KPI it is a share of (disclosure control)")
        one.add_argument("--subject", default="children", choices=sorted(catalogue.SUBJECTS),
                         help="whom it counts: children (disclosure control applies) or staff")
        one.add_argument("--db", type=Path)
        one.add_argument("--user", default=getpass.getuser())
    kpi_export = kpi_commands.add_parser("export", help="write the whole catalogue in the columns the import reads")
    kpi_export.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.csv")
    kpi_export.add_argument("--db", type=Path)
    kpi_import = kpi_commands.add_parser("import", help="add, change, retire or restore local KPIs from a file")
    kpi_import.add_argument("file", type=Path, metavar="FILE")
    kpi_import.add_argument("--dry-run", action="store_true", help="check only; change nothing")
    kpi_import.add_argument("--db", type=Path)
    kpi_import.add_argument("--user", default=getpass.getuser())
    for verb, what in (("retire", "hide a local KPI from pages and uploads; its figures are kept"),
                       ("restore", "bring a retired local KPI back")):
        one = kpi_commands.add_parser(verb, help=what)
        one.add_argument("code", metavar="CODE")
        one.add_argument("--db", type=Path)
        one.add_argument("--user", default=getpass.getuser())
    team = commands.add_parser("team", help="list the council's teams, localities and services; rename or merge one")
    team_commands = team.add_subparsers(dest="team_command", required=True)
    team_list = team_commands.add_parser("list", help="every team with its names, figures and merges")
    rename = team_commands.add_parser("rename", help="give a team a new name; files may use either name")
    rename.add_argument("old", metavar="NAME")
    rename.add_argument("new", metavar="NEW_NAME")
    merge = team_commands.add_parser("merge", help="fold a team into another from a month")
    merge.add_argument("merged", metavar="NAME")
    merge.add_argument("into", metavar="INTO_NAME")
    merge.add_argument("--from", dest="month", required=True, metavar="YYYY-MM",
                       help="the first month its figures are the other team's")
    for one in (team_list, rename, merge):
        one.add_argument("--la", help="council code (default: DASHBOARD_LA)")
        one.add_argument("--db", type=Path)
    for one in (rename, merge):
        one.add_argument("--user", default=getpass.getuser())
    ahead = commands.add_parser("forecast", help="write a KPI's forecast with 80% and 95% prediction intervals")
    ahead.add_argument("--kpi", required=True, metavar="CODE")
    ahead.add_argument("--months", type=int, default=12, metavar="N", help="months ahead, 1 to 36 (default 12)")
    ahead.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    ahead.add_argument("--until", metavar="YYYY-MM", help="forecast from this month, using no later figures")
    ahead.add_argument("--la", help="council code (default: DASHBOARD_LA)")
    ahead.add_argument("--db", type=Path)
    demo = commands.add_parser("demo", help="load the synthetic demo council into a new (or demo) database")
    demo.add_argument("--db", type=Path)
    backup = commands.add_parser("backup", help="copy the whole database consistently, even while the dashboard runs")
    backup.add_argument("out", type=Path, metavar="OUT.duckdb")
    backup.add_argument("--db", type=Path)
    return parser


def _open(db: Path | None, home_la: str):
    settings = load_settings()
    con = connect(db or settings.db_path, wait_seconds=BUSY_WAIT_SECONDS)
    ensure_ready(con, home_la)
    return con


def _opener(db: Path | None):
    """Opens the database (brought up to date by `_open` first) for one piece of work, waiting while it is busy."""
    path = db or load_settings().db_path
    return lambda: open_store(path, wait_seconds=BUSY_WAIT_SECONDS)


def _load(args: argparse.Namespace) -> int:
    home_la = _council(args.la)
    if home_la is None:
        return 2
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        for f in missing:
            print(f"{f}: no such file", file=sys.stderr)
        return 2
    _open(args.db, home_la).close()
    opened = _opener(args.db)
    refused = False
    actor = operator(args.user)
    for path in args.files:
        plan = upload.prepare_apart(opened, path.name, path.read_bytes(), home_la=home_la, user=actor.email)
        if plan.already_loaded_as is not None:
            print(f"{path.name}: already loaded as upload {plan.already_loaded_as}; nothing changed")
            continue
        if [issue.rule for issue in plan.issues] == ["reference_only"]:
            # A published file the dashboard reads for reference (the ONS population) is not a refusal.
            print(f"{path.name}: {plan.issues[0].message}")
            continue
        for issue in plan.issues:
            if issue.severity == "error":
                print(issue.line(), file=sys.stderr)
            else:
                print(f"warning: {issue.line()}")
        if plan.errors:
            print(f"{path.name}: refused, {plural(plan.error_count, 'error')}; nothing loaded", file=sys.stderr)
            _name_unknown_measures(path.name, plan.unknown_measures,
                                   any(rule == "unknown_kpi" for i in plan.errors for rule, _ in i.unlisted))
            refused = True
        elif args.strict and plan.checks:
            print(f"{path.name}: refused under --strict, {plural(len(plan.checks), 'value')} to check (the warning "
                  "lines above); nothing loaded", file=sys.stderr)
            refused = True
        elif args.dry_run:
            print(f"{path.name}: would load {plan.contents()} (dry run; nothing loaded)")
        else:
            try:
                with opened() as con:
                    upload_id = upload.commit(con, plan, actor, checked=True)  # the warnings are printed above
            except Refused as exc:
                print(f"{path.name}: refused, {exc.words}; nothing loaded", file=sys.stderr)
                refused = True
                continue
            print(f"{path.name}: loaded {plan.contents()} as upload {upload_id}")
    return 1 if refused else 0


def _name_unknown_measures(file_name: str, names: list[str], more: bool) -> None:
    """Name the measures the catalogue does not know, with the command that adds each as a local KPI: its code and
    unit guessed from the name, its polarity and group left for the analyst to choose. A file of hundreds of
    unknown names is more likely the wrong file: the first few are named, and one command shown per measure."""
    if not names:
        return
    shown = ", ".join(repr(n) for n in names[:NAMED_MEASURES])
    rest = len(names) - NAMED_MEASURES
    count = f"{'at least ' if more else ''}{plural(len(names), 'measure')}"
    print(f"{file_name}: {count} not in the catalogue: {shown}{f' and {rest:,} more' if rest > 0 else ''}. If they "
          "are the council's own measures, an admin adds each as a local KPI, then loads the file again:",
          file=sys.stderr)
    taken: set[str] = set()
    for name in names[:NAMED_MEASURES]:
        code = local_kpis.suggest_code(name, taken)
        taken.add(code)
        print(f"  python -m ingest kpi add {code} --name {shlex.quote(name)} --unit "
              f"{shlex.quote(local_kpis.guess_unit(name))} --polarity high|low|target|none --group GROUP",
              file=sys.stderr)


def _council(given: str | None) -> str | None:
    """The council a command is for (`--la`, else DASHBOARD_LA), or None after saying why it cannot be used."""
    la_code = (given or load_settings().home_la).strip().upper()
    if not re.match(LA_CODE_PATTERN, la_code):
        print(f"--la {la_code}: not a 9-character ONS council code such as E06000047", file=sys.stderr)
        return None
    return la_code


def _read(db: Path | None, query):
    """One query's result, with the database open only for as long as it takes."""
    con = _open(db, load_settings().home_la)
    try:
        return query(con)
    finally:
        con.close()


def _uploads(args: argparse.Namespace) -> int:
    table = _read(args.db, queries.uploads)
    if table.empty:
        print("no uploads")
        return 0
    for row in table.itertuples(index=False):
        print(f"{row.upload_id:>5}  {row.status:<9}  {row.uploaded_at:%Y-%m-%d %H:%M}  {row.uploaded_by:<20}  "
              f"{row.rows_loaded:>7} rows  {row.file_name}")
    return 0


def _change(db: Path | None, label: str, change: Callable[[duckdb.DuckDBPyConnection], object]) -> tuple[bool, object]:
    """Run one change on the store; a refusal is printed after `label` and reported as not done."""
    con = _open(db, load_settings().home_la)
    try:
        return True, change(con)
    except Refused as exc:
        print(f"{label}: {exc.words}", file=sys.stderr)
        return False, None
    finally:
        con.close()


def _withdraw(args: argparse.Namespace) -> int:
    done, affected = _change(args.db, f"withdraw {args.upload_id}",
                             lambda con: withdraw_upload(con, args.upload_id, operator(args.user)))
    if not done:
        return 1
    print(f"upload {args.upload_id} withdrawn: {plural(affected, 'value')} removed, the values they replaced are back")
    return 0


def _template(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".xlsx":
        print(f"{args.out}: the template is an .xlsx workbook; give a name ending .xlsx", file=sys.stderr)
        return 2
    args.out.write_bytes(template_bytes(_read(args.db, queries.catalogue), date.today().strftime("%Y-%m")))
    print(f"wrote {args.out}")
    return 0


def _write_table(out: Path, table, sheet: str) -> None:
    """A table as CSV or as one sheet of an .xlsx, by the file's suffix, through the formula-safe writers."""
    out.write_bytes(csv_bytes(table) if out.suffix.lower() == ".csv" else workbook_bytes({sheet: table}))


def _export(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"{args.out}: export writes .csv or .xlsx", file=sys.stderr)
        return 2
    if args.benchmarks:
        return _export_benchmarks(args.out, args.db)
    table = _read(args.db, queries.current_values)
    _write_table(args.out, table, "Values")
    print(f"wrote {len(table)} values to {args.out}")
    return 0


def _export_benchmarks(out: Path, db: Path | None) -> int:
    """Every published figure the pages use, the newest release of each, as `la_code, kpi_code, period_end, value,
    status, source, release`: England as E92000001, a region by its code, a suppressed figure with no value."""
    table = _read(db, queries.published_figures)
    _write_table(out, table, "Published figures")
    print(f"wrote {plural(len(table), 'published figure')} to {out}")
    return 0


def _scorecard(args: argparse.Namespace) -> int:
    """The Overview as data: one row per KPI, the same numbers and words as the page (`analysis.kpi_view`)."""
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"{args.out}: the scorecard is written as .csv or .xlsx", file=sys.stderr)
        return 2
    month = parse_period(args.month) if re.fullmatch(r"\d{4}-\d{2}", args.month.strip()) else None
    if month is None:
        print(f"--month {args.month}: give the month as YYYY-MM, such as 2026-10", file=sys.stderr)
        return 2
    la_code = _council(args.la)
    if la_code is None:
        return 2
    known = _read(args.db, lambda con: queries.months_with_data(con, la_code))
    if month not in known:
        latest = f"; its latest is {known[-1]:%Y-%m}" if known else ""
        print(f"{la_code} has no figures for {month:%Y-%m}{latest}", file=sys.stderr)
        return 1
    card, catalogue = _read(args.db, lambda con: (kpi_view.read_scorecard(con, la_code, month),
                                                  queries.catalogue(con)))
    table = tables.scorecard_export(card, catalogue, la_code)
    _write_table(args.out, table, "Scorecard")
    print(f"wrote {plural(len(table), 'KPI')} for {la_code} at {month:%Y-%m} to {args.out}")
    return 0


def _users(args: argparse.Namespace) -> int:
    table = _read(args.db, lambda con: users.users(con, operator()))
    for row in table.itertuples(index=False):
        print(f"{row.role:<8}  {row.email}  (set by {row.changed_by}, {row.changed_at:%Y-%m-%d %H:%M} UTC)")
    print(plural(len(table), "user"))
    return 0


def _role(args: argparse.Namespace) -> int:
    done, _ = _change(args.db, f"role {args.email}",
                      lambda con: users.set_role(con, args.email, args.role, args.note, operator(args.user)))
    if not done:
        return 1
    print(f"{users.normalise(args.email)} is now {args.role}")
    return 0


def _kpi(args: argparse.Namespace) -> int:
    """The catalogue from the command line, run by an operator who holds the database file (so an admin)."""
    if args.kpi_command == "list":
        table = _read(args.db, queries.full_catalogue)
        for row in table.itertuples(index=False):
            state = f"retired {row.retired_at:%Y-%m-%d}" if pd.notna(row.retired_at) else row.origin
            print(f"{row.code:<28}  {state:<18}  {row.unit:<5}  {row.polarity:<6}  {row.kpi_group:<22}  {row.name}")
        local = int((table["origin"] == "local").sum())
        print(f"{plural(len(table), 'KPI')}: {len(table) - local:,} statutory, {local:,} local")
        return 0
    if args.kpi_command == "export":
        if args.out.suffix.lower() not in (".csv", ".xlsx"):
            print(f"{args.out}: the catalogue is written as .csv or .xlsx", file=sys.stderr)
            return 2
        table = catalogue_sheet.export_frame(_read(args.db, queries.full_catalogue))
        _write_table(args.out, table, catalogue_sheet.SHEET_NAME)
        print(f"wrote {plural(len(table), 'KPI')} to {args.out}")
        return 0
    actor = operator(args.user)
    if args.kpi_command == "import":
        return _import_catalogue(args, actor)
    if args.kpi_command in ("retire", "restore"):
        edit = local_kpis.retire_kpi if args.kpi_command == "retire" else local_kpis.restore_kpi
        done, _ = _change(args.db, f"kpi {args.kpi_command} {args.code}", lambda con: edit(con, args.code, actor))
        if not done:
            return 1
        print(f"{args.code.upper()} " + ("retired: hidden from pages and uploads, its figures kept"
                                         if args.kpi_command == "retire" else "restored"))
        return 0
    kpi = local_kpis.LocalKpi(
        code=args.code, name=args.name, unit=args.unit, polarity=args.polarity, kpi_group=args.group,
        definition=args.definition, decimals=args.decimals, frequency=args.frequency,
        denominator_kpi=args.denominator, subject=args.subject)
    edit = local_kpis.add_local_kpi if args.kpi_command == "add" else local_kpis.change_local_kpi
    done, _ = _change(args.db, f"kpi {args.kpi_command} {args.code}", lambda con: edit(con, kpi, actor))
    if not done:
        return 1
    done_words = "added as a local KPI" if args.kpi_command == "add" else "changed"
    print(f"{args.code.upper()} {done_words}: {args.name.strip()}")
    return 0


def _team(args: argparse.Namespace) -> int:
    la_code = _council(args.la)
    if la_code is None:
        return 2
    if args.team_command == "list":
        table = _read(args.db, lambda con: queries.teams(con, la_code))
        for row in table.itertuples(index=False):
            merged = f", merged into {row.merged_into_name} from {row.merged_from:%b %Y}" \
                if pd.notna(row.merged_from) else ""
            print(f"{row.kind:<9}  {row.name:<30}  {row.figures:>6} figures  names: {row.names}{merged}")
        print(f"{len(table):,} in all (teams, localities and services)")
        return 0
    actor = operator(args.user)
    if args.team_command == "rename":
        done, _ = _change(args.db, f"team rename {args.old}",
                          lambda con: teams.rename_team(con, la_code, args.old, args.new, actor))
        if done:
            print(f"{args.old} is now {' '.join(args.new.split())}; files may use either name")
        return 0 if done else 1
    month = parse_period(args.month) if re.fullmatch(r"\d{4}-\d{2}", args.month.strip()) else None
    if month is None:
        print(f"--from {args.month}: give the month as YYYY-MM, such as 2026-04", file=sys.stderr)
        return 2
    done, _ = _change(args.db, f"team merge {args.merged}",
                      lambda con: teams.merge_team(con, la_code, args.merged, args.into, month, actor))
    if done:
        print(f"{args.merged} merged into {args.into} from {month:%b %Y}; its earlier figures keep its name")
    return 0 if done else 1


def _import_catalogue(args: argparse.Namespace, actor) -> int:
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    parsed = _read(args.db, lambda con: catalogue_sheet.check_file(con, args.file.name, args.file.read_bytes()))
    for issue in parsed.issues:
        print(issue.line(), file=sys.stderr)
    if parsed.errors:
        print(f"{args.file.name}: refused, {plural(parsed.error_count, 'error')}; nothing imported", file=sys.stderr)
        return 1
    if args.dry_run:
        plan = _read(args.db, lambda con: catalogue_sheet.changes(con, parsed))
        print(f"{args.file.name}: would {_catalogue_changes(plan, False)} (dry run; nothing changed)")
        return 0
    done, plan = _change(args.db, args.file.name, lambda con: catalogue_sheet.import_catalogue(con, parsed, actor))
    if not done:
        return 1
    print(f"{args.file.name}: {_catalogue_changes(plan, True)}; {plural(parsed.statutory, 'statutory KPI')} left as "
          "they are")
    return 0


CATALOGUE_VERBS = {"added": ("add", "added"), "changed": ("change", "changed"), "retired": ("retire", "retired"),
                   "restored": ("restore", "restored")}


def _catalogue_changes(plan: dict[str, list[str]], done: bool) -> str:
    """"added 2 local KPIs, retired 1 local KPI"; not `done` (a dry run), "add 2 local KPIs, retire 1 local KPI"."""
    words = [f"{CATALOGUE_VERBS[kind][done]} {plural(len(codes), 'local KPI')}" for kind, codes in plan.items() if codes]
    return ", ".join(words) or ("changed nothing" if done else "change nothing")


def _forecast(args: argparse.Namespace) -> int:
    """`period,forecast,lower,upper,lower95,upper95` (`lower`/`upper` the 80% interval) for the months after the
    last month with a figure, up to `--until` when given: what a backtest runs."""
    if args.out.suffix.lower() != ".csv":
        print(f"{args.out}: the forecast is written as .csv; give a name ending .csv", file=sys.stderr)
        return 2
    if not 1 <= args.months <= 36:
        print(f"--months {args.months}: give 1 to 36 months", file=sys.stderr)
        return 2
    la_code = _council(args.la)
    if la_code is None:
        return 2
    until = date.today().replace(day=1)
    if args.until is not None:
        until = parse_period(args.until) if re.fullmatch(r"\d{4}-\d{2}", args.until.strip()) else None
        if until is None:
            print(f"--until {args.until}: give the month as YYYY-MM, such as 2026-10", file=sys.stderr)
            return 2
    code = args.kpi.strip().upper()

    def read(con):
        known = queries.catalogue(con).set_index("code")
        if code not in known.index:
            return None, None, None
        return (known.loc[code], queries.kpi_series(con, la_code, code, until),
                queries.rebases(con, la_code, code)["period"])

    meta, series, rebases = _read(args.db, read)
    if meta is None:
        print(f"--kpi {code}: not a KPI in the catalogue; `python -m ingest kpi list` lists them", file=sys.stderr)
        return 2
    if not series.empty and (series["kind"] == "published").all():
        print(f"{code}: {la_code} has published annual figures only; a forecast needs monthly figures", file=sys.stderr)
        return 1
    result = forecast.forecast(series, str(meta["unit"]), months=args.months, rebases=rebases, until=until)
    if isinstance(result, forecast.NoForecast):
        print(f"{code}: {result.reason}", file=sys.stderr)
        return 1
    table = result.frame().round(int(meta["decimals"]) + 1)
    _write_table(args.out, table, "Forecast")
    print(f"wrote {plural(len(table), 'month')} of {code} for {la_code} from {result.months_used} months "
          f"({result.since:%Y-%m} to {pd.Timestamp(result.periods[0]) - pd.DateOffset(months=1):%Y-%m}), "
          f"{result.method}, to {args.out}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    """The one command that writes the synthetic council; a real council's database refuses it."""
    con = connect(args.db or load_settings().db_path, wait_seconds=BUSY_WAIT_SECONDS)
    try:
        seeded = seed_demo_store(con)
    finally:
        con.close()
    print("the synthetic demo council is loaded" if seeded else "the synthetic demo council was already loaded")
    return 0


def _backup(args: argparse.Namespace) -> int:
    """Checkpoint, then copy while holding the file, so no write can land half-way through the copy."""
    if args.out.exists():
        print(f"{args.out} already exists; choose a new name so no backup is overwritten", file=sys.stderr)
        return 2
    source = Path(args.db or load_settings().db_path)
    con = _open(source, load_settings().home_la)
    try:
        con.execute("CHECKPOINT")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, args.out)
        if audit.head_path(source).exists():  # where the audit log ends, copied while no write can move it
            shutil.copy2(audit.head_path(source), audit.head_path(args.out))
    finally:
        con.close()
    with open_store(args.out) as copy:
        uploads = copy.execute("SELECT count(*) FROM uploads").fetchone()[0]
        verdict = audit.check(copy)
        entries = copy.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    print(f"backed up {source} to {args.out} ({args.out.stat().st_size:,} bytes, {plural(uploads, 'upload')})")
    if verdict.intact:
        print(f"audit log: {entries:,} entries, every fingerprint matches and it ends where it should")
    else:
        broken = f"fingerprints fail at entries {', '.join(map(str, verdict.broken[:20]))}; " if verdict.broken else ""
        print(f"audit log NOT intact in the copy: {broken}{verdict.end}", file=sys.stderr)
    return 0


COMMANDS = {"load": _load, "uploads": _uploads, "withdraw": _withdraw, "template": _template, "export": _export,
            "users": _users, "role": _role, "backup": _backup, "demo": _demo, "scorecard": _scorecard, "kpi": _kpi,
            "team": _team, "forecast": _forecast}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return command_exit(lambda: COMMANDS[args.command](args))
