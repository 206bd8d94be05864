"""What the signalement pages share: labels, the countdown, the history, the action forms and the
printable written confirmation."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.clock import paris_now
from core.formatting import PARIS, fr_datetime
from models.base import utcnow
from models.signalement import (
    ActionTaken,
    Category,
    Channel,
    EventKind,
    Outcome,
    RecipientKind,
    Severity,
    SignalementEvent,
    SignalementStatus,
)
from models.structure import Sex
from services.signalements.declarations import (
    Transmission,
    signalement_acknowledge,
    signalement_close,
    signalement_correct,
    signalement_follow_up,
    signalement_pass_on,
)
from services.signalements.reads import SignalementDetail, SignalementSummary
from ui.feedback import handled
from ui.text import md, show_text

SEVERITY_COLOURS = {
    Severity.IMMEDIATE_DANGER.value: "red",
    Severity.WORRYING.value: "orange",
    Severity.INFORMATION.value: "blue",
}
NO_NAMES = (
    "**Aucun nom ici** — ni celui de l'enfant, ni celui d'un tiers (exploiteur, famille, "
    "professionnel). Désignez l'enfant par son code et les personnes par leur rôle "
    "(« un homme adulte », « l'éducatrice de nuit »)."
)
SELECTED = "signalements_selected"
PASSED_ON = "signalements_passed_on"


def count_bars_chart(data: pd.DataFrame, label: str) -> alt.Chart:
    """Horizontal bars of signalement counts (`n`) by `label`, the published text (`Signalements`) on hover."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("n:Q", title="Signalements"),
            y=alt.Y(f"{label}:N", sort="-x", title=None),
            tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip("Signalements:N")],
        )
    )


def monthly_chart(months: pd.DataFrame) -> alt.Chart:
    """Signalements per month: `key` is the month as YYYY-MM, `n` the count, `Mois` and `Signalements` the texts."""
    data = months.assign(**{"Début": pd.to_datetime(months["key"] + "-01")})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(Début):T", title=None, axis=alt.Axis(format="%m/%Y")),
            y=alt.Y("n:Q", title="Signalements"),
            tooltip=[alt.Tooltip("Mois:N"), alt.Tooltip("Signalements:N")],
        )
    )


def attempt(write: Callable[[], object]) -> bool:
    """Run one write, refusals shown in French; True when it went through (then rerun, outside
    `handled`, so that the cached reads are refreshed first)."""
    with handled():
        write()
        return True
    return False


def fr_duration(seconds: float | None) -> str:
    """>>> fr_duration(3900), fr_duration(45 * 60), fr_duration(26 * 3600)
    ('1 h 05', '45 min', '1 j 2 h')
    """
    if seconds is None:
        return "—"
    minutes = int(round(abs(seconds) / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h" if hours else f"{days} j"


def paris_now_naive() -> datetime:
    """Now in Paris, without zone and to the minute: the default of a date-and-time widget."""
    return paris_now().replace(tzinfo=None, second=0, microsecond=0)


def aware(value: datetime | None) -> datetime | None:
    """A widget's naive Paris date-and-time as an aware instant."""
    return None if value is None else value.replace(tzinfo=PARIS)


def severity_badge(severity: str) -> str:
    return f":{SEVERITY_COLOURS.get(severity, 'gray')}-badge[{Severity.label_of(severity)}]"


def countdown(summary: SignalementSummary, now: datetime | None = None) -> str:
    """'En retard de 1 h 05 : prise en compte attendue le …' or 'Prise en compte attendue dans 45 min'."""
    due = summary.due(now)
    if due is None:
        if summary.closed_at is not None:
            return f"Clôturé le {fr_datetime(summary.closed_at)}"
        return "Aucun délai en cours"
    when = fr_datetime(due.due_at)
    if due.overdue:
        return f":red[**En retard de {fr_duration(-due.remaining.total_seconds())}** — {due.step} attendue le {when}]"
    colour = "orange" if due.remaining < timedelta(hours=1) else "blue"
    return f":{colour}[**{due.step.capitalize()} attendue dans {fr_duration(due.remaining.total_seconds())}**] (avant le {when})"


def recipient_text(kind: str, detail: str | None) -> str:
    """A recipient once: its precision alone when it already names the kind.

    >>> recipient_text("parquet", "Parquet, permanence des mineurs")
    'Parquet, permanence des mineurs'
    >>> recipient_text("police", "Brigade de Lunel")
    'Police ou gendarmerie — Brigade de Lunel'
    >>> recipient_text("parquet", "")
    'Parquet (procureur de la République)'
    """
    label = RecipientKind.label_of(kind)
    detail = (detail or "").strip()
    if not detail:
        return label
    short = label.split(" (")[0].casefold()
    return detail if short in detail.casefold() else f"{label} — {detail}"


def event_details(e) -> str:
    """One line saying what an event recorded."""
    parts = []
    if e.kind == EventKind.DECLARED.value:
        parts.append(f"{Severity.label_of(e.severity)} — {Category.label_of(e.category)}")
    if e.kind == EventKind.PASSED_ON.value:
        parts.append(
            f"{recipient_text(e.recipient_kind, e.recipient_detail)}, par {Channel.label_of(e.channel).lower()}"
        )
    if e.kind == EventKind.CLOSED.value:
        parts.append(f"Issue : {Outcome.label_of(e.outcome)}")
    if e.kind == EventKind.CORRECTION.value:
        if e.voids_event_id:
            parts.append(f"annule l'étape n° {e.voids_event_id}")
        if e.severity:
            parts.append(f"gravité → {Severity.label_of(e.severity)}")
        if e.category:
            parts.append(f"catégorie → {Category.label_of(e.category)}")
    if e.note:
        parts.append(e.note)
    return " ; ".join(parts)


def history_frame(detail: SignalementDetail) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "N°": e.id,
                "Quand": fr_datetime(e.at),
                "Étape": EventKind.label_of(e.kind),
                "Auteur": e.author_name,
                "Détails": event_details(e),
                "Enregistré le": fr_datetime(e.recorded_at),
                "Annulée": f"par la correction n° {e.voided_by}" if e.voided_by else "",
            }
            for e in detail.events
        ]
    )


def render_detail(actor: Actor, detail: SignalementDetail, *, key: str) -> None:
    """The declaration, its history and the written confirmation to download."""
    s = detail.summary
    st.subheader(f"{s.reference} — {md(s.structure_name)}")
    st.markdown(
        f"{severity_badge(s.severity)} **{Category.label_of(s.category)}** · "
        f"{SignalementStatus.label_of(s.status)} · {countdown(s)}"
    )
    left, middle, right = st.columns(3)
    left.markdown(f"**Faits survenus le** {fr_datetime(s.occurred_at)}")
    middle.markdown(f"**Déclaré le** {fr_datetime(s.declared_at)} par {md(s.declared_by_name)}")
    child = (
        "—"
        if s.child_code is None
        else (f"{md(s.child_code)} ({detail.child_age} ans, {Sex.label_of(detail.child_sex).lower()})")
    )
    right.markdown(f"**Enfant** {child}")
    if (detail.declared_severity, detail.declared_category) != (s.severity, s.category):
        st.caption(
            f"Déclaré initialement : {Severity.label_of(detail.declared_severity)} — "
            f"{Category.label_of(detail.declared_category)} (corrigé depuis)."
        )
    with st.container(border=True):
        st.markdown("**Faits**")
        st.text(detail.facts)
        taken = [ActionTaken.label_of(a) for a in detail.actions_taken]
        st.markdown("**Mesures déjà prises** : " + (", ".join(taken) if taken else "aucune indiquée"))
        if detail.actions_detail:
            st.markdown("**Précisions sur les mesures**")
            show_text(detail.actions_detail)
    st.markdown("**Historique**")
    st.dataframe(history_frame(detail), hide_index=True, width="stretch")
    st.download_button(
        "Télécharger la confirmation écrite (à imprimer)",
        confirmation_html(detail),
        file_name=f"{s.reference}.html",
        mime="text/html",
        icon=":material/print:",
        key=f"{key}_confirmation_{s.id}",
    )


def render_acknowledge_button(actor: Actor, summary: SignalementSummary, *, key: str) -> None:
    if summary.acknowledged_at is None and summary.closed_at is None:
        if st.button("Prendre en compte", key=f"{key}_ack_{summary.id}", type="primary", icon=":material/check:"):
            if attempt(lambda: signalement_acknowledge(actor=actor, signalement_id=summary.id)):
                st.session_state[SELECTED] = summary.id
                st.rerun()


def render_pass_on_form(actor: Actor, summary: SignalementSummary, *, key: str) -> None:
    with st.form(f"{key}_pass_on_{summary.id}", clear_on_submit=False, border=False):
        kinds = st.multiselect(
            "Destinataires",
            list(RecipientKind.labels()),
            format_func=RecipientKind.label_of,
            placeholder="Choisir un ou plusieurs destinataires",
            key=f"{key}_kinds_{summary.id}",
        )
        channel = st.selectbox(
            "Moyen", list(Channel.labels()), format_func=Channel.label_of, key=f"{key}_channel_{summary.id}"
        )
        at = st.datetime_input(
            "Transmis le", value=paris_now_naive(), format="DD/MM/YYYY", step=300, key=f"{key}_at_{summary.id}"
        )
        detail = st.text_input(
            "Précisions : services, interlocuteurs (facultatif)",
            placeholder="ex. parquet de Rennes, permanence mineurs ; brigade de Vitré",
            key=f"{key}_detail_{summary.id}",
            max_chars=text_limit(SignalementEvent, "recipient_detail"),
        )
        if st.form_submit_button("Enregistrer la transmission", type="primary"):
            if attempt(
                lambda: signalement_pass_on(
                    actor=actor,
                    signalement_id=summary.id,
                    data=Transmission(recipient_kinds=kinds, channel=channel, at=aware(at), detail=detail),
                )
            ):
                st.session_state[SELECTED] = summary.id
                st.session_state[PASSED_ON] = summary.id
                st.rerun()


def render_actions(actor: Actor, detail: SignalementDetail, *, key: str) -> None:
    """The steps the actor may append: coordination — all; partner staff — follow-up and correction."""
    s = detail.summary
    names = []
    if actor.is_coordination and s.is_open:
        names += ["Transmettre", "Suivi", "Clôturer"]
    elif s.is_open:
        names += ["Compléter"]
    names.append("Corriger")
    tabs = dict(zip(names, st.tabs(names)))
    if "Transmettre" in tabs:
        with tabs["Transmettre"]:
            render_pass_on_form(actor, s, key=key)
    for name in ("Suivi", "Compléter"):
        if name in tabs:
            with tabs[name], st.form(f"{key}_follow_{s.id}", clear_on_submit=False, border=False):
                note = st.text_area(
                    "Note de suivi",
                    key=f"{key}_follow_note_{s.id}",
                    help=NO_NAMES,
                    max_chars=text_limit(SignalementEvent, "note"),
                )
                if st.form_submit_button("Ajouter au suivi"):
                    if attempt(lambda: signalement_follow_up(actor=actor, signalement_id=s.id, note=note)):  # noqa: B023
                        st.rerun()
    if "Clôturer" in tabs:
        with tabs["Clôturer"], st.form(f"{key}_close_{s.id}", clear_on_submit=False, border=False):
            outcome = st.selectbox(
                "Issue",
                list(Outcome.labels()),
                index=None,
                format_func=Outcome.label_of,
                placeholder="Choisir l'issue",
                key=f"{key}_outcome_{s.id}",
            )
            note = st.text_area(
                "Commentaire (facultatif)",
                key=f"{key}_close_note_{s.id}",
                max_chars=text_limit(SignalementEvent, "note"),
            )
            if st.form_submit_button("Clôturer le signalement"):
                if attempt(lambda: signalement_close(actor=actor, signalement_id=s.id, outcome=outcome, note=note)):
                    st.rerun()
    with tabs["Corriger"], st.form(f"{key}_correct_{s.id}", clear_on_submit=False, border=False):
        st.caption("Rien n'est effacé : la correction s'ajoute à l'historique.")
        note = st.text_area(
            "Ce qui est corrigé", key=f"{key}_correct_note_{s.id}", max_chars=text_limit(SignalementEvent, "note")
        )
        left, right = st.columns(2)
        severity = left.selectbox(
            "Nouvelle gravité",
            [None, *Severity.labels()],
            key=f"{key}_correct_sev_{s.id}",
            format_func=lambda v: "Inchangée" if v is None else Severity.label_of(v),
        )
        category = right.selectbox(
            "Nouvelle catégorie",
            [None, *Category.labels()],
            key=f"{key}_correct_cat_{s.id}",
            format_func=lambda v: "Inchangée" if v is None else Category.label_of(v),
        )
        voids = None
        if actor.is_coordination:
            voidable = {
                e.id: e
                for e in detail.events
                if e.voided_by is None
                and e.kind
                in (
                    EventKind.ACKNOWLEDGED.value,
                    EventKind.PASSED_ON.value,
                    EventKind.FOLLOW_UP.value,
                    EventKind.CLOSED.value,
                )
            }
            voids = st.selectbox(
                "Annuler une étape (facultatif)",
                [None, *voidable],
                key=f"{key}_correct_void_{s.id}",
                format_func=lambda i: (
                    "Aucune"
                    if i is None
                    else f"n° {i} — {EventKind.label_of(voidable[i].kind)} du {fr_datetime(voidable[i].at)}"
                ),
            )
        if st.form_submit_button("Enregistrer la correction"):
            if attempt(
                lambda: signalement_correct(
                    actor=actor,
                    signalement_id=s.id,
                    note=note,
                    severity=severity,
                    category=category,
                    voids_event_id=voids,
                )
            ):
                st.rerun()


# --- written confirmation ------------------------------------------------------------------------

_PRINT_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; max-width: 180mm;
       margin: 12mm auto; line-height: 1.4; }
h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
       padding: 1.5mm 2mm; border: 1px solid #bbb; } th { width: 38%; background: #f2f2f2; }
.facts { white-space: pre-wrap; border: 1px solid #bbb; padding: 3mm; }
.small { font-size: 9pt; color: #444; } .voided { text-decoration: line-through; color: #777; }
.noprint { margin: 4mm 0; } section, tr { page-break-inside: avoid; }
@media print { .noprint { display: none; } body { margin: 0 auto; } @page { size: A4; margin: 15mm; } }
"""


def confirmation_html(detail: SignalementDetail, *, printed_at: datetime | None = None) -> str:
    """The written confirmation of a declaration, as a self-contained HTML page that prints on A4."""
    s = detail.summary
    e_ = html.escape
    printed_at = printed_at or utcnow()
    confirm_by = fr_datetime(s.declared_at + timedelta(hours=48))
    child = (
        "Aucun enfant désigné"
        if s.child_code is None
        else (f"{s.child_code} — {detail.child_age} ans, {Sex.label_of(detail.child_sex).lower()}")
    )
    taken = ", ".join(ActionTaken.label_of(a) for a in detail.actions_taken) or "aucune indiquée"
    rows = [
        ("Référence", s.reference),
        ("Structure", f"{s.structure_name} (département {s.departement_code})"),
        ("Faits survenus le", fr_datetime(s.occurred_at)),
        ("Déclaré à la coordination le", f"{fr_datetime(s.declared_at)} par {s.declared_by_name}"),
        ("Catégorie", Category.label_of(detail.declared_category)),
        ("Gravité", Severity.label_of(detail.declared_severity)),
        ("Enfant concerné", child),
        ("Mesures déjà prises", taken + (f" — {detail.actions_detail}" if detail.actions_detail else "")),
        ("État du circuit", SignalementStatus.label_of(s.status)),
    ]
    if (detail.declared_severity, detail.declared_category) != (s.severity, s.category):
        rows.append(
            ("Classement après correction", f"{Severity.label_of(s.severity)} — {Category.label_of(s.category)}")
        )
    table = "".join(f"<tr><th>{e_(k)}</th><td>{e_(v)}</td></tr>" for k, v in rows)
    history = "".join(
        f'<tr class="{"voided" if e.voided_by else ""}"><td>{e_(fr_datetime(e.at))}</td>'
        f"<td>{e_(EventKind.label_of(e.kind))}</td><td>{e_(e.author_name)}</td><td>{e_(event_details(e))}</td></tr>"
        for e in detail.events
    )
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Confirmation écrite — {e_(s.reference)}</title>
<style>{_PRINT_CSS}</style></head><body>
<div class="noprint"><button onclick="window.print()">Imprimer</button></div>
<h1>Confirmation écrite d'un signalement</h1>
<p class="small">Réseau Ancrage — situation préoccupante survenue dans une structure partenaire.
Confirmation écrite à conserver et à adresser, avec la déclaration faite sans délai, à l'autorité
administrative compétente dans les 48 heures (au plus tard le {e_(confirm_by)}), selon les règles
applicables aux événements graves dans les établissements sociaux et médico-sociaux (CASF, art. L. 331-8-1).</p>
<section><h2>Déclaration</h2><table>{table}</table></section>
<section><h2>Faits</h2><div class="facts">{e_(detail.facts)}</div>
<p class="small">Les faits ne comportent aucun nom : l'enfant est désigné par son code pseudonyme.</p></section>
<section><h2>Circuit du signalement</h2><table><tr><th style="width:18%">Quand</th><th style="width:18%">Étape</th>
<th style="width:20%">Auteur</th><th>Détails</th></tr>{history}</table></section>
<p class="small">Document établi le {e_(fr_datetime(printed_at))}. Les étapes barrées ont été annulées par une
correction ; rien n'est effacé de l'historique.</p>
<p>Signature du ou de la responsable de la structure :</p><p style="height:20mm"></p>
</body></html>"""
