"""Indicators of the signalement circuit: the coordination's view and the funder's aggregates."""

import streamlit as st

from core.formatting import fr_date
from models.base import utcnow
from services.signalements.indicators import signalement_indicators
from ui.auth import page_guard
from ui.cache import cached
from ui.signalement_indicators import breakdowns, headline_metrics, period_picker, severity_table

actor = page_guard("signalement_indicators")

st.title("Indicateurs des signalements")
start, end = period_picker(actor)
st.caption(f"Signalements déclarés du {fr_date(start) or '…'} au {fr_date(end) or '…'}.")
# Shares depend on the clock (a deadline passes): the cache key moves every minute.
now = utcnow().replace(second=0, microsecond=0)
result = cached(signalement_indicators, actor=actor, start=start, end=end, now=now)
headline_metrics(result)
severity_table(actor, start, end, now)
breakdowns(actor, start, end)
