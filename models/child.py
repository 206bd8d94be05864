"""Children and their placements: pseudonymous codes only, never a name or a birth date."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column
from models.structure import Sex


class ExitReason(LabelledEnum):
    END_OF_CARE = ("fin_prise_en_charge", "Fin de prise en charge")
    REORIENTED = ("reorientation", "Réorientation")
    TURNED_18 = ("majorite", "Majorité")
    FAMILY = ("retour_famille", "Retour en famille sous protection")
    ASE = ("transfert_ase", "Transfert à l'ASE")
    RUNAWAY = ("fugue", "Fugue")
    OTHER = ("autre", "Autre")


class Child(SQLModel, table=True):
    """A child known to the network, by a code the system generates."""

    __tablename__ = "children"
    __table_args__ = (
        sa.UniqueConstraint("code", name="uq_children_code"),
        sa.CheckConstraint("age >= 0 AND age < 18", name="ck_children_age"),
        enum_check("sex", Sex, name="ck_children_sex"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20)
    age: int = Field(description="age in years when the request was received")
    sex: str = Field(max_length=1)
    nationality_group: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_placement_version = version_column()


class Placement(SQLModel, table=True):
    """A child's stay in a partner structure; open while `end_date` is empty."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= arrival_date", name="ck_placements_dates"),
        enum_check("exit_reason", ExitReason, name="ck_placements_exit_reason", nullable=True),
        sa.Index("ix_placements_structure_open", "structure_id", "end_date"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _placement_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_placement_version)
    child_id: int = Field(foreign_key="children.id", index=True)
    structure_id: int = Field(foreign_key="structures.id")
    arrival_date: date
    end_date: date | None = None
    exit_reason: str | None = Field(default=None, max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
