"""Two app processes (gunicorn, in production mode) sharing one PostgreSQL and one Redis, as
two hosts would: seats and rate limits hold across them, and a form served by one (from its
page cache) can be sent to the other."""

import os
import threading

import pytest

from .conftest import truncate_all
from .support import (
    SIGNUP_ANSWERS,
    gunicorn,
    make_app,
    make_training,
    post_form,
    registrations_by_email,
)

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


def host_settings() -> dict:
    return {
        "REDIS_URL": REDIS_URL,
        "SURVEYS_OUTBOX_AFTER_COMMIT": "write",
        "SURVEYS_PUBLIC_POST_LIMIT": "6 per minute",
    }


@pytest.fixture
def two_hosts(postgres_url, tmp_path):
    redis_client = redis_or_skip()
    redis_client.flushdb()
    app = make_app(postgres_url)
    with (
        gunicorn(postgres_url, tmp_path, **host_settings()) as first,
        gunicorn(postgres_url, tmp_path, **host_settings()) as second,
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
