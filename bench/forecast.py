"""Backtest of the KPI forecast (`analysis.forecast`): is it better than the naive forecasts, and are its intervals
honest?

Rolling origin: for every KPI of the synthetic demo council (five years of months), forecasts are made from
origins every `--step` months, from the 36th month on, each using only the months up to its origin, for up to
12 months ahead. Each is scored against what happened by the mean absolute scaled error (MASE: the absolute error
divided by the mean absolute one-month change in the months the forecast was made from), beside the same score
of the naive forecast (the last value carried on) and the seasonal naive one (the value 12 months earlier); and
by the share of actual values inside the 80% and 95% prediction intervals. The councils' published annual
figures are counted too: a series needs `MIN_MONTHS` monthly figures, and a published series has one a year.

    python bench/forecast.py [--step 3] [--kpis CODE ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import forecast  # noqa: E402
from bench.run import machine  # noqa: E402
from ingest.catalogue import load_reference_data, read_catalogue  # noqa: E402
from ingest.national import load_national_files  # noqa: E402
from settings import DEMO_DIR, DEMO_LA_CODE  # noqa: E402
from store.connection import connect  # noqa: E402

FIRST_ORIGIN = 36


def demo_series() -> dict[str, pd.DataFrame]:
    rows = pd.read_csv(DEMO_DIR / "observations.csv")
    rows = rows[rows["la_code"] == DEMO_LA_CODE]
    rows = rows.assign(period=pd.to_datetime(rows["period"]), value=pd.to_numeric(rows["value"], errors="coerce"))
    return {code: group.sort_values("period")[["period", "value"]].reset_index(drop=True)
            for code, group in rows.groupby("kpi")}


def backtest(series: pd.DataFrame, unit: str, step: int) -> dict[str, list[float]]:
    """Scaled errors of the model, naive and seasonal naive, and whether each actual fell in each interval."""
    values = series["value"].to_numpy(dtype=float)
    scores: dict[str, list[float]] = {"model": [], "naive": [], "seasonal": [], "in80": [], "in95": []}
    for origin in range(FIRST_ORIGIN, len(values) - 1, step):
        train = series.iloc[:origin]
        result = forecast.forecast(train, unit)
        if isinstance(result, forecast.NoForecast):
            continue
        known = train["value"].to_numpy(dtype=float)
        scale = np.nanmean(np.abs(np.diff(known)))
        if not scale:
            continue
        actual = values[origin:origin + len(result.periods)]
        h = len(actual)
        ok = ~np.isnan(actual)
        seasonal = np.array([known[origin - 12 + (i % 12)] for i in range(h)])
        for name, guess in (("model", result.central[:h]), ("naive", np.full(h, known[-1])), ("seasonal", seasonal)):
            scores[name] += list(np.abs(actual - guess)[ok] / scale)
        scores["in80"] += list(((actual >= result.lower[:h]) & (actual <= result.upper[:h]))[ok])
        scores["in95"] += list(((actual >= result.lower95[:h]) & (actual <= result.upper95[:h]))[ok])
    return scores


def published_lengths() -> pd.Series:
    """Years of published figures per council and KPI, from a store made as a council's first start makes it."""
    with tempfile.TemporaryDirectory() as folder:
        con = connect(Path(folder) / "national.duckdb")
        try:
            load_reference_data(con)
            load_national_files(con, councils=True)
            return con.execute(
                "SELECT area_code, kpi_code, count(value) AS years FROM published_figures WHERE area_type = 'la'"
                " GROUP BY ALL").df()["years"]
        finally:
            con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/forecast.py", description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=3, help="months between forecast origins (default 3)")
    parser.add_argument("--kpis", nargs="*", help="only these KPI codes")
    args = parser.parse_args(argv)
    print(machine())
    units = dict(zip(*read_catalogue()[["code", "unit"]].T.values))
    totals: dict[str, list[float]] = {"model": [], "naive": [], "seasonal": [], "in80": [], "in95": []}
    wins, per_kpi = 0, []
    started = time.perf_counter()
    for code, series in demo_series().items():
        if args.kpis and code not in args.kpis:
            continue
        scores = backtest(series, units[code], args.step)
        if not scores["model"]:
            continue
        model, naive, seasonal = (statistics.fmean(scores[k]) for k in ("model", "naive", "seasonal"))
        wins += model < naive
        per_kpi.append((code, model, naive, seasonal, statistics.fmean(scores["in80"]),
                        statistics.fmean(scores["in95"]), len(scores["model"])))
        for key in totals:
            totals[key] += scores[key]
    seconds = time.perf_counter() - started
    print(f"\n{'KPI':<26} {'MASE':>6} {'naive':>6} {'s-naive':>7} {'in 80%':>7} {'in 95%':>7} {'points':>6}")
    for code, model, naive, seasonal, in80, in95, n in per_kpi:
        print(f"{code:<26} {model:6.2f} {naive:6.2f} {seasonal:7.2f} {in80:7.0%} {in95:7.0%} {n:6d}")
    model, naive, seasonal = (statistics.fmean(totals[k]) for k in ("model", "naive", "seasonal"))
    print(f"\nDemo, {len(per_kpi)} KPIs, origins every {args.step} months from month {FIRST_ORIGIN}, up to 12 months "
          f"ahead ({len(totals['model']):,} forecasts scored, {seconds:.0f} s):")
    print(f"  mean absolute scaled error: model {model:.2f}, naive {naive:.2f} ({model / naive:.2f}x), "
          f"seasonal naive {seasonal:.2f} ({model / seasonal:.2f}x); the model beats naive on {wins} of "
          f"{len(per_kpi)} KPIs")
    print(f"  interval coverage: 80% band holds {statistics.fmean(totals['in80']):.0%} of actual values, "
          f"95% band holds {statistics.fmean(totals['in95']):.0%} (goal: within 10 points of 80% and 95%)")
    lengths = published_lengths()
    print(f"Published annual series: {len(lengths):,} council-KPI series, the longest {lengths.max()} figures; "
          f"none has the {forecast.MIN_MONTHS} monthly figures a forecast needs, so none is backtested.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
