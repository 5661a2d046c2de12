"""Messages staff write once, in fr/en/uk, to a training's confirmed and/or waitlisted
people: each gets it in their own language, through the outbox (retries, failures shown to
staff). The audit log records that a message was sent and to how many, never its text."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db, serialized_transaction
from ..i18n import LANGUAGES
from ..models import (
    MessageAudience,
    OutboxMessage,
    OutboxStatus,
    Registration,
    TrainingMessage,
    utcnow,
)
from . import audit, outbox
from .notifications import queue
from .trainings import lock_training


class MessageError(ValueError):
    """Something staff can correct; ``missing``: languages readers need and have no text."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


def registrants_by_status(training_id: int) -> Counter[tuple[str, str]]:
    """A training's registrations counted by (status, language), in one query."""
    rows = db.session.execute(
        select(Registration.status, Registration.locale, func.count())
        .where(Registration.training_id == training_id)
        .group_by(Registration.status, Registration.locale)
    ).all()
    return Counter({(status, locale): count for status, locale, count in rows})


def readers(counts: Counter[tuple[str, str]], audience: MessageAudience) -> Counter[str]:
    """How many people a message to ``audience`` would reach, by the language they signed
    up in (``counts``: ``registrants_by_status``)."""
    by_language: Counter[str] = Counter()
    for (status, locale), count in counts.items():
        if status in audience.statuses:
            by_language[locale] += count
    return by_language


def missing_languages(
    texts: dict[str, dict[str, str]], by_language: Counter[str]
) -> tuple[str, ...]:
    """The languages some readers have and the subject or the text lacks."""
    return tuple(
        lang
        for lang in LANGUAGES
        if by_language.get(lang) and not all(texts[name].get(lang, "").strip() for name in texts)
    )


def send(
    training_id: int,
    audience: MessageAudience,
    subject: dict[str, str],
    body: dict[str, str],
    *,
    actor: str,
) -> tuple[TrainingMessage, list[int]]:
    """Store the message and queue one e-mail per reader, in one transaction with its audit
    event; then write and deliver them. Refused (MessageError) when nobody would receive it
    or a reader's language has no text."""
    subject = {lang: " ".join(text.split()) for lang, text in subject.items() if text.strip()}
    body = {lang: text.strip() for lang, text in body.items() if text.strip()}
    with serialized_transaction():
        training = lock_training(training_id)
        people = db.session.scalars(
            select(Registration)
            .where(
                Registration.training_id == training_id,
                Registration.status.in_(audience.statuses),
            )
            .order_by(Registration.id)
        ).all()
        if not people:
            raise MessageError("nobody to write to")
        missing = missing_languages(
            {"subject": subject, "body": body}, Counter(p.locale for p in people)
        )
        if missing:
            raise MessageError("a language has no text", missing)
        message = TrainingMessage(
            training_id=training_id,
            audience=str(audience),
            subject=subject,
            body=body,
            sent_by=actor,
            recipients=len(people),
        )
        db.session.add(message)
        db.session.flush()
        now = utcnow()
        message_ids = [
            queue(p.id, p.email, "message", now, training_message_id=message.id) for p in people
        ]
        audit.record(
            actor,
            "training.message",
            training=training.slug,
            audience=str(audience),
            recipients=len(people),
        )
    outbox.deliver_after_commit(message_ids)
    return message, message_ids


@dataclass(frozen=True)
class SentMessage:
    message: TrainingMessage
    sent: int
    waiting: int
    failed: int


def history(training_id: int) -> list[SentMessage]:
    """The messages sent to a training's registrants, newest first, with where their
    e-mails stand (delivered, waiting or being retried, failed)."""
    status = OutboxMessage.status
    counts = (
        select(
            OutboxMessage.training_message_id,
            func.sum(case((status == OutboxStatus.SENT, 1), else_=0)).label("sent"),
            func.sum(case((status == OutboxStatus.FAILED, 1), else_=0)).label("failed"),
            func.count().label("total"),
        )
        .group_by(OutboxMessage.training_message_id)
        .subquery()
    )
    rows = db.session.execute(
        select(TrainingMessage, counts.c.sent, counts.c.failed, counts.c.total)
        .outerjoin(counts, counts.c.training_message_id == TrainingMessage.id)
        .where(TrainingMessage.training_id == training_id)
        .order_by(TrainingMessage.created_at.desc(), TrainingMessage.id.desc())
    ).all()
    return [
        SentMessage(
            message,
            int(sent or 0),
            int((total or 0) - (sent or 0) - (failed or 0)),
            int(failed or 0),
        )
        for message, sent, failed, total in rows
    ]
