"""Notifications: an outbox of messages to people (in the app, and by e-mail through the worker).

A notification is written in the same transaction as the event that causes it; its `key` (event and
recipient address) is unique, so an event reaches each recipient once even when it is recorded again.
The worker (`python -m startup.worker`) sends the e-mails, counts attempts and keeps the last error.
Nothing about a child is ever stored here: a reference, the kind of event, a deadline and a link.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class NotificationKind(LabelledEnum):
    SIGNALEMENT = ("signalement", "Signalement déclaré")
    DANGER_REMINDER = ("rappel_danger", "Danger immédiat pas encore pris en compte : rappel")
    STEP_OVERDUE = ("etape_en_retard", "Étape d'un signalement en retard")
    PROPOSAL = ("proposition", "Enfant proposé à votre structure")
    PROPOSAL_ANSWER = ("reponse_proposition", "Réponse d'une structure à une proposition")
    WEEKLY_DUE = ("chiffres_a_envoyer", "Chiffres de la semaine à envoyer")
    WEEKLY_OVERDUE = ("chiffres_en_retard", "Chiffres de la semaine en retard")
    CONVENTION_ENDING = ("convention_fin", "Convention départementale arrivant à échéance")
    ACCOUNT_LOCKED = ("compte_verrouille", "Compte aux connexions retardées après des échecs")
    PLACES_LOW = ("places_basses", "Places libres sous le seuil d'une région")


class Notification(SQLModel, table=True):
    """One message to one recipient; `sent_at` is set once the SMTP server accepted it."""

    __tablename__ = "notifications"
    # The outbox is its own log (created, attempts, sent, last error); the event that caused it is audited.
    __audit__ = False
    __table_args__ = (
        sa.UniqueConstraint("key", name="uq_notifications_key"),
        enum_check("kind", NotificationKind, name="ck_notifications_kind"),
        sa.Index("ix_notifications_outbox", "sent_at", "next_attempt_at"),
        sa.Index("ix_notifications_recipient", "recipient_user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    recipient_user_id: int | None = Field(default=None, foreign_key="app_users.id")
    recipient_email: str | None = Field(default=None, max_length=160)
    by_mail: bool = Field(default=False)
    kind: str = Field(max_length=30)
    reference: str = Field(max_length=40)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    link: str = Field(max_length=300)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


_preference_version = version_column()


class NotificationPreference(SQLModel, table=True):
    """A user's choice for one kind of notification: by e-mail or only in the app (default: by e-mail)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
        enum_check("kind", NotificationKind, name="ck_notification_preferences_kind"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _preference_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_preference_version)
    user_id: int = Field(foreign_key="app_users.id")
    kind: str = Field(max_length=30)
    by_mail: bool = Field(default=True)


_threshold_version = version_column()


class RegionPlaceThreshold(SQLModel, table=True):
    """Below this many free places reported in a région, the home and a notification warn the coordination."""

    __tablename__ = "region_place_thresholds"
    __mapper_args__: ClassVar[dict] = {"version_id_col": _threshold_version}

    region_code: str = Field(primary_key=True, foreign_key="regions.code", max_length=3)
    version: int | None = Field(default=None, sa_column=_threshold_version)
    min_free_places: int = Field(ge=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
