"""health check row: /healthz proves the database takes writes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:05:00

"""
from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', surveys.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_checks'))
    )


def downgrade():
    op.drop_table('health_checks')
