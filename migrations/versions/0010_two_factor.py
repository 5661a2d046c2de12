"""two-step login: a TOTP secret, the last step used, recovery code hashes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.add_column('staff_users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('staff_users', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.add_column('staff_users', sa.Column('recovery_code_hashes', JSON, server_default='[]', nullable=False))


def downgrade():
    op.drop_column('staff_users', 'recovery_code_hashes')
    op.drop_column('staff_users', 'totp_last_step')
    op.drop_column('staff_users', 'totp_secret')
