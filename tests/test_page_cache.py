"""The page cache's fast lane: cached pages answered before Flask, exactly as Flask answers
them (headers, cookie, tokens), and a training page's changes shown within its max age."""

import gzip
import re
import time
import zlib

import pytest
from werkzeug.test import EnvironBuilder

from surveys.extensions import db
from surveys.public.page_cache import Body
from surveys.public.visitor import PLACEHOLDERS
from surveys.services import training_admin

from .support import (
    SIGNUP_ANSWERS,
    SURVEY_ANSWERS,
    hidden_fields,
    login,
    make_app,
    make_staff,
    make_training,
    registrations_by_email,
    stored_submissions,
    translated,
)

CHROMIUM = "gzip, deflate, br, zstd"
HIDDEN_VALUE = re.compile(r'(?<=<input type="hidden" name=")(\w+)" value="[^"]*"')
TRAINING = "/fr/trainings/droit-des-etrangers"


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask (the fast lane answers the others)."""
    seen = []
    app.before_request(lambda: seen.append(1))
    return seen


def page_text(response) -> str:
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode()


def answer_without_tokens(response):
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("Set-Cookie", "Content-Length", "Date")
    }
    return response.status, headers, HIDDEN_VALUE.sub("", page_text(response))


@pytest.mark.parametrize("accept_encoding", [CHROMIUM, None])
@pytest.mark.parametrize(
    "path", ["/fr/survey", "/uk/ili", "/en/trainings/droit-des-etrangers", "/uk/privacy"]
)
def test_the_fast_lane_answers_as_flask_does(app, flask_requests, path, accept_encoding):
    make_training(app)
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    by_flask = app.test_client().get(path, headers=headers)
    assert len(flask_requests) == 1
    from_cache = app.test_client().get(path, headers=headers)
    assert len(flask_requests) == 1, "the second visitor was answered by Flask"
    assert answer_without_tokens(from_cache) == answer_without_tokens(by_flask)
    assert int(from_cache.headers["Content-Length"]) == len(from_cache.data)
    assert ("Set-Cookie" in from_cache.headers) == ("Set-Cookie" in by_flask.headers)
    assert "\ue000" not in page_text(from_cache)


def test_a_new_visitor_served_by_the_fast_lane_can_send_the_form(app, flask_requests):
    app.test_client().get("/fr/survey", headers={"Accept-Encoding": CHROMIUM})
    visitor = app.test_client()
    page = visitor.get("/fr/survey", headers={"Accept-Encoding": CHROMIUM})
    assert len(flask_requests) == 1
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    fields = hidden_fields(page_text(page))
    response = visitor.post("/fr/survey", data={**fields, **SURVEY_ANSWERS})
    assert response.status_code == 303
    assert len(stored_submissions(app, "survey")) == 1


def test_a_returning_visitor_keeps_their_session_and_gets_a_fresh_form(app, flask_requests):
    visitor = app.test_client()
    visitor.get("/uk/survey")  # Flask: the session begins
    again = visitor.get("/uk/survey")  # the fast lane, with the visitor's cookie
    assert len(flask_requests) == 1
    assert "Set-Cookie" not in again.headers
    fields = hidden_fields(page_text(again))
    assert visitor.post("/uk/survey", data={**fields, **SURVEY_ANSWERS}).status_code == 303
    # The next blank form has its own submission key: a second answer is a second answer.
    fields = hidden_fields(page_text(visitor.get("/uk/survey")))
    assert visitor.post("/uk/survey", data={**fields, **SURVEY_ANSWERS}).status_code == 303
    assert len(stored_submissions(app, "survey")) == 2


def test_a_forged_session_cookie_is_replaced_as_flask_would(app, flask_requests):
    app.test_client().get("/fr/ili")
    visitor = app.test_client()
    visitor.set_cookie("session", "eyJjc3JmX3Rva2VuIjoiMSJ9.forged.signature")
    page = visitor.get("/fr/ili")
    assert len(flask_requests) == 1
    assert "Set-Cookie" in page.headers
    fields = hidden_fields(page_text(page))
    assert "csrf_token" in fields


def test_a_cookie_that_is_not_utf8_does_not_stop_a_visitor(app, flask_requests):
    """Another site on the parent domain may have set a Latin-1 cookie: the server hands
    its byte 0xE9 on as the character U+00E9 (WSGI's Latin-1 strings)."""
    app.test_client().get("/fr/survey")
    environ = EnvironBuilder(path="/fr/survey").get_environ()
    environ["HTTP_COOKIE"] = "other=caf\xe9; lang=fr"
    answer = {}
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    assert answer["status"] == "200 OK"
    assert len(flask_requests) == 1
    assert "csrf_token" in hidden_fields(body.decode())


def test_unusual_accept_encodings_never_keep_browsers_from_the_fast_lane(app, flask_requests):
    for index in range(20):
        app.test_client().get("/fr/survey", headers={"Accept-Encoding": f"x-odd-{index}"})
    before = len(flask_requests)
    app.test_client().get("/fr/survey", headers={"Accept-Encoding": CHROMIUM})
    app.test_client().get("/fr/survey", headers={"Accept-Encoding": "gzip"})
    assert len(flask_requests) == before + 1  # the first gzip answer is Flask's, kept


def test_a_staff_session_is_left_to_flask(app, flask_requests):
    make_staff(app)
    client = app.test_client()
    app.test_client().get("/fr/survey")
    assert login(client).status_code == 302
    before = len(flask_requests)
    assert client.get("/fr/survey").status_code == 200
    assert len(flask_requests) == before + 1
    assert client.get("/staff/").status_code == 200  # still logged in


def test_a_query_string_or_another_method_goes_to_flask(app, flask_requests):
    app.test_client().get("/fr/survey")
    app.test_client().get("/fr/survey?from=poster")
    app.test_client().head("/fr/survey")
    assert len(flask_requests) == 3


def test_an_encoding_chosen_by_flask_compress_is_never_replayed(app, flask_requests):
    client = app.test_client()
    first = client.get("/fr/privacy", headers={"Accept-Encoding": "br"})
    second = client.get("/fr/privacy", headers={"Accept-Encoding": "br"})
    assert first.headers.get("Content-Encoding") == second.headers.get("Content-Encoding")
    if first.headers.get("Content-Encoding") == "br":
        assert len(flask_requests) == 2  # Flask-Compress's work is not the cache's to repeat


@pytest.mark.parametrize("tail_size", [0, 1, 70_000, 140_000])
def test_a_page_and_its_visitor_values_make_one_valid_gzip_stream(tail_size):
    text = "<p>Привіт " * 500 + PLACEHOLDERS["csrf_token"] + "ї" * tail_size + "</html>"
    body = Body.split(text, level=6)
    expected = text.replace(PLACEHOLDERS["csrf_token"], "token-123").encode()
    compressed = body.render({PLACEHOLDERS["csrf_token"]: "token-123"}, gzip=True)
    assert gzip.decompress(compressed) == expected
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert stream.decompress(compressed) == expected and stream.eof and not stream.unused_data
    assert body.render({PLACEHOLDERS["csrf_token"]: "token-123"}, gzip=False) == expected


def test_another_process_changes_show_on_the_training_page_within_its_max_age(
    app, database_url, flask_requests
):
    """Another process (here a second app on the same database) closes the registrations:
    for at most TRAINING_PAGE_MAX_AGE the page may still offer the form, and a sign-up sent
    from it is refused on the database; after that the page says it is closed."""
    make_training(app, capacity=5)
    max_age = app.config["TRAINING_PAGE_MAX_AGE"]
    visitor = app.test_client()
    assert "<form" in page_text(visitor.get(TRAINING))
    started = time.monotonic()
    other_process = make_app(database_url)
    with other_process.app_context():
        training_admin.update_training("droit-des-etrangers", is_open=False)
        db.session.remove()
        db.engine.dispose()
    stale = page_text(visitor.get(TRAINING))
    if time.monotonic() - started < max_age:
        assert "<form" in stale  # served from this process's cache, no query
    data = {**hidden_fields(stale), **SIGNUP_ANSWERS, "email": "late@example.be"}
    assert visitor.post(TRAINING, data=data).status_code == 409
    assert registrations_by_email(app) == {}
    time.sleep(max(0.0, max_age - (time.monotonic() - started)) + 0.05)
    assert "<form" not in page_text(visitor.get(TRAINING))


def test_a_change_made_by_this_process_shows_on_the_training_page_at_once(app, client):
    make_training(app, capacity=5)
    assert "<form" in page_text(client.get(TRAINING))
    with app.app_context():
        training_admin.update_training("droit-des-etrangers", is_open=False)
    assert "<form" not in page_text(client.get(TRAINING))


def test_the_list_of_trainings_shows_changes_of_this_process_at_once_and_others_in_time(
    app, database_url, client
):
    make_training(app, capacity=5)
    closed = translated(app, "fr", "Registrations are closed.")
    assert closed not in page_text(client.get("/fr/trainings"))
    with app.app_context():
        training_admin.update_training("droit-des-etrangers", is_open=False)
    assert closed in page_text(client.get("/fr/trainings"))  # this process: at once

    other_process = make_app(database_url)
    with other_process.app_context():
        training_admin.update_training("droit-des-etrangers", is_open=True)
        db.session.remove()
        db.engine.dispose()
    time.sleep(app.config["TRAINING_PAGE_MAX_AGE"] + 0.05)
    assert closed not in page_text(client.get("/fr/trainings"))  # another: within max age
