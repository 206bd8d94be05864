"""Continuing training of partner staff: the catalogue (strategy), the yearly plan and the sessions.

A session counts the professionals who attended by profile (not by person: no trainee names), and
lists the partner structures whose staff attended. Indicators count delivered sessions only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import FREE_TEXT_MAX, CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class TrainingProfile(LabelledEnum):
    """Professional profile of a trainee, as the funder counts them."""

    EDUCATEUR = ("educateur_specialise", "Éducateur spécialisé")
    MONITEUR = ("moniteur_educateur", "Moniteur-éducateur")
    ASSISTANT_FAMILIAL = ("assistant_familial", "Assistant familial")
    PSYCHOLOGUE = ("psychologue", "Psychologue")
    SOIGNANT = ("infirmier_medecin", "Infirmier ou médecin")
    CADRE = ("cadre_direction", "Cadre ou direction")
    VEILLEUR = ("veilleur_nuit", "Veilleur de nuit")
    POLICE = ("police_gendarmerie", "Police ou gendarmerie")
    MAGISTRAT = ("magistrat_pjj", "Magistrat ou PJJ")
    EDUCATION = ("education_nationale", "Éducation nationale")
    OTHER = ("autre", "Autre")


class TrainingFormat(LabelledEnum):
    ON_SITE = ("sur_site", "Sur site")
    REMOTE = ("distanciel", "À distance")
    MIXED = ("mixte", "Mixte")


class SessionStatus(LabelledEnum):
    PLANNED = ("prevue", "Prévue")
    DELIVERED = ("realisee", "Réalisée")


_module_version = version_column()


class TrainingModule(SQLModel, table=True):
    """A module of the training catalogue; prerequisites live in training_module_prerequisites."""

    __tablename__ = "training_modules"
    __table_args__ = (
        sa.UniqueConstraint("title", name="uq_training_modules_title"),
        sa.CheckConstraint(
            "duration_min_hours > 0 AND duration_min_hours <= duration_max_hours", name="ck_training_modules_duration"
        ),
        enum_check("format", TrainingFormat, name="ck_training_modules_format"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _module_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_module_version)
    title: str = Field(max_length=160)
    objectives: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"info": {"max_chars": FREE_TEXT_MAX}})
    target_profiles: list[str] = Field(default_factory=list, sa_type=CodeList)
    duration_min_hours: float
    duration_max_hours: float
    format: str = Field(max_length=20)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TrainingPrerequisite(SQLModel, table=True):
    """Module `module_id` should be followed after module `prerequisite_id`."""

    __tablename__ = "training_module_prerequisites"
    __table_args__ = (sa.CheckConstraint("module_id <> prerequisite_id", name="ck_training_prerequisites_self"),)

    module_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("training_modules.id", ondelete="CASCADE"), primary_key=True)
    )
    prerequisite_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("training_modules.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class TrainingPlanLine(SQLModel, table=True):
    """How many professionals of a profile the network intends to train on a module in a year."""

    __tablename__ = "training_plan"
    __table_args__ = (
        sa.UniqueConstraint("year", "module_id", "profile", name="uq_training_plan_line"),
        sa.CheckConstraint("planned >= 0", name="ck_training_plan_planned"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_training_plan_year"),
        enum_check("profile", TrainingProfile, name="ck_training_plan_profile"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    module_id: int = Field(foreign_key="training_modules.id", index=True)
    profile: str = Field(max_length=30)
    planned: int
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_session_version = version_column()


class TrainingSession(SQLModel, table=True):
    """One delivery of a module: dates, trainer organisation, place (a département, or remote)."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="ck_training_sessions_dates"),
        sa.CheckConstraint("hours > 0", name="ck_training_sessions_hours"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_training_sessions_satisfaction"
        ),
        sa.CheckConstraint(
            "(remote AND departement_code IS NULL) OR (NOT remote AND departement_code IS NOT NULL)",
            name="ck_training_sessions_place",
        ),
        enum_check("status", SessionStatus, name="ck_training_sessions_status"),
        # Delivered sessions of a period, with what the indicators sum, read from the index alone.
        sa.Index(
            "ix_training_sessions_status_end",
            "status",
            "end_date",
            "module_id",
            "departement_code",
            "hours",
            "satisfaction",
        ),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _session_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_session_version)
    module_id: int = Field(foreign_key="training_modules.id", index=True)
    start_date: date
    end_date: date
    trainer_organisation: str = Field(max_length=160)
    trainer_name: str | None = Field(default=None, max_length=120)
    remote: bool = Field(default=False)
    departement_code: str | None = Field(default=None, foreign_key="departements.code", max_length=3, index=True)
    hours: float
    status: str = Field(default=SessionStatus.PLANNED.value, max_length=20)
    satisfaction: int | None = None
    evaluation_comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TrainingParticipants(SQLModel, table=True):
    """Number of professionals of one profile who attended a session (rows with zero are not kept)."""

    __tablename__ = "training_participants"
    __table_args__ = (
        sa.CheckConstraint("headcount > 0", name="ck_training_participants_headcount"),
        enum_check("profile", TrainingProfile, name="ck_training_participants_profile"),
        # Headcounts of a session read from the index alone (the indicators sum them per period).
        sa.Index("ix_training_participants_session_cover", "session_id", "profile", "headcount"),
    )

    session_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True)
    )
    profile: str = Field(sa_column=sa.Column(sa.String(30), primary_key=True))
    headcount: int


class TrainingAttendance(SQLModel, table=True):
    """A partner structure whose staff attended a session."""

    __tablename__ = "training_attendance"

    session_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True)
    )
    structure_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("structures.id"), primary_key=True, index=True)
    )
