"""Figures by team, locality or service: kept beside the whole council's, never mixed with them, with the same
provenance, supersession and withdrawal; teams renamed and merged without breaking their trends; shown by team."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import breakdowns, kpi
from auth import audit
from ingest import cli, teams, upload
from ingest.load import withdraw_upload
from settings import DEMO_LA_CODE
from store import queries
from store.connection import open_store
from store.errors import EditRefused
from tests.actors import ADMIN, ANALYST
from tests.find import widget
from tests.fixtures import TEAMS, team_return, xlsx

ASSESS = "ASSESS_45WD_PCT"


def team_rows(values: dict[tuple[str, str, str | None], object], header: str = "team") -> list[list[object]]:
    rows: list[list[object]] = [["kpi", "period", header, "value"]]
    for (code, period, team), value in values.items():
        rows.append([code, period, team, value])
    return rows


def prepare(con, rows: list[list[object]], name: str = "teams.xlsx") -> upload.Plan:
    return upload.prepare(con, name, xlsx({"Data": rows}), home_la=DEMO_LA_CODE, user=ANALYST.email)


def load(con, rows: list[list[object]], name: str = "teams.xlsx") -> int:
    plan = prepare(con, rows, name)
    assert plan.can_load, [i.line() for i in plan.errors]
    return upload.commit(con, plan, ANALYST, checked=True)


def whole(con, period: str = "2026-10") -> float:
    return con.execute("SELECT value FROM observations WHERE is_current AND la_code = ? AND kpi_code = ? AND"
                       " strftime(period, '%Y-%m') = ?", [DEMO_LA_CODE, ASSESS, period]).fetchone()[0]


def by_team(con, period: str = "2026-10") -> dict[str, float]:
    values = queries.team_values(con, DEMO_LA_CODE, ASSESS, date(2026, 12, 1))
    month = values[values["period"].dt.strftime("%Y-%m") == period]
    return dict(zip(month["team"], month["value"]))


def test_team_figures_are_stored_beside_the_whole_council_s_never_mixed(demo_con):
    before = whole(demo_con)
    upload_id = load(demo_con, team_rows({(ASSESS, "2026-10", "North"): 92.5, (ASSESS, "2026-10", "South"): 79.0}))
    assert whole(demo_con) == before, "a team's row is never the council's value"
    assert by_team(demo_con) == {"North": 92.5, "South": 79.0}
    assert demo_con.execute("SELECT count(*) FROM observations WHERE upload_id = ?", [upload_id]).fetchone()[0] == 0
    stored = queries.teams(demo_con, DEMO_LA_CODE)
    assert stored[["name", "kind", "figures"]].values.tolist() == [["North", "team", 1], ["South", "team", 1]]
    contents = queries.upload_contents(demo_con, upload_id)
    assert contents[["holds", "kpi_code", "values_loaded"]].values.tolist() == [["team values", ASSESS, 2]]


def test_one_file_holds_the_council_and_its_localities(demo_con):
    plan = prepare(demo_con, team_rows({(ASSESS, "2026-10", None): 88.2, (ASSESS, "2026-10", "Plymouth North"): 91,
                                        (ASSESS, "2026-10", "  Plymouth   South "): 84}, header="Locality"))
    assert plan.contents() == "1 value and 2 team values"
    upload.commit(demo_con, plan, ANALYST, checked=True)
    assert whole(demo_con) == 88.2 and by_team(demo_con) == {"Plymouth North": 91.0, "Plymouth South": 84.0}
    assert set(queries.teams(demo_con, DEMO_LA_CODE)["kind"]) == {"locality"}


def test_a_team_s_month_given_twice_is_an_error_naming_both_cells(demo_con):
    plan = prepare(demo_con, team_rows({(ASSESS, "2026-10", "North"): 92.5, (ASSESS, "2026-10", "South"): 80,
                                        ("Assessments completed within 45 working days", "2026-10", "north"): 91}))
    (error,) = plan.errors
    assert (error.rule, error.cell) == ("duplicate", "D4")
    assert "given twice for this team" not in error.message and "for this team are given twice" in error.message
    assert "also at Data!D2" in error.message


def test_a_newer_upload_supersedes_a_team_s_figure_and_withdrawing_it_brings_the_old_one_back(demo_con):
    load(demo_con, team_rows({(ASSESS, "2026-10", "North"): 92.5}), "first.xlsx")
    second = load(demo_con, team_rows({(ASSESS, "2026-10", "North"): 90.0}), "second.xlsx")
    assert by_team(demo_con) == {"North": 90.0}
    assert withdraw_upload(demo_con, second, ANALYST) == 1
    assert by_team(demo_con) == {"North": 92.5}
    table = queries.current_values(demo_con)
    north = table[table["breakdown"] == "North"]
    assert north[["kpi_code", "period", "value"]].values.tolist() == [[ASSESS, "2026-10", 92.5]]
    assert table.columns.tolist()[3:5] == ["value", "breakdown"]
    assert table[table["breakdown"].isna()]["kpi_code"].nunique() == 34, "the council's own rows, breakdown empty"


def test_a_renamed_team_keeps_its_trend_and_files_may_use_either_name(demo_con):
    load(demo_con, team_rows({(ASSESS, "2026-09", "South"): 80.0}), "sep.xlsx")
    teams.rename_team(demo_con, DEMO_LA_CODE, "South", "South and West", ANALYST)
    load(demo_con, team_rows({(ASSESS, "2026-10", "South"): 82.0}), "oct.xlsx")
    load(demo_con, team_rows({(ASSESS, "2026-11", "south and west"): 84.0}), "nov.xlsx")
    values = queries.team_values(demo_con, DEMO_LA_CODE, ASSESS, date(2026, 11, 1))
    assert values[["team", "value"]].values.tolist() == [["South and West", 80.0], ["South and West", 82.0],
                                                         ["South and West", 84.0]]
    listed = queries.teams(demo_con, DEMO_LA_CODE)
    assert listed["names"].tolist() == ["South; South and West"]
    assert audit.entries(demo_con, ADMIN, actions=["team_rename"])["after"].str.contains("South and West").all()
    with pytest.raises(EditRefused, match="no team, locality or service called 'Nowhere'"):
        teams.rename_team(demo_con, DEMO_LA_CODE, "Nowhere", "X", ANALYST)


def test_a_merged_team_keeps_its_history_and_later_files_add_to_the_team_it_joined(demo_con):
    load(demo_con, team_rows({(ASSESS, "2026-08", "East"): 70.0, (ASSESS, "2026-08", "North"): 90.0}), "aug.xlsx")
    teams.merge_team(demo_con, DEMO_LA_CODE, "East", "North", date(2026, 9, 1), ANALYST)
    load(demo_con, team_rows({(ASSESS, "2026-09", "East"): 75.0, (ASSESS, "2026-07", "East"): 68.0}), "late.xlsx")
    values = queries.team_values(demo_con, DEMO_LA_CODE, ASSESS, date(2026, 12, 1))
    assert values[["team", "period", "value"]].assign(period=values["period"].dt.strftime("%Y-%m")).values.tolist() \
        == [["East", "2026-07", 68.0], ["East", "2026-08", 70.0], ["North", "2026-08", 90.0],
            ["North", "2026-09", 75.0]]
    assert breakdowns.panel_title(values, "East") == "East (merged into North, Sep 2026)"
    with pytest.raises(EditRefused, match="already merged"):
        teams.merge_team(demo_con, DEMO_LA_CODE, "East", "North", date(2026, 9, 1), ANALYST)


def test_a_team_name_never_seen_is_held_for_a_second_look(demo_con):
    load(demo_con, team_rows({(ASSESS, "2026-09", "North"): 90.0}), "sep.xlsx")
    plan = prepare(demo_con, team_rows({(ASSESS, "2026-10", "Nort"): 91.0}))
    (check,) = plan.checks
    assert check.rule == "new_team" and "Did you mean 'North'?" in check.fix
    with pytest.raises(Exception, match="needs checking first"):
        upload.commit(demo_con, plan, ANALYST)
    assert prepare(demo_con, team_rows({(ASSESS, "2026-10", "north"): 91.0})).checks == [], "a known name, any case"


def test_the_command_line_refuses_a_new_team_under_strict(demo_db_path, tmp_path, capsys):
    with open_store(demo_db_path) as con:
        load(con, team_rows({(ASSESS, "2026-09", "North"): 90.0}), "sep.xlsx")
    path = tmp_path / "typo.xlsx"
    path.write_bytes(xlsx({"Data": team_rows({(ASSESS, "2026-10", "Nort"): 91.0})}))
    assert cli.main(["load", str(path), "--db", str(demo_db_path), "--la", DEMO_LA_CODE, "--strict"]) == 1
    out, err = capsys.readouterr()
    assert "warning: typo.xlsx: Data!D2 (Oct 2026): 'Nort' is a team this council has no figures for yet" in out
    assert "refused under --strict" in err


def test_the_command_line_lists_renames_and_merges_teams(demo_db_path, tmp_path, capsys):
    with open_store(demo_db_path) as con:
        load(con, team_rows({(ASSESS, "2026-09", t): 90.0 for t in ("North", "East")}), "sep.xlsx")
    db = ["--db", str(demo_db_path), "--la", DEMO_LA_CODE]
    assert cli.main(["team", "rename", "North", "North and Central", *db]) == 0
    assert cli.main(["team", "merge", "East", "North and Central", "--from", "2026-10", *db]) == 0
    assert cli.main(["team", "merge", "East", "North", "--from", "Oct 2026", *db]) == 2
    assert cli.main(["team", "list", *db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3].startswith("team       North and Central") and "names: North; North and Central" in out[-3]
    assert out[-2].endswith("merged into North and Central from Oct 2026")


RULE = kpi.RagRule("tolerance", 5)


def test_each_team_is_judged_against_the_council_s_target_worst_first():
    values = pd.DataFrame({"team": ["North", "North", "East", "East", "South"],
                           "period": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-09-01", "2026-10-01",
                                                     "2026-10-01"]),
                           "value": [91.0, 92.6, 80.0, 58.0, 87.0], "status_code": None, "upload_id": 7})
    council = pd.DataFrame({"period": pd.to_datetime(["2026-09-01", "2026-10-01"]), "value": [85.0, 83.0],
                            "status_code": None, "upload_id": 5})
    table = breakdowns.month_table(values, council, date(2026, 10, 1), unit="%", decimals=1, polarity="high",
                                   target=90.0, floor=None, target_kind="local", rule=RULE)
    assert table[["Team", "Value", "RAG", "Gap to target"]].values.tolist() == [
        ["Whole council", "83.0%", "■ Off target", "7.0 points below"],
        ["East", "58.0%", "■ Off target", "32.0 points below"],
        ["South", "87.0%", "▲ Within tolerance", "3.0 points below"],
        ["North", "92.6%", "● On target", "2.6 points above"]]
    assert table.set_index("Team")["Change"].to_dict() == {
        "Whole council": "▼ −2.0 points on Sep 2026", "East": "▼ −22.0 points on Sep 2026", "South": "–",
        "North": "▲ +1.6 points on Sep 2026"}
    assert table["Upload"].tolist() == [5, 7, 7, 7]


def test_a_lower_is_better_team_that_fell_is_still_said_to_fall():
    values = pd.DataFrame({"team": ["North", "North"], "period": pd.to_datetime(["2026-09-01", "2026-10-01"]),
                           "value": [19.0, 17.0], "status_code": None, "upload_id": 7})
    council = pd.DataFrame({"period": pd.to_datetime(["2026-10-01"]), "value": [18.0], "status_code": None,
                            "upload_id": 5})
    table = breakdowns.month_table(values, council, date(2026, 10, 1), unit="cases", decimals=0, polarity="low",
                                   target=18.0, floor=None, target_kind=None, rule=None)
    north = table.set_index("Team").loc["North"]
    assert (north["Change"], north["RAG"], north["Gap to target"]) == ("▼ −2 cases on Sep 2026", "● On target",
                                                                        "1 case below")


def test_the_team_chart_has_a_panel_per_team_on_one_scale():
    values = pd.DataFrame({"team": [t for t in TEAMS for _ in range(2)],
                           "period": pd.to_datetime(["2026-09-01", "2026-10-01"] * 4),
                           "value": [90, 91, 80, 70, 88, 89, 92, 93], "merged_into_name": None,
                           "merged_from": pd.NaT})
    council = pd.DataFrame({"period": pd.to_datetime(["2025-10-01", "2026-09-01", "2026-10-01"]),
                            "value": [84.0, 85.0, 83.0]})
    figure = breakdowns.team_chart(title="Assessments by team: Anyshire", unit="%", decimals=1,
                                   council_name="Anyshire", values=values, council=council,
                                   targets=[85.0, 90.0, 90.0])
    assert [a.text for a in figure.layout.annotations] == sorted(TEAMS)
    council_traces = [t for t in figure.data if t.name == "Anyshire, whole council"]
    assert len(council_traces) == 4 and len(council_traces[0].x) == 2, "the council over the teams' months only"
    assert sum(t.showlegend is not False for t in figure.data) == 3


def test_the_trend_page_and_the_overview_show_the_teams(unstarted_app, demo_db_path):
    with open_store(demo_db_path) as con:
        load(con, team_return(), "teams.xlsx")
    app = unstarted_app
    app.run()
    assert not app.exception
    widget(app.selectbox, "KPI").set_value(ASSESS).run()
    table = [t.value for t in app.dataframe if "Team" in t.value.columns][0]
    assert table["Team"].tolist()[:2] == ["Whole council", "East"]
    assert table.set_index("Team").at["East", "RAG"] == "■ Off target"
    app.switch_page("views/trend.py").run()
    app.query_params["kpi"] = ASSESS
    widget(app.selectbox, "KPI").set_value(ASSESS).run()
    assert not app.exception
    charts = [c for c in app.get("plotly_chart") if "by team" in c.proto.spec]
    assert len(charts) == 1


def test_a_wide_scorecard_gives_teams_by_block_or_by_sheet(demo_con):
    sheets = {"Scorecard": [["Anyshire scorecard"], [], ["Indicator", "Target", "Sep-26", "Oct-26"],
                            [ASSESS, 90, 88.0, 86.0],
                            ["Team: North"], [ASSESS, 90, 92.0, 93.0],
                            ["Team: South"], ["Assessments completed within 45 working days", 90, 84.0, 79.0],
                            ["Team: whole council"], ["SW_CASELOAD", 18, 19, 18]],
              "East": [["Locality: East"], ["Indicator", "Sep-26", "Oct-26"], [ASSESS, 70, 65]]}
    plan = upload.prepare(demo_con, "wide.xlsx", xlsx(sheets), home_la=DEMO_LA_CODE, user=ANALYST.email)
    assert not plan.errors
    council = plan.parsed.observations
    assert council[["kpi_code", "value"]].values.tolist() == [[ASSESS, 88.0], [ASSESS, 86.0], ["SW_CASELOAD", 19.0],
                                                              ["SW_CASELOAD", 18.0]]
    teams_found = plan.parsed.breakdowns
    assert teams_found[["breakdown", "breakdown_kind", "cell", "value"]].values.tolist() == [
        ["North", "team", "C6", 92.0], ["North", "team", "D6", 93.0], ["South", "team", "C8", 84.0],
        ["South", "team", "D8", 79.0], ["East", "locality", "B3", 70.0], ["East", "locality", "C3", 65.0]]


def test_a_team_is_judged_by_its_own_target_where_it_has_one(demo_con):
    rows = team_rows({(ASSESS, "2026-10", "North"): 92.5, (ASSESS, "2026-10", "South"): 88.0})
    targets = [["kpi", "value", "start", "source", "team"], [ASSESS, 95, "2026-04", "Team plan 2026", "North"]]
    plan = upload.prepare(demo_con, "teams.xlsx", xlsx({"Data": rows, "Targets": targets}), home_la=DEMO_LA_CODE,
                          user=ANALYST.email)
    assert plan.can_load and plan.targets[0].team == "North"
    upload.commit(demo_con, plan, ANALYST, checked=True)
    assert queries.targets(demo_con, DEMO_LA_CODE)["source"].eq("Team plan 2026").sum() == 0, \
        "a team's target is never the council's"
    own = queries.team_targets(demo_con, DEMO_LA_CODE, ASSESS)
    assert own[["team", "value"]].values.tolist() == [["North", 95.0]]
    values = queries.team_values(demo_con, DEMO_LA_CODE, ASSESS, date(2026, 10, 1))
    council = pd.DataFrame({"period": pd.to_datetime(["2026-10-01"]), "value": [89.0], "status_code": None,
                            "upload_id": 1})
    table = breakdowns.month_table(values, council, date(2026, 10, 1), unit="%", decimals=1, polarity="high",
                                   target=90.0, floor=None, target_kind="inspection", rule=None, team_targets=own)
    by_team = table.set_index("Team")
    assert by_team.loc["North", ["Target", "Whose target", "RAG", "Gap to target"]].tolist() == [
        "95.0%", "Team's own", "▲ Within tolerance", "2.5 points below"]
    assert by_team.loc["South", ["Target", "Whose target", "RAG"]].tolist() == ["90.0%", "Council's", "■ Off target"]


def test_the_pack_carries_teams_and_a_publication_hides_small_team_counts(demo_db_path, tmp_path, monkeypatch,
                                                                          capsys):
    from openpyxl import load_workbook

    from export import pack, render
    from export.__main__ import main as export_main
    from tests.test_board_pack import fake_renderer

    monkeypatch.setattr(pack, "render_for_slides", fake_renderer)
    monkeypatch.setattr(render, "warm_up", lambda: None)
    with open_store(demo_db_path) as con:
        load(con, team_rows({("CPP_COUNT", "2026-10", team): value
                             for team, value in zip(TEAMS, (180, 3, 12, 274))}), "cp.xlsx")
    for marking, out in (("internal", tmp_path / "internal.pptx"), ("publication", tmp_path / "public.pptx")):
        args = ["pack", "--month", "2026-10", "--audience", "all", "--out", str(out), "--db", str(demo_db_path)]
        assert export_main(args + (["--publication"] if marking == "publication" else [])) == 0, \
            capsys.readouterr().err
    internal = list(load_workbook(tmp_path / "internal.xlsx")["CPP_COUNT teams"].iter_rows(values_only=True))
    public = list(load_workbook(tmp_path / "public.xlsx")["CPP_COUNT teams"].iter_rows(values_only=True))
    assert internal[0][:3] == ("Team", "Value", "Change") and "Change" not in public[0]
    shown = {row[0]: row[1] for row in public[1:]}
    assert {row[0]: row[1] for row in internal[1:]}["South"] == "3"
    assert (shown["South"], shown["East"]) == ("c", "c"), "the small count, and the next smallest with it"
    assert shown["North"] == "180" and shown["West"] == "274"


def test_the_upload_page_previews_each_team_s_figure_and_holds_a_new_name_for_a_check(app, demo_db_path):
    with open_store(demo_db_path) as con:
        load(con, team_rows({(ASSESS, "2026-09", "North"): 90.0}), "sep.xlsx")
    content = xlsx({"Data": team_rows({(ASSESS, "2026-10", "North"): 91.0, (ASSESS, "2026-10", "Nort"): 92.0})})
    app.switch_page("views/upload_file.py").run()
    app.file_uploader[0].set_value(("teams.xlsx", content, "application/octet-stream")).run()
    assert not app.exception
    table = [t.value for t in app.dataframe if "Team" in t.value.columns][0]
    assert table[["Team", "Value", "Check"]].values.tolist() == [["North", "91.0%", ""],
                                                                 ["Nort", "92.0%", "⚠ A new name: check it"]]
    assert any("2 figures by team" in m.value for m in app.markdown)
    assert widget(app.button, "Load 2 team values from teams\\.xlsx").disabled, "held until the name is checked"
