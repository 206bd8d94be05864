"""What a page shows while the database does not answer: a French notice that retries by itself."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

import streamlit as st

from core.db import database_answers
from ui.streamlit_internals import fragment_run

RETRY_SECONDS = 5
KEPT_VALUES = "outage_kept_values"
DATABASE_DOWN = (
    "La base de données ne répond pas pour le moment (arrêtée, en cours de redémarrage ou "
    f"trop occupée). La page réessaie d'elle-même toutes les {RETRY_SECONDS} secondes et "
    "reprendra dès son retour."
)
UNEXPECTED_ERROR = (
    "Une erreur inattendue est survenue et la page n'a pas pu s'afficher. Rien de ce qui n'avait pas "
    "été confirmé comme enregistré ne l'a été. Rechargez la page ; si l'erreur revient, prévenez la "
    "coordination nationale en indiquant la page et l'heure."
)
WRITE_NOT_SAVED = (
    "La base de données ne répond pas : rien n'a été enregistré. Votre saisie est conservée ; "
    "enregistrez de nouveau dans un instant."
)


def outage_notice() -> None:
    """The notice, a timer that reruns the whole app as soon as the database answers again, and the end
    of this run (a page whose read failed draws nothing more); what the fields held is set aside first.
    """
    keep_typed_values()
    st.title("Ancrage")
    st.error(DATABASE_DOWN, icon=":material/cloud_off:")
    _wait_for_database()
    st.stop()


def unexpected_error(error: Exception) -> None:
    """A French message in place of Streamlit's English error screen; the details go to the server log."""
    logging.getLogger("ancrage").error("Unexpected error while drawing a page", exc_info=error)
    st.error(UNEXPECTED_ERROR, icon=":material/error:")


def keep_typed_values() -> None:
    """Set aside what the page's fields hold: while the page is not drawn, Streamlit forgets the value
    of its fields (the timer's runs drop them). `restore_typed_values` puts them back. Buttons, check
    boxes and uploads (booleans, files) are left alone: Streamlit refuses a session value for a button."""
    if not st.session_state.get("authentication_status"):
        return  # the log-in form: nothing worth keeping, and a password is not kept
    kept = st.session_state.get(KEPT_VALUES, {})
    for key in list(st.session_state.keys()):
        if key != KEPT_VALUES and _typed(value := st.session_state[key]):
            kept[key] = value
    st.session_state[KEPT_VALUES] = kept


def restore_typed_values() -> None:
    """Once the database answers again, before the page draws its fields: give them back their values."""
    for key, value in st.session_state.pop(KEPT_VALUES, {}).items():
        st.session_state[key] = value


def _typed(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_typed(v) for v in value)
    return isinstance(value, (str, int, float, date, time, datetime))


@st.fragment(run_every=RETRY_SECONDS)
def _wait_for_database() -> None:
    timed_run = fragment_run()
    # Only the timer's runs test the database: the app's own run has just seen it fail.
    if timed_run and database_answers():
        st.rerun(scope="app")
