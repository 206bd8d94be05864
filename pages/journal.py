"""Audit log (coordination): every write, who made it and what changed."""

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_datetime
from models.user import User
from services.admin.audit import audit_entities, audit_list
from ui.auth import page_guard
from ui.cache import cached
from ui.pagination import paginate

actor = page_guard("audit")
st.title("Journal d'audit")

left, middle, right = st.columns(3)
entity = left.selectbox(
    "Objet",
    [None, *cached(audit_entities, actor=actor)],
    format_func=lambda e: "Tous" if e is None else e,
    key="audit_entity",
)
username = (
    middle.text_input("Auteur (identifiant)", key="audit_user", max_chars=text_limit(User, "username")).strip().lower()
    or None
)
period = right.date_input("Période", value=(), format="DD/MM/YYYY", key="audit_period")
start, end = (period + (None, None))[:2] if isinstance(period, tuple) else (period, period)
result = paginate(
    "audit_page",
    lambda limit, offset: cached(
        audit_list, actor=actor, entity=entity, username=username, start=start, end=end, limit=limit, offset=offset
    ),
)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Quand": fr_datetime(r.at),
                "Auteur": author,
                "Identifiant": r.username,
                "Action": r.action,
                "Objet": r.entity,
                "N°": r.entity_id,
                "Avant": r.before,
                "Après": r.after,
            }
            for r, author in zip(result.rows, result.authors, strict=True)
        ]
    ),
    hide_index=True,
    width="stretch",
)
