"""A child's path through the network: requests, orientation proposals, placements and their events.

Children are known by a pseudonymous code the system generates, their age in years, their sex and the
facts needed to find them a safe place. No column anywhere holds a name or a birth date (a test scans
the schema for it). Reads of a child's record are written to `child_access_log`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import CodeList, LabelledEnum, UTCDateTime, enum_check, utcnow, version_column
from models.structure import Sex


class ExitReason(LabelledEnum):
    END_OF_CARE = ("fin_prise_en_charge", "Fin de prise en charge")
    REORIENTED = ("reorientation", "Réorientation")
    TURNED_18 = ("majorite", "Majorité")
    FAMILY = ("retour_famille", "Retour en famille sous protection")
    ASE = ("transfert_ase", "Transfert à l'ASE")
    RUNAWAY = ("fugue", "Fugue")
    OTHER = ("autre", "Autre")


class NationalityGroup(LabelledEnum):
    FRANCE = ("france", "France")
    EU = ("ue", "Union européenne (hors France)")
    EUROPE_OTHER = ("europe_hors_ue", "Europe hors Union européenne")
    NORTH_AFRICA = ("afrique_nord", "Afrique du Nord")
    SUBSAHARAN = ("afrique_subsaharienne", "Afrique subsaharienne")
    MIDDLE_EAST = ("moyen_orient", "Proche et Moyen-Orient")
    ASIA = ("asie", "Asie")
    AMERICAS = ("ameriques", "Amériques")
    OTHER = ("autre", "Autre")


class RequesterKind(LabelledEnum):
    POLICE = ("police", "Police nationale")
    GENDARMERIE = ("gendarmerie", "Gendarmerie nationale")
    ASE = ("ase_crip", "ASE / CRIP")
    PJJ = ("pjj", "PJJ")
    PROSECUTOR = ("parquet", "Parquet")
    ASSOCIATION = ("association", "Association")
    EDUCATION = ("education_nationale", "Éducation nationale")
    HOSPITAL = ("hopital", "Hôpital")
    OUTREACH = ("maraude", "Équipe de maraude")
    OTHER = ("autre", "Autre")


class RiskFlag(LabelledEnum):
    IMMEDIATE_DANGER = ("danger_immediat", "Danger immédiat")
    URGENT_HEALTH = ("sante_urgente", "Besoin de santé urgent")
    EXPLOITER_CONTACT = ("exploiteur_contact", "Exploiteur présent ou en contact")
    EARLIER_RUNAWAYS = ("fugues_anterieures", "Fugues antérieures")


class RequestStatus(LabelledEnum):
    NEW = ("nouvelle", "Nouvelle")
    IN_PROGRESS = ("orientation_en_cours", "Orientation en cours")
    ORIENTED = ("orientee", "Orientée")
    PLACED = ("placee", "Placée")
    CLOSED = ("close", "Close sans placement")


class ClosureReason(LabelledEnum):
    NOT_MINOR = ("majeur", "Majorité établie")
    HANDLED_LOCALLY = ("prise_en_charge_locale", "Prise en charge locale (ASE ou autre dispositif)")
    RUNAWAY = ("fugue_avant_accueil", "Fugue avant l'accueil")
    NO_PLACE = ("aucune_place", "Aucune place adaptée")
    WITHDRAWN = ("retrait_demandeur", "Demande retirée par le demandeur")
    CHILD_REFUSED = ("refus_enfant", "Refus de l'enfant")
    OTHER = ("autre", "Autre motif")


class ProposalStatus(LabelledEnum):
    PENDING = ("en_attente", "En attente de réponse")
    ACCEPTED = ("acceptee", "Acceptée")
    REFUSED = ("refusee", "Refusée")
    WITHDRAWN = ("retiree", "Retirée")


class RefusalReason(LabelledEnum):
    NO_PLACE = ("pas_de_place", "Plus de place disponible")
    PROFILE = ("profil", "Profil non adapté au projet de la structure")
    SAFETY = ("securite", "Sécurité (éloignement insuffisant, risque identifié)")
    STAFF = ("equipe", "Équipe indisponible")
    OTHER = ("autre", "Autre motif")


class AuthorityBasis(LabelledEnum):
    """On what ground the person or service holding parental authority agreed, or why not."""

    PARENTAL = ("accord_parental", "Accord du titulaire de l'autorité parentale")
    GUARDIAN = ("accord_service_gardien", "Accord du service gardien (ASE)")
    JUDGE = ("decision_judiciaire", "Décision du juge ou du parquet (OPP)")
    NOT_OBTAINED = ("non_obtenu", "Non obtenu")


class PlacementEventKind(LabelledEnum):
    RUNAWAY = ("fugue", "Fugue")
    RETURN = ("retour", "Retour de fugue")


class Child(SQLModel, table=True):
    """A child known to the network, by a code the system generates."""

    __tablename__ = "children"
    __table_args__ = (
        sa.UniqueConstraint("code", name="uq_children_code"),
        sa.CheckConstraint("age >= 0 AND age < 18", name="ck_children_age"),
        enum_check("sex", Sex, name="ck_children_sex"),
        enum_check("nationality_group", NationalityGroup, name="ck_children_nationality", nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20)
    age: int = Field(description="age in years when the request was received")
    sex: str = Field(max_length=1)
    nationality_group: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_request_version = version_column()


class ChildRequest(SQLModel, table=True):
    """A request (sollicitation) to take a child in, from the service that found the child."""

    __tablename__ = "child_requests"
    __table_args__ = (
        sa.CheckConstraint("child_age >= 0 AND child_age < 18", name="ck_child_requests_age"),
        enum_check("requester_kind", RequesterKind, name="ck_child_requests_requester"),
        enum_check("status", RequestStatus, name="ck_child_requests_status"),
        enum_check("closure_reason", ClosureReason, name="ck_child_requests_closure", nullable=True),
        sa.CheckConstraint("(status = 'close') = (closure_reason IS NOT NULL)", name="ck_child_requests_closed"),
        sa.CheckConstraint("exploitation_forms <> ','", name="ck_child_requests_forms"),
        sa.Index("ix_child_requests_status_received", "status", "received_at"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _request_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_request_version)
    child_id: int = Field(foreign_key="children.id", index=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    received_on: date = Field(index=True, description="day received, in Paris time (for periods)")
    child_age: int
    requester_kind: str = Field(max_length=30)
    requester_departement_code: str = Field(foreign_key="departements.code", max_length=3)
    exploitation_forms: list[str] = Field(default_factory=list, sa_type=CodeList)
    exploitation_departement_code: str = Field(foreign_key="departements.code", max_length=3, index=True)
    risk_flags: list[str] = Field(default_factory=list, sa_type=CodeList)
    status: str = Field(default=RequestStatus.NEW.value, max_length=30)
    oriented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    oriented_on: date | None = Field(default=None, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closure_reason: str | None = Field(default=None, max_length=30)
    closure_detail: str | None = Field(default=None, max_length=300)
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


_proposal_version = version_column()


class OrientationProposal(SQLModel, table=True):
    """The coordination proposes a structure for a request; the structure accepts or refuses."""

    __tablename__ = "orientation_proposals"
    __table_args__ = (
        enum_check("status", ProposalStatus, name="ck_orientation_proposals_status"),
        enum_check("refusal_reason", RefusalReason, name="ck_orientation_proposals_refusal", nullable=True),
        enum_check("authority_basis", AuthorityBasis, name="ck_orientation_proposals_authority", nullable=True),
        sa.CheckConstraint(
            "(status = 'refusee') = (refusal_reason IS NOT NULL)", name="ck_orientation_proposals_refused"
        ),
        sa.Index("ix_orientation_proposals_structure_status", "structure_id", "status"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _proposal_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_proposal_version)
    request_id: int = Field(foreign_key="child_requests.id", index=True)
    structure_id: int = Field(foreign_key="structures.id")
    status: str = Field(default=ProposalStatus.PENDING.value, max_length=20)
    distance_km: float | None = None
    finder_note: str | None = Field(default=None, max_length=400)
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    proposed_by: str = Field(max_length=60)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: str | None = Field(default=None, max_length=60)
    refusal_reason: str | None = Field(default=None, max_length=30)
    answer_detail: str | None = Field(default=None, max_length=300)
    # Consent: the child's assent, and the consent of who holds parental authority (or a judge's order).
    assent_obtained: bool | None = None
    assent_missing_reason: str | None = Field(default=None, max_length=300)
    authority_basis: str | None = Field(default=None, max_length=30)
    authority_missing_reason: str | None = Field(default=None, max_length=300)
    consent_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_recorded_by: str | None = Field(default=None, max_length=60)


_placement_version = version_column()


class Placement(SQLModel, table=True):
    """A child's stay in a partner structure; open while `end_date` is empty."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= arrival_date", name="ck_placements_dates"),
        enum_check("exit_reason", ExitReason, name="ck_placements_exit_reason", nullable=True),
        sa.UniqueConstraint("request_id", name="uq_placements_request"),
        sa.Index("ix_placements_structure_open", "structure_id", "end_date"),
        # Indicators over a period: arrivals in a date range, children counted from the index.
        sa.Index("ix_placements_arrival", "arrival_date", "child_id", "request_id"),
        # No two open placements for one child, also in the database.
        sa.Index(
            "uq_placements_child_open",
            "child_id",
            unique=True,
            sqlite_where=sa.text("end_date IS NULL"),
            postgresql_where=sa.text("end_date IS NULL"),
        ),
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
    request_id: int | None = Field(default=None, foreign_key="child_requests.id")
    distance_km: float | None = Field(default=None, description="exploitation département to structure, km")
    exit_detail: str | None = Field(default=None, max_length=300)
    recorded_by: str | None = Field(default=None, max_length=60)
    on_runaway: bool = Field(default=False, description="the child ran away and has not come back yet")


class PlacementEvent(SQLModel, table=True):
    """A runaway or a return during a placement (append-only)."""

    __tablename__ = "placement_events"
    __table_args__ = (enum_check("kind", PlacementEventKind, name="ck_placement_events_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placements.id", index=True)
    kind: str = Field(max_length=20)
    occurred_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=60)


class ChildAccess(SQLModel, table=True):
    """Who opened which child's record, and when. A log itself, so not copied to the audit log."""

    __tablename__ = "child_access_log"
    __audit__: ClassVar[bool] = False

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_users.id", index=True)
    staff_login: str = Field(max_length=60, description="the staff member's log-in (never the child's)")
    staff_role: str = Field(max_length=20)
    staff_structure_id: int | None = Field(default=None, foreign_key="structures.id")
    child_id: int = Field(foreign_key="children.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="child_requests.id")
    context: str = Field(max_length=60)
