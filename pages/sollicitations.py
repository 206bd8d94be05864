"""Requests (coordination): the board by status with ageing, a new request, and one request's record
with the placement finder, the proposals, the placement and the history."""

import streamlit as st

from ui.auth import page_guard
from ui.feedback import handled
from ui.path_forms import show_flash
from ui.path_record import record
from ui.path_requests import GOTO_KEY, OPEN_KEY, board, new_request_form, open_by_code, status_metrics

VIEW_KEY = "sollicitations_view"
VIEWS = ["Tableau", "Nouvelle sollicitation"]

actor = page_guard("requests")
st.title("Sollicitations")
show_flash()
if st.session_state.pop(GOTO_KEY, False) or VIEW_KEY not in st.session_state:
    st.session_state[VIEW_KEY] = VIEWS[0]

status_metrics(actor)
view = st.segmented_control("Vue", VIEWS, key=VIEW_KEY, label_visibility="collapsed")

if view == VIEWS[1]:
    new_request_form(actor)
else:
    board(actor)
    open_by_code(actor)
    if st.session_state.get(OPEN_KEY):
        with handled():
            record(actor, st.session_state[OPEN_KEY])
