"""No column of an outreach table can hold a person's name, pseudonym, handle or picture."""

import re

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import models  # noqa: F401  (every table registered)
from models.base import CodeList

OUTREACH_TABLES = {
    "outreach_platforms",
    "outreach_sessions",
    "outreach_referrals",
    "supervision_sessions",
    "prevention_actions",
}
# The only text columns allowed, each with why it cannot hold a person met in outreach.
ALLOWED_TEXT = {
    "outreach_platforms.name": "a platform's public name, typed by the coordination only",
    "outreach_sessions.platform_ids": "ids of the platforms list, checked by the service",
    "outreach_sessions.created_by": "the staff member's log-in",
    "outreach_referrals.created_by": "the staff member's log-in",
    "supervision_sessions.created_by": "the staff member's log-in",
    "prevention_actions.created_by": "the staff member's log-in",
}
IDENTIFYING = re.compile(r"name|nom|pseudo|handle|alias|photo|picture|image|url|phone|tel|mail|comment|note|detail")


def enum_checked(table: sa.Table, column: str) -> bool:
    """True when a CHECK constraint keeps `column` within a list of codes."""
    pattern = re.compile(rf"\b{column} IN \(")
    return any(isinstance(c, sa.CheckConstraint) and pattern.search(str(c.sqltext)) for c in table.constraints)


def is_text(column: sa.Column) -> bool:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, sa.String)


def free_text_columns(tables: dict[str, sa.Table]) -> list[str]:
    """Text columns neither kept to a list of codes (CHECK or foreign key) nor in the allowed list."""
    found = []
    for name, table in tables.items():
        for column in table.columns:
            if not is_text(column):
                continue
            if enum_checked(table, column.name) or column.foreign_keys or f"{name}.{column.name}" in ALLOWED_TEXT:
                continue
            found.append(f"{name}.{column.name}")
    return found


def test_outreach_tables_exist():
    assert OUTREACH_TABLES <= set(SQLModel.metadata.tables)


def test_no_outreach_column_can_hold_free_text():
    tables = {name: SQLModel.metadata.tables[name] for name in OUTREACH_TABLES}
    assert free_text_columns(tables) == []


def test_no_outreach_column_is_named_for_an_identifier():
    for name in OUTREACH_TABLES - {"outreach_platforms"}:
        for column in SQLModel.metadata.tables[name].columns:
            assert not IDENTIFYING.search(column.name), f"{name}.{column.name}"


def test_the_scan_would_catch_a_comment_or_a_handle():
    metadata = sa.MetaData()
    table = sa.Table(
        "outreach_sessions",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", AutoString(20)),
        sa.Column("handle", AutoString(60)),
        sa.Column("platform_ids", CodeList()),
        sa.Column("comment", sa.Text),
        sa.CheckConstraint("kind IN ('rue', 'numerique')"),
    )
    found = free_text_columns({"outreach_sessions": table})
    assert found == ["outreach_sessions.handle", "outreach_sessions.comment"]
    table.append_column(sa.Column("pseudonyms", CodeList()))
    assert free_text_columns({"outreach_sessions": table})[-1] == "outreach_sessions.pseudonyms"


def test_the_platform_list_is_capped_in_the_database():
    column = SQLModel.metadata.tables["outreach_platforms"].c["name"]
    assert column.type.length == 60
