"""a training's programme, objectives and trainer's organisation; a session's topic

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:30:00

"""
from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')
EMPTY = sa.text("'{}'")


# Plain ADD COLUMN (SQLite allows it with a constant default), never a batch "recreate":
# rebuilding the trainings table on SQLite drops it first, and with foreign keys on that
# deletes every session and registration through ON DELETE CASCADE.


def upgrade():
    op.add_column('trainings', sa.Column('programme', JSON, server_default=EMPTY, nullable=False))
    op.add_column('trainings', sa.Column('objectives', JSON, server_default=EMPTY, nullable=False))
    op.add_column('trainings', sa.Column('trainer_organisation', sa.String(length=200), server_default='', nullable=False))
    op.add_column('training_sessions', sa.Column('topic', JSON, server_default=EMPTY, nullable=False))


def downgrade():
    # SQLite (3.35+) drops a column in place as well.
    op.drop_column('training_sessions', 'topic')
    op.drop_column('trainings', 'trainer_organisation')
    op.drop_column('trainings', 'objectives')
    op.drop_column('trainings', 'programme')
