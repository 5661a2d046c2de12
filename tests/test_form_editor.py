"""The form editor: staff make a form in three languages, preview it, publish it; the public
answers it; staff change it and publish again, and every answer still reads back."""

import csv
import io

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEvent, Form

from .support import error_summary, hidden_fields, press, stored_submissions, submit, translated

TEXTS = {
    "title": (
        "Votre avis sur la formation",
        "Your opinion of the training",
        "Ваша думка про тренінг",
    ),
    "lead": ("Trois minutes.", "Three minutes.", "Три хвилини."),
    "submit_label": ("Envoyer", "Send", "Надіслати"),
    "card_title": ("Votre avis", "Your opinion", "Ваша думка"),
    "card_text": ("Après une formation.", "After a training.", "Після тренінгу."),
    "thanks_lead": (
        "Merci pour votre avis.",
        "Thank you for your opinion.",
        "Дякуємо за вашу думку.",
    ),
    "privacy_purpose": (
        "Pour améliorer nos formations.",
        "To improve our trainings.",
        "Щоб покращити наші тренінги.",
    ),
}


def texts(prefix, fr, en, uk):
    return {f"{prefix}.fr": fr, f"{prefix}.en": en, f"{prefix}.uk": uk}


def new_form(staff_client, fr, en, uk) -> tuple[str, str]:
    """A blank form named in three languages: its editor's address, and its code."""
    created = press(staff_client, "/staff/editor/new", **texts("name", fr, en, uk))
    assert created.status_code == 303
    edit_url = created.headers["Location"]
    return edit_url, edit_url.rsplit("/", 1)[-1]


def add_question(staff_client, code, kind, fr, en, uk):
    response = press(
        staff_client,
        f"/staff/editor/{code}",
        ("action", "add"),
        new_type=kind,
        **texts("new_label", fr, en, uk),
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def edit_question(staff_client, code, question, **changes):
    response = press(staff_client, f"/staff/editor/{code}/questions/{question}", **changes)
    assert response.status_code == 303, response.get_data(as_text=True)


def test_staff_make_preview_and_publish_a_form_that_the_public_answers(app, staff_client):
    created = press(
        staff_client,
        "/staff/editor/new",
        **texts("name", "Satisfaction", "Satisfaction", "Задоволеність"),
    )
    assert created.status_code == 303
    edit_url = created.headers["Location"]
    code = edit_url.rsplit("/", 1)[-1]
    assert code == "satisfaction"

    all_texts = {}
    for name, (fr, en, uk) in TEXTS.items():
        all_texts.update(texts(name, fr, en, uk))
    saved = press(staff_client, edit_url, ("action", "save"), listed="y", **all_texts)
    assert saved.status_code == 303

    add_question(staff_client, code, "single", "Utile ?", "Useful?", "Корисно?")
    add_question(staff_client, code, "multiple", "Quels jours ?", "Which days?", "Які дні?")
    add_question(
        staff_client,
        code,
        "text",
        "Autre jour : lequel ?",
        "Another day: which?",
        "Інший день — який?",
    )
    add_question(
        staff_client, code, "date", "Date de la formation", "Date of the training", "Дата тренінгу"
    )
    add_question(staff_client, code, "scale", "Note", "Rating", "Оцінка")
    edit_question(
        staff_client,
        code,
        "useful",
        required="y",
        **texts("new-0", "Oui", "Yes", "Так"),
        **texts("new-1", "Non", "No", "Ні"),
    )
    edit_question(
        staff_client,
        code,
        "which_days",
        **texts("new-0", "Lundi", "Monday", "Понеділок"),
        **texts("new-1", "Autre", "Other", "Інший"),
    )
    edit_question(
        staff_client,
        code,
        "another_day_which",
        condition="includes",
        condition_choices=["which_days:other"],
    )
    edit_question(
        staff_client,
        code,
        "rating",
        **texts("low_label", "Pas du tout", "Not at all", "Зовсім ні"),
        **texts("high_label", "Tout à fait", "Completely", "Цілком"),
    )

    preview = staff_client.get(f"/staff/editor/{code}/preview/uk").get_data(as_text=True)
    assert "Ваша думка про тренінг" in preview and "Корисно?" in preview
    assert "Понеділок" in preview and 'lang="uk"' in preview
    assert app.test_client().get("/uk/f/satisfaction").status_code == 404  # not published
    # Sending the preview checks the answers as the public page would: the summary comes
    # first in the page; nothing is stored.
    tried = staff_client.post(
        f"/staff/editor/{code}/preview/uk", data=hidden_fields(preview)
    ).get_data(as_text=True)
    main = tried[tried.index("<main") :]
    assert error_summary(tried) == ["q-useful-0"]
    assert main.index('id="error-summary"') < main.index("<h1")
    assert stored_submissions(app, code) == []

    published = press(staff_client, edit_url, ("action", "publish"))
    assert published.status_code == 303 and "published=1" in published.headers["Location"]

    visitor = app.test_client()
    assert "/uk/f/satisfaction" in visitor.get("/uk/").get_data(as_text=True)
    answers = {
        "useful": "yes",
        "which_days": ["monday", "other"],
        "another_day_which": "Субота",
        "date_of_the_training": "2027-01-15",
        "rating": "4",
    }
    assert submit(visitor, "/uk/f/satisfaction", answers).status_code == 303
    missing_follow_up = {**answers, "another_day_which": ""}
    refused = submit(visitor, "/uk/f/satisfaction", missing_follow_up)
    assert refused.status_code == 422
    stored = stored_submissions(app, code)
    assert len(stored) == 1 and stored[0].answers["another_day_which"] == "Субота"

    summary = staff_client.get(f"/staff/forms/{code}/summary").get_data(as_text=True)
    assert "Utile ?" in summary and "Lundi" in summary
    export = staff_client.get(f"/staff/forms/{code}/export.csv?codes=1").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    assert header[4:] == [
        "useful",
        "which_days.monday",
        "which_days.other",
        "another_day_which",
        "date_of_the_training",
        "rating",
    ]
    assert staff_client.get(f"/staff/forms/{code}/export.xlsx").status_code == 200

    # Version 2: a label reworded, a choice added, a question left out.
    edit_question(
        staff_client,
        code,
        "useful",
        required="y",
        **texts(
            "label", "La formation vous a-t-elle été utile ?", "Was it useful?", "Чи було корисно?"
        ),
        **texts("new-0", "En partie", "Partly", "Частково"),
    )
    press(staff_client, edit_url, ("action", "remove:date_of_the_training"))
    assert press(staff_client, edit_url, ("action", "publish")).status_code == 303
    page = visitor.get("/en/f/satisfaction").get_data(as_text=True)
    assert "Was it useful?" in page and "Partly" in page and "Date of the training" not in page
    assert submit(visitor, "/en/f/satisfaction", {"useful": "partly"}).status_code == 303

    export = staff_client.get(f"/staff/forms/{code}/export.csv?codes=1").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    column = {name: i for i, name in enumerate(rows[0])}
    by_version = {row[column["form_version"]]: row for row in rows[1:]}
    assert by_version["1"][column["date_of_the_training"]] == "2027-01-15"
    assert by_version["2"][column["useful"]] == "partly"
    summary = staff_client.get(f"/staff/forms/{code}/summary").get_data(as_text=True)
    assert "La formation vous a-t-elle été utile ?" in summary and "En partie" in summary
    labels = staff_client.get(f"/staff/forms/{code}/export.csv").get_data(as_text=True)
    assert "Date de la formation" in labels  # the question left out still exports

    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"form.create", "form.edit", "form.question", "form.publish"} <= actions
        assert db.session.scalar(select(Form.current_version).where(Form.code == code)) == 2


def test_a_form_with_a_text_missing_in_a_language_is_not_published_unless_staff_choose(
    app, staff_client
):
    edit_url, code = new_form(staff_client, "Essai", "Trial", "")
    add_question(staff_client, code, "text", "Votre nom", "Your name", "")
    page = staff_client.get(edit_url).get_data(as_text=True)
    assert "missing" in page or "manquant" in page

    refused = press(staff_client, edit_url, ("action", "publish"))
    assert refused.status_code == 422
    assert "uk" in refused.get_data(as_text=True)
    assert app.test_client().get("/uk/f/trial").status_code == 404

    published = press(staff_client, edit_url, ("action", "publish"), **{"fallback.uk": "fr"})
    assert published.status_code == 303
    html = app.test_client().get("/uk/f/trial").get_data(as_text=True)
    assert '<span lang="fr">Votre nom</span>' in html  # read in French by screen readers


def test_a_choice_question_without_choices_stops_the_publish_and_is_named_by_its_text(
    app, staff_client
):
    edit_url, code = new_form(staff_client, "Essai", "Trial", "Спроба")
    add_question(staff_client, code, "single", "Quel atelier ?", "Which workshop?", "Який воркшоп?")

    refused = press(staff_client, edit_url, ("action", "publish"))
    assert refused.status_code == 422
    # The staff member's language is French: the question is named as they wrote it.
    reason = translated(
        app, "fr", "%(question)s: add at least one choice.", question="Quel atelier ?"
    )
    assert reason in refused.get_data(as_text=True)
    assert app.test_client().get("/fr/f/trial").status_code == 404
