"""A sign-up's e-mail is queued with the sign-up, under the training's lock, and written only
once that lock is released; a process that stops in between leaves it to the outbox worker,
which sends it once. The messages of one registration are written in the order queued."""

import email
import sqlite3
from email.policy import default

import psycopg
from icalendar import Calendar

from surveys.extensions import db
from surveys.models import OutboxStatus, Registration, Training
from surveys.services import notifications, outbox
from surveys.services.forms import current_version_id

from .support import (
    cancel_link,
    hidden_fields,
    make_app,
    make_training,
    outbox_messages,
    registrations_by_email,
    sign_up,
)


def calendar_sequence_and_status(source: str) -> tuple[int, str]:
    message = email.message_from_string(source, policy=default)
    [attachment] = [
        p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert len({(e["SEQUENCE"], e["STATUS"]) for e in events}) == 1
    return int(events[0]["SEQUENCE"]), str(events[0]["STATUS"])


def lock_is_free(database_url: str, slug: str) -> bool:
    """From another connection: can the training's lock be taken at once?"""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
        connection.isolation_level = None
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        try:
            connection.execute("SELECT id FROM trainings WHERE slug = %s FOR UPDATE NOWAIT", [slug])
            return True
        except psycopg.errors.LockNotAvailable:
            return False


def test_the_email_is_rendered_once_the_sign_up_is_committed_and_its_lock_released(
    app, database_url, monkeypatch
):
    slug = make_training(app)
    seen = []
    render = notifications.render

    def render_and_look(message, registration):
        stored = registrations_by_email(app).get("olena@example.be")
        seen.append((stored and stored.status, lock_is_free(database_url, slug)))
        return render(message, registration)

    monkeypatch.setattr(notifications, "render", render_and_look)
    assert sign_up(app.test_client(), slug).status_code == 303
    assert seen == [("confirmed", True)]
    [message] = outbox_messages(app)
    assert message.status == OutboxStatus.PENDING and message.source


def test_an_email_left_queued_by_a_stopped_process_is_written_and_sent_once_by_the_worker(
    mail_app, smtp_server, monkeypatch
):
    slug = make_training(mail_app)
    with monkeypatch.context() as stopped:  # the process stops right after the commit
        stopped.setattr(notifications, "write", lambda message_ids: None)
        assert sign_up(mail_app.test_client(), slug).status_code == 303
    [registration] = registrations_by_email(mail_app).values()
    assert registration.status == "confirmed" and registration.cancel_token_hash is None
    [queued] = outbox_messages(mail_app)
    assert queued.status == OutboxStatus.PENDING and queued.source is None

    with mail_app.app_context():
        report = outbox.deliver_due()
        again = outbox.deliver_due()
    assert len(report.sent) == 1 and again.sent == []
    [envelope] = smtp_server.handler.messages
    source = envelope.content.decode()
    assert calendar_sequence_and_status(source) == (1, "CONFIRMED")
    page = mail_app.test_client().get(cancel_link(source))
    assert page.status_code == 200
    assert [m.status for m in outbox_messages(mail_app)] == [OutboxStatus.SENT]


def test_with_queue_a_sign_up_only_decides_and_the_worker_writes_and_sends_each_email_once(
    database_url, smtp_server, smtp_port, monkeypatch
):
    """OUTBOX_AFTER_COMMIT=queue (docs/deploy.md): the request renders nothing; ``flask outbox
    worker`` writes and sends, in the registrant's language, with the waiting-list place the
    thank-you page gave."""
    app = make_app(
        database_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        OUTBOX_AFTER_COMMIT="queue",
    )
    slug = make_training(app, capacity=1)
    rendered = []
    render = notifications.render
    monkeypatch.setattr(
        notifications, "render", lambda *args: rendered.append(args) or render(*args)
    )
    first = sign_up(app.test_client(), slug, lang="uk", email="olena@example.be")
    second = sign_up(app.test_client(), slug, lang="en", email="taras@example.be")
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].endswith("result=waitlisted&place=1")
    assert rendered == []
    queued = outbox_messages(app)
    assert [(m.status, m.source) for m in queued] == [(OutboxStatus.PENDING, None)] * 2

    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "worker", "--interval", "0.01", "--max-passes", "2"])
    assert result.exit_code == 0, result.output
    received = {
        e.rcpt_tos[0]: email.message_from_bytes(e.content, policy=default)
        for e in smtp_server.handler.messages
    }
    assert sorted(received) == ["olena@example.be", "taras@example.be"]
    assert len(smtp_server.handler.messages) == 2
    assert received["olena@example.be"]["Content-Language"] == "uk"
    waiting = received["taras@example.be"]
    assert waiting["Content-Language"] == "en"
    text = waiting.get_body(("plain",)).get_content()
    assert "You are number 1 on the list." in text
    assert [m.status for m in outbox_messages(app)] == [OutboxStatus.SENT] * 2


def test_messages_of_one_registration_are_written_in_the_order_they_were_queued(app, monkeypatch):
    slug = make_training(app, capacity=1)
    client = app.test_client()
    assert sign_up(client, slug, email="first@example.be").status_code == 303
    with monkeypatch.context() as stopped:  # the waiting-list notice is left queued
        stopped.setattr(notifications, "write", lambda message_ids: None)
        assert sign_up(app.test_client(), slug, email="second@example.be").status_code == 303
    link = cancel_link(outbox_messages(app, "confirmed")[0].source)
    page = client.get(link).get_data(as_text=True)
    assert client.post(link, data=hidden_fields(page)).status_code == 303  # "second" moves up

    with app.app_context():
        second = db.session.scalar(db.select(Registration).filter_by(email="second@example.be"))
        assert second.status == "confirmed"
        [waitlisted] = outbox_messages(app, "waitlisted")
        [promoted] = outbox_messages(app, "promoted")
        assert waitlisted.id < promoted.id and waitlisted.source and promoted.source
        assert calendar_sequence_and_status(waitlisted.source) == (1, "TENTATIVE")
        assert calendar_sequence_and_status(promoted.source) == (2, "CONFIRMED")
        assert second.calendar_sequence == 2
    # The last message queued holds the link that works.
    assert app.test_client().get(cancel_link(waitlisted.source)).status_code == 404
    assert app.test_client().get(cancel_link(promoted.source)).status_code == 200


def test_a_message_that_cannot_be_written_fails_for_good_without_holding_up_the_others(
    app, monkeypatch, caplog
):
    slug = make_training(app)
    with monkeypatch.context() as stopped:
        stopped.setattr(notifications, "write", lambda message_ids: None)
        assert sign_up(app.test_client(), slug, email="first@example.be").status_code == 303
        assert sign_up(app.test_client(), slug, email="second@example.be").status_code == 303
    render = notifications.render

    def broken_for_the_first(message, registration):
        if registration.email == "first@example.be":
            raise KeyError("a template bug")
        return render(message, registration)

    monkeypatch.setattr(notifications, "render", broken_for_the_first)
    with app.app_context():
        report = outbox.deliver_due()
    assert len(report.sent) == 1
    first, second = outbox_messages(app)
    assert first.status == OutboxStatus.FAILED and "a template bug" in first.last_error
    assert first.handled_at is None  # staff see it among the failed messages
    assert second.status == OutboxStatus.SENT
    assert "could not be written" in caplog.text


def test_a_queued_message_of_a_deleted_registration_is_dropped(app):
    slug = make_training(app)
    with app.app_context():
        training = db.session.scalar(db.select(Training).filter_by(slug=slug))
        registration = Registration(
            training_id=training.id,
            email="gone@example.be",
            status="confirmed",
            locale="fr",
            form_version=1,
            version_id=current_version_id("training_signup"),
            answers={},
        )
        db.session.add(registration)
        db.session.flush()
        notifications.enqueue(registration, "confirmed")
        db.session.commit()
        db.session.delete(registration)  # as deleting its training does
        db.session.commit()
        report = outbox.deliver_due()
    assert report.sent == [] and report.failed == []
    [message] = outbox_messages(app)
    assert message.status == OutboxStatus.FAILED and message.handled_at is not None
