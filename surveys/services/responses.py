"""Storing answers to the public forms."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import begin_serialized, db
from ..forms.definition import FormDefinition
from ..models import Submission


def record_submission(
    definition: FormDefinition,
    answers: dict[str, Any],
    *,
    locale: str,
    submission_key: str,
    consents: dict[str, str] | None = None,
) -> bool:
    """Store one submission; returns False when this form instance was already stored (a
    double tap or a resent POST), which callers treat as success."""
    submission = Submission(
        form=definition.code,
        form_version=definition.version,
        version_id=definition.version_id,
        locale=locale,
        answers=answers,
        contact_email=answers.get(definition.email_question) if definition.email_question else None,
        contact_phone=answers.get(definition.phone_question) if definition.phone_question else None,
        submission_key=submission_key,
        consents=consents or {},
    )
    if db.engine.dialect.name == "postgresql":
        # One INSERT is a transaction by itself: sent in autocommit, it spares the BEGIN and
        # COMMIT round trips. (Not on SQLite, whose connections begin transactions
        # themselves, see extensions.begin_sqlite.)
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    else:
        begin_serialized()
    db.session.add(submission)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if already_stored(submission_key):
            return False
        raise
    return True


def already_stored(submission_key: str) -> bool:
    return (
        db.session.scalar(select(Submission.id).where(Submission.submission_key == submission_key))
        is not None
    )
