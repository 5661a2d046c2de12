"""A form published again: the public sees the new version at once, and the answers given
under the earlier one still show, summarise and export beside the new ones, by their codes."""

import copy
import csv
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from surveys.extensions import db
from surveys.forms import registry, seed_files
from surveys.models import Form, utcnow
from surveys.services import forms as form_service

from .support import STAFF_EMAIL, hidden_fields, make_app, stored_submissions, submit

SURVEY_ANSWERS = {
    "topics": ["housing"],
    "channels": ["telegram"],
    "preferred_channel": "telegram",
    "frequency": "weekly",
    "languages": ["uk"],
    "commune": "namur",
    "time_in_belgium": "1_to_2_years",
    "age_range": "26_35",
    "smartphone": "own",
    "internet_access": ["home"],
}


def version_2(document: dict) -> dict:
    """The survey renamed, a topic added, the age question left out."""
    document = copy.deepcopy(document)
    topics = next(q for q in document["questions"] if q["code"] == "topics")
    topics["label"] = {
        "fr": "Quels sujets vous intéressent\u202f?",
        "en": "Which topics interest you?",
        "uk": "Які теми вас цікавлять?",
    }
    topics["choices"].insert(
        -1,
        {"code": "sport", "label": {"fr": "Sport", "en": "Sport", "uk": "Спорт"}},
    )
    document["questions"] = [q for q in document["questions"] if q["code"] != "age_range"]
    return document


def export_rows(staff_client) -> list[list[str]]:
    text = staff_client.get("/staff/forms/survey/export.csv?codes=1").get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_answers_of_both_versions_show_summarise_and_export_together(app, staff_client):
    visitor = app.test_client()
    assert submit(visitor, "/en/survey", SURVEY_ANSWERS).status_code == 303

    seed = seed_files.read(seed_files.SEEDS / "survey.toml")
    with app.app_context():
        shipped = db.session.scalar(db.select(Form.current_version).where(Form.code == "survey"))
        number = form_service.publish_version("survey", version_2(seed.document), actor=STAFF_EMAIL)
    assert number == shipped + 1

    page = visitor.get("/en/survey").get_data(as_text=True)
    assert "Which topics interest you?" in page and 'value="sport"' in page
    assert "How old are you?" not in page
    second = {k: v for k, v in SURVEY_ANSWERS.items() if k != "age_range"}
    response = submit(visitor, "/en/survey", {**second, "topics": ["sport", "housing"]})
    assert response.status_code == 303

    summary = staff_client.get("/staff/forms/survey/summary").get_data(as_text=True)
    assert "Quels sujets vous intéressent\u202f?" in summary and "Sport" in summary
    assert "Quel âge avez-vous\u202f?" in summary  # the question left out still reads back

    header, *rows = export_rows(staff_client)
    column = {name: index for index, name in enumerate(header)}
    assert {"topics.sport", "age_range"} <= set(column)
    by_version = {row[column["form_version"]]: row for row in rows}
    before, after = str(shipped), str(number)
    assert by_version[before][column["age_range"]] == "26_35"
    assert by_version[after][column["age_range"]] == ""
    assert by_version[before][column["topics.housing"]] == "1"
    assert by_version[after][column["topics.sport"]] == "1"
    assert by_version[before][column["topics.sport"]] == "0"

    labels = staff_client.get("/staff/forms/survey/export.csv").get_data(as_text=True)
    assert "Quels sujets vous intéressent\u202f? — Sport" in labels


def test_a_code_is_never_given_to_a_question_of_another_type(app):
    seed = seed_files.read(seed_files.SEEDS / "survey.toml")
    document = copy.deepcopy(seed.document)
    comment = next(q for q in document["questions"] if q["code"] == "comment")
    comment["type"] = "number"
    with app.app_context(), pytest.raises(form_service.InvalidDocument, match="comment"):
        form_service.publish_version("survey", document, actor=STAFF_EMAIL)
    assert app.test_client().get("/en/survey").status_code == 200


def test_a_closed_form_says_so_in_the_visitors_language_and_stores_nothing(app):
    visitor = app.test_client()
    page = visitor.get("/uk/survey").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Form).where(Form.code == "survey").values(is_open=False))
        db.session.commit()
        registry.forget()
    closed = visitor.get("/uk/survey")
    assert closed.status_code == 200
    assert "Цю форму закрито" in closed.get_data(as_text=True)
    sent = visitor.post("/uk/survey", data={**hidden_fields(page), **SURVEY_ANSWERS})
    assert sent.status_code == 409
    assert "Ваші відповіді не збережено" in sent.get_data(as_text=True)
    assert stored_submissions(app, "survey") == []


def test_a_form_not_open_yet_says_when_it_opens(app):
    with app.app_context():
        opens = (utcnow() + timedelta(days=10)).date()
        db.session.execute(update(Form).where(Form.code == "ili").values(opens_on=opens))
        db.session.commit()
        registry.forget()
    html = app.test_client().get("/fr/ili").get_data(as_text=True)
    assert "Ce formulaire ouvrira le" in html and str(opens.year) in html


def test_a_publish_by_another_process_shows_within_the_recheck_time(app, database_url):
    """Another worker or host (another app on the same database) serves its cached page
    until FORMS_RECHECK_SECONDS have passed, then the new version."""
    other = make_app(database_url, FORMS_RECHECK_SECONDS=0.5)
    reader = other.test_client()
    assert "How old are you?" in reader.get("/en/survey").get_data(as_text=True)
    seed = seed_files.read(seed_files.SEEDS / "survey.toml")
    with app.app_context():
        form_service.publish_version("survey", version_2(seed.document), actor=STAFF_EMAIL)
    published = time.monotonic()
    while "How old are you?" in reader.get("/en/survey").get_data(as_text=True):
        assert time.monotonic() - published < 5, "the other process still shows version 1"
        time.sleep(0.05)
    # Within twice the recheck time (the page's max age, then the registry's check).
    assert time.monotonic() - published < 2 * 0.5 + 0.5
    assert "Which topics interest you?" in reader.get("/en/survey").get_data(as_text=True)
