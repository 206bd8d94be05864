"""One counter row that every writing transaction increments: the data version of cached reads.

It moves at each commit that wrote anything, whatever order concurrent transactions commit in
(unlike the newest audit id, which an earlier transaction committing last leaves unchanged).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="ck_data_version_single_row"),)
    __audit__ = False

    id: int = Field(default=1, primary_key=True)
    n: int = Field(default=0, sa_type=sa.BigInteger)
