"""Trainings, their dates and the registrations for them."""

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BRUSSELS, JSONDocument, UTCDateTime, utcnow


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
    # Markdown (see richtext): what the days cover, and what participants take away.
    programme: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    objectives: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    # A person's name and an organisation's, written once, in the organisation's language.
    trainer: Mapped[str] = mapped_column(String(200), default="")
    trainer_organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # None means no limit on seats.
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Registrations are accepted until the end of this day, Brussels time.
    registration_deadline: Mapped[date | None] = mapped_column(Date)
    every_date_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reminder e-mail goes this many days before the first session (None: no reminder).
    reminder_days: Mapped[int | None] = mapped_column(Integer, default=2, server_default="2")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When anything the public page shows last changed, its dates included (the services
    # that change dates touch it): the public page cache relies on it.
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

    def accepts_registrations(self, now: datetime) -> bool:
        return accepts_registrations(
            is_published=self.is_published,
            is_open=self.is_open,
            deadline=self.registration_deadline,
            last_date=self.last_date,
            now=now,
        )


def deadline_passed(deadline: date | None, now: datetime) -> bool:
    return deadline is not None and now.astimezone(BRUSSELS).date() > deadline


def accepts_registrations(
    *, is_published: bool, is_open: bool, deadline: date | None, last_date: date | None, now
) -> bool:
    """The rule, on plain values, so that it can also be applied to a row of columns."""
    return (
        is_published
        and is_open
        and not deadline_passed(deadline, now)
        and (last_date is None or last_date >= now.astimezone(BRUSSELS).date())
    )


class WallClockTimes:
    """A session's start and end as moments: its date and times are Brussels wall-clock
    times (``date``, ``start_time`` and ``end_time`` are the class's own)."""

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start_time, tzinfo=BRUSSELS)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end_time, tzinfo=BRUSSELS)


class TrainingSession(WallClockTimes, db.Model):
    """One date of a training, in local (Europe/Brussels) wall-clock time."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(300), default="")
    # This session's line of the programme ("Day 2: protection statuses"), per language.
    topic: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )

    training: Mapped[Training] = relationship(back_populates="sessions")


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
    # The published version of the form it was given under (models.forms).
    version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)
    # And of the training's own questions, if it had any then.
    extra_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_versions.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # The key of the form instance that created it: a double tap is recognised as the same
    # sign-up, not reported as "already registered".
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # {question code: version of the consent text the person agreed to}.
    consents: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default="{}"
    )
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
    # When the reminder before the first session was queued (once; cleared if it moves).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    training: Mapped[Training] = relationship(back_populates="registrations")

    @property
    def first_name(self) -> str:
        return self.answers.get("first_name", "")

    @property
    def full_name(self) -> str:
        return f"{self.answers.get('first_name', '')} {self.answers.get('last_name', '')}".strip()


def registrations_with(status: str, training_id):
    """How many of a training's registrations have ``status``, as a scalar subquery: the
    seat counts that pages and sign-up decisions read (``training_id`` may be a column or a
    bound parameter)."""
    return (
        select(func.count())
        .where(Registration.training_id == training_id, Registration.status == status)
        .scalar_subquery()
    )


class MessageAudience(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    BOTH = "both"

    @property
    def statuses(self) -> tuple[str, ...]:
        if self is MessageAudience.BOTH:
            return (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        return (str(self),)


class TrainingMessage(db.Model):
    """A message staff wrote once, in each language, to a training's registrants; each person
    gets it in their own language through the outbox (one OutboxMessage per person)."""

    __tablename__ = "training_messages"
    __table_args__ = (
        CheckConstraint("audience IN ('confirmed', 'waitlisted', 'both')", name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(16))
    subject: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    body: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    sent_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class Attendance(db.Model):
    """A person marked present at one session (no row: not marked, or absent)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by: Mapped[str] = mapped_column(String(254))
