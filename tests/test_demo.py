import pandas as pd
import pandas.testing as pdt

from demo import synthetic
from ingest.catalogue import read_catalogue
from settings import DEMO_DIR, DEMO_LA_CODE


def test_generator_is_deterministic():
    first, second = synthetic.generate(), synthetic.generate()
    for name in first:
        pdt.assert_frame_equal(first[name], second[name])


def test_shipped_files_are_what_the_generator_writes(tmp_path):
    synthetic.write(tmp_path)
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (DEMO_DIR / path.name).read_bytes(), f"{path.name} is stale: run make demo-data"


def test_every_kpi_for_every_council_for_five_years():
    obs = synthetic.generate()["observations"]
    assert set(obs["kpi"]) == set(read_catalogue()["code"])
    assert obs["la_code"].nunique() == 11
    per_series = obs.groupby(["la_code", "kpi"])["period"].nunique()
    assert (per_series == 60).all()


def test_councils_are_clearly_fictional():
    councils = synthetic.generate()["councils"]
    assert councils["name"].str.endswith("(demo)").all()
    assert councils["la_code"].str.startswith("E99").all()


def _home(code: str) -> pd.Series:
    obs = synthetic.generate()["observations"]
    rows = obs[(obs["la_code"] == DEMO_LA_CODE) & (obs["kpi"] == code)]
    return rows.set_index("period")["value"]


def test_the_stories_the_demo_tells():
    referrals = _home("REFERRALS")
    assert referrals["2023-01"] > referrals.drop("2023-01").max()
    assessments = _home("ASSESS_45WD_PCT")
    assert assessments["2024-06":].mean() - assessments[:"2024-01"].mean() > 7
    agency = _home("SW_AGENCY_PCT")
    assert agency.iloc[-1] < agency.iloc[0] - 7
    caseload = _home("SW_CASELOAD")
    assert caseload.iloc[-6:].mean() > caseload.iloc[:6].mean() + 2


def test_percentages_stay_in_range():
    obs = synthetic.generate()["observations"]
    pct = obs[obs["kpi"].str.endswith("_PCT")]
    assert pct["value"].between(0, 100).all()
    assert (obs["value"] >= 0).all()
