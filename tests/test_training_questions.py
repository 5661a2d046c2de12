"""A training's own questions: staff add them through the form editor; they are asked on
that training's page only, stored with each sign-up, and shown in its registrants list and
exports."""

import csv
import io

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Registration

from .support import csrf_of, make_training, press, sign_up, training_held_days_ago


def texts(prefix, fr, en, uk):
    return {f"{prefix}.fr": fr, f"{prefix}.en": en, f"{prefix}.uk": uk}


def test_a_trainings_own_question_is_asked_stored_listed_and_exported(app, staff_client):
    make_training(app, slug="atelier")
    make_training(app, slug="autre")
    opened = staff_client.post(
        "/staff/trainings/atelier/questions", data=csrf_of(staff_client, "/staff/trainings/atelier")
    )
    assert opened.status_code == 303
    editor = opened.headers["Location"]
    assert editor.startswith("/staff/editor/training_")
    code = editor.rsplit("/", 1)[-1]
    page = staff_client.get(editor).get_data(as_text=True)
    assert "Droit des étrangers" in page  # named after the training

    for label in (
        (
            "Avez-vous besoin d’une attestation ?",
            "Do you need a certificate?",
            "Потрібен сертифікат?",
        ),
        ("E-mail de votre service", "Email", "Пошта вашої служби"),
    ):
        added = press(
            staff_client, editor, ("action", "add"), new_type="single", **texts("new_label", *label)
        )
        assert added.status_code == 303
    document_codes = staff_client.get(editor).get_data(as_text=True)
    assert "<code>email_2</code>" in document_codes  # "email" belongs to the sign-up form
    press(staff_client, editor, ("action", "remove:email_2"))
    saved = press(
        staff_client,
        f"/staff/editor/{code}/questions/do_you_need_a_certificate",
        required="y",
        **texts("new-0", "Oui", "Yes", "Так"),
        **texts("new-1", "Non", "No", "Ні"),
    )
    assert saved.status_code == 303
    assert press(staff_client, editor, ("action", "publish")).status_code == 303

    visitor = app.test_client()
    assert "Do you need a certificate?" in visitor.get("/en/trainings/atelier").get_data(
        as_text=True
    )
    assert "Do you need a certificate?" not in visitor.get("/en/trainings/autre").get_data(
        as_text=True
    )
    # Kept with the registrations: not a form of its own in the privacy notice.
    assert "Droit des étrangers" not in visitor.get("/fr/privacy").get_data(as_text=True)
    missing = sign_up(visitor, "atelier", lang="en", email="a@example.be")
    assert missing.status_code == 422
    assert (
        sign_up(
            visitor, "atelier", lang="uk", email="b@example.be", do_you_need_a_certificate="yes"
        ).status_code
        == 303
    )
    assert sign_up(app.test_client(), "autre", email="c@example.be").status_code == 303
    with app.app_context():
        registration = db.session.scalar(select(Registration).filter_by(email="b@example.be"))
        assert registration.answers["do_you_need_a_certificate"] == "yes"
        assert registration.extra_version_id is not None

    listed = staff_client.get("/staff/trainings/atelier").get_data(as_text=True)
    assert "Avez-vous besoin d’une attestation ?" in listed and ">Oui</td>" in listed
    exported = staff_client.get("/staff/trainings/atelier/export.csv?codes=1").get_data(
        as_text=True
    )
    header, row = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    assert row[header.index("do_you_need_a_certificate")] == "yes"
    other = staff_client.get("/staff/trainings/autre/export.csv?codes=1").get_data(as_text=True)
    assert "do_you_need_a_certificate" not in other


def test_an_own_question_marked_sensitive_is_erased_once_the_training_is_over(
    app, staff_client, runner
):

    make_training(app, slug="atelier", days_ahead=5, sessions=1)
    opened = staff_client.post(
        "/staff/trainings/atelier/questions", data=csrf_of(staff_client, "/staff/trainings/atelier")
    )
    editor = opened.headers["Location"]
    code = editor.rsplit("/", 1)[-1]
    label = ("Allergies ou traitement", "Allergies or treatment", "Алергії чи лікування")
    press(staff_client, editor, ("action", "add"), new_type="text", **texts("new_label", *label))
    question_page = f"/staff/editor/{code}/questions/allergies_or_treatment"
    assert 'name="special_category"' in staff_client.get(question_page).get_data(as_text=True)
    assert press(staff_client, question_page, special_category="y").status_code == 303
    assert press(staff_client, editor, ("action", "publish")).status_code == 303
    assert (
        sign_up(
            app.test_client(), "atelier", email="b@example.be", allergies_or_treatment="Insuline"
        ).status_code
        == 303
    )
    training_held_days_ago(app, "atelier", 1)
    runner.invoke(args=["purge"])
    with app.app_context():
        registration = db.session.scalar(select(Registration).filter_by(email="b@example.be"))
        assert "allergies_or_treatment" not in registration.answers
        assert registration.answers["last_name"] == "Kovalenko"
