"""messages to a training's registrants, reminders before the first session

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:20:00

"""
from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# Plain ADD COLUMN only (see 0006): a batch "recreate" of trainings or registrations on
# SQLite deletes the rows that refer to them through ON DELETE CASCADE.


def upgrade():
    op.create_table('training_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('subject', JSON, nullable=False),
    sa.Column('body', JSON, nullable=False),
    sa.Column('sent_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', surveys.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.CheckConstraint("audience IN ('confirmed', 'waitlisted', 'both')", name=op.f('ck_training_messages_audience')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_messages_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_messages'))
    )
    op.create_index(op.f('ix_training_messages_training_id'), 'training_messages', ['training_id'], unique=False)
    op.add_column('trainings', sa.Column('reminder_days', sa.Integer(), server_default='2', nullable=True))
    op.add_column('registrations', sa.Column('reminded_at', surveys.models.UTCDateTime(timezone=True), nullable=True))
    # The outbox can be rebuilt (nothing refers to it): SQLite adds a foreign key that way.
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('training_message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payload', JSON, nullable=True))
        batch_op.create_foreign_key(op.f('fk_outbox_training_message_id_training_messages'), 'training_messages', ['training_message_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_outbox_training_message_id'), 'outbox', ['training_message_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outbox_training_message_id'), table_name='outbox')
    with op.batch_alter_table('outbox') as batch_op:  # the outbox has no dependants
        batch_op.drop_constraint(op.f('fk_outbox_training_message_id_training_messages'), type_='foreignkey')
        batch_op.drop_column('payload')
        batch_op.drop_column('training_message_id')
    op.drop_column('registrations', 'reminded_at')
    op.drop_column('trainings', 'reminder_days')
    op.drop_index(op.f('ix_training_messages_training_id'), table_name='training_messages')
    op.drop_table('training_messages')
