"""waiting list, cancellation tokens, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:27:06.563679

"""
from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', surveys.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', surveys.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_at', surveys.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', surveys.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_status')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_outbox_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', surveys.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waitlisted_at', surveys.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', surveys.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_at', surveys.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_registrations_training_id_status', ['training_id', 'status'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registrations_cancel_token_hash'), ['cancel_token_hash'])
        batch_op.create_check_constraint('status', "status IN ('confirmed', 'waitlisted', 'cancelled')")

    # Registrations made before the waiting list existed were all confirmed on arrival.
    op.execute("UPDATE registrations SET confirmed_at = created_at WHERE status = 'confirmed'")



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registrations_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_registrations_cancel_token_hash'), type_='unique')
        batch_op.drop_index('ix_registrations_training_id_status')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('notified_at')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('waitlisted_at')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('cancel_token_hash')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_registration_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_recipient'))

    op.drop_table('outbox')
