"""Forms as data: each form, and its published versions (immutable documents).

A form's questions and texts live in ``FormVersion.document`` (see ``forms.document``); each
answer and registration points at the version it was given under. The form row holds what
may change without a new version: where it is served, whether it is listed, open or closed,
and how long its answers are kept.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import JSONDocument, UTCDateTime, utcnow


class FormKind:
    PUBLIC = "public"  # served at its own address
    TRAINING_SIGNUP = "training_signup"  # served on each training's page
    # A training's own questions ("Do you need a certificate?"), asked after the sign-up
    # form's on that training's page only; its code is "training_<training id>".
    TRAINING_QUESTIONS = "training_questions"


class Form(db.Model):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored with every answer (submissions.form): never changes.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default=FormKind.PUBLIC)
    # Its public address, /<lang>/f/<slug>, or /<lang>/<slug> with ``short_address`` (the
    # forms whose addresses were printed on posters before forms were data). Fixed once
    # published.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    short_address: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # on the home page
    on_posters: Mapped[bool] = mapped_column(Boolean, default=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    # Whether its answers can name a person (privacy search, erasure), and how long they
    # are kept (flask purge).
    personal_data: Mapped[bool] = mapped_column(Boolean, default=True)
    retention_months: Mapped[int] = mapped_column(Integer, default=24)
    # The number of its latest published version; None until it is first published.
    current_version: Mapped[int | None] = mapped_column(Integer)
    # What staff are editing (a document, as a version holds it): never seen by the public
    # until published; None when there is no change in progress.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changed by every change of the form or a publish: what other processes watch for.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list["FormVersion"]] = relationship(
        back_populates="form", order_by="FormVersion.number"
    )


class FormVersion(db.Model):
    """One published version of a form: never changed once written."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"))
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The staff member's e-mail address, or how it came ("seed file").
    published_by: Mapped[str] = mapped_column(String(254), default="")

    form: Mapped[Form] = relationship(back_populates="versions")
