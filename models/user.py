"""Accounts: who may log in, with which role and scope."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class Role(LabelledEnum):
    COORDINATION = ("coordination", "Coordination nationale")
    PARTENAIRE = ("partenaire", "Structure partenaire")
    FINANCEUR = ("financeur", "Financeur")
    ORIENTEUR = ("orienteur", "Service orienteur")


_user_version = version_column()


class UserBase(SQLModel):
    username: str = Field(max_length=60)
    display_name: str = Field(max_length=120)
    email: str = Field(max_length=160)
    role: str = Field(max_length=20)
    structure_id: int | None = Field(default=None, foreign_key="structures.id", index=True)
    region_code: str | None = Field(default=None, foreign_key="regions.code", max_length=3)
    departement_code: str | None = Field(default=None, foreign_key="departements.code", max_length=3)
    active: bool = Field(default=True)


class User(UserBase, table=True):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "app_users"
    __table_args__ = (
        sa.UniqueConstraint("username", name="uq_app_users_username"),
        enum_check("role", Role, name="ck_app_users_role"),
        sa.CheckConstraint("(role = 'partenaire') = (structure_id IS NOT NULL)", name="ck_app_users_partner_structure"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _user_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_user_version)
    password_hash: str = Field(max_length=100)
    failed_attempts: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Log-in cookies issued before this instant are refused (set by a log-out or a password reset).
    sessions_revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
