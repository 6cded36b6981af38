"""Synthetic demo data: a fictional council, its fictional neighbours and five years of KPIs.

Run `python -m demo.synthetic` to rewrite `data/demo/`. The output is deterministic (a
fixed seed and a fixed last month), so the shipped files only change when this
generator does. Nothing here is about real children: every council and value is
made up, with levels and events chosen to look like a real scorecard.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from settings import DEMO_DIR, DEMO_LA_CODE

SEED = 20240301
LAST_MONTH = pd.Timestamp("2026-10-01")
MONTHS = 60
INSPECTION_MONTH = pd.Timestamp("2024-02-01")
IMPROVEMENT_FROM = pd.Timestamp("2024-05-01")
SPIKE_MONTH = pd.Timestamp("2023-01-01")
CHILD_POPULATION = 112_000

DEMO_REGION = "Demo region (fictional)"
NEIGHBOUR_NAMES = [
    "Borsetshire", "Midsomer", "Wessex Vale", "Barchester", "Loamshire",
    "Mallardshire", "Glebeshire", "Rutshire", "Stonemoor", "Downsbury",
]
COUNCILS = pd.DataFrame(
    {
        "la_code": [DEMO_LA_CODE] + [f"E99{n:06d}" for n in range(2, 12)],
        "name": ["Anyshire (demo)"] + [f"{n} (demo)" for n in NEIGHBOUR_NAMES],
        "region": DEMO_REGION,
        "old_la_code": [f"9{n:02d}" for n in range(1, 12)],
        "is_demo": True,
    }
)


@dataclass(frozen=True)
class Model:
    """How one KPI behaves: a level, noise, a seasonal swing and a yearly drift."""

    base: float
    noise: float
    season: float = 0.0
    drift: float = 0.0
    lo: float = 0.0
    hi: float = float("inf")
    integer: bool = False


MODELS: dict[str, Model] = {
    "CONTACTS": Model(2400, 120, 0.08, 40, integer=True),
    "REFERRALS": Model(430, 25, 0.08, 8, integer=True),
    "CONTACT_DECISION_1WD_PCT": Model(82, 2.0, 0, 0, 0, 100),
    "REREFERRAL_12M_PCT": Model(23.5, 1.0, 0, -0.3, 0, 100),
    "ASSESS_45WD_PCT": Model(78, 2.0, 0.01, 0, 0, 100),
    "CIN_COUNT": Model(3100, 45, 0.01, 30, integer=True),
    "VISITS_CIN_PCT": Model(84, 2.0, 0, 0, 0, 100),
    "S47_COUNT": Model(118, 12, 0.08, 2, integer=True),
    "ICPC_15WD_PCT": Model(79, 4.0, 0, 1, 0, 100),
    "CPP_COUNT": Model(455, 14, 0, 6, integer=True),
    "CPP_RATE": Model(0, 0),
    "CPP_REPEAT_PCT": Model(24, 1.5, 0, -0.2, 0, 100),
    "CPP_2YR_PCT": Model(3.0, 0.5, 0, -0.1, 0, 100),
    "CPP_REVIEW_PCT": Model(93, 2.5, 0, 0.2, 0, 100),
    "VISITS_CP_PCT": Model(86, 2.0, 0, 0, 0, 100),
    "CLA_COUNT": Model(760, 8, 0, 12, integer=True),
    "CLA_RATE": Model(0, 0),
    "CLA_STARTS": Model(27, 5, 0.05, 0, integer=True),
    "PLACEMENT_3PLUS_PCT": Model(10.5, 0.8, 0, -0.2, 0, 100),
    "PLACEMENT_LT_STABLE_PCT": Model(67, 1.5, 0, 0.4, 0, 100),
    "CLA_3PLUS_SW_PCT": Model(29, 1.5, 0, 0, 0, 100),
    "CLA_REVIEW_PCT": Model(91, 2.5, 0, 0.3, 0, 100),
    "CLA_HEALTH_PCT": Model(86, 2.5, 0.02, 0.5, 0, 100),
    "VISITS_CLA_PCT": Model(89, 2.0, 0, 0, 0, 100),
    "CL_SUITABLE_ACCOM_PCT": Model(87, 2.0, 0, 0.5, 0, 100),
    "CL_EET_PCT": Model(52, 2.5, 0.03, 0.6, 0, 100),
    "CL_BB_COUNT": Model(4, 1.2, 0, 0, integer=True),
    "SW_FTE": Model(285, 4, 0, 3),
    "SW_CASELOAD": Model(16.2, 0.35, 0, 0.7),
    "SW_TURNOVER_PCT": Model(16.5, 0.8, 0, -0.5, 0, 100),
    "SW_AGENCY_PCT": Model(26, 0.8, 0, 0, 0, 100),
    "SW_VACANCY_PCT": Model(17, 1.0, 0, -0.6, 0, 100),
    "SW_ABSENCE_PCT": Model(4.0, 0.4, 0.12, -0.05, 0, 100),
    "UNALLOCATED_COUNT": Model(35, 6, 0, -3, integer=True),
}

TARGETS = pd.DataFrame(
    [
        ("CONTACT_DECISION_1WD_PCT", "local", 95, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("REREFERRAL_12M_PCT", "local", 21, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("ASSESS_45WD_PCT", "local", 85, "2021-11", "2024-03", None, None, "Local improvement plan 2021-24"),
        ("ASSESS_45WD_PCT", "inspection", 90, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("ASSESS_45WD_PCT", "floor", 80, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("VISITS_CIN_PCT", "local", 90, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("ICPC_15WD_PCT", "local", 85, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("CPP_REPEAT_PCT", "local", 22, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("CPP_REVIEW_PCT", "local", 95, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("VISITS_CP_PCT", "inspection", 95, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("PLACEMENT_3PLUS_PCT", "local", 9, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("PLACEMENT_LT_STABLE_PCT", "local", 70, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("CLA_3PLUS_SW_PCT", "inspection", 25, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("CLA_REVIEW_PCT", "local", 95, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("CLA_HEALTH_PCT", "local", 90, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("VISITS_CLA_PCT", "inspection", 95, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("CL_SUITABLE_ACCOM_PCT", "inspection", 92, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("CL_EET_PCT", "local", 55, "2021-11", None, None, None, "Local improvement plan 2021-24"),
        ("CL_BB_COUNT", "inspection", 0, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("SW_CASELOAD", "inspection", 17, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
        ("SW_TURNOVER_PCT", "local", 14, "2021-11", None, None, None, "Workforce strategy 2022-25"),
        ("SW_AGENCY_PCT", "inspection", 15, "2024-04", None, 26, "2026-03", "Ofsted ILACS action plan, March 2024"),
        ("SW_VACANCY_PCT", "local", 12, "2021-11", None, None, None, "Workforce strategy 2022-25"),
        ("SW_ABSENCE_PCT", "local", 3.5, "2021-11", None, None, None, "Workforce strategy 2022-25"),
        ("UNALLOCATED_COUNT", "inspection", 10, "2024-04", None, None, None, "Ofsted ILACS action plan, March 2024"),
    ],
    columns=["kpi_code", "kind", "value", "start_period", "end_period", "glide_from", "glide_until", "source"],
)

ANNOTATIONS = pd.DataFrame(
    [
        (None, "2024-02", "Ofsted ILACS inspection: Requires improvement to be good"),
        ("REFERRALS", "2023-01", "Spike in referrals after national media coverage of a child death"),
        ("CONTACTS", "2023-01", "Spike in contacts after national media coverage of a child death"),
        ("SW_AGENCY_PCT", "2024-04", "Agency reduction programme starts: conversion offers to agency staff"),
        (None, "2022-09", "New case-management system goes live"),
    ],
    columns=["kpi_code", "period", "text"],
)


# The improvement plan after the February 2024 inspection (the chart note above and the
# "Ofsted ILACS action plan, March 2024" targets), with recommendations modelled on published
# ones. Owners are roles, not people. The plan is judged as at PLAN_AS_AT, the demo's fixed
# "today" (the October return's reporting day), so exactly one item (R4) is overdue however
# much later the demo is opened.
PLAN_AS_AT = (LAST_MONTH + pd.DateOffset(months=1, days=15)).date()
INSPECTIONS = pd.DataFrame(
    [
        ("ilacs-2024", "ilacs_standard", "2024-02-12", "2024-03-22",
         "Ofsted ILACS report, published 22 March 2024 (synthetic demo)", "requires_improvement",
         "requires_improvement", "requires_improvement", "good", "requires_improvement"),
        ("focused-2025", "focused_visit", "2025-09-09", "2025-10-17",
         "Ofsted focused visit letter: care leavers, 17 October 2025 (synthetic demo)", None, None, None, None, None),
    ],
    columns=["key", "kind", "inspected_on", "published_on", "report_ref", "overall", "leaders", "help_protection",
             "children_in_care", "care_leavers"],
)
RECOMMENDATIONS = pd.DataFrame(
    [
        ("R1", "ilacs-2024", None, "Ensure that the outcomes of child protection enquiries are recorded promptly.",
         "help_protection", "immediately", "Head of Safeguarding", "evidenced", "green", "ICPC_15WD_PCT"),
        ("R2", "ilacs-2024", None, "Ensure that statutory visits to children subject to a child protection plan "
         "take place within timescale.", "help_protection", "within 3 months", "Head of Safeguarding", "evidenced",
         "green", "VISITS_CP_PCT"),
        ("R3", "ilacs-2024", None, "Ensure that all children in care have a qualified social worker and that "
         "statutory visits are on time.", "children_in_care", "within 40 working days", "Head of Children in Care",
         "completed", "green", "VISITS_CLA_PCT"),
        ("R4", "ilacs-2024", None, "End the reliance on bed and breakfast accommodation for care leavers.",
         "care_leavers", "within 6 months", "Head of Care Leavers Service", "in_progress", "amber",
         "CL_BB_COUNT, CL_SUITABLE_ACCOM_PCT"),
        ("R5", "ilacs-2024", None, "Minimise changes of social worker for children in care.", "children_in_care",
         "within 12 months", "Head of Children in Care", "completed", "green", "CLA_3PLUS_SW_PCT, SW_TURNOVER_PCT"),
        ("R6", "ilacs-2024", None, "Improve the timeliness of assessments so that children's needs are understood "
         "without delay.", "help_protection", "within 6 months", "Head of Early Help and Assessment", "evidenced",
         "green", "ASSESS_45WD_PCT"),
        ("R7", "ilacs-2024", None, "Strengthen management oversight so that every child has an allocated social "
         "worker.", "leadership", "within 20 working days", "Principal Social Worker", "evidenced", "green",
         "UNALLOCATED_COUNT"),
        ("R8", None, "2024-04-01", "Reduce the reliance on agency social workers to build a stable, permanent "
         "workforce.", "workforce", "31/03/2027", "Head of Workforce Development", "in_progress", "green",
         "SW_AGENCY_PCT, SW_VACANCY_PCT"),
        ("R9", "focused-2025", None, "Increase the proportion of care leavers in education, employment or "
         "training.", "care_leavers", "within 18 months", "Head of Care Leavers Service", "in_progress", "amber",
         "CL_EET_PCT"),
    ],
    columns=["ref", "inspection", "agreed_on", "text", "area", "timescale", "owner", "status", "rag", "kpi_codes"],
)
PLAN_LOG = pd.DataFrame(
    [
        ("R1", "progress", "2024-03-28", "Recording standard reissued; team managers check outcomes weekly."),
        ("R1", "impact", "2024-09-30", "Audit of 50 enquiries: 46 outcomes recorded within one working day."),
        ("R2", "progress", "2024-05-31", "Visit due dates shown on every worker's dashboard; weekly exception report."),
        ("R2", "impact", "2024-10-31", "Visits within timescale above 93% for five months running."),
        ("R3", "progress", "2024-05-17", "Unqualified workers' cases reallocated; visits tracked weekly."),
        ("R3", "impact", "2025-01-31", "Too early to tell"),
        ("R4", "progress", "2024-06-28", "Supported lodgings campaign launched; six new hosts approved."),
        ("R4", "progress", "2025-03-31", "Two young people remain in bed and breakfast while lodgings are found."),
        ("R4", "progress", "2026-10-30", "One young person remains in emergency bed and breakfast; a 16-25 supported "
         "housing scheme opens in January 2027."),
        ("R4", "impact", "2026-10-30", "Too early to tell"),
        ("R5", "progress", "2024-09-30", "Caseload cap and a stay-put offer for social workers of children in care."),
        ("R5", "impact", "2025-04-30", "Fewer children in care had three or more social workers in the year."),
        ("R6", "progress", "2024-06-28", "Assessment tracker reviewed weekly by the head of service."),
        ("R6", "impact", "2024-12-20", "Assessments within 45 working days up from under 80% to about 88%."),
        ("R7", "progress", "2024-04-19", "Unallocated cases reviewed daily by team managers."),
        ("R7", "impact", "2024-10-31", "Unallocated cases fell from over 30 to single figures."),
        ("R8", "progress", "2025-06-30", "Conversion offers accepted by 14 agency social workers."),
        ("R8", "impact", "2026-09-30", "Agency rate down from 26% towards the 15% target."),
        ("R9", "progress", "2026-06-30", "Apprenticeship ring-fence for care leavers agreed with the council's HR."),
        ("R9", "impact", "2026-06-30", "Too early to tell"),
    ],
    columns=["ref", "kind", "noted_on", "text"],
)


def months() -> pd.DatetimeIndex:
    return pd.date_range(end=LAST_MONTH, periods=MONTHS, freq="MS")


def _series(code: str, model: Model, periods: pd.DatetimeIndex, rng: np.random.Generator,
            scale: float, offset: float, events: bool) -> np.ndarray:
    years = np.arange(len(periods)) / 12.0
    month = periods.month.to_numpy()
    # Busy autumn and spring, quiet August and December: the school year drives demand.
    season = np.cos(2 * np.pi * (month - 11) / 12) * 0.6 + np.where(np.isin(month, [8, 12]), -1.0, 0.0)
    level = (model.base + offset) * scale + model.drift * scale * years
    values = level * (1 + model.season * season) + rng.normal(0, model.noise * scale, len(periods))
    if events:
        values = _apply_events(code, values, periods)
    values = np.clip(values, model.lo, model.hi)
    return np.round(values) if model.integer else np.round(values, 1)


def _apply_events(code: str, values: np.ndarray, periods: pd.DatetimeIndex) -> np.ndarray:
    """The stories the demo tells: a referral spike, an inspection that changed practice, agency staff falling."""
    out = values.copy()
    after = np.asarray(periods >= IMPROVEMENT_FROM)
    if code in ("REFERRALS", "CONTACTS", "S47_COUNT"):
        out[np.asarray(periods == SPIKE_MONTH)] *= 1.45
        out[np.asarray(periods == SPIKE_MONTH + pd.DateOffset(months=1))] *= 1.22
    step = {"ASSESS_45WD_PCT": 10, "VISITS_CP_PCT": 8, "VISITS_CLA_PCT": 5, "CONTACT_DECISION_1WD_PCT": 9,
            "CLA_3PLUS_SW_PCT": -4, "CL_BB_COUNT": -3}
    if code in step:
        out[after] += step[code]
    if code == "SW_AGENCY_PCT":
        months_in = np.clip(np.asarray((periods - IMPROVEMENT_FROM).days) / 30.4, 0, None)
        out -= np.minimum(months_in * 0.42, 11)
    return out


def generate(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    periods = months()
    rows = []
    for i, la in enumerate(COUNCILS["la_code"]):
        home = i == 0
        scale = 1.0 if home else float(rng.uniform(0.6, 1.5))
        series = {}
        for code, model in MODELS.items():
            if model.base == 0:
                continue
            offset = 0.0 if home or model.integer else float(rng.normal(0, model.noise * 1.5))
            if not home and code == "SW_AGENCY_PCT":
                offset = float(rng.uniform(-12, -4))
            kpi_scale = scale if model.integer or code == "SW_FTE" else 1.0
            series[code] = _series(code, model, periods, rng, kpi_scale, offset, events=home)
        population = CHILD_POPULATION * scale
        series["CPP_RATE"] = np.round(series["CPP_COUNT"] / population * 10_000, 1)
        series["CLA_RATE"] = np.round(series["CLA_COUNT"] / population * 10_000, 1)
        for code in MODELS:
            rows.append(pd.DataFrame({"la_code": la, "kpi": code, "period": periods.strftime("%Y-%m"),
                                      "value": series[code]}))
    observations = pd.concat(rows, ignore_index=True)
    neighbours = pd.DataFrame(
        {
            "la_code": DEMO_LA_CODE,
            "neighbour_code": COUNCILS["la_code"].iloc[1:].to_list(),
            "model": "Demo model (fictional)",
            "rank": range(1, 11),
        }
    )
    return {
        "councils": COUNCILS,
        "observations": observations,
        "targets": TARGETS,
        "annotations": ANNOTATIONS,
        "neighbours": neighbours,
        "inspections": INSPECTIONS,
        "recommendations": RECOMMENDATIONS,
        "plan_log": PLAN_LOG,
    }


def write(out_dir: Path = DEMO_DIR, seed: int = SEED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in generate(seed).items():
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="folder to write the demo CSVs to")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
