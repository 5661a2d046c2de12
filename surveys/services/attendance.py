"""Who came to each session of a training: marked at the door, one tap per person, and read
back for the printed sheet, the certificates of attendance and the registrants' export."""

from dataclasses import dataclass
from datetime import date, time

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import delete, select

from ..extensions import db, serialized_transaction
from ..models import (
    BRUSSELS,
    Attendance,
    Registration,
    RegistrationStatus,
    Training,
    TrainingSession,
    utcnow,
)
from . import audit, outbox
from .notifications import queue
from .trainings import lock_training

# A session that starts before noon and ends after two o'clock has a morning and an
# afternoon: its sheet gets a signature column for each half-day.
MORNING_ENDS = time(12, 0)
AFTERNOON_STARTS = time(14, 0)


def is_full_day(session: TrainingSession) -> bool:
    return session.start_time < MORNING_ENDS and session.end_time > AFTERNOON_STARTS


def session_number(training: Training, session: TrainingSession) -> tuple[int, int]:
    """(2, 4) for the second of four sessions, in date order."""
    ordered = sorted(training.sessions, key=lambda s: (s.date, s.start_time))
    return ordered.index(session) + 1, len(ordered)


def present_ids(session_id: int) -> set[int]:
    """The registrations marked present at a session."""
    return set(
        db.session.scalars(
            select(Attendance.registration_id).where(Attendance.session_id == session_id)
        )
    )


def sessions_attended(training_id: int) -> dict[int, set[int]]:
    """For each registration of the training, the sessions it was marked present at."""
    rows = db.session.execute(
        select(Attendance.registration_id, Attendance.session_id)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.training_id == training_id)
    ).all()
    attended: dict[int, set[int]] = {}
    for registration_id, session_id in rows:
        attended.setdefault(registration_id, set()).add(session_id)
    return attended


class NotMarkable(ValueError):
    """The person is not confirmed for this training, or the session is not one of its."""


def mark(session_id: int, registration_id: int, present: bool, *, actor: str) -> bool:
    """Mark one person present (or not) at one session, in one unit of work with its audit
    entry; returns whether the person is now marked present. Marking twice is harmless."""
    session = db.session.get(TrainingSession, session_id)
    registration = db.session.get(Registration, registration_id)
    if (
        session is None
        or registration is None
        or registration.training_id != session.training_id
        or registration.status != RegistrationStatus.CONFIRMED
    ):
        db.session.rollback()
        raise NotMarkable(f"registration {registration_id} at session {session_id}")
    with serialized_transaction():
        lock_training(session.training_id)  # one writer per training: no double row
        db.session.execute(
            delete(Attendance).where(
                Attendance.session_id == session_id,
                Attendance.registration_id == registration_id,
            )
        )
        if present:
            db.session.add(
                Attendance(session_id=session_id, registration_id=registration_id, marked_by=actor)
            )
        audit.record(
            actor,
            "attendance.present" if present else "attendance.absent",
            training=session.training.slug,
            session=session_id,
            id=registration_id,
        )
    return present


@dataclass(frozen=True)
class Certificate:
    registration: Registration
    sessions: list[TrainingSession]  # attended (or all, as staff chose), in date order

    @property
    def hours(self) -> float:
        minutes = sum((s.ends_at - s.starts_at).total_seconds() / 60 for s in self.sessions)
        return round(minutes / 60, 1)


def certificates(training: Training, *, every_session: bool) -> list[Certificate]:
    """One certificate per confirmed person who attended: ``every_session`` — only those
    who came to every session; otherwise everyone who came to at least one, listing the
    sessions they came to. Alphabetical, as on the sheets."""
    from .training_admin import attendance_list

    ordered = sorted(training.sessions, key=lambda s: (s.date, s.start_time))
    attended = sessions_attended(training.id)
    result = []
    for registration in attendance_list(training.id):
        came = [s for s in ordered if s.id in attended.get(registration.id, set())]
        if not came or (every_session and len(came) < len(ordered)):
            continue
        result.append(Certificate(registration, came))
    return result


def certificate_html(certificate: Certificate, issued: date | None = None) -> Markup:
    """One certificate as HTML (an A4 page when printed), in the person's language."""
    issued = issued or utcnow().astimezone(BRUSSELS).date()
    with force_locale(certificate.registration.locale):
        page = render_template(
            "certificate.html",
            certificate=certificate,
            training=certificate.registration.training,
            issued=issued,
        )
    return Markup(page)  # noqa: S704 -- rendered by Jinja with autoescape


def send_certificates(training_id: int, *, every_session: bool, actor: str) -> list[int]:
    """Queue a certificate e-mail for each person who has one, with its audit entry, in one
    transaction; then write and deliver them."""
    with serialized_transaction():
        training = lock_training(training_id)
        chosen = certificates(training, every_session=every_session)
        now = utcnow()
        payload = {"every_session": every_session}
        message_ids = [
            queue(c.registration.id, c.registration.email, "certificate", now, payload=payload)
            for c in chosen
        ]
        audit.record(
            actor,
            "training.certificates",
            training=training.slug,
            recipients=len(message_ids),
            every_session=every_session,
        )
    outbox.deliver_after_commit(message_ids)
    return message_ids


def certificate_of(registration: Registration, *, every_session: bool) -> Certificate | None:
    """The certificate of one person, as ``certificates`` makes it (None: none due)."""
    ordered = sorted(registration.training.sessions, key=lambda s: (s.date, s.start_time))
    attended = present_sessions_of(registration.id)
    came = [s for s in ordered if s.id in attended]
    if not came or (every_session and len(came) < len(ordered)):
        return None
    return Certificate(registration, came)


def present_sessions_of(registration_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Attendance.session_id).where(Attendance.registration_id == registration_id)
        )
    )
