"""Everything a board pack shows for one council and month, read once through `store.queries`.

The result holds each KPI's numbers as the slides, the workbook and the presentation view show them. For a
pack marked for publication the disclosure rules (`analysis.disclosure`) are applied here, once, so that the
deck and the workbook can never disagree about what is hidden.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

from analysis import (benchmarking, breakdowns, disclosure, draft, forecast, kpi, kpi_view, plan_status,
                      variation)
from store import queries
from store.errors import Refused
from store.words import plural

INTERNAL, PUBLICATION = "internal", "publication"
MARKINGS = {INTERNAL: "OFFICIAL-SENSITIVE", PUBLICATION: "OFFICIAL"}
CHART_KINDS = {"trend": "Trend against target", "spc": "SPC chart (Making Data Count)"}
DEFAULT_MONTHS = 24
SENTENCE_NOT_SHOWN = ("Summary not shown: it compares months, and some months of this KPI are hidden as c because "
                      "they could reveal a small number.")
NOT_SHOWN = kpi.Judgement("hidden", disclosure.NOT_SHOWN, "–")
"""A direction of travel or RAG rating that would compare a hidden value, as a publication pack shows it."""


class PackError(Refused):
    """The pack cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class PackOptions:
    """What the user chose on the Board pack page."""

    la_code: str
    council_name: str
    period: date
    kpi_codes: tuple[str, ...]
    audience: str = INTERNAL
    title: str = "Performance report"
    chart: str = "trend"
    spc_words: bool = True
    months: int = DEFAULT_MONTHS
    prepared_by: str = ""
    is_demo: bool = False

    def __post_init__(self) -> None:
        if not self.kpi_codes:
            raise PackError("Choose at least one KPI for the pack.")
        if self.audience not in MARKINGS:
            raise PackError(f"A pack is either {INTERNAL!r} or for {PUBLICATION!r}; got {self.audience!r}.")
        if self.chart not in CHART_KINDS:
            raise PackError(f"The chart is one of {', '.join(CHART_KINDS)}; got {self.chart!r}.")
        if not 3 <= self.months <= 120:
            raise PackError("Show between 3 and 120 months on each chart.")

    @property
    def publication(self) -> bool:
        return self.audience == PUBLICATION

    @property
    def marking(self) -> str:
        return MARKINGS[self.audience]

    @property
    def file_stem(self) -> str:
        words = "".join(ch if ch.isalnum() else "_" for ch in self.title).strip("_")
        return f"{self.la_code}_{words}_{self.period:%Y-%m}_{self.audience}"


@dataclass
class KpiPage:
    """One KPI as its slide shows it. Text fields are already protected for a publication pack."""

    code: str
    name: str
    definition: str
    unit: str
    polarity: str
    decimals: int
    source: str
    group: str
    series: pd.DataFrame
    hidden: list[bool]
    targets: list[float | None]
    floors: list[float | None]
    england: pd.DataFrame
    neighbours: pd.DataFrame
    published: pd.DataFrame
    annotations: pd.DataFrame
    rebases: pd.DataFrame
    spc: pd.DataFrame | None
    latest_value: float | str | None
    latest_text: str
    latest_period: date | None
    latest_when: str
    latest_kind: str
    target_value: float | None
    target_text: str
    rag: str
    rag_text: str
    gap_text: str
    rule_text: str
    direction_text: str
    sentence: str
    spc_since: str
    england_value: float | None
    england_as_at: str
    england_text: str
    neighbour_value: float | str | None
    neighbour_as_at: str
    neighbour_text: str
    variation_text: str
    assurance_text: str
    commentary: str | None
    commentary_by: str | None
    upload_id: int | None
    upload_file: str | None
    upload_date: datetime | None
    chart_kind: str = "trend"
    notes: list[str] = field(default_factory=list)
    outlook: str = ""
    """"Will we hit it?" for a KPI with a target and a better direction (`analysis.forecast`); empty in a publication
    pack when any month is hidden, since a forecast is fitted to every month."""
    draft: str | None = None
    """Where nobody has written the month's commentary, the dashboard's draft (`analysis.draft`), shown marked as a
    draft not yet reviewed; never in a pack for publication, whose figures a draft could give back unprotected."""
    teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The KPI by team in the pack's month, as `analysis.breakdowns.month_table` words it; in a publication pack,
    with every team figure that could reveal a small number shown as c, and no month-on-month change."""

    @property
    def any_hidden(self) -> bool:
        return any(self.hidden)

    @property
    def target_words(self) -> str:
        """The target as a slide says it: "none set" where a table shows a dash, which nobody can read aloud."""
        return "none set" if self.target_text == "–" else self.target_text

    @property
    def shows_c(self) -> bool:
        """Whether the slide shows a `c` anywhere, so it needs the note that explains it."""
        return self.any_hidden or disclosure.SUPPRESSED in (self.latest_value, self.neighbour_value)

    @property
    def shown_values(self) -> pd.Series:
        """The values as the chart may draw them: hidden ones become gaps."""
        return self.series["value"].where(~pd.Series(self.hidden, index=self.series.index, dtype=bool))

    def text(self, value: float | None) -> str:
        return kpi.format_value(value, self.unit, self.decimals)


@dataclass
class PackData:
    options: PackOptions
    pages: list[KpiPage]
    generated_at: datetime



@dataclass(frozen=True)
class OverdueItem:
    recommendation: str
    owner: str
    due: date
    days_overdue: int


@dataclass(frozen=True)
class PlanSummary:
    """The improvement plan as its slide shows it: recommendations per status (columns `status`,
    `recommendations`) and the overdue items. Packs are made without it where a council keeps no plan."""

    counts: pd.DataFrame
    overdue: list[OverdueItem]

    def __post_init__(self) -> None:
        if list(self.counts.columns) != ["status", "recommendations"]:
            raise PackError("The plan summary's counts need the columns status, recommendations.")


def plan_summary(rows: pd.DataFrame) -> PlanSummary | None:
    """The plan slide's figures from `analysis.plan_status.plan_rows`; None for a council that keeps no plan here."""
    if rows.empty:
        return None
    counts = pd.DataFrame({"status": list(plan_status.STATUSES.values()),
                           "recommendations": [int((rows["status"] == code).sum()) for code in plan_status.STATUSES]})
    overdue = [OverdueItem(row.text, row.owner or "–", pd.Timestamp(row.due_on).date(), -int(row.days_left))
               for row in rows[rows["overdue"]].itertuples(index=False)]
    return PlanSummary(counts, overdue)


def gather(con: duckdb.DuckDBPyConnection, options: PackOptions, now: datetime | None = None) -> PackData:
    """Read and work out every KPI page of the pack."""
    la, until = options.la_code, options.period
    shared = kpi_view.council(con, la)
    catalogue = shared.catalogue
    unknown = [c for c in options.kpi_codes if c not in set(catalogue["code"])]
    if unknown:
        raise PackError(f"Unknown KPI code(s): {', '.join(unknown)}. Choose KPIs from the catalogue.")
    commentary = queries.commentary(con, la, until)
    neighbour_list = benchmarking.neighbours_in_use(queries.neighbours(con, la), queries.neighbour_model(con, la))
    card = kpi_view.read_scorecard(con, la, until, options.kpi_codes).set_index("kpi_code")
    uploads = queries.uploads(con).set_index("upload_id")
    meta = catalogue.set_index("code")
    wanted = set(options.kpi_codes) | {base_kpi(meta.loc[c]) for c in options.kpi_codes} - {None}
    views = {code: kpi_view.read(con, la, code, until, card.loc[code], neighbour_list, shared)
             for code in options.kpi_codes}
    full_series = {code: views[code].series if code in views else queries.kpi_series(con, la, code, until)
                   for code in wanted}
    pages = [_page(options, views[code], full_series, commentary.set_index("kpi_code"), uploads)
             for code in options.kpi_codes]
    if not options.publication:
        for page in pages:
            if page.commentary is None:
                linked = draft.recommendation_words(queries.kpi_due_dates(con, la, page.code))
                page.draft = draft.paragraph(card.loc[page.code], recommendation=linked)
    for page in pages:
        page.outlook = _outlook(options, views[page.code], page, full_series)
    rules = kpi.rules_from(queries.rag_rules(con, la))
    with_teams = set(queries.kpis_with_team_values(con, la, until))
    for page in pages:
        if page.code in with_teams:
            page.teams = _teams(con, options, views[page.code], page, rules.get(page.code))
    return PackData(options, pages, now or datetime.now())


def _outlook(options: PackOptions, view: kpi_view.KpiView, page: KpiPage, full_series: dict) -> str:
    """The KPI's outlook against its target in a sentence, as the KPI trend page says it."""
    if page.polarity not in ("high", "low") or page.target_value is None or view.published_only:
        return ""
    if options.publication and any(hidden_months(view.series, view.meta, full_series)):
        return ""
    marks = view.annotations
    due = marks.loc[marks["kind"] == "due", "period"].tolist() if "kind" in marks else []
    return forecast.for_kpi(view.series, view.unit, page.polarity, view.kpi_targets, options.period,
                            name=view.name, rebases=view.rebases["period"], commitments=due,
                            target_text=lambda value: kpi.format_value(value, view.unit, view.decimals)).sentence


def _teams(con: duckdb.DuckDBPyConnection, options: PackOptions, view: kpi_view.KpiView, page: KpiPage,
           rule: kpi.RagRule | None) -> pd.DataFrame:
    """The KPI by team in the pack's month; for a publication, each team judged by the disclosure rules, and a
    lone hidden team count hidden with another (`analysis.disclosure.teams_hidden`)."""
    la, until, card = options.la_code, options.period, view.card
    values = queries.team_values(con, la, page.code, until)
    table = breakdowns.month_table(
        values, view.series, until, unit=page.unit, decimals=page.decimals, polarity=page.polarity,
        target=None if pd.isna(card["target"]) else float(card["target"]),
        floor=None if pd.isna(card["floor"]) else float(card["floor"]), target_kind=card["target_kind"], rule=rule,
        team_targets=queries.team_targets(con, la, page.code))
    if not options.publication or table.empty:
        return table
    month = values[pd.to_datetime(values["period"]) == pd.Timestamp(until)].reset_index(drop=True)
    named = base_kpi(view.meta)
    if named:
        base = queries.team_values(con, la, named, until)
        base = base[pd.to_datetime(base["period"]) == pd.Timestamp(until)].set_index("team")["value"]
        month["base"] = month["team"].map(base)
    subject = view.meta.get("subject")
    hidden = dict(zip(month["team"], disclosure.teams_hidden(
        month, page.unit, council_shown=page.latest_value != disclosure.SUPPRESSED, decimals=page.decimals,
        subject=subject if isinstance(subject, str) else disclosure.CHILDREN)))
    hidden["Whole council"] = page.latest_value == disclosure.SUPPRESSED
    masked = table["Team"].map(hidden).fillna(False).astype(bool)
    table = table.drop(columns=["Change"])
    table.loc[masked, "Value"] = disclosure.SUPPRESSED
    table.loc[masked, ["RAG", "Gap to target"]] = disclosure.NOT_SHOWN
    return table


def base_kpi(meta: pd.Series) -> str | None:
    """The count KPI the catalogue names for a percentage (its denominator) or a rate (the count it comes from)."""
    column = {"%": "denominator_kpi", "rate": "numerator_kpi"}.get(meta["unit"])
    named = meta.get(column) if column else None
    return named if isinstance(named, str) and named else None


def hidden_months(history: pd.DataFrame, meta: pd.Series, full_series: dict) -> list[bool]:
    """Which of a KPI's months a publication pack hides, with the catalogue's base KPI for the same months."""
    named = base_kpi(meta)
    base = disclosure.aligned(full_series.get(named), history["period"]) if named else None
    subject = meta.get("subject")
    return disclosure.suppressed_values(history, meta["unit"], base, decimals=int(meta["decimals"]),
                                        subject=subject if isinstance(subject, str) else disclosure.CHILDREN)


def _page(options: PackOptions, whole: kpi_view.KpiView, full_series: dict, commentary: pd.DataFrame,
          uploads: pd.DataFrame) -> KpiPage:
    """A KPI's slide from its one view (`analysis.kpi_view`), cut to the pack's months and, for a publication,
    with every figure that could reveal a small number hidden."""
    code, meta, card = whole.code, whole.meta, whole.card
    unit, decimals, polarity = whole.unit, whole.decimals, meta["polarity"]
    history = whole.series
    view = whole.last_months(options.months)
    series = view.series
    start = pd.Timestamp(series["period"].min()) if len(series) else pd.Timestamp(options.period)
    history_hidden = hidden_months(history, meta, full_series) if options.publication else [False] * len(history)
    hidden = history_hidden[len(history) - len(series):]
    national, points = view.england, view.neighbours

    notes: list[str] = []
    latest_value = None if pd.isna(card["latest"]) else float(card["latest"])
    england_value = None if pd.isna(card["england"]) else float(card["england"])
    neighbour_value = None if pd.isna(card["neighbour"]) else float(card["neighbour"])
    neighbour_members = int(card["neighbours_with_value"])
    england_as_at, neighbour_as_at = card["england_as_at"], card["neighbour_as_at"]
    rag, rag_text, gap_text = card["rag"], card["rag_text"], card["gap_text"]
    direction_text, sentence, spc_since = card["direction_text"], card["sentence"], card.get("spc_since") or ""
    variation_text = card.get("variation_text") or variation.variation_text(None)
    assurance_text = card.get("assurance_text") or variation.assurance_text(None)
    if options.publication:
        latest_at, _ = disclosure.known_pair(history["value"].tolist())
        latest_hidden = latest_at is not None and history_hidden[latest_at]
        basis = card.get("direction_basis_period")
        at_basis = [bool(h) for h, p in zip(history_hidden, pd.to_datetime(history["period"]))
                    if basis is not None and not pd.isna(basis) and p == pd.Timestamp(basis)]
        if latest_hidden:
            latest_value = disclosure.SUPPRESSED
        if latest_hidden or any(at_basis):
            direction_text = NOT_SHOWN.text
        if latest_hidden:
            rag, rag_text, gap_text = NOT_SHOWN.code, NOT_SHOWN.text, disclosure.NOT_SHOWN
        if any(history_hidden):
            # The sentence compares this month with the last, a year ago, a run and the SPC limits: any hidden
            # month could be given back by it.
            sentence = SENTENCE_NOT_SHOWN
        if disclosure.spc_hidden(history_hidden):
            variation_text = assurance_text = disclosure.NOT_SHOWN
            spc_since = ""
        national = national.assign(value=[disclosure.round_national(v, unit) for v in national["value"]])
        hide_points = [disclosure.average_hidden(v, n, unit) for v, n in zip(points["value"], points["with_value"])]
        points = points.loc[[not h for h in hide_points]].reset_index(drop=True)

    def text(value: float | str | None, as_at: str = "") -> str:
        words = value if isinstance(value, str) else kpi.format_value(value, unit, decimals)
        return f"{words} ({as_at})" if as_at and value is not None else words

    # The scorecard's words, unless a publication pack must round or hide the figure they give.
    england_text, neighbour_text = card["england_text"], card["neighbour_text"]
    if options.publication and england_value is not None:
        england_value = disclosure.round_national(england_value, unit)
        england_text = text(england_value, england_as_at)
    if options.publication and disclosure.average_hidden(neighbour_value, neighbour_members, unit):
        neighbour_value = disclosure.SUPPRESSED
        neighbour_text = text(neighbour_value, neighbour_as_at)

    rebases = whole.rebases
    spc = None
    chart_kind = options.chart
    if chart_kind == "spc":
        if options.publication and disclosure.spc_hidden(history_hidden):
            chart_kind = "trend"
            notes.append("SPC chart not shown: its average and limits use every month, so they could "
                         "reveal the months hidden as c.")
        elif history["value"].notna().sum() >= variation.MIN_POINTS:
            result = variation.kpi_xmr(history, polarity, whole.targets[-1], rebases["period"])
            spc = result[pd.to_datetime(result["period"]) >= start].reset_index(drop=True)
        else:
            chart_kind = "trend"
    latest = series[series["value"].notna()].tail(1)
    upload_id = int(latest["upload_id"].iloc[0]) if len(latest) else None
    upload = uploads.loc[upload_id] if upload_id in uploads.index else None
    note = commentary.loc[code] if code in commentary.index else None
    return KpiPage(
        code=code, name=meta["name"], definition=meta["definition"], unit=unit, polarity=polarity, decimals=decimals,
        source=meta["source"], group=meta["kpi_group"], series=series, hidden=hidden, targets=view.targets,
        floors=view.floors, england=national, neighbours=points, published=view.published,
        annotations=view.annotations, rebases=rebases, spc=spc, latest_value=latest_value,
        latest_text=text(latest_value), latest_period=card["latest_period"], latest_when=card["latest_when"],
        latest_kind=card["latest_kind"],
        target_value=None if pd.isna(card["target"]) else float(card["target"]), target_text=card["target_text"],
        rag=rag, rag_text=rag_text, gap_text=gap_text, rule_text=card["rule_text"], direction_text=direction_text,
        sentence=sentence, spc_since=spc_since,
        england_value=england_value, england_as_at=england_as_at, england_text=england_text,
        neighbour_value=neighbour_value, neighbour_as_at=neighbour_as_at, neighbour_text=neighbour_text,
        variation_text=variation_text,
        assurance_text=assurance_text,
        commentary=None if note is None else str(note["text"]),
        commentary_by=None if note is None else draft.byline(note["created_by"], note["created_at"],
                                                             bool(note.get("drafted", False))),
        upload_id=upload_id, upload_file=None if upload is None else str(upload["file_name"]),
        upload_date=None if upload is None else pd.Timestamp(upload["uploaded_at"]).to_pydatetime(),
        chart_kind=chart_kind, notes=notes,
    )


def trend_sentence(page: KpiPage) -> str:
    """How the line moved over the months (or published years) shown, in one sentence, from the figures as printed
    and only those the pack may show: where it started and ended, its lowest and highest where they lie outside
    those two, and how many were hidden; never "unchanged" of a line that moved in between."""
    span = "years" if page.latest_kind == kpi.PUBLISHED else "months"
    shown_values = page.shown_values
    shown = page.series.assign(value=shown_values).dropna(subset=["value"])
    if len(shown) < 2:
        return f"Too few {span} are shown to describe a trend."
    printed = shown["value"].astype(float).round(page.decimals)
    first, last = float(printed.iloc[0]), float(printed.iloc[-1])

    def when(at: int) -> str:
        return kpi.date_text(shown["period"].iloc[at], page.latest_kind)

    if first == last:
        words = f"it was {page.text(first)} in {when(0)} and again in {when(-1)}"
    else:
        words = (f"it {'rose' if last > first else 'fell'} from {page.text(first)} in {when(0)} to "
                 f"{page.text(last)} in {when(-1)}")
    low, high = float(printed.min()), float(printed.max())
    if low < min(first, last) or high > max(first, last):
        words += f", with a low of {page.text(low)} and a high of {page.text(high)} between"
    hidden = sum(bool(h) for h in page.hidden)
    if hidden:
        words += f"; {plural(hidden, span[:-1])} not shown (c: it could reveal a small number)"
    return f"Over the {span} shown {words}."


def alt_text(page: KpiPage) -> str:
    """What a screen reader says for the chart picture: title, latest value, target and trend, never a file name."""
    kind = "SPC chart" if page.chart_kind == "spc" else "Line chart"
    latest = ("not shown (c: it could reveal a small number)" if page.latest_value == disclosure.SUPPRESSED
              else page.latest_text)
    parts = [f"{kind}: {page.name}.", f"Latest value {latest} at {page.latest_when}"]
    if page.target_text != "–":
        rating = ("rating not shown: it could reveal a small number" if page.rag == NOT_SHOWN.code
                  else f"{page.rag_text.split(' ', 1)[-1]}, {page.gap_text}")
        parts[-1] += f" against a target of {page.target_text} ({rating})"
    parts[-1] += "."
    travel = ("not shown: it could reveal a small number" if page.direction_text == NOT_SHOWN.text
              else page.direction_text.split(' ', 1)[-1])
    parts.append(f"{trend_sentence(page)} Compared with {kpi.PREVIOUS_WORDS[page.latest_kind]}: {travel}.")
    if page.england_text != "–":
        parts.append(f"England {page.england_text}.")
    return " ".join(parts)
