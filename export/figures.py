"""A KPI page's chart, from the dashboard's own chart builders (`analysis.charts`), as the pack shows it."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis import charts, disclosure
from export.gather import KpiPage

SUPPRESSED_LABEL = "c = 1 to 5, not shown"


SLIDE_SIZE = {"width": 860, "height": 480, "scale": 2.5}
"""Pixels for a chart that fills 8.5 inches of a slide: 17-pixel labels print at about 12 point."""
SLIDE_FONT = 17


def figure(page: KpiPage, council_name: str, *, font_size: int | None = None, titled: bool = True) -> go.Figure:
    """The trend chart (target, floor, England, neighbour average, notes) or the SPC chart where chosen.

    A hidden value is left out of the line and marked with a `c` along the foot of the chart, so the picture
    cannot be read off for it.
    """
    title = f"{page.name}: {council_name}"
    if page.chart_kind == "spc" and page.spc is not None:
        fig = charts.spc_chart(title=title, unit=page.unit, result=page.spc, target=page.targets,
                               annotations=page.annotations, rebases=page.rebases)
    else:
        fig = charts.trend_chart(
            title=title, unit=page.unit, decimals=page.decimals, council_name=council_name,
            series=page.series.assign(value=page.shown_values), targets=page.targets, floors=page.floors,
            england=page.england, annotations=page.annotations, neighbours=page.neighbours,
            published=None if page.published.empty else page.published,
        )
    if page.any_hidden:
        for month in pd.to_datetime(page.series["period"])[pd.Series(page.hidden, index=page.series.index)]:
            fig.add_annotation(x=month, y=0.01, yref="paper", yanchor="bottom", text=disclosure.SUPPRESSED,
                               showarrow=False, font=dict(size=16, color="#1a1a1a"))
        fig.add_trace(go.Scatter(x=[None], y=[None], name=SUPPRESSED_LABEL, mode="text", text=[disclosure.SUPPRESSED],
                                 hoverinfo="skip", showlegend=True))
    if font_size:
        # The axis titles and title only: the labels, notes, legend and ticks keep the sizes `analysis.charts`
        # placed them for, which is what keeps them clear of each other.
        fig.update_layout(font=dict(size=font_size), title=dict(font=dict(size=font_size + 6)))
    if not titled:  # the slide's own title names the chart
        fig.update_layout(title=None, margin=dict(t=20))
    return fig
