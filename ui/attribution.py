"""The Open Government Licence attribution that must accompany DfE's published figures wherever they are shown."""
from __future__ import annotations

import streamlit as st

from ui import data
from ui.text import md

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


def caption() -> None:
    """One line naming the releases shown; nothing when no published figure is stored."""
    releases = data.releases()
    if releases.empty:
        return
    names = "; ".join(md(r) for r in releases["release"].head(12))
    more = len(releases) - 12
    st.markdown(f"Published figures: {names}{f' and {more} more releases' if more > 0 else ''}. {OGL}")
