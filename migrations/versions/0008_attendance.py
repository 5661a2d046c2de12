"""attendance: who was marked present at each session

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 14:10:00

"""
from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', surveys.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('marked_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_attendance_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_attendance_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_attendance_registration_id_session_id'))
    )
    op.create_index(op.f('ix_attendance_registration_id'), 'attendance', ['registration_id'], unique=False)
    op.create_index(op.f('ix_attendance_session_id'), 'attendance', ['session_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_attendance_session_id'), table_name='attendance')
    op.drop_index(op.f('ix_attendance_registration_id'), table_name='attendance')
    op.drop_table('attendance')
