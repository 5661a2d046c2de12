"""The reminder e-mail before a training's first session: queued once per confirmed person,
whatever number of workers or hosts look for due reminders at the same moment.

A training's ``reminder_days`` says how many days before its first session (in Brussels) the
reminder goes: from the start of that day until the session begins. Someone whose seat was
confirmed after that day began has just had their confirmation and gets no reminder.
``reminded_at`` is set by a conditional UPDATE (… WHERE reminded_at IS NULL) in the same
transaction that queues the e-mail: a second worker's UPDATE finds nothing left to claim.
"""

import logging
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from ..extensions import db, serialized_transaction
from ..models import BRUSSELS, Registration, RegistrationStatus, Training, utcnow
from .notifications import queue

log = logging.getLogger(__name__)


def window_opens(training: Training) -> datetime | None:
    """When the training's reminders become due (None: no reminder, or no dates)."""
    if training.reminder_days is None or training.reminder_days < 1 or not training.sessions:
        return None
    first = min(training.sessions, key=lambda s: (s.date, s.start_time))
    day = first.date - timedelta(days=training.reminder_days)
    return datetime.combine(day, time(0), tzinfo=BRUSSELS)


def due_trainings(now: datetime) -> list[Training]:
    """Trainings whose reminder window is open now and whose first session has not begun."""
    today = now.astimezone(BRUSSELS).date()
    candidates = db.session.scalars(
        select(Training).where(Training.reminder_days.is_not(None), Training.reminder_days > 0)
    ).all()
    due = []
    for training in candidates:
        opens = window_opens(training)
        if opens is None:
            continue
        first = min(training.sessions, key=lambda s: (s.date, s.start_time))
        if opens <= now < first.starts_at and first.date >= today:
            due.append(training)
    return due


def queue_due(now: datetime | None = None) -> list[int]:
    """Queue every reminder that is due and not sent; returns the queued e-mails' ids (each
    unit of work commits before they are written and delivered)."""
    now = now or utcnow()
    trainings = due_trainings(now)
    db.session.rollback()  # read: the claims below are short transactions of their own
    queued = []
    for training in trainings:
        queued += claim_and_queue(training.id, window_opens(training), now)
    return queued


def claim_and_queue(training_id: int, opens: datetime, now: datetime) -> list[int]:
    with serialized_transaction():
        claimed = db.session.execute(
            update(Registration)
            .where(
                Registration.training_id == training_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.reminded_at.is_(None),
                func.coalesce(Registration.confirmed_at, Registration.created_at) < opens,
            )
            .values(reminded_at=now)
            .returning(Registration.id, Registration.email)
            .execution_options(synchronize_session=False)
        ).all()
        message_ids = [queue(row.id, row.email, "reminder", now) for row in claimed]
    if message_ids:
        log.info("reminders: %d queued for training %d", len(message_ids), training_id)
    return message_ids
