"""Hostile or broken input: never a 500, never a blank 400, nothing typed is lost."""

import logging
import time

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Submission

from .support import (
    LANGUAGES,
    SURVEY_ANSWERS,
    error_summary,
    hidden_fields,
    make_app,
    submit,
    translated,
)

SEND_AGAIN = "Please check your answers, then press the button again to send them."


def count_submissions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def test_body_over_one_megabyte_gets_a_translated_413_and_the_app_keeps_serving(app, client):
    response = client.post(
        "/uk/survey",
        data={"comment": "x" * (1024 * 1024 + 1)},
    )
    assert response.status_code == 413
    assert translated(app, "uk", "What you sent is too large") in response.get_data(as_text=True)
    assert client.get("/uk/survey").status_code == 200


def post_many_fields(client, total: int):
    page = client.get("/fr/survey").get_data(as_text=True)
    hidden = hidden_fields(page)
    junk = "&".join(f"f{i}=x" for i in range(total - len(hidden)))
    fields = "&".join(f"{k}={v}" for k, v in hidden.items())
    return client.post(
        "/fr/survey", data=f"{fields}&{junk}", content_type="application/x-www-form-urlencoded"
    )


def test_ten_thousand_fields_are_answered_with_the_form_not_a_crash(app, client):
    response = post_many_fields(client, 10_000)
    assert response.status_code == 422
    assert error_summary(response.get_data(as_text=True))[0] == "q-topics-0"


def test_more_than_ten_thousand_fields_get_a_translated_error_page(app, client):
    response = post_many_fields(client, 10_001)
    assert response.status_code == 413
    assert translated(app, "fr", "What you sent is too large") in response.get_data(as_text=True)
    assert client.get("/fr/survey").status_code == 200


def test_too_many_multipart_parts_get_a_translated_error_page(app, client):
    data = {f"f{i}": "x" for i in range(10_001)}
    response = client.post("/en/survey", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert translated(app, "en", "What you sent is too large") in response.get_data(as_text=True)


def test_unknown_choice_codes_are_refused_with_a_message(app, client):
    answers = {**SURVEY_ANSWERS, "channels": ["whatsapp", "pigeon"], "commune": "paris"}
    response = submit(client, "/uk/survey", answers)
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-channels-0", "q-commune"]
    assert translated(app, "uk", "Choose from the options offered.") in html
    assert count_submissions(app) == 0


def test_text_over_its_limit_is_refused_and_kept(app, client):
    response = submit(client, "/en/survey", {**SURVEY_ANSWERS, "topics_other": "a" * 201})
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-topics_other"]
    assert "a" * 201 in html
    assert "200" in html


@pytest.mark.parametrize("payload", ["abc\x00def", "abc\x07"], ids=["nul", "bell"])
def test_control_characters_are_refused_with_a_message(app, client, payload):
    response = submit(client, "/fr/survey", {**SURVEY_ANSWERS, "comment": payload})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary(html) == ["q-comment"]
    message = "This text contains characters that could not be read. Please type it again."
    assert translated(app, "fr", message) in html
    assert count_submissions(app) == 0


def test_invalid_utf8_is_refused_with_a_message(app, client):
    page = client.get("/fr/survey").get_data(as_text=True)
    fields = "&".join(f"{k}={v}" for k, v in hidden_fields(page).items()).encode()
    answers = b"&".join(
        f"{k}={v}".encode()
        for k, v in SURVEY_ANSWERS.items()
        if isinstance(v, str) and k != "comment"
    )
    choices = b"topics=health&channels=sms&languages=uk&internet_access=home"
    body = fields + b"&" + answers + b"&" + choices + b"&comment=caf%C3%A9%FF%FE"
    response = client.post(
        "/fr/survey", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    assert error_summary(response.get_data(as_text=True)) == ["q-comment"]


@pytest.mark.parametrize(
    "url",
    ["/fr/trainings/a%00b", "/fr/trainings/%FF%FE", "/de/survey", "/fr/trainings/" + "x" * 300],
)
def test_odd_urls_are_404_pages_not_crashes(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_everything_typed_is_shown_back_escaped(client):
    answers = {
        **SURVEY_ANSWERS,
        "topics_other": XSS,
        "comment": XSS,
        "contact_email": XSS,
        "contact_phone": XSS,
    }
    html = submit(client, "/fr/survey", answers).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_expired_csrf_token_keeps_answers_and_asks_to_send_again(app, client):
    app.config["WTF_CSRF_TIME_LIMIT"] = 1  # seconds (the default is an hour)
    page = client.get("/uk/survey").get_data(as_text=True)
    data = {**hidden_fields(page), **SURVEY_ANSWERS}
    time.sleep(2.1)  # the token's timestamp counts whole seconds

    response = client.post("/uk/survey", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="notice"' in html
    assert 'value="telegram" checked' in html
    assert "Merci !</textarea>" in html
    assert count_submissions(app) == 0

    # The re-rendered page carries a fresh token: sending again works.
    again = client.post("/uk/survey", data={**data, **hidden_fields(html)})
    assert again.status_code == 303
    assert count_submissions(app) == 1


def test_lost_session_cookie_keeps_answers(app, client):
    page = client.get("/fr/survey").get_data(as_text=True)
    data = {**hidden_fields(page), **SURVEY_ANSWERS}
    client.delete_cookie("session")

    response = client.post("/fr/survey", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="notice"' in html
    assert 'value="Permis de conduire"' in html
    assert client.post("/fr/survey", data={**data, **hidden_fields(html)}).status_code == 303
    assert count_submissions(app) == 1


def test_changing_language_mid_form_keeps_answers_and_stores_nothing(app, client):
    page = client.get("/fr/survey").get_data(as_text=True)
    assert 'formaction="/uk/survey"' in page
    data = {**hidden_fields(page), **SURVEY_ANSWERS, "frequency": "", "switch_language": "uk"}

    response = client.post("/uk/survey", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="uk">' in html
    assert 'value="telegram" checked' in html
    assert error_summary(html) == []
    assert count_submissions(app) == 0
    # Same stamps, so the form still counts as one submission.
    assert hidden_fields(html)["submission_key"] == hidden_fields(page)["submission_key"]


def test_honeypot_gets_the_thank_you_page_but_is_not_stored(app, client, caplog):
    caplog.set_level(logging.INFO, logger="surveys")
    response = submit(client, "/fr/survey", {**SURVEY_ANSWERS, "website_url": "http://spam"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/fr/survey/thanks"
    assert count_submissions(app) == 0
    assert "bot submission discarded form=survey reason=honeypot" in caplog.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_form_sent_too_fast_comes_back_with_everything_and_the_second_send_is_stored(
    database_url, caplog, lang
):
    """A draft restored by the phone and sent at once looks like a bot's: the person gets
    the form back, filled in, and a sentence; sending it again stores it."""
    caplog.set_level(logging.INFO, logger="surveys")
    app = make_app(database_url, MIN_FILL_SECONDS=1)
    client = app.test_client()
    page = client.get(f"/{lang}/survey").get_data(as_text=True)
    response = client.post(f"/{lang}/survey", data={**hidden_fields(page), **SURVEY_ANSWERS})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert count_submissions(app) == 0
    assert "reason=too-fast" in caplog.text
    assert translated(app, lang, SEND_AGAIN) in html
    assert 'value="Permis de conduire"' in html
    assert 'value="telegram" checked' in html
    again = hidden_fields(html)
    assert again["submission_key"] == hidden_fields(page)["submission_key"]
    time.sleep(1.05)
    assert client.post(f"/{lang}/survey", data={**again, **SURVEY_ANSWERS}).status_code == 303
    assert count_submissions(app) == 1


def test_a_bot_that_does_not_send_again_is_not_stored(database_url):
    app = make_app(database_url, MIN_FILL_SECONDS=60)
    response = submit(app.test_client(), "/en/survey", SURVEY_ANSWERS)
    assert response.status_code == 422
    assert count_submissions(app) == 0


def test_a_form_without_its_stamp_comes_back_with_a_fresh_one_and_is_then_stored(app, client):
    tokens = hidden_fields(client.get("/fr/survey").get_data(as_text=True))
    del tokens["started"]
    response = client.post("/fr/survey", data={**tokens, **SURVEY_ANSWERS})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert translated(app, "fr", SEND_AGAIN) in html
    assert count_submissions(app) == 0
    assert (
        client.post("/fr/survey", data={**hidden_fields(html), **SURVEY_ANSWERS}).status_code == 303
    )
    assert count_submissions(app) == 1


def test_a_page_served_before_stamps_were_plain_signed_strings_is_stored_at_once(app, client):
    """A person who opened the form before an upgrade and sends it after: the stamp of the
    page they hold (a serialized one) still counts, nothing comes back to be sent again."""
    tokens = hidden_fields(client.get("/fr/survey").get_data(as_text=True))
    earlier = URLSafeSerializer(app.secret_key, salt="surveys.form-started")
    tokens["started"] = earlier.dumps(round(time.time() - 120, 3))
    assert client.post("/fr/survey", data={**tokens, **SURVEY_ANSWERS}).status_code == 303
    assert count_submissions(app) == 1
