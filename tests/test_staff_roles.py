"""Roles: an administrator (accounts, privacy tools, audit log), a coordinator (trainings,
forms, answers, exports) and a reader (summaries only, no personal data). Every staff URL is
walked with every role; accounts are managed in the dashboard."""

import re

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEvent, StaffSession, StaffUser

from .support import (
    STAFF_EMAIL,
    SURVEY_ANSWERS,
    csrf_of,
    login,
    make_staff,
    make_training,
    sign_up,
    submit,
    translated,
)
from .test_staff_access import STAFF_POSTS, STAFF_URLS

# What a reader may open: counts and percentages, never a person.
READER_URLS = {
    "/staff/",
    "/staff/forms/survey/summary",
    "/staff/trainings",
    "/staff/posters",
    "/staff/posters/survey-fr.svg",
    "/staff/posters/survey-fr.png",
    "/staff/account/password",
    "/staff/account/two-factor",
}
# What only an administrator may open.
ADMINISTRATOR_URLS = {
    "/staff/privacy",
    "/staff/privacy?q=a@example.be",
    "/staff/privacy/erase?q=a@example.be",
    "/staff/audit",
    "/staff/accounts",
}
ADMINISTRATOR_POSTS = {"/staff/privacy/export", "/staff/privacy/erase"}
READER_POSTS = {"/staff/logout"}


def client_with_role(app, role: str, email: str):
    make_staff(app, email, role=role)
    client = app.test_client()
    assert login(client, email=email).status_code == 302
    return client


@pytest.fixture
def data(app):
    make_training(app)
    sign_up(app.test_client(), "droit-des-etrangers", email="a@example.be")
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)


def allowed(url: str, role: str) -> bool:
    if role == "administrator":
        return True
    if url in ADMINISTRATOR_URLS:
        return False
    return role == "coordinator" or url in READER_URLS


@pytest.mark.parametrize("role", ["administrator", "coordinator", "reader"])
def test_every_staff_page_with_every_role(app, data, role):
    client = client_with_role(app, role, f"{role}@example.be")
    urls = [*STAFF_URLS, "/staff/accounts"]
    for url in urls:
        response = client.get(url)
        if allowed(url, role):
            assert response.status_code != 403, (role, url)
        else:
            assert response.status_code == 403, (role, url)
            html = response.get_data(as_text=True)
            assert translated(app, "fr", "This page is not open to your account") in html
            assert "Kovalenko" not in html


@pytest.mark.parametrize("role", ["coordinator", "reader"])
def test_every_staff_action_with_every_role(app, data, role):
    client = client_with_role(app, role, f"{role}@example.be")
    for url in STAFF_POSTS:
        response = client.post(url, data=csrf_of(client, "/staff/account/password"))
        forbidden = url in ADMINISTRATOR_POSTS or (role == "reader" and url not in READER_POSTS)
        assert (response.status_code == 403) == forbidden, (role, url, response.status_code)
        if url == "/staff/logout":
            assert login(client, email=f"{role}@example.be").status_code == 302


def test_a_reader_sees_no_link_to_personal_data(app, data):
    reader = client_with_role(app, "reader", "reader@example.be")
    home = reader.get("/staff/").get_data(as_text=True)
    assert "/staff/forms/survey/summary" in home
    for hidden in ("/staff/forms/survey/answers", "/staff/privacy", "/staff/audit", 'id="outbox"'):
        assert hidden not in home, hidden
    assert "/staff/trainings/droit-des-etrangers" not in home  # the title, without a link


def test_an_administrator_manages_the_accounts(app, staff_client):
    page = "/staff/accounts"
    created = staff_client.post(
        page,
        data={
            **csrf_of(staff_client, page),
            "email": "  Marie@Example.BE ",
            "role": "coordinator",
            "locale": "uk",
        },
    )
    html = created.get_data(as_text=True)
    password = re.search(r'<code class="one-time">([^<]+)</code>', html).group(1)
    assert "marie@example.be" in html
    # The person logs in with it, as a coordinator, in Ukrainian.
    marie = app.test_client()
    assert login(marie, email="marie@example.be", password=password).status_code == 302
    assert marie.get("/staff/forms/survey/answers").status_code == 200
    assert marie.get("/staff/audit").status_code == 403
    with app.app_context():
        account = db.session.scalar(select(StaffUser).filter_by(email="marie@example.be"))
        account_id = account.id
        assert account.locale == "uk" and account.password_hash != password
    # A new role ends the person's sessions: the next login brings the new rights.
    staff_client.post(
        f"/staff/accounts/{account_id}/role",
        data={**csrf_of(staff_client, page), "role": "reader"},
    )
    assert marie.get("/staff/forms/survey/answers").status_code == 302  # to the login page
    with app.app_context():
        assert not db.session.scalars(select(StaffSession).filter_by(staff_id=account_id)).all()
    # A new one-time password, then disabled: no login any more.
    reset = staff_client.post(
        f"/staff/accounts/{account_id}/reset", data=csrf_of(staff_client, page)
    ).get_data(as_text=True)
    new_password = re.search(r'<code class="one-time">([^<]+)</code>', reset).group(1)
    assert new_password != password
    staff_client.post(f"/staff/accounts/{account_id}/disable", data=csrf_of(staff_client, page))
    assert (
        login(app.test_client(), email="marie@example.be", password=new_password).status_code == 401
    )
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("staff.%"))
        ).all()
    assert {"staff.create", "staff.role", "staff.reset", "staff.disable"} <= set(actions)


def test_the_last_administrator_keeps_the_role_and_stays_active(app, staff_client):
    page = "/staff/accounts"
    with app.app_context():
        admin_id = db.session.scalar(select(StaffUser.id))
    demoted = staff_client.post(
        f"/staff/accounts/{admin_id}/role", data={**csrf_of(staff_client, page), "role": "reader"}
    )
    message = translated(app, "fr", "The dashboard needs an active administrator.")
    assert message in demoted.get_data(as_text=True)
    disabled = staff_client.post(
        f"/staff/accounts/{admin_id}/disable", data=csrf_of(staff_client, page)
    )
    assert message in disabled.get_data(as_text=True)
    with app.app_context():
        admin = db.session.get(StaffUser, admin_id)
        assert admin.role == "administrator" and admin.is_active


def test_an_address_already_used_is_refused_with_everything_kept(app, staff_client):
    page = "/staff/accounts"
    form = {**csrf_of(staff_client, page), "role": "reader", "locale": "fr"}
    html = staff_client.post(page, data={**form, "email": STAFF_EMAIL}).get_data(as_text=True)
    assert translated(app, "fr", "An account already uses this address.") in html
    assert 'class="one-time"' not in html
    bad = staff_client.post(page, data={**form, "email": "not an address"}).get_data(as_text=True)
    assert "not an address" in bad
