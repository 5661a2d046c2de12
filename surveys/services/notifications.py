"""E-mails to people who signed up, written to the outbox in the caller's transaction.

Each message is rendered in the registrant's language (plain text and HTML) with a calendar
file. Headers are built by the standard library's e-mail package with the SMTP policy, which
refuses line breaks in header values: a name or a title cannot inject headers.
"""

import uuid
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


def one_line(text: str, limit: int = 150) -> str:
    """Staff-written titles go into a header: no line breaks, bounded length."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        subject = subject_for(kind, one_line(title.text))
        text = render_template("emails/registration.txt", **context)
        html = render_template("emails/registration.html", subject=subject, **context)

    domain = urlsplit(public_url).hostname or "localhost"
    message_id = f"<{uuid.uuid4()}@{domain}>"
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["From"] = Address(
        display_name=one_line(config["ORGANISATION_NAME"]), addr_spec=config["MAIL_FROM"]
    )
    message["To"] = Address(
        display_name=one_line(registration.full_name), addr_spec=registration.email
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
