"""Attendance at the door (one tap per person, no JavaScript needed), the printed sheet, the
certificates of attendance (printed and e-mailed) and attendance in the registrants' export."""

import re
from datetime import time

from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import AuditEvent, Training, TrainingSession
from surveys.services import outbox

from .support import (
    csrf_of,
    login,
    make_staff,
    make_training,
    registrations_by_email,
    sign_up,
    translated,
)
from .test_exports import rows_of

PAGE = "/staff/trainings/droit-des-etrangers"


def sessions_of(app) -> list[int]:
    with app.app_context():
        training = db.session.scalar(select(Training))
        return [s.id for s in sorted(training.sessions, key=lambda s: s.date)]


def people(app, *, waitlisted: bool = False):
    """Zelenska (uk) and Dupont (fr) confirmed; Martin waitlisted when asked."""
    make_training(app, capacity=2, sessions=3)
    sign_up(
        app.test_client(),
        "droit-des-etrangers",
        lang="uk",
        email="z@example.be",
        last_name="Zelenska",
    )
    sign_up(
        app.test_client(),
        "droit-des-etrangers",
        lang="fr",
        email="d@example.be",
        last_name="Dupont",
        first_name="Marc",
    )
    if waitlisted:
        sign_up(app.test_client(), "droit-des-etrangers", email="m@example.be", last_name="Martin")
    return {e: r.id for e, r in registrations_by_email(app).items()}


def tap(client, door_url: str, registration_id: int, present: bool):
    form = {**csrf_of(client, door_url), "present": "1" if present else "0"}
    return client.post(f"{door_url}/{registration_id}", data=form)


def test_marking_who_came_at_the_door(app, staff_client):
    ids = people(app, waitlisted=True)
    first = sessions_of(app)[0]
    door = f"{PAGE}/sessions/{first}/door"
    html = staff_client.get(door).get_data(as_text=True)
    # Confirmed people only, alphabetically, each a button (a form: no JavaScript needed).
    assert html.index("Dupont") < html.index("Zelenska") and "Martin" not in html
    assert html.count('class="door-button') == 2
    assert translated(app, "fr", "%(present)d of %(total)d present", present=0, total=2) in html

    response = tap(staff_client, door, ids["z@example.be"], True)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/door#r{ids['z@example.be']}")  # back in place
    html = staff_client.get(door).get_data(as_text=True)
    assert translated(app, "fr", "%(present)d of %(total)d present", present=1, total=2) in html
    assert 'class="door-button here"' in html
    tap(staff_client, door, ids["z@example.be"], True)  # a second tap of the same button
    assert translated(app, "fr", "%(present)d of %(total)d present", present=1, total=2) in (
        staff_client.get(door).get_data(as_text=True)
    )
    tap(staff_client, door, ids["z@example.be"], False)  # undone
    assert 'class="door-button here"' not in staff_client.get(door).get_data(as_text=True)

    # Someone on the waiting list, or a session of another training, cannot be marked.
    assert tap(staff_client, door, ids["m@example.be"], True).status_code == 404
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("attendance.%"))
        ).all()
    assert actions == ["attendance.present", "attendance.present", "attendance.absent"]


def test_an_expired_door_page_marks_nothing_and_comes_back(app, staff_client):
    ids = people(app)
    door = f"{PAGE}/sessions/{sessions_of(app)[0]}/door"
    response = staff_client.post(
        f"{door}/{ids['z@example.be']}", data={"csrf_token": "expired", "present": "1"}
    )
    assert response.status_code == 303
    assert 'class="door-button here"' not in staff_client.get(door).get_data(as_text=True)


def test_the_printed_sheet_names_the_session_and_has_half_day_columns(app, staff_client):
    people(app)
    first, second, _third = sessions_of(app)
    sheet = staff_client.get(f"{PAGE}/sessions/{second}/attendance").get_data(as_text=True)
    assert translated(app, "fr", "Session %(number)d of %(count)d", number=2, count=3) in sheet
    assert "Centre interculturel" in sheet  # the organisation's name
    # 09:30 to 16:30: a morning and an afternoon signature.
    assert translated(app, "fr", "Signature, morning") in sheet
    assert translated(app, "fr", "Signature, afternoon") in sheet
    assert translated(app, "fr", "Trainer's signature") in sheet
    assert sheet.index("Dupont") < sheet.index("Zelenska")
    with app.app_context():
        db.session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == first)
            .values(start_time=time(18, 0), end_time=time(20, 0))
        )
        db.session.commit()
    evening = staff_client.get(f"{PAGE}/sessions/{first}/attendance").get_data(as_text=True)
    assert translated(app, "fr", "Signature, morning") not in evening
    assert translated(app, "fr", "Signature") in evening


def test_certificates_for_every_session_or_for_the_sessions_attended(app, staff_client):
    ids = people(app)
    sessions = sessions_of(app)
    for session in sessions:
        tap(staff_client, f"{PAGE}/sessions/{session}/door", ids["z@example.be"], True)
    tap(staff_client, f"{PAGE}/sessions/{sessions[0]}/door", ids["d@example.be"], True)

    every = staff_client.get(f"{PAGE}/certificates").get_data(as_text=True)
    assert every.count('class="certificate-page"') == 1
    # Olena Zelenska signed up in Ukrainian: her certificate is in Ukrainian.
    assert "Сертифікат про участь" in every and "Olena Zelenska" in every
    assert translated(app, "uk", "Duration: %(hours)s h", hours="21") in every
    assert 'lang="uk"' in every

    attended = staff_client.get(f"{PAGE}/certificates?sessions=attended").get_data(as_text=True)
    assert attended.count('class="certificate-page"') == 2
    dupont = attended[attended.index("Marc Dupont") :]
    assert translated(app, "fr", "Certificate of attendance") in attended
    assert translated(app, "fr", "Duration: %(hours)s h", hours="7") in dupont


def test_certificates_are_emailed_each_in_the_persons_language(mail_app, smtp_server):
    ids = people(mail_app)
    make_staff(mail_app)
    staff = mail_app.test_client()
    login(staff)
    sessions = sessions_of(mail_app)
    for session in sessions:
        for email in ("z@example.be", "d@example.be"):
            tap(staff, f"{PAGE}/sessions/{session}/door", ids[email], True)
    url = f"{PAGE}/certificates"
    response = staff.post(url, data=csrf_of(staff, url))
    assert response.status_code == 303
    with mail_app.app_context():
        outbox.deliver_due()
    received = {
        m["To"].addresses[0].addr_spec: m
        for m in smtp_server.handler.parsed()
        if "Сертифікат" in str(m["Subject"]) or "Attestation" in str(m["Subject"])
    }
    assert set(received) == {"z@example.be", "d@example.be"}
    ukrainian = received["z@example.be"]
    html = ukrainian.get_body(("html",)).get_content()
    assert "Сертифікат про участь" in html and "Olena Zelenska" in html
    assert not [p for p in ukrainian.iter_attachments() if p.get_content_type() == "text/calendar"]
    text = received["d@example.be"].get_body(("plain",)).get_content()
    assert "Marc Dupont" in text and "/trainings/cancel/" not in text
    with mail_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "training.certificates")
        ).one()
    assert event.detail["recipients"] == 2


def test_the_registrants_export_says_who_came_to_each_session(app, staff_client):
    ids = people(app)
    first = sessions_of(app)[0]
    tap(staff_client, f"{PAGE}/sessions/{first}/door", ids["z@example.be"], True)
    header, *rows = rows_of(staff_client.get(f"{PAGE}/export.csv"))
    columns = [i for i, name in enumerate(header) if name.startswith("Présence, séance")]
    assert len(columns) == 3
    by_email = {row[header.index("Adresse e-mail")]: row for row in rows}
    # Attendance was taken at the first session only: "no" there, nothing claimed elsewhere.
    assert by_email["z@example.be"][columns[0]] == "Oui"
    assert by_email["d@example.be"][columns[0]] == "Non"
    assert by_email["d@example.be"][columns[1]] == ""
    coded_header, *_coded = rows_of(staff_client.get(f"{PAGE}/export.csv?codes=1"))
    assert [name for name in coded_header if re.match(r"present_\d", name)] == [
        "present_1",
        "present_2",
        "present_3",
    ]
