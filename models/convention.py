"""Agreements (conventions) signed with conseils départementaux."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class ConventionStatus(LabelledEnum):
    DRAFT = ("en_preparation", "En préparation")
    SIGNED = ("signee", "Signée")
    TERMINATED = ("denoncee", "Dénoncée")


class ConventionScope(LabelledEnum):
    REFERRAL = ("orientation", "Repérage et orientation des mineurs")
    SHELTER = ("accueil", "Accueil et hébergement")
    FUNDING = ("financement", "Financement de places")
    TRAINING = ("formation", "Formation des équipes de l'ASE")
    DATA = ("donnees", "Partage d'informations et suivi des parcours")


_convention_version = version_column()


class ConventionBase(SQLModel):
    departement_code: str = Field(foreign_key="departements.code", max_length=3, index=True)
    status: str = Field(default=ConventionStatus.DRAFT.value, max_length=20)
    signed_on: date | None = None
    ends_on: date | None = None
    scope: list[str] = Field(default_factory=list, sa_type=CodeList)
    notes: str | None = Field(default=None, max_length=1000)


class Convention(ConventionBase, table=True):
    """An agreement with the conseil départemental of a département.

    It is in force on a date D when it is signed or terminated, signed on or before D, and its end
    date (for a terminated one: the day it was terminated) is empty or on or after D.
    """

    __tablename__ = "conventions"
    __table_args__ = (
        enum_check("status", ConventionStatus, name="ck_conventions_status"),
        sa.CheckConstraint("status = 'en_preparation' OR signed_on IS NOT NULL", name="ck_conventions_signed"),
        sa.CheckConstraint("status <> 'denoncee' OR ends_on IS NOT NULL", name="ck_conventions_terminated"),
        sa.CheckConstraint("ends_on IS NULL OR signed_on IS NULL OR ends_on >= signed_on", name="ck_conventions_dates"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _convention_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_convention_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConventionCreate(ConventionBase):
    """What the creation form provides."""


class ConventionPublic(ConventionBase):
    id: int
    version: int
    departement_name: str = ""
    region_name: str = ""
    in_force: bool = False
