"""Two app processes (gunicorn, in production mode) sharing one PostgreSQL and one Redis, as
two hosts would: seats and rate limits hold across them, and a form served by one (from its
page cache) can be sent to the other."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest

from surveys.config import ROOT

from .conftest import truncate_all
from .support import SIGNUP_ANSWERS, hidden_fields, make_app, make_training, registrations_by_email

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TEST_DATABASE_URL) and Redis, as in CI",
)


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, tmp_path, limit: str):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        # Production mode (page cache and its fast lane on), but plain-HTTP cookies on loopback.
        "SURVEYS_SESSION_COOKIE_SECURE": "false",
        "SURVEYS_ORGANISATION_NAME": "Centre",
        "SURVEYS_ORGANISATION_ADDRESS": "Namur",
        "SURVEYS_CONTACT_EMAIL": "privacy@example.be",
        "SURVEYS_PUBLIC_URL": "http://127.0.0.1",
        "SURVEYS_SECRET_KEY": "shared-by-every-host",
        "SURVEYS_MIN_FILL_SECONDS": "0",
        "SURVEYS_OUTBOX_DELIVER_AFTER_COMMIT": "false",
        "SURVEYS_MAIL_FOLDER": str(tmp_path / "mail"),
        "SURVEYS_PUBLIC_POST_LIMIT": limit,
        "SURVEYS_PROXY_FIX_COUNT": "1",  # each simulated person has its own address
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(process.stdout.read1().decode())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(read_from: str, send_to: str, path: str, data: dict, address: str):
    """GET the form from one host, POST it to the other (a load balancer may do that)."""
    import http.cookiejar

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
    )
    headers = {"X-Forwarded-For": address}
    page = opener.open(urllib.request.Request(read_from + path, headers=headers), timeout=30)
    body = urllib.parse.urlencode({**hidden_fields(page.read().decode()), **data}).encode()
    try:
        return opener.open(
            urllib.request.Request(send_to + path, data=body, headers=headers), timeout=60
        ).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_hosts(postgres_url, tmp_path):
    redis_client = redis_or_skip()
    redis_client.flushdb()
    app = make_app(postgres_url)
    with (
        gunicorn(postgres_url, tmp_path, "6 per minute") as first,
        gunicorn(postgres_url, tmp_path, "6 per minute") as second,
    ):
        yield app, first, second
    redis_client.flushdb()
    truncate_all(app)


def test_seats_hold_across_two_hosts(two_hosts):
    app, first, second = two_hosts
    make_training(app, slug="atelier", capacity=4)
    results = []
    barrier = threading.Barrier(12)

    def person(index):
        hosts = (first, second) if index % 2 else (second, first)
        data = {**SIGNUP_ANSWERS, "email": f"p{index}@example.be"}
        barrier.wait(timeout=60)
        results.append(post_form(*hosts, "/fr/trainings/atelier", data, f"192.0.2.{index + 1}"))

    threads = [threading.Thread(target=person, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert results == [303] * 12
    statuses = [r.status for r in registrations_by_email(app).values()]
    assert statuses.count("confirmed") == 4 and statuses.count("waitlisted") == 8


def test_rate_limits_hold_across_two_hosts(two_hosts):
    app, first, second = two_hosts
    make_training(app, slug="atelier", capacity=100)
    codes = []
    for index in range(8):
        hosts = (first, second) if index % 2 else (second, first)
        data = {**SIGNUP_ANSWERS, "email": f"same-address{index}@example.be"}
        codes.append(post_form(*hosts, "/fr/trainings/atelier", data, "203.0.113.77"))
    assert codes == [303] * 6 + [429] * 2
