"""Training indicators (coordination, funders): professionals trained (6) and the training strategy (7)."""

import streamlit as st

from core.clock import paris_today
from ui.auth import page_guard
from ui.training_indicators import catalogue, export_button, headline, period_picker, plan_section, trained_sections

actor = page_guard("training_indicators")
st.title("Indicateurs de formation")
today = paris_today()
start, end, plan_year = period_picker(today)
headline(actor, start, end, today)
trained_sections(actor, start, end)
plan_section(actor, plan_year)
catalogue(actor)
export_button(actor, start, end)
