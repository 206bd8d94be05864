"""Access log (coordination): every opening of a child's record — who, when, which record."""

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_datetime
from models.child import Child
from models.user import Role, User
from services.path.child_access import child_access_list
from ui.auth import page_guard
from ui.pagination import paginate

actor = page_guard("access_log")
st.title("Journal des consultations")
st.caption("Chaque ouverture de la fiche d'un enfant, par qui que ce soit, est enregistrée ici.")

left, middle, right = st.columns(3)
code = left.text_input("Code de l'enfant", key="access_log_code", max_chars=text_limit(Child, "code")).strip() or None
login = middle.text_input("Identifiant", key="access_log_login", max_chars=text_limit(User, "username")).strip() or None
period = right.date_input("Période", value=(), format="DD/MM/YYYY", key="access_log_period")
start, end = (tuple(period) + (None, None))[:2] if isinstance(period, tuple) else (period, period)
result = paginate(
    "access_log_page",
    lambda limit, offset: child_access_list(
        actor=actor, child_code=code, staff_login=login, start=start, end=end, limit=limit, offset=offset
    ),
)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Quand": fr_datetime(r.at),
                "Qui": r.staff_name,
                "Identifiant": r.staff_login,
                "Profil": Role.label_of(r.staff_role),
                "Structure": r.structure_name or "",
                "Enfant": r.child_code,
                "Fiche": r.context,
            }
            for r in result.rows
        ],
        columns=["Quand", "Qui", "Identifiant", "Profil", "Structure", "Enfant", "Fiche"],
    ),
    hide_index=True,
    width="stretch",
)
