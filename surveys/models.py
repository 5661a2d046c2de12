"""Database models (SQLAlchemy 2 typed mappings).

Answers are stored as stable codes in a JSON document per submission, never as translated
labels, so that answers given in French, English and Ukrainian count together. Personal
contact data that later privacy tools must find (search, erasure) is also kept in its own
indexed columns.
"""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

BRUSSELS = ZoneInfo("Europe/Brussels")
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Submission(db.Model):
    """One answer to a public form (the survey or the ILI form)."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_form_created_at", "form", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    form_version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    # Random key put in the form when it is served: a double tap or a resent POST stores once.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Training(db.Model):
    """A training offered to integration workers, volunteers and citizens.

    Staff-written texts are ``{"fr": …, "en": …, "uk": …}`` mappings read through
    ``i18n.localized``; French is required, the other languages fall back to it.
    """

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    description: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    audience: Mapped[dict[str, str]] = mapped_column(JSONDocument, default=dict)
    trainer: Mapped[str] = mapped_column(String(200), default="")
    # None means no limit on seats.
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Registrations are accepted until the end of this day, Brussels time.
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    every_date_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="training",
        cascade="all, delete-orphan",
        order_by="(TrainingSession.date, TrainingSession.start_time)",
    )
    registrations: Mapped[list["Registration"]] = relationship(back_populates="training")

    @property
    def first_date(self) -> date | None:
        return self.sessions[0].date if self.sessions else None

    @property
    def last_date(self) -> date | None:
        return max(s.date for s in self.sessions) if self.sessions else None

    def deadline_passed(self, now: datetime) -> bool:
        if self.registration_deadline is None:
            return False
        return now.astimezone(BRUSSELS).date() > self.registration_deadline

    def accepts_registrations(self, now: datetime) -> bool:
        last = self.last_date
        return (
            self.is_published
            and self.is_open
            and not self.deadline_passed(now)
            and (last is None or last >= now.astimezone(BRUSSELS).date())
        )


class TrainingSession(db.Model):
    """One date of a training, in local (Europe/Brussels) wall-clock time."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(300), default="")

    training: Mapped[Training] = relationship(back_populates="sessions")

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start_time, tzinfo=BRUSSELS)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end_time, tzinfo=BRUSSELS)


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """A person's sign-up for one training: confirmed, on the waiting list, or cancelled."""

    __tablename__ = "registrations"
    __table_args__ = (
        # The last line of defence against a double registration, whatever the code above does.
        UniqueConstraint("training_id", "email"),
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
        Index("ix_registrations_training_id_status", "training_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    # Lower-cased and normalised, so that case and spaces do not make a second registration.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.CONFIRMED)
    locale: Mapped[str] = mapped_column(String(8))
    form_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # The key of the form instance that created it: a double tap is recognised as the same
    # sign-up, not reported as "already registered".
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the secret in the cancellation link; the secret itself is never stored.
    # Every e-mail carries a fresh link, which replaces the earlier ones.
    cancel_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The waiting list is served in the order of this timestamp (then of id).
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person was last e-mailed: repeated sign-ups do not flood their inbox.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Increases with every calendar file sent, so calendars apply the newest one.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    training: Mapped[Training] = relationship(back_populates="registrations")

    @property
    def first_name(self) -> str:
        return self.answers.get("first_name", "")

    @property
    def full_name(self) -> str:
        return f"{self.answers.get('first_name', '')} {self.answers.get('last_name', '')}".strip()


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An e-mail waiting to be delivered, written in the same transaction as the change it
    announces and delivered after commit (at least once; a duplicate carries the same
    Message-ID and calendar UIDs, so it is harmless). The message source, which contains a
    cancellation link, is erased once the message is delivered or has finally failed."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
