"""Signalement history guarded by the database: triggers refuse edits and deletions

Revision ID: 5b1e0c2f9a41
Revises: cf50f29a7c17
Create Date: 2026-12-03 20:00:00
"""
from typing import Sequence, Union

from alembic import op

from models.signalement_guard import guard_create_statements, guard_drop_statements

revision: str = '5b1e0c2f9a41'
down_revision: Union[str, None] = 'cf50f29a7c17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for statement in guard_create_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in guard_drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
