"""Every KPI name the domain brief writes is accepted in an upload: with its bracketed definition or without, in
any case and punctuation."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ingest.catalogue import read_catalogue
from ingest.upload import ALIASES_CSV
from ingest.values import KpiMatcher, without_bracketed_end

DOMAIN = Path(__file__).resolve().parents[2] / "shared" / "DOMAIN.md"
ROW = re.compile(r"^\| (?P<code>[A-Z0-9_]+) \| (?P<name>[^|]+?) \|")


def brief_names() -> list[tuple[str, str]]:
    """(code, name) of every row of the KPI table in section 2 of the domain brief."""
    if not DOMAIN.exists():
        pytest.skip(f"the domain brief is not beside the repository ({DOMAIN})")
    text = DOMAIN.read_text(encoding="utf-8")
    section = text.split("## 2.", 1)[1].split("\n## ", 1)[0]
    return [(m["code"], m["name"]) for line in section.splitlines() if (m := ROW.match(line)) and m["code"] != "code"]


@pytest.fixture(scope="module")
def matcher() -> KpiMatcher:
    catalogue = read_catalogue()
    return KpiMatcher(catalogue, pd.read_csv(ALIASES_CSV, dtype=str))


def test_the_brief_lists_every_kpi_of_the_catalogue():
    assert {code for code, _ in brief_names()} == set(read_catalogue()["code"])


def test_every_name_in_the_brief_is_recognised_as_written(matcher):
    unmatched = [(code, name) for code, name in brief_names() if matcher.match(name) != code]
    assert unmatched == []


def test_every_name_is_recognised_in_any_case_and_punctuation(matcher):
    for code, name in brief_names():
        for variant in (name.upper(), name.lower(), name.replace(" ", "_"), name.replace("-", " ") + ".",
                        f"  {name.replace(',', '')}  "):
            assert matcher.match(variant) == code, variant


def test_every_name_is_recognised_without_its_bracketed_definition(matcher):
    for code, name in brief_names():
        short = without_bracketed_end(name)
        if short is not None and code != "SW_FTE" and code != "SW_CASELOAD":  # "(FTE)" belongs to their names
            assert matcher.match(short) == code, short


@pytest.mark.parametrize("name, code", [
    ("Social worker turnover rate (leavers FTE / average FTE)", "SW_TURNOVER_PCT"),
    ("Agency worker rate (agency FTE / (agency + employed FTE))", "SW_AGENCY_PCT"),
    ("Vacancy rate (vacant FTE / (vacant + in post FTE))", "SW_VACANCY_PCT"),
    ("VACANCY RATE (VACANT FTE / (VACANT + IN-POST FTE))", "SW_VACANCY_PCT"),
    ("Child protection plans per 10,000 children", "CPP_RATE"),
])
def test_the_names_refused_before_are_recognised(matcher, name, code):
    assert matcher.match(name) == code


def test_brackets_that_do_not_end_the_name_are_not_cut():
    assert without_bracketed_end("Children and family social workers in post (FTE)") == \
        "Children and family social workers in post"
    assert without_bracketed_end("Agency worker rate (agency FTE / (agency + employed FTE))") == "Agency worker rate"
    assert without_bracketed_end("Contacts received") is None
    assert without_bracketed_end("(FTE)") is None
