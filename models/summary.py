"""Summary tables: counts per day of the tables that whole-network indicators read over a period.

Each row counts the source rows of one day and one combination of the dimensions the indicators
split by. They are kept in the writing transaction by `core.summaries` (never written by hand, so not
audited: the source rows are) and hold nothing but counts, no child and no free text.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class RequestDayCount(SQLModel, table=True):
    """Requests received per day, exploitation département, requester kind and requester département."""

    __tablename__ = "summary_request_days"
    __audit__ = False
    __table_args__ = (sa.CheckConstraint("requests > 0", name="ck_summary_request_days_positive"),)

    received_on: date = Field(primary_key=True)
    exploitation_departement_code: str = Field(primary_key=True, max_length=3)
    requester_kind: str = Field(primary_key=True, max_length=30)
    requester_departement_code: str = Field(primary_key=True, max_length=3)
    requests: int


class SignalementDayCount(SQLModel, table=True):
    """Signalements declared per day, structure, current category and current severity."""

    __tablename__ = "summary_signalement_days"
    __audit__ = False
    __table_args__ = (sa.CheckConstraint("signalements > 0", name="ck_summary_signalement_days_positive"),)

    declared_on: date = Field(primary_key=True)
    structure_id: int = Field(primary_key=True)
    current_category: str = Field(primary_key=True, max_length=30)
    current_severity: str = Field(primary_key=True, max_length=20)
    signalements: int
