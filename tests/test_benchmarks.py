"""Annual values, neighbour average, rank and quartile band, on small hand-built frames."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import benchmarking


def values(pairs: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"la_code": list(pairs), "value": list(pairs.values())}, dtype=object).astype(
        {"value": float})


def test_high_polarity_ranks_highest_first_and_bands_quarters():
    table = benchmarking.standings(values({f"L{i:02d}": float(i) for i in range(1, 12)}), "high")
    assert table["la_code"].iloc[0] == "L11"
    assert benchmarking.standing_of(table, "L11").text == \
        "Rank 1 of 11, band A (best quartile among the 11 English councils with a figure)"
    assert benchmarking.standing_of(table, "L09").band == "A"
    assert benchmarking.standing_of(table, "L08").band == "B"
    assert benchmarking.standing_of(table, "L01").text == \
        "Rank 11 of 11, band D (worst quartile among the 11 English councils with a figure)"
    assert table["band"].value_counts().to_dict() == {"A": 3, "B": 3, "C": 3, "D": 2}


def test_low_polarity_ranks_lowest_first():
    table = benchmarking.standings(values({"A": 10.0, "B": 30.0, "C": 20.0, "D": 40.0}), "low")
    assert table["la_code"].tolist() == ["A", "C", "B", "D"]
    assert table["band"].tolist() == ["A", "B", "C", "D"]


def test_ties_share_the_better_rank_and_band():
    table = benchmarking.standings(values({"A": 5.0, "B": 5.0, "C": 3.0, "D": 1.0, "E": 0.0}), "high")
    assert benchmarking.standing_of(table, "A").rank == benchmarking.standing_of(table, "B").rank == 1
    assert benchmarking.standing_of(table, "C").rank == 3
    assert benchmarking.standing_of(table, "A").band == benchmarking.standing_of(table, "B").band == "A"


def test_fewer_than_four_councils_are_ranked_without_bands():
    table = benchmarking.standings(values({"A": 1.0, "B": 2.0, "C": 3.0}), "high")
    assert benchmarking.standing_of(table, "C").text == "Rank 1 of the 3 English councils with a figure"


@pytest.mark.parametrize("polarity", ["none", "target"])
def test_context_measures_get_no_band(polarity):
    table = benchmarking.standings(values({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0, "E": 5.0}), polarity)
    assert table["band"].isna().all()
    assert benchmarking.standing_of(table, "E").rank == 1


def test_missing_values_are_not_ranked():
    table = benchmarking.standings(values({"A": 1.0, "B": None, "C": 3.0, "D": 4.0, "E": 5.0}), "low")
    assert benchmarking.standing_of(table, "B").rank is None
    assert benchmarking.standing_of(table, "B").text.startswith("No value for this council")
    assert benchmarking.standing_of(table, "E").text == \
        "Rank 4 of 4, band D (worst quartile among the 4 English councils with a figure)"


def test_neighbour_average_is_plain_mean_of_those_with_a_value():
    neighbours = pd.DataFrame({"neighbour_code": ["N1", "N2", "N3", "X1"], "model": ["M", "M", "M", "Old"]})
    year = values({"H": 50.0, "N1": 10.0, "N2": None, "N3": 20.0, "X1": 99.0})
    average = benchmarking.neighbour_average(year, neighbours, "M")
    assert average.value == pytest.approx(15.0)
    assert (average.with_value, average.neighbours) == (2, 3)
    assert average.note == "Mean of 2 of 3 statistical neighbours (M)."
    assert benchmarking.neighbour_average(year, neighbours, None).value is None


def test_newest_neighbour_model_is_chosen():
    frame = pd.DataFrame({"model": ["DfE statistical neighbours 2025", "DfE statistical neighbours 2021"]})
    assert benchmarking.choose_model(frame) == "DfE statistical neighbours 2025"
    assert benchmarking.choose_model(frame.iloc[0:0]) is None


def test_dfe_figure_wins_over_the_monthly_return_at_period_end():
    published = pd.DataFrame({"area_code": ["A"], "year": [2025], "value": [12.0]})
    monthly = pd.DataFrame({
        "la_code": ["A", "B", "B"],
        "period": [date(2025, 3, 1), date(2025, 3, 1), date(2024, 3, 1)],
        "value": [99.0, 7.0, 6.0],
    })
    annual = benchmarking.annual_values(published, monthly, 3)
    assert annual[["la_code", "year", "value"]].values.tolist() == [["B", 2024, 6.0], ["A", 2025, 12.0],
                                                                    ["B", 2025, 7.0]]
    assert annual.loc[annual["la_code"] == "A", "source"].iloc[0] == benchmarking.SOURCE_DFE


def test_period_end_month_follows_england_then_the_workforce_rule():
    england = pd.DataFrame({"kpi_code": ["CLA_3PLUS_SW_PCT"], "period_end": [date(2024, 3, 31)]})
    assert benchmarking.period_end_month("CLA_3PLUS_SW_PCT", "Children in care", england) == 3
    assert benchmarking.period_end_month("SW_AGENCY_PCT", "Workforce", england) == 9
    assert benchmarking.period_end_month("CLA_RATE", "Children in care", england) == 3
    assert benchmarking.year_label(2025, 9) == "30 Sep 2025"


def test_bar_rows_mark_each_kind_and_put_the_best_first():
    councils = pd.DataFrame({"la_code": ["H", "N", "R", "O"], "name": ["Home", "Near", "Reg", "Far"],
                             "region": ["South", "North", "South", "East"]})
    rows = benchmarking.bar_rows(values({"H": 20.0, "N": 10.0, "R": 30.0, "O": 5.0}), councils, "H", ["N"], "low",
                      england=15.0, neighbour_mean=10.0)
    assert rows["label"].tolist()[:3] == ["Far", "Near", "Neighbour average (1 council)"]
    kinds = dict(zip(rows["label"], rows["kind"]))
    assert kinds["Home"] == benchmarking.HOME and kinds["Near"] == benchmarking.NEIGHBOUR and kinds["Reg"] == benchmarking.REGION
    assert kinds["Far"] == benchmarking.OTHER and kinds["England"] == benchmarking.ENGLAND
    assert rows.loc[rows["kind"] == benchmarking.REGION_AVERAGE, "value"].iloc[0] == pytest.approx(25.0)


def test_trend_lines_up_council_neighbours_and_england_by_year():
    annual = pd.DataFrame({"la_code": ["H", "N1", "N2", "H"], "year": [2024, 2024, 2024, 2025],
                           "value": [1.0, 2.0, 4.0, 5.0]})
    neighbours = pd.DataFrame({"neighbour_code": ["N1", "N2"], "model": ["M", "M"]})
    england = pd.DataFrame({"year": [2023, 2025], "value": [9.0, 8.0]})
    frame = benchmarking.trend(annual, "H", neighbours, "M", england)
    assert frame["year"].tolist() == [2023, 2024, 2025]
    row_2024 = frame[frame["year"] == 2024].iloc[0]
    assert (row_2024["council"], row_2024["neighbour_average"], row_2024["neighbours_with_value"]) == (1.0, 3.0, 2)
    assert pd.isna(frame[frame["year"] == 2025]["neighbour_average"].iloc[0])
    assert frame[frame["year"] == 2025]["england"].iloc[0] == 8.0


def test_years_stop_at_the_chosen_month():
    annual = pd.DataFrame({"la_code": ["H", "H", "H", "N"], "year": [2024, 2025, 2026, 2023],
                           "value": [1.0, None, 3.0, 4.0]})
    assert benchmarking.years_available(annual, "H", 9, date(2026, 9, 1)) == [2026, 2024]
    assert benchmarking.years_available(annual, "H", 9, date(2026, 8, 1)) == [2024]


def test_neighbour_points_are_dated_at_the_year_end_and_skip_years_without_neighbours():
    neighbours = pd.DataFrame({"la_code": ["H", "H"], "neighbour_code": ["N1", "N2"], "model": ["M 2021"] * 2,
                               "rank": [1, 2]})
    annual = pd.DataFrame({"la_code": ["H", "N1", "N2", "H"], "year": [2025, 2025, 2025, 2026],
                           "value": [10.0, 20.0, None, 12.0]})
    points = benchmarking.neighbour_points(annual, neighbours, 9)
    assert points["period_end"].tolist() == [pd.Timestamp(2025, 9, 30)]
    assert points["value"].tolist() == [20.0] and points["with_value"].tolist() == [1]
