"""Answers stored before forms became data read exactly as they did.

A database is filled at the last schema of the Python-defined forms (revision 0004) with
answers to the survey, the ILI form and a training's sign-up form, in the three languages,
then upgraded as a deployment is (``flask db upgrade``, then ``flask forms load``). Its
exports (CSV with labels in fr/en/uk and with codes, XLSX) and summaries must be what they
were before the change: the files in ``tests/data/forms_v1/`` were written by the code of
that revision (``python -m tests.test_forms_upgrade``), from the same answers.
"""

import csv
import io
import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from openpyxl import load_workbook

from surveys.extensions import db
from surveys.models.base import JSONDocument, UTCDateTime

from .support import as_shown, login, make_app, make_staff

GOLDEN = Path(__file__).parent / "data" / "forms_v1"
BEFORE_FORMS_AS_DATA = "0004"
STAFF = {
    lang: (f"staff-{lang}@example.be", "un cheval bleu mange des pommes")
    for lang in ["fr", "en", "uk"]
}

SURVEY_ANSWERS = [
    (
        "uk",
        {
            "topics": ["french_courses", "housing", "other"],
            "topics_other": "Водійські права",
            "channels": ["telegram", "viber", "other"],
            "channels_other": '=HYPERLINK("x")',
            "preferred_channel": "telegram",
            "frequency": "weekly",
            "languages": ["uk", "ru", "other"],
            "languages_other": "польська",
            "commune": "namur",
            "time_in_belgium": "1_to_2_years",
            "age_range": "26_35",
            "smartphone": "own",
            "internet_access": ["mobile_data", "home"],
            "contact_phone": "+380 67 123 4567",
            "contact_consent": True,
            "comment": "Дякую за опитування!\nДругий рядок.",
        },
        {"contact_consent": "survey-contact-2026-11"},
    ),
    (
        "fr",
        {
            "topics": ["training_jobs", "health"],
            "channels": ["whatsapp", "email"],
            "preferred_channel": "whatsapp",
            "frequency": "monthly",
            "languages": ["fr"],
            "commune": "elsewhere",
            "time_in_belgium": "over_5_years",
            "smartphone": "shared",
            "internet_access": ["public_wifi"],
            "contact_email": "awa@example.be",
            "contact_consent": True,
        },
        {"contact_consent": "survey-contact-2026-11"},
    ),
    (
        "en",
        {
            "topics": ["culture_leisure"],
            "channels": ["paper", "in_person"],
            "preferred_channel": "in_person",
            "frequency": "important_only",
            "languages": ["en", "ar"],
            "commune": "gembloux",
            "time_in_belgium": "under_3_months",
            "age_range": "over_65",
            "smartphone": "none",
            "internet_access": ["none"],
            "comment": "-5 is not a formula",
        },
        {},
    ),
    (
        "uk",
        {
            "topics": ["residence_rights", "school", "citizenship"],
            "channels": ["sms", "website", "signal"],
            "preferred_channel": "sms",
            "frequency": "as_it_comes",
            "languages": ["uk"],
            "commune": "dinant",
            "time_in_belgium": "3_to_12_months",
            "smartphone": "own",
            "internet_access": ["home"],
        },
        {},
    ),
]

ILI_ANSWERS = [
    (
        "fr",
        {
            "organisation": "Lire et Écrire Namur",
            "ili_status": "approved",
            "communes": ["namur", "andenne"],
            "contact_person": "Marie Dupont",
            "email": "marie@lire-ecrire.be",
            "phone": "+32 81 12 34 56",
            "website": "https://www.example.be",
            "activity_kinds": ["fle", "other"],
            "activity_kinds_other": "Ateliers d'écriture",
            "activity_title": "Table de conversation",
            "description": "Chaque mardi, on parle français autour d'un café.",
            "audience": "Adultes débutants",
            "schedule": "Mardi, 14 h à 16 h",
            "languages_used": ["fr", "other"],
            "languages_used_other": "lingala",
            "participants_per_year": 45,
            "promotion": ["website", "newsletter"],
            "publication_consent": True,
        },
        {"publication_consent": "ili-publication-2026-11"},
    ),
    (
        "uk",
        {
            "organisation": "Громада",
            "ili_status": "not_ili",
            "communes": ["ciney"],
            "contact_person": "Олена Коваленко",
            "email": "olena@example.org",
            "activity_kinds": ["intercultural", "leisure"],
            "activity_title": "Вечір української кухні",
            "description": "Готуємо разом.",
            "audience": "Усі охочі",
            "promotion": ["social_networks"],
            "publication_consent": True,
        },
        {"publication_consent": "ili-publication-2026-11"},
    ),
]

SIGNUP_ANSWERS = [
    (
        "fr",
        "confirmed",
        {
            "last_name": "Dubois",
            "first_name": "Luc",
            "email": "luc@example.be",
            "phone": "+32 470 12 34 56",
            "organisation_kind": "ili",
            "organisation": "ILI de Ciney",
            "role": "professional",
            "commune": "ciney",
            "heard_from": "other",
            "heard_from_other": "Affiche à la commune",
            "accessibility_needs": "Accès en fauteuil roulant",
            "dietary_needs": "végétarien",
            "consent": True,
        },
    ),
    (
        "uk",
        "waitlisted",
        {
            "last_name": "Шевченко",
            "first_name": "Ірина",
            "email": "iryna@example.org",
            "organisation_kind": "none",
            "role": "volunteer",
            "commune": "elsewhere",
            "remark": "@me: чи буде перерва?",
            "consent": True,
        },
    ),
]


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 30, tzinfo=UTC)


def fill_at_0004(connection) -> None:
    """Answers as revision 0004's schema stores them, written with plain SQL (the models of
    the code under test may have moved on)."""
    submissions = sa.table(
        "submissions",
        *(sa.column(name) for name in ("id", "form", "form_version", "locale", "submission_key")),
        sa.column("contact_email"),
        sa.column("contact_phone"),
        sa.column("answers", JSONDocument),
        sa.column("consents", JSONDocument),
        sa.column("created_at", UTCDateTime),
    )
    rows = []
    for form, answers in (("survey", SURVEY_ANSWERS), ("ili", ILI_ANSWERS)):
        for index, (locale, values, consents) in enumerate(answers):
            email_code, phone_code = (
                ("contact_email", "contact_phone") if form == "survey" else ("email", "phone")
            )
            rows.append(
                {
                    "id": len(rows) + 1,
                    "form": form,
                    "form_version": 1,
                    "locale": locale,
                    "submission_key": f"{form}-key-{index:02d}-abcdefghijkl",
                    "contact_email": values.get(email_code),
                    "contact_phone": values.get(phone_code),
                    "answers": values,
                    "consents": consents,
                    "created_at": at(10 + len(rows), 8 + index),
                }
            )
    connection.execute(sa.insert(submissions), rows)
    trainings = sa.table(
        "trainings",
        *(sa.column(name) for name in ("id", "slug", "trainer", "capacity")),
        sa.column("registration_deadline", sa.Date),
        *(
            sa.column(name, sa.Boolean)
            for name in ("every_date_required", "is_open", "is_published")
        ),
        sa.column("title", JSONDocument),
        sa.column("description", JSONDocument),
        sa.column("audience", JSONDocument),
        sa.column("created_at", UTCDateTime),
        sa.column("updated_at", UTCDateTime),
    )
    connection.execute(
        sa.insert(trainings),
        {
            "id": 1,
            "slug": "droit-des-etrangers",
            "trainer": "Service juridique",
            "capacity": 1,
            "registration_deadline": None,
            "every_date_required": True,
            "is_open": True,
            "is_published": True,
            "title": {
                "fr": "Droit des étrangers",
                "en": "Foreigners' law",
                "uk": "Право іноземців",
            },
            "description": {"fr": "Quatre vendredis."},
            "audience": {"fr": "Travailleurs sociaux"},
            "created_at": at(1, 9),
            "updated_at": at(1, 9),
        },
    )
    sessions = sa.table(
        "training_sessions",
        sa.column("id"),
        sa.column("training_id"),
        sa.column("date", sa.Date),
        sa.column("start_time", sa.Time),
        sa.column("end_time", sa.Time),
        sa.column("place"),
    )
    connection.execute(
        sa.insert(sessions),
        [
            {
                "id": number,
                "training_id": 1,
                "date": date(2027, 1, 7 * number),
                "start_time": time(9, 30),
                "end_time": time(16, 30),
                "place": "Namur",
            }
            for number in (1, 2)
        ],
    )
    registrations = sa.table(
        "registrations",
        *(sa.column(name) for name in ("id", "training_id", "email", "phone", "status")),
        *(sa.column(name) for name in ("locale", "form_version", "submission_key")),
        sa.column("answers", JSONDocument),
        sa.column("consents", JSONDocument),
        sa.column("created_at", UTCDateTime),
        sa.column("confirmed_at", UTCDateTime),
        sa.column("waitlisted_at", UTCDateTime),
    )
    connection.execute(
        sa.insert(registrations),
        [
            {
                "id": index + 1,
                "training_id": 1,
                "email": values["email"],
                "phone": values.get("phone"),
                "status": status,
                "locale": locale,
                "form_version": 1,
                "submission_key": f"signup-key-{index:02d}-abcdefghijkl",
                "answers": {**values, "attend_all": True},
                "consents": {"consent": "training-registration-2026-11"},
                "created_at": at(20 + index, 10),
                "confirmed_at": at(20 + index, 10) if status == "confirmed" else None,
                "waitlisted_at": at(20 + index, 10) if status == "waitlisted" else None,
            }
            for index, (locale, status, values) in enumerate(SIGNUP_ANSWERS)
        ],
    )


def exports_of(app, *, make_accounts: bool = True) -> dict[str, object]:
    """Every export of the filled database, as staff download them, by file name."""
    files: dict[str, object] = {}
    for lang, (email, password) in STAFF.items():
        if make_accounts:
            make_staff(app, email, password, locale=lang)
        client = app.test_client()
        assert login(client, email, password).status_code == 302
        for name, url in (
            ("survey", "/staff/forms/survey/export"),
            ("ili", "/staff/forms/ili/export"),
            ("registrations", "/staff/trainings/droit-des-etrangers/export"),
        ):
            variants = [(f"{name}-{lang}", "")]
            if lang == "fr":
                variants.append((f"{name}-codes", "?codes=1"))
            for file_name, query in variants:
                response = client.get(f"{url}.csv{query}")
                assert response.status_code == 200, (url, response.status_code)
                files[f"{file_name}.csv"] = response.get_data(as_text=True)
                response = client.get(f"{url}.xlsx{query}")
                assert response.status_code == 200
                workbook = load_workbook(io.BytesIO(response.data), read_only=True)
                cells = [
                    [as_shown(cell) for cell in row]
                    for row in workbook.active.iter_rows(values_only=True)
                ]
                # A time is a date cell (Brussels wall-clock time), written as ISO text here.
                files[f"{file_name}.xlsx.json"] = json.dumps(
                    cells, ensure_ascii=False, indent=1, default=datetime.isoformat
                )
    return files


def summaries_of(app) -> dict[str, str]:
    """Each form's per-question summary in each staff language, as plain data."""
    from flask_babel import force_locale

    from surveys.services import answers, summaries

    files = {}
    for form in ("survey", "ili"):
        for lang in STAFF:
            with app.test_request_context(), force_locale(lang):
                summary = summaries.summarize(answers.definition_of(form), answers.Filters())
                data = {
                    "respondents": summary.respondents,
                    "by_language": dict(sorted(summary.by_language.items())),
                    "questions": [
                        {
                            "code": q.question.code,
                            "label": str(q.question.label),
                            "answered": q.answered,
                            "options": [[o.code, str(o.label), o.count] for o in q.options],
                            "texts": sorted(q.texts),
                        }
                        for q in summary.questions
                    ],
                }
            files[f"summary-{form}-{lang}.json"] = json.dumps(data, ensure_ascii=False, indent=1)
    return files


def upgraded_database(database_url: str, *, load_forms: bool = True):
    """An app on a database filled at revision 0004, then upgraded as a deployment is
    (``flask db upgrade``, then ``flask forms load`` unless ``load_forms`` is false)."""
    app = make_app(database_url)
    with app.app_context():
        upgrade(revision=BEFORE_FORMS_AS_DATA)
        with db.engine.begin() as connection:
            fill_at_0004(connection)
        upgrade()
    if load_forms:
        load_shipped_forms(app)
    return app


def load_shipped_forms(app) -> str:
    loaded = app.test_cli_runner().invoke(args=["forms", "load"])
    assert loaded.exit_code == 0, loaded.output
    return loaded.output


def columns(csv_text: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


@pytest.fixture
def empty_database(database_url):
    """The test's database, with no tables at all."""
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()
    return database_url


def test_answers_stored_before_forms_became_data_export_and_summarise_as_before(empty_database):
    app = upgraded_database(empty_database, load_forms=False)
    produced = {**exports_of(app), **summaries_of(app)}
    expected = {path.name: path.read_bytes().decode() for path in GOLDEN.iterdir()}
    assert sorted(produced) == sorted(expected)
    for name, content in expected.items():
        assert produced[name] == content, name

    # The release's seed files are then published over the forms the migration wrote (no
    # staff changed them): the new wording and choices come, and every earlier answer still
    # reads as it did, column by column, in the exports by codes.
    output = load_shipped_forms(app)
    assert "survey: published as version 2" in output
    after = exports_of(app, make_accounts=False)
    for name in ("survey-codes.csv", "ili-codes.csv", "registrations-codes.csv"):
        before_columns, after_columns = columns(expected[name]), columns(after[name])
        kept = {column: after_columns.get(column) for column in before_columns}
        assert kept == before_columns, name


def write_golden(database_url: str) -> None:
    """Write tests/data/forms_v1/ with the code of the revision the database is filled at."""
    app = make_app(database_url)
    with app.app_context():
        upgrade(revision=BEFORE_FORMS_AS_DATA)
        with db.engine.begin() as connection:
            fill_at_0004(connection)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, content in {**exports_of(app), **summaries_of(app)}.items():
        (GOLDEN / name).write_bytes(content.encode())


if __name__ == "__main__":
    write_golden(sys.argv[1])
