"""What staff send to a training's registrants, delivered over a real SMTP server on
loopback: a message written once in three languages, the new dates after a change (with
updated and cancelled calendar events), and the reminder before the first session, each
delivered once."""

import re
import threading
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import AuditEvent, Registration, TrainingSession, utcnow
from surveys.services import outbox, reminders

from .support import (
    csrf_of,
    hidden_fields,
    login,
    make_staff,
    make_training,
    outbox_messages,
    sign_up,
    translated,
)
from .test_mail import calendar_of

PAGE = "/staff/trainings/droit-des-etrangers"
MESSAGE_PAGE = f"{PAGE}/message"
MESSAGE = {
    "audience": "both",
    "subject_fr": "Changement de salle",
    "subject_en": "Change of room",
    "subject_uk": "Зміна приміщення",
    "body_fr": "La formation a lieu **salle 2**, au premier étage.",
    "body_en": "The training takes place in **room 2**, on the first floor.",
    "body_uk": "Тренінг відбудеться в **залі 2**, на першому поверсі.",
}


def deliver(app, now=None):
    with app.app_context():
        return outbox.deliver_due(now=now)


def staff_of(app):
    make_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def three_people(app):
    """Two confirmed people (fr, uk) and one on the waiting list (en)."""
    make_training(app, capacity=2, sessions=3)
    for lang in ("fr", "uk", "en"):
        response = sign_up(
            app.test_client(), "droit-des-etrangers", lang=lang, email=f"{lang}@example.be"
        )
        assert response.status_code == 303
    deliver(app)


def by_recipient(smtp_server, kind_subject: str | None = None) -> dict:
    found = {}
    for message in smtp_server.handler.parsed():
        if kind_subject is None or kind_subject in str(message["Subject"]):
            found[message["To"].addresses[0].addr_spec] = message
    return found


def test_a_message_reaches_each_person_once_in_their_own_language(mail_app, smtp_server):
    three_people(mail_app)
    staff = staff_of(mail_app)
    form = {**csrf_of(staff, MESSAGE_PAGE), **MESSAGE}

    # The preview shows each language's text and the number of people; nothing is sent yet.
    preview = staff.post(MESSAGE_PAGE, data={**form, "preview": "1"}).get_data(as_text=True)
    assert "Зміна приміщення" in preview and "<strong>room 2</strong>" in preview
    assert translated(mail_app, "fr", "Send to %(num)d person")[:8] in preview
    assert outbox_messages(mail_app, "message") == []

    sent = staff.post(MESSAGE_PAGE, data={**form, "send": "1"})
    assert sent.status_code == 303
    assert len(deliver(mail_app).sent) == 3
    received = by_recipient(smtp_server)
    assert str(received["fr@example.be"]["Subject"]) == "Changement de salle"
    assert str(received["uk@example.be"]["Subject"]) == "Зміна приміщення"
    assert str(received["en@example.be"]["Subject"]) == "Change of room"
    ukrainian = received["uk@example.be"]
    assert ukrainian["Content-Language"] == "uk"
    assert "<strong>залі 2</strong>" in ukrainian.get_body(("html",)).get_content()
    text = ukrainian.get_body(("plain",)).get_content()
    assert "Тренінг відбудеться в **залі 2**" in text and "/uk/trainings/cancel/" in text
    # A message changes nothing in a calendar: no calendar file with it.
    assert not [p for p in ukrainian.iter_attachments() if p.get_content_type() == "text/calendar"]

    # Delivered once: a later pass sends nothing more.
    assert deliver(mail_app).sent == []
    assert len([m for m in smtp_server.handler.parsed() if "salle" in str(m["Subject"])]) == 1

    # The audit log says it was sent and to how many, never what it said.
    with mail_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "training.message")
        ).one()
    assert event.detail == {"training": "droit-des-etrangers", "audience": "both", "recipients": 3}
    assert "salle" not in str(event.detail)
    # The training page lists it, with where its e-mails stand.
    page = staff.get(PAGE).get_data(as_text=True)
    assert "Changement de salle" in page
    assert (
        translated(
            mail_app,
            "fr",
            "%(sent)d delivered, %(waiting)d waiting, %(failed)d failed",
            sent=3,
            waiting=0,
            failed=0,
        )
        in page
    )


def test_the_confirmed_people_only(mail_app, smtp_server):
    three_people(mail_app)
    staff = staff_of(mail_app)
    form = {**csrf_of(staff, MESSAGE_PAGE), **MESSAGE, "audience": "confirmed", "send": "1"}
    assert staff.post(MESSAGE_PAGE, data=form).status_code == 303
    deliver(mail_app)
    assert set(by_recipient(smtp_server, "Changement")) | set(
        by_recipient(smtp_server, "Зміна")
    ) == {"fr@example.be", "uk@example.be"}


def test_a_language_some_readers_use_must_be_written(mail_app, smtp_server):
    three_people(mail_app)
    staff = staff_of(mail_app)
    form = {**csrf_of(staff, MESSAGE_PAGE), **MESSAGE, "subject_uk": "", "body_uk": "", "send": "1"}
    response = staff.post(MESSAGE_PAGE, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        translated(mail_app, "fr", "Some of the people you write to read this language: write it.")
        in html
    )
    assert "La formation a lieu **salle 2**" in html  # everything typed is still there
    assert outbox_messages(mail_app, "message") == []
    # Nobody on the waiting list reads Ukrainian: to them, French and English are enough.
    form = {**form, "audience": "waitlisted"}
    assert staff.post(MESSAGE_PAGE, data=form).status_code == 303
    assert [m.recipient for m in outbox_messages(mail_app, "message")] == ["en@example.be"]


def edit_training(staff, *, capacity: int, sessions: list[str]) -> None:
    """The training's page of changes, sent by staff with this capacity and these dates."""
    url = f"{PAGE}/edit"
    page = staff.get(url).get_data(as_text=True)
    form = hidden_fields(page)
    for name in re.findall(r'name="(\w+)"', page):
        form.setdefault(name, "")
    form.update(
        {
            "slug": "droit-des-etrangers",
            "title_fr": "Droit des étrangers",
            "capacity": str(capacity),
            "reminder_days": "2",
            "sessions": "\n".join(sessions),
        }
    )
    form.pop("every_date_required", None)
    assert staff.post(url, data=form).status_code == 302


def calendar_files(message) -> dict:
    return {
        part.get_filename(): Calendar.from_ical(part.get_payload(decode=True))
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    }


def test_new_dates_update_the_same_calendar_events_and_cancel_the_removed_one(
    mail_app, smtp_server
):
    make_training(mail_app, capacity=5, sessions=3)
    assert sign_up(mail_app.test_client(), "droit-des-etrangers", lang="fr").status_code == 303
    deliver(mail_app)
    [confirmation] = smtp_server.handler.parsed()
    before = {e["DTSTART"].dt.date(): e for e in calendar_of(confirmation).walk("VEVENT")}
    first, second, third = sorted(before)

    # The first day starts later, the second is gone, the third stays, a fourth comes.
    edit_training(
        staff_of(mail_app),
        capacity=5,
        sessions=[
            f"{first.isoformat()} 13:00-17:00 Namur",
            f"{third.isoformat()} 09:30-16:30 Namur",
            f"{(third + timedelta(weeks=1)).isoformat()} 09:30-16:30 Namur",
        ],
    )
    deliver(mail_app)
    change = by_recipient(smtp_server)["olena@example.be"]
    assert str(change["Subject"]).startswith(
        translated(mail_app, "fr", "New dates: %(title)s", title="").strip()
    )
    calendars = [
        part for part in change.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert [p.get_filename() for p in calendars] == ["training.ics", "cancelled-dates.ics"]
    now, removed = (Calendar.from_ical(p.get_payload(decode=True)) for p in calendars)
    after = {e["DTSTART"].dt.date(): e for e in now.walk("VEVENT")}
    # Same events, updated: the moved day keeps its UID with a higher sequence.
    assert after[first]["UID"] == before[first]["UID"]
    assert after[first]["DTSTART"].dt.hour == 13
    assert after[first]["SEQUENCE"] > before[first]["SEQUENCE"]
    assert after[third]["UID"] == before[third]["UID"]
    assert len(after) == 3
    # The removed day is cancelled in the calendars that have it.
    assert removed["METHOD"] == "CANCEL"
    [gone] = removed.walk("VEVENT")
    assert gone["UID"] == before[second]["UID"] and gone["STATUS"] == "CANCELLED"
    text = change.get_body(("plain",)).get_content()
    assert translated(mail_app, "fr", "No longer planned:") in text


def test_a_change_of_texts_only_sends_nothing(mail_app, smtp_server):
    from surveys.services import training_admin

    make_training(mail_app, capacity=5, sessions=2)
    sign_up(mail_app.test_client(), "droit-des-etrangers")
    with mail_app.app_context():
        training_admin.update_training(
            "droit-des-etrangers", texts={"title": {"fr": "Droit des étrangers, 2e édition"}}
        )
    assert outbox_messages(mail_app, "changed") == []


def confirmed_days_ago(app, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Registration).values(confirmed_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()


def test_the_reminder_goes_once_even_when_two_workers_look_at_the_same_moment(
    mail_app, smtp_server
):
    make_training(mail_app, capacity=5, sessions=2, days_ahead=10)
    for lang in ("fr", "uk"):
        sign_up(
            mail_app.test_client(), "droit-des-etrangers", lang=lang, email=f"{lang}@example.be"
        )
    deliver(mail_app)
    # Nine days later, the first session is tomorrow: inside the two days' window.
    later = utcnow() + timedelta(days=9)
    queued, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            with mail_app.app_context():
                start.wait(timeout=10)
                queued.extend(reminders.queue_due(later))
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(queued) == 2  # one each, whichever worker claimed them
    deliver(mail_app, now=later)
    subjects = [str(m["Subject"]) for m in smtp_server.handler.parsed()]
    reminder_fr = translated(mail_app, "fr", "Reminder: %(title)s", title="").strip()
    reminder_uk = translated(mail_app, "uk", "Reminder: %(title)s", title="").strip()
    assert sum(s.startswith(reminder_fr) for s in subjects) == 1
    assert sum(s.startswith(reminder_uk) for s in subjects) == 1
    uk = next(m for m in smtp_server.handler.parsed() if str(m["Subject"]).startswith(reminder_uk))
    assert "/uk/trainings/cancel/" in uk.get_body(("plain",)).get_content()
    assert calendar_of(uk).walk("VEVENT")[0]["STATUS"] == "CONFIRMED"
    # Looked for again, later the same day: nothing more.
    with mail_app.app_context():
        assert reminders.queue_due(later + timedelta(hours=3)) == []


def test_no_reminder_before_its_day_nor_for_someone_who_just_signed_up(mail_app, smtp_server):
    make_training(mail_app, capacity=5, sessions=1, days_ahead=10)
    sign_up(mail_app.test_client(), "droit-des-etrangers", email="early@example.be")
    with mail_app.app_context():
        assert reminders.queue_due(utcnow() + timedelta(days=5)) == []  # not yet
    # Signed up inside the window: the confirmation is the reminder.
    confirmed_days_ago(mail_app, 0)
    with mail_app.app_context():
        training_day = utcnow() + timedelta(days=9)
        db.session.execute(update(Registration).values(confirmed_at=training_day))
        db.session.commit()
        assert reminders.queue_due(training_day + timedelta(minutes=1)) == []


def test_the_cron_command_queues_and_delivers_the_due_reminders(mail_app, smtp_server):
    make_training(mail_app, capacity=5, sessions=1, days_ahead=1)
    sign_up(mail_app.test_client(), "droit-des-etrangers", lang="en", email="en@example.be")
    deliver(mail_app)
    confirmed_days_ago(mail_app, 3)
    result = mail_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) queued" in result.output
    assert any(str(m["Subject"]).startswith("Reminder: ") for m in smtp_server.handler.parsed())
    again = mail_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "reminder" not in again.output


def test_a_person_given_a_seat_by_an_edit_that_also_moves_dates_gets_one_email(
    mail_app, smtp_server
):
    three_people(mail_app)  # fr and uk confirmed, en waiting; 3 dates
    smtp_server.handler.messages.clear()
    with mail_app.app_context():
        days = sorted({s.date for s in db.session.scalars(select(TrainingSession))})
    # One more seat, and the last date dropped: the person waiting is told both at once.
    edit_training(
        staff_of(mail_app),
        capacity=3,
        sessions=[f"{day.isoformat()} 09:30-16:30 Namur" for day in days[:2]],
    )
    deliver(mail_app)
    received = [m["To"].addresses[0].addr_spec for m in smtp_server.handler.parsed()]
    assert sorted(received) == ["en@example.be", "fr@example.be", "uk@example.be"]
    promoted = by_recipient(smtp_server)["en@example.be"]
    assert str(promoted["Subject"]).startswith("A seat is free for you")
    text = promoted.get_body(("plain",)).get_content()
    assert "The dates of the training" in text and "No longer planned:" in text
    files = calendar_files(promoted)
    assert sorted(files) == ["cancelled-dates.ics", "training.ics"]
    assert len(list(files["training.ics"].walk("VEVENT"))) == 2
    [gone] = files["cancelled-dates.ics"].walk("VEVENT")
    assert gone["DTSTART"].dt.date() == days[2]
    # The others get the new dates, as before.
    changed = by_recipient(smtp_server)["uk@example.be"]
    new_dates = translated(mail_app, "uk", "New dates: %(title)s", title="").strip()
    assert str(changed["Subject"]).startswith(new_dates)
    assert "cancelled-dates.ics" in calendar_files(changed)
