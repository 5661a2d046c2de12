"""The information-needs survey: stored as codes in every language, conditions, no duplicates."""

import gzip
import re

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Form, Submission

from .support import (
    LANGUAGES,
    SURVEY_ANSWERS,
    error_summary,
    hidden_fields,
    stored_submissions,
    submit,
    translated,
)

HIDDEN_VALUE = re.compile(r'(?<=<input type="hidden" name=")(\w+)" value="[^"]*"')


def stored(app):
    return stored_submissions(app, "survey")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_answers_are_stored_as_codes_with_locale_and_version(app, client, lang):
    response = submit(client, f"/{lang}/survey", SURVEY_ANSWERS)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/survey/thanks"
    [submission] = stored(app)
    assert submission.locale == lang
    # The version the page was served from: the shipped survey's latest.
    with app.app_context():
        current = db.session.scalar(db.select(Form.current_version).where(Form.code == "survey"))
    assert submission.form_version == current
    assert submission.created_at.utcoffset().total_seconds() == 0
    answers = submission.answers
    assert answers["topics"] == ["french_courses", "housing", "other"]
    assert answers["topics_other"] == "Permis de conduire"
    assert answers["preferred_channel"] == "telegram"
    assert answers["commune"] == "namur"
    assert answers["contact_email"] == "olena.k@example.com"
    assert answers["contact_phone"] == "+32470123456"
    assert answers["contact_consent"] is True
    assert submission.contact_email == "olena.k@example.com"
    assert submission.contact_phone == "+32470123456"


def test_answers_given_in_three_languages_count_together(app, client):
    for lang in LANGUAGES:
        assert submit(client, f"/{lang}/survey", SURVEY_ANSWERS).status_code == 303

    submissions = stored(app)
    whatsapp_users = [s for s in submissions if "whatsapp" in s.answers["channels"]]
    assert len(whatsapp_users) == 3
    assert {s.locale for s in whatsapp_users} == set(LANGUAGES)


def test_thank_you_page_is_in_the_visitors_language(client):
    response = submit(client, "/uk/survey", SURVEY_ANSWERS, follow_redirects=True)

    assert response.status_code == 200
    assert '<html lang="uk">' in response.get_data(as_text=True)
    assert response.request.path == "/uk/survey/thanks"


def test_missing_answers_re_render_with_everything_kept_and_a_linked_summary(app, client):
    answers = {**SURVEY_ANSWERS, "channels": [], "frequency": "", "comment": "Дякую <3"}
    response = submit(client, "/uk/survey", answers)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary(html) == ["q-channels-0", "q-frequency-0"]
    # The summary is the first thing in the page's main content, above the title.
    main = html[html.index("<main") :]
    assert main.index('id="error-summary"') < main.index("<h1")
    assert 'id="q-channels-error"' in html
    # Everything typed is still there.
    assert 'value="housing" checked' in html
    assert 'value="Permis de conduire"' in html
    assert "Дякую &lt;3</textarea>" in html
    assert '<option value="namur" selected>' in html
    assert stored(app) == []


def test_other_requires_its_text_and_the_text_is_dropped_without_other(app, client):
    response = submit(client, "/en/survey", {**SURVEY_ANSWERS, "topics_other": ""})
    assert error_summary(response.get_data(as_text=True)) == ["q-topics_other"]

    answers = {**SURVEY_ANSWERS, "topics": ["health"], "topics_other": "ignored"}
    assert submit(client, "/en/survey", answers).status_code == 303
    [submission] = stored(app)
    assert "topics_other" not in submission.answers


def test_contact_details_need_their_own_consent(app, client):
    response = submit(client, "/fr/survey", {**SURVEY_ANSWERS, "contact_consent": ""})
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-contact_consent"]
    message = "To receive information, tick this box. Otherwise, empty the contact fields."
    assert translated(app, "fr", message) in html


def test_survey_without_contact_is_anonymous(app, client):
    answers = {**SURVEY_ANSWERS, "contact_email": "", "contact_phone": "", "contact_consent": "y"}
    assert submit(client, "/fr/survey", answers).status_code == 303

    [submission] = stored(app)
    assert submission.contact_email is None and submission.contact_phone is None
    assert "contact_consent" not in submission.answers


def test_optional_age_may_be_left_out(app, client):
    answers = {key: value for key, value in SURVEY_ANSWERS.items() if key != "age_range"}
    assert submit(client, "/fr/survey", answers).status_code == 303
    assert "age_range" not in stored(app)[0].answers


def test_no_internet_cannot_be_combined_with_another_access(client):
    answers = {**SURVEY_ANSWERS, "internet_access": ["none", "home"]}
    response = submit(client, "/en/survey", answers)
    assert error_summary(response.get_data(as_text=True)) == ["q-internet_access-0"]


def test_a_double_tap_or_resent_post_stores_once(app, client):
    page = client.get("/fr/survey").get_data(as_text=True)
    data = {**hidden_fields(page), **SURVEY_ANSWERS}
    first = client.post("/fr/survey", data=data)
    second = client.post("/fr/survey", data=data)

    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == "/fr/survey/thanks"
    assert len(stored(app)) == 1


def test_reloading_the_thank_you_page_stores_nothing(app, client):
    submit(client, "/fr/survey", SURVEY_ANSWERS, follow_redirects=True)
    client.get("/fr/survey/thanks")
    assert len(stored(app)) == 1


def test_no_ip_address_or_user_agent_is_stored(app, client):
    submit(
        client,
        "/fr/survey",
        SURVEY_ANSWERS,
        headers={"User-Agent": "Nokia-Agent/1.0", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    [submission] = stored(app)
    with app.app_context():
        row = db.session.execute(
            select(Submission.__table__).where(Submission.id == submission.id)
        ).one()
    flattened = repr(tuple(row))
    for trace in ("198.51.100.7", "203.0.113.9", "Nokia"):
        assert trace not in flattened


@pytest.mark.parametrize("path", ["/uk/survey", "/fr/ili", "/en/", "/fr/survey/thanks"])
def test_cached_pages_are_sent_gzipped_to_browsers_that_accept_it(app, path):
    plain = app.test_client().get(path)
    assert "Content-Encoding" not in plain.headers
    zipped = app.test_client().get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    html = gzip.decompress(zipped.data).decode()
    # The same page but for the per-visitor tokens.
    assert HIDDEN_VALUE.sub("", html) == HIDDEN_VALUE.sub("", plain.get_data(as_text=True))
    assert "\ue000" not in html


def test_a_form_served_gzipped_can_be_sent(app):
    client = app.test_client()
    page = client.get("/fr/survey", headers={"Accept-Encoding": "gzip"})
    fields = hidden_fields(gzip.decompress(page.data).decode())
    assert set(fields) == {"csrf_token", "started", "submission_key"}
    response = client.post("/fr/survey", data={**fields, **SURVEY_ANSWERS})
    assert response.status_code == 303
    assert len(stored(app)) == 1


def test_the_cached_blank_form_gives_each_visitor_their_own_tokens(app):
    first, second = app.test_client(), app.test_client()
    one = hidden_fields(first.get("/fr/survey").get_data(as_text=True))
    two = hidden_fields(second.get("/fr/survey").get_data(as_text=True))
    assert set(one) == {"csrf_token", "started", "submission_key"}
    assert one["csrf_token"] != two["csrf_token"]
    assert one["submission_key"] != two["submission_key"]
    assert "\ue000" not in first.get("/uk/survey").get_data(as_text=True)
    # Each visitor's token is valid in their own session.
    page = first.get("/uk/survey").get_data(as_text=True)
    response = first.post("/uk/survey", data={**hidden_fields(page), **SURVEY_ANSWERS})
    assert response.status_code == 303
