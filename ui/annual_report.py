"""The annual report's qualitative sections (coordination): one form per section, versioned."""

from __future__ import annotations

import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.formatting import fr_datetime
from models.annual_report import AnnualReportSection
from services.report.annual import annual_report_section_history, annual_report_section_save, annual_report_sections
from ui.cache import cached
from ui.feedback import handled
from ui.text import md


def qualitative_sections(actor: Actor, year: int) -> None:
    """Each section's text, saved with its version: a concurrent change is refused and can be reloaded."""
    for section in cached(annual_report_sections, actor=actor, year=year):
        seen_key = f"annual_report_seen_{year}_{section.section}"
        text_key = f"annual_report_text_{year}_{section.section}"
        if seen_key not in st.session_state:
            st.session_state[seen_key] = section.version
            st.session_state[text_key] = section.text
        with st.form(f"annual_report_form_{year}_{section.section}", clear_on_submit=False):
            st.markdown(f"**{section.label}**")
            text = st.text_area(
                section.label,
                key=text_key,
                height=160,
                max_chars=text_limit(AnnualReportSection, "text"),
                label_visibility="collapsed",
            )
            if section.updated_at:
                st.caption(
                    f"Dernière modification : {md(section.updated_by)}, le {fr_datetime(section.updated_at)} "
                    f"(version {section.version})."
                )
            if st.form_submit_button("Enregistrer", icon=":material/save:"):
                with handled():
                    saved = annual_report_section_save(
                        actor=actor,
                        year=year,
                        section=section.section,
                        text=text,
                        expected_version=st.session_state[seen_key],
                    )
                    st.session_state[seen_key] = saved.version
                    st.session_state["annual_report_flash"] = (
                        f"« {section.label} » enregistré (version {saved.version})."
                    )
                if "annual_report_flash" in st.session_state:
                    st.rerun()
        if section.version and section.version != st.session_state[seen_key]:
            st.warning("Cette rubrique a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte.")
            if st.button("Reprendre le texte enregistré", key=f"annual_report_reload_{year}_{section.section}"):
                del st.session_state[seen_key]
                del st.session_state[text_key]
                st.rerun()
        if section.version and section.version > 1:
            with st.expander("Versions précédentes"):
                for old in cached(annual_report_section_history, actor=actor, year=year, section=section.section)[1:]:
                    st.caption(f"{md(old.author)}, le {fr_datetime(old.at)}")
                    st.text(old.text or "(vide)")
