"""Rate limits on the public POST endpoints, per address, with the answers kept."""

import pytest

from surveys.extensions import limiter

from .support import (
    SURVEY_ANSWERS,
    hidden_fields,
    make_app,
    make_training,
    stored_submissions,
    translated,
)
from .support import sign_up as sign_up_through_form


@pytest.fixture
def limited_app(database_url):
    app = make_app(database_url, PUBLIC_POST_LIMIT="2 per minute", STAFF_LOGIN_LIMIT="3 per minute")
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        limiter.reset()


def send_survey(client, lang="fr", **changes):
    page = client.get(f"/{lang}/survey").get_data(as_text=True)
    return client.post(f"/{lang}/survey", data={**hidden_fields(page), **SURVEY_ANSWERS, **changes})


def test_too_many_forms_get_a_429_page_in_the_visitors_language_with_the_answers(limited_app):
    client = limited_app.test_client()
    assert send_survey(client).status_code == 303
    assert send_survey(client).status_code == 303
    response = send_survey(client, lang="uk", comment="Мої відповіді тут")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert '<html lang="uk">' in html
    notice = (
        "Many forms have been sent from your connection in a short time. Wait a minute, "
        "then press the button again: your answers are still here."
    )
    assert translated(limited_app, "uk", notice) in html
    assert "Мої відповіді тут</textarea>" in html
    assert 'value="telegram" checked' in html
    assert len(stored_submissions(limited_app, "survey")) == 2


def test_reading_pages_is_never_limited(limited_app):
    client = limited_app.test_client()
    for _ in range(10):
        assert client.get("/fr/survey").status_code == 200


def test_limits_are_per_address(limited_app):
    first = limited_app.test_client()
    other = limited_app.test_client()
    for _ in range(2):
        send_survey(first)
    assert send_survey(first).status_code == 429
    page = other.get("/fr/survey", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    response = other.post(
        "/fr/survey",
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
        data={**hidden_fields(page.get_data(as_text=True)), **SURVEY_ANSWERS},
    )
    assert response.status_code == 303


def test_training_sign_up_is_limited_the_same_way(limited_app):
    make_training(limited_app)
    client = limited_app.test_client()
    for i in range(2):
        assert (
            sign_up_through_form(
                client, "droit-des-etrangers", email=f"p{i}@example.be"
            ).status_code
            == 303
        )
    response = sign_up_through_form(
        client, "droit-des-etrangers", email="late@example.be", last_name="Petrenko"
    )
    assert response.status_code == 429
    assert 'value="Petrenko"' in response.get_data(as_text=True)


def test_staff_login_attempts_are_limited_per_address(limited_app):
    client = limited_app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    codes = [
        client.post(
            "/staff/login",
            data={**hidden_fields(page), "email": "x@example.be", "password": "nothing"},
        ).status_code
        for _ in range(4)
    ]
    assert codes[-1] == 429


def test_an_unreachable_redis_does_not_stop_anyone(database_url):
    from .support import make_app as fresh_app

    app = fresh_app(
        database_url,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        PUBLIC_POST_LIMIT="2 per minute",
    )
    client = app.test_client()
    assert send_survey(client).status_code == 303
