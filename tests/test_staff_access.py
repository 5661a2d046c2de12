"""Access to the dashboard: login, throttling, sessions, timeouts, headers."""

import logging
import time
from datetime import timedelta

import pytest

from surveys.extensions import db
from surveys.models import StaffSession, utcnow

from .support import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    csrf_of,
    hidden_fields,
    login,
    make_staff,
    make_training,
    second_step_code,
    translated,
)

STAFF_URLS = [
    "/staff/",
    "/staff/forms/survey/answers",
    "/staff/forms/ili/answers",
    "/staff/forms/survey/answers/1",
    "/staff/forms/survey/answers/1/delete",
    "/staff/forms/survey/summary",
    "/staff/forms/survey/export.csv",
    "/staff/forms/survey/export.xlsx",
    "/staff/forms/ili/export.csv",
    "/staff/trainings",
    "/staff/trainings/new",
    "/staff/trainings/droit-des-etrangers",
    "/staff/trainings/droit-des-etrangers/edit",
    "/staff/trainings/droit-des-etrangers/duplicate",
    "/staff/trainings/droit-des-etrangers/export.csv",
    "/staff/trainings/droit-des-etrangers/export.xlsx",
    "/staff/trainings/droit-des-etrangers/sessions/1/attendance",
    "/staff/registrations/1/cancel",
    "/staff/registrations/1",
    "/staff/trainings/droit-des-etrangers/message",
    "/staff/posters",
    "/staff/posters/survey-fr.svg",
    "/staff/posters/survey-fr.png",
    "/staff/privacy",
    "/staff/privacy?q=a@example.be",
    "/staff/privacy/erase?q=a@example.be",
    "/staff/audit",
    "/staff/account/password",
    "/staff/account/two-factor",
]
STAFF_POSTS = [
    "/staff/logout",
    "/staff/outbox/1/handled",
    "/staff/trainings/droit-des-etrangers/close",
    "/staff/registrations/1/promote",
    "/staff/privacy/export",
    "/staff/privacy/erase",
    "/staff/forms/survey/answers/1/delete",
]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_every_staff_page_and_export_requires_login(app, client, url):
    make_training(app)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    assert b"Kovalenko" not in response.data


@pytest.mark.parametrize("url", STAFF_POSTS)
def test_every_staff_action_requires_login(app, client, url):
    make_training(app)
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(url, data=hidden_fields(page))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_login_then_pages_are_not_cached(app, staff_client):
    response = staff_client.get("/staff/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert staff_client.get("/staff/forms/survey/export.csv").headers["Cache-Control"] == (
        "no-store"
    )


def test_one_generic_message_whatever_was_wrong(app, client):
    make_staff(app)
    unknown = login(client, email="nobody@example.be").get_data(as_text=True)
    wrong = login(client, password="wrong password here").get_data(as_text=True)
    message = translated(
        app,
        "fr",
        "Wrong e-mail address or password, or too many attempts: wait a moment and try again.",
    )
    assert message in unknown and message in wrong


def test_login_form_has_a_csrf_token(app, client):
    make_staff(app)
    response = client.post("/staff/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert "<h1>" in response.get_data(as_text=True)


def test_failed_logins_are_slowed_with_a_growing_delay_not_locked(app, client):
    make_staff(app)
    for _ in range(3):
        assert login(client, password="wrong password again").status_code == 401
    # Now the account waits 1 s: even the right password is refused during the delay.
    assert login(client).status_code == 401
    time.sleep(1.1)
    assert login(client, password="still a wrong one").status_code == 401  # 4th failure: 2 s
    with app.app_context():
        from surveys.models import LoginThrottle

        delays = sorted(
            (t.blocked_until - t.last_failure_at).total_seconds()
            for t in db.session.scalars(db.select(LoginThrottle))
        )
    assert delays == [2, 2]  # per account and per address
    time.sleep(2.1)
    assert login(client).status_code == 302  # no lockout: the owner gets in


def test_login_from_another_address_is_slowed_for_that_account(app):
    make_staff(app)
    attacker = app.test_client()
    for _ in range(3):
        login(
            attacker, password="wrong password again", environ_base={"REMOTE_ADDR": "203.0.113.5"}
        )
    owner = app.test_client()
    assert login(owner, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 401
    time.sleep(1.1)
    assert login(owner, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 302


def test_a_new_session_at_login_and_logout_makes_a_copied_cookie_useless(app, client):
    make_staff(app)
    client.get("/staff/login")
    before = client.get_cookie("session").value
    login(client)
    after = client.get_cookie("session").value
    assert after != before

    thief = app.test_client()
    thief.set_cookie("session", after)
    assert thief.get("/staff/").status_code == 200

    client.post("/staff/logout", data=csrf_of(client, "/staff/"))
    assert thief.get("/staff/").status_code == 302


def test_cookie_holds_no_personal_data(app, client):
    import base64
    import zlib

    make_staff(app)
    login(client)
    payload = client.get_cookie("session").value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if client.get_cookie("session").value.startswith("."):
        raw = zlib.decompress(raw)
    assert b"anna" not in raw and b"example" not in raw


@pytest.mark.parametrize(
    ("field", "delta"),
    [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=13))],
    ids=["idle", "absolute"],
)
def test_sessions_expire(app, staff_client, field, delta):
    with app.app_context():
        for session in db.session.scalars(db.select(StaffSession)):
            setattr(session, field, getattr(session, field) - delta)
            if field == "created_at":
                session.last_seen_at = utcnow()
        db.session.commit()
    response = staff_client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_only_goes_to_this_site(app, client, target):
    make_staff(app)
    assert logged_in_with_next(app, client, target).headers["Location"] == "/staff/"


def logged_in_with_next(app, client, target: str):
    """Both steps of a login asked for from ``/staff/login?next=target``."""
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        f"/staff/login?next={target}",
        data={**hidden_fields(page), "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    code_step = response.headers["Location"]
    assert code_step.startswith("/staff/login/code")
    code_page = client.get(code_step).get_data(as_text=True)
    return client.post(code_step, data={**hidden_fields(code_page), "code": second_step_code(app)})


def test_next_to_a_staff_page_is_followed(app, client):
    make_staff(app)
    assert logged_in_with_next(app, client, "/staff/audit").headers["Location"] == "/staff/audit"


def test_disabled_account_cannot_log_in_and_loses_its_sessions(app, staff_client, runner):
    assert runner.invoke(args=["staff", "disable", STAFF_EMAIL]).exit_code == 0
    assert staff_client.get("/staff/").status_code == 302
    assert login(app.test_client()).status_code == 401


def test_passwords_are_never_logged(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    make_staff(app)
    login(client, password="a wrong password with words")
    login(client)
    assert STAFF_PASSWORD not in caplog.text
    assert "a wrong password with words" not in caplog.text


def test_staff_language_can_be_chosen(app, staff_client):
    staff_client.get("/staff/language/uk?next=/staff/")
    html = staff_client.get("/staff/").get_data(as_text=True)
    assert '<html lang="uk">' in html
    assert translated(app, "uk", "Overview") in html


def test_change_own_password_logs_out_everywhere(app, staff_client):
    data = {
        **csrf_of(staff_client, "/staff/account/password"),
        "current": STAFF_PASSWORD,
        "new": "une toute nouvelle phrase secrète",
        "repeat": "une toute nouvelle phrase secrète",
    }
    assert staff_client.post("/staff/account/password", data=data).status_code == 302
    assert staff_client.get("/staff/").status_code == 302
    assert login(app.test_client(), password="une toute nouvelle phrase secrète").status_code == 302
