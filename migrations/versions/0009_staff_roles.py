"""staff roles: administrator, coordinator, reader

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts were the dashboard's only kind, with every right: administrators.
    op.add_column('staff_users', sa.Column('role', sa.String(length=16), server_default='administrator', nullable=False))


def downgrade():
    op.drop_column('staff_users', 'role')
