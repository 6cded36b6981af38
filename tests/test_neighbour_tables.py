"""Statistical-neighbour tables in their published shapes (DfE's real 2021 and 2025 files, LAIT's workbook) and
the council's choice between the models loaded."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis import benchmarking
from auth import users
from auth.roles import AccessDenied, operator
from ingest import upload
from ingest.catalogue import load_reference_data
from ingest.layouts import detect
from ingest.neighbour_tables import model_name
from ingest.readers import Sheet
from records.neighbour_choice import set_neighbour_model
from settings import DATA_DIR
from store import queries
from store.connection import connect, open_store
from store.errors import EditRefused
from tests import fixtures
from tests.actors import ANALYST, VIEWER
from tests.find import containing
from tests.test_ofsted_outcomes import council_app, council_store  # noqa: F401 (fixtures)
from tests.test_pages_access import AUTH

DATA = DATA_DIR / "national"
CLA = DATA / "cla_number_and_rate_per_10k_children.csv"
SN_2021 = DATA / "New_Statistical_Neighbour_Groupings_April_2021.csv"
SN_2025 = DATA / "sn_model_2025_wide.csv"
PLYMOUTH = "E06000026"
MODEL_2021, MODEL_2025 = "DfE statistical neighbours 2021", "DfE statistical neighbours 2025"


def prepare(con, name: str, content: bytes) -> upload.Plan:
    return upload.prepare(con, name, content, home_la=PLYMOUTH, user=ANALYST.email)


def load(con, name: str, content: bytes) -> int:
    plan = prepare(con, name, content)
    assert plan.can_load, [i.line() for i in plan.errors]
    return upload.commit(con, plan, ANALYST)


def load_file(con, path: Path) -> int:
    return load(con, path.name, path.read_bytes())


@pytest.fixture(scope="module")
def named_councils(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose councils DfE's children-looked-after file has named, with their 3-digit numbers."""
    path = tmp_path_factory.mktemp("neighbours") / "named.duckdb"
    con = connect(path)
    load_reference_data(con)
    load_file(con, CLA)
    con.close()
    return path


@pytest.fixture
def con(named_councils: Path, tmp_path: Path):
    path = tmp_path / "store.duckdb"
    shutil.copy(named_councils, path)
    connection = connect(path)
    yield connection
    connection.close()


def first_neighbour(con, model: str) -> str:
    groups = queries.neighbours(con, PLYMOUTH)
    return groups[(groups["model"] == model) & (groups["rank"] == 1)]["name"].item()


def test_dfe_2021_groupings_load_despite_duplicate_headers_and_a_trailing_empty_column(con):
    plan = prepare(con, SN_2021.name, SN_2021.read_bytes())
    assert plan.errors == []
    (warning,) = plan.warnings
    assert warning.rule == "neighbours_unknown_councils"
    assert warning.found == "835, 836, 837"  # Dorset, Poole and Bournemouth before they were reorganised in 2019
    upload.commit(con, plan, ANALYST)
    assert first_neighbour(con, MODEL_2021) == "Torbay"
    groups = con.execute("SELECT count(DISTINCT la_code), count(*) FROM neighbours WHERE model = ?",
                         [MODEL_2021]).fetchone()
    assert groups == (153, 1530)


def test_dfe_2025_model_loads_with_its_closeness_labels_ignored(con):
    load_file(con, SN_2025)
    assert first_neighbour(con, MODEL_2025) == "Tameside"
    ranks = queries.neighbours(con, PLYMOUTH)["rank"].tolist()
    assert ranks == list(range(1, 11))


def test_duplicate_and_empty_trailing_headers_still_read_as_a_neighbour_table():
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [h for r in range(1, 11) for h in (f"SN{r}", "SNP")]
    layout = detect(Sheet.from_rows("groupings", [header + [""], ["879", "Plymouth", "879"] + ["880", "Close"] * 10
                                                  + [""]], blank=""))
    assert (layout.kind, layout.header_row) == ("dfe_neighbours", 0)
    assert layout.columns["lanum"] == 0 and layout.columns["sn10"] == 23


def test_a_table_before_any_dfe_file_says_to_load_one_first(empty_con):
    load_reference_data(empty_con)
    plan = prepare(empty_con, SN_2021.name, SN_2021.read_bytes())
    (error,) = plan.errors
    assert error.rule == "neighbours_no_known_councils"
    assert "DfE benchmark file" in error.fix and "template" not in error.fix
    assert not plan.can_load


def lait_workbook(title: list[list[object]]) -> bytes:
    """LAIT's shape: title rows, then LA num, LA Name and SN1..SN10, numbers as numbers; and a notes sheet."""
    header = ["LA num", "LA Name"] + [f"SN{rank}" for rank in range(1, 11)]
    plymouth = [879, "Plymouth", 880, 851, 894, 921, 882, 372, 839, 887, 874, 357]
    torbay = [880, "Torbay", 879, 851, 894, 921, 882, 372, 839, 887, 874, 357]
    return fixtures.xlsx({"Statistical neighbours": [*title, [], header, plymouth, torbay],
                          "Notes": [["Statistical neighbours are councils with similar characteristics."]]})


def test_lait_workbook_takes_its_model_year_from_its_title_rows(con):
    content = lait_workbook([["Local authority interactive tool (LAIT)"], ["Statistical neighbours, 2021 model"]])
    plan = prepare(con, "LAIT statistical neighbours.xlsx", content)
    assert plan.errors == [] and [w.rule for w in plan.warnings] == ["sheet_skipped"]
    upload.commit(con, plan, ANALYST)
    assert first_neighbour(con, MODEL_2021) == "Torbay"
    assert queries.neighbours(con, "E06000027")["model"].unique().tolist() == [MODEL_2021]


def test_a_table_whose_year_cannot_be_told_is_named_after_its_file(con):
    load(con, "lait_neighbours.xlsx", lait_workbook([["Local authority interactive tool (LAIT)"]]))
    assert first_neighbour(con, "Statistical neighbours (lait_neighbours.xlsx)") == "Torbay"


def test_a_renamed_dfe_table_is_known_by_its_shape():
    rows = SN_2021.read_bytes().decode("utf-8-sig").splitlines()
    sheet = Sheet.from_rows("groupings", [line.split(",") for line in rows[:3]], blank="")
    assert model_name("groupings.csv", sheet, detect(sheet)) == MODEL_2021
    wide = Sheet.from_rows("wide", [line.split(",") for line in SN_2025.read_bytes().decode("utf-8-sig")
                                    .splitlines()[:3]], blank="")
    assert model_name("neighbours.csv", wide, detect(wide)) == MODEL_2025


def test_the_newest_model_is_the_default_and_the_councils_choice_wins(con):
    load_file(con, SN_2021)
    load_file(con, SN_2025)
    loaded = queries.neighbours(con, PLYMOUTH)
    assert queries.neighbour_model(con, PLYMOUTH) is None
    assert benchmarking.choose_model(loaded) == MODEL_2025

    set_neighbour_model(con, PLYMOUTH, MODEL_2021, ANALYST)
    chosen = queries.neighbour_model(con, PLYMOUTH)
    assert chosen == MODEL_2021
    in_use = benchmarking.neighbours_in_use(loaded, chosen)
    assert in_use["model"].unique().tolist() == [MODEL_2021] and in_use.iloc[0]["name"] == "Torbay"
    entry = con.execute("SELECT actor, action, subject, before, after FROM audit_log ORDER BY entry_id DESC LIMIT 1"
                        ).fetchone()
    assert entry == (ANALYST.email, "neighbour_model_set", PLYMOUTH, None, f'{{"model": "{MODEL_2021}"}}')
    assert queries.neighbour_model(con, "E06000027") is None  # Torbay has not chosen


def test_only_a_loaded_model_and_only_someone_who_may_edit_targets_can_choose(con):
    load_file(con, SN_2025)
    with pytest.raises(EditRefused, match="not a statistical-neighbour model loaded"):
        set_neighbour_model(con, PLYMOUTH, MODEL_2021, ANALYST)
    with pytest.raises(AccessDenied):
        set_neighbour_model(con, PLYMOUTH, MODEL_2025, VIEWER)
    assert queries.neighbour_model(con, PLYMOUTH) is None


def test_a_choice_whose_model_is_no_longer_loaded_falls_back_to_the_newest():
    undated = "Statistical neighbours (lait.xlsx)"
    loaded = pd.DataFrame({"model": [MODEL_2021, MODEL_2025, undated]})
    assert benchmarking.choose_model(loaded, "DfE statistical neighbours 2016") == MODEL_2025
    assert benchmarking.choose_model(loaded, undated) == undated
    assert benchmarking.choose_model(loaded.iloc[0:0], MODEL_2021) is None


def test_the_council_chooses_its_model_on_the_benchmarks_page(council_app):
    council_app.switch_page("views/benchmarks.py").run()
    assert not council_app.exception
    chooser = council_app.selectbox(key="neighbour_model")
    assert chooser.label == "Statistical neighbour model"
    assert (chooser.value, sorted(chooser.options)) == (MODEL_2025, [MODEL_2021, MODEL_2025])
    containing(council_app.markdown, f"Until the council chooses a model, the newest loaded is used ({MODEL_2025})",
               unescaped=True)
    chooser.set_value(MODEL_2021).run()
    council_app.button(key="use_neighbour_model").click().run()
    assert not council_app.exception
    containing(council_app.success, f"Plymouth is now compared with its neighbours in {MODEL_2021}", unescaped=True)
    assert council_app.selectbox(key="neighbour_model").value == MODEL_2021
    with open_store(os.environ["DASHBOARD_DB"]) as con:
        assert queries.neighbour_model(con, PLYMOUTH) == MODEL_2021


def test_a_viewer_is_told_which_model_is_used_and_cannot_change_it(council_app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    with open_store(os.environ["DASHBOARD_DB"]) as con:
        users.set_role(con, VIEWER.email, "viewer", "", operator("setup"))
    council_app.secrets["auth"] = AUTH
    council_app.user = {"is_logged_in": True, "email": VIEWER.email, "sub": VIEWER.email, "iat": int(time.time())}
    council_app.run()
    council_app.switch_page("views/benchmarks.py").run()
    assert not council_app.exception
    assert not [s for s in council_app.selectbox if s.key == "neighbour_model"]
    containing(council_app.markdown, f"Statistical neighbour model: **{MODEL_2025}**", unescaped=True)
