"""The migrations build exactly the schema the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401
from core.db import engine


def test_migrations_match_models(db):
    with engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_reference_data_loaded(db):
    from services.directory.referential import departement_options, region_options

    assert len(departement_options()) == 101
    assert len(region_options()) == 18
    assert sum(o.overseas for o in departement_options()) == 5
