"""Weekly figures: the data elements the coordination defines, and each structure's weekly report.

Values live in a long table (report, element, value): adding an element is a row, not a column,
and every aggregate reads narrow covering indexes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class ValueKind(LabelledEnum):
    INTEGER = ("entier", "Nombre entier")
    DECIMAL = ("decimal", "Nombre décimal")


class Aggregation(LabelledEnum):
    """How an element adds up over several weeks (across structures, values are always summed)."""

    SUM = ("somme", "Flux : somme des semaines")
    LAST = ("dernier", "Stock : dernière semaine connue")
    AVERAGE = ("moyenne", "Stock : moyenne des semaines")


class ReportStatus(LabelledEnum):
    DRAFT = ("brouillon", "Brouillon")
    SUBMITTED = ("envoye", "Envoyé")
    SENT_BACK = ("renvoye", "Renvoyé pour correction")
    APPROVED = ("valide", "Validé")


_element_version = version_column()


class WeeklyElementBase(SQLModel):
    label: str = Field(max_length=120)
    help_text: str = Field(default="", max_length=500)
    value_kind: str = Field(default=ValueKind.INTEGER.value, max_length=10)
    minimum: float | None = Field(default=0)
    maximum: float | None = None
    required: bool = Field(default=True)
    active: bool = Field(default=True)
    aggregation: str = Field(default=Aggregation.SUM.value, max_length=10)
    capped_by_capacity: bool = Field(default=False, description="value may not exceed the structure's capacity")
    position: int = Field(default=100)


class WeeklyElement(WeeklyElementBase, table=True):
    """A figure every structure reports each week (places, children present, arrivals…)."""

    __tablename__ = "weekly_elements"
    __table_args__ = (
        sa.UniqueConstraint("code", name="uq_weekly_elements_code"),
        sa.UniqueConstraint("label", name="uq_weekly_elements_label"),
        sa.CheckConstraint(
            "minimum IS NULL OR maximum IS NULL OR minimum <= maximum", name="ck_weekly_elements_bounds"
        ),
        enum_check("value_kind", ValueKind, name="ck_weekly_elements_kind"),
        enum_check("aggregation", Aggregation, name="ck_weekly_elements_aggregation"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _element_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_element_version)
    code: str = Field(max_length=40, description="stable identifier used by imports and rules; never changes")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WeeklyElementCreate(WeeklyElementBase):
    code: str | None = None


class WeeklyElementUpdate(SQLModel):
    label: str | None = None
    help_text: str | None = None
    value_kind: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    required: bool | None = None
    active: bool | None = None
    aggregation: str | None = None
    capped_by_capacity: bool | None = None
    position: int | None = None


class WeeklyElementPublic(WeeklyElementBase):
    id: int
    code: str
    version: int


_report_version = version_column()


class WeeklyReport(SQLModel, table=True):
    """One structure's figures for one ISO week (`week_start` is its Monday)."""

    __tablename__ = "weekly_reports"
    __table_args__ = (
        sa.UniqueConstraint("structure_id", "week_start", name="uq_weekly_reports_structure_week"),
        # Boards scan weeks across all structures: this index answers them without the table.
        sa.Index("ix_weekly_reports_week", "week_start", "structure_id", "status", "submitted_late"),
        enum_check("status", ReportStatus, name="ck_weekly_reports_status"),
        sa.CheckConstraint(
            "status = 'brouillon' OR first_submitted_at IS NOT NULL", name="ck_weekly_reports_submitted"
        ),
        sa.CheckConstraint("(first_submitted_at IS NULL) = (submitted_late IS NULL)", name="ck_weekly_reports_late"),
        sa.CheckConstraint("status <> 'renvoye' OR sent_back_reason IS NOT NULL", name="ck_weekly_reports_reason"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _report_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_report_version)
    structure_id: int = Field(foreign_key="structures.id")
    week_start: date
    status: str = Field(default=ReportStatus.DRAFT.value, max_length=10)
    first_submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_late: bool | None = Field(default=None, description="first submission after the week's deadline")
    sent_back_reason: str | None = Field(default=None, max_length=1000)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: str | None = Field(default=None, max_length=60)
    unlocked: bool = Field(default=False, description="reopened by the coordination after lock or approval")
    unlock_reason: str | None = Field(default=None, max_length=1000)
    updated_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WeeklyValue(SQLModel, table=True):
    """One figure of one report; an empty value must carry a comment saying why."""

    # The service audits values itself, one entry per report save listing every value before and
    # after (a row per figure would bury the log and slow bulk loads tenfold).
    __audit__ = False
    __tablename__ = "weekly_values"
    __table_args__ = (
        sa.CheckConstraint("value IS NOT NULL OR comment IS NOT NULL", name="ck_weekly_values_value_or_comment"),
        # Network charts read one element over many reports: covering, no table access.
        sa.Index("ix_weekly_values_element", "element_id", "report_id", "value"),
        # On SQLite the rows are stored in primary-key order: a report's values sit together and
        # are read without a second lookup (PostgreSQL ignores this option).
        {"sqlite_with_rowid": False},
    )

    report_id: int = Field(foreign_key="weekly_reports.id", primary_key=True)
    element_id: int = Field(foreign_key="weekly_elements.id", primary_key=True)
    value: float | None = None
    comment: str | None = Field(default=None, max_length=500)


class WeeklyTotal(SQLModel, table=True):
    """Network total of one element for one week over the counted reports (sent or approved).

    Derived data, kept in step by the services that write reports or values (services.weekly.totals):
    the network chart reads a few hundred of these rows instead of every structure's figures.
    """

    __audit__ = False
    __tablename__ = "weekly_totals"
    __table_args__ = (
        sa.CheckConstraint("structures > 0", name="ck_weekly_totals_structures"),
        {"sqlite_with_rowid": False},
    )

    week_start: date = Field(primary_key=True)
    element_id: int = Field(foreign_key="weekly_elements.id", primary_key=True)
    total: float
    structures: int = Field(description="counted reports with a value for this element")
    # The two largest values, so that the share of the largest contributor, with or without the
    # reader's own structure, can be checked without reading every report (services.weekly.contributors).
    max_value: float = Field(description="largest value of one structure")
    second_value: float | None = Field(default=None, description="second largest value (None with one structure)")
