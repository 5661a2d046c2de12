"""A new sign-up decided and stored in one statement, on PostgreSQL.

Under a training's lock every round trip to the server makes the next person wait: when a
training opens, sixty sign-ups queue for the lock one after the other. A new address's
sign-up is therefore one statement once the lock is held: count the confirmed seats, insert
the registration as confirmed or waitlisted, queue its e-mail, and return what the thank-you
page needs (measured in the session that added this: the lock was held 4.2 ms per sign-up
for four round trips, ``bench/run.py --only signups``).

The seat rule is written here in SQL beside ``Seats.full``, its Python form, which SQLite's
path (``trainings.sign_up``) and the pages use: a seat is free while the confirmed count is
below the capacity, or when there is no capacity. The tests run the same sign-ups on both
databases and check the same outcome (exactly ``capacity`` confirmed, the rest waitlisted in
order).

Data-modifying CTEs are PostgreSQL's (SQLite has none); the statement inserts nothing when the
address already has a registration for the training (the caller's general path handles it).
"""

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, case, cast, exists, insert, literal, or_, select

from ..extensions import execute_core
from ..models import OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from ..models.trainings import registrations_with

REGISTRATIONS = Registration.__table__
MESSAGES = OutboxMessage.__table__
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED

# Given by the caller with each execution (the statement is built once: building one costs
# about as much CPU as running it).
DETAILS = (
    "training_id",
    "email",
    "phone",
    "locale",
    "form_version",
    "version_id",
    "extra_version_id",
    "answers",
    "submission_key",
    "consents",
)

# Written by the statement, in this order.
DECIDED = (
    "status",
    "confirmed_at",
    "waitlisted_at",
    "notified_at",
    "created_at",
    "calendar_sequence",
)
MESSAGE_COLUMNS = (
    "kind",
    "registration_id",
    "recipient",
    "subject",
    "message_id",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
)


def parameter(name: str, table=REGISTRATIONS):
    return bindparam(name, type_=table.c[name].type)


def build_statement():
    now = bindparam("now", type_=REGISTRATIONS.c.created_at.type)
    capacity = cast(bindparam("capacity"), Integer)
    training_id = parameter("training_id")
    decided = select(
        case(
            (
                or_(
                    capacity.is_(None),
                    registrations_with(CONFIRMED, training_id) < capacity,
                ),
                literal(CONFIRMED),
            ),
            else_=literal(WAITLISTED),
        ).label("status")
    ).subquery("decided")
    registered = (
        insert(REGISTRATIONS)
        .from_select(
            [*DETAILS, *DECIDED],
            select(
                *(parameter(name) for name in DETAILS),
                decided.c.status,
                case((decided.c.status == CONFIRMED, now)),
                case((decided.c.status == WAITLISTED, now)),
                now,
                now,
                literal(0),
            ).where(
                ~exists().where(
                    REGISTRATIONS.c.training_id == training_id,
                    REGISTRATIONS.c.email == parameter("email"),
                )
            ),
            include_defaults=False,
        )
        .returning(REGISTRATIONS.c.id, REGISTRATIONS.c.status)
        .cte("registered")
    )
    return (
        insert(MESSAGES)
        .from_select(
            MESSAGE_COLUMNS,
            select(
                registered.c.status,
                registered.c.id,
                parameter("email"),
                literal(""),  # written with the message
                parameter("message_id", MESSAGES),
                literal(OutboxStatus.PENDING),
                literal(0),
                now,
                now,
            ),
            include_defaults=False,
        )
        .add_cte(registered)
        # The statement's snapshot predates its own insert: the people already waiting.
        .returning(
            MESSAGES.c.id,
            MESSAGES.c.registration_id,
            MESSAGES.c.kind,
            registrations_with(WAITLISTED, training_id),
        )
    )


SIGN_UP_AT_ONCE = build_statement()


class Stored(NamedTuple):
    message_id: int
    registration_id: int
    status: str
    waiting_before: int


def store_new_sign_up(
    details: dict[str, Any], *, capacity: int | None, now: datetime, message_id: str
) -> Stored | None:
    """Decide, insert and queue in the caller's transaction, which holds the training's
    lock. None when the address already has a registration for this training: nothing was
    written."""
    parameters = {**details, "capacity": capacity, "now": now, "message_id": message_id}
    row = execute_core(SIGN_UP_AT_ONCE, parameters).first()
    return None if row is None else Stored(*row)
