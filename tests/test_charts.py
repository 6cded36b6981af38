"""Chart builders: what a councillor sees must stay inside the months shown and say what each mark is."""
import html
from datetime import date

import pandas as pd
import pytest

from analysis import charts, kpi_view, variation
from settings import DEMO_LA_CODE


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


# Charts that read from the back of the room: labels and notes that never collide, ticks that never tilt or crowd,
# words dark enough to read. The geometry below rebuilds each chart's plot area in pixels from its own layout.

DEMO_MONTH = date(2026, 10, 1)


def _plot(fig, width=charts.WIDTH) -> charts.Plot:
    margin = fig.layout.margin
    start, end = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    low, high = fig.layout.yaxis.range
    return charts.Plot(start, end, width - margin.l - margin.r, fig.layout.height - margin.t - margin.b, low, high)


def _label_boxes(fig, plot: charts.Plot) -> dict[str, charts.Box]:
    """The words shown beside markers, where Plotly draws them."""
    boxes = {}
    for trace in fig.data:
        if trace.texttemplate is None:
            continue
        for x, y, text, position, template in zip(trace.x, trace.y, trace.text, trace.textposition,
                                                  trace.texttemplate):
            if template:
                label = charts.Label(plot.x(x), plot.y(y), charts.text_width(text, charts.LABEL_FONT),
                                     charts.LABEL_FONT * 1.3, trace.marker.size / 2)
                boxes[f"{text} {pd.Timestamp(x):%Y-%m}"] = charts.label_box(
                    label, charts.Spot(position, template.count("<br>")))
    return boxes


def _note_boxes(fig, plot: charts.Plot, font: float = charts.NOTE_FONT) -> dict[str, charts.Box]:
    """Each note's words at the top of the plot, by default as wide as the pack's larger type makes them."""
    boxes = {}
    for note in fig.layout.annotations:
        if note.yanchor != "top":
            continue
        width = charts.text_width(html.unescape(note.text), font)
        anchor = plot.x(note.x) + note.xshift
        left = anchor if note.xanchor == "left" else anchor - width
        top = note.y * plot.height
        boxes[f"{note.text} {pd.Timestamp(note.x):%Y-%m}"] = charts.Box(left, top - charts.NOTE_ROW + 2, left + width,
                                                                         top)
    return boxes


def _collisions(boxes: dict[str, charts.Box]) -> list[tuple[str, str]]:
    names = list(boxes)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if boxes[a].overlaps(boxes[b])]


def _council_line(fig, plot: charts.Plot) -> list[tuple[float, float]]:
    council = fig.data[0]
    return [(plot.x(x), plot.y(y)) for x, y in zip(council.x, council.y) if not pd.isna(y)]


def _assert_reads(fig, width=charts.WIDTH) -> dict[str, charts.Box]:
    """No two labels overlap, none crosses the council's line, leaves the plot or reaches the notes; no two notes
    overlap, even in the pack's larger type, and none leaves the plot, in the pack's type at the page's width."""
    plot = _plot(fig, width)
    labels, notes = _label_boxes(fig, plot), _note_boxes(fig, plot)
    assert _collisions(labels) == [] and _collisions(notes) == []
    line = _council_line(fig, plot)
    for name, box in labels.items():
        assert box.inside(plot.width, plot.height), name
        assert not any(box.crosses(a, b) for a, b in zip(line, line[1:])), name
        assert all(not box.overlaps(note) for note in notes.values()), name
    drawn = notes if width == charts.WIDTH else _note_boxes(fig, plot, charts.NOTE_FONT)
    for name, box in drawn.items():
        assert box.left >= 0 and box.right <= plot.width, name
    return labels


def _demo_view(con, code: str):
    card = kpi_view.read_scorecard(con, DEMO_LA_CODE, DEMO_MONTH).set_index("kpi_code")
    return kpi_view.read(con, DEMO_LA_CODE, code, DEMO_MONTH, card.loc[code], kpi_view.peers(con, DEMO_LA_CODE).neighbours)


def test_two_labels_on_one_date_go_either_side_of_their_markers_and_off_the_line():
    # England 16.2% just under the neighbours' 17.4%, the council's line passing between them at the same date.
    england, neighbours = (charts.Label(200, 100, 90, 17, 6.5), charts.Label(200, 118, 110, 17, 6))
    line = [[(100, 140), (200, 109), (300, 90)]]
    markers = [charts.Box(l.x - l.radius, l.y - l.radius, l.x + l.radius, l.y + l.radius) for l in (england, neighbours)]
    spots = charts.place_labels([england, neighbours], width=400, height=300, line=line, others=[], markers=markers)
    boxes = [charts.label_box(label, spot) for label, spot in zip((england, neighbours), spots)]
    assert spots[0].position.startswith("bottom") and spots[1].position.startswith("top")
    assert not boxes[0].overlaps(boxes[1])
    assert not any(box.crosses(a, b) for box in boxes for a, b in zip(line[0], line[0][1:]))


def test_a_label_at_the_right_edge_stays_inside_and_one_with_no_room_is_left_to_the_hover():
    edge = charts.Label(390, 150, 100, 17, 6)
    assert charts.place_labels([edge], width=400, height=300, line=[], others=[], markers=[])[0].position.endswith("left")
    boxed_in = charts.Label(200, 150, 100, 17, 6)
    fence = [[(0, y), (400, y)] for y in (140, 160, 125, 175, 105, 195)] + [[(x, 0), (x, 300)] for x in (185, 215)]
    assert charts.place_labels([boxed_in], width=400, height=300, line=[], others=fence, markers=[]) == [None]


def test_a_label_is_never_nearer_another_marker_than_its_own():
    # Two markers side by side: the first label may not sit right of its marker, against the second.
    first, second = charts.Label(100, 100, 60, 17, 6), charts.Label(170, 100, 60, 17, 6)
    line = [[(0, 130), (400, 130)], [(0, 70), (400, 70)]]  # no room above or below
    spots = charts.place_labels([first, second], width=400, height=300, line=[], others=line, markers=[])
    assert spots[0] is None or not spots[0].position.endswith("right")


def test_hidden_labels_keep_their_words_for_the_hover():
    series = _series()
    england = pd.DataFrame({"period_end": pd.to_datetime(["2024-03-31", "2025-03-31"]), "value": [21.0, 21.0]})
    fig = charts.trend_chart(title="Agency", unit="%", decimals=1, council_name="Anyshire", series=series,
                             targets=[21.0] * len(series), england=england)
    trace = next(t for t in fig.data if t.name == "England (annual)")
    assert list(trace.text) == ["England 21.0%", "England 21.0%"]
    assert "%{text}" in trace.hovertemplate


@pytest.mark.parametrize("code", ["CLA_3PLUS_SW_PCT", "SW_AGENCY_PCT"])
def test_the_demos_england_and_neighbour_labels_never_collide_and_the_latest_are_shown(demo_con, code):
    view = _demo_view(demo_con, code)
    page = charts.trend_chart(title="x", council_name="Anyshire (demo)", **view.chart_inputs())
    shown = _assert_reads(page)
    latest = {t.name: f"{t.text[-1]} {pd.Timestamp(t.x[-1]):%Y-%m}" for t in page.data if t.texttemplate is not None}
    assert set(latest.values()) <= set(shown), latest
    small = charts.trend_chart(title="Last 24 months", council_name="Anyshire (demo)", width=charts.NARROWEST,
                               height=360, **view.last_months(24).chart_inputs())
    _assert_reads(small, charts.NARROWEST)


def test_a_published_annual_series_with_every_years_comparators_never_collides():
    years = pd.to_datetime([f"{y}-03-31" for y in range(2013, 2026)])
    series = pd.DataFrame({"period": years, "period_end": years, "kind": "published",
                           "value": [22.3, 28.1, 19.7, 23.4, 29.4, 26.8, 22.7, 28.8, 27.4, 27.5, 25.8, 30.1, 19.7]})
    england = pd.DataFrame({"period_end": years, "value": [14.9 + 0.8 * i for i in range(13)]})
    neighbours = pd.DataFrame({"period_end": years, "value": [15.6 + 0.85 * i for i in range(13)]})
    notes = pd.DataFrame({"period": pd.to_datetime(["2018-10-01", "2024-02-01"]), "kind": "inspection",
                          "text": ["Ofsted ILACS inspection: Requires improvement to be good"] * 2})
    for width, height in ((charts.WIDTH, charts.HEIGHT), (charts.NARROWEST, 360)):
        fig = charts.trend_chart(title="Repeat plans", unit="%", decimals=1, council_name="Plymouth", series=series,
                                 targets=[None] * 13, england=england, neighbours=neighbours, annotations=notes,
                                 width=width, height=height)
        shown = _assert_reads(fig, width)
        assert {"England 24.5% 2025-03", "Neighbours 25.8% 2025-03"} <= set(shown)  # the latest year is named
        assert len(_note_boxes(fig, _plot(fig, width))) == 2


def test_notes_share_a_row_when_apart_and_stack_when_they_would_overlap():
    places = charts.place_notes([10, 300, 40, 390], [120, 80, 150, 150], plot_width=400)
    assert [p.row for p in places] == [0, 0, 1, 1]
    assert [p.leftwards for p in places] == [False, False, False, True]
    long = charts.place_notes([200], [300], plot_width=400)[0]
    assert 0 <= long.left and long.left + 300 <= 400  # too long for either side: against the edge, inside


@pytest.mark.parametrize("code", ["CLA_3PLUS_SW_PCT", "SW_AGENCY_PCT", "CONTACTS"])
def test_the_demos_notes_never_overlap_on_the_page_the_workforce_column_or_the_spc_chart(demo_con, code):
    view = _demo_view(demo_con, code)
    assert len(view.annotations) >= 3
    page = charts.trend_chart(title="x", council_name="Anyshire (demo)", **view.chart_inputs())
    assert len(_note_boxes(page, _plot(page))) >= 3
    _assert_reads(page)
    small = charts.trend_chart(title="x", council_name="Anyshire (demo)", width=charts.NARROWEST, height=360,
                               **view.last_months(24).chart_inputs())
    _assert_reads(small, charts.NARROWEST)
    result = variation.kpi_xmr(view.series, view.meta["polarity"], view.targets[-1], view.rebases["period"])
    spc = charts.spc_chart(title="x", unit=view.unit, result=result, target=view.targets, annotations=view.annotations,
                           rebases=view.rebases)
    assert _collisions(_note_boxes(spc, _plot(spc))) == []


def test_a_plan_charts_marks_stay_apart_in_its_narrow_column():
    series = _series(36)
    marks = pd.DataFrame({"period": pd.to_datetime(["2024-02-01", "2024-03-15", "2026-06-30"]),
                          "text": ["Ofsted ILACS inspection", "Due: R1", "Due: R4"],
                          "kind": ["inspection", "due", "due"]})
    fig = charts.plan_kpi_chart(title="Initial child protection conferences within 15 working days of strategy "
                                "discussion", unit="%", decimals=1, council_name="Anyshire", series=series,
                                targets=[20.0] * 36, marks=marks)
    assert len(_note_boxes(fig, _plot(fig, charts.PLAN_WIDTH))) == 3
    _assert_reads(fig, charts.PLAN_WIDTH)
    assert all(len(line) * 17 * charts.TITLE_CHAR_WIDTH <= charts.PLAN_WIDTH - 20
               for line in fig.layout.title.text.split("<br>"))


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio."""
    lighter, darker = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_word_on_a_chart_reads_at_wcag_contrast_whatever_streamlits_theme_says():
    assert round(_contrast("#767676"), 2) == 4.54  # the reference grey WCAG's 4.5:1 is usually quoted with
    series = _series()
    neighbours = pd.DataFrame({"period_end": [pd.Timestamp(2025, 9, 30)], "value": [17.5], "with_value": [10]})
    england = pd.DataFrame({"period_end": [pd.Timestamp(2025, 3, 31)], "value": [16.2]})
    published = pd.DataFrame({"period_end": [pd.Timestamp(2025, 3, 31)], "value": [21.0]})
    notes = pd.DataFrame({"period": [date(2024, 6, 1)], "text": ["New system"]})
    trend = charts.trend_chart(title="Agency", unit="%", decimals=1, council_name="Anyshire", series=series,
                               targets=[18.0] * len(series), england=england, neighbours=neighbours,
                               published=published, annotations=notes)
    result = variation.kpi_xmr(series, "low", None, [])
    spc = charts.spc_chart(title="Agency", unit="%", result=result, annotations=notes,
                           rebases=pd.DataFrame({"period": [date(2025, 1, 1)], "reason": ["New rules"]}))
    for fig in (trend, spc):
        layout = fig.layout
        colours = [layout.title.font.color, layout.legend.font.color, layout.xaxis.tickfont.color,
                   layout.yaxis.tickfont.color, layout.yaxis.title.font.color]
        colours += [note.font.color for note in layout.annotations]
        colours += [t.textfont.color for t in fig.data if t.textfont.color]
        assert all(c is not None and _contrast(c) >= 4.5 for c in colours), colours
        assert layout.xaxis.tickfont.size >= 15 and layout.yaxis.tickfont.size >= 15


@pytest.mark.parametrize("months,annual", [(24, False), (58, False), (13, True), (9, True)])
def test_date_ticks_are_level_within_the_data_and_fit_the_narrowest_chart(months, annual):
    if annual:
        dates = pd.to_datetime([f"{2025 - months + 1 + i}-09-30" for i in range(months)])
        series = pd.DataFrame({"period": dates, "period_end": dates, "kind": "published", "value": 10.0})
    else:
        dates = pd.date_range("2022-01-01", periods=months, freq="MS")
        series = pd.DataFrame({"period": dates, "value": 10.0})
    fig = charts.trend_chart(title="x", unit="%", decimals=1, council_name="A", series=series,
                             targets=[None] * months, width=charts.NARROWEST, height=360)
    axis = fig.layout.xaxis
    ticks = [pd.Timestamp(t) for t in axis.tickvals]
    assert axis.tickangle == 0 and axis.automargin and axis.tickmode == "array"
    assert ticks and dates.min() <= min(ticks) and max(ticks) <= dates.max()
    widest = max(len(t) for t in axis.ticktext) * charts.FONT["size"] * charts.CHAR_WIDTH + charts.TICK_GAP
    assert len(ticks) * widest <= _plot(fig, charts.NARROWEST).width
    if annual:
        assert axis.ticktext[-1] == "30 Sep 2025"  # the latest figure's date is always named


def test_the_benchmark_trend_ticks_lie_flat_and_its_legend_stays_under_the_axis_title():
    years = list(range(2013, 2026))
    trend = pd.DataFrame({"year": years, "label": [f"31 Mar {y}" for y in years], "council": 20.0,
                          "neighbour_average": 18.0, "neighbours_with_value": 10, "england": 17.0})
    fig = charts.benchmark_trend_chart(title="Plans starting that are a second or subsequent plan: Plymouth over "
                                       "the years", unit="%", council_name="Plymouth", trend=trend,
                                       neighbour_label="Statistical-neighbour average")
    axis = fig.layout.xaxis
    assert axis.tickangle == 0 and axis.tickvals[-1] == "31 Mar 2025"
    assert len(axis.tickvals) * (11 * charts.FONT["size"] * charts.CHAR_WIDTH + charts.TICK_GAP) <= charts.TICK_WIDTH
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert -fig.layout.legend.y * plot_height >= charts.TICK_ROOM + 26  # below the ticks and "Year ending"
