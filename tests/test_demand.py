"""Demand ahead: the demand KPIs a year on with their ranges, and the social workers the caseload forecast needs."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import demand, forecast
from tests.find import widget


def flat(level: float, n: int = 36, seed: int = 1) -> pd.DataFrame:
    values = level + np.random.default_rng(seed).normal(0, level * 0.01, n)
    return pd.DataFrame({"period": pd.date_range("2023-01-01", periods=n, freq="MS"), "value": values})


def test_social_workers_needed_scale_with_the_caseload_over_its_target():
    caseload_series, fte_series = flat(20.0), flat(300.0, seed=2)
    caseload = forecast.forecast(caseload_series, "cases")
    fte = forecast.forecast(fte_series, "FTE")
    need = demand.workforce_need(caseload, fte, fte_series, 17.0)
    needed = need.table["FTE needed at the target caseload"].to_numpy()
    assert needed[-1] == pytest.approx(caseload.central[-1] * fte.central[-1] / 17.0, abs=0.06)
    assert 340 < needed[-1] < 370, "20 cases each for 300 FTE is 6,000 cases: about 353 FTE at 17"
    assert need.sentence.startswith(f"At the target caseload of 17, the cases forecast for "
                                    f"{caseload.periods[-1]:%b %Y} would need about {needed[-1]:,.0f} FTE")
    assert "about" in need.sentence and "more" in need.sentence
    assert need.sentence.endswith("This assumes the share of social workers who hold cases stays as it is now.")
    low, high = (float(x) for x in need.table["80% range"].iloc[-1].split(" to "))
    assert low < needed[-1] < high


def test_the_demand_page_forecasts_each_kpi_and_the_social_workers_needed(app):
    app.switch_page("views/demand_ahead.py").run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == 5
    for chart in charts:
        names = [t.get("name") for t in json.loads(chart.proto.spec)["data"]]
        assert "Forecast: 80% range" in names
    (table,) = [t.value for t in app.dataframe if "FTE needed at the target caseload" in t.value.columns]
    assert len(table) == 12
    said = [m.value for m in app.markdown if m.value.startswith("At the target caseload of 17")]
    assert len(said) == 1
    widget(app.number_input, "Caseload to plan for (cases per case-holding social worker)").set_value(20.0).run()
    assert [m.value for m in app.markdown if m.value.startswith("At the target caseload of 20")]
