"""Will we hit the target? A KPI's next months forecast with honest uncertainty.

Exponential smoothing state-space models (ETS, from statsmodels) with additive errors: no trend, or a damped
additive trend (an undamped trend runs away over a year), with an additive 12-month season where there are three
years of history and the changes repeat a year apart beyond chance; the one with the smallest AICc is used. Its prediction intervals
come from simulating 1,000 futures from the fitted model (statsmodels' `simulate`), each clipped to the KPI's
bounds (a percentage in 0-100, a count or rate not below 0), so the 80% and 95% bands, the probability of meeting
a target by a date and the month the forecast crosses it are read off the same simulated futures.

Only the months since the KPI's latest SPC recalculation point are used: a step change after an inspection or a
restructure starts a new history. With fewer than `MIN_MONTHS` months of it, nothing is forecast and the reason
is given. `bench/forecast.py` backtests the method against the naive forecasts it must beat.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

MIN_MONTHS = 24
SEASONAL_MONTHS = 36
HORIZON = 12
SIMULATIONS = 1000
LEVELS = {80: (10, 90), 95: (2.5, 97.5)}
SEED = 20261201
"""Simulations are seeded, so the same data always gives the same band and the same probability."""
UPPER = {"%": 100.0}


@dataclass(frozen=True)
class Forecast:
    """The months ahead (`periods`, first days of months) with the central forecast and the 80% and 95% prediction
    intervals; `paths` holds the simulated futures the intervals and probabilities come from."""

    periods: list[date]
    central: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    paths: np.ndarray
    method: str
    since: date
    months_used: int

    def frame(self) -> pd.DataFrame:
        """`period, forecast, lower, upper, lower95, upper95`, as the command line writes it."""
        return pd.DataFrame({"period": [f"{p:%Y-%m}" for p in self.periods], "forecast": self.central,
                             "lower": self.lower, "upper": self.upper, "lower95": self.lower95,
                             "upper95": self.upper95})


@dataclass(frozen=True)
class NoForecast:
    """Why there is no forecast, in words for the page."""

    reason: str


def history(series: pd.DataFrame, rebases: list[date] | pd.Series | None = None,
            until: date | None = None) -> pd.DataFrame:
    """The monthly values a forecast is fitted to: up to `until`, since the latest recalculation point, with
    missing months (suppressed or not returned) filled by carrying the last value forward, since the model needs
    every month; the count of real values is what `MIN_MONTHS` checks."""
    rows = series[["period", "value"]].assign(period=pd.to_datetime(series["period"]))
    if until is not None:
        rows = rows[rows["period"] <= pd.Timestamp(until)]
    starts = [pd.Timestamp(r) for r in (rebases if rebases is not None else []) if pd.notna(r)]
    starts = [s for s in starts if until is None or s <= pd.Timestamp(until)]
    if starts:
        rows = rows[rows["period"] >= max(starts)]
    rows = rows.dropna(subset=["value"]).sort_values("period")
    return rows.reset_index(drop=True)


def _bounds(unit: str) -> tuple[float, float]:
    return 0.0, UPPER.get(unit, math.inf)


def _method(result) -> str:
    model = result.model
    trend = "N" if model.trend is None else ("Ad" if model.damped_trend else "A")
    season = "N" if model.seasonal is None else "A"
    return f"ETS(A,{trend},{season})"


def _seasonal(values: np.ndarray) -> bool:
    """Whether the month-to-month changes repeat a year apart beyond chance (their lag-12 autocorrelation outside
    the 95% band of a series with none): only then are the seasonal models, which cost five times the others to
    fit, tried at all."""
    changes = np.diff(values)
    changes = changes - changes.mean()
    spread = float(np.dot(changes, changes))
    if len(changes) <= 12 or spread == 0:
        return False
    lag12 = float(np.dot(changes[12:], changes[:-12])) / spread
    return abs(lag12) > 1.96 / math.sqrt(len(changes))


def _fit(values: np.ndarray):
    """The candidate with the smallest AICc."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    candidates = [(None, False, None), ("add", True, None)]
    if len(values) >= SEASONAL_MONTHS and _seasonal(values):
        candidates += [(None, False, "add"), ("add", True, "add")]
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on flat series; the AICc still ranks the fits
        for trend, damped, seasonal in candidates:
            model = ETSModel(values, error="add", trend=trend, damped_trend=damped, seasonal=seasonal,
                             seasonal_periods=12 if seasonal else None)
            try:
                result = model.fit(disp=False, maxiter=200)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if not np.isfinite(result.aicc):
                continue
            if best is None or result.aicc < best.aicc:
                best = result
    return best


def forecast(series: pd.DataFrame, unit: str, *, months: int = HORIZON, rebases=None,
             until: date | None = None) -> Forecast | NoForecast:
    """The next `months` months of a KPI from its monthly `series` (`period`, `value`)."""
    used = history(series, rebases, until)
    if len(used) < MIN_MONTHS:
        since = "since its latest recalculation point " if rebases is not None and len(rebases) else ""
        return NoForecast(f"Not enough monthly figures to forecast: {len(used)} {since}(a forecast needs "
                          f"{MIN_MONTHS}).")
    months_index = pd.date_range(used["period"].iloc[0], used["period"].iloc[-1], freq="MS")
    values = used.set_index("period")["value"].reindex(months_index).ffill().to_numpy(dtype=float)
    low, high = _bounds(unit)
    if np.ptp(values) == 0:
        flat = np.full(months, values[-1])
        paths = np.tile(flat, (SIMULATIONS, 1))
        return _result(months_index[-1], flat, paths, "constant (every month the same)", used, months)
    result = _fit(values)
    if result is None:
        return NoForecast("The forecasting model could not be fitted to this KPI's figures.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        paths = np.asarray(result.simulate(months, repetitions=SIMULATIONS, anchor="end",
                                           rng=np.random.default_rng(SEED))).reshape(months, SIMULATIONS).T
    paths = np.clip(paths, low, high)
    central = np.clip(np.asarray(result.forecast(months), dtype=float), low, high)
    return _result(months_index[-1], central, paths, _method(result), used, months)


def _result(last: pd.Timestamp, central: np.ndarray, paths: np.ndarray, method: str, used: pd.DataFrame,
            months: int) -> Forecast:
    periods = [(last + pd.DateOffset(months=i + 1)).date() for i in range(months)]
    bands = {level: np.percentile(paths, [lo, hi], axis=0) for level, (lo, hi) in LEVELS.items()}
    return Forecast(periods, central, bands[80][0], bands[80][1], bands[95][0], bands[95][1], paths, method,
                    used["period"].iloc[0].date(), len(used))


def meets(values: np.ndarray, target: float, polarity: str) -> np.ndarray:
    """Whether each value meets the target: at or above it when higher is better, at or below when lower is."""
    return values >= target if polarity == "high" else values <= target


@dataclass(frozen=True)
class Outlook:
    """Will the KPI get there: the chance of meeting the target in the month it is due, and the month the central
    forecast first meets it with the 80% range of the month the simulated futures first do."""

    target: float
    due: date | None
    probability: float | None
    crossing: date | None
    crossing_low: date | None
    crossing_high: date | None
    already: bool
    beyond: bool
    """No simulated future... `beyond`: fewer than one in ten futures meet it within the forecast's months."""


def outlook(result: Forecast, target: float, polarity: str, due: date | None, latest: float | None) -> Outlook | None:
    """The outlook against a target for a KPI with a better direction; None for a context measure or a KPI judged
    by staying close to its target, where "reaching" it has no one direction."""
    if polarity not in ("high", "low") or target is None:
        return None
    already = latest is not None and bool(meets(np.array([latest]), target, polarity)[0])
    probability = None
    if due is not None:
        month = pd.Timestamp(due).to_period("M")
        at = [i for i, p in enumerate(result.periods) if pd.Timestamp(p).to_period("M") == month]
        if at:
            probability = float(meets(result.paths[:, at[0]], target, polarity).mean())
    hits = meets(result.paths, target, polarity)
    first = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
    reached = first[first >= 0]
    central_hits = np.flatnonzero(meets(result.central, target, polarity))
    crossing = result.periods[int(central_hits[0])] if len(central_hits) else None
    beyond = len(reached) < 0.1 * len(first)
    low = high = None
    if len(reached) >= 0.1 * len(first):
        # The 80% range of the month futures first meet it; futures that never do, within the months forecast,
        # count as later than the last.
        ordered = np.sort(np.where(first >= 0, first, len(result.periods)))
        lo, hi = ordered[int(0.1 * (len(ordered) - 1))], ordered[int(math.ceil(0.9 * (len(ordered) - 1)))]
        low = result.periods[int(lo)] if lo < len(result.periods) else None
        high = result.periods[int(hi)] if hi < len(result.periods) else None
    return Outlook(target, due, probability, crossing, low, high, already, beyond)


def _month(day: date | None) -> str:
    return "–" if day is None else f"{pd.Timestamp(day):%b %Y}"


def _chance(probability: float) -> str:
    """A probability as a reader says it; the ends are never "0%" or "100%" from a thousand simulations."""
    if probability < 0.01:
        return "less than 1%"
    if probability > 0.99:
        return "more than 99%"
    return f"{probability * 100:.0f}%"


def outlook_sentence(name: str, target_text: str, found: Outlook | None, result: Forecast) -> str:
    """The outlook in one sentence a councillor reads aloud, true of the forecast beside it."""
    if found is None:
        return ""
    horizon = f"the next {len(result.periods)} months (to {_month(result.periods[-1])})"
    due = ""
    if found.due is not None and found.probability is not None:
        due = f"; {_chance(found.probability)} chance of meeting it in {_month(found.due)}, when it is due"
    elif found.due is not None and pd.Timestamp(found.due) > pd.Timestamp(result.periods[-1]):
        due = f"; it is due in {_month(found.due)}, beyond the months forecast"
    if found.already:
        return f"{name} meets its target of {target_text} now{due}."
    if found.crossing is None:
        return f"On current trend, {name} does not reach its target of {target_text} within {horizon}{due}."
    if found.crossing_low is None:
        spread = ""
    elif found.crossing_high is None:
        spread = f" (80%: {_month(found.crossing_low)} or later than {_month(result.periods[-1])})"
    elif found.crossing_low == found.crossing_high:
        spread = f" (80%: {_month(found.crossing_low)})"
    else:
        spread = f" (80%: {_month(found.crossing_low)} to {_month(found.crossing_high)})"
    return f"On current trend, {name} reaches its target of {target_text} around {_month(found.crossing)}{spread}{due}."


def target_and_due(kpi_targets: pd.DataFrame, month: date) -> tuple[float | None, date | None]:
    """The target a KPI is working towards and when it is due: the target in force in the month, its final value
    where it is a trajectory, due when the trajectory reaches it or else when the target ends (an inspection
    action plan's date); no date for an open-ended target."""
    from analysis import kpi

    row = kpi.row_in_force(kpi_targets, month)
    if row is None:
        return None, None
    for column in ("glide_until", "end_period"):
        when = row.get(column)
        if when is not None and not pd.isna(when):
            return float(row["value"]), pd.Timestamp(when).date()
    return float(row["value"]), None


@dataclass(frozen=True)
class KpiOutlook:
    """A KPI's forecast, or why there is none, and its outlook against its target in words ("" when it has none)."""

    result: Forecast | NoForecast
    outlook: Outlook | None
    sentence: str
    short: str
    """The outlook in a few words for a table cell: "35% by Mar 2027", "Around Jun 2027", "Not within 12 months"."""


def short_words(found: Outlook | None, result: Forecast) -> str:
    if found is None:
        return "–"
    if found.due is not None and found.probability is not None:
        return f"{_chance(found.probability)} chance by {_month(found.due)}"
    if found.already:
        return "Meets it now"
    if found.crossing is None:
        return f"Not within {len(result.periods)} months"
    return f"Around {_month(found.crossing)}"


def for_kpi(series: pd.DataFrame, unit: str, polarity: str, kpi_targets: pd.DataFrame, until: date, *,
            name: str, target_text, rebases=None, months: int = HORIZON,
            commitments: list[date] | None = None) -> KpiOutlook:
    """Forecast a KPI's monthly series from the month shown and judge it against its target. `target_text`
    words a target value in the KPI's unit (a function), so the sentence prints it as the page does. A target with
    no date of its own is judged at the first of `commitments` (linked recommendations' due dates) after the
    month."""
    monthly = series[series["kind"] != "published"] if "kind" in series else series
    if monthly.empty:
        return KpiOutlook(NoForecast("Forecasts need monthly figures; this KPI has published annual figures only."),
                          None, "", "–")
    result = forecast(monthly, unit, months=months, rebases=rebases, until=until)
    if isinstance(result, NoForecast):
        return KpiOutlook(result, None, "", "–")
    target, due = target_and_due(kpi_targets, until)
    upcoming = sorted(pd.Timestamp(d).date() for d in commitments or [] if pd.Timestamp(d) > pd.Timestamp(until))
    if due is not None and pd.Timestamp(due) <= pd.Timestamp(until):
        due = None  # a trajectory already at its end value: what is still to come is a linked commitment, if any
    if due is None and upcoming:
        due = upcoming[0]
    known = monthly[pd.to_datetime(monthly["period"]) <= pd.Timestamp(until)]["value"].dropna()
    latest = float(known.iloc[-1]) if len(known) else None
    found = None if target is None else outlook(result, target, polarity, due, latest)
    sentence = outlook_sentence(name, target_text(target), found, result) if found is not None else ""
    return KpiOutlook(result, found, sentence, short_words(found, result))


def outlook_table(card: pd.DataFrame, outlooks: dict[str, KpiOutlook]) -> pd.DataFrame:
    """The Overview's "Will we hit it?" table: each KPI with a target and a better direction, its latest value and
    target as the scorecard prints them, the outlook in a few words and in a sentence, furthest from getting there
    first: by the chance of meeting it when due, else not reaching it within the months forecast, reaching it
    within them, and meeting it now."""
    rows = []
    for row in card.itertuples(index=False):
        found = outlooks.get(row.kpi_code)
        if found is None or found.outlook is None:
            continue
        seen = found.outlook
        order = (seen.probability if seen.probability is not None else 1.0 if seen.already
                 else 0.0 if seen.crossing is None else 0.5)
        rows.append({"KPI": row.name, "Latest": row.latest_text, "Target": row.target_text,
                     "Due": _month(seen.due) if seen.due else "–", "Outlook": found.short,
                     "In words": found.sentence, "_order": order})
    table = pd.DataFrame(rows, columns=["KPI", "Latest", "Target", "Due", "Outlook", "In words", "_order"])
    return table.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
