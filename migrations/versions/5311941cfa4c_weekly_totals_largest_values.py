"""weekly totals keep their two largest values

Revision ID: 5311941cfa4c
Revises: dd3802185a3f
Create Date: 2026-12-03 19:40:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '5311941cfa4c'
down_revision: Union[str, None] = 'dd3802185a3f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The totals are derived data: recomputed from the counted reports (sent or approved), as
# services.weekly.totals does, so the new columns are filled for every week already stored.
REFILL = """
INSERT INTO weekly_totals (week_start, element_id, total, structures, max_value, second_value)
SELECT week_start, element_id, SUM(value), COUNT(value),
       MAX(CASE WHEN position = 1 THEN value END), MAX(CASE WHEN position = 2 THEN value END)
FROM (
    SELECT r.week_start, v.element_id, v.value,
           ROW_NUMBER() OVER (PARTITION BY r.week_start, v.element_id ORDER BY v.value DESC) AS position
    FROM weekly_reports r JOIN weekly_values v ON v.report_id = r.id
    WHERE r.status IN ('envoye', 'valide') AND v.value IS NOT NULL
) ranked
GROUP BY week_start, element_id
"""


def _create(*extra: sa.Column) -> None:
    op.create_table('weekly_totals',
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('structures', sa.Integer(), nullable=False),
    *extra,
    sa.CheckConstraint('structures > 0', name='ck_weekly_totals_structures'),
    sa.ForeignKeyConstraint(['element_id'], ['weekly_elements.id'], ),
    sa.PrimaryKeyConstraint('week_start', 'element_id'),
    sqlite_with_rowid=False
    )


def upgrade() -> None:
    # Derived data: the table is built anew (SQLite cannot add a NOT NULL column without a default).
    op.drop_table('weekly_totals')
    _create(sa.Column('max_value', sa.Float(), nullable=False), sa.Column('second_value', sa.Float(), nullable=True))
    op.execute(REFILL)


def downgrade() -> None:
    op.drop_table('weekly_totals')
    _create()
    op.execute("INSERT INTO weekly_totals (week_start, element_id, total, structures) "
               "SELECT r.week_start, v.element_id, SUM(v.value), COUNT(v.value) "
               "FROM weekly_reports r JOIN weekly_values v ON v.report_id = r.id "
               "WHERE r.status IN ('envoye', 'valide') AND v.value IS NOT NULL GROUP BY r.week_start, v.element_id")
