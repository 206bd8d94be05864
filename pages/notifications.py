"""Notifications: one's own list (unread first counted), mail preferences; coordination: mail, on-call, places."""

import streamlit as st

from core.formatting import fr_datetime, fr_number
from services.alerts.inbox import (
    notification_list,
    notification_mark_read,
    notification_unread_count,
    outbox_recent,
    outbox_state,
    preference_set,
    preferences_get,
)
from services.alerts.places import THRESHOLD_MAX, region_places, region_threshold_set
from services.alerts.settings import EMAIL_MAX, ON_CALL_MAX, on_call_emails, on_call_set
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import fr_number_input, refuse_unreadable
from ui.text import md, show_text

actor = page_guard("notifications")
st.title("Notifications")

unread = notification_unread_count(actor=actor)
st.caption(f"{fr_number(unread)} notification(s) non lue(s)")
items = notification_list(actor=actor)
if not items:
    st.info("Aucune notification pour le moment.")
with st.container(key="notifications_list"):
    for item in items:
        due = f" — échéance : {fr_datetime(item.due_at)}" if item.due_at else ""  # no user text
        marker = "" if item.read else "🔴 "
        st.markdown(f"{marker}**{item.subject}**  \n{fr_datetime(item.created_at)}{due}")
if unread and st.button("Tout marquer comme lu", key="notifications_read"):
    with handled():
        notification_mark_read(actor=actor)
        st.rerun()

prefs = preferences_get(actor=actor)
if prefs:
    st.subheader("Recevoir par courriel")
    st.caption(
        "Décochez ce que vous préférez ne lire que dans l'application. Les adresses d'astreinte "
        "reçoivent toujours les signalements « danger immédiat »."
    )
    for pref in prefs:
        chosen = st.checkbox(pref.label, value=pref.by_mail, key=f"pref_{pref.kind}")
        if chosen != pref.by_mail:
            with handled():
                preference_set(actor=actor, kind=pref.kind, by_mail=chosen, expected_version=pref.version)
                st.rerun()

if actor.is_coordination:
    state = outbox_state(actor=actor)
    st.subheader("Envoi des courriels")
    if not state.mail_configured:
        st.warning(
            "L'envoi des courriels n'est pas configuré (ANCRAGE_SMTP_HOST) : les messages restent dans "
            "la boîte d'envoi ci-dessous et ne sont pas envoyés."
        )
    st.write(
        f"En attente d'envoi : **{fr_number(state.waiting)}** (dont {fr_number(state.failing)} après un échec) — "
        f"envoyés : **{fr_number(state.sent)}**"
    )
    if state.last_error:
        st.error("Dernière erreur d'envoi :")
        show_text(state.last_error)
    with st.expander("Derniers messages de la boîte d'envoi", expanded=not state.mail_configured):
        for message in outbox_recent(actor=actor):
            status = f"envoyé le {fr_datetime(message['sent_at'])}" if message["sent_at"] else "en attente"
            st.markdown(f"**À** {md(message['to'])} — {md(status)}")
            show_text(message["subject"] + "\n" + message["body"])

    st.subheader("Adresses d'astreinte")
    with st.form("on_call_form"):
        text = st.text_area(
            f"Une adresse par ligne (au plus {ON_CALL_MAX})",
            value="\n".join(on_call_emails()),
            max_chars=ON_CALL_MAX * (EMAIL_MAX + 1),
            key="on_call_emails",
        )
        if st.form_submit_button("Enregistrer les adresses"):
            with handled():
                on_call_set(actor=actor, emails=text.splitlines())
                st.success("Adresses d'astreinte enregistrées.")

    st.subheader("Places libres par région")
    st.caption("Sous le seuil, l'accueil le signale et la coordination reçoit une notification.")
    regions = cached(region_places, actor=actor)
    st.dataframe(
        [
            {
                "Région": r.region_name,
                "Places libres déclarées": "—" if r.free_places is None else fr_number(r.free_places),
                "Seuil": "—" if r.threshold is None else fr_number(r.threshold),
                "Sous le seuil": "oui" if r.low else "",
            }
            for r in regions
        ],
        hide_index=True,
    )
    with st.form("threshold_form"):
        by_name = {r.region_name: r for r in regions}
        name = st.selectbox("Région", list(by_name), key="threshold_region")
        value = fr_number_input(
            "Seuil (0 pour l'effacer)",
            integer=True,
            min_value=0,
            max_value=THRESHOLD_MAX,
            value=0,
            key="threshold_value",
        )
        if st.form_submit_button("Enregistrer le seuil") and name:
            region = by_name[name]
            with handled():
                refuse_unreadable(value)
                region_threshold_set(
                    actor=actor,
                    region_code=region.region_code,
                    min_free_places=int(value or 0) or None,  # type: ignore[arg-type]
                    expected_version=region.version,
                )
                st.success("Seuil enregistré.")
