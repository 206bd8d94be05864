"""What the detection-circuit pages share: the origin line of a request, tables of outreach sessions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import Actor
from core.formatting import fr_date
from models.outreach import OUTREACH_COUNTS, OutreachKind, PlaceKind
from services.outreach.sessions import request_origin
from services.referrers.accounts import request_sender
from ui.cache import cached
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
