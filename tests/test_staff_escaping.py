"""Everything a respondent or a staff member typed is escaped wherever staff see it."""

import email
from email.policy import default

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Registration, Submission, TrainingSession

from .support import (
    ILI_ANSWERS,
    SIGNUP_ANSWERS,
    SURVEY_ANSWERS,
    csrf_of,
    make_training,
    outbox_messages,
    submit,
)

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
RAW_MARKERS = ("<script>alert(1)", "<img src=x")


def seed(app):
    make_training(app, capacity=1, title={"fr": "Titre " + PAYLOAD, "en": PAYLOAD, "uk": PAYLOAD})
    with app.app_context():
        session = db.session.scalar(select(TrainingSession))
        session.place = "Lieu " + PAYLOAD
        session.training.trainer = PAYLOAD
        session.training.description = {"fr": PAYLOAD}
        session.training.audience = {"fr": PAYLOAD}
        db.session.commit()
    client = app.test_client()
    survey_texts = (
        "topics_other",
        "channels_other",
        "preferred_channel_other",
        "languages_other",
        "comment",
    )
    submit(
        client,
        "/fr/survey",
        {
            **SURVEY_ANSWERS,
            "channels": ["whatsapp", "other"],
            "preferred_channel": "other",
            "languages": ["other"],
            **{f: PAYLOAD for f in survey_texts},
        },
    )
    ili_texts = (
        "organisation",
        "contact_person",
        "activity_title",
        "description",
        "audience",
        "schedule",
        "activity_kinds_other",
        "languages_used_other",
    )
    submit(
        client,
        "/fr/ili",
        {
            **ILI_ANSWERS,
            "activity_kinds": ["other"],
            "languages_used": ["other"],
            **{f: PAYLOAD for f in ili_texts},
        },
    )
    signup_texts = (
        "last_name",
        "first_name",
        "organisation",
        "heard_from_other",
        "accessibility_needs",
        "dietary_needs",
        "remark",
    )
    for email_address in ("a@example.be", "b@example.be"):
        response = submit(
            client,
            "/fr/trainings/droit-des-etrangers",
            {
                **SIGNUP_ANSWERS,
                "email": email_address,
                "heard_from": "other",
                **{f: PAYLOAD for f in signup_texts},
            },
        )
        assert response.status_code == 303
    with app.app_context():
        return {
            "survey": db.session.scalar(select(Submission.id).filter_by(form="survey")),
            "ili": db.session.scalar(select(Submission.id).filter_by(form="ili")),
            "registration": db.session.scalar(select(Registration.id)),
            "session": db.session.scalar(select(TrainingSession.id)),
        }


def title_of(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_payload_is_escaped_on_every_staff_page(app, staff_client):
    ids = seed(app)
    slug = "droit-des-etrangers"
    pages = [
        "/staff/",
        "/staff/trainings",
        f"/staff/trainings/{slug}",
        f"/staff/trainings/{slug}/edit",
        f"/staff/trainings/{slug}/duplicate",
        f"/staff/trainings/{slug}/sessions/{ids['session']}/attendance",
        f"/staff/registrations/{ids['registration']}/cancel",
        f"/staff/registrations/{ids['registration']}",
        f"/staff/trainings/{slug}/message",
        "/staff/forms/survey/answers",
        f"/staff/forms/survey/answers/{ids['survey']}",
        "/staff/forms/survey/summary",
        "/staff/forms/survey/summary?by_language=1",
        "/staff/forms/ili/answers",
        f"/staff/forms/ili/answers/{ids['ili']}",
        "/staff/forms/ili/summary",
        "/staff/privacy?q=a@example.be",
        "/staff/privacy?q=marie@example.be",
        "/staff/privacy/erase?q=a@example.be",
        "/staff/audit",
        "/staff/account/password",
    ]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        for marker in RAW_MARKERS:
            assert marker not in html, page
        assert "<" not in title_of(html), page  # a tab's title, never page content
    detail = staff_client.get(f"/staff/forms/ili/answers/{ids['ili']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    # A message to the registrants, previewed in every language, then listed once sent.
    url = f"/staff/trainings/{slug}/message"
    written = {
        **csrf_of(staff_client, url),
        "audience": "both",
        **{f"subject_{lang}": "Objet " + PAYLOAD for lang in ("fr", "en", "uk")},
        **{f"body_{lang}": PAYLOAD for lang in ("fr", "en", "uk")},
    }
    for button in ("preview", "send"):
        response = staff_client.post(url, data={**written, button: "1"})
        assert response.status_code in (200, 303), button
        for marker in RAW_MARKERS:
            assert marker not in response.get_data(as_text=True), button
    listing = staff_client.get(f"/staff/trainings/{slug}").get_data(as_text=True)
    assert "Objet &lt;script&gt;" in listing
    assert "<" not in title_of(listing)
    for marker in RAW_MARKERS:
        assert marker not in listing
    # And in the e-mails it became, in each part.
    sent = [m for m in outbox_messages(app, "message") if m.source]
    assert len(sent) == 2
    for message in sent:
        parsed = email.message_from_string(message.source, policy=default)
        html = parsed.get_body(("html",)).get_content()
        for marker in RAW_MARKERS:
            assert marker not in html  # the subject is plain text, as typed


def test_payload_is_escaped_in_emails(app):
    seed(app)
    for message in outbox_messages(app):
        parsed = email.message_from_string(message.source, policy=default)
        html = parsed.get_body(("html",)).get_content()
        for marker in RAW_MARKERS:
            assert marker not in html
        assert "&lt;script&gt;" in html


def test_payload_is_escaped_on_public_pages(app, client):
    seed(app)
    for page in ("/fr/trainings", "/uk/trainings/droit-des-etrangers"):
        html = client.get(page).get_data(as_text=True)
        for marker in RAW_MARKERS:
            assert marker not in html
