"""Staff accounts from the command line, and the password rules."""

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import StaffUser
from surveys.services.staff_accounts import PasswordRejected, check_password_policy

from .support import login


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "мій кіт любить молоко і сонце",
        "Le chat de Namur dort au soleil",
        "x7$Gq!pL2#vR9&",
    ],
)
def test_long_passphrases_and_any_unicode_are_accepted(password):
    check_password_policy(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short one", "too_short"),
        ("Tr0ub4dor&3", "too_short"),
        ("123456789012", "too_common"),
        ("passwordpassword", "too_common"),
        ("qwertyuiopasdf", "too_common"),
        ("aaaaaaaaaaaaaaaa", "too_common"),
    ],
)
def test_short_or_common_passwords_are_refused(password, reason):
    with pytest.raises(PasswordRejected) as error:
        check_password_policy(password)
    assert error.value.reason == reason


def test_create_asks_the_password_twice_and_hashes_it(app, runner):
    password = "le vélo rouge de ma grand-mère"
    result = runner.invoke(
        args=["staff", "create", "Marie@Example.be"], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        staff = db.session.scalar(select(StaffUser))
    assert staff.email == "marie@example.be"
    assert staff.password_hash.startswith("scrypt:")
    assert password not in staff.password_hash
    assert login(app.test_client(), email="marie@example.be", password=password).status_code == 302


def test_create_refuses_a_weak_password_and_asks_again(app, runner):
    good = "trois petits chats dans la neige"
    result = runner.invoke(
        args=["staff", "create", "marie@example.be"],
        input=f"password1234\npassword1234\n{good}\n{good}\n",
    )
    assert "Refused" in result.output
    assert result.exit_code == 0


def test_create_with_a_one_time_password(app, runner):
    result = runner.invoke(args=["staff", "create", "marie@example.be", "--generate"])
    password = result.output.strip().rsplit(": ", 1)[1]
    assert login(app.test_client(), email="marie@example.be", password=password).status_code == 302


def test_reset_password_ends_sessions(app, runner, staff_client):
    result = runner.invoke(args=["staff", "reset-password", "anna@example.be", "--generate"])
    assert result.exit_code == 0
    assert staff_client.get("/staff/").status_code == 302
    password = result.output.strip().rsplit(": ", 1)[1]
    assert login(app.test_client(), password=password).status_code == 302


def test_no_duplicate_account(app, runner, staff_client):
    result = runner.invoke(args=["staff", "create", "anna@example.be", "--generate"])
    assert result.exit_code != 0 and "already exists" in result.output
