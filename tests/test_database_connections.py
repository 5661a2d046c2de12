"""Pooled database connections: checked before use, and left as the next user needs them."""

import pytest

from surveys import extensions


def test_every_pooled_connection_is_checked_before_use(app, client, monkeypatch):
    """Pessimistic disconnect handling (pool_pre_ping): a connection the server closed is
    replaced before a request meets it (test_database_failures terminates them for real)."""
    pings = []
    with app.app_context():
        dialect = extensions.db.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    for _ in range(3):
        assert client.get("/healthz").status_code == 200  # never cached
    assert len(pings) >= 2  # the first request opened a fresh connection


def test_a_submission_sent_in_autocommit_leaves_the_next_user_a_transaction(app, database_url):
    """Survey answers are one INSERT, sent in autocommit on PostgreSQL; the connection goes
    back to the pool in transactional mode, which a sign-up's seat lock needs."""
    if not database_url.startswith("postgresql"):
        pytest.skip("autocommit is used on PostgreSQL only")
    from surveys.forms import registry
    from surveys.services import responses

    with app.app_context():
        survey = registry.registered("survey").definition
        responses.record_submission(
            survey, {"frequency": "weekly"}, locale="fr", submission_key="k" * 32
        )
        extensions.db.session.remove()
        with extensions.db.engine.connect() as connection:
            assert connection.connection.dbapi_connection.autocommit is False
            assert extensions.db.engine.pool.checkedin() == 0  # the same, only connection
