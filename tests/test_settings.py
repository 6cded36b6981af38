import pytest

from settings import DEMO_LA_CODE, SettingsError, load_settings


def test_defaults_point_at_the_demo():
    settings = load_settings({})
    assert settings.home_la == DEMO_LA_CODE
    assert settings.db_path.name == "dashboard.duckdb"


def test_environment_overrides(tmp_path):
    settings = load_settings({"DASHBOARD_DB": str(tmp_path / "x.duckdb"), "DASHBOARD_LA": " e06000026 "})
    assert settings.db_path == tmp_path / "x.duckdb"
    assert settings.home_la == "E06000026"


@pytest.mark.parametrize("bad", ["Plymouth", "E0600002", "123456789"])
def test_a_bad_council_code_says_what_is_expected(bad):
    with pytest.raises(SettingsError, match="9-character ONS council code"):
        load_settings({"DASHBOARD_LA": bad})


def test_a_folder_as_database_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="is a folder"):
        load_settings({"DASHBOARD_DB": str(tmp_path)})
