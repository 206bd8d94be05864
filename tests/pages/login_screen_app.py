"""The log-in screen alone, for AppTest; once logged in, app.py would show the role's menu instead."""

import streamlit as st

from ui.auth import login_screen

if st.session_state.get("authentication_status"):
    st.write("Connecté")
    st.stop()
st.navigation([st.Page(login_screen, title="Connexion", url_path="connexion", default=True)], position="hidden").run()
