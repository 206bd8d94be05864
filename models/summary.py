"""Summary tables: national counts per month of the tables that whole-network indicators read over a period.

A row counts the source rows of one month that share one value of one dimension (`dimension` names
the column, `key` holds its value as text; the dimension "" with key "" is the month's total). Their
size is bounded by the vocabulary of each dimension (a few hundred rows a month), not by the volume of
the network: ten times more requests leave them as large. They are national: a reading limited to a
territory, or to a period that does not start and end on whole months, reads the source rows.

They are kept in the writing transaction by `core.summaries` (never written by hand, so not audited:
the source rows are) and hold nothing but counts, no child and no free text.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class RequestMonthCount(SQLModel, table=True):
    """Requests received per month (first day) and value of one dimension."""

    __tablename__ = "summary_request_months"
    __audit__ = False
    __table_args__ = (sa.CheckConstraint("requests > 0", name="ck_summary_request_months_positive"),)

    month: date = Field(primary_key=True, description="first day of the month of receipt")
    dimension: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=40)
    requests: int


class SignalementMonthCount(SQLModel, table=True):
    """Signalements declared per month (first day) and value of one dimension (current classification)."""

    __tablename__ = "summary_signalement_months"
    __audit__ = False
    __table_args__ = (sa.CheckConstraint("signalements > 0", name="ck_summary_signalement_months_positive"),)

    month: date = Field(primary_key=True, description="first day of the month of declaration")
    dimension: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=40)
    signalements: int
