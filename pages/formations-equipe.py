"""The team's trainings (partner staff): history, modules still to follow, network-wide totals."""

from datetime import date

import pandas as pd
import streamlit as st

from core.clock import paris_today
from core.formatting import fr_date, fr_number, fr_percent
from models.training import SessionStatus, TrainingFormat, TrainingProfile
from services.directory.structures import structure_get
from services.training.indicators import training_structure_coverage, training_totals
from services.training.modules import fr_hours
from services.training.team import training_team_history, training_team_modules
from ui.auth import page_guard
from ui.cache import cached
from ui.text import md, show_text

actor = page_guard("team_trainings")
structure = cached(structure_get, actor=actor, structure_id=actor.structure_id)
st.title("Formations de l'équipe")
st.caption(structure.name)

history = cached(training_team_history, actor=actor)
modules = cached(training_team_modules, actor=actor)
missing = [m for m in modules if m.missing]
registered = {h.module_id for h in history if h.status == SessionStatus.PLANNED.value and h.start_date >= paris_today()}
delivered = [h for h in history if h.status == SessionStatus.DELIVERED.value]
a, b, c = st.columns(3)
a.metric("Sessions suivies", fr_number(len(delivered)))
b.metric("Modules suivis", f"{fr_number(len(modules) - len(missing))} sur {fr_number(len(modules))}")
c.metric("Modules à suivre", fr_number(len(missing)))

st.subheader("Modules que l'équipe n'a pas encore suivis")
if not missing:
    st.success("Votre équipe a suivi tous les modules du catalogue.")
for module in sorted(missing, key=lambda m: (not m.prerequisites_met, m.title)):
    with st.container(border=True):
        st.markdown(f"**{md(module.title)}** — {TrainingFormat.label_of(module.format)}, {module.duration_label}")
        show_text(module.objectives)
        st.caption("Profils visés : " + ", ".join(TrainingProfile.label_of(p) for p in module.target_profiles))
        if module.prerequisite_titles:
            lead = "Prérequis déjà suivis" if module.prerequisites_met else "Prérequis à suivre d'abord"
            st.caption(f"{lead} : " + ", ".join(md(t) for t in module.prerequisite_titles))
        if module.next_session_date:
            st.caption(
                f"Prochaine session du réseau : le {fr_date(module.next_session_date)} ({md(module.next_session_place)})"
                + (" — votre équipe est inscrite à une session de ce module." if module.module_id in registered else "")
            )
        else:
            st.caption("Pas de session programmée pour l'instant : signalez votre intérêt à la coordination.")

st.subheader("Historique des formations de l'équipe")
if not history:
    st.info("Aucune session enregistrée pour votre structure.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Début": fr_date(h.start_date),
                    "Fin": fr_date(h.end_date),
                    "Module": h.module_title,
                    "Lieu": h.place,
                    "Heures": fr_hours(h.hours),
                    "Organisme formateur": h.trainer_organisation,
                    "Statut": SessionStatus.label_of(h.status),
                }
                for h in history
            ]
        ),
        hide_index=True,
        width="stretch",
    )

followed = [m for m in modules if not m.missing]
if followed:
    with st.expander("Modules déjà suivis"):
        st.dataframe(
            pd.DataFrame(
                [
                    {"Module": m.title, "Sessions suivies": m.followed_sessions, "Dernière": fr_date(m.last_followed)}
                    for m in followed
                ]
            ),
            hide_index=True,
            width="stretch",
        )

st.subheader("Dans l'ensemble du réseau")
today = paris_today()
totals = cached(training_totals, actor=actor, start=date(today.year, 1, 1), end=today)
coverage = cached(training_structure_coverage, actor=actor, as_of=today)
a, b, c = st.columns(3)
a.metric(f"Professionnels formés en {today.year}", fr_number(totals.participants))
b.metric(f"Sessions réalisées en {today.year}", fr_number(totals.sessions))
c.metric("Structures actives formées (12 mois)", fr_percent(coverage.share))
st.caption("Totaux du réseau : aucune autre structure n'est nommée.")
