"""E-mails to people who signed up: queued in the caller's transaction, written just after.

A message is queued (``enqueue``) in the transaction that makes the change it announces, so
that neither exists without the other; that transaction holds the training's lock, and
queuing costs one row. The message itself is written (``write``) once that transaction has
committed: rendered outside any transaction, then stored in a short one of its own — by the
request just after its commit, or by the outbox worker (``write_waiting``, the first step of
each pass, before it delivers anything) when OUTBOX_AFTER_COMMIT is "queue", or when the
request's process stopped before writing it.

Each message is rendered in the registrant's language (plain text and HTML) with a calendar
file. Headers are built by the standard library's e-mail package, and every text that goes
into one (a person's name, a staff-written title) passes through ``header_text`` first: the
serializer itself has let line breaks through into headers more than once (CVE-2024-6923,
CVE-2026-1299), and a server may run any Python version.
"""

import logging
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import aliased, joinedload

from .. import database
from ..extensions import begin_serialized, db, execute_core
from ..i18n import localized
from ..models import (
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    Training,
    TrainingMessage,
    utcnow,
)
from . import calendar, tokens

log = logging.getLogger(__name__)

# The registration's own news, then what staff send to a training's registrants: a message
# they wrote, a change of dates, the reminder before the first session.
KINDS = (
    "confirmed",
    "waitlisted",
    "promoted",
    "cancelled",
    "message",
    "changed",
    "reminder",
    "certificate",
)
# Kinds that change nothing in a calendar: no calendar file with them.
WITHOUT_CALENDAR = ("message", "certificate")


def subject_for(kind: str, title: str) -> str:
    subjects = {
        "confirmed": _("Registration confirmed: %(title)s", title=title),
        "waitlisted": _("Waiting list: %(title)s", title=title),
        "promoted": _("A seat is free for you: %(title)s", title=title),
        "cancelled": _("Registration cancelled: %(title)s", title=title),
        "changed": _("New dates: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s", title=title),
        "certificate": _("Certificate of attendance: %(title)s", title=title),
    }
    return subjects[kind]


def waitlist_place(registration: Registration) -> int | None:
    """1 for the next person to get a seat."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.training_id == registration.training_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | (
                (Registration.waitlisted_at == registration.waitlisted_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1


# A quoted display name longer than a line is folded without its quotes by the standard
# library (3.11 to 3.13 at least), and its commas then split it into several addresses.
DISPLAY_NAME_LIMIT = 70
SUBJECT_LIMIT = 200
# Kept: French puts them before ":" and "?", and nothing breaks a line at them.
NO_BREAK_SPACES = "\u00a0\u2007\u202f"


def blank(character: str) -> bool:
    return unicodedata.category(character) == "Cc" or (
        character.isspace() and character not in NO_BREAK_SPACES
    )


def quoted_length(text: str) -> int:
    """The length of ``text`` inside a quoted string, where \\ and " are escaped."""
    return len(text) + text.count("\\") + text.count('"')


def header_text(text: str, limit: int) -> str:
    """``text`` as it may go into a header, whatever it holds and on any Python version: one
    line of single spaces (every control character, line or paragraph separator and other
    white space becomes one), no RFC 2047 encoded word ("=?" and "?=" get a space inside,
    so mail software cannot decode one into a line break), at most ``limit`` characters
    even once quoted."""
    text = "".join(" " if blank(c) else c for c in text)
    text = " ".join(word for word in text.split(" ") if word)
    text = text.replace("=?", "= ?").replace("?=", "? =")
    if quoted_length(text) <= limit:
        return text
    while quoted_length(text) > limit - 1:
        text = text[:-1]
    return text.rstrip(" ") + "…"


class EncodedHeader:
    """An unstructured header (the subject) encoded and folded by ``email.header.Header``.

    The SMTP policy's own folder (CPython 3.10 to 3.13) mishandles the blanks around the
    encoded words of a long subject with non-ASCII characters: when "—" no longer fits on
    a line it starts the next line with a blank but keeps the one ending the line before
    ("workshop  — Ciney" once unfolded), it drops the blank between two encoded words, and
    it can cut an encoded word in two. ``Header`` encodes a non-ASCII text whole and folds
    between encoded words, where readers ignore white space. The policy stores an object
    with a ``name`` as it is and folds it by calling its ``fold``.
    """

    def __init__(self, name: str, value: str):
        self.name = name
        self.value = value

    def __str__(self) -> str:
        return self.value

    def fold(self, *, policy) -> str:
        charset = "us-ascii" if self.value.isascii() else "utf-8"
        # RFC 2047: a line holding an encoded word is at most 76 characters.
        encoded = Header(self.value, charset, header_name=self.name).encode(
            splitchars=" ", maxlinelen=76, linesep=policy.linesep
        )
        return f"{self.name}: {encoded}{policy.linesep}"


# Built once, the values given with each execution (a sign-up runs it under the lock).
INSERT_MESSAGE = insert(OutboxMessage.__table__)


def new_message_id() -> str:
    """A Message-ID for a queued e-mail, under the public site's domain."""
    domain = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return f"<{uuid.uuid4()}@{domain}>"


def queue(
    registration_id: int,
    recipient: str,
    kind: str,
    now: datetime,
    *,
    training_message_id: int | None = None,
    payload: dict | None = None,
) -> int:
    """Queue the ``kind`` message for a registration in the caller's transaction, as one
    INSERT (the caller may hold the training's lock: nothing is rendered, no object is
    loaded); returns its id, which the caller passes to ``outbox.deliver_after_commit`` once
    committed."""
    if kind not in KINDS:
        raise ValueError(kind)
    result = execute_core(
        INSERT_MESSAGE,
        {
            "kind": kind,
            "registration_id": registration_id,
            "recipient": recipient,
            "subject": "",  # written with the message
            "message_id": new_message_id(),
            "created_at": now,
            "next_attempt_at": now,
            "training_message_id": training_message_id,
            "payload": payload,
        },
    )
    return result.inserted_primary_key[0]


def enqueue(registration: Registration, kind: str, payload: dict | None = None) -> int:
    """``queue`` for a loaded registration (stored first if new), which is marked as
    notified now."""
    now = utcnow()
    registration.notified_at = now
    db.session.flush()
    return queue(registration.id, registration.email, kind, now, payload=payload)


def queued_only(message=OutboxMessage):
    """Queued, not written yet (the source is erased only once sent or failed for good)."""
    return (message.status == OutboxStatus.PENDING) & message.source.is_(None)


QUEUED = queued_only()
# Another process writing the same registration's messages at the same moment makes a store
# fail (and the message be rendered again); past this many, the outbox worker takes over.
WRITE_ATTEMPTS = 5


def write(message_ids: Iterable[int]) -> None:
    """Write the queued messages ``message_ids``, after the commit that queued them.

    The messages of one registration are written one after the other in the order they were
    queued, each with a fresh cancellation link and the next calendar sequence, so the last
    one queued carries the link that works and the calendar update that applies; so a message
    queued earlier and still waiting (its process stopped) is written first.
    """
    for message_id in message_ids:
        # As loaded by the caller's transaction, if it kept them (``commit_keeping_loaded``).
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.source is not None or message.registration_id is None:
            continue
        registration = db.session.get(Registration, message.registration_id)
        if registration is not None and not write_one(message, registration):
            # Another message of this registration was written meanwhile, or one queued
            # before this one is still waiting: the registration's are written in order.
            write_for(registration.id)


def commit_keeping_loaded() -> None:
    """Commit the caller's transaction without expiring what it loaded, so that ``write``
    renders the messages it queued from those objects instead of reading them again."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def write_waiting(limit: int = 100) -> None:
    """Write the messages still queued, oldest first, up to ``limit`` (the outbox worker's
    first step: every message when OUTBOX_AFTER_COMMIT is "queue", else those a stopped
    process left). They are read in one query with what they show, all rendered, then each
    stored; a registration's later messages are written after its first, one by one. One
    whose registration has since been deleted has no one to go to: it is marked failed, and
    handled."""
    rows = queued(OutboxMessage.registration_id.is_not(None), limit=limit)
    orphans = db.session.scalars(
        select(OutboxMessage.id).where(QUEUED, OutboxMessage.registration_id.is_(None))
    ).all()
    drafts, failures, later = [], [], []
    seen = set()
    for message, registration in rows:
        if registration.id in seen:
            later.append(registration.id)
            continue
        seen.add(registration.id)
        try:
            drafts.append(render(message, registration))
        except database.ERRORS:
            raise
        except Exception as error:
            log.exception("outbox: message %d could not be written", message.id)
            failures.append((message.id, registration.id, error))
    db.session.rollback()  # rendered: nothing more is read from these rows
    for message_id, registration_id, error in failures:
        database.run(fail, message_id, f"{type(error).__name__}: {error}"[:500], handled=False)
        later.append(registration_id)
    for draft in drafts:
        if not database.run(store, draft):
            later.append(draft.registration_id)
    for registration_id in dict.fromkeys(later):
        write_for(registration_id)
    for message_id in orphans:
        database.run(
            fail, message_id, "the registration was deleted before the message was written"
        )


def write_for(registration_id: int) -> None:
    """Write the registration's queued messages, oldest first (see ``write``)."""
    failures = 0
    while failures < WRITE_ATTEMPTS:
        oldest = queued(OutboxMessage.registration_id == registration_id, limit=1)
        if not oldest:
            db.session.rollback()
            return
        if not write_one(*oldest[0]):
            failures += 1
    log.warning(
        "outbox: the messages of registration %d were written elsewhere meanwhile %d times; "
        "the outbox worker writes what is left",
        registration_id,
        failures,
    )


def write_one(message: OutboxMessage, registration: Registration) -> bool:
    """Render and store one queued message; False when it has to wait (see ``store``)."""
    try:
        draft = render(message, registration)
    except database.ERRORS:
        raise
    except Exception as error:
        # A message that cannot be rendered (a bug) must not hold up the ones queued after
        # it: it fails for good, where staff see it, and the error is logged.
        log.exception("outbox: message %d could not be written", message.id)
        database.rollback()
        database.run(fail, message.id, f"{type(error).__name__}: {error}"[:500], handled=False)
        return True
    return database.run(store, draft)


def fail(message_id: int, error: str, *, handled: bool = True) -> None:
    """Give up on a queued message; ``handled``: no one can be told, staff need not act."""
    begin_serialized()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, QUEUED)
        .values(
            status=OutboxStatus.FAILED,
            last_error=error,
            handled_at=utcnow() if handled else None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def queued(condition, limit: int | None = None) -> list[tuple[OutboxMessage, Registration]]:
    """Queued messages matching ``condition``, oldest first, each with its registration and
    what rendering reads of it (its training and dates), in one query and one for the
    dates. The read transaction stays open until the message is stored, so that they stay
    loaded: a read blocks no writer."""
    rows = db.session.execute(
        select(OutboxMessage, Registration)
        .join(Registration, Registration.id == OutboxMessage.registration_id)
        .where(QUEUED, condition)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .options(joinedload(Registration.training).selectinload(Training.sessions))
        .execution_options(populate_existing=True)
    ).all()
    return [(message, registration) for message, registration in rows]


@dataclass(frozen=True)
class Draft:
    """A queued message, rendered, and what storing it changes on its registration."""

    message_id: int
    registration_id: int
    sequence: int  # the registration's calendar sequence once stored: one more than before
    token_hash: str | None  # of the new cancellation link; None leaves the link as it is
    subject: str
    source: str


def store(draft: Draft) -> bool:
    """Store a rendered message, unless it would be out of order: someone stored it, or
    another message of the same registration, since it was rendered (the calendar sequence
    it was rendered after has moved on), or one queued before it is still waiting. False
    then, and nothing is changed."""
    begin_serialized()  # SQLite: the write lock first, so the busy timeout applies
    earlier = aliased(OutboxMessage)
    written = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == draft.message_id,
            QUEUED,
            ~exists().where(
                earlier.registration_id == draft.registration_id,
                earlier.id < draft.message_id,
                queued_only(earlier),
            ),
        )
        .values(source=draft.source, subject=draft.subject)
        .execution_options(synchronize_session=False)
    )
    changes = {"calendar_sequence": draft.sequence}
    if draft.token_hash is not None:
        changes["cancel_token_hash"] = draft.token_hash
    moved = db.session.execute(
        update(Registration)
        .where(
            Registration.id == draft.registration_id,
            Registration.calendar_sequence == draft.sequence - 1,
        )
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount == 1 and moved.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    return False


@dataclass(frozen=True)
class WrittenMessage:
    """A message staff wrote, in the recipient's language (French where it has none)."""

    subject: str
    text: str
    lang: str


def staff_message(message: OutboxMessage, lang: str) -> WrittenMessage | None:
    if message.kind != "message" or message.training_message_id is None:
        return None
    written = db.session.get(TrainingMessage, message.training_message_id)
    if written is None:
        raise LookupError(f"the message {message.training_message_id} was deleted")
    subject = localized(written.subject, lang)
    return WrittenMessage(subject.text, localized(written.body, lang).text, subject.lang)


def certificate_for(message: OutboxMessage, registration: Registration):
    """The certificate a "certificate" e-mail carries, as attendance stands now."""
    if message.kind != "certificate":
        return None
    from .attendance import certificate_of  # it queues through this module

    certificate = certificate_of(
        registration, every_session=bool((message.payload or {}).get("every_session", True))
    )
    if certificate is None:
        raise LookupError("no certificate of attendance for this registration any more")
    return certificate


def attendance_html(certificate):
    from .attendance import certificate_html

    return certificate_html(certificate)


def removed_sessions(message: OutboxMessage) -> list[calendar.RemovedSession]:
    """The dates a change removed, as queued with it (their rows are gone)."""
    if not message.payload or "removed" not in message.payload:
        return []
    return [calendar.RemovedSession.from_json(item) for item in message.payload["removed"]]


def render(message: OutboxMessage, registration: Registration) -> Draft:
    """The queued ``message`` rendered for ``registration`` as it is now; no writes.

    Messages other than a cancellation carry a fresh cancellation link: its secret exists
    only in this message, the registration keeps its hash, and earlier links stop working.
    """
    config = current_app.config
    public_url = config["PUBLIC_URL"]
    kind = message.kind
    lang = registration.locale
    training = registration.training

    cancel_url = token_hash = None
    if kind != "cancelled":
        token = tokens.new_token()
        token_hash = tokens.token_hash(token)
        cancel_url = f"{public_url}/{lang}/trainings/cancel/{token}"
    sequence = registration.calendar_sequence + 1

    with force_locale(lang):
        title = localized(training.title, lang)
        written = staff_message(message, lang)
        context = {
            "kind": kind,
            "registration": registration,
            "training": training,
            "title": title,
            "place": waitlist_place(registration),
            "cancel_url": cancel_url,
            "training_url": f"{public_url}/{lang}/trainings/{training.slug}",
            "public_url": public_url,
            "lang": lang,
            "written": written,
            "removed": removed_sessions(message),
            "dates_changed": bool(message.payload and message.payload.get("dates_changed")),
        }
        certificate = certificate_for(message, registration)
        if certificate is not None:
            context["certificate"] = attendance_html(certificate)
            context["certificate_sessions"] = certificate.sessions
        if written is not None:
            subject = header_text(written.subject, SUBJECT_LIMIT)
        else:
            subject = header_text(subject_for(kind, title.text), SUBJECT_LIMIT)
        text = render_template("emails/registration.txt", **context)
        html = render_template("emails/registration.html", subject=subject, **context)

    email = EmailMessage(policy=SMTP)
    email["Subject"] = EncodedHeader("Subject", subject)
    email["From"] = Address(
        display_name=header_text(config["ORGANISATION_NAME"], DISPLAY_NAME_LIMIT),
        addr_spec=config["MAIL_FROM"],
    )
    email["To"] = Address(
        display_name=header_text(registration.full_name, DISPLAY_NAME_LIMIT),
        addr_spec=registration.email,
    )
    email["Reply-To"] = config["CONTACT_EMAIL"]
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    # The calendar files: the training's dates as they are now (none with a message staff
    # wrote: it changes nothing in a calendar), and the events of removed dates cancelled.
    files = []
    if kind not in WITHOUT_CALENDAR:
        ics = calendar.registration_calendar(registration, kind, public_url, sequence)
        files.append((ics, "CANCEL" if kind == "cancelled" else "PUBLISH", "training.ics"))
    if context["removed"]:
        ics = calendar.cancelled_sessions(registration, context["removed"], public_url, sequence)
        files.append((ics, "CANCEL", "cancelled-dates.ics"))
    for ics, method, filename in files:
        # The charset is declared: a strict reader decodes an undeclared text part as
        # ASCII, and titles and places are not ("é" came out as garbage).
        email.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=filename,
            params={"method": method, "charset": "utf-8"},
        )
    email["Content-Language"] = lang  # after the body: set_content drops Content-* headers
    return Draft(
        message_id=message.id,
        registration_id=registration.id,
        sequence=sequence,
        token_hash=token_hash,
        subject=subject[:300],
        source=email.as_string(),
    )
