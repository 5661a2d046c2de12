"""Trainings as the public sees them: seats, sign-ups, the waiting list, cancellations.

No overbooking, ever: every change that depends on the number of confirmed seats runs in a
transaction that first takes the training's lock — ``BEGIN IMMEDIATE`` on SQLite (the whole
database; sign-ups are short), ``SELECT … FOR UPDATE`` on the training row on PostgreSQL —
so concurrent sign-ups are decided one after the other, in arrival order. The unique
constraint on (training, e-mail) stays as the last line of defence. The lock is held for
the decision only: on PostgreSQL a new address's sign-up is one statement under it
(``sign_up_at_once``); otherwise, and for an address already registered, one query reads
the seats, then one insert for the registration and one for its e-mail. The e-mail is
written once it has committed, by the request or by the outbox worker (``notifications``,
OUTBOX_AFTER_COMMIT).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import begin_serialized, db, execute_core
from ..forms.definition import FormDefinition
from ..models import (
    BRUSSELS,
    Registration,
    RegistrationStatus,
    Training,
    TrainingSession,
    utcnow,
)
from ..models.trainings import accepts_registrations, registrations_with
from . import audit, notifications, outbox, sign_up_at_once, tokens

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


@dataclass(frozen=True)
class Seats:
    capacity: int | None
    confirmed: int
    waitlisted: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity


def seat_counts(training_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(Registration.training_id, Registration.status, func.count())
        .where(Registration.training_id.in_(training_ids))
        .group_by(Registration.training_id, Registration.status)
    ).all()
    counts = {training_id: [0, 0] for training_id in training_ids}
    for training_id, status, count in rows:
        if status == CONFIRMED:
            counts[training_id][0] = count
        elif status == WAITLISTED:
            counts[training_id][1] = count
    return {training_id: (c, w) for training_id, (c, w) in counts.items()}


def seats_of(trainings: list[Training]) -> dict[int, Seats]:
    counts = seat_counts([t.id for t in trainings]) if trainings else {}
    return {t.id: Seats(t.capacity, *counts[t.id]) for t in trainings}


def upcoming_with_seats() -> tuple[list[Training], dict[int, Seats]]:
    """The public list of trainings and their seats, read in one transaction."""
    upcoming = upcoming_trainings()
    return upcoming, seats_of(upcoming)


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


def list_state(now: datetime) -> tuple:
    """Everything on the public list of trainings that can change, in one query on plain
    columns: the day (what is upcoming, whose deadline passed), and for each published
    training its last change (texts, settings, dates), its capacity and its seats taken."""
    confirmed, waitlisted = (
        select(func.count())
        .where(Registration.training_id == Training.id, Registration.status == status)
        .scalar_subquery()
        for status in (CONFIRMED, WAITLISTED)
    )
    rows = db.session.execute(
        select(Training.id, Training.updated_at, Training.capacity, confirmed, waitlisted)
        .where(Training.is_published.is_(True))
        .order_by(Training.id)
    ).all()
    return now.astimezone(BRUSSELS).date(), tuple(tuple(row) for row in rows)


@dataclass(frozen=True)
class PageState:
    """Everything on a training's public page that can change, read in one query: the
    training's last change (texts, settings, dates), its seats, and whether it is open."""

    training_id: int
    updated_at: datetime
    every_date_required: bool
    seats: Seats
    accepting: bool


# The statements a sign-up runs are built once, with bound parameters: building one (and its
# cache key) costs about as much as running it, and a training's opening runs them in a rush.
LAST_DATE = (
    select(func.max(TrainingSession.date))
    .where(TrainingSession.training_id == Training.id)
    .scalar_subquery()
)
PAGE_STATE = select(
    Training.id,
    Training.updated_at,
    Training.every_date_required,
    Training.capacity,
    Training.is_open,
    Training.registration_deadline,
    LAST_DATE,
    registrations_with(CONFIRMED, Training.id),
    registrations_with(WAITLISTED, Training.id),
).where(Training.slug == bindparam("slug"), Training.is_published.is_(True))


def page_state(slug: str, now: datetime) -> PageState | None:
    """None when no published training has this slug. One query on plain columns, so that
    a page served from the cache costs no ORM loading."""
    row = db.session.execute(PAGE_STATE, {"slug": slug}).first()
    if row is None:
        return None
    training_id, updated_at, every_date, capacity, is_open, deadline, last, *counts = row
    confirmed, waitlisted = counts
    return PageState(
        training_id=training_id,
        updated_at=updated_at,
        every_date_required=every_date,
        seats=Seats(capacity, confirmed, waitlisted),
        accepting=accepts_registrations(
            is_published=True, is_open=is_open, deadline=deadline, last_date=last, now=now
        ),
    )


def published_training(slug: str) -> Training | None:
    return db.session.scalar(
        select(Training)
        .where(Training.slug == slug, Training.is_published.is_(True))
        .options(selectinload(Training.sessions))
    )


class RegistrationClosed(Exception):
    """The training does not accept registrations (closed, unpublished, past its deadline or
    its dates)."""


@dataclass(frozen=True)
class SignupOutcome:
    registration_id: int
    status: str
    already_registered: bool
    waitlist_place: int | None = None
    message_ids: list[int] = field(default_factory=list)


def lock_training(training_id: int) -> Training:
    """Start a serialized transaction and lock the training (see the module docstring)."""
    begin_serialized()
    return db.session.scalars(
        select(Training).where(Training.id == training_id).with_for_update()
    ).one()


@dataclass(frozen=True)
class SignUpLock:
    slug: str
    capacity: int | None
    accepting: bool
    # Read once the lock is held: decisions are stamped in the order they are made, which is
    # the waiting list's order.
    now: datetime


LOCK_FOR_SIGN_UP = (
    select(
        Training.slug,
        Training.capacity,
        Training.is_published,
        Training.is_open,
        Training.registration_deadline,
        LAST_DATE,
    )
    .where(Training.id == bindparam("training_id"))
    .with_for_update(of=Training)
)


def lock_for_sign_up(training_id: int) -> SignUpLock:
    """``lock_training`` for a sign-up, in one query on plain columns: what the decision needs
    (the lock is held until it is made, so nothing else is read under it). The request has
    read only plain columns so far (``page_state``): its transaction may go on."""
    begin_serialized(after_plain_reads=True)
    row = execute_core(LOCK_FOR_SIGN_UP, {"training_id": training_id}).one()
    slug, capacity, is_published, is_open, deadline, last = row
    now = utcnow()
    accepting = accepts_registrations(
        is_published=is_published, is_open=is_open, deadline=deadline, last_date=last, now=now
    )
    return SignUpLock(slug=slug, capacity=capacity, accepting=accepting, now=now)


SEATS_AND_REGISTRATION = select(
    registrations_with(CONFIRMED, bindparam("training_id")),
    registrations_with(WAITLISTED, bindparam("training_id")),
    select(Registration.id)
    .where(
        Registration.training_id == bindparam("training_id"),
        Registration.email == bindparam("email"),
    )
    .scalar_subquery(),
)


# Built once: the values go with each execution (``.values()`` on every call costs about as
# much CPU as the INSERT's round trip).
INSERT_REGISTRATION = insert(Registration.__table__)


def seats_and_registration(training_id: int, email: str) -> tuple[int, int, int | None]:
    """Seats confirmed and waitlisted, and the id of this address's registration if it has
    one, in one query (under the lock)."""
    parameters = {"training_id": training_id, "email": email}
    return tuple(execute_core(SEATS_AND_REGISTRATION, parameters).one())


def confirmed_count(training_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.training_id == training_id, Registration.status == CONFIRMED)
    )


def has_free_seat(training: Training) -> bool:
    return training.capacity is None or confirmed_count(training.id) < training.capacity


def find_registration(training_id: int, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.training_id == training_id, Registration.email == email
        )
    )


def sign_up(
    training_id: int,
    definition: FormDefinition,
    answers: dict[str, Any],
    *,
    locale: str,
    submission_key: str,
    consents: dict[str, str] | None = None,
) -> SignupOutcome:
    """Register a person: confirmed while seats are left, otherwise on the waiting list.

    The same e-mail address twice for one training makes no second registration: the person
    is told so and the confirmation (or waiting-list notice) is sent again — at most once per
    ``RESEND_INTERVAL_SECONDS``. A form sent twice (a double tap) is the same sign-up.
    """
    email = answers["email"]
    details = {
        "phone": answers.get("phone"),
        "locale": locale,
        "form_version": definition.version,
        "version_id": definition.version_id,
        "extra_version_id": definition.extra_version_id,
        "answers": answers,
        "submission_key": submission_key,
        "consents": consents or {},
    }
    lock = lock_for_sign_up(training_id)
    now = lock.now
    if not lock.accepting:
        db.session.rollback()
        raise RegistrationClosed(lock.slug)

    if db.session.connection().dialect.name == "postgresql":
        stored = sign_up_at_once.store_new_sign_up(
            {"training_id": training_id, "email": email, **details},
            capacity=lock.capacity,
            now=now,
            message_id=notifications.new_message_id(),
        )
        if stored is not None:
            db.session.commit()
            return announced(
                stored.registration_id, stored.status, stored.waiting_before, stored.message_id
            )
    confirmed, waitlisted, registration_id = seats_and_registration(training_id, email)
    registration = (
        None if registration_id is None else db.session.get(Registration, registration_id)
    )
    if registration is not None and registration.status != CANCELLED:
        if registration.submission_key == submission_key:
            outcome = outcome_of(registration, already_registered=False)
            db.session.rollback()
            return outcome
        message_ids = []
        interval = timedelta(seconds=current_app.config["RESEND_INTERVAL_SECONDS"])
        if registration.notified_at is None or now - registration.notified_at >= interval:
            message_ids.append(notifications.enqueue(registration, registration.status))
        outcome = outcome_of(registration, already_registered=True, message_ids=message_ids)
        notifications.commit_keeping_loaded()
        outbox.deliver_after_commit(message_ids)
        return outcome

    status = CONFIRMED if lock.capacity is None or confirmed < lock.capacity else WAITLISTED
    details |= {
        "status": status,
        "cancelled_at": None,
        "confirmed_at": now if status == CONFIRMED else None,
        "waitlisted_at": now if status == WAITLISTED else None,
        "notified_at": now,
    }
    try:
        if registration is None:
            # Two INSERTs, no object to load or flush: the lock is held for the decision.
            parameters = {"training_id": training_id, "email": email, **details}
            registration_id = execute_core(INSERT_REGISTRATION, parameters).inserted_primary_key[0]
        else:  # a cancelled registration comes back to life
            for name, value in details.items():
                setattr(registration, name, value)
            db.session.flush()
        message_id = notifications.queue(registration_id, email, status, now)
        db.session.commit()
    except IntegrityError:
        # Only reachable if the lock was bypassed (it is the constraint's job to catch that).
        db.session.rollback()
        existing = find_registration(training_id, email)
        if existing is None:
            raise
        return outcome_of(existing, already_registered=True)
    # Decided under the lock: everyone waiting came before, in (waitlisted_at, id) order.
    return announced(registration_id, status, waitlisted, message_id)


def announced(
    registration_id: int, status: str, waiting_before: int, message_id: int
) -> SignupOutcome:
    """A new sign-up, committed: what the person is told, and their e-mail on its way."""
    outcome = SignupOutcome(
        registration_id=registration_id,
        status=status,
        already_registered=False,
        waitlist_place=waiting_before + 1 if status == WAITLISTED else None,
        message_ids=[message_id],
    )
    outbox.deliver_after_commit(outcome.message_ids)
    return outcome


def sign_up_sent_with(training_id: int, submission_key: str) -> SignupOutcome | None:
    """The sign-up that this form instance (its submission key) already made, if it still
    stands: a page sent again is the same sign-up, and changes nothing."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.training_id == training_id,
            Registration.submission_key == submission_key,
            Registration.status != CANCELLED,
        )
    )
    return None if registration is None else outcome_of(registration, already_registered=False)


def outcome_of(
    registration: Registration, *, already_registered: bool, message_ids: list[int] | None = None
) -> SignupOutcome:
    return SignupOutcome(
        registration_id=registration.id,
        status=registration.status,
        already_registered=already_registered,
        waitlist_place=notifications.waitlist_place(registration),
        message_ids=message_ids or [],
    )


def fill_free_seats(training: Training, payload: dict | None = None) -> list[int]:
    """Promote waiting-list registrations, first come first served, while seats are free.
    Runs inside the caller's locked transaction; returns the ids of the e-mails queued
    (``payload``: what they carry besides, the dates a change removed)."""
    message_ids = []
    while has_free_seat(training):
        first = db.session.scalar(
            select(Registration)
            .where(Registration.training_id == training.id, Registration.status == WAITLISTED)
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if first is None:
            break
        message_ids.append(confirm_from_waiting_list(first, payload))
    return message_ids


def confirm_from_waiting_list(registration: Registration, payload: dict | None = None) -> int:
    """Give the seat and queue the promotion e-mail (inside the caller's locked
    transaction); returns the e-mail's id."""
    registration.status = CONFIRMED
    registration.confirmed_at = utcnow()
    db.session.flush()
    return notifications.enqueue(registration, "promoted", payload=payload)


def registration_by_token(token: str) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.cancel_token_hash == tokens.token_hash(token))
        .options(selectinload(Registration.training).selectinload(Training.sessions))
    )


@dataclass(frozen=True)
class CancelOutcome:
    cancelled: bool  # False when it was already cancelled
    promoted: int


def cancel(registration_id: int, *, actor: str | None = None) -> CancelOutcome:
    """Cancel a registration (by its owner's link, or by staff: ``actor``, audited in the same
    transaction). A freed seat goes to the first person on the waiting list in the same
    transaction. Cancelling twice changes nothing."""
    registration = db.session.get(Registration, registration_id)
    training = lock_training(registration.training_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status == CANCELLED:
        db.session.rollback()
        return CancelOutcome(cancelled=False, promoted=0)
    was_confirmed = registration.status == CONFIRMED
    registration.status = CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    message_ids = [notifications.enqueue(registration, "cancelled")]
    promoted = fill_free_seats(training) if was_confirmed else []
    message_ids += promoted
    if actor:
        audit.record(actor, "registration.cancel", training=training.slug, id=registration_id)
    db.session.commit()
    outbox.deliver_after_commit(message_ids)
    return CancelOutcome(cancelled=True, promoted=len(promoted))
