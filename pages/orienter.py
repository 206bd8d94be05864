"""Referrer accounts: send a request in a short form, get a receipt, follow the service's requests."""

import pandas as pd
import streamlit as st

from core.formatting import fr_date, fr_datetime
from models.child import NationalityGroup, RiskFlag
from models.structure import ExploitationForm, Sex
from services.referrers.requests import ReferralForm, referral_list, referral_send
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import departement_select, fr_number_input, refuse_unreadable
from ui.text import md

actor = page_guard("referrer_send")
st.title("Orienter un enfant")
RECEIPT = "orienter_receipt"

if receipt := st.session_state.get(RECEIPT):
    phone = receipt["phone"] or "celui de la coordination nationale"
    st.success(
        f"Sollicitation n° **{receipt['number']}** reçue le {receipt['at']}. La coordination nationale cherche "
        f"une place adaptée. En cas d'urgence, téléphone d'astreinte : **{md(phone)}**."
    )

generation = st.session_state.setdefault("orienter_generation", 0)
with st.form(f"orienter_new_{generation}"):
    st.caption("Aucun nom, aucune date de naissance : la coordination attribue un code à l'enfant.")
    left, right = st.columns(2)
    age = fr_number_input("Âge (années)", integer=True, min_value=0, max_value=99, key="orienter_age", where=left)
    sex = right.selectbox(
        "Sexe", [None, *Sex.labels()], format_func=lambda v: "—" if v is None else Sex.label_of(v), key="orienter_sex"
    )
    nationality = left.selectbox(
        "Groupe de nationalité",
        [None, *NationalityGroup.labels()],
        format_func=lambda v: "Inconnu" if v is None else NationalityGroup.label_of(v),
        key="orienter_nationality",
    )
    departement = departement_select("Département où l'exploitation a eu lieu", key="orienter_departement", where=right)
    forms = st.multiselect(
        "Formes d'exploitation",
        list(ExploitationForm.labels()),
        format_func=ExploitationForm.label_of,
        placeholder="Choisir…",
        key="orienter_forms",
    )
    risks = st.multiselect(
        "Évaluation du risque",
        list(RiskFlag.labels()),
        format_func=RiskFlag.label_of,
        placeholder="Aucun critère",
        key="orienter_risks",
    )
    if st.form_submit_button("Envoyer la sollicitation", type="primary"):
        saved = False
        with handled():
            refuse_unreadable(age)
            sent = referral_send(
                actor=actor,
                form=ReferralForm(
                    child_age=int(age) if age is not None else None,  # type: ignore[arg-type]
                    sex=sex,
                    nationality_group=nationality,
                    exploitation_forms=forms,
                    exploitation_departement_code=departement,
                    risk_flags=risks,
                ),
            )
            st.session_state[RECEIPT] = {
                "number": sent.request_number,
                "at": fr_datetime(sent.received_at),
                "phone": sent.on_call_phone,
            }
            st.session_state["orienter_generation"] = generation + 1
            saved = True

        if saved:  # after the block: the caches are refreshed first
            st.rerun()
st.subheader("Sollicitations envoyées par votre service")
rows = None
with handled():
    rows = cached(referral_list, actor=actor)
if rows:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "N°": str(r.request_number),
                    "Reçue le": fr_date(r.received_on),
                    "Âge": r.child_age,
                    "Sexe": Sex.label_of(r.sex),
                    "État": r.status,
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key="orienter_table",
    )
elif rows is not None:
    st.info("Votre service n'a encore envoyé aucune sollicitation.")
