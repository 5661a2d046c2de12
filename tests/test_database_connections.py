"""Pooled database connections that the server dropped (a restart, an idle timeout) are
replaced before use: visitors see the page, not an error."""

import pytest
from sqlalchemy import create_engine, text

from surveys import extensions

from .support import make_training


def test_a_connection_dropped_by_the_server_is_replaced_before_use(
    app, client, database_url, monkeypatch
):
    if not database_url.startswith("postgresql"):
        pytest.skip("only a server can drop a connection")
    make_training(app)
    assert client.get("/fr/trainings").status_code == 200  # a connection is now in the pool
    killer = create_engine(database_url)
    with killer.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    killer.dispose()
    assert dropped >= 1
    # As if it had been idle long enough to be checked (the threshold is seconds).
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)
    response = client.get("/fr/trainings")
    assert response.status_code == 200
    assert "Droit des étrangers" in response.get_data(as_text=True)


def test_a_connection_in_constant_use_is_not_pinged(app, client, monkeypatch):
    pings = []
    with app.app_context():
        dialect = extensions.db.engine.dialect
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or True)
    for _ in range(3):
        assert client.get("/fr/trainings").status_code == 200
    assert pings == []
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert client.get("/fr/trainings").status_code == 200
    assert pings == [1]


def test_a_submission_sent_in_autocommit_leaves_the_next_user_a_transaction(app, database_url):
    """Survey answers are one INSERT, sent in autocommit on PostgreSQL; the connection goes
    back to the pool in transactional mode, which a sign-up's seat lock needs."""
    if not database_url.startswith("postgresql"):
        pytest.skip("autocommit is used on PostgreSQL only")
    from surveys.forms import SURVEY
    from surveys.services import responses

    with app.app_context():
        responses.record_submission(
            SURVEY, {"frequency": "weekly"}, locale="fr", submission_key="k" * 32
        )
        extensions.db.session.remove()
        with extensions.db.engine.connect() as connection:
            assert connection.connection.dbapi_connection.autocommit is False
            assert extensions.db.engine.pool.checkedin() == 0  # the same, only connection
