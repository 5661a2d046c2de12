"""E-mails over a real SMTP server on loopback (aiosmtpd), the outbox and its retries."""

import email
import re
import time
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import SMTP, default

import pytest
from icalendar import Calendar

from surveys.extensions import db
from surveys.models import OutboxMessage, Registration, utcnow
from surveys.services import notifications, outbox

from .support import (
    LANGUAGES,
    SIGNUP_ANSWERS,
    cancel_link,
    hidden_fields,
    make_training,
    outbox_messages,
    sign_up,
    submit,
    written_date,
)


def deliver(app, now=None):
    with app.app_context():
        return outbox.deliver_due(now=now)


def calendar_of(message) -> Calendar:
    """The message's calendar file, read as a strict reader does: as text in the charset its
    part declares."""
    [attachment] = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert attachment.get_content_charset() == "utf-8"
    text = attachment.get_payload(decode=True).decode(attachment.get_content_charset())
    return Calendar.from_ical(text)


SUBJECTS = {
    "fr": "Inscription confirmée",
    "en": "Registration confirmed",
    "uk": "Реєстрацію підтверджено",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_confirmation_is_delivered_in_the_registrants_language_with_a_calendar(
    mail_app, smtp_server, lang
):
    make_training(mail_app, sessions=4)
    client = mail_app.test_client()
    assert sign_up(client, "droit-des-etrangers", lang=lang).status_code == 303
    report = deliver(mail_app)

    assert len(report.sent) == 1
    [message] = smtp_server.handler.parsed()
    [envelope] = smtp_server.handler.messages
    assert envelope.rcpt_tos == ["olena@example.be"]
    assert message["To"].addresses[0].addr_spec == "olena@example.be"
    assert message["Content-Language"] == lang
    with mail_app.test_request_context(f"/{lang}/"):
        from flask_babel import gettext

        subject = gettext("Registration confirmed: %(title)s", title="")
    assert message["Subject"].startswith(subject.strip())
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    with mail_app.app_context():
        from surveys.models import TrainingSession

        first = db.session.scalars(
            db.select(TrainingSession).order_by(TrainingSession.date)
        ).first()
    assert written_date(mail_app, lang, first.date) in text
    assert written_date(mail_app, lang, first.date) in html
    assert f"/{lang}/trainings/cancel/" in text

    calendar = calendar_of(message)
    events = calendar.walk("VEVENT")
    assert len(events) == 4
    assert calendar["METHOD"] == "PUBLISH"
    assert events[0]["DTSTART"].dt.tzinfo.key == "Europe/Brussels"
    assert events[0]["DTSTART"].dt.hour == 9 and events[0]["DTSTART"].dt.minute == 30
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert events[0]["STATUS"] == "CONFIRMED"
    title = {"fr": "Droit des étrangers", "en": "Foreigners' law", "uk": "Право іноземців"}[lang]
    assert title in str(events[0]["SUMMARY"])  # read back whole through the declared charset


def test_cancellation_and_promotion_emails_update_the_same_calendar_events(mail_app, smtp_server):
    make_training(mail_app, capacity=1)
    client = mail_app.test_client()
    sign_up(client, "droit-des-etrangers", email="first@example.be")
    sign_up(client, "droit-des-etrangers", email="second@example.be", lang="uk")
    confirmation_source = outbox_messages(mail_app, "confirmed")[0].source
    deliver(mail_app)
    link = cancel_link(confirmation_source)
    client.post(link, data=hidden_fields(client.get(link).get_data(as_text=True)))
    deliver(mail_app)

    by_kind = {}
    for message in smtp_server.handler.parsed():
        by_kind.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    first_confirmed, first_cancelled = by_kind["first@example.be"]
    second_waitlisted, second_promoted = by_kind["second@example.be"]

    cancelled = calendar_of(first_cancelled)
    assert cancelled["METHOD"] == "CANCEL"
    assert cancelled.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    uids = [e["UID"] for e in calendar_of(first_confirmed).walk("VEVENT")]
    assert [e["UID"] for e in cancelled.walk("VEVENT")] == uids
    assert (
        cancelled.walk("VEVENT")[0]["SEQUENCE"]
        > calendar_of(first_confirmed).walk("VEVENT")[0]["SEQUENCE"]
    )

    assert calendar_of(second_waitlisted).walk("VEVENT")[0]["STATUS"] == "TENTATIVE"
    assert calendar_of(second_promoted).walk("VEVENT")[0]["STATUS"] == "CONFIRMED"
    assert second_promoted["Content-Language"] == "uk"
    assert "/uk/trainings/cancel/" in second_promoted.get_body(("plain",)).get_content()


def test_names_and_titles_cannot_inject_headers(mail_app, smtp_server):
    make_training(mail_app, title={"fr": "Atelier\r\nBcc: evil@example.com"})
    client = mail_app.test_client()
    refused = sign_up(client, "droit-des-etrangers", first_name="Olena\r\nBcc: evil@example.com")
    assert refused.status_code == 422
    assert sign_up(client, "droit-des-etrangers", last_name="Ko\nvalenko").status_code == 422

    assert sign_up(client, "droit-des-etrangers").status_code == 303
    deliver(mail_app)
    [envelope] = smtp_server.handler.messages
    assert envelope.rcpt_tos == ["olena@example.be"]
    message = email.message_from_bytes(envelope.content, policy=default)
    assert message["Bcc"] is None
    assert message["Subject"].endswith("Atelier Bcc: evil@example.com")


ENCODED_NAME = "=?utf-8?q?Evil=0D=0ABcc=3A_v=40example.org?="


def raw_headers(content: bytes) -> dict[bytes, list[bytes]]:
    """The header fields of a message as delivered, unfolded, by name (lower-case)."""
    head = content.split(b"\r\n\r\n", 1)[0]
    fields: dict[bytes, list[bytes]] = {}
    for line in re.sub(rb"\r\n(?=[ \t])", b"", head).split(b"\r\n"):
        name, _colon, value = line.partition(b":")
        fields.setdefault(name.lower(), []).append(value.strip())
    return fields


def decoded(value: bytes) -> str:
    """An unstructured header value as an RFC 2047 reader shows it."""
    return str(make_header(decode_header(value.decode("ascii"))))


def test_stored_encoded_word_name_and_title_cannot_add_headers(mail_app, smtp_server):
    title = "Atelier =?utf-8?q?x=0D=0ABcc=3A_w=40example.org?=\u2028Bcc: w@example.org"
    make_training(mail_app, title={"fr": title})
    assert sign_up(mail_app.test_client(), "droit-des-etrangers").status_code == 303
    with mail_app.app_context():
        # As old data would hold it, from before names were checked.
        registration = db.session.scalar(db.select(Registration))
        registration.answers = {**registration.answers, "first_name": ENCODED_NAME}
        notifications.enqueue(registration, "confirmed")
        db.session.commit()
    assert len(deliver(mail_app).sent) == 2

    for envelope in smtp_server.handler.messages:
        assert envelope.rcpt_tos == ["olena@example.be"]
        fields = raw_headers(envelope.content)
        assert len(fields[b"to"]) == 1 and b"bcc" not in fields
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        assert b"=?utf-8?q?Evil" not in head and b"=?utf-8?q?x" not in head
        [subject] = fields[b"subject"]
        assert decoded(subject).endswith(
            "Atelier = ?utf-8?q?x=0D=0ABcc=3A_w=40example.org? = Bcc: w@example.org"
        )
    first, second = smtp_server.handler.parsed()
    assert first["To"].addresses[0].display_name == "Olena Kovalenko"
    [to] = second["To"].addresses
    assert to.display_name == "= ?utf-8?q?Evil=0D=0ABcc=3A_v=40example.org? = Kovalenko"
    assert to.addr_spec == "olena@example.be"


@pytest.mark.parametrize(
    "text",
    [
        ENCODED_NAME,
        "Olena\r\nBcc: v@example.org",
        "Olena\x85Bcc: v@example.org",
        "Olena\u2028Bcc: v@example.org\u2029",
        "Olena\x0bKo\x0cva\x1clen\x1dko\x1e",
        "=?=?==??= ?=?",
        "Ol\x00ena\tKovalenko",
    ],
)
def test_header_text_leaves_one_line_without_encoded_words(text):
    cleaned = notifications.header_text(text, notifications.DISPLAY_NAME_LIMIT)
    assert len(cleaned.splitlines()) == 1
    assert "=?" not in cleaned and "?=" not in cleaned
    assert "  " not in cleaned and cleaned == cleaned.strip()
    assert cleaned.isprintable()


def test_long_english_subject_is_not_folded_with_a_double_space(mail_app, smtp_server):
    # With the SMTP policy's own folder this came out as "…, workshop  — Ciney".
    title = "Foreigners' law for social workers, workshop — Ciney"
    make_training(mail_app, title={"fr": "Droit des étrangers — Ciney", "en": title})
    assert sign_up(mail_app.test_client(), "droit-des-etrangers", lang="en").status_code == 303
    deliver(mail_app)

    [envelope] = smtp_server.handler.messages
    [subject] = raw_headers(envelope.content)[b"subject"]
    assert decoded(subject) == f"Registration confirmed: {title}"
    [message] = smtp_server.handler.parsed()
    assert message["Subject"] == f"Registration confirmed: {title}"


def test_subjects_of_every_length_read_back_exactly():
    for padding in range(80):
        for words in ("x" * padding, "Право іноземців " * (padding // 8)):
            subject = notifications.header_text(
                f"Registration confirmed: {words} workshop — Ciney", notifications.SUBJECT_LIMIT
            )
            message = EmailMessage(policy=SMTP)
            message["Subject"] = notifications.EncodedHeader("Subject", subject)
            content = message.as_bytes()
            assert all(len(line) <= 76 for line in content.split(b"\r\n"))
            [folded] = raw_headers(content)[b"subject"]
            assert decoded(folded) == subject
            assert email.message_from_bytes(content, policy=default)["Subject"] == subject


def test_sign_up_succeeds_with_the_smtp_server_down_and_mail_arrives_when_it_is_back(
    database_url, smtp_port
):
    from aiosmtpd.controller import Controller

    from .conftest import RecordingSMTPHandler
    from .support import make_app

    app = make_app(
        database_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        SMTP_TIMEOUT=2,
        OUTBOX_AFTER_COMMIT="send",
    )
    make_training(app)
    client = app.test_client()
    started = time.monotonic()
    response = sign_up(client, "droit-des-etrangers")
    assert response.status_code == 303
    assert time.monotonic() - started < 2  # the person does not wait for the mail server

    [message] = outbox_messages(app)
    deadline = time.monotonic() + 10
    # The background attempt: claimed ("sending"), then recorded as a temporary failure.
    while (message.attempts == 0 or message.status == "sending") and time.monotonic() < deadline:
        time.sleep(0.05)
        [message] = outbox_messages(app)
    assert message.status == "pending" and message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error

    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert deliver(app).sent == []  # not due before its retry delay
        report = deliver(app, now=utcnow() + timedelta(minutes=2))
    finally:
        controller.stop()
    assert len(report.sent) == 1
    assert len(handler.messages) == 1
    assert outbox_messages(app)[0].status == "sent"


def test_temporary_refusal_is_retried_with_backoff(mail_app, smtp_server):
    make_training(mail_app)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    smtp_server.handler.reply = "451 4.3.0 Try again later"
    report = deliver(mail_app)

    [message] = outbox_messages(mail_app)
    assert report.retried == [message.id]
    assert message.status == "pending"
    assert "451" in message.last_error
    delay = (message.next_attempt_at - utcnow()).total_seconds()
    assert 50 < delay <= 60
    assert message.source is not None

    smtp_server.handler.reply = None
    report = deliver(mail_app, now=utcnow() + timedelta(minutes=2))
    assert len(report.sent) == 1
    [message] = outbox_messages(mail_app)
    assert message.attempts == 2 and message.status == "sent"


def test_permanent_refusal_fails_for_good_and_keeps_no_content(mail_app, smtp_server):
    make_training(mail_app)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    smtp_server.handler.reply = "550 5.1.1 Mailbox does not exist"
    report = deliver(mail_app)

    [message] = outbox_messages(mail_app)
    assert report.failed == [message.id]
    assert message.status == "failed"
    assert "550" in message.last_error
    assert message.source is None
    assert deliver(mail_app, now=utcnow() + timedelta(days=3)).sent == []


def test_too_many_temporary_failures_end_in_failure(mail_app, smtp_server):
    make_training(mail_app)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    smtp_server.handler.reply = "421 4.7.0 Busy"
    now = utcnow()
    for _attempt in range(len(outbox.RETRY_DELAYS) + 1):
        now += timedelta(days=2)
        deliver(mail_app, now=now)
    [message] = outbox_messages(mail_app)
    assert message.status == "failed"
    assert message.attempts == len(outbox.RETRY_DELAYS) + 1


def test_message_stuck_in_sending_after_a_crash_is_delivered_and_a_duplicate_is_harmless(
    mail_app, smtp_server
):
    make_training(mail_app)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    deliver(mail_app)
    # A crash between the SMTP server's "250" and our bookkeeping leaves it "sending".
    with mail_app.app_context():
        message = db.session.scalar(db.select(OutboxMessage))
        message.status = "sending"
        message.locked_at = utcnow() - timedelta(minutes=10)
        message.source = smtp_server.handler.messages[0].content.decode()
        db.session.commit()

    report = deliver(mail_app)
    assert report.recovered == 1 and len(report.sent) == 1
    first, second = smtp_server.handler.parsed()
    assert first["Message-ID"] == second["Message-ID"]
    assert [e["UID"] for e in calendar_of(first).walk("VEVENT")] == [
        e["UID"] for e in calendar_of(second).walk("VEVENT")
    ]


def test_delivered_message_keeps_no_cancellation_secret(mail_app, smtp_server):
    make_training(mail_app)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    deliver(mail_app)
    [message] = outbox_messages(mail_app)
    assert message.status == "sent" and message.source is None
    assert message.subject and message.recipient == "olena@example.be"


def test_local_default_writes_mail_to_a_folder(app, client, tmp_path):
    app.config["MAIL_FOLDER"] = str(tmp_path / "mail")
    make_training(app)
    sign_up(client, "droit-des-etrangers")
    assert len(deliver(app).sent) == 1
    [path] = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert message["To"].addresses[0].addr_spec == "olena@example.be"


def test_outbox_commands(app, runner, client):
    make_training(app)
    sign_up(client, "droit-des-etrangers")
    assert "1 sent" in runner.invoke(args=["outbox", "send"]).output
    result = runner.invoke(args=["outbox", "worker", "--interval", "0.01", "--max-passes", "2"])
    assert result.exit_code == 0 and "stopped" in result.output
    assert "sent: 1" in runner.invoke(args=["outbox", "status"]).output


def test_immediate_delivery_after_commit(database_url, smtp_server, smtp_port):
    from .support import make_app

    app = make_app(
        database_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        OUTBOX_AFTER_COMMIT="send",
    )
    make_training(app)
    answers = {**SIGNUP_ANSWERS}
    assert (
        submit(app.test_client(), "/fr/trainings/droit-des-etrangers", answers).status_code == 303
    )
    deadline = time.monotonic() + 10
    while not smtp_server.handler.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp_server.handler.messages) == 1
