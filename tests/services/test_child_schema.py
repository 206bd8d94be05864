"""No column of a child-related table can hold a child's name or birth date."""

import re

from sqlmodel import SQLModel

import models  # noqa: F401  (every table registered)

FORBIDDEN = re.compile(
    r"name|nom|prenom|prénom|surname|birth|naissance|born|dob|ddn|date_de_naissance|lieu_naissance",
    re.IGNORECASE,
)


# Columns naming the professional who wrote a step (staff of the network, never the child).
STAFF_AUTHOR_COLUMNS = {"signalements.declared_by_name", "signalement_events.author_name"}


def child_related_tables() -> set[str]:
    """`children` and every table whose foreign keys lead to it, directly or through other tables."""
    tables = SQLModel.metadata.tables
    related = {"children"}
    grown = True
    while grown:
        grown = False
        for name, table in tables.items():
            if name in related:
                continue
            if any(fk.column.table.name in related for fk in table.foreign_keys):
                related.add(name)
                grown = True
    return related


def test_child_related_tables_are_found():
    assert {
        "children",
        "child_requests",
        "orientation_proposals",
        "placements",
        "placement_events",
        "child_access_log",
    } <= child_related_tables()


def test_no_column_could_hold_a_name_or_a_birth_date():
    offending = [
        f"{table}.{column.name}"
        for table in sorted(child_related_tables())
        for column in SQLModel.metadata.tables[table].columns
        if FORBIDDEN.search(column.name) and f"{table}.{column.name}" not in STAFF_AUTHOR_COLUMNS
    ]
    assert offending == []


def test_the_scan_would_catch_one():
    assert FORBIDDEN.search("first_name") and FORBIDDEN.search("date_naissance") and FORBIDDEN.search("birthdate")
    assert FORBIDDEN.search("nom_usage") and FORBIDDEN.search("prenom")
    assert not FORBIDDEN.search("nationality_group") and not FORBIDDEN.search("child_age")
