"""E-mails waiting to be delivered."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONDocument, UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An e-mail waiting to be delivered, queued in the same transaction as the change it
    announces, written (``source``) just after that commit, and delivered after it (at
    least once; a duplicate carries the same Message-ID and calendar UIDs, so it is
    harmless). The message source, which contains a cancellation link, is erased once the
    message is delivered or has finally failed."""

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
    # Set when staff have dealt with a failed message (e.g. phoned the person).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A message staff wrote to the training's registrants (kind "message").
    training_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_messages.id", ondelete="SET NULL"), index=True
    )
    # What rendering needs that the database no longer holds once queued: the sessions a
    # change removed (kind "changed"), so their calendar events can be cancelled.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
