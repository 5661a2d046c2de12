"""forms as data: forms, their published versions, and each answer's version

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:50:00

The survey, the ILI form and the training sign-up form, as they were defined in Python until
this revision, become version 1 of three forms: their documents are frozen beside this file
(0005_forms_v1.json, written from surveys/forms/seeds/ on that day; later changes to the
seed files make later versions, through ``flask forms load``). Every answer and registration
already stored points at version 1 of its form, with the same codes.
"""
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import op
import sqlalchemy as sa

import surveys.models


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

VERSION_1 = Path(__file__).with_name("0005_forms_v1.json")


def upgrade():
    forms = op.create_table('forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('short_address', sa.Boolean(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('on_posters', sa.Boolean(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.Column('retention_months', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=True),
    sa.Column('draft', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('created_at', surveys.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', surveys.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forms')),
    sa.UniqueConstraint('code', name=op.f('uq_forms_code')),
    sa.UniqueConstraint('slug', name=op.f('uq_forms_slug'))
    )
    versions = op.create_table('form_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('published_at', surveys.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_form_versions_form_id_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_versions')),
    sa.UniqueConstraint('form_id', 'number', name=op.f('uq_form_versions_form_id_number'))
    )

    now = datetime.now(UTC)
    frozen = json.loads(VERSION_1.read_text(encoding="utf-8"))
    # In the order the dashboard has always listed them.
    for number, code in enumerate(("survey", "ili", "training_signup"), start=1):
        form = frozen[code]
        op.bulk_insert(forms, [{
            "id": number, "code": code, "is_open": True, "opens_on": None, "closes_on": None,
            "current_version": 1, "draft": None, "created_at": now, "updated_at": now, **form["settings"],
        }])
        op.bulk_insert(versions, [{
            "id": number, "form_id": number, "number": 1, "document": form["document"],
            "published_at": now, "published_by": "seed file",
        }])
    if op.get_bind().dialect.name == "postgresql":
        # The rows above were given their ids: the sequences go on after them.
        for table in ("forms", "form_versions"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registrations_extra_version_id_form_versions'), 'form_versions', ['extra_version_id'], ['id'])
    for table in ('submissions', 'registrations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        form_code = "submissions.form" if table == "submissions" else "'training_signup'"
        op.execute(
            f"UPDATE {table} SET version_id = (SELECT v.id FROM form_versions v JOIN forms f ON f.id = v.form_id"
            f" WHERE f.code = {form_code} AND v.number = {table}.form_version)"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_version_id'), ['version_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_version_id_form_versions'), 'form_versions', ['version_id'], ['id'])


def downgrade():
    for table in ('registrations', 'submissions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_version_id_form_versions'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_version_id'))
            batch_op.drop_column('version_id')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_extra_version_id_form_versions'), type_='foreignkey')
        batch_op.drop_column('extra_version_id')
    op.drop_table('form_versions')
    op.drop_table('forms')
