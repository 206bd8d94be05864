"""Failed log-ins counted per typed user name and client address, and per address alone.

A row exists for a name whether or not an account bears it: the answer to a log-in attempt
never tells whether an account exists (see services.admin.login_throttle).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, utcnow

# The user name of a row that counts an address's failures over every name.
ANY_NAME = ""


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttles"
    __audit__: ClassVar[bool] = False  # itself a log of failures; unlocking by the coordination is audited
    __table_args__ = (sa.UniqueConstraint("username", "address", name="uq_login_throttles_username_address"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60)  # as typed (lower case), or ANY_NAME
    address: str = Field(max_length=64)
    failures: int = Field(default=0)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
