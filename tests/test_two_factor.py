"""Two-step login: a code from an authenticator app after the password (TOTP), required for
administrators, optional for the others; each code works once; recovery codes work once
each; wrong codes are slowed down like wrong passwords."""

import re
import time

import pyotp
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEvent, StaffUser

from .support import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    csrf_of,
    hidden_fields,
    login,
    make_staff,
    translated,
)

SETUP = "/staff/account/two-factor"


def password_step(client, email=STAFF_EMAIL):
    page = client.get("/staff/login").get_data(as_text=True)
    data = {**hidden_fields(page), "email": email, "password": STAFF_PASSWORD}
    return client.post("/staff/login", data=data)


def code_step(client, code: str):
    page = client.get("/staff/login/code").get_data(as_text=True)
    return client.post("/staff/login/code", data={**hidden_fields(page), "code": code})


def set_up(client) -> tuple[str, list[str]]:
    """Set up two-step login from the page: read the key, type the app's code."""
    page = client.get(SETUP).get_data(as_text=True)
    secret = re.search(r'<code class="one-time">([A-Z2-7]+)</code>', page).group(1)
    assert "<svg" in page  # the QR code, drawn on the page
    done = client.post(SETUP, data={**hidden_fields(page), "code": pyotp.TOTP(secret).now()})
    codes = re.findall(
        r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True)
    )
    return secret, codes


def test_an_administrator_sets_it_up_before_anything_else(app, runner):
    # The first account, from the command line, has no second step yet.
    result = runner.invoke(args=["staff", "create", STAFF_EMAIL, "--generate"])
    password = result.output.rsplit(": ", 1)[1].strip()
    client = app.test_client()
    assert login(client, password=password).status_code == 302
    for url in ("/staff/", "/staff/accounts", "/staff/forms/survey/answers"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == SETUP, url
    page = client.get(SETUP).get_data(as_text=True)
    assert (
        translated(
            app, "fr", "Administrators log in in two steps: set it up now to use the dashboard."
        )
        in page
    )
    wrong = client.post(SETUP, data={**hidden_fields(page), "code": "000000"})
    assert translated(app, "fr", "This code does not match: type the code your app shows now.") in (
        wrong.get_data(as_text=True)
    )
    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        staff = db.session.scalar(select(StaffUser))
        assert staff.totp_secret == secret
        assert all(code.replace("-", "") not in str(staff.recovery_code_hashes) for code in codes)


def test_each_code_works_once_and_a_recovery_code_once(app):
    make_staff(app, role="coordinator")
    client = app.test_client()
    assert login(client).status_code == 302
    secret, codes = set_up(client)

    other = app.test_client()
    first = password_step(other)
    assert first.headers["Location"].startswith("/staff/login/code")
    assert other.get("/staff/").status_code == 302  # not logged in between the two steps
    wrong = code_step(other, "123456")
    assert wrong.status_code == 401
    assert translated(
        app, "fr", "Wrong code, or too many attempts: wait a moment and try again."
    ) in (wrong.get_data(as_text=True))
    # The setup used this time step's code: the same code cannot log in again (a replay).
    assert code_step(other, pyotp.TOTP(secret).now()).status_code == 401
    # A recovery code, however typed, works once.
    assert code_step(other, codes[0].upper().replace("-", " ")).status_code == 302
    assert other.get("/staff/").status_code == 200
    third = app.test_client()
    password_step(third)
    assert code_step(third, codes[0]).status_code == 401
    # The next step's code (a phone a little ahead) is accepted, once.
    ahead = pyotp.TOTP(secret).at(time.time() + 30)
    assert code_step(third, ahead).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "staff.two_factor.enable" in actions and "login.code_failure" in actions
    assert "staff.two_factor.recovery_code" in actions


def test_wrong_codes_are_slowed_down_like_wrong_passwords(app):
    make_staff(app, role="coordinator")
    client = app.test_client()
    login(client)
    _secret, codes = set_up(client)
    other = app.test_client()
    password_step(other)
    for _ in range(3):
        assert code_step(other, "111111").status_code == 401
    # Now the account waits: even a right code is refused during the delay.
    assert code_step(other, codes[1]).status_code == 401
    time.sleep(1.1)
    assert code_step(other, codes[1]).status_code == 302


def test_optional_for_the_others_who_can_turn_it_off(app):
    make_staff(app, role="coordinator")
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200  # no setup asked of a coordinator
    set_up(client)
    page = client.get(SETUP).get_data(as_text=True)
    assert translated(app, "fr", "Turn two-step login off") in page
    client.post(f"{SETUP}/off", data=csrf_of(client, SETUP))
    assert client.get("/staff/").status_code == 302  # its sessions ended
    again = app.test_client()
    assert login(again).headers["Location"] == "/staff/"  # one step again


def test_an_administrator_cannot_turn_it_off(app, staff_client):
    page = staff_client.get(SETUP).get_data(as_text=True)
    assert translated(app, "fr", "Turn two-step login off") not in page
    staff_client.post(f"{SETUP}/off", data=csrf_of(staff_client, SETUP))
    with app.app_context():
        assert db.session.scalar(select(StaffUser.totp_secret)) is not None
    # New recovery codes replace the old ones, shown once.
    renewed = staff_client.post(f"{SETUP}/codes", data=csrf_of(staff_client, SETUP))
    assert len(re.findall(r"<li><code>", renewed.get_data(as_text=True))) == 10


def test_the_code_step_without_a_password_goes_back_to_the_login(app, client):
    make_staff(app)
    response = client.get("/staff/login/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


def test_a_new_one_time_password_clears_the_second_step(app, staff_client):
    """The way back for someone who lost their phone and their recovery codes."""
    make_staff(app, "paul@example.be", role="coordinator")
    paul = app.test_client()
    login(paul, email="paul@example.be")
    set_up(paul)
    with app.app_context():
        paul_id = db.session.scalar(select(StaffUser.id).filter_by(email="paul@example.be"))
    page = "/staff/accounts"
    reset = staff_client.post(f"/staff/accounts/{paul_id}/reset", data=csrf_of(staff_client, page))
    password = re.search(
        r'<code class="one-time">([^<]+)</code>', reset.get_data(as_text=True)
    ).group(1)
    again = app.test_client()
    response = login(again, email="paul@example.be", password=password)
    assert response.headers["Location"] == "/staff/"  # one step, to be set up again if wanted
