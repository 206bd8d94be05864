"""Column types and helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# Free texts stored as TEXT (facts, notes, objectives) hold at most this many characters.
FREE_TEXT_MAX = 5000


def utcnow() -> datetime:
    """The current instant, aware, in UTC: the only kind of datetime the database stores."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite would otherwise hand back naive values).

    >>> UTCDateTime().process_result_value(datetime(2025, 1, 1), None).tzinfo
    datetime.timezone.utc
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CodeList(TypeDecorator):
    """A small set of enumeration codes kept in one text column as `,a,b,`.

    The surrounding commas let SQL filter on one code with `LIKE '%,code,%'` on both backends
    (see `code_list_contains`).

    >>> CodeList().process_bind_param(["b", "a"], None)
    ',a,b,'
    """

    impl = sa.String(400)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return ","
        codes = sorted({str(v.value if isinstance(v, Enum) else v) for v in value})
        return "," + ",".join(codes) + ("," if codes else "")

    def process_result_value(self, value, dialect):
        if not value:
            return []
        return [code for code in value.split(",") if code]


LIKE_ESCAPE = "\\"


def like_escape(text: str) -> str:
    """`text` inside a LIKE pattern read with `escape=LIKE_ESCAPE`: `%` and `_` match only themselves.

    Example: `column.like(f"%{like_escape(typed)}%", escape=LIKE_ESCAPE)`.
    """
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def code_list_contains(column, code: str):
    """SQL condition: the CodeList column holds `code`.

    The pattern is bound as plain text: bound against the column, CodeList would encode it as a list.
    """
    return column.like(sa.literal(f"%,{like_escape(code)},%", type_=sa.String()), escape=LIKE_ESCAPE)


def enum_check(column: str, enum_cls: type[Enum], *, name: str, nullable: bool = False) -> sa.CheckConstraint:
    """A CHECK constraint keeping a string column within an enumeration's values."""
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=name)


def version_column() -> sa.Column:
    """A fresh optimistic-lock column; pass it to `__mapper_args__ = {"version_id_col": ...}` too."""
    return sa.Column("version", sa.Integer, nullable=False)


class LabelledEnum(str, Enum):
    """A string enumeration whose members carry their French label.

    >>> class Colour(LabelledEnum):
    ...     RED = ("red", "Rouge")
    >>> Colour.RED.value, Colour.RED.label
    ('red', 'Rouge')
    """

    def __new__(cls, value: str, label: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, value: str | None) -> str:
        if value is None:
            return ""
        try:
            return cls(value).label
        except ValueError:
            return str(value)
