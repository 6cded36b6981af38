"""Chart builders: what a councillor sees must stay inside the months shown and say what each mark is."""
from datetime import date

import pandas as pd

from analysis import charts, variation


def _series(n=24):
    return pd.DataFrame({"period": pd.date_range("2024-01-01", periods=n, freq="MS").date,
                         "value": [20.0 + (i % 3) for i in range(n)], "upload_id": 1})


def test_trend_chart_keeps_to_the_months_shown_despite_labels():
    series = _series()
    neighbours = pd.DataFrame({"period_end": [pd.Timestamp(2025, 9, 30)], "value": [17.5], "with_value": [10]})
    fig = charts.trend_chart(title="Agency", unit="%", decimals=1, council_name="Anyshire", series=series,
                             targets=[18.0] * len(series), neighbours=neighbours)
    start, end = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert start < pd.Timestamp(2024, 1, 1) and pd.Timestamp(2025, 12, 1) < end < pd.Timestamp(2026, 2, 1)
    assert [t.name for t in fig.data] == ["Anyshire", "Target", "Statistical-neighbour average (annual)"]


def test_spc_chart_breaks_limits_at_a_rebase_and_names_point_kinds():
    series = _series()
    series.loc[20, "value"] = 60.0
    result = variation.kpi_xmr(series, "low", None, [date(2025, 1, 1)])
    rebases = pd.DataFrame({"period": [date(2025, 1, 1)], "reason": ["New recording rules"]})
    fig = charts.spc_chart(title="Caseload", unit="cases", result=result, rebases=rebases)
    limit = next(t for t in fig.data if t.name == "Upper process limit")
    assert None in list(limit.x)  # a gap between the two groups of limits
    names = {t.name for t in fig.data}
    assert "Special cause: concern" in names and "Common cause" in names
    assert any("New recording rules" in a.text for a in fig.layout.annotations)


def test_benchmark_labels_read_as_the_kpi_is_written_not_in_scientific_notation():
    series = _series()
    series["value"] = 2500.0
    england = pd.DataFrame({"period_end": [pd.Timestamp(2025, 3, 31)], "value": [2612.0]})
    neighbours = pd.DataFrame({"period_end": [pd.Timestamp(2025, 3, 31)], "value": [2740.4], "with_value": [10]})
    fig = charts.trend_chart(title="Contacts", unit="count", decimals=0, council_name="Anyshire", series=series,
                             targets=[None] * len(series), england=england, neighbours=neighbours)
    labels = {t.name: list(t.text) for t in fig.data if t.text is not None}
    assert labels == {"England (annual)": ["England 2,612"],
                      "Statistical-neighbour average (annual)": ["Neighbours 2,740"]}


def test_notes_late_in_the_chart_read_leftwards_so_their_words_stay_inside():
    series = _series()
    notes = pd.DataFrame({"period": [date(2024, 3, 1), date(2025, 10, 1)],
                          "text": ["Early note", "Ofsted ILACS inspection: Requires improvement to be good"]})
    fig = charts.trend_chart(title="Agency", unit="%", decimals=1, council_name="Anyshire", series=series,
                             targets=[18.0] * len(series), annotations=notes)
    anchors = {a.text: a.xanchor for a in fig.layout.annotations}
    assert anchors == {"Early note": "left", "Ofsted ILACS inspection: Requires improvement to be good": "right"}
