"""The numbers behind the board pack as an Excel workbook: about, KPIs, scorecard, a sheet per KPI.

Written with `store.spreadsheets.workbook_bytes`, so no text cell can become a live formula and numbers stay
numbers. Every figure is rounded to its KPI's decimals, as the slides print it: a reader sees 72.3, never the
72.30999999999999 a sum of floats leaves, and a change on the previous month is the difference of the figures as
printed. In a publication pack a hidden value is the text `c`, the same cells the deck hides.
"""
from __future__ import annotations

from collections.abc import Iterable
from numbers import Real

import pandas as pd

from analysis import disclosure
from analysis.charts import axis_title
from analysis.tables import POLARITY_WORDS
from export.gather import KpiPage, PackData, PlanSummary
from store.dates import month_label
from store.spreadsheets import workbook_bytes

ABOUT, KPIS, SCORECARD, PLAN = "About", "KPIs", "Scorecard", "Improvement plan"


def _printed(value: object, decimals: int) -> object:
    """A figure to `decimals` places, as the slides print it; text (`c`) and missing values as they are."""
    if isinstance(value, Real) and not isinstance(value, bool) and not pd.isna(value):
        return round(float(value), decimals)
    return value


def _each_printed(values: Iterable[object], decimals: int) -> list[object]:
    return [_printed(v, decimals) for v in values]


def _value_header(page: KpiPage) -> str:
    return "Value (%)" if page.unit == "%" else f"Value ({axis_title(page.unit).lower()})"


def about(data: PackData, plan: PlanSummary | None) -> pd.DataFrame:
    options = data.options
    rows = [
        ("Council", f"{options.council_name} ({options.la_code})"),
        ("Pack", options.title),
        ("Figures to", month_label(options.period)),
        ("Audience", "For publication" if options.publication else "Internal"),
        ("Protective marking", options.marking),
        ("Produced", f"{data.generated_at:%d %b %Y %H:%M}"),
        ("Produced by", options.prepared_by or "–"),
        ("Sheets", f"{KPIS}: what each KPI measures, its unit and source. {SCORECARD}: the month's values. "
                   "One sheet per KPI (named by its code): the numbers behind its chart, with the upload each value "
                   "came from." + (f" {PLAN}: recommendations by status and the overdue items." if plan else "")),
    ]
    if options.publication:
        rows.append(("Disclosure control", disclosure.NOTE + " England counts are rounded to the nearest 10."))
    if options.is_demo:
        rows.append(("Data", "Synthetic demo data: fictional councils, made-up figures, no real child's data."))
    return pd.DataFrame(rows, columns=["Item", "Detail"])


def kpi_list(data: PackData) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Sheet": [p.code for p in data.pages],
            "KPI": [p.name for p in data.pages],
            "Group": [p.group for p in data.pages],
            "Unit": [axis_title(p.unit) for p in data.pages],
            "Polarity": [POLARITY_WORDS.get(p.polarity, p.polarity) for p in data.pages],
            "Definition": [p.definition for p in data.pages],
            "Source": [p.source for p in data.pages],
        }
    )


def scorecard(data: PackData) -> pd.DataFrame:
    pages = data.pages
    frame = pd.DataFrame(
        {
            "KPI code": [p.code for p in pages],
            "KPI": [p.name for p in pages],
            "Unit": [axis_title(p.unit) for p in pages],
            "As at": [p.latest_when for p in pages],
            "Value": [_printed(p.latest_value, p.decimals) for p in pages],
            "Target": [_printed(p.target_value, p.decimals) for p in pages],
            "RAG": [p.rag_text for p in pages],
            "Direction": [p.direction_text for p in pages],
            "England": [_printed(p.england_value, p.decimals) for p in pages],
            "England as at": [p.england_as_at for p in pages],
            "Neighbour average": [_printed(p.neighbour_value, p.decimals) for p in pages],
            "Neighbour average as at": [p.neighbour_as_at for p in pages],
        }
    )
    if data.options.spc_words:
        frame["Variation (SPC)"] = [p.variation_text for p in pages]
        frame["Assurance (SPC)"] = [p.assurance_text for p in pages]
    frame["Commentary"] = [p.commentary or "" for p in pages]
    frame["Source"] = [p.source for p in pages]
    frame["Upload"] = [p.upload_id for p in pages]
    return frame


def kpi_sheet(page: KpiPage, publication: bool) -> pd.DataFrame:
    """One row per month shown: the values, change, target, floor, England and neighbour average at their year
    end, SPC limits where the chart is an SPC chart, and the upload each value came from."""
    series = page.series
    months = pd.to_datetime(series["period"])
    hidden, decimals = page.hidden, page.decimals
    values = _each_printed(series["value"], decimals)
    frame = pd.DataFrame({"Month": months.dt.strftime("%Y-%m")})
    frame[_value_header(page)] = [disclosure.shown(v, h) for v, h in zip(values, hidden)]
    frame["Change on previous month"] = _each_printed(disclosure.changes(values, hidden), decimals)
    if not publication:
        for part in ("numerator", "denominator"):
            if series[part].notna().any():
                frame[part.capitalize()] = series[part]
    frame["Target"] = _each_printed(page.targets, decimals)
    if any(f is not None for f in page.floors):
        frame["Floor"] = _each_printed(page.floors, decimals)
    frame["England (annual)"] = _each_printed(_at_year_end(months, page.england), decimals)
    frame["Neighbour average (annual)"] = _each_printed(_at_year_end(months, page.neighbours), decimals)
    if page.chart_kind == "spc" and page.spc is not None:
        # An average and its limits are statistics, not figures anyone reported: one place more than the KPI's,
        # so a count's average of 4.6 is not printed as 5.
        for column, name in (("mean", "SPC average"), ("lpl", "SPC lower limit"), ("upl", "SPC upper limit")):
            frame[name] = _each_printed(page.spc[column], decimals + 1)
    frame["Status"] = series["status_code"].fillna("")
    frame["Note"] = series["note"].fillna("")
    frame["Upload"] = series["upload_id"]
    frame["Upload file"] = series["upload_file"]
    frame["Source"] = page.source
    return frame


def _at_year_end(months: pd.Series, points: pd.DataFrame) -> list[float | None]:
    """An annual figure placed in the row of the month its year ends (31 March falls in the March row)."""
    by_month = {pd.Timestamp(p).to_period("M"): v for p, v in zip(points["period_end"], points["value"])}
    return [by_month.get(m.to_period("M")) for m in months]


def plan_sheet(plan: PlanSummary) -> pd.DataFrame:
    rows = [(str(r.status), int(r.recommendations), "", "", None) for r in plan.counts.itertuples(index=False)]
    rows += [("Overdue", None, item.recommendation, item.owner, item.days_overdue) for item in plan.overdue]
    return pd.DataFrame(rows, columns=["Status", "Recommendations", "Recommendation", "Owner", "Days overdue"])


def team_sheet_name(code: str) -> str:
    """A KPI's sheet of teams, within Excel's 31 characters for a sheet name."""
    return f"{code[:25]} teams"


def build_workbook(data: PackData, plan: PlanSummary | None = None) -> bytes:
    sheets = {ABOUT: about(data, plan), KPIS: kpi_list(data), SCORECARD: scorecard(data)}
    for page in data.pages:
        sheets[page.code] = kpi_sheet(page, data.options.publication)
    for page in data.pages:
        if not page.teams.empty:
            sheets[team_sheet_name(page.code)] = page.teams
    if plan is not None:
        sheets[PLAN] = plan_sheet(plan)
    return workbook_bytes(sheets)
