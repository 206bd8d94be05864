"""Weekly figures (partner staff: their structure; coordination: any): pick a week, fill, send."""

import zlib
from datetime import date

import streamlit as st

from core.formatting import fr_week
from services.directory.structures import structure_options
from services.weekly.reports import weekly_entry_get
from services.weekly.schedule import weekly_week_list
from services.weekly.weeks import week_dates
from ui.auth import page_guard
from ui.feedback import handled
from ui.text import md
from ui.weekly_entry import entry_form, review_panel, state_banner

actor = page_guard("weekly_entry")
st.title("Chiffres de la semaine")

if actor.is_partner:
    structure_id = actor.structure_id
else:
    structures = dict(structure_options(actor=actor))
    structure_id = st.selectbox(
        "Structure",
        list(structures),
        format_func=structures.get,
        key="weekly_entry_structure",
        index=None,
        placeholder="Choisissez une structure",
    )
if structure_id is None:
    st.info("Choisissez une structure pour voir ou saisir ses chiffres.")
    st.stop()

with handled():
    weeks = weekly_week_list(actor=actor, structure_id=structure_id, count=26)
    labels = {w.week_start.isoformat(): f"{w.label} — {w.state.label}" for w in weeks}
    remembered = st.session_state.get("weekly_entry_chosen_week")
    # The key follows the labels: a week whose state changed is redrawn with its new label.
    chosen = st.selectbox(
        "Semaine",
        list(labels),
        format_func=labels.get,
        index=list(labels).index(remembered) if remembered in labels else 0,
        key=f"weekly_entry_week_{structure_id}_{zlib.crc32(repr(labels).encode())}",
        help="La semaine en cours est proposée d'abord ; les semaines plus anciennes restent modifiables "
        "jusqu'à leur verrouillage.",
    )
    st.session_state["weekly_entry_chosen_week"] = chosen
    entry = weekly_entry_get(actor=actor, structure_id=structure_id, week_start=date.fromisoformat(chosen))
    st.subheader(f"{md(entry.structure_name)} — {fr_week(entry.week_start)}")
    st.caption(f"{week_dates(entry.week_start)} · capacité : {entry.capacity} places")
    state_banner(entry)
    if not entry.rows:
        st.info("Aucun élément de saisie actif : la coordination doit d'abord définir les chiffres à renseigner.")
    else:
        entry_form(actor, entry)
        review_panel(actor, entry)
