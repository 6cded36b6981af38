"""The running server's safe defaults, checked from outside as an attacker's browser or script would see them."""
from __future__ import annotations

import tomllib
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.conftest import ROOT


def stream(app_server: dict, host: str | None = None):
    url = app_server["url"].replace("http://", "ws://") + "/_stcore/stream"
    return connect(url, additional_headers={"Host": host} if host else None, open_timeout=10)


def test_a_connection_naming_a_host_not_allowed_is_refused(app_server):
    with stream(app_server):
        pass
    with pytest.raises(InvalidStatus, match="400"):
        with stream(app_server, "dashboard.attacker.example"):
            pass


def test_another_site_gets_no_cross_origin_permission(app_server):
    request = urllib.request.Request(app_server["url"] + "/_stcore/health",
                                     headers={"Origin": "https://attacker.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers.get("Access-Control-Allow-Origin") is None


def test_a_file_sent_without_the_pages_xsrf_token_is_refused(app_server):
    request = urllib.request.Request(app_server["url"] + "/_stcore/upload_file/session/file", method="PUT",
                                     data=b"la_code,kpi,period,value\n")
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(request, timeout=10)


def test_the_shipped_configuration_is_the_production_one():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server, client = config["server"], config["client"]
    assert server["enableXsrfProtection"] and server["enableCORS"] and server["headless"]
    assert server["allowedHosts"] and server["maxUploadSize"] == 25
    assert config["browser"]["gatherUsageStats"] is False
    assert (client["showErrorDetails"], client["toolbarMode"]) == ("none", "viewer")
