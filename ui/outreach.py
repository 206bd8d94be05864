"""What the detection-circuit pages share: the origin line of a request, tables of outreach sessions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import Actor
from core.clock import paris_today
from core.formatting import fr_date
from models.outreach import OUTREACH_COUNTS, OutreachKind, PlaceKind
from services.outreach.sessions import OutreachData, outreach_create, request_origin
from services.referrers.accounts import request_sender
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import departement_select, fr_number_input, refuse_unreadable
from ui.text import md


def render_request_origin(actor: Actor, request_id: int) -> None:
    """On a request's record: the outreach session that found the child, or the referrer service that sent it."""
    origin = cached(request_origin, actor=actor, request_id=request_id)
    if origin is not None:
        st.info(
            f"**Origine** : repérage lors de la {md(origin.text[0].lower() + origin.text[1:])}",
            icon=":material/explore:",
        )
    sender = cached(request_sender, actor=actor, request_id=request_id)
    if sender is not None:
        st.info(f"**Envoyée par** : {md(sender)} (compte orienteur)", icon=":material/local_police:")


def sessions_frame(rows, *, with_structure: bool) -> pd.DataFrame:
    """One line per outreach session: date, kind, place or platforms, and the counts (French headers)."""
    records = []
    for r in rows:
        record = {"Date": fr_date(r.held_on), "Type": OutreachKind.label_of(r.kind)}
        if with_structure:
            record["Équipe"] = r.structure_name or "Coordination"
        record["Département"] = r.departement_code
        record["Lieu ou plateformes"] = PlaceKind.label_of(r.place_kind) if r.place_kind else ", ".join(r.platforms)
        record["Durée (min)"] = r.duration_minutes
        record["Intervenants"] = r.team_size
        for column, label in OUTREACH_COUNTS.items():
            record[label] = r.counts[column]
        record["Sollicitations reliées"] = r.referrals
        records.append(record)
    return pd.DataFrame(records)


def outreach_form(actor: Actor, platforms: dict[int, str]) -> None:
    """A new outreach session: date, kind, place, team, and the counts of what was done (numbers only)."""
    generation = st.session_state.setdefault("outreach_form_generation", 0)
    with st.form(f"outreach_new_{generation}"):
        left, middle, right = st.columns(3)
        held_on = left.date_input("Date", value=paris_today(), format="DD/MM/YYYY", key="outreach_day")
        kind = middle.radio(
            "Type de maraude", list(OutreachKind.labels()), format_func=OutreachKind.label_of, key="outreach_kind"
        )
        departement = departement_select("Département", key="outreach_departement", where=right)
        duration = fr_number_input(
            "Durée (minutes)",
            integer=True,
            required=True,
            min_value=1,
            max_value=1440,
            value=120,
            key="outreach_duration",
            where=left,
        )
        team = fr_number_input(
            "Intervenants",
            integer=True,
            required=True,
            min_value=1,
            max_value=50,
            value=2,
            key="outreach_team",
            where=middle,
        )
        place = right.selectbox(
            "Type de lieu (maraude de rue)",
            [None, *PlaceKind.labels()],
            format_func=lambda v: "—" if v is None else PlaceKind.label_of(v),
            key="outreach_place",
        )
        chosen = st.multiselect(
            "Plateformes (maraude numérique)",
            list(platforms),
            format_func=lambda i: platforms[i],
            placeholder="Choisir…",
            key="outreach_platforms",
        )
        st.markdown("**Ce qui a été fait**")
        columns = st.columns(3)
        counts = {}
        for i, (column, label) in enumerate(OUTREACH_COUNTS.items()):
            counts[column] = fr_number_input(
                label,
                integer=True,
                min_value=0,
                max_value=100_000,
                value=0,
                key=f"outreach_count_{column}",
                where=columns[i % 3],
            )
        if st.form_submit_button("Enregistrer la maraude", type="primary"):
            saved = False
            with handled():
                refuse_unreadable(duration, team, *counts.values())
                outreach_create(
                    actor=actor,
                    data=OutreachData(
                        held_on=held_on,
                        kind=kind,
                        duration_minutes=int(duration),
                        team_size=int(team),
                        departement_code=departement,
                        place_kind=place,
                        platform_ids=chosen,
                        counts={k: int(v or 0) for k, v in counts.items()},
                    ),
                )
                st.session_state["outreach_form_generation"] = generation + 1
                st.session_state["outreach_flash"] = "Maraude enregistrée."
                saved = True

            if saved:  # after the block: the caches are refreshed first
                st.rerun()
