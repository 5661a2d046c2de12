"""Headers, production settings, health check."""

import pytest
from sqlalchemy.exc import OperationalError

from surveys import create_app
from surveys.config import ConfigurationError
from surveys.extensions import db

from .support import make_app


def test_security_headers_on_every_response(client):
    for url in ("/fr/survey", "/healthz", "/fr/nowhere", "/static/site.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "script-src 'self'",
        ):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        # "no-referrer" would break Flask-WTF's referrer check on every HTTPS POST.
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers


def test_pages_use_no_inline_script_or_style(client):
    html = client.get("/fr/ili").get_data(as_text=True)
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert " on" + "click=" not in html


PRODUCTION = {
    "SECRET_KEY": "s" * 64,
    "ORGANISATION_NAME": "Centre",
    "CONTACT_EMAIL": "a@b.be",
    "PUBLIC_URL": "https://surveys.example",
    "ORGANISATION_ADDRESS": "Namur",
}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SURVEYS_SECRET_KEY"):
        create_app({**PRODUCTION, "SECRET_KEY": None})


def test_production_refuses_to_start_without_the_data_controller(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SURVEYS_CONTACT_EMAIL"):
        create_app({**PRODUCTION, "CONTACT_EMAIL": None})


def test_an_unknown_outbox_setting_refuses_to_start_instead_of_being_ignored(monkeypatch):
    with pytest.raises(ConfigurationError, match="send, write, queue"):
        create_app({**PRODUCTION, "OUTBOX_AFTER_COMMIT": "later"})
    # The boolean it replaced would otherwise be ignored without a word.
    monkeypatch.setenv("SURVEYS_OUTBOX_DELIVER_AFTER_COMMIT", "false")
    with pytest.raises(ConfigurationError, match="SURVEYS_OUTBOX_AFTER_COMMIT"):
        create_app(PRODUCTION)


def test_production_sends_hsts_and_secure_cookies(monkeypatch, database_url):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": database_url})
    response = app.test_client().get("/fr/survey", base_url="https://surveys.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SURVEYS_MIN_FILL_SECONDS", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/surveys")
    app = create_app({"TESTING": True})
    assert app.config["MIN_FILL_SECONDS"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/surveys"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert (report["status"], report["database"]) == ("ok", "ok")
    assert report["outbox"] == {"pending": 0, "failed": 0}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-dir/for/sure/db.sqlite3",
        "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_is_503_when_the_database_does_not_answer(url):
    app = make_app(url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}
    with app.app_context(), pytest.raises(OperationalError):
        db.session.connection()
