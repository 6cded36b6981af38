"""Direction of travel over a year, the month's change, runs in words, and the sentence that reconciles RAG,
direction and SPC: each word checked against the numbers it describes."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import benchmarking, spc, tables, travel, variation
from records.kpi_edits import add_rebase
from settings import DEMO_LA_CODE
from store import queries
from tests.actors import ADMIN
from tests.find import containing

OCT_2026 = date(2026, 10, 1)


def _monthly(values: list[float | None], until: date = OCT_2026) -> pd.DataFrame:
    periods = pd.date_range(end=pd.Timestamp(until), periods=len(values), freq="MS")
    return pd.DataFrame({"period": periods.date, "value": values})


def _published(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"period": [date(year, 3, 1) for year in values], "value": list(values.values())})


def _travel(values: list[float | None], polarity: str = "high", decimals: int = 1) -> travel.Travel:
    return travel.describe(_monthly(values), "monthly", polarity, decimals)


# --------------------------------------------------------------------------- direction over a year

A_YEAR = [50.0] + [60.0] * 11  # Oct 2025, then eleven months to Sep 2026 at 60


@pytest.mark.parametrize(
    "polarity,latest,expected",
    [
        ("high", 55.0, "improved"), ("high", 45.0, "worsened"),
        ("low", 45.0, "improved"), ("low", 55.0, "worsened"),
        ("none", 55.0, "up"), ("none", 45.0, "down"),
        ("target", 55.0, "up"), ("target", 45.0, "down"),
        ("high", 50.0, "same"), ("low", 50.0, "same"),
    ],
)
def test_direction_compares_with_the_same_month_a_year_earlier_judged_by_polarity(polarity, latest, expected):
    """Every month between sits at 60, so a month-on-month arrow would say the opposite for half of these."""
    found = _travel(A_YEAR + [latest], polarity)
    assert found.direction.code == expected
    assert found.basis_period == pd.Timestamp(2025, 10, 1) and found.basis_value == 50.0


@pytest.mark.parametrize("polarity,latest,text", [
    ("high", 55.0, "↑ Better than"), ("high", 45.0, "↓ Worse than"),
    ("low", 45.0, "↓ Better than"), ("low", 55.0, "↑ Worse than"),
])
def test_the_arrow_shows_which_way_the_figure_moved_and_the_word_whether_that_is_better(polarity, latest, text):
    assert travel.direction(latest, 50.0, polarity).text == text


def test_direction_words_name_the_figure_and_month_compared_with():
    catalogue = _catalogue("high", unit="%")
    row = travel.columns(catalogue, _monthly(A_YEAR + [45.0]).assign(kpi_code="K"), OCT_2026).iloc[0]
    assert row["direction_text"] == "↓ Worse than 50.0% in Oct 2025"
    assert row["direction_basis"] == "Oct 2025" and row["direction_basis_period"] == date(2025, 10, 1)
    assert row["basis_value"] == 50.0
    row = travel.columns(_catalogue("none"), _monthly(A_YEAR + [55.0]).assign(kpi_code="K"), OCT_2026).iloc[0]
    assert row["direction_text"] == "↗ Higher than 50.0 in Oct 2025"


def test_figures_are_compared_as_printed():
    assert _travel([19.46] + [19.0] * 11 + [19.54], "low").direction.code == "same"  # both read 19.5
    assert _travel([19.46] + [19.0] * 11 + [19.54], "low", decimals=2).direction.code == "worsened"


def test_a_missing_month_a_year_earlier_gives_no_comparison_rather_than_another_month():
    for values in ([None] + [60.0] * 11 + [55.0], [60.0] * 12):  # Oct 2025 missing; series starts in Nov 2025
        catalogue = _catalogue("high")
        row = travel.columns(catalogue, _monthly(values).assign(kpi_code="K"), OCT_2026).iloc[0]
        assert row["direction"] == "unknown"
        assert row["direction_text"] == "– No comparison with a year earlier"
        assert row["direction_basis"] == "" and row["basis_value"] is None


def test_the_latest_figure_is_the_last_known_one_up_to_the_month():
    # Sep 2025 at 50, then 60 to Sep 2026; Oct 2026 missing, and Nov 2026 is after the month asked for.
    values = _monthly([50.0] + [60.0] * 12 + [None, 70.0], until=date(2026, 11, 1)).assign(kpi_code="K")
    row = travel.columns(_catalogue("high"), values, OCT_2026).iloc[0]
    assert row["direction_text"] == "↑ Better than 50.0 in Sep 2025"


def test_a_published_annual_series_compares_with_the_previous_years_figure():
    series = _published({2023: 97.0, 2024: 98.0, 2025: 101.0})
    found = travel.describe(series, "published", "low", 0)
    assert found.direction.code == "worsened" and found.month_change is None
    row = travel.columns(_catalogue("low", unit="rate", decimals=0),
                         series.assign(kpi_code="K", kind="published"), date(2025, 9, 1)).iloc[0]
    assert row["direction_text"] == "↑ Worse than 98 at 31 Mar 2024"
    assert row["month_change_text"] == ""
    assert travel.describe(_published({2025: 101.0}), "published", "low", 0).direction.code == "unknown"
    assert travel.NO_BASIS_TEXT["published"] == "– No earlier published figure"


# --------------------------------------------------------------------------- the month's change

def test_the_months_change_is_secondary_and_in_the_kpis_unit():
    def change(values, unit="%", decimals=1):
        return travel.month_change_text(travel.describe(_monthly(values), "monthly", "high", decimals), unit, decimals)

    assert change([88.1, 88.5]) == "+0.4 points on Sep 2026"
    assert change([88.5, 88.1]) == "−0.4 points on Sep 2026"
    assert change([20.0, 23.0], unit="count", decimals=0) == "+3 on Sep 2026"
    assert change([88.12, 88.14]) == "no change on Sep 2026"
    assert change([None, 88.1]) == ""


# --------------------------------------------------------------------------- runs

@pytest.mark.parametrize(
    "values,run,words",
    [
        ([1, 2, 3, 4, 5, 6, 7], 6, "rising for 6 months"),
        ([2, 3, 4, 5, 6, 7], 0, ""),  # five moves are not yet a run
        ([9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9, "rising for 9 months"),
        ([9, 8, 7, 6, 5, 4, 3, 2], -7, "falling for 7 months"),
        ([1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10], 0, ""),  # a month without a change ends the run: five moves since
        ([1, 2, 3, 4, 5, 6, 6], 0, ""),  # the latest month did not move, so nothing is rising now
        ([1, 2, 3, 4, 5, 6, 7, 6], 0, ""),  # a fall ends a rise
    ],
)
def test_a_run_is_six_or_more_moves_one_way_up_to_the_latest_month(values, run, words):
    found = _travel([float(v) for v in values])
    assert found.run == run and travel.run_text(found) == words


def test_a_run_does_not_cross_a_missing_month():
    assert _travel([1.0, 2.0, 3.0, None, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]).run == 0
    assert _travel([1.0, 2.0, 3.0, None, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]).run == 6


def test_a_published_series_runs_in_years():
    found = travel.describe(_published({2018 + i: 50.0 + i for i in range(8)}), "published", "high", 0)
    assert travel.run_text(found) == "rising for 7 years"
    gap = _published({2016: 1.0, **{2019 + i: 50.0 + i for i in range(6)}})
    assert travel.describe(gap, "published", "high", 0).run == 0  # 2016 to 2019 is not one year's move


# --------------------------------------------------------------------------- the sentence

ROW = {"rag": "amber", "polarity": "low", "latest_kind": "monthly", "latest_period": OCT_2026,
       "month_change_text": "+0.4 on Sep 2026", "direction": "worsened", "direction_basis": "Oct 2025",
       "direction_basis_period": date(2025, 10, 1), "run": 9, "run_text": "rising for 9 months",
       "spc_status": "judged", "spc_since": "limits from Apr 2025", "variation": "common_cause",
       "assurance": "inconsistent", "spc_shift": 0}
HIT_AND_MISS = "SPC (limits from Apr 2025): no significant change; it will hit and miss the target by chance."


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({}, "Within tolerance in Oct 2026 (+0.4 on Sep 2026), but worse than a year earlier and rising for 9 months. "
             + HIT_AND_MISS),
        ({"rag": "red"}, "Off target in Oct 2026 (+0.4 on Sep 2026) and worse than a year earlier and rising for 9 "
                         "months. " + HIT_AND_MISS),
        ({"rag": "green", "run": 0, "run_text": "", "month_change_text": ""},
         "On target in Oct 2026, but worse than a year earlier. " + HIT_AND_MISS),
        ({"rag": "green", "direction": "improved", "run": -7, "run_text": "falling for 7 months"},
         "On target in Oct 2026 (+0.4 on Sep 2026) and better than a year earlier and falling for 7 months. "
         + HIT_AND_MISS),
        ({"rag": "red", "direction": "improved", "run": 6, "run_text": "rising for 6 months"},
         "Off target in Oct 2026 (+0.4 on Sep 2026), but better than a year earlier, though rising for 6 months. "
         + HIT_AND_MISS),
        ({"rag": "amber", "direction": "improved", "run": 0, "run_text": ""},
         "Within tolerance in Oct 2026 (+0.4 on Sep 2026) and better than a year earlier. " + HIT_AND_MISS),
        ({"direction": "unknown", "run": 0, "run_text": ""},
         "Within tolerance in Oct 2026 (+0.4 on Sep 2026), with no figure a year earlier to compare. " + HIT_AND_MISS),
    ],
)
def test_the_sentence_joins_rag_direction_and_run(changes, expected):
    assert travel.sentence({**ROW, **changes}) == expected


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"rag": "green", "variation": "special_cause_improvement", "assurance": "consistent_fail", "spc_shift": -24},
         "SPC (limits from Apr 2025): a special-cause improvement, below its average for the last 24 months; its "
         "limits say it consistently misses the target, though in Oct 2026 it met it."),
        ({"rag": "red", "variation": "special_cause_concern", "assurance": "consistent_pass"},
         "SPC (limits from Apr 2025): a special-cause concern; its limits say it consistently hits the target, though "
         "in Oct 2026 it missed it."),
        ({"rag": "red", "assurance": "consistent_fail"},
         "SPC (limits from Apr 2025): no significant change; it consistently misses the target."),
        ({"rag": "green", "assurance": "consistent_pass"},
         "SPC (limits from Apr 2025): no significant change; it consistently hits the target."),
        # Within tolerance is still worse than the target: it did not meet it.
        ({"rag": "amber", "assurance": "consistent_fail"},
         "SPC (limits from Apr 2025): no significant change; it consistently misses the target."),
        ({"rag": "amber", "assurance": "consistent_pass"},
         "SPC (limits from Apr 2025): no significant change; its limits say it consistently hits the target, "
         "though in Oct 2026 it missed it."),
        ({"spc_status": variation.TOO_FEW_SINCE_REBASE, "spc_since": "limits recalculated from Aug 2026",
          "variation": None, "assurance": None},
         "SPC: not enough months since the recalculation to judge (limits recalculated from Aug 2026)."),
        ({"spc_status": variation.TOO_FEW, "spc_since": "", "variation": None, "assurance": None},
         "SPC: not enough months to judge."),
    ],
)
def test_the_sentence_says_what_the_current_limits_say(changes, expected):
    assert travel.sentence({**ROW, **changes}).endswith(expected)


def test_the_sentence_for_unrated_published_and_missing_rows():
    context = {**ROW, "rag": "context", "polarity": "none", "direction": "up", "run": 0, "run_text": "",
               "variation": "special_cause_neutral_high", "assurance": None, "spc_shift": 25,
               "month_change_text": "-13 on Sep 2026", "spc_since": "limits from Nov 2021"}
    assert travel.sentence(context) == ("Context measure in Oct 2026 (-13 on Sep 2026): higher than a year earlier. "
                                         "SPC (limits from Nov 2021): unusually high, above its average for the last "
                                         "25 months.")
    published = {**ROW, "rag": "red", "latest_kind": "published", "latest_period": date(2025, 3, 1),
                 "month_change_text": "", "direction_basis": "31 Mar 2024", "direction_basis_period": date(2024, 3, 1),
                 "run": 0, "run_text": "", "spc_status": variation.TOO_FEW, "variation": None}
    assert travel.sentence(published) == ("Off target at 31 Mar 2025 and worse than a year earlier. "
                                          "SPC needs monthly figures.")
    gap = {**published, "direction_basis": "31 Mar 2023", "direction_basis_period": date(2023, 3, 1)}
    assert travel.sentence(gap).startswith("Off target at 31 Mar 2025 and worse than at 31 Mar 2023.")
    stay_close = {**ROW, "polarity": "target", "rag": "green", "direction": "up", "run": 0, "run_text": ""}
    assert travel.sentence(stay_close).startswith("Close to target in Oct 2026 (+0.4 on Sep 2026) and higher than")
    assert travel.sentence({**ROW, "rag": "nodata", "latest_period": None}) == "No figure yet."


# --------------------------------------------------------------------------- every sentence is true of its numbers

def _catalogue(polarity: str, unit: str = "count", decimals: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"code": ["K"], "name": ["KPI"], "definition": [""], "unit": [unit], "polarity": [polarity],
                         "kpi_group": ["G"], "decimals": [decimals], "source": [""], "frequency": ["monthly"]})


def _judged(values: list[float], polarity: str, target: float, rebase: date | None) -> pd.Series:
    history = _monthly(values).assign(kpi_code="K")
    recent = history.tail(13).assign(kind="monthly")
    targets = pd.DataFrame([("K", "local", target, date(2000, 1, 1), None, None, None, "plan")],
                           columns=["kpi_code", "kind", "value", "start_period", "end_period", "glide_from",
                                    "glide_until", "source"])
    rules = pd.DataFrame(columns=["kpi_code", "method", "tolerance_pct"])
    rebases = pd.DataFrame({"kpi_code": ["K"] * (rebase is not None), "period": [rebase] if rebase else []})
    return tables.judged(_catalogue(polarity), recent, history, targets, rules, rebases, OCT_2026).iloc[0]


def _check_sentence(values: list[float], polarity: str, target: float, rebase_at: int | None) -> None:
    """Read the sentence back claim by claim and check each against the series, target and limits."""
    periods = _monthly(values)["period"].tolist()
    row = _judged(values, polarity, target, None if rebase_at is None else periods[rebase_at])
    words = row["sentence"]
    latest, better = values[-1], (lambda a, b: a > b) if polarity == "high" else (lambda a, b: a < b)
    assert words.startswith(("On target", "Within tolerance", "Off target")), words
    assert words.startswith("On target") == (latest == target or better(latest, target)), words
    change = re.search(r"\(([+−][\d.,]+|no change) on Sep 2026\)", words)  # a fall has the minus sign, U+2212
    assert change is not None, words
    step = round(latest - values[-2], 1)
    assert (change.group(1) == "no change") if step == 0 else float(change.group(1).replace("−", "-")) == step, words
    year_ago = values[-13]
    said = re.search(r"(better than|worse than|the same as) a year earlier", words).group(1)
    assert said == ("the same as" if latest == year_ago else "better than" if better(latest, year_ago)
                    else "worse than"), words
    run = re.search(r"(rising|falling) for (\d+) months", words)
    moves = [b - a for a, b in zip(values, values[1:])]
    if run:
        n, up = int(run.group(2)), run.group(1) == "rising"
        assert n >= travel.RUN_MOVES and all((m > 0) if up else (m < 0) for m in moves[-n:]), words
        assert len(moves) == n or not ((moves[-n - 1] > 0) if up else (moves[-n - 1] < 0)), words  # the whole run
    else:
        assert not all(m > 0 for m in moves[-6:]) and not all(m < 0 for m in moves[-6:]), words
    since = values[rebase_at or 0:]
    if len(since) < variation.MIN_POINTS_TO_JUDGE:
        assert "not enough months since the recalculation" in words, words
        return
    alone = spc.xmr(since, improvement=variation.IMPROVEMENT[polarity], target=target)
    mean, lpl, upl = alone["mean"].iloc[-1], alone["lpl"].iloc[-1], alone["upl"].iloc[-1]
    month = pd.Timestamp(periods[rebase_at or 0]).strftime("%b %Y")
    assert f"SPC (limits {'' if rebase_at is None else 'recalculated '}from {month})" in words, words
    fail = "consistently misses the target" in words
    assert fail == ((target > upl) if polarity == "high" else (target < lpl)), words
    assert ("consistently hits the target" in words) == ((target < lpl) if polarity == "high" else (target > upl))
    if "though in Oct 2026 it met it" in words:
        assert fail and words.startswith("On target"), words
    shift = re.search(r"(above|below) its average for the last (\d+) months", words)
    if shift:
        n = int(shift.group(2))
        assert all((v > mean) if shift.group(1) == "above" else (v < mean) for v in since[-n:]), words


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.integers(0, 40), min_size=14, max_size=30).map(lambda xs: [60.0 + x / 2 for x in xs]),
    polarity=st.sampled_from(["high", "low"]),
    target=st.integers(100, 160).map(lambda x: x / 2),
    rebase_from_end=st.one_of(st.none(), st.integers(2, 12)),
)
def test_every_sentence_is_literally_true_of_its_numbers(values, polarity, target, rebase_from_end):
    _check_sentence(values, polarity, target, None if rebase_from_end is None else len(values) - rebase_from_end)


@pytest.mark.parametrize("polarity", ["high", "low"])
def test_a_long_steady_run_is_named_and_true(polarity):
    values = [61.0, 60.0] * 5 + [60.0 + i for i in range(1, 12)]
    _check_sentence(values, polarity, 70.0, None)
    assert "rising for 11 months" in _judged(values, polarity, 70.0, None)["sentence"]


# --------------------------------------------------------------------------- the demo Overview

def _demo_card(con, until: date = OCT_2026) -> pd.DataFrame:
    la = DEMO_LA_CODE
    peers = benchmarking.Peers(queries.year_end_figures(con), queries.region_figures(con),
                               queries.neighbours(con, la), None)
    return tables.full_scorecard(
        queries.catalogue(con), queries.recent_values(con, la, until), queries.history_values(con, la, until),
        queries.targets(con, la), queries.england(con), queries.rag_rules(con, la), queries.all_rebases(con, la),
        queries.commentary(con, la, until), until, peers, la).set_index("kpi_code")


def test_the_demo_overview_judges_spc_on_the_current_limits_and_reconciles_it_with_rag(demo_con):
    """On target beside "consistently misses target" only where the current limits say so, and then the sentence
    says both; a recalculation after the 2024 inspection's change of practice is what the icons then judge on."""
    card = _demo_card(demo_con)
    history = queries.history_values(demo_con, DEMO_LA_CODE, OCT_2026)
    for code, row in card.iterrows():
        assert row["sentence"] and row["direction_text"], code
        if row["rag"] == "green" and row["assurance"] == "consistent_fail":
            series = history[history["kpi_code"] == code]["value"]
            limits = spc.xmr(series, improvement=variation.IMPROVEMENT[row["polarity"]]).iloc[-1]
            assert (row["target"] < limits["lpl"]) if row["polarity"] == "low" else (row["target"] > limits["upl"])
            assert "its limits say it consistently misses the target, though in Oct 2026 it met it" in row["sentence"]
    assert card.loc["ASSESS_45WD_PCT", "assurance"] == "consistent_fail"
    add_rebase(demo_con, DEMO_LA_CODE, "ASSESS_45WD_PCT", date(2024, 4, 1), "Practice changed after the inspection",
               ADMIN)
    row = _demo_card(demo_con).loc["ASSESS_45WD_PCT"]
    assert row["assurance"] == "inconsistent" and row["spc_since"] == "limits recalculated from Apr 2024"
    assert "SPC (limits recalculated from Apr 2024): no significant change; it will hit and miss" in row["sentence"]
    assert "limits recalculated from Apr 2024 for 1 KPI" in tables.spc_period_line(_demo_card(demo_con).reset_index())


def test_the_demo_caseload_is_answered_over_a_year_and_in_words(demo_con):
    """The caseload rose for two years; a one-month arrow called it improved."""
    row = _demo_card(demo_con).loc["SW_CASELOAD"]
    assert row["direction_text"] == "↓ Better than 19.6 in Oct 2025"  # a noisy month a year earlier, said as such
    assert "above its average for the last 25 months" in row["sentence"]
    assert row["sentence"].startswith("Off target in Oct 2026 (−0.3 cases on Sep 2026), but better than a year "
                                      "earlier.")


def test_the_overview_says_where_the_limits_come_from_and_each_row_reconciles_its_words(app):
    containing(app.markdown, "SPC variation and assurance are judged on each KPI's limits since its latest "
                             "recalculation, or since its first month: limits from Nov 2021 for 34 KPIs.")
    rows = pd.concat([table.value for table in app.dataframe], ignore_index=True)
    assert "Previous" not in rows.columns and rows["Direction"].str.contains(" than | as ", regex=True).all()
    contradicted = rows[rows["RAG"].str.startswith("●") & rows["Assurance (SPC)"].str.contains("Consistently misses")]
    assert len(contradicted) == 1  # agency staff, which fell through the target: said as such
    assert contradicted["Summary"].str.contains("its limits say it consistently misses the target, though in Oct "
                                                "2026 it met it").all()
