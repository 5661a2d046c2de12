"""One SQLite file, several gunicorn workers, a real SMTP server on loopback: staff logging
in and out, people signing up and outbox passes, all at once for a bounded time. Every write
takes SQLite's write lock up front, so none fails with "database is locked"; every delivery
outcome (sent, try again later, refused for good) is stored, so no confirmation stays
"sending" or goes out twice."""

import re
import shutil
import threading
import time
import urllib.request
from collections import Counter
from itertools import count

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import OutboxMessage, Registration
from surveys.services import outbox

from .conftest import RecordingSMTPHandler, smtp_on_loopback
from .support import (
    SIGNUP_ANSWERS,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    browser_opener,
    gunicorn,
    hidden_fields,
    make_app,
    make_staff,
    make_training,
    status_of_request,
)

SIGN_UPS_EACH = 25  # by each of 5 people at once; staff and the outbox work meanwhile
SECONDS = 90  # at most, however slow the machine
SEATS = 10


def number_of(address: str) -> int:
    return int(re.search(r"\d+", address).group())


class PickySMTPHandler(RecordingSMTPHandler):
    """Refuses some people for good (550) and asks to try others again later (451)."""

    async def handle_DATA(self, server, session, envelope):
        number = number_of(envelope.rcpt_tos[0])
        if number % 7 == 0:
            return "550 5.1.1 No such mailbox"
        if number % 5 == 0:
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def picky_smtp_server(smtp_port):
    with smtp_on_loopback(PickySMTPHandler(), smtp_port) as controller:
        yield controller


def page_fields(opener, url: str, address: str) -> dict:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": address})
    with opener.open(request, timeout=60) as response:
        return hidden_fields(response.read().decode())


def test_staff_sign_ups_and_outbox_at_once_on_one_sqlite_file(
    tmp_path, sqlite_template, picky_smtp_server, smtp_port
):
    path = tmp_path / "shared.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    smtp = {"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port}
    app = make_app(url, **smtp)  # the outbox worker's process
    # A coordinator: an administrator's login has a second step (tests/test_two_factor.py),
    # and this test is about many logins writing to one SQLite file at once.
    make_staff(app, role="coordinator")
    make_training(app, slug="atelier", capacity=SEATS)

    statuses: Counter[tuple[str, int]] = Counter()
    numbers = count(1)
    deadline = time.monotonic() + SECONDS
    signing_up = threading.Event()
    signing_up.set()

    def busy() -> bool:
        return signing_up.is_set() and time.monotonic() < deadline

    def record(kind: str, status: int) -> None:
        statuses[kind, status] += 1

    def staff_member(base: str) -> None:
        for _ in range(500):
            if not busy():
                return
            number = next(numbers)
            address = f"198.51.100.{number % 250 + 1}"
            headers = {"X-Forwarded-For": address}
            opener = browser_opener()
            fields = page_fields(opener, f"{base}/staff/login", address)
            if number % 3 == 0:  # a mistyped address: throttles written, no account slowed
                email, password = f"nobody{number}@example.be", "not the password at all"
            else:
                email, password = STAFF_EMAIL, STAFF_PASSWORD
            data = {**fields, "email": email, "password": password}
            record("login", status_of_request(opener, f"{base}/staff/login", data, headers))
            if email == STAFF_EMAIL:
                record("overview", status_of_request(opener, f"{base}/staff/", None, headers))
                fields = page_fields(opener, f"{base}/staff/", address)
                status = status_of_request(opener, f"{base}/staff/logout", fields, headers)
                record("logout", status)

    def person(base: str) -> None:
        for _ in range(SIGN_UPS_EACH):
            if time.monotonic() > deadline:
                return
            number = next(numbers)
            address = f"203.0.113.{number % 250 + 1}"
            opener = browser_opener()
            page = f"{base}/fr/trainings/atelier"
            fields = page_fields(opener, page, address)
            data = {**fields, **SIGNUP_ANSWERS, "email": f"person{number}@example.be"}
            headers = {"X-Forwarded-For": address}
            record("sign-up", status_of_request(opener, page, data, headers))

    def outbox_worker() -> None:
        for _ in range(1000):
            if not busy():
                return
            with app.app_context():
                outbox.deliver_due()
                db.session.remove()
            time.sleep(0.2)

    settings = {
        "SURVEYS_MAIL_BACKEND": "smtp",
        "SURVEYS_SMTP_HOST": "127.0.0.1",
        "SURVEYS_SMTP_PORT": str(smtp_port),
        "SURVEYS_OUTBOX_AFTER_COMMIT": "send",
        "SURVEYS_PUBLIC_POST_LIMIT": "100000 per minute",
        "SURVEYS_STAFF_LOGIN_LIMIT": "100000 per minute",
        "SURVEYS_SQLITE_WRITE_LOCK_CHECK": "raise",  # a write without the lock first: a 500
    }
    with gunicorn(url, tmp_path, workers=4, **settings) as base:
        people = [threading.Thread(target=person, args=(base,)) for _ in range(5)]
        others = [threading.Thread(target=staff_member, args=(base,)) for _ in range(3)]
        others.append(threading.Thread(target=outbox_worker))
        for thread in people + others:
            thread.start()
        for thread in people:
            thread.join(timeout=SECONDS + 30)
        signing_up.clear()
        for thread in others:
            thread.join(timeout=60)
        # The workers' after-commit deliveries finish before the server stops.
        with app.app_context():
            for _ in range(100):
                waiting = db.session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(
                        (OutboxMessage.status == "sending")
                        | ((OutboxMessage.status == "pending") & (OutboxMessage.attempts == 0))
                    )
                )
                db.session.remove()
                if not waiting:
                    break
                time.sleep(0.2)

    assert not [key for key in statuses if key[1] >= 500], statuses
    logins = statuses["login", 302] + statuses["login", 401]
    assert statuses["login", 302] > 0 and logins == sum(
        n for (kind, _), n in statuses.items() if kind == "login"
    ), statuses
    assert statuses["overview", 200] == statuses["login", 302] == statuses["logout", 302]
    sign_ups = statuses["sign-up", 303]
    assert (
        sign_ups
        == 5 * SIGN_UPS_EACH
        == sum(n for (kind, _), n in statuses.items() if kind == "sign-up")
    ), statuses

    with app.app_context():
        by_status = Counter(db.session.scalars(select(Registration.status)))
        messages = db.session.execute(
            select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.message_id)
        ).all()
    assert by_status == {"confirmed": SEATS, "waitlisted": sign_ups - SEATS}
    assert len(messages) == sign_ups

    def expected(recipient: str) -> str:
        number = number_of(recipient)
        return "failed" if number % 7 == 0 else "pending" if number % 5 == 0 else "sent"

    assert [(r, status) for r, status, _ in messages if status != expected(r)] == []
    delivered = Counter(m["Message-ID"] for m in picky_smtp_server.handler.parsed())
    assert set(delivered.values()) == {1}  # none twice
    assert set(delivered) == {message_id for _, status, message_id in messages if status == "sent"}
