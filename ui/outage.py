"""What a page shows while the database does not answer: a French notice that retries by itself."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.db import database_answers

RETRY_SECONDS = 5
DATABASE_DOWN = ("La base de données ne répond pas pour le moment (arrêtée, en cours de redémarrage ou "
                 f"trop occupée). La page réessaie d'elle-même toutes les {RETRY_SECONDS} secondes et "
                 "reprendra dès son retour.")
WRITE_NOT_SAVED = ("La base de données ne répond pas : rien n'a été enregistré. Votre saisie est conservée ; "
                   "enregistrez de nouveau dans un instant.")


def outage_notice() -> None:
    """The notice, and a timer that reruns the whole app as soon as the database answers again."""
    st.title("Ancrage")
    st.error(DATABASE_DOWN, icon=":material/cloud_off:")
    _wait_for_database()


@st.fragment(run_every=RETRY_SECONDS)
def _wait_for_database() -> None:
    ctx = get_script_run_ctx()
    timed_run = ctx is not None and bool(ctx.fragment_ids_this_run)
    # Only the timer's runs test the database: the app's own run has just seen it fail.
    if timed_run and database_answers():
        st.rerun(scope="app")
