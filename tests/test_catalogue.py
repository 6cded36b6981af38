import pandas as pd
import pytest

from ingest import catalogue

DOMAIN_CODES = """CONTACTS REFERRALS CONTACT_DECISION_1WD_PCT REREFERRAL_12M_PCT ASSESS_45WD_PCT CIN_COUNT S47_COUNT
ICPC_15WD_PCT CPP_COUNT CPP_RATE CPP_REPEAT_PCT CPP_2YR_PCT CPP_REVIEW_PCT CLA_COUNT CLA_RATE CLA_STARTS
PLACEMENT_3PLUS_PCT PLACEMENT_LT_STABLE_PCT CLA_3PLUS_SW_PCT CLA_REVIEW_PCT CLA_HEALTH_PCT VISITS_CIN_PCT
VISITS_CP_PCT VISITS_CLA_PCT CL_SUITABLE_ACCOM_PCT CL_EET_PCT CL_BB_COUNT SW_FTE SW_CASELOAD SW_TURNOVER_PCT
SW_AGENCY_PCT SW_VACANCY_PCT SW_ABSENCE_PCT UNALLOCATED_COUNT""".split()


def test_catalogue_holds_every_domain_kpi_once():
    frame = catalogue.read_catalogue()
    assert sorted(frame["code"]) == sorted(DOMAIN_CODES)
    assert len(DOMAIN_CODES) == 34


def test_polarity_follows_the_domain_brief():
    frame = catalogue.read_catalogue().set_index("code")
    assert frame.loc["ASSESS_45WD_PCT", "polarity"] == "high"
    assert frame.loc["SW_AGENCY_PCT", "polarity"] == "low"
    assert frame.loc["REFERRALS", "polarity"] == "none"
    assert frame.loc["CL_BB_COUNT", "polarity"] == "low"


def test_a_bad_catalogue_edit_is_reported_with_its_line(tmp_path):
    good = catalogue.read_catalogue()
    bad = good.drop(columns="sort_order").copy()
    bad.loc[3, "polarity"] = "up"
    path = tmp_path / "kpi_catalogue.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(catalogue.CatalogueError, match=r"line 5: polarity 'up'"):
        catalogue.read_catalogue(path)


def test_england_figures_load_with_their_years(empty_con):
    catalogue.load_reference_data(empty_con)
    rows = empty_con.execute(
        "SELECT year, value FROM benchmarks WHERE kpi_code = 'SW_AGENCY_PCT' AND area_type = 'england' ORDER BY year"
    ).fetchall()
    assert rows == [(2023, 17.9), (2024, 16.2), (2025, 13.0)]
    assert empty_con.execute("SELECT count(*) FROM kpis").fetchone()[0] == 34


def test_england_codes_must_be_in_the_catalogue(tmp_path):
    path = tmp_path / "england.csv"
    pd.DataFrame({"kpi_code": ["NOPE"], "year": [2025], "period_end": ["2025-03-31"], "value": [1],
                  "source": ["x"]}).to_csv(path, index=False)
    with pytest.raises(catalogue.CatalogueError, match="NOPE"):
        catalogue.read_england(path, known_codes={"CLA_COUNT"})


def test_percentages_and_rates_name_the_count_they_are_worked_out_from():
    frame = catalogue.read_catalogue().set_index("code")
    assert frame.loc["VISITS_CLA_PCT", "denominator_kpi"] == "CLA_COUNT"
    assert frame.loc["CPP_2YR_PCT", "denominator_kpi"] == "CPP_COUNT"
    assert frame.loc["CLA_RATE", "numerator_kpi"] == "CLA_COUNT"  # its denominator, the population, is not a KPI
    assert frame.loc["CLA_RATE", "denominator_kpi"] is None
    assert frame.loc["ASSESS_45WD_PCT", "denominator_kpi"] is None  # a 12-month total: no KPI holds it
    assert frame.loc["SW_AGENCY_PCT", "subject"] == "staff" and frame.loc["CL_EET_PCT", "subject"] == "children"
    units = frame["unit"]
    for code, row in frame.iterrows():
        for column in ("numerator_kpi", "denominator_kpi"):
            if row[column] is not None:
                assert units[row[column]] == "count", (code, column)


@pytest.mark.parametrize("column, code, value, message", [
    ("denominator_kpi", "VISITS_CLA_PCT", "SW_FTE", "'SW_FTE' must be the code of a count KPI"),
    ("denominator_kpi", "VISITS_CLA_PCT", "NOPE", "'NOPE' must be the code of a count KPI"),
    ("denominator_kpi", "CLA_RATE", "CLA_COUNT", "denominator_kpi is for a KPI in unit '%', not 'rate'"),
    ("numerator_kpi", "VISITS_CLA_PCT", "CLA_COUNT", "numerator_kpi is for a KPI in unit 'rate', not '%'"),
    ("subject", "CL_EET_PCT", "adults", "subject 'adults' is not one of"),
])
def test_a_bad_base_kpi_or_subject_is_refused(tmp_path, column, code, value, message):
    bad = catalogue.read_catalogue().drop(columns="sort_order")
    bad.loc[bad["code"] == code, column] = value
    path = tmp_path / "kpi_catalogue.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(catalogue.CatalogueError, match=message):
        catalogue.read_catalogue(path)
