"""Staff accounts, their server-side sessions, login throttling and the audit log."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import JSONDocument, UTCDateTime, utcnow


class StaffRole(StrEnum):
    # Accounts, the privacy search and erasure, the audit log, and all the rest.
    ADMINISTRATOR = "administrator"
    # Trainings, forms, answers and exports: the day-to-day work.
    COORDINATOR = "coordinator"
    # The summaries only: counts and percentages, no personal data.
    READER = "reader"


class StaffUser(db.Model):
    """A member of staff. There is no self-registration: accounts come from ``flask staff``."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # scrypt, through Werkzeug; the password itself is never stored or logged.
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    # administrator, coordinator or reader (staff.roles); accounts made before roles existed
    # were the dashboard's only kind, with every right: administrators.
    role: Mapped[str] = mapped_column(
        String(16), default="administrator", server_default="administrator"
    )
    # Two-step login (services.two_factor): the TOTP secret, the time step of the last code
    # accepted (a code works once), and the hashes of the recovery codes not used yet.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_code_hashes: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default="[]"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list["StaffSession"]] = relationship(
        back_populates="staff", cascade="all, delete-orphan"
    )


class StaffSession(db.Model):
    """A login. The browser's cookie holds a random token whose hash is the key here, so
    logging out (deleting the row) makes a copied cookie worthless, and timeouts are
    enforced on the server."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[StaffUser] = relationship(back_populates="sessions")


class LoginThrottle(db.Model):
    """Failed logins per account and per address (an HMAC of it, never the address itself),
    for a growing delay between attempts rather than a lockout attackers could abuse."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # "account" or "address"
    key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(db.Model):
    """Who did what and when: logins, exports, deletions, erasures, purges. Never the contents
    of an answer, never the e-mail address that was searched or erased."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))  # a staff e-mail, or "system"
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
