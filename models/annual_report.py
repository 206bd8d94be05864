"""The qualitative sections of the annual evaluation report, written in the app by the coordination."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import LabelledEnum, UTCDateTime, enum_check, utcnow, version_column


class ReportSection(LabelledEnum):
    HIGHLIGHTS = ("faits_marquants", "Faits marquants de l'année")
    DIFFICULTIES = ("difficultes", "Difficultés rencontrées")
    PARTNERSHIPS = ("partenariats", "Partenariats")
    TRAINING = ("strategie_formation", "Stratégie de formation")
    OUTLOOK = ("perspectives", "Perspectives")


_section_version = version_column()


class AnnualReportSection(SQLModel, table=True):
    """One section of one year's report; each save is a new version (and an audit entry)."""

    __tablename__ = "annual_report_sections"
    __table_args__ = (
        sa.UniqueConstraint("year", "section", name="uq_annual_report_sections_year_section"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="ck_annual_report_sections_year"),
        enum_check("section", ReportSection, name="ck_annual_report_sections_section"),
    )
    __mapper_args__: ClassVar[dict] = {"version_id_col": _section_version}

    id: int | None = Field(default=None, primary_key=True)
    version: int | None = Field(default=None, sa_column=_section_version)
    year: int
    section: str = Field(max_length=30)
    text: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"info": {"max_chars": 20000}})
    updated_by: str = Field(default="", max_length=80)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
