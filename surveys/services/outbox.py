"""Delivering the outbox: at least once, never inside a database transaction.

A pass writes the messages a stopped process left queued (``notifications.write_waiting``),
recovers messages left "sending" by a crashed process, claims due messages one by one
with a conditional UPDATE (so two workers never send the same message at the same time),
sends each over the configured backend, and records the result: sent, retried later with a
growing delay for temporary failures (SMTP 4xx, connection problems), or failed for good on a
permanent refusal (SMTP 5xx) or after the last retry. Failed messages wait for staff.
"""

import contextlib
import logging
import smtplib
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import exists, select, update

from .. import database
from ..extensions import begin_serialized, db
from ..models import OutboxMessage, OutboxStatus, utcnow
from . import audit, notifications

log = logging.getLogger(__name__)

# Delay before the 1st, 2nd, … retry; after the last one the message has failed (≈ 2 days).
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


@dataclass
class PassReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    recovered: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.sent)} sent, {len(self.retried)} to retry, {len(self.failed)} failed, "
            f"{self.recovered} recovered"
        )


def classify(error: Exception) -> Exception:
    """Turn an SMTP or network error into a temporary or a permanent failure."""
    code = None
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next(iter(error.recipients.values()))[0]
    elif isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
    text = f"{type(error).__name__}: {error}"[:500]
    if code is not None and 500 <= code < 600:
        return PermanentFailure(text)
    return TemporaryFailure(text)


class SMTPBackend:
    """One connection per pass, opened on the first message."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        config = self.config
        security = config["SMTP_SECURITY"]
        smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
        connection = smtp_class(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        )
        if security == "starttls":
            connection.starttls()
        if config["SMTP_USERNAME"]:
            connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        return connection

    def send(self, message: OutboxMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self.connect()
            self.connection.sendmail(
                self.config["MAIL_FROM"],
                [message.recipient],
                message.source.encode("ascii", "replace"),
            )
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise classify(error) from error

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None


class FolderBackend:
    """Writes each message as an .eml file, for local installations without a mail server."""

    def __init__(self, config):
        self.folder = Path(config["MAIL_FOLDER"])

    def send(self, message: OutboxMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message.id:06d}-{message.kind}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(message.source, encoding="ascii", errors="replace")
        temporary.replace(path)

    def close(self) -> None:
        pass


class ConsoleBackend:
    def __init__(self, config):
        pass

    def send(self, message: OutboxMessage) -> None:
        sys.stdout.write(message.source + "\n")
        sys.stdout.flush()

    def close(self) -> None:
        pass


BACKENDS = {"smtp": SMTPBackend, "folder": FolderBackend, "console": ConsoleBackend}


def make_backend():
    config = current_app.config
    return BACKENDS[config["MAIL_BACKEND"]](config)


def recover_stuck(now: datetime) -> int:
    limit = now - timedelta(seconds=current_app.config["OUTBOX_STUCK_SECONDS"])
    stuck = (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_at < limit)
    # Looked for first: a pass comes every second, and on SQLite the update would take the
    # database's write lock each time, for nothing almost always.
    if not db.session.scalar(select(exists().where(stuck))):
        db.session.rollback()
        return 0
    begin_serialized()
    result = db.session.execute(
        update(OutboxMessage)
        .where(stuck)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, locked_at=None)
    )
    db.session.commit()
    if result.rowcount:
        log.warning(
            "outbox: %d message(s) stuck in 'sending' put back in the queue", result.rowcount
        )
    return result.rowcount


def claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Take one pending, written message for this process and return it, loaded and detached
    (read while talking to the server, outside any transaction); None if another process has
    it (or it is not written yet). One unit of work: if reading it fails, the claim is rolled
    back with it, and the message stays pending instead of "sending" until taken as stuck."""
    begin_serialized()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.source.is_not(None),
        )
        .values(status=OutboxStatus.SENDING, locked_at=now, attempts=OutboxMessage.attempts + 1)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    db.session.expunge(message)  # its loaded values stay; nothing is read again
    db.session.commit()
    return message


def record(message_id: int, error: Exception | None, report: PassReport) -> None:
    """Store a delivery's outcome. It is tried again until it is stored (for about half the
    time after which a "sending" message is taken as stuck and sent again): a message the
    server accepted must not be sent a second time because its outcome was lost."""
    deadline = time.monotonic() + current_app.config["OUTBOX_STUCK_SECONDS"] / 2
    pause = 0.1
    while True:
        try:
            outcome = database.run(store_outcome, message_id, error)
        except database.DatabaseUnavailable:
            if time.monotonic() + pause > deadline:
                log.error("outbox: the outcome of message %d could not be stored", message_id)
                return
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
            continue
        getattr(report, outcome).append(message_id)
        if outcome == "failed":
            log.error("outbox: message %d failed for good: %s", message_id, error)
        elif outcome == "retried":
            log.warning("outbox: message %d will be retried: %s", message_id, error)
        return


def store_outcome(message_id: int, error: Exception | None) -> str:
    """One unit of work: "sent", "retried" or "failed", as committed."""
    begin_serialized()  # SQLite: the write lock first, so the busy timeout applies
    message = db.session.get(OutboxMessage, message_id)
    now = utcnow()
    message.locked_at = None
    if error is None:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = None
        message.source = None  # it held a cancellation link; delivered, it is not kept
        outcome = "sent"
    elif isinstance(error, PermanentFailure) or message.attempts > len(RETRY_DELAYS):
        message.status = OutboxStatus.FAILED
        message.last_error = str(error)
        message.source = None
        outcome = "failed"
    else:
        message.status = OutboxStatus.PENDING
        message.last_error = str(error)
        message.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[message.attempts - 1])
        outcome = "retried"
    db.session.commit()
    return outcome


def deliver(message_ids: Iterable[int], report: PassReport | None = None) -> PassReport:
    report = report or PassReport()
    backend = make_backend()
    try:
        for message_id in message_ids:
            try:
                message = database.run(claim, message_id, utcnow())
            except database.DatabaseUnavailable:
                continue  # still pending: the next pass takes it
            if message is None:
                continue
            try:
                backend.send(message)
            except (TemporaryFailure, PermanentFailure) as error:
                record(message_id, error, report)
            except OSError as error:  # the folder backend
                record(message_id, TemporaryFailure(str(error)), report)
            else:
                record(message_id, None, report)
    finally:
        backend.close()
    return report


def deliver_due(limit: int = 100, now: datetime | None = None) -> PassReport:
    """One pass over the outbox (``flask outbox send``)."""
    notifications.write_waiting(limit)
    now = now or utcnow()
    report = PassReport(recovered=recover_stuck(now))
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.source.is_not(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return deliver(due, report)


def deliver_after_commit(message_ids: list[int]) -> None:
    """What a request does with the messages it just queued, as ``OUTBOX_AFTER_COMMIT``
    says: write them (``notifications.write``: the transaction that queued them is over, so
    no lock is held while they are rendered) and try them at once in the background, the
    person never waiting for SMTP ("send"); only write them ("write"); or leave both to the
    outbox worker ("queue"). Nothing here undoes or fails the committed change: whatever is
    not written or not delivered now is left to the outbox worker."""
    mode = current_app.config["OUTBOX_AFTER_COMMIT"]
    if not message_ids or mode == "queue":
        return
    try:
        notifications.write(message_ids)
    except Exception:
        database.rollback()
        log.exception("outbox: messages %s not written now; the outbox worker will", message_ids)
    if mode != "send":
        return
    app = current_app._get_current_object()
    threading.Thread(
        target=deliver_in_background,
        args=(app, list(message_ids)),
        name="outbox-after-commit",
        daemon=True,
    ).start()


def deliver_in_background(app: Flask, message_ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver(message_ids)
        except Exception:
            log.exception("outbox: immediate delivery failed; the worker will retry")
        finally:
            db.session.remove()


def failed_unhandled() -> list[OutboxMessage]:
    """Messages that failed for good and that no one has dealt with yet (staff overview)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.handled_at.is_(None))
            .order_by(OutboxMessage.created_at.desc())
        )
    )


def mark_handled(message_id: int, *, actor: str) -> bool:
    """Staff dealt with a failed message (e.g. phoned the person); False if it is unknown."""
    begin_serialized()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        db.session.rollback()
        return False
    message.handled_at = utcnow()
    audit.record(actor, "email.handled", id=message_id)
    db.session.commit()
    return True
