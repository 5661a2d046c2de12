"""Fixtures: a real database per test (an SQLite file, and PostgreSQL when TEST_DATABASE_URL
is set), the app, its test client, and helpers that fill forms as a browser would."""

import json
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, text, update

from surveys.config import ROOT, normalise_database_url
from surveys.extensions import db
from surveys.models import Form, FormVersion

from .support import BACKENDS, TEST_DATABASE_URL, free_port, make_app


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Pages are checked in every language, so the catalogs are compiled once per run."""
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", "translations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file with the shipped forms, copied for every test (migrating
    each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    load_shipped_forms(app)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = normalise_database_url(TEST_DATABASE_URL)
    app = make_app(url)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    load_shipped_forms(app)
    return url


def load_shipped_forms(app) -> None:
    """What a deployment runs after the migrations: the release's seed files are published
    over the forms migration 0005 wrote (version 1), so tests see the shipped forms."""
    loaded = app.test_cli_runner().invoke(args=["forms", "load"])
    assert loaded.exit_code == 0, loaded.output
    # Closing the connections checkpoints SQLite's write-ahead log into the file, which the
    # template is then copied as.
    with app.app_context():
        db.engine.dispose()


# Written by the migrations and `flask forms load` (the shipped forms): kept between tests,
# as in the SQLite template, but for what a test added to them.
MIGRATED_DATA = ("forms", "form_versions")


def truncate_all(app) -> None:
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables if t.name not in MIGRATED_DATA)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            connection.execute(text("DELETE FROM form_versions WHERE form_id > 3"))
            connection.execute(text("DELETE FROM forms WHERE id > 3"))
            # What staff published in a test goes; what seed files published stays.
            connection.execute(delete(FormVersion).where(FormVersion.published_by != "seed file"))
            latest = (
                select(func.max(FormVersion.number))
                .where(FormVersion.form_id == Form.id)
                .scalar_subquery()
            )
            # Back to the settings migration 0005 gave them (a test may have closed one).
            frozen = json.loads((ROOT / "migrations/versions/0005_forms_v1.json").read_text())
            for code, form in frozen.items():
                connection.execute(
                    update(Form)
                    .where(Form.code == code)
                    .values(
                        **form["settings"],
                        is_open=True,
                        opens_on=None,
                        closes_on=None,
                        draft=None,
                        current_version=latest,
                    )
                )
        db.engine.dispose()
    # A test that ran the migrations again left the forms at version 1: the seed files
    # come back as a deployment brings them (nothing is written when they are there).
    load_shipped_forms(app)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "surveys.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        yield url
        truncate_all(make_app(url))


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class RecordingSMTPHandler:
    """An aiosmtpd handler that keeps what it receives, or answers with ``reply``."""

    def __init__(self):
        self.messages = []
        self.reply = None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self):
        import email
        from email.policy import default

        return [email.message_from_bytes(e.content, policy=default) for e in self.messages]


@pytest.fixture
def smtp_port():
    return free_port()


@contextmanager
def smtp_on_loopback(handler, port: int):
    """A real SMTP server (aiosmtpd) on loopback, answering with ``handler``."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(smtp_port):
    """A real SMTP server on loopback; ``.handler.messages`` holds what arrived."""
    with smtp_on_loopback(RecordingSMTPHandler(), smtp_port) as controller:
        yield controller


@pytest.fixture
def mail_app(database_url, smtp_port):
    """The app sending its mail over SMTP to ``smtp_port`` on loopback."""
    app = make_app(
        database_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        SMTP_TIMEOUT=5,
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def staff_client(app):
    """A client logged in as a member of staff (French)."""
    from .support import login, make_staff

    make_staff(app)
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
