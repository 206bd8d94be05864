"""The weekly entry screen: state banner, the one-screen grid of figures, and the coordination's review.

What the person had on screen when the week was opened (its version and values) is kept in the
session, so a save over someone else's is refused with what they changed (services.weekly.reports).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.access import Action, Actor, can
from core.bounds import text_limit
from core.errors import ConcurrentEdit, ValidationFailed
from core.formatting import fr_datetime
from core.numbers import NUMBER_CHARS, fr_input
from models.weekly import ReportStatus, WeeklyReport, WeeklyValue
from services.weekly.reports import EntryRow, WeekEntry, weekly_approve, weekly_save, weekly_send_back, weekly_unlock
from services.weekly.schedule import WeekState
from services.weekly.validation import UnusualValues, fr_value
from services.weekly.weeks import fr_deadline
from ui.cache import invalidate
from ui.feedback import handled
from ui.text import md

BASE, UNUSUAL, FLASH, GENERATION = "weekly_entry_base", "weekly_entry_unusual", "weekly_entry_flash", "weekly_entry_gen"
FAULTS = "weekly_entry_faults"


def week_key(structure_id: int, week_start: date) -> str:
    return f"{structure_id}_{week_start.isoformat()}_{st.session_state.get(GENERATION, 0)}"


def remember_base(entry: WeekEntry, *, force: bool = False) -> dict:
    """The version and values this screen started from (kept until saved or reloaded)."""
    key = week_key(entry.structure_id, entry.week_start)
    base = st.session_state.get(BASE)
    if force or not base or base["key"] != key:
        base = {"key": key, "version": entry.version, "seen": entry.seen()}
        st.session_state[BASE] = base
    return base


def reload_week() -> None:
    """Forget what was typed and re-read the week from the database."""
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    st.session_state.pop(BASE, None)
    st.session_state.pop(UNUSUAL, None)
    st.session_state.pop(FAULTS, None)


def state_banner(entry: WeekEntry) -> None:
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    deadline = fr_deadline(entry.deadline)
    if entry.state == WeekState.DUE:
        st.info(f"À envoyer avant le {deadline}.")
    elif entry.state == WeekState.DRAFT:
        st.info(f"Brouillon enregistré, pas encore envoyé : à envoyer avant le {deadline}.")
    elif entry.state == WeekState.OVERDUE:
        st.error(
            f"En retard : ces chiffres étaient attendus le {deadline}."
            + (" Un brouillon est enregistré." if entry.status == ReportStatus.DRAFT.value else "")
        )
    elif entry.state == WeekState.SENT_BACK:
        st.warning(
            f"Renvoyé par la coordination le {fr_datetime(entry.reviewed_at)} : « {md(entry.sent_back_reason)} ». "
            "Corrigez puis envoyez à nouveau."
        )
    else:
        timing = "en retard" if entry.submitted_late else "à l'heure"
        approved = " Validé par la coordination." if entry.state == WeekState.APPROVED else ""
        st.success(
            f"Envoyé le {fr_datetime(entry.first_submitted_at)} ({timing}), dernière mise à jour par "
            f"{md(entry.updated_by)} le {fr_datetime(entry.submitted_at)}.{approved}"
        )
    if entry.locked:
        st.caption("Semaine verrouillée : seule la coordination peut la rouvrir.")
    elif entry.unlocked and entry.unlock_reason:
        st.caption(f"Rouverte par la coordination : « {md(entry.unlock_reason)} ».")


def entry_form(actor: Actor, entry: WeekEntry) -> None:
    """All the week's figures in one form, one card per element (value typed the French way, last
    week's value, comment); faults shown next to their field and listed at the top; draft or submit."""
    base = remember_base(entry)
    key = base["key"]
    disabled = not entry.editable
    faults = _faults(key)
    with st.form(f"weekly_entry_form_{key}", clear_on_submit=False, border=False):
        if faults:
            st.error(_summary(faults))
        typed, comments = {}, {}
        for row in entry.rows:
            typed[row.code], comments[row.code] = _card(row, key, disabled, faults.get(row.label, []))
        pending = st.session_state.get(UNUSUAL)
        confirm = False
        if pending and pending["key"] == key:
            st.warning(pending["message"])
            confirm = st.checkbox("Je confirme ces valeurs inhabituelles", key=f"weekly_entry_confirm_{key}")
        st.caption("« requis » : valeur requise pour l'envoi ; si elle manque, dites pourquoi en commentaire.")
        buttons = st.columns([1, 1, 2])
        draft_allowed = entry.status in (None, ReportStatus.DRAFT.value, ReportStatus.SENT_BACK.value)
        send = buttons[0].form_submit_button(
            "Envoyer à la coordination", type="primary", disabled=disabled, width="stretch"
        )
        draft = buttons[1].form_submit_button(
            "Enregistrer le brouillon", disabled=disabled or not draft_allowed, width="stretch"
        )
    if send or draft:
        _save(actor, entry, base, typed, comments, submit=bool(send), confirm=confirm)
    if st.session_state.get("weekly_entry_conflict") == key:
        st.button(
            "Recharger les chiffres enregistrés (abandonner ma saisie)",
            key=f"weekly_entry_reload_{key}",
            on_click=reload_week,
        )


def _card(row: EntryRow, key: str, disabled: bool, faults: list[str]) -> tuple[str, str]:
    """One element: its field and last week's value, then its comment; its faults right below."""
    with st.container(border=True, key=f"weekly_card_{row.element_id}"):
        field, note = st.columns([2, 3])
        value = field.text_input(
            row.label,
            value=fr_input(row.value),
            disabled=disabled,
            key=f"weekly_entry_value_{key}_{row.element_id}",
            placeholder="à saisir",
            help=md(row.help_text) or None,
            max_chars=NUMBER_CHARS,
        )
        previous = fr_value(row.previous_value) if row.previous_value is not None else "non saisie"
        field.caption(f"Semaine précédente : {previous}" + (" · requis" if row.required else ""))
        comment = note.text_input(
            f"Commentaire ({row.label})",
            value=row.comment or "",
            disabled=disabled,
            key=f"weekly_entry_comment_{key}_{row.element_id}",
            max_chars=text_limit(WeeklyValue, "comment"),
        )
        for message in faults:
            st.markdown(f":red[**{md(row.label)} : {md(message)}**]")
    return value, comment


def _faults(key: str) -> dict[str, list[str]]:
    """The faults of the last refused save of this week, by field."""
    kept = st.session_state.get(FAULTS)
    if not kept or kept["key"] != key:
        return {}
    grouped: dict[str, list[str]] = {}
    for field, message in kept["faults"]:
        grouped.setdefault(field, []).append(message)
    return grouped


def _summary(faults: dict[str, list[str]]) -> str:
    lines = [f"- {md(field)} : {md(message)}" for field, messages in faults.items() for message in messages]
    return "Rien n'a été enregistré. Corrigez :\n\n" + "\n".join(lines)


def _save(actor, entry, base, typed, comments, *, submit: bool, confirm: bool) -> None:
    with handled():
        try:
            saved = weekly_save(
                actor=actor,
                structure_id=entry.structure_id,
                week_start=entry.week_start,
                values=typed,
                comments=comments,
                expected_version=base["version"],
                seen=base["seen"],
                submit=submit,
                confirm_unusual=confirm,
            )
        except ValidationFailed as error:
            st.session_state[FAULTS] = {"key": base["key"], "faults": [(e.field, e.message) for e in error.errors]}
            st.session_state.pop(UNUSUAL, None)
            st.rerun()
        except UnusualValues as error:
            st.session_state.pop(FAULTS, None)
            st.session_state[UNUSUAL] = {"key": base["key"], "message": error.message}
            st.rerun()
        except ConcurrentEdit:
            st.session_state["weekly_entry_conflict"] = base["key"]
            raise
        st.session_state.pop(UNUSUAL, None)
        st.session_state.pop(FAULTS, None)
        st.session_state.pop("weekly_entry_conflict", None)
        remember_base(saved, force=True)
        st.session_state[FLASH] = (
            "Chiffres envoyés à la coordination." if submit else "Brouillon enregistré (pas encore envoyé)."
        )
        invalidate()  # st.rerun() leaves `handled` early: refresh cached reads (charts, home) here
        st.rerun()


def review_panel(actor: Actor, entry: WeekEntry) -> None:
    """The coordination's actions on a structure-week: approve, send back with a reason, unlock."""
    if not can(actor, Action.WEEKLY_REVIEW):
        return
    with st.expander("Revue par la coordination", expanded=entry.locked and entry.state != WeekState.APPROVED):
        key = week_key(entry.structure_id, entry.week_start)
        if entry.status == ReportStatus.SUBMITTED.value:
            if st.button("Valider ces chiffres", key=f"weekly_review_approve_{key}"):
                with handled():
                    weekly_approve(
                        actor=actor,
                        structure_id=entry.structure_id,
                        week_start=entry.week_start,
                        expected_version=entry.version,
                    )
                    _after_review("Chiffres validés.")
        if entry.status in (ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value):
            with st.form(f"weekly_review_send_back_{key}", clear_on_submit=False):
                reason = st.text_area(
                    "Motif du renvoi (visible par la structure)",
                    key=f"weekly_review_reason_{key}",
                    max_chars=text_limit(WeeklyReport, "sent_back_reason"),
                )
                if st.form_submit_button("Renvoyer pour correction"):
                    with handled():
                        weekly_send_back(
                            actor=actor,
                            structure_id=entry.structure_id,
                            week_start=entry.week_start,
                            reason=reason,
                            expected_version=entry.version,
                        )
                        _after_review("Chiffres renvoyés à la structure.")
        if entry.locked:
            with st.form(f"weekly_review_unlock_{key}", clear_on_submit=False):
                reason = st.text_input(
                    "Motif de la réouverture (journalisé)",
                    key=f"weekly_review_unlock_reason_{key}",
                    max_chars=text_limit(WeeklyReport, "unlock_reason"),
                )
                if st.form_submit_button("Rouvrir la semaine"):
                    with handled():
                        weekly_unlock(
                            actor=actor,
                            structure_id=entry.structure_id,
                            week_start=entry.week_start,
                            reason=reason,
                            expected_version=entry.version,
                        )
                        _after_review("Semaine rouverte : elle peut être corrigée puis envoyée.")
        if entry.status is None and not entry.locked:
            st.caption("Rien à revoir : aucun chiffre enregistré pour cette semaine.")


def _after_review(message: str) -> None:
    reload_week()
    st.session_state[FLASH] = message
    invalidate()
    st.rerun()
