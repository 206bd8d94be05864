"""Referrer services (police, gendarmerie, ASE/CRIP, PJJ, hospitals, schools): their accounts and the on-call phone."""

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_number
from core.passwords import MAX_BYTES
from models.outreach import ReferrerKind
from models.user import User
from services.directory.referential import departement_options
from services.referrers.accounts import (
    NAME_MAX,
    referrer_account_create,
    referrer_service_create,
    referrer_service_list,
)
from services.referrers.requests import ON_CALL_MAX, on_call_phone, on_call_phone_set
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import departement_select
from ui.text import md

actor = page_guard("referrer_services")
st.title("Services orienteurs")
st.caption(
    "Un service orienteur envoie ses sollicitations depuis ses propres comptes ; il suit l'état de ses "
    "sollicitations sans jamais voir la structure d'accueil ni son lieu."
)
departements = {o.code: o.label for o in departement_options()}
services = cached(referrer_service_list, actor=actor)

if services:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Service": s.name,
                    "Type": ReferrerKind.label_of(s.kind),
                    "Département": departements.get(s.departement_code, s.departement_code),
                    "Comptes": fr_number(s.accounts),
                    "Sollicitations envoyées": fr_number(s.requests),
                }
                for s in services
            ]
        ),
        hide_index=True,
        key="referrer_services_table",
    )
else:
    st.info("Aucun service orienteur.")

with st.form("referrer_phone"):
    phone = st.text_input(
        "Téléphone d'astreinte de la coordination (imprimé sur chaque accusé de réception)",
        value=cached(on_call_phone, actor=actor) or "",
        max_chars=ON_CALL_MAX,
        key="referrer_phone",
    )
    if st.form_submit_button("Enregistrer le téléphone"):
        with handled():
            on_call_phone_set(actor=actor, phone=phone)
            st.success("Téléphone d'astreinte enregistré.")

service_tab, account_tab = st.tabs(["Nouveau service", "Nouveau compte"])
with service_tab, st.form("referrer_service_new", clear_on_submit=True):
    name = st.text_input("Nom du service", max_chars=NAME_MAX, key="referrer_service_name")
    left, right = st.columns(2)
    kind = left.selectbox(
        "Type de service", list(ReferrerKind.labels()), format_func=ReferrerKind.label_of, key="referrer_service_kind"
    )
    departement = departement_select("Département", key="referrer_service_departement", where=right)
    if st.form_submit_button("Créer le service", type="primary"):
        with handled():
            created = referrer_service_create(actor=actor, name=name, kind=kind, departement_code=departement or "")
            st.success(f"Service créé : {md(created.name)}.")
with account_tab:
    if not services:
        st.info("Créez d'abord le service.")
    else:
        by_id = {s.id: s for s in services}
        with st.form("referrer_account_new", clear_on_submit=True):
            service_id = st.selectbox(
                "Service", list(by_id), format_func=lambda i: by_id[i].name, key="referrer_account_service"
            )
            left, right = st.columns(2)
            username = left.text_input(
                "Identifiant", max_chars=text_limit(User, "username"), key="referrer_account_username"
            )
            display_name = right.text_input(
                "Nom affiché", max_chars=text_limit(User, "display_name"), key="referrer_account_display"
            )
            email = left.text_input("E-mail", max_chars=text_limit(User, "email"), key="referrer_account_email")
            password = right.text_input(
                "Mot de passe initial", type="password", max_chars=MAX_BYTES, key="referrer_account_password"
            )
            if st.form_submit_button("Créer le compte", type="primary"):
                with handled():
                    user = referrer_account_create(
                        actor=actor,
                        service_id=service_id,
                        username=username,
                        display_name=display_name,
                        email=email,
                        password=password,
                    )
                    st.success(f"Compte orienteur créé : {md(user.username)}.")
