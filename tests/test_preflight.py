"""The pack's pre-flight, rule by rule: each item names the KPI (never its code), says what is wrong and how to put
it right. The rules are a pure function of the pages and the store's facts, so most tests change one page field
or one target and read the list."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from analysis import kpi
from export import gather, preflight
from export.gather import PackData, PackOptions
from export.preflight import StoreFacts
from records.kpi_edits import add_commentary
from settings import DEMO_LA_CODE
from tests.actors import analyst

MONTH = date(2026, 10, 1)
NAME = "Agency worker rate"
TARGETS = ["target_id", "kpi_code", "kind", "value", "start_period", "end_period", "glide_from", "glide_until",
           "source"]


@pytest.fixture(scope="module")
def agency(demo_db_template) -> gather.KpiPage:
    """The demo's agency worker rate for Oct 2026, as the pack gathers it: on its month, with its target."""
    from store.connection import connect

    con = connect(demo_db_template)
    try:
        page = gather.gather(con, PackOptions(DEMO_LA_CODE, "Anyshire (demo)", MONTH, ("SW_AGENCY_PCT",))).pages[0]
        return replace(page, draft=None)  # the drafts' own item is tested in tests/test_draft.py
    finally:
        con.close()


def pack_of(*pages: gather.KpiPage, month: date = MONTH) -> PackData:
    codes = tuple(p.code for p in pages)
    return PackData(PackOptions(DEMO_LA_CODE, "Anyshire (demo)", month, codes), list(pages), pd.Timestamp(MONTH))


def targets(*rows: tuple) -> pd.DataFrame:
    """Targets of the agency worker rate as (kind, value, start, end)."""
    return pd.DataFrame([(i, "SW_AGENCY_PCT", kind, value, pd.Timestamp(start), pd.Timestamp(end) if end else pd.NaT,
                          None, None, "test") for i, (kind, value, start, end) in enumerate(rows, start=1)],
                        columns=TARGETS)


IN_FORCE = targets(("inspection", 15.0, "2024-04-01", None))


def facts(table: pd.DataFrame = IN_FORCE, latest: date | None = MONTH) -> StoreFacts:
    return StoreFacts(latest, table)


def on_target(page: gather.KpiPage) -> gather.KpiPage:
    return replace(page, rag=kpi.RAG_GREEN.code, rag_text=kpi.RAG_GREEN.text, commentary=None)


def test_the_demos_agency_rate_is_a_clean_start(agency):
    assert pd.Timestamp(agency.latest_period) == pd.Timestamp(MONTH) and agency.target_value == 15.0
    assert preflight.check(pack_of(on_target(agency)), facts()) == []


@pytest.mark.parametrize("rag, words", [("red", "off target"), ("amber", "within tolerance")])
def test_a_kpi_off_target_or_within_tolerance_without_commentary_is_listed(agency, rag, words):
    page = replace(agency, rag=rag, gap_text="2.1 points above", commentary=None)
    [item] = preflight.check(pack_of(page), facts())
    assert item.check == preflight.UNEXPLAINED and item.subject == NAME
    assert item.text == (f"{NAME}: {words} (2.1 points above) with no commentary for Oct 2026. "
                         "Write commentary for Oct 2026 on the KPI trend page.")


@pytest.mark.parametrize("rag", ["green", "context", "none", "nodata", "hidden"])
def test_a_kpi_on_target_or_not_rated_needs_no_commentary(agency, rag):
    assert preflight.check(pack_of(replace(agency, rag=rag, commentary=None)), facts()) == []


def test_commentary_for_the_month_clears_the_item(agency):
    page = replace(agency, rag="red", commentary="Three agency workers left in the month.")
    assert preflight.check(pack_of(page), facts()) == []


def test_a_kpi_without_the_months_figure_says_which_month_its_slide_shows(agency):
    page = on_target(replace(agency, latest_period=date(2026, 8, 1), latest_when="Aug 2026"))
    [item] = preflight.check(pack_of(page), facts())
    assert item.check == preflight.NO_DATA
    assert item.problem == "no figure for Oct 2026; its slide shows Aug 2026."
    assert "Upload the Oct 2026 return on the Upload page" in item.fix


def test_a_kpi_shown_by_its_published_figure_says_so(agency):
    page = on_target(replace(agency, latest_period=date(2025, 3, 1), latest_when="31 Mar 2025 (published)",
                             latest_kind=kpi.PUBLISHED))
    [item] = preflight.check(pack_of(page), facts())
    assert item.problem == "no figure for Oct 2026; its slide shows 31 Mar 2025 (published)."


def test_a_kpi_with_no_figures_at_all_is_listed(agency):
    page = on_target(replace(agency, latest_period=None, latest_when="–"))
    [item] = preflight.check(pack_of(page), facts())
    assert item.problem == "no figures up to Oct 2026: its slide has no value."
    assert item.fix == "Upload its figures on the Upload page, or leave it out of the pack."


def test_a_target_that_ended_with_nothing_after_it_is_listed(agency):
    ended = targets(("local", 15.0, "2021-11-01", "2026-03-01"))
    [item] = preflight.check(pack_of(on_target(agency)), facts(ended))
    assert item.check == preflight.TARGET_ENDED
    assert item.text == (f"{NAME}: its local target of 15.0% ended in Mar 2026 and nothing has replaced it, so its "
                         "slide shows no target. Set a new target on the Targets and RAG rules page, or remove the "
                         "ended one if the KPI no longer has one.")


def test_the_latest_ended_target_is_the_one_named(agency):
    ended = targets(("local", 18.0, "2021-11-01", "2024-03-01"), ("inspection", 15.0, "2024-04-01", "2026-06-01"))
    [item] = preflight.check(pack_of(on_target(agency)), facts(ended))
    assert "its inspection target of 15.0% ended in Jun 2026" in item.problem


def test_a_target_replaced_by_a_later_one_is_history_not_a_problem(agency):
    replaced = targets(("local", 18.0, "2021-11-01", "2024-03-01"), ("inspection", 15.0, "2024-04-01", None))
    assert preflight.check(pack_of(on_target(agency)), facts(replaced)) == []


def test_a_target_ending_in_the_packs_month_is_still_in_force(agency):
    assert preflight.check(pack_of(on_target(agency)), facts(targets(("local", 15.0, "2021-11-01", "2026-10-01")))) \
        == []


def test_a_gap_before_the_next_target_starts_is_listed(agency):
    gap = targets(("local", 18.0, "2021-11-01", "2026-08-01"), ("local", 15.0, "2027-01-01", None))
    [item] = preflight.check(pack_of(on_target(agency)), facts(gap))
    assert item.check == preflight.TARGET_ENDED and "ended in Aug 2026" in item.problem


def test_a_target_not_yet_started_with_none_before_it_is_not_an_ended_one(agency):
    assert preflight.check(pack_of(on_target(agency)), facts(targets(("local", 15.0, "2027-01-01", None)))) == []


def test_an_ended_floor_is_listed_on_its_own(agency):
    floors = targets(("inspection", 15.0, "2024-04-01", None), ("floor", 20.0, "2024-04-01", "2026-03-01"))
    [item] = preflight.check(pack_of(on_target(agency)), facts(floors))
    assert item.check == preflight.FLOOR_ENDED
    assert item.problem == ("its floor of 20.0% ended in Mar 2026 and nothing has replaced it, so its slide shows no "
                            "floor.")


def test_a_pack_for_an_older_month_than_the_latest_loaded_is_listed_first(agency):
    page = replace(agency, rag="red", commentary=None)
    items = preflight.check(pack_of(page), facts(latest=date(2026, 11, 1)))
    assert [i.check for i in items] == [preflight.OLD_MONTH, preflight.UNEXPLAINED]
    assert items[0].text == ("The pack's month: the pack shows figures to Oct 2026, but figures up to Nov 2026 are "
                             "loaded. Choose Nov 2026 unless the board asked for Oct 2026.")


def test_a_pack_for_the_latest_month_is_not(agency):
    assert preflight.check(pack_of(on_target(agency)), facts(latest=date(2026, 10, 1))) == []


def test_items_name_kpis_never_codes_and_are_told_apart(agency):
    page = replace(agency, rag="red", commentary=None, latest_period=date(2026, 8, 1), latest_when="Aug 2026")
    items = preflight.check(pack_of(page), facts(targets(("local", 15.0, "2021-11-01", "2026-03-01"),
                                                         ("floor", 20.0, "2021-11-01", "2026-03-01"))))
    assert [i.check for i in items] == [preflight.NO_DATA, preflight.UNEXPLAINED, preflight.TARGET_ENDED,
                                        preflight.FLOOR_ENDED]
    assert len({i.key for i in items}) == len(items)
    assert all(i.subject == NAME and "SW_AGENCY_PCT" not in i.text for i in items)


def test_the_demos_board_pack_is_checked_against_the_store(demo_con):
    """The corporate parenting board's KPIs in the demo: five off target or within tolerance without commentary,
    every figure on its month, every target in force, the latest month."""
    codes = ("CLA_COUNT", "PLACEMENT_LT_STABLE_PCT", "CLA_REVIEW_PCT", "VISITS_CLA_PCT", "CL_SUITABLE_ACCOM_PCT",
             "CL_BB_COUNT", "ASSESS_45WD_PCT")
    options = PackOptions(DEMO_LA_CODE, "Anyshire (demo)", MONTH, codes)
    found = preflight.read_facts(demo_con, DEMO_LA_CODE)
    assert found.latest_month == MONTH
    assert "ASSESS_45WD_PCT" in set(found.targets["kpi_code"]), "its local target ended in Mar 2024, replaced"
    items = preflight.check(gather.gather(demo_con, options), found)
    assert [(i.check, i.kpi_code) for i in items] == [(preflight.DRAFTS, None)] + [
        (preflight.UNEXPLAINED, c) for c in codes[1:6]] + [(preflight.UNEXPLAINED, "ASSESS_45WD_PCT")]
    assert items[0].problem.startswith("7 slides carry the dashboard's draft from the data, not yet reviewed")
    add_commentary(demo_con, DEMO_LA_CODE, "CL_BB_COUNT", MONTH, "One young person, for two nights.",
                   analyst("ad@anyshire.example"))
    assert "CL_BB_COUNT" not in {i.kpi_code for i in preflight.check(gather.gather(demo_con, options), found)}
