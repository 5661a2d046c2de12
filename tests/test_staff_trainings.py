"""Training management from the dashboard."""

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Training

from .support import (
    csrf_of,
    make_training,
    outbox_messages,
    registrations_by_email,
    sign_up,
    translated,
)


def training(app, slug):
    with app.app_context():
        found = db.session.scalar(select(Training).filter_by(slug=slug))
        if found is not None:
            found.sessions  # noqa: B018
        return found


FORM = {
    "slug": "atelier-andenne",
    "title_fr": "Atelier interculturel",
    "title_en": "",
    "title_uk": "Міжкультурний воркшоп",
    "description_fr": "Deux journées.",
    "trainer": "Équipe formation",
    "capacity": "20",
    "registration_deadline": "2030-02-20",
    "every_date_required": "y",
    "reminder_days": "2",
    "sessions": "2030-03-01 09:00-16:00 Andenne\n2030-03-08 09:00-16:00 Andenne",
}


def test_create_a_training_from_the_dashboard(app, staff_client):
    url = "/staff/trainings/new"
    response = staff_client.post(url, data={**csrf_of(staff_client, url), **FORM})
    assert response.status_code == 302
    created = training(app, "atelier-andenne")
    assert created.title == {"fr": "Atelier interculturel", "uk": "Міжкультурний воркшоп"}
    assert created.capacity == 20 and created.every_date_required
    assert [s.place for s in created.sessions] == ["Andenne", "Andenne"]
    assert created.is_published is False


def test_invalid_training_form_explains_each_problem(app, staff_client):
    url = "/staff/trainings/new"
    bad = {
        **FORM,
        "slug": "Bad Slug",
        "title_fr": "",
        "capacity": "0",
        "sessions": "2030-03-01 16:00-09:00 Andenne\nsoon",
    }
    html = staff_client.post(url, data={**csrf_of(staff_client, url), **bad}).get_data(as_text=True)
    assert translated(app, "fr", "Use lower-case letters, digits and hyphens only.") in html
    assert translated(app, "fr", "Enter a number of seats of at least 1.") in html
    assert "Line 2" in html or "Ligne 2" in html
    assert 'value="Bad Slug"' in html  # what was typed stays


def test_a_title_with_a_line_break_or_an_encoded_word_is_refused(app, staff_client):
    url = "/staff/trainings/new"
    message = translated(app, "fr", "Write the title on one line, without “=?” or “?=”.")
    for field, title in (
        ("title_fr", "Atelier\r\nBcc: v@example.org"),
        ("title_en", "Workshop\u2028Bcc: v@example.org"),
        ("title_uk", "=?utf-8?q?x=0D=0ABcc=3A_v=40example.org?="),
    ):
        data = {**csrf_of(staff_client, url), **FORM, field: title}
        html = staff_client.post(url, data=data).get_data(as_text=True)
        assert message in html, field
        assert training(app, "atelier-andenne") is None


def test_edit_texts_capacity_and_sessions_keeps_unchanged_dates(app, staff_client):
    make_training(app, capacity=1, sessions=2)
    sign_up(app.test_client(), "droit-des-etrangers", email="a@example.be")
    sign_up(app.test_client(), "droit-des-etrangers", email="b@example.be")
    before = training(app, "droit-des-etrangers")
    kept = before.sessions[0]
    url = "/staff/trainings/droit-des-etrangers/edit"
    page = staff_client.get(url).get_data(as_text=True)
    assert "Droit des étrangers" in page
    first_line = f"{kept.date.isoformat()} 09:30-16:30 Namur"
    data = {
        **csrf_of(staff_client, url),
        "slug": "droit-des-etrangers",
        "title_fr": "Droit des étrangers (2e édition)",
        "title_en": "",
        "title_uk": "",
        "capacity": "2",
        "reminder_days": "2",
        "sessions": first_line + "\n2031-01-10 09:30-16:30 Namur",
    }
    assert staff_client.post(url, data=data).status_code == 302
    after = training(app, "droit-des-etrangers")
    assert after.title == {"fr": "Droit des étrangers (2e édition)"}
    assert after.sessions[0].id == kept.id
    assert after.sessions[1].date.isoformat() == "2031-01-10"
    assert registrations_by_email(app)["b@example.be"].status == "confirmed"  # more seats
    assert [m.recipient for m in outbox_messages(app, "promoted")] == ["b@example.be"]


def test_duplicate_open_close_publish(app, staff_client):
    make_training(app, slug="atelier-ciney", every_date_required=True)
    url = "/staff/trainings/atelier-ciney/duplicate"
    response = staff_client.post(url, data={**csrf_of(staff_client, url), "slug": "atelier-dinant"})
    assert response.headers["Location"] == "/staff/trainings/atelier-dinant/edit"
    copy = training(app, "atelier-dinant")
    assert copy.every_date_required and not copy.is_published

    page = "/staff/trainings/atelier-dinant"
    staff_client.post(f"{page}/publish", data=csrf_of(staff_client, page))
    staff_client.post(f"{page}/close", data=csrf_of(staff_client, page))
    assert training(app, "atelier-dinant").is_published
    assert not training(app, "atelier-dinant").is_open
    staff_client.post(f"{page}/open", data=csrf_of(staff_client, page))
    assert training(app, "atelier-dinant").is_open


def test_registrants_by_status_cancel_and_give_a_seat(app, staff_client):
    make_training(app, capacity=1)
    for person in ("a", "b", "c"):
        sign_up(app.test_client(), "droit-des-etrangers", email=f"{person}@example.be")
    html = staff_client.get("/staff/trainings/droit-des-etrangers").get_data(as_text=True)
    assert html.index("a@example.be") < html.index("b@example.be") < html.index("c@example.be")

    ids = {e: r.id for e, r in registrations_by_email(app).items()}
    url = f"/staff/registrations/{ids['a@example.be']}/cancel"
    staff_client.post(url, data=csrf_of(staff_client, url))
    statuses = {e: r.status for e, r in registrations_by_email(app).items()}
    assert statuses == {
        "a@example.be": "cancelled",
        "b@example.be": "confirmed",
        "c@example.be": "waitlisted",
    }

    page = "/staff/trainings/droit-des-etrangers"
    staff_client.post(
        f"/staff/registrations/{ids['c@example.be']}/promote", data=csrf_of(staff_client, page)
    )
    assert registrations_by_email(app)["c@example.be"].status == "confirmed"  # over capacity
    assert {m.recipient for m in outbox_messages(app, "promoted")} == {
        "b@example.be",
        "c@example.be",
    }


def test_attendance_sheet_lists_confirmed_people_with_a_signature_column(app, staff_client):
    make_training(app, capacity=1)
    sign_up(
        app.test_client(),
        "droit-des-etrangers",
        email="a@example.be",
        last_name="Zelenska",
        organisation="ILI Ciney",
    )
    sign_up(app.test_client(), "droit-des-etrangers", email="b@example.be", last_name="Dupont")
    session_id = training(app, "droit-des-etrangers").sessions[0].id
    html = staff_client.get(
        f"/staff/trainings/droit-des-etrangers/sessions/{session_id}/attendance"
    ).get_data(as_text=True)
    assert "Zelenska" in html and "ILI Ciney" in html
    assert "Dupont" not in html  # waitlisted
    assert translated(app, "fr", "Signature") in html
    assert 'class="sign"' in html


def test_an_expired_page_keeps_what_staff_typed(app, staff_client):
    url = "/staff/trainings/new"
    staff_client.get(url)
    data = {**FORM, "csrf_token": "expired-or-forged", "description_fr": "Un long texte tapé"}
    response = staff_client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Un long texte tapé" in html and 'value="atelier-andenne"' in html
    assert (
        translated(app, "fr", "This page was open for a long time: press the button once more.")
        in html
    )
    assert training(app, "atelier-andenne") is None
