"""GDPR tools: one person's data, its export and erasure, retention purge, consents."""

import json
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import AuditEvent, Form, OutboxMessage, Registration, Submission, utcnow
from surveys.services import privacy
from surveys.services.forms import current_version_id

from .support import (
    ILI_ANSWERS,
    SURVEY_ANSWERS,
    csrf_of,
    make_training,
    outbox_messages,
    registrations_by_email,
    sign_up,
    stored_submissions,
    submit,
    training_held_days_ago,
    translated,
)


def seed_person(app):
    """Olena answered the survey with her contact, signed up for a full training (waiting
    list) and for another one, and sent an ILI form."""
    make_training(app, capacity=1)
    make_training(app, slug="autre", capacity=5)
    client = app.test_client()
    sign_up(client, "droit-des-etrangers", email="first@example.be")
    sign_up(client, "droit-des-etrangers", email="olena@example.be")
    sign_up(client, "autre", email="olena@example.be")
    submit(client, "/uk/survey", {**SURVEY_ANSWERS, "contact_email": "Olena@Example.be"})
    submit(client, "/fr/ili", {**ILI_ANSWERS, "email": "olena@example.be"})


def test_search_finds_everything_held_on_a_person(app, staff_client):
    seed_person(app)
    html = staff_client.get("/staff/privacy?q=OLENA@example.be").get_data(as_text=True)
    assert (
        "2 inscriptions" in html
        or "2 training registrations" in html
        or html.count("droit-des-etrangers") >= 1
    )
    with app.app_context():
        person = privacy.find_person("olena@example.be")
        assert len(person.registrations) == 2
        assert {s.form for s in person.submissions} == {"survey", "ili"}
        assert len(person.messages) == 2


def test_search_by_phone(app, staff_client):
    seed_person(app)
    with app.app_context():
        person = privacy.find_person("0470 12 34 56")  # the survey contact phone
        assert [s.form for s in person.submissions] == ["survey"]
        assert len(privacy.find_person("+380 67 123 4567").registrations) == 3


def test_export_gives_a_json_file_of_everything(app, staff_client):
    seed_person(app)
    response = staff_client.post(
        "/staff/privacy/export",
        data={
            **csrf_of(staff_client, "/staff/privacy?q=olena@example.be"),
            "q": "olena@example.be",
        },
    )
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="personal-data-'
    )
    data = json.loads(response.get_data(as_text=True))
    assert len(data["registrations"]) == 2
    assert {a["form"] for a in data["form_answers"]} == {"survey", "ili"}
    assert data["form_answers"][0]["consents"]


def test_erasure_removes_everything_reaches_the_outbox_and_logs_no_identity(
    app, staff_client, caplog
):
    seed_person(app)
    url = "/staff/privacy/erase?q=olena@example.be"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        "/staff/privacy/erase", data={**csrf_of(staff_client, url), "q": "olena@example.be"}
    )
    assert response.status_code == 200

    assert set(registrations_by_email(app)) == {"first@example.be"}
    assert [s.form for s in stored_submissions(app, "survey")] == []
    assert stored_submissions(app, "ili") == []
    assert all(m.recipient != "olena@example.be" for m in outbox_messages(app))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="person.erase"))
        everything = repr(
            [(e.actor, e.action, e.detail) for e in db.session.scalars(select(AuditEvent))]
        )
    assert event.detail["registrations"] == 2
    assert "olena" not in everything.lower()
    assert "olena" not in caplog.text.lower()


def test_erasing_a_confirmed_seat_gives_it_to_the_waiting_list(app, staff_client):
    make_training(app, capacity=1)
    sign_up(app.test_client(), "droit-des-etrangers", email="olena@example.be")
    sign_up(app.test_client(), "droit-des-etrangers", email="next@example.be")
    with app.app_context():
        privacy.erase_person("olena@example.be", actor="anna@example.be")
    assert registrations_by_email(app)["next@example.be"].status == "confirmed"
    assert [m.recipient for m in outbox_messages(app, "promoted")] == ["next@example.be"]


def test_purge_deletes_what_is_past_its_retention(app, runner):
    make_training(app, slug="ancienne", days_ahead=-400, sessions=1)
    make_training(app, slug="recente", days_ahead=-30, sessions=1)
    with app.app_context():
        from surveys.models import Training

        for slug, email in (("ancienne", "old@example.be"), ("recente", "new@example.be")):
            training = db.session.scalar(select(Training).filter_by(slug=slug))
            db.session.add(
                Registration(
                    training_id=training.id,
                    email=email,
                    locale="fr",
                    form_version=1,
                    version_id=current_version_id("training_signup"),
                    answers={},
                    status="confirmed",
                )
            )
        db.session.add(
            Submission(
                form="survey",
                form_version=1,
                version_id=current_version_id("survey"),
                locale="fr",
                answers={},
                submission_key="k" * 20,
                created_at=utcnow() - timedelta(days=750),
            )
        )
        db.session.add(
            Submission(
                form="survey",
                form_version=1,
                version_id=current_version_id("survey"),
                locale="fr",
                answers={},
                submission_key="m" * 20,
                created_at=utcnow() - timedelta(days=700),
            )
        )
        db.session.add(
            OutboxMessage(
                kind="confirmed",
                recipient="x@example.be",
                subject="s",
                message_id="<a@b>",
                status="sent",
                created_at=utcnow() - timedelta(days=100),
            )
        )
        db.session.commit()

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "1 answers, 1 registrations, 1 e-mail traces" in result.output
    assert set(registrations_by_email(app)) == {"new@example.be"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        assert db.session.scalar(select(AuditEvent).filter_by(action="purge")).actor == "system"


def test_consent_is_stored_with_the_version_of_its_text(app, client):
    make_training(app)
    sign_up(client, "droit-des-etrangers")
    submit(client, "/fr/survey", SURVEY_ANSWERS)
    submit(client, "/fr/ili", ILI_ANSWERS)
    assert registrations_by_email(app)["olena@example.be"].consents == {
        "needs_consent": "training-needs-2026-12"
    }
    assert stored_submissions(app, "survey")[0].consents == {
        "contact_consent": "survey-contact-2026-11"
    }
    assert stored_submissions(app, "ili")[0].consents == {
        "publication_consent": "ili-publication-2026-11"
    }


def add_ili_answer(email_typed_in: str, days_old: int, key: str) -> None:
    db.session.add(
        Submission(
            form="ili",
            form_version=1,
            version_id=current_version_id("ili"),
            locale="fr",
            answers={"organisation": "Asbl", "description": f"Contact : {email_typed_in}"},
            submission_key=key * 20,
            created_at=utcnow() - timedelta(days=days_old),
        )
    )


def test_each_form_keeps_its_answers_for_its_own_number_of_months(app, runner):
    with app.app_context():
        db.session.execute(
            update(Form).where(Form.code == "ili").values(retention_months=6, updated_at=utcnow())
        )
        add_ili_answer("a@example.be", 200, "a")  # past 6 months
        add_ili_answer("b@example.be", 100, "b")
        db.session.add(
            Submission(
                form="survey",
                form_version=1,
                version_id=current_version_id("survey"),
                locale="fr",
                answers={},
                submission_key="s" * 20,
                created_at=utcnow() - timedelta(days=200),  # within the survey's 24 months
            )
        )
        db.session.commit()
    assert "1 answers" in runner.invoke(args=["purge"]).output
    with app.app_context():
        kept = db.session.scalars(select(Submission.form).order_by(Submission.form)).all()
    assert kept == ["ili", "survey"]


def test_an_address_typed_in_an_answer_is_found_only_in_forms_that_collect_personal_data(
    app, staff_client
):
    with app.app_context():
        add_ili_answer("Zoe@Example.be", 1, "z")
        db.session.commit()
    found = staff_client.get("/staff/privacy?q=zoe%40example.be").get_data(as_text=True)
    assert "/staff/forms/ili/answers/" in found
    with app.app_context():
        db.session.execute(update(Form).where(Form.code == "ili").values(personal_data=False))
        db.session.commit()
    found = staff_client.get("/staff/privacy?q=zoe%40example.be").get_data(as_text=True)
    assert "/staff/forms/ili/answers/" not in found


def test_needs_are_erased_once_the_training_is_over_and_the_rest_is_kept(app, runner, client):
    """Accessibility and dietary needs may reveal health or belief: used only to organise the
    training, erased by the daily purge once its last date has passed; the registration
    itself stays for its own retention period, the consent's record too."""
    make_training(app, slug="passee", days_ahead=10, sessions=1)
    make_training(app, slug="a-venir", days_ahead=10, sessions=1)
    sign_up(client, "passee", email="past@example.be", accessibility_needs="Fauteuil roulant")
    sign_up(client, "a-venir", email="next@example.be", accessibility_needs="Fauteuil roulant")
    training_held_days_ago(app, "passee", 2)

    result = runner.invoke(args=["purge"])
    assert "the needs of 1 registrations erased" in result.output
    people = registrations_by_email(app)
    over, coming = people["past@example.be"], people["next@example.be"]
    assert "accessibility_needs" not in over.answers and "dietary_needs" not in over.answers
    assert over.answers["last_name"] == "Kovalenko"  # the rest is kept
    assert over.consents == {"needs_consent": "training-needs-2026-12"}
    assert coming.answers["accessibility_needs"] == "Fauteuil roulant"
    assert coming.answers["dietary_needs"] == "Végétarienne"
    assert "the needs of 0 registrations erased" in runner.invoke(args=["purge"]).output


def test_the_privacy_page_says_when_the_purge_ran_and_what_it_would_delete_now(
    app, staff_client, runner
):
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    with app.app_context():
        oldest = db.session.scalars(select(Submission).order_by(Submission.id)).first()
        oldest.created_at = utcnow() - timedelta(days=800)  # past every retention period
        db.session.commit()

    def cells(html: str, label: str) -> list[str]:
        row = html.split(f"<td>{label}</td>")[1].split("</tr>")[0]
        return re.findall(r'<td class="num">(\d+)</td>', row)

    page = staff_client.get("/staff/privacy").get_data(as_text=True)
    never = "Expired data has never been deleted on this server: the daily job is not set up."
    assert (
        translated(app, "fr", never + " Ask whoever runs the server to set it up (docs/deploy.md).")
        in page
    )
    answers = translated(app, "fr", "Answers")
    assert cells(page, answers) == ["1"]  # if it ran now
    with app.app_context():  # looking changed nothing
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 2

    assert runner.invoke(args=["purge"]).exit_code == 0
    page = staff_client.get("/staff/privacy").get_data(as_text=True)
    assert translated(app, "fr", never[:20]) not in page
    assert cells(page, answers) == ["1", "0"]  # last time, now
    with app.app_context():
        event = privacy.last_purge()
        event.at = utcnow() - timedelta(days=3)
        db.session.commit()
    late = staff_client.get("/staff/privacy").get_data(as_text=True)
    assert "docs/deploy.md" in late and "3 jours" in late.replace("\u00a0", " ")
