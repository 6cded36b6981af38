"""KPI forecasts: their shape on series of known behaviour, their bounds and intervals, the chance of meeting a
target against a simulation of our own, the words, the command line, and the pages."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import forecast
from ingest import cli
from tests.find import widget
from ui.text import unescape

START = "2022-01-01"


def monthly(values) -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range(START, periods=len(values), freq="MS"), "value": values})


def noise(n: int, scale: float, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, scale, n)


def test_a_short_series_is_not_forecast_and_says_why():
    result = forecast.forecast(monthly(70 + noise(23, 1)), "%")
    assert isinstance(result, forecast.NoForecast)
    assert result.reason == "Not enough monthly figures to forecast: 23 (a forecast needs 24)."


def test_a_flat_noisy_series_is_forecast_flat_with_intervals_that_widen_and_nest():
    result = forecast.forecast(monthly(70 + noise(48, 1.5)), "%")
    assert isinstance(result, forecast.Forecast)
    assert abs(result.central[-1] - 70) < 2 and np.ptp(result.central) < 1.5
    assert (result.lower95 <= result.lower).all() and (result.lower <= result.central + 1e-9).all()
    assert (result.central <= result.upper + 1e-9).all() and (result.upper <= result.upper95).all()
    assert (result.upper95 - result.lower95)[-1] >= 0.9 * (result.upper95 - result.lower95)[0], "no narrower ahead"
    assert 2 < (result.upper - result.lower)[0] < 8, "an 80% range about 2 x 1.28 standard deviations wide"
    assert [f"{p:%Y-%m}" for p in result.periods[:2]] == ["2026-01", "2026-02"] and len(result.periods) == 12


def test_a_trend_carries_on_damped():
    result = forecast.forecast(monthly(20 + 0.5 * np.arange(48) + noise(48, 0.3)), "count")
    assert "Ad" in result.method
    assert 43.5 < result.central[0] < 45.5 and result.central[-1] > result.central[0]


def test_a_seasonal_series_keeps_its_season():
    months = np.arange(48)
    values = 500 + 80 * np.sin(2 * np.pi * months / 12) + noise(48, 5)
    result = forecast.forecast(monthly(values), "count")
    assert result.method.endswith(",A)")
    expected = 500 + 80 * np.sin(2 * np.pi * np.arange(48, 60) / 12)
    assert np.abs(result.central - expected).max() < 30


def test_a_step_change_after_a_recalculation_starts_a_new_history():
    values = np.r_[60 + noise(30, 1), 80 + noise(30, 1, seed=2)]
    series = monthly(values)
    rebase = series["period"].iloc[30]
    result = forecast.forecast(series, "%", rebases=[rebase])
    assert result.months_used == 30 and result.since == rebase.date()
    assert abs(result.central[0] - 80) < 2
    assert isinstance(forecast.forecast(series, "%", rebases=[series["period"].iloc[40]]), forecast.NoForecast)


def test_a_percentage_near_100_never_goes_above_it_and_a_count_never_below_zero():
    high = forecast.forecast(monthly(np.minimum(99.2 + noise(36, 0.6), 100)), "%")
    assert high.upper95.max() <= 100 and high.paths.max() <= 100
    low = forecast.forecast(monthly(np.maximum(1 + noise(36, 1.2), 0)), "count")
    assert low.lower95.min() >= 0 and low.paths.min() >= 0


def test_until_uses_no_later_figure():
    values = 70 + noise(48, 1)
    values[40:] = 95
    early = forecast.forecast(monthly(values), "%", until=date(2025, 4, 1))
    assert early.months_used == 40 and f"{early.periods[0]:%Y-%m}" == "2025-05"
    assert early.central[0] < 75


def test_the_chance_of_meeting_a_target_agrees_with_a_simulation_of_our_own():
    """A random walk's ETS(A,N,N) fit has alpha near 1: its month-6 spread is about sigma x sqrt(6). The chance of
    being at or below 98 from 100 with sigma 2 is then about P(Z <= -1 / sqrt(6)), 34%."""
    rng = np.random.default_rng(7)
    walk = 100 + np.cumsum(rng.normal(0, 2, 60))
    walk = walk - walk[-1] + 100
    result = forecast.forecast(monthly(walk), "count")
    due = result.periods[5]
    found = forecast.outlook(result, 98.0, "low", due, 100.0)
    ours = np.mean(100 + rng.normal(0, 1, (20000, 6)).sum(axis=1) * result.paths[:, 0].std() <= 98)
    assert found.probability == pytest.approx(float(np.mean(result.paths[:, 5] <= 98)))
    assert abs(found.probability - ours) < 0.08
    assert not found.already


def test_the_outlook_words_match_the_numbers():
    result = forecast.forecast(monthly(30 - 0.5 * np.arange(48) + noise(48, 0.2)), "%")
    found = forecast.outlook(result, 5.0, "low", result.periods[-1], 6.5)
    sentence = forecast.outlook_sentence("Agency worker rate", "5.0%", found, result)
    crossing = next(p for p, c in zip(result.periods, result.central) if c <= 5.0)
    assert sentence.startswith(f"On current trend, Agency worker rate reaches its target of 5.0% around "
                               f"{crossing:%b %Y}")
    assert f"chance of meeting it in {result.periods[-1]:%b %Y}, when it is due." in sentence
    met = forecast.outlook(result, 50.0, "low", None, 6.5)
    assert met.already and forecast.outlook_sentence("Agency worker rate", "50.0%", met, result) == \
        "Agency worker rate meets its target of 50.0% now."
    never = forecast.outlook(result, 1.0, "high", None, 6.5)
    assert forecast.outlook_sentence("X", "1.0%", never, result).startswith("X meets its target")
    assert forecast.outlook(result, 5.0, "none", None, 6.5) is None
    assert forecast.outlook(result, 5.0, "target", None, 6.5) is None


def test_a_target_s_date_is_its_trajectory_s_end_or_its_end():
    targets = pd.DataFrame({"target_id": [1], "kpi_code": ["X"], "kind": ["inspection"], "value": [15.0],
                            "start_period": [date(2025, 4, 1)], "end_period": [None], "glide_from": [20.0],
                            "glide_until": [date(2027, 3, 1)], "source": ["plan"]})
    assert forecast.target_and_due(targets, date(2026, 10, 1)) == (15.0, date(2027, 3, 1))
    open_ended = targets.assign(glide_from=None, glide_until=None)
    assert forecast.target_and_due(open_ended, date(2026, 10, 1)) == (15.0, None)


def test_the_command_line_writes_the_forecast_and_refuses_in_one_line(demo_db_path, tmp_path, capsys):
    out = tmp_path / "agency.csv"
    assert cli.main(["forecast", "--kpi", "SW_AGENCY_PCT", "--months", "6", "--until", "2025-10", "--out", str(out),
                     "--db", str(demo_db_path), "--la", "E99000001"]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table.columns.tolist() == ["period", "forecast", "lower", "upper", "lower95", "upper95"]
    assert table["period"].tolist() == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert ((table["lower95"] <= table["lower"]) & (table["lower"] <= table["forecast"])
            & (table["forecast"] <= table["upper"]) & (table["upper"] <= table["upper95"])).all()
    assert cli.main(["forecast", "--kpi", "NOPE", "--out", str(out), "--db", str(demo_db_path)]) == 2
    assert cli.main(["forecast", "--kpi", "SW_AGENCY_PCT", "--until", "2022-06", "--out", str(out),
                     "--db", str(demo_db_path), "--la", "E99000001"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("--kpi NOPE: not a KPI in the catalogue")
    assert err[1] == "SW_AGENCY_PCT: Not enough monthly figures to forecast: 8 (a forecast needs 24)."


def test_the_trend_chart_draws_the_forecast_as_a_forecast(app):
    app.switch_page("views/trend.py").run()
    widget(app.selectbox, "KPI").set_value("SW_AGENCY_PCT").run()
    assert not app.exception
    (chart,) = [c for c in app.get("plotly_chart")]
    names = [trace.get("name") for trace in json.loads(chart.proto.spec)["data"]]
    assert {"Forecast: 95% range", "Forecast: 80% range", "Forecast (central)"} <= set(names)
    forecast_traces = [t for t in json.loads(chart.proto.spec)["data"] if t.get("meta") == "forecast"]
    assert all("markers" not in t.get("mode", "") for t in forecast_traces), "never drawn as data"
    (said,) = [unescape(m.value) for m in app.markdown if m.value.startswith("**Will we hit it?**")]
    assert said.startswith("**Will we hit it?** Agency worker rate meets its target of 15.0% now; ")
    assert said.endswith("% chance of meeting it in Mar 2027, when it is due.")
    widget(app.checkbox, "Forecast the next 12 months").uncheck().run()
    (chart,) = [c for c in app.get("plotly_chart")]
    assert not [t for t in json.loads(chart.proto.spec)["data"] if t.get("meta") == "forecast"]


def test_the_overview_lists_each_kpi_s_outlook_on_request(app):
    assert not [t for t in app.dataframe if "Outlook" in t.value.columns]
    app.toggle(key="outlooks").set_value(True).run()
    assert not app.exception
    (table,) = [t.value for t in app.dataframe if "Outlook" in t.value.columns]
    assert len(table) == 23 and table.columns.tolist() == ["KPI", "Latest", "Target", "Due", "Outlook"]
    agency = table.set_index("KPI").loc["Agency worker rate"]
    assert agency["Due"] == "Mar 2027" and agency["Outlook"].endswith("chance by Mar 2027")
