"""How a council compares: annual values per council, statistical-neighbour average, rank and quartile band.

National comparisons are annual (DOMAIN section 3): children in need and
looked-after figures as at 31 March, the workforce census as at 30 September.
Where DfE council figures have been loaded they are used; otherwise each
council's value is its monthly return for the month the year ends, so that the
dashboard can still compare the councils whose returns it holds.
Everything here is a function of DataFrames, without Streamlit, so it is tested directly.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

MARCH = 3
SEPTEMBER = 9
BAND_WORDS = {"A": "best quartile", "B": "second quartile", "C": "third quartile", "D": "worst quartile"}
RANKED_POLARITIES = ("high", "low")
HOME, NEIGHBOUR, REGION, OTHER = "This council", "Statistical neighbour", "Same region", "Other council"
ENGLAND, NEIGHBOUR_AVERAGE, REGION_AVERAGE = "England", "Neighbour average", "Region average"
SOURCE_DFE = "DfE published figure"


@dataclass(frozen=True)
class NeighbourAverage:
    """The plain mean of the neighbours that have a value, with the model and how many that was."""

    value: float | None
    model: str | None
    with_value: int
    neighbours: int

    @property
    def note(self) -> str:
        if self.model is None:
            return "No statistical neighbours are loaded for this council."
        return f"Mean of {self.with_value} of {self.neighbours} statistical neighbours ({self.model})."


@dataclass(frozen=True)
class Standing:
    """A council's place among all councils with a value: rank 1 is the best (or the highest, without polarity)."""

    rank: int | None
    of: int
    band: str | None

    @property
    def text(self) -> str:
        """Says what the rank and band are among: the English councils with a figure that year, not all councils."""
        if self.rank is None:
            return f"No value for this council this year ({self.of} English councils have one)."
        if self.band is None:
            return f"Rank {self.rank} of the {self.of} English councils with a figure"
        return (f"Rank {self.rank} of {self.of}, band {self.band} "
                f"({BAND_WORDS[self.band]} among the {self.of} English councils with a figure)")


def period_end_month(kpi_code: str, kpi_group: str, england: pd.DataFrame) -> int:
    """The month a KPI's national year ends: the shipped England figures say, else the workforce census rule."""
    known = england[england["kpi_code"] == kpi_code]
    if not known.empty:
        return int(pd.to_datetime(known["period_end"]).dt.month.iloc[-1])
    return SEPTEMBER if kpi_group == "Workforce" else MARCH


def annual_values(published: pd.DataFrame, monthly: pd.DataFrame, month: int) -> pd.DataFrame:
    """One value per council and year; a DfE figure wins over the council's own monthly return.

    `published` has area_code, year, value (benchmarks rows of area_type 'la');
    `monthly` has la_code, period, value. Returns la_code, year, value, source.
    """
    months = monthly[pd.to_datetime(monthly["period"]).dt.month == month]
    derived = pd.DataFrame(
        {
            "la_code": months["la_code"].astype(str),
            "year": pd.to_datetime(months["period"]).dt.year.astype(int),
            "value": months["value"].astype(float),
            "source": f"Monthly return for {pd.Timestamp(2000, month, 1):%B}",
        }
    )
    dfe = pd.DataFrame(
        {
            "la_code": published["area_code"].astype(str),
            "year": published["year"].astype(int),
            "value": published["value"].astype(float),
            "source": SOURCE_DFE,
        }
    )
    both = pd.concat([dfe, derived], ignore_index=True)
    both = both.drop_duplicates(["la_code", "year"], keep="first")
    return both.sort_values(["year", "la_code"]).reset_index(drop=True)


def choose_model(neighbours: pd.DataFrame, chosen: str | None = None) -> str | None:
    """The model the council chose, while it is still loaded; else the newest (by the year in its name), since DfE
    replaces the model every few years and a council that has not chosen should compare with the current one."""
    models = sorted(neighbours["model"].dropna().unique())
    if not models:
        return None
    if chosen in models:
        return chosen

    def year(model: str) -> int:
        found = re.findall(r"(?:19|20)\d\d", model)
        return int(found[-1]) if found else 0

    return max(models, key=year)


def neighbours_in_use(neighbours: pd.DataFrame, chosen: str | None = None) -> pd.DataFrame:
    """The neighbours under the model in use (`choose_model`) only, so that every page and the board pack compare
    the council with the same ten councils."""
    return neighbours[neighbours["model"] == choose_model(neighbours, chosen)]


def neighbour_average(values: pd.DataFrame, neighbours: pd.DataFrame, model: str | None) -> NeighbourAverage:
    """Mean of the neighbours' values for one year; neighbours without a value are left out and counted."""
    if model is None:
        return NeighbourAverage(None, None, 0, 0)
    codes = neighbours.loc[neighbours["model"] == model, "neighbour_code"].astype(str).tolist()
    known = values[values["la_code"].isin(codes) & values["value"].notna()]["value"]
    mean = float(known.mean()) if len(known) else None
    return NeighbourAverage(mean, model, len(known), len(codes))


def standings(values: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Rank and quartile band of every council with a value, as LAIT shows them.

    Ties share the better rank. Bands split the ranks into quarters, A the best given
    polarity; a context measure (polarity none or target) is ranked highest first and
    gets no band, and fewer than four councils cannot make quarters so get none either.
    """
    known = values[values["value"].notna()].copy()
    count = len(known)
    known["rank"] = known["value"].rank(method="min", ascending=polarity == "low").astype(int)
    banded = polarity in RANKED_POLARITIES and count >= 4
    known["band"] = [("ABCD"[min(3, 4 * (r - 1) // count)] if banded else None) for r in known["rank"]]
    known["of"] = count
    return known.sort_values(["rank", "la_code"]).reset_index(drop=True)


def standing_of(table: pd.DataFrame, la_code: str) -> Standing:
    row = table[table["la_code"] == la_code]
    if row.empty:
        return Standing(None, len(table), None)
    return Standing(int(row["rank"].iloc[0]), int(row["of"].iloc[0]), row["band"].iloc[0])


def bar_rows(
    values: pd.DataFrame,
    councils: pd.DataFrame,
    home: str,
    neighbour_codes: list[str],
    polarity: str,
    *,
    england: float | None = None,
    neighbour_mean: float | None = None,
    like_for_like: bool = True,
) -> pd.DataFrame:
    """What the ranked bar chart draws, best first: each council with its kind, plus the reference bars (none for
    a count or FTE, which are not `like_for_like`).

    The region bar is the plain mean of the councils in the home council's region,
    labelled as such, since a DfE region figure cannot yet be matched to a council's region.
    """
    names = dict(zip(councils["la_code"], councils["name"]))
    regions = dict(zip(councils["la_code"], councils["region"]))
    home_region = regions.get(home)
    known = values[values["value"].notna()]

    def kind(code: str) -> str:
        if code == home:
            return HOME
        if code in neighbour_codes:
            return NEIGHBOUR
        if home_region is not None and regions.get(code) == home_region:
            return REGION
        return OTHER

    rows = [{"label": names.get(c, c), "la_code": c, "value": v, "kind": kind(c)}
            for c, v in zip(known["la_code"], known["value"])]
    in_region = [r["value"] for r in rows if regions.get(r["la_code"]) == home_region and home_region is not None]
    references = [
        (ENGLAND, ENGLAND, england),
        (f"{NEIGHBOUR_AVERAGE} ({_councils(sum(r['kind'] == NEIGHBOUR for r in rows))})", NEIGHBOUR_AVERAGE,
         neighbour_mean),
        (f"{home_region}: mean of {_councils(len(in_region))}", REGION_AVERAGE,
         sum(in_region) / len(in_region) if in_region else None),
    ]
    for label, kind_name, value in references if like_for_like else []:
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            rows.append({"label": label, "la_code": None, "value": float(value), "kind": kind_name})
    frame = pd.DataFrame(rows, columns=["label", "la_code", "value", "kind"])
    return frame.sort_values(["value", "label"], ascending=[polarity == "low", True]).reset_index(drop=True)


def _councils(count: int) -> str:
    return f"{count} council" if count == 1 else f"{count} councils"


def trend(
    annual: pd.DataFrame,
    home: str,
    neighbours: pd.DataFrame,
    model: str | None,
    england: pd.DataFrame,
) -> pd.DataFrame:
    """Per year: the home council, the neighbour average (and how many had a value) and England."""
    england_by_year = dict(zip(england["year"].astype(int), england["value"].astype(float)))
    rows = []
    for year, values in annual.groupby("year"):
        own = values.loc[values["la_code"] == home, "value"]
        average = neighbour_average(values, neighbours, model)
        rows.append(
            {
                "year": int(year),
                "council": float(own.iloc[0]) if len(own) else None,
                "neighbour_average": average.value,
                "neighbours_with_value": average.with_value,
                "england": england_by_year.get(int(year)),
            }
        )
    for year in sorted(set(england_by_year) - {r["year"] for r in rows}):
        rows.append({"year": year, "council": None, "neighbour_average": None, "neighbours_with_value": 0,
                     "england": england_by_year[year]})
    frame = pd.DataFrame(rows, columns=["year", "council", "neighbour_average", "neighbours_with_value", "england"])
    return frame.sort_values("year").reset_index(drop=True)


def year_label(year: int, month: int) -> str:
    """'31 Mar 2025' or '30 Sep 2025': the date an annual figure describes, never just a bare year."""
    end = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    return f"{end.day} {end:%b %Y}"


@dataclass(frozen=True)
class Comparison:
    """Everything the Benchmarks page shows for one KPI and year."""

    year: int
    month: int
    standing: Standing
    average: NeighbourAverage
    england: float | None
    bars: pd.DataFrame
    table: pd.DataFrame
    trend: pd.DataFrame


def years_available(annual: pd.DataFrame, home: str, month: int, until: date) -> list[int]:
    """Years with a value for the home council whose year-end month is not after `until`, newest first.

    Pages show data up to the month chosen in the sidebar, so later years are left out.
    """
    last = until.year if until.month >= month else until.year - 1
    known = annual[(annual["la_code"] == home) & annual["value"].notna() & (annual["year"] <= last)]
    return sorted(int(y) for y in known["year"].unique())[::-1]


def compare(
    *,
    annual: pd.DataFrame,
    year: int,
    month: int,
    home: str,
    polarity: str,
    councils: pd.DataFrame,
    neighbours: pd.DataFrame,
    england: pd.DataFrame,
    unit: str = "%",
) -> Comparison:
    """Rank, band, neighbour average, bars, table and trend for the home council in one year.

    `england` holds this KPI's England rows (year, value). A count or FTE (`unit`) gets no England or neighbour
    average, in the bars or the trend: they are not like for like.
    """
    model = choose_model(neighbours)
    in_year = annual[annual["year"] == year]
    table = standings(in_year, polarity)
    average = neighbour_average(in_year, neighbours, model)
    england_now = england.loc[england["year"] == year, "value"]
    england_value = float(england_now.iloc[0]) if len(england_now) else None
    if not comparable(unit):
        england = england.iloc[0:0]
        average = NeighbourAverage(None, average.model, 0, average.neighbours)
        england_value = None
    codes = neighbours.loc[neighbours["model"] == model, "neighbour_code"].astype(str).tolist()
    bars = bar_rows(in_year, councils, home, codes, polarity, england=england_value, neighbour_mean=average.value,
                    like_for_like=comparable(unit))
    kinds = dict(zip(bars["la_code"], bars["kind"]))
    names = dict(zip(councils["la_code"], councils["name"]))
    shown = pd.DataFrame(
        {
            "Rank": table["rank"],
            "Council": [names.get(c, c) for c in table["la_code"]],
            "Code": table["la_code"],
            "Value": table["value"],
            "Band": table["band"].fillna("–"),
            "Compared as": [kinds.get(c, OTHER) for c in table["la_code"]],
            "Source": table["source"],
        }
    )
    yearly = trend(annual, home, neighbours, model if comparable(unit) else None, england)
    yearly["label"] = [year_label(y, month) for y in yearly["year"]]
    return Comparison(year, month, standing_of(table, home), average, england_value, bars, shown, yearly)


def neighbour_points(annual: pd.DataFrame, neighbours: pd.DataFrame, month: int) -> pd.DataFrame:
    """The neighbour average per year, dated at the year end, to draw beside a monthly line."""
    model = choose_model(neighbours)
    rows = []
    for year, values in annual.groupby("year"):
        average = neighbour_average(values, neighbours, model)
        if average.value is not None:
            end = pd.Timestamp(int(year), month, 1) + pd.offsets.MonthEnd(0)
            rows.append({"period_end": end, "value": average.value, "with_value": average.with_value})
    return pd.DataFrame(rows, columns=["period_end", "value", "with_value"])


REGION_CODES = {
    "North East": "E12000001", "North West": "E12000002", "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004", "West Midlands": "E12000005", "East of England": "E12000006",
    "London": "E12000007", "South East": "E12000008", "South West": "E12000009",
}
"""ONS region codes by the names DfE files give councils' regions, to find a council's published region figure."""
COMPARABLE_UNITS = ("%", "rate", "cases")
"""Units that compare like for like between councils of different sizes; a count or an FTE does not (England's
81,770 children looked after beside a council's 815 says nothing), so those get no comparators."""


def comparable(unit: str) -> bool:
    return unit in COMPARABLE_UNITS


@dataclass(frozen=True)
class Peers:
    """Everything comparators are made of, read once for all KPIs: `year_end` (kpi_code, la_code, period_end,
    value, kind: every council's published figure or reference-month return), `regions` (kpi_code, region_code,
    period_end, value), the home council's `neighbours` and `region` name."""

    year_end: pd.DataFrame
    regions: pd.DataFrame
    neighbours: pd.DataFrame
    region: str | None
    model: str | None = None


@dataclass(frozen=True)
class Dated:
    """A comparator's value with the reference date it describes (never shown without it)."""

    value: float | None = None
    as_at: date | None = None

    @property
    def as_at_text(self) -> str:
        return "" if self.as_at is None else f"{self.as_at.day} {self.as_at:%b %Y}"


@dataclass(frozen=True)
class Comparators:
    """One KPI's England, region and neighbour figures and the council's rank, each the latest on or before the
    end of the month shown, each with its own date."""

    england: Dated = Dated()
    region: Dated = Dated()
    neighbours: Dated = Dated()
    neighbours_with_value: int = 0
    standing: Standing | None = None
    standing_as_at: date | None = None


def reference_values(year_end: pd.DataFrame, kpi_code: str, month: int) -> pd.DataFrame:
    """One value per council and year for a KPI (la_code, year, value, source): DfE's figure, else the council's
    return for the reference month."""
    rows = year_end[(year_end["kpi_code"] == kpi_code)
                    & (pd.to_datetime(year_end["period_end"]).dt.month == month)]
    published = rows[rows["kind"] == "published"]
    monthly = rows[rows["kind"] == "monthly"]
    return annual_values(
        published.rename(columns={"la_code": "area_code"}).assign(year=pd.to_datetime(published["period_end"]).dt.year),
        monthly.assign(period=monthly["period_end"]), month)


def _latest(rows: pd.DataFrame) -> Dated:
    known = rows[rows["value"].notna()]
    if known.empty:
        return Dated()
    row = known.sort_values("period_end").iloc[-1]
    return Dated(float(row["value"]), pd.Timestamp(row["period_end"]).date())


def comparators(kpi_code: str, unit: str, polarity: str, month: int, home: str, until: date, peers: Peers,
                england: pd.DataFrame) -> Comparators:
    """England, region, neighbour average and rank, each the latest on or before the end of the month `until`
    (so none is a year stale), each dated. Counts and FTEs get none: they are not like for like."""
    if not comparable(unit):
        return Comparators()
    end = pd.Timestamp(until) + pd.offsets.MonthEnd(0)

    def dated(rows: pd.DataFrame) -> pd.DataFrame:
        return rows[pd.to_datetime(rows["period_end"]) <= end]

    national = _latest(dated(england[england["kpi_code"] == kpi_code]))
    region_code = REGION_CODES.get(peers.region or "")
    regional = _latest(dated(peers.regions[(peers.regions["kpi_code"] == kpi_code)
                                           & (peers.regions["region_code"] == region_code)]))
    last_year = end.year if end.month >= month else end.year - 1
    annual = reference_values(peers.year_end, kpi_code, month)
    annual = annual[(annual["year"] <= last_year) & annual["value"].notna()]
    model = peers.model or choose_model(peers.neighbours)
    codes = set(peers.neighbours.loc[peers.neighbours["model"] == model, "neighbour_code"].astype(str))
    neighbour_years = annual.loc[annual["la_code"].isin(codes), "year"]
    average, with_value = Dated(), 0
    if len(neighbour_years):
        year = int(neighbour_years.max())
        found = neighbour_average(annual[annual["year"] == year], peers.neighbours, model)
        average, with_value = Dated(found.value, _year_end(year, month)), found.with_value
    own_years = annual.loc[annual["la_code"] == home, "year"]
    standing, standing_as_at = None, None
    if len(own_years):
        year = int(own_years.max())
        standing = standing_of(standings(annual[annual["year"] == year], polarity), home)
        standing_as_at = _year_end(year, month)
    return Comparators(national, regional, average, with_value, standing, standing_as_at)


def _year_end(year: int, month: int) -> date:
    return (pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)).date()
