"""Entry point: page configuration, sign-in, then the pages the user's role may use (`ui.navigation`).

Each page draws the shared sidebar itself.
"""
from __future__ import annotations

import streamlit as st

from etl.store import StoreBusyError
from ui import identity, navigation

st.set_page_config(page_title="Children's services performance", page_icon="📊", layout="wide")

actor = identity.gate()
identity.show(actor)
try:
    st.navigation(navigation.pages_for(actor), expanded=True).run()
except StoreBusyError:  # another program held the database past the wait: say so, not Streamlit's error page
    identity.busy()
