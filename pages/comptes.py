"""Accounts (coordination): create, attach to a structure, reset a password, deactivate."""

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_datetime
from core.passwords import MAX_BYTES
from models.user import Role, User
from services.admin.login_throttle import login_throttle_clear
from services.admin.users import UserCreate, user_create, user_list, user_reset_password, user_update
from services.directory.referential import departement_options, region_options
from services.directory.structures import structure_options
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.text import md

actor = page_guard("accounts")
st.title("Comptes")

users = cached(user_list, actor=actor)
structures = dict(cached(structure_options, actor=actor))
st.dataframe(
    pd.DataFrame(
        [
            {
                "Identifiant": u.username,
                "Nom": u.display_name,
                "E-mail": u.email,
                "Rôle": Role.label_of(u.role),
                "Structure": u.structure_name or "",
                "Territoire": u.departement_code or u.region_code or "",
                "Actif": u.active,
                "Connexion retardée jusqu'à": fr_datetime(u.locked_until),
                "Dernière connexion": fr_datetime(u.last_login_at),
            }
            for u in users
        ]
    ),
    hide_index=True,
    width="stretch",
)

create_tab, edit_tab = st.tabs(["Nouveau compte", "Modifier un compte"])
with create_tab, st.form("accounts_create", clear_on_submit=False):
    username = st.text_input("Identifiant", key="accounts_new_username", max_chars=text_limit(User, "username"))
    name = st.text_input("Nom affiché", key="accounts_new_name", max_chars=text_limit(User, "display_name"))
    email = st.text_input("E-mail professionnel", key="accounts_new_email", max_chars=text_limit(User, "email"))
    role = st.selectbox("Rôle", list(Role.labels()), format_func=Role.label_of, key="accounts_new_role")
    structure = st.selectbox(
        "Structure (comptes partenaires)",
        [None, *structures],
        format_func=lambda i: "—" if i is None else structures[i],
        key="accounts_new_structure",
    )
    password = st.text_input("Mot de passe initial", type="password", key="accounts_new_password", max_chars=MAX_BYTES)
    if st.form_submit_button("Créer le compte"):
        with handled():
            user_create(
                actor=actor,
                data=UserCreate(
                    username=username,
                    display_name=name,
                    email=email,
                    role=role,
                    password=password,
                    structure_id=structure if role == Role.PARTENAIRE.value else None,
                ),
            )
            st.success(f"Compte « {md(username)} » créé.")

with edit_tab:
    by_id = {u.id: u for u in users}
    chosen = st.selectbox(
        "Compte",
        list(by_id),
        format_func=lambda i: f"{by_id[i].username} — {by_id[i].display_name}",
        key="accounts_edit_user",
    )
    if chosen is not None:
        user = by_id[chosen]
        regions = dict(region_options())
        departements = {o.code: o.label for o in departement_options()}
        with st.form(f"accounts_edit_{user.id}"):
            role = st.selectbox(
                "Rôle", list(Role.labels()), index=list(Role.labels()).index(user.role), format_func=Role.label_of
            )
            ids = [None, *structures]
            structure = st.selectbox(
                "Structure",
                ids,
                index=ids.index(user.structure_id) if user.structure_id in ids else 0,
                format_func=lambda i: "—" if i is None else structures[i],
            )
            region = st.selectbox(
                "Région (financeur limité à une région)",
                [None, *regions],
                format_func=lambda c: "Toutes" if c is None else regions[c],
            )
            departement = st.selectbox(
                "Département (financeur limité à un département)",
                [None, *departements],
                format_func=lambda c: "Tous" if c is None else departements[c],
            )
            active = st.checkbox("Compte actif", value=user.active)
            if st.form_submit_button("Enregistrer"):
                with handled():
                    user_update(
                        actor=actor,
                        user_id=user.id,
                        expected_version=user.version,
                        role=role,
                        structure_id=structure,
                        active=active,
                        region_code=region,
                        departement_code=departement,
                    )
                    st.success("Compte mis à jour.")
        with st.form(f"accounts_password_{user.id}", clear_on_submit=True):
            new_password = st.text_input("Nouveau mot de passe", type="password", max_chars=MAX_BYTES)
            if st.form_submit_button("Réinitialiser le mot de passe et débloquer"):
                with handled():
                    user_reset_password(actor=actor, user_id=user.id, new_password=new_password)
                    st.success("Mot de passe réinitialisé ; le compte est débloqué.")
        if user.locked_until is not None:
            st.caption(
                "Après plusieurs échecs de connexion, les essais sous cet identifiant sont retardés depuis "
                "l'adresse qui a échoué ; les autres adresses ne le sont pas."
            )
            if st.button("Lever le délai de connexion", key=f"accounts_unlock_{user.id}"):
                with handled():
                    login_throttle_clear(actor=actor, username=user.username)
                    st.success("Délai levé : le compte peut se connecter de nouveau.")
