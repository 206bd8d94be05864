"""The session and module forms shared by the training pages (widgets only, no rules)."""

from __future__ import annotations

import streamlit as st

from core.bounds import text_limit
from core.clock import paris_today
from core.formatting import fr_number
from models.training import SessionStatus, TrainingFormat, TrainingModule, TrainingProfile, TrainingSession
from services.directory.referential import departement_options
from services.training.modules import ModuleData, ModulePublic, fr_hours
from services.training.sessions import SessionData, SessionDetail
from ui.feedback import handled
from ui.inputs import fr_number_input, refuse_unreadable

REMOTE = "__distance__"
PROFILES = list(TrainingProfile)


def place_options() -> tuple[list[str], dict[str, str]]:
    labels = {REMOTE: "À distance"}
    labels.update({o.code: o.label for o in departement_options()})
    return list(labels), labels


def module_picker(modules: list[ModulePublic], *, key: str, current: int | None = None) -> ModulePublic | None:
    """A module select box placed outside the form, so the form can show its duration range."""
    if not modules:
        st.info("Le catalogue est vide : ajoutez d'abord un module (page « Catalogue et plan »).")
        return None
    by_id = {m.id: m for m in modules}
    ids = list(by_id)
    index = ids.index(current) if current in by_id else 0
    chosen = st.selectbox(
        "Module",
        ids,
        index=index,
        key=key,
        format_func=lambda i: by_id[i].title + ("" if by_id[i].active else " (retiré du catalogue)"),
    )
    module = by_id[chosen]
    st.caption(
        f"Durée prévue : {module.duration_label} — {TrainingFormat.label_of(module.format)} — profils visés : "
        + ", ".join(TrainingProfile.label_of(p) for p in module.target_profiles)
    )
    return module


def session_form(
    *,
    key: str,
    module: ModulePublic,
    structures: dict[int, str],
    initial: SessionDetail | None = None,
    submit_label: str = "Enregistrer la session",
) -> SessionData | None:
    """The fields of a session; returns what was typed when submitted (kept on refusal)."""
    today = paris_today()
    places, place_labels = place_options()
    with st.form(key, clear_on_submit=False):
        left, right = st.columns(2)
        start = left.date_input("Date de début", value=initial.start_date if initial else today, format="DD/MM/YYYY")
        end = right.date_input("Date de fin", value=initial.end_date if initial else today, format="DD/MM/YYYY")
        organisation = left.text_input(
            "Organisme formateur",
            value=initial.trainer_organisation if initial else "",
            max_chars=text_limit(TrainingSession, "trainer_organisation"),
        )
        trainer = right.text_input(
            "Formateur ou formatrice (nom, facultatif)",
            value=(initial.trainer_name or "") if initial else "",
            max_chars=text_limit(TrainingSession, "trainer_name"),
        )
        if initial:
            place_value = REMOTE if initial.remote else initial.departement_code
        else:
            place_value = REMOTE if module.format == TrainingFormat.REMOTE.value else places[1]
        place = left.selectbox(
            "Lieu",
            places,
            index=places.index(place_value) if place_value in places else 0,
            format_func=place_labels.get,
        )
        hours = fr_number_input(
            f"Heures de formation (module : {fr_hours(module.duration_min_hours)} à {fr_hours(module.duration_max_hours)} h)",
            min_value=0,
            max_value=500,
            value=float(initial.hours) if initial and initial.hours is not None else float(module.duration_max_hours),
            key=f"{key}_hours_{module.id}",  # another module: its own default hours
            where=right,
        )
        statuses = list(SessionStatus.labels())
        status = st.radio(
            "Statut",
            statuses,
            index=statuses.index(initial.status) if initial else 0,
            format_func=SessionStatus.label_of,
            horizontal=True,
        )
        chosen_structures = st.multiselect(
            "Structures partenaires dont des professionnels ont participé",
            list(structures),
            default=[s for s in (initial.structure_ids if initial else []) if s in structures],
            format_func=lambda i: structures[i],
            placeholder="Choisir une ou plusieurs structures",
        )
        st.markdown("**Participants par profil** (pour une session réalisée : au moins un)")
        columns = st.columns(4)
        participants = {}
        for index, profile in enumerate(PROFILES):
            participants[profile.value] = fr_number_input(
                profile.label,
                integer=True,
                min_value=0,
                max_value=500,
                value=int((initial.participants if initial else {}).get(profile.value, 0)),
                key=f"{key}_profile_{profile.value}",
                where=columns[index % 4],
            )
        st.markdown("**Évaluation** (une fois la session réalisée)")
        left, right = st.columns([1, 3])
        satisfaction = left.selectbox(
            "Satisfaction (1 à 5)",
            [None, 1, 2, 3, 4, 5],
            index=[None, 1, 2, 3, 4, 5].index(initial.satisfaction) if initial else 0,
            format_func=lambda v: "—" if v is None else f"{v} / 5",
        )
        comment = right.text_area(
            "Commentaire d'évaluation",
            value=(initial.evaluation_comment or "") if initial else "",
            max_chars=text_limit(TrainingSession, "evaluation_comment"),
            height=80,
        )
        if not st.form_submit_button(submit_label, type="primary"):
            return None
    if _refused(hours, *participants.values()):
        return None
    return SessionData(
        module_id=module.id,
        start_date=start,
        end_date=end,
        trainer_organisation=organisation,
        trainer_name=trainer or None,
        remote=place == REMOTE,
        departement_code=None if place == REMOTE else place,
        hours=hours,
        status=status,
        participants={p: n for p, n in participants.items() if n},
        structure_ids=chosen_structures,
        satisfaction=satisfaction,
        evaluation_comment=comment or None,
    )


def _refused(*numbers: object) -> bool:
    """Whether a number field holds an unreadable text (then said at the top of what follows the form)."""
    with handled():
        refuse_unreadable(*numbers)
        return False
    return True


def participants_summary(participants: dict[str, int]) -> str:
    total = sum(participants.values())
    detail = ", ".join(f"{TrainingProfile.label_of(p)} {fr_number(n)}" for p, n in participants.items())
    return f"{fr_number(total)} participant{'s' if total > 1 else ''}" + (f" ({detail})" if detail else "")


def module_form(
    *,
    key: str,
    modules: list[ModulePublic],
    initial: ModulePublic | None = None,
    submit_label: str = "Enregistrer le module",
) -> ModuleData | None:
    """The fields of a catalogue module; returns what was typed when submitted."""
    others = {m.id: m.title for m in modules if initial is None or m.id != initial.id}
    formats = list(TrainingFormat.labels())
    with st.form(key, clear_on_submit=False):
        title = st.text_input(
            "Intitulé", value=initial.title if initial else "", max_chars=text_limit(TrainingModule, "title")
        )
        objectives = st.text_area(
            "Objectifs pédagogiques",
            value=initial.objectives if initial else "",
            height=110,
            max_chars=text_limit(TrainingModule, "objectives"),
        )
        profiles = st.multiselect(
            "Profils visés",
            [p.value for p in PROFILES],
            format_func=TrainingProfile.label_of,
            default=initial.target_profiles if initial else [],
            placeholder="Choisir",
        )
        a, b, c = st.columns(3)
        low = fr_number_input(
            "Durée minimale (heures)",
            min_value=0,
            max_value=200,
            required=True,
            value=float(initial.duration_min_hours) if initial else 7.0,
            key=f"{key}_duration_min",
            where=a,
        )
        high = fr_number_input(
            "Durée maximale (heures)",
            min_value=0,
            max_value=200,
            required=True,
            value=float(initial.duration_max_hours) if initial else 7.0,
            key=f"{key}_duration_max",
            where=b,
        )
        fmt = c.selectbox(
            "Format",
            formats,
            index=formats.index(initial.format) if initial else 0,
            format_func=TrainingFormat.label_of,
        )
        prerequisites = st.multiselect(
            "Modules prérequis",
            list(others),
            format_func=lambda i: others[i],
            default=[p for p in (initial.prerequisite_ids if initial else []) if p in others],
            placeholder="Aucun",
        )
        active = st.checkbox("Proposé au catalogue", value=initial.active if initial else True)
        if not st.form_submit_button(submit_label, type="primary"):
            return None
    if _refused(low, high):
        return None
    return ModuleData(
        title=title,
        objectives=objectives,
        target_profiles=profiles,
        duration_min_hours=low,
        duration_max_hours=high,
        format=fmt,
        prerequisite_ids=prerequisites,
        active=active,
    )
