"""Detection circuit: outreach sessions (street and digital), their links to requests, referrer services.

No column here can hold a person's name, pseudonym, handle or picture: an outreach session keeps only
codes, counts and the département; the platforms are a list the coordination keeps. A test scans these
tables for any free-text column.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class OutreachKind(LabelledEnum):
    STREET = ("rue", "Maraude de rue")
    DIGITAL = ("numerique", "Maraude numérique")


class PlaceKind(LabelledEnum):
    STATION = ("gare", "Gare, transports")
    STREET = ("rue", "Rue, place publique")
    PARK = ("parc", "Parc, bois")
    CAMP = ("campement", "Campement, squat")
    HOTEL = ("hotel", "Hôtel, appartement loué")
    SHOPPING = ("commerce", "Centre commercial, commerces")
    OTHER = ("autre", "Autre lieu")


class ReferrerKind(LabelledEnum):
    POLICE = ("police", "Police nationale")
    GENDARMERIE = ("gendarmerie", "Gendarmerie nationale")
    ASE = ("ase_crip", "ASE / CRIP")
    PJJ = ("pjj", "PJJ")
    HOSPITAL = ("hopital", "Hôpital")
    EDUCATION = ("education_nationale", "Éducation nationale")


class SupervisionKind(LabelledEnum):
    SUPERVISION = ("supervision", "Supervision")
    PRACTICE = ("analyse_pratique", "Analyse de pratique")


class PreventionKind(LabelledEnum):
    WORKSHOP = ("atelier", "Atelier")
    TALK_GROUP = ("groupe_parole", "Groupe de parole")
    TRAINING = ("formation_professionnels", "Formation de professionnels extérieurs")
    CAMPAIGN = ("campagne", "Campagne d'information du public")


class Audience(LabelledEnum):
    YOUNG = ("jeunes", "Jeunes")
    PARENTS = ("parents", "Parents")
    PROFESSIONALS = ("professionnels", "Professionnels")
    PUBLIC = ("public", "Grand public")


# The outreach counts, in the order of the form: column → French label.
OUTREACH_COUNTS: dict[str, str] = {
    "ads_spotted": "Annonces ou profils repérés",
    "ads_presumed_minors": "Annonces ou profils de personnes présumées mineures",
    "messages_sent": "Messages de contact envoyés",
    "answers": "Réponses reçues",
    "persons_met": "Personnes rencontrées",
    "persons_presumed_minors": "Personnes rencontrées présumées mineures",
    "risk_assessments": "Évaluations du danger réalisées",
    "orientations_partner": "Orientations vers une structure partenaire",
    "orientations_ase": "Orientations vers l'ASE",
    "orientations_health": "Orientations vers les services de santé",
    "orientations_other": "Autres orientations",
    "reports_crip": "Informations préoccupantes (CRIP)",
    "reports_parquet": "Signalements au parquet",
    "reports_pharos": "Signalements PHAROS",
    "reports_point_contact": "Signalements Point de Contact",
}


class OutreachPlatform(SQLModel, table=True):
    """A website or application watched in digital outreach; the coordination keeps the list."""

    __tablename__ = "outreach_platforms"
    __table_args__ = (sa.UniqueConstraint("name", name="uq_outreach_platforms_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, description="the platform's public name (never a person's)")
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_session_version = version_column()


class OutreachSession(SQLModel, table=True):
    """One street or digital outreach session: when, where or on which platforms, and what came of it."""

    __tablename__ = "outreach_sessions"
    __table_args__ = (
        enum_check("kind", OutreachKind, name="ck_outreach_sessions_kind"),
        enum_check("place_kind", PlaceKind, name="ck_outreach_sessions_place", nullable=True),
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="ck_outreach_sessions_duration"),
        sa.CheckConstraint("team_size > 0 AND team_size <= 50", name="ck_outreach_sessions_team"),
        sa.CheckConstraint(
            "ads_presumed_minors <= ads_spotted AND persons_presumed_minors <= persons_met",
            name="ck_outreach_sessions_minors",
        ),
        sa.CheckConstraint(
            " AND ".join(f"{column} >= 0" for column in OUTREACH_COUNTS), name="ck_outreach_sessions_counts"
        ),
        sa.Index("ix_outreach_sessions_structure_day", "structure_id", "held_on"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _session_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_session_version)
    structure_id: int | None = Field(default=None, foreign_key="structures.id", description="empty: the coordination")
    held_on: date = Field(index=True)
    kind: str = Field(max_length=20)
    duration_minutes: int
    team_size: int
    departement_code: str = Field(foreign_key="departements.code", max_length=3)
    place_kind: str | None = Field(default=None, max_length=20)
    platform_ids: list[str] = Field(default_factory=list, sa_type=CodeList)
    ads_spotted: int = 0
    ads_presumed_minors: int = 0
    messages_sent: int = 0
    answers: int = 0
    persons_met: int = 0
    persons_presumed_minors: int = 0
    risk_assessments: int = 0
    orientations_partner: int = 0
    orientations_ase: int = 0
    orientations_health: int = 0
    orientations_other: int = 0
    reports_crip: int = 0
    reports_parquet: int = 0
    reports_pharos: int = 0
    reports_point_contact: int = 0
    created_by: str = Field(max_length=60, description="the staff member's log-in")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutreachReferral(SQLModel, table=True):
    """A contact made during an outreach session that became a request to the coordination."""

    __tablename__ = "outreach_referrals"
    __table_args__ = (sa.UniqueConstraint("request_id", name="uq_outreach_referrals_request"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="outreach_sessions.id", index=True)
    request_id: int = Field(foreign_key="child_requests.id")
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_service_version = version_column()


class ReferrerService(SQLModel, table=True):
    """A police or gendarmerie unit, an ASE/CRIP service, the PJJ, a hospital or a school service."""

    __tablename__ = "referrer_services"
    __table_args__ = (
        sa.UniqueConstraint("name", name="uq_referrer_services_name"),
        enum_check("kind", ReferrerKind, name="ck_referrer_services_kind"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _service_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_service_version)
    name: str = Field(max_length=120, description="the service's name, e.g. « Brigade de protection des familles 93 »")
    kind: str = Field(max_length=30)
    departement_code: str = Field(foreign_key="departements.code", max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferrerAccount(SQLModel, table=True):
    """Which referrer service an `orienteur` account belongs to."""

    __tablename__ = "referrer_accounts"
    __table_args__ = (sa.UniqueConstraint("user_id", name="uq_referrer_accounts_user"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_users.id")
    service_id: int = Field(foreign_key="referrer_services.id", index=True)


class ReferrerRequest(SQLModel, table=True):
    """A request sent by a referrer service through its account (the coordination sees which service)."""

    __tablename__ = "referrer_requests"
    __table_args__ = (sa.UniqueConstraint("request_id", name="uq_referrer_requests_request"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="child_requests.id")
    service_id: int = Field(foreign_key="referrer_services.id", index=True)


class SupervisionSession(SQLModel, table=True):
    """A supervision or « analyse de pratique » session for a structure's staff."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        enum_check("kind", SupervisionKind, name="ck_supervision_sessions_kind"),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name="ck_supervision_sessions_hours"),
        sa.CheckConstraint("participants > 0 AND participants <= 200", name="ck_supervision_sessions_participants"),
    )

    id: int | None = Field(default=None, primary_key=True)
    structure_id: int | None = Field(default=None, foreign_key="structures.id", index=True)
    held_on: date = Field(index=True)
    kind: str = Field(max_length=20)
    hours: float
    participants: int
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PreventionAction(SQLModel, table=True):
    """A prevention action: workshop, talk group, training of outside professionals, public campaign."""

    __tablename__ = "prevention_actions"
    __table_args__ = (
        enum_check("kind", PreventionKind, name="ck_prevention_actions_kind"),
        enum_check("audience", Audience, name="ck_prevention_actions_audience"),
        sa.CheckConstraint("reached >= 0 AND reached <= 1000000", name="ck_prevention_actions_reached"),
    )

    id: int | None = Field(default=None, primary_key=True)
    structure_id: int | None = Field(default=None, foreign_key="structures.id", index=True)
    held_on: date = Field(index=True)
    kind: str = Field(max_length=30)
    audience: str = Field(max_length=20)
    reached: int
    departement_code: str = Field(foreign_key="departements.code", max_length=3)
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
