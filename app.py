"""Entry point: page configuration, sign-in, then the pages the user's role may use (`ui.navigation`).

Each page draws the shared sidebar itself. A refusal that no page caught is still
shown in its words; anything else is a bug, logged with a reference number that
the user can quote, and never shown as a traceback.
"""
from __future__ import annotations

import streamlit as st

from store.errors import Refused, StoreBusyError
from ui import feedback, identity, navigation

st.set_page_config(page_title="Children's services performance", page_icon="📊", layout="wide")

actor = identity.gate()
identity.show(actor)
try:
    st.navigation(navigation.pages_for(actor), expanded=True).run()
except StoreBusyError:  # another program held the database past the wait: say so, not Streamlit's error page
    identity.busy()
except Refused as refused:  # a page acted outside `feedback.refusals`: still words, not an error page
    feedback.show_refusal(refused)
except Exception:  # noqa: BLE001 - the one place a bug is caught: logged with a reference, shown in words
    feedback.something_went_wrong()
