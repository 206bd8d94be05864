"""Partner structures of the network: the places that take children in."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class StructureKind(LabelledEnum):
    MECS = ("mecs", "MECS")
    FOYER = ("foyer", "Foyer de l'enfance")
    LIEU_DE_VIE = ("lieu_de_vie", "Lieu de vie et d'accueil")
    PLACEMENT_FAMILIAL = ("placement_familial", "Placement familial")
    CENTRE_PJJ = ("centre_pjj", "Centre éducatif PJJ")
    CHRS = ("chrs", "CHRS")
    ASSOCIATION = ("association", "Association spécialisée")
    OTHER = ("autre", "Autre")


class NetworkStatus(LabelledEnum):
    JOINING = ("adhesion", "En cours d'adhésion")
    ACTIVE = ("actif", "Active")
    SUSPENDED = ("suspendu", "Suspendue")
    LEFT = ("sorti", "Sortie du réseau")


class Sex(LabelledEnum):
    FEMALE = ("F", "Fille")
    MALE = ("M", "Garçon")
    OTHER = ("X", "Autre / non précisé")


class ExploitationForm(LabelledEnum):
    SEXUAL = ("sexuelle", "Exploitation sexuelle")
    LABOUR = ("travail", "Exploitation par le travail")
    CRIMINALITY = ("delits", "Contrainte à commettre des délits")
    BEGGING = ("mendicite", "Mendicité forcée")
    DOMESTIC = ("domestique", "Servitude domestique")
    MARRIAGE = ("mariage", "Mariage forcé")
    OTHER = ("autre", "Autre")


class OnSiteService(LabelledEnum):
    PSYCHOLOGICAL = ("psy", "Soutien psychologique")
    HEALTH = ("sante", "Soins / santé")
    LEGAL = ("juridique", "Accompagnement juridique")
    SCHOOLING = ("scolarite", "Scolarité / formation")
    INTERPRETING = ("interpretariat", "Interprétariat")
    SECURE = ("securise", "Hébergement sécurisé / adresse protégée")
    OTHER = ("autre", "Autre")


_structure_version = version_column()


STRUCTURE_NOT_FOUND = "Structure introuvable."


class StructureBase(SQLModel):
    name: str = Field(max_length=160)
    kind: str = Field(max_length=30)
    departement_code: str = Field(foreign_key="departements.code", max_length=3, index=True)
    commune: str = Field(max_length=120)
    capacity: int = Field(ge=0)
    age_min: int = Field(default=10, ge=0, le=17)
    age_max: int = Field(default=17, ge=0, le=17)
    sexes: list[str] = Field(default_factory=list, sa_type=CodeList)
    exploitation_forms: list[str] = Field(default_factory=list, sa_type=CodeList)
    services: list[str] = Field(default_factory=list, sa_type=CodeList)
    status: str = Field(default=NetworkStatus.JOINING.value, max_length=20, index=True)
    joined_on: date | None = None
    left_on: date | None = None
    status_changed_on: date | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=160)


class Structure(StructureBase, table=True):
    __tablename__ = "structures"
    __table_args__ = (
        sa.UniqueConstraint("name", name="uq_structures_name"),
        sa.CheckConstraint("capacity >= 0", name="ck_structures_capacity"),
        sa.CheckConstraint("age_min <= age_max AND age_max < 18", name="ck_structures_ages"),
        enum_check("kind", StructureKind, name="ck_structures_kind"),
        enum_check("status", NetworkStatus, name="ck_structures_status"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _structure_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_structure_version)
    contact_checked_on: date | None = Field(
        default=None, description="last day the structure's staff saved or confirmed its contact and capacity"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StructureStatusChange(SQLModel, table=True):
    """One step of a structure's network status: `status` holds from `effective_on` until the next step.

    The status of a structure at a date is the one of its latest step effective on or before that
    date; before its first step the structure was not in the network.
    """

    __tablename__ = "structure_status_changes"
    __table_args__ = (
        enum_check("status", NetworkStatus, name="ck_structure_status_changes_status"),
        sa.Index("ix_structure_status_changes_structure_date", "structure_id", "effective_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    structure_id: int = Field(foreign_key="structures.id")
    status: str = Field(max_length=20)
    effective_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StructureCreate(StructureBase):
    """What a creation form or an import row provides."""


class StructureUpdate(SQLModel):
    """A change to a structure: only the fields set are changed (partner staff: contact and capacity)."""

    name: str | None = None
    kind: str | None = None
    departement_code: str | None = None
    commune: str | None = None
    capacity: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    sexes: list[str] | None = None
    exploitation_forms: list[str] | None = None
    services: list[str] | None = None
    status: str | None = None
    joined_on: date | None = None
    left_on: date | None = None
    status_changed_on: date | None = None
    phone: str | None = None
    email: str | None = None


class StructurePublic(StructureBase):
    id: int
    version: int
    contact_checked_on: date | None = None
    updated_at: datetime | None = None
