"""Signalements: worrying situations declared by partner structures, and their circuit as events.

A signalement is a header (the declaration, written once) and an append-only list of events
(declared, acknowledged, passed on, follow-up, closed, correction). Nothing is edited in place or
deleted: a mistake is fixed by a correction event, which may void an earlier step.

The header also keeps a few columns derived from the events (status, current severity and
category, deadlines, first acknowledgement and transmission, closing) so that boards and
indicators filter and sort in SQL without replaying every history. They are written only by
`services.signalements.circuit`, in the same transaction as the event that changes them, from a pure
replay of all the events (`derive_state`), never set by hand. The ORM guards below refuse any
other update, any update or delete of an event, and any deletion of a signalement.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from core.errors import AncrageError
from models.base import FREE_TEXT_MAX, CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class Category(LabelledEnum):
    RUNAWAY = ("fugue", "Fugue ou disparition")
    APPROACH = ("approche", "Contact ou approche par un exploiteur ou un recruteur")
    RE_EXPLOITATION = ("reexploitation", "Suspicion de nouvelle exploitation")
    VIOLENCE = ("violence", "Violence")
    HEALTH = ("sante", "Urgence de santé")
    DISCLOSURE = ("revelation", "Révélation de faits nouveaux")
    ONLINE = ("en_ligne", "Sollicitation en ligne")
    OTHER = ("autre", "Autre")


class Severity(LabelledEnum):
    IMMEDIATE_DANGER = ("danger_immediat", "Danger immédiat")
    WORRYING = ("preoccupant", "Préoccupant")
    INFORMATION = ("information", "Pour information")

    @property
    def rank(self) -> int:
        """0 for the most urgent."""
        return list(Severity).index(self)


class ActionTaken(LabelledEnum):
    POLICE = ("police", "Police ou gendarmerie appelée")
    CRIP = ("crip", "CRIP informée")
    PARQUET = ("parquet", "Parquet informé")
    MEDICAL = ("soins", "Soins médicaux / urgences")
    SAFETY = ("mise_en_securite", "Mise en sécurité de l'enfant")
    RUNAWAY_REPORT = ("declaration_fugue", "Déclaration de fugue")
    GUARDIAN = ("referent", "Référent ASE ou tuteur informé")
    CONTENT = ("contenu_conserve", "Contenus en ligne conservés ou signalés")
    OTHER = ("autre", "Autre mesure")


class EventKind(LabelledEnum):
    DECLARED = ("declaration", "Déclaration")
    ACKNOWLEDGED = ("prise_en_compte", "Prise en compte par la coordination")
    PASSED_ON = ("transmission", "Transmission")
    FOLLOW_UP = ("suivi", "Suivi")
    CLOSED = ("cloture", "Clôture")
    CORRECTION = ("correction", "Correction")


class RecipientKind(LabelledEnum):
    CRIP = ("crip", "CRIP du département (information préoccupante)")
    PARQUET = ("parquet", "Parquet (procureur de la République)")
    POLICE = ("police", "Police ou gendarmerie")
    PLATFORM = ("plateforme", "Plateforme en ligne (PHAROS, hébergeur…)")
    ASE = ("ase", "Aide sociale à l'enfance (service gardien)")
    OTHER = ("autre", "Autre destinataire")


class Channel(LabelledEnum):
    PHONE = ("telephone", "Téléphone")
    EMAIL = ("courriel", "Courriel sécurisé")
    FORM = ("formulaire", "Formulaire ou plateforme en ligne")
    MAIL = ("courrier", "Courrier")
    IN_PERSON = ("en_personne", "En personne")


class Outcome(LabelledEnum):
    PROTECTION = ("mesure_protection", "Mesure de protection décidée")
    INVESTIGATION = ("enquete", "Enquête ou poursuites engagées")
    FOUND = ("enfant_retrouve", "Enfant retrouvé, retour dans la structure")
    CARE = ("prise_en_charge", "Prise en charge adaptée mise en place")
    NO_FURTHER = ("sans_suite", "Sans suite")
    INFORMATION_ONLY = ("information_seule", "Information enregistrée, pas de transmission nécessaire")
    OTHER = ("autre", "Autre issue")


class SignalementStatus(LabelledEnum):
    DECLARED = ("declare", "En attente de prise en compte")
    ACKNOWLEDGED = ("pris_en_compte", "Pris en compte")
    PASSED_ON = ("transmis", "Transmis")
    FOLLOW_UP = ("en_suivi", "En suivi")
    CLOSED = ("cloture", "Clôturé")


# Columns of the header that are a cache of the events (see the module docstring).
DERIVED_COLUMNS = frozenset(
    {
        "status",
        "current_severity",
        "current_category",
        "ack_due_at",
        "pass_due_at",
        "acknowledged_at",
        "passed_on_at",
        "closed_at",
        "outcome",
        "ack_seconds",
        "pass_seconds",
        "last_event_at",
        "event_count",
        "version",
    }
)

_signalement_version = version_column()


class Signalement(SQLModel, table=True):
    """The declaration (written once) and the state derived from its events."""

    __tablename__ = "signalements"
    __table_args__ = (
        enum_check("category", Category, name="ck_signalements_category"),
        enum_check("severity", Severity, name="ck_signalements_severity"),
        enum_check("current_category", Category, name="ck_signalements_current_category"),
        enum_check("current_severity", Severity, name="ck_signalements_current_severity"),
        enum_check("status", SignalementStatus, name="ck_signalements_status"),
        sa.CheckConstraint("occurred_at <= declared_at", name="ck_signalements_occurred_before_declared"),
        sa.Index("ix_signalements_structure_declared", "structure_id", "declared_at"),
        sa.Index("ix_signalements_status", "status"),
        # The lists show the newest first, a page at a time: read backwards along this index.
        sa.Index("ix_signalements_declared", "declared_at", "id"),
        # The indicators read every column they need of a declaration period from this index alone.
        sa.Index(
            "ix_signalements_indicators",
            "declared_on",
            "current_severity",
            "current_category",
            "structure_id",
            "ack_seconds",
            "pass_seconds",
            "ack_due_at",
            "acknowledged_at",
            "pass_due_at",
            "passed_on_at",
            "closed_at",
        ),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _signalement_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_signalement_version)
    structure_id: int = Field(foreign_key="structures.id")
    child_id: int | None = Field(default=None, foreign_key="children.id", index=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    declared_at: datetime = Field(sa_type=UTCDateTime)
    declared_on: date = Field(index=True, description="declaration day in Paris time, for periods")
    category: str = Field(max_length=30)
    severity: str = Field(max_length=20)
    facts: str = Field(sa_type=sa.Text, sa_column_kwargs={"info": {"max_chars": FREE_TEXT_MAX}})
    actions_taken: list[str] = Field(default_factory=list, sa_type=CodeList)
    actions_detail: str | None = Field(default=None, max_length=500)
    declared_by_user_id: int | None = Field(default=None, foreign_key="app_users.id")
    declared_by_name: str = Field(max_length=120)
    # Derived from the events, in the same transaction as each event.
    status: str = Field(default=SignalementStatus.DECLARED.value, max_length=20)
    current_category: str = Field(max_length=30)
    current_severity: str = Field(max_length=20)
    ack_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pass_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    passed_on_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=30)
    ack_seconds: int | None = Field(default=None, description="declaration to first acknowledgement")
    pass_seconds: int | None = Field(default=None, description="declaration to first transmission")
    last_event_at: datetime = Field(sa_type=UTCDateTime)
    event_count: int = Field(default=0)


class SignalementEvent(SQLModel, table=True):
    """One step of a signalement's circuit, with its author and time; never updated or deleted.

    `at` is when the step happened (a transmission may be recorded after the phone call);
    `recorded_at` when it was written.
    """

    __tablename__ = "signalement_events"
    __audit__ = False  # an append-only log with its own author and time
    __table_args__ = (
        enum_check("kind", EventKind, name="ck_signalement_events_kind"),
        enum_check("severity", Severity, name="ck_signalement_events_severity", nullable=True),
        enum_check("category", Category, name="ck_signalement_events_category", nullable=True),
        enum_check("recipient_kind", RecipientKind, name="ck_signalement_events_recipient", nullable=True),
        enum_check("channel", Channel, name="ck_signalement_events_channel", nullable=True),
        enum_check("outcome", Outcome, name="ck_signalement_events_outcome", nullable=True),
        sa.CheckConstraint(
            "kind <> 'transmission' OR (recipient_kind IS NOT NULL AND channel IS NOT NULL)",
            name="ck_signalement_events_transmission",
        ),
        sa.CheckConstraint("kind <> 'cloture' OR outcome IS NOT NULL", name="ck_signalement_events_closing"),
        sa.CheckConstraint(
            "kind <> 'declaration' OR (severity IS NOT NULL AND category IS NOT NULL)",
            name="ck_signalement_events_declaration",
        ),
        sa.CheckConstraint("voids_event_id IS NULL OR kind = 'correction'", name="ck_signalement_events_voids"),
        sa.Index("ix_signalement_events_signalement", "signalement_id", "id"),
        # Transmissions of a period's signalements by recipient, read from the index alone.
        sa.Index("ix_signalement_events_passed", "signalement_id", "kind", "recipient_kind", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    signalement_id: int = Field(foreign_key="signalements.id")
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    author_user_id: int | None = Field(default=None, foreign_key="app_users.id")
    author_name: str = Field(max_length=120)
    author_role: str = Field(max_length=20)
    note: str | None = Field(default=None, sa_type=sa.Text, sa_column_kwargs={"info": {"max_chars": FREE_TEXT_MAX}})
    # Declaration and correction: the classification and the deadlines that follow from it.
    severity: str | None = Field(default=None, max_length=20)
    category: str | None = Field(default=None, max_length=30)
    ack_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pass_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Transmission: to whom, how.
    recipient_kind: str | None = Field(default=None, max_length=20)
    recipient_detail: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=20)
    # Closing.
    outcome: str | None = Field(default=None, max_length=30)
    # Correction: the earlier step it cancels, if any.
    voids_event_id: int | None = Field(default=None, foreign_key="signalement_events.id", index=True)


# --- append-only guards ---------------------------------------------------------------------

APPEND_ONLY = "Un signalement et ses étapes ne se modifient ni ne se suppriment : ajoutez une correction."


class AppendOnlyViolation(AncrageError):
    """Something tried to update or delete a signalement event, or to edit a declaration."""

    def __init__(self, message: str = APPEND_ONLY):
        super().__init__(message)


_deriving: ContextVar[bool] = ContextVar("signalement_deriving", default=False)


@contextmanager
def deriving_state():
    """The only context in which the derived columns of a header may be written."""
    token = _deriving.set(True)
    try:
        yield
    finally:
        _deriving.reset(token)


def _changed_columns(target) -> set[str]:
    state = inspect(target)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(SignalementEvent, "before_update")
def _refuse_event_update(_mapper, _connection, target) -> None:
    if _changed_columns(target):
        raise AppendOnlyViolation()


@event.listens_for(SignalementEvent, "before_delete")
def _refuse_event_delete(_mapper, _connection, _target) -> None:
    raise AppendOnlyViolation()


@event.listens_for(Signalement, "before_delete")
def _refuse_signalement_delete(_mapper, _connection, _target) -> None:
    raise AppendOnlyViolation()


@event.listens_for(Signalement, "before_update")
def _guard_signalement_update(_mapper, _connection, target) -> None:
    changed = _changed_columns(target)
    if changed and (not _deriving.get() or changed - DERIVED_COLUMNS):
        raise AppendOnlyViolation()


_GUARDED_TABLES = {"signalements", "signalement_events"}


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_writes(state) -> None:
    """Bulk UPDATE/DELETE statements run through a session bypass the mapper events: refuse them."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    names = {getattr(table, "name", None)} | {m.local_table.name for m in state.all_mappers}
    if names & _GUARDED_TABLES:
        raise AppendOnlyViolation()
