"""Answers to the public forms (the survey and the ILI form).

Answers are stored as stable codes in a JSON document per submission, never as translated
labels, so that answers given in French, English and Ukrainian count together. Personal
contact data that privacy tools must find (search, erasure) is also kept in its own
indexed columns.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONDocument, UTCDateTime, utcnow


class Submission(db.Model):
    """One answer to a public form (the survey or the ILI form)."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_form_created_at", "form", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    form_version: Mapped[int] = mapped_column(Integer)
    # The published version of the form it was given under (models.forms).
    version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    # Random key put in the form when it is served: a double tap or a resent POST stores once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    # {question code: version of the consent text the person agreed to}.
    consents: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default="{}"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
