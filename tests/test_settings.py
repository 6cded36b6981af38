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


def test_the_shipped_config_listens_on_loopback_only():
    import tomllib

    from settings import ROOT, is_loopback

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1" and is_loopback(config["server"]["address"])


@pytest.mark.parametrize("address,loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("", False), (None, False), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("dashboard.council.gov.uk", False),
])
def test_loopback_is_this_machine_only(address, loopback):
    from settings import is_loopback

    assert is_loopback(address) is loopback


@pytest.mark.parametrize("environ,address,refusal", [
    ({}, "127.0.0.1", None),
    ({}, "0.0.0.0", "demo"),
    ({}, "", "demo"),                                                   # no address: every interface
    ({"DASHBOARD_DEMO_OPEN": "1"}, "0.0.0.0", None),                    # opened on purpose (and said so)
    ({"DASHBOARD_AUTH": "header"}, "0.0.0.0", "header"),
    ({"DASHBOARD_AUTH": "header", "DASHBOARD_DEMO_OPEN": "1"}, "0.0.0.0", "header"),
    ({"DASHBOARD_AUTH": "header"}, "::1", None),
    ({"DASHBOARD_AUTH": "oidc"}, "0.0.0.0", None),
])
def test_the_demo_and_header_sign_in_refuse_an_address_others_can_reach(environ, address, refusal):
    from settings import unsafe_binding

    assert unsafe_binding(load_settings(environ), address) == refusal


def test_opening_the_demo_to_the_network_takes_a_clear_yes():
    assert load_settings({}).demo_open is False
    assert load_settings({"DASHBOARD_DEMO_OPEN": "1"}).demo_open is True
    assert load_settings({"DASHBOARD_DEMO_OPEN": "0"}).demo_open is False
    with pytest.raises(SettingsError, match="DASHBOARD_DEMO_OPEN='please' must be 1"):
        load_settings({"DASHBOARD_DEMO_OPEN": "please"})
