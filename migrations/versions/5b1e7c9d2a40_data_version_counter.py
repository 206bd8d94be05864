"""data version counter

Revision ID: 5b1e7c9d2a40
Revises: 5b1e0c2f9a41
Create Date: 2026-12-03 19:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '5b1e7c9d2a40'
down_revision: Union[str, None] = '5b1e0c2f9a41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id = 1', name='ck_data_version_single_row'),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade() -> None:
    op.drop_table('data_version')
