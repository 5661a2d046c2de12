"""Trainings as the public sees them, and sign-ups."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..forms.definition import FormDefinition
from ..models import BRUSSELS, Registration, Training, utcnow


def upcoming_trainings(now: datetime | None = None) -> list[Training]:
    """Published trainings whose last date is today or later, soonest first."""
    today = (now or utcnow()).astimezone(BRUSSELS).date()
    trainings = db.session.scalars(
        select(Training)
        .where(Training.is_published.is_(True))
        .options(selectinload(Training.sessions))
    ).all()
    upcoming = [t for t in trainings if t.last_date is None or t.last_date >= today]
    return sorted(upcoming, key=lambda t: (t.first_date is None, t.first_date, t.slug))


def published_training(slug: str) -> Training | None:
    return db.session.scalar(
        select(Training)
        .where(Training.slug == slug, Training.is_published.is_(True))
        .options(selectinload(Training.sessions))
    )


@dataclass(frozen=True)
class SignupOutcome:
    registration_id: int
    already_registered: bool


class RegistrationClosed(Exception):
    """The training does not accept registrations (closed, past its deadline or its dates)."""


def sign_up(
    training: Training,
    definition: FormDefinition,
    answers: dict[str, Any],
    *,
    locale: str,
    submission_key: str,
) -> SignupOutcome:
    """Register a person; the same e-mail twice for one training keeps the first registration
    (a resent form, recognised by its key, is the same sign-up, not a second one)."""
    if not training.accepts_registrations(utcnow()):
        raise RegistrationClosed(training.slug)
    email = answers["email"]
    existing = find_registration(training.id, email)
    if existing is not None:
        return outcome_for_existing(existing, submission_key)
    registration = Registration(
        training_id=training.id,
        email=email,
        phone=answers.get("phone"),
        locale=locale,
        form_version=definition.version,
        answers=answers,
        submission_key=submission_key,
    )
    db.session.add(registration)
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same address won the race.
        db.session.rollback()
        existing = find_registration(training.id, email)
        if existing is None:
            raise
        return outcome_for_existing(existing, submission_key)
    return SignupOutcome(registration.id, already_registered=False)


def outcome_for_existing(registration: Registration, submission_key: str) -> SignupOutcome:
    resent = registration.submission_key == submission_key
    return SignupOutcome(registration.id, already_registered=not resent)


def find_registration(training_id: int, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.training_id == training_id, Registration.email == email
        )
    )
