"""The network's référentiel: the criteria partners are held to, and each structure's assessment."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class CriterionCategory(LabelledEnum):
    STAFFING = ("encadrement", "Encadrement et équipes")
    CARE = ("prise_en_charge", "Prise en charge")
    SAFETY = ("securite", "Sécurité")
    FOLLOW_UP = ("parcours", "Suivi du parcours")


class AssessmentLevel(LabelledEnum):
    MET = ("atteint", "Atteint")
    PARTLY = ("partiel", "Partiellement atteint")
    NOT_MET = ("non_atteint", "Non atteint")


_criterion_version = version_column()
_assessment_version = version_column()


class CriterionBase(SQLModel):
    label: str = Field(max_length=160)
    description: str | None = Field(default=None, max_length=1000)
    category: str = Field(default=CriterionCategory.CARE.value, max_length=20)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class StandardCriterion(CriterionBase, table=True):
    """One criterion of the référentiel; retired criteria stay (inactive) with their assessments."""

    __tablename__ = "standard_criteria"
    __table_args__ = (
        sa.UniqueConstraint("label", name="uq_standard_criteria_label"),
        enum_check("category", CriterionCategory, name="ck_standard_criteria_category"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _criterion_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_criterion_version)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CriterionCreate(CriterionBase):
    """What the criterion form provides."""


class CriterionPublic(CriterionBase):
    id: int
    version: int


class StandardAssessment(SQLModel, table=True):
    """The latest assessment of one criterion for one structure (earlier ones live in the audit log)."""

    __tablename__ = "standard_assessments"
    __table_args__ = (
        sa.UniqueConstraint("structure_id", "criterion_id", name="uq_standard_assessments_pair"),
        enum_check("level", AssessmentLevel, name="ck_standard_assessments_level"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _assessment_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_assessment_version)
    structure_id: int = Field(foreign_key="structures.id", index=True)
    criterion_id: int = Field(foreign_key="standard_criteria.id", index=True)
    level: str = Field(max_length=20)
    assessed_on: date
    comment: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
