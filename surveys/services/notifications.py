"""E-mails to people who signed up, written to the outbox in the caller's transaction.

Each message is rendered in the registrant's language (plain text and HTML) with a calendar
file. Headers are built by the standard library's e-mail package, and every text that goes
into one (a person's name, a staff-written title) passes through ``header_text`` first: the
serializer itself has let line breaks through into headers more than once (CVE-2024-6923,
CVE-2026-1299), and a server may run any Python version.
"""

import unicodedata
import uuid
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import localized
from ..models import OutboxMessage, Registration, RegistrationStatus, utcnow
from . import calendar, tokens

KINDS = ("confirmed", "waitlisted", "promoted", "cancelled")


def subject_for(kind: str, title: str) -> str:
    subjects = {
        "confirmed": _("Registration confirmed: %(title)s", title=title),
        "waitlisted": _("Waiting list: %(title)s", title=title),
        "promoted": _("A seat is free for you: %(title)s", title=title),
        "cancelled": _("Registration cancelled: %(title)s", title=title),
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


def enqueue(registration: Registration, kind: str) -> OutboxMessage:
    """Render the ``kind`` message for ``registration`` and add it to the session's outbox.

    Messages other than a cancellation carry a fresh cancellation link: its secret exists
    only in this message, the registration keeps its hash, and earlier links stop working.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    config = current_app.config
    public_url = config["PUBLIC_URL"]
    lang = registration.locale
    training = registration.training

    cancel_url = None
    if kind != "cancelled":
        token = tokens.new_token()
        registration.cancel_token_hash = tokens.token_hash(token)
        cancel_url = f"{public_url}/{lang}/trainings/cancel/{token}"
    registration.calendar_sequence = (registration.calendar_sequence or 0) + 1
    registration.notified_at = utcnow()
    db.session.flush()

    with force_locale(lang):
        title = localized(training.title, lang)
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
        }
        subject = header_text(subject_for(kind, title.text), SUBJECT_LIMIT)
        text = render_template("emails/registration.txt", **context)
        html = render_template("emails/registration.html", subject=subject, **context)

    domain = urlsplit(public_url).hostname or "localhost"
    message_id = f"<{uuid.uuid4()}@{domain}>"
    message = EmailMessage(policy=SMTP)
    message["Subject"] = EncodedHeader("Subject", subject)
    message["From"] = Address(
        display_name=header_text(config["ORGANISATION_NAME"], DISPLAY_NAME_LIMIT),
        addr_spec=config["MAIL_FROM"],
    )
    message["To"] = Address(
        display_name=header_text(registration.full_name, DISPLAY_NAME_LIMIT),
        addr_spec=registration.email,
    )
    message["Reply-To"] = config["CONTACT_EMAIL"]
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    ics = calendar.registration_calendar(registration, kind, public_url)
    method = "CANCEL" if registration.status == RegistrationStatus.CANCELLED else "PUBLISH"
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="training.ics", params={"method": method}
    )
    message["Content-Language"] = lang  # after the body: set_content drops Content-* headers

    outbox_message = OutboxMessage(
        kind=kind,
        registration_id=registration.id,
        recipient=registration.email,
        subject=subject[:300],
        message_id=message_id,
        source=message.as_string(),
        next_attempt_at=utcnow(),
    )
    db.session.add(outbox_message)
    db.session.flush()
    return outbox_message
