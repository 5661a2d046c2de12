"""A database that goes away, fills up or refuses writes: nobody loses what they typed.

Every failure here is real: a connection refused by a port where nothing listens, PostgreSQL
backends terminated by the server, a PostgreSQL session in read-only mode, an SQLite file
that cannot grow (``PRAGMA max_page_count``).
"""

import itertools
import re

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from surveys.extensions import db
from surveys.models import Registration, Submission
from surveys.services import forms as form_service
from surveys.services.forms import current_version_id

from .support import (
    SIGNUP_ANSWERS,
    SURVEY_ANSWERS,
    hidden_fields,
    make_app,
    make_training,
    press,
    registrations_by_email,
    sign_up,
    translated,
)

COULD_NOT_SAVE = (
    "We could not save your answers just now. They are still here: please send them again "
    "in a minute."
)
REFUSING_URL = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_kept(html: str, answers: dict) -> None:
    """Every answer typed is on the page again."""
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            if name.endswith("consent"):
                assert f'name="{name}" value="y" checked' in html, name
            elif one and len(one) > 2 and name not in ("contact_email",):
                assert one.strip() in html, (name, one)


def move_session(source, target) -> None:
    """The same browser against another app on the same secret key (the database is back)."""
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def full_sqlite_app(database_url):
    """An app whose SQLite file cannot grow any more, and is full inside."""
    app = make_app(database_url)
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def cannot_grow(dbapi_connection, record):
            cursor = dbapi_connection.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages}")
            cursor.close()

        engine.dispose()
        version_id = current_version_id("survey")
        numbers = itertools.count()
        for size in (2000, 400, 50, 1):  # big rows first, then whatever still fits
            with pytest.raises(OperationalError, match="full"):
                for number in itertools.islice(numbers, 10_000):
                    with engine.begin() as connection:
                        connection.execute(
                            Submission.__table__.insert().values(
                                form="filler",
                                form_version=1,
                                version_id=version_id,
                                locale="fr",
                                answers={"filler": "x" * size},
                                submission_key=f"filler-{number:06d}-{'k' * 16}",
                                consents={},
                            )
                        )
        db.session.remove()
    return app


@pytest.fixture
def on_sqlite(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("an SQLite file")
    return database_url


@pytest.fixture
def on_postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server")
    return database_url


@pytest.mark.parametrize("lang", ["fr", "en", "uk"])
def test_a_full_sqlite_disk_keeps_every_answer_and_the_same_form_stores_once_later(on_sqlite, lang):
    full = full_sqlite_app(on_sqlite)
    before = count(full, Submission)
    browser = full.test_client()
    page = browser.get(f"/{lang}/survey").get_data(as_text=True)
    data = {**hidden_fields(page), **SURVEY_ANSWERS}

    response = browser.post(f"/{lang}/survey", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert translated(full, lang, COULD_NOT_SAVE) in html
    assert_kept(html, SURVEY_ANSWERS)
    assert 'value="telegram" checked' in html
    assert count(full, Submission) == before
    assert browser.get("/healthz").status_code == 503
    assert browser.get("/healthz").get_json()["database"] == "full"

    # Room again (the pragma lives in the full app's connections only).
    roomy = make_app(on_sqlite)
    again = roomy.test_client()
    move_session(browser, again)
    resent = {**hidden_fields(html), **SURVEY_ANSWERS}
    assert resent["submission_key"] == data["submission_key"]
    assert again.post(f"/{lang}/survey", data=resent).status_code == 303
    assert again.post(f"/{lang}/survey", data=resent).status_code == 303  # a second tap
    assert count(roomy, Submission) == before + 1
    assert again.get("/healthz").status_code == 200


def sign_up_refused_then_sent_again(database_url, failing):
    """A sign-up begun on a working app and sent through ``failing`` comes back in Ukrainian
    with everything typed, 503 and Retry-After, storing nothing; sent again to the working
    one (twice: a double tap), it is stored once. Returns the refused page."""
    good = make_app(database_url)
    slug = make_training(good)
    browser = good.test_client()
    page = browser.get(f"/uk/trainings/{slug}").get_data(as_text=True)
    data = {**hidden_fields(page), **SIGNUP_ANSWERS}

    refused = failing.test_client()
    move_session(browser, refused)
    response = refused.post(f"/uk/trainings/{slug}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert translated(failing, "uk", COULD_NOT_SAVE) in html
    assert_kept(html, SIGNUP_ANSWERS)
    assert count(good, Registration) == 0

    data = {**hidden_fields(html), **SIGNUP_ANSWERS}
    assert browser.post(f"/uk/trainings/{slug}", data=data).status_code == 303
    assert browser.post(f"/uk/trainings/{slug}", data=data).status_code == 303
    assert list(registrations_by_email(good)) == ["olena@example.be"]
    return html


def test_a_sign_up_while_postgresql_refuses_connections_keeps_everything(on_postgresql):
    # Even the training's own details cannot be read: the form comes back as typed.
    sign_up_refused_then_sent_again(on_postgresql, make_app(REFUSING_URL))


def page_state_only_app(database_url):
    """An app connected as a role that PostgreSQL lets read a training's state (the columns
    its page state reads, its dates, its seats) but neither its texts nor lock it for a
    sign-up: the database refuses in the middle of a request, after its first read."""
    admin = create_engine(database_url)
    with admin.begin() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = 'surveys_page_state_only'")
        ).scalar()
        if not exists:
            connection.execute(text("CREATE ROLE surveys_page_state_only LOGIN"))
        for grant in (
            "GRANT USAGE ON SCHEMA public TO surveys_page_state_only",
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO surveys_page_state_only",
            "REVOKE SELECT ON trainings FROM surveys_page_state_only",
            "GRANT SELECT (id, slug, updated_at, every_date_required, capacity, is_open, "
            "is_published, registration_deadline) ON trainings TO surveys_page_state_only",
        ):
            connection.execute(text(grant))
    admin.dispose()
    return make_app(database_url.replace("//postgres@", "//surveys_page_state_only@"))


def test_a_sign_up_whose_training_cannot_be_read_after_its_state_comes_back_alone(on_postgresql):
    limited = page_state_only_app(on_postgresql)
    html = sign_up_refused_then_sent_again(on_postgresql, limited)
    assert translated(limited, "uk", "Sign up") in html  # the form alone, under its heading


def test_survey_answers_while_postgresql_refuses_connections_come_back_whole(on_postgresql):
    down = make_app(REFUSING_URL)
    browser = down.test_client()
    page = browser.get("/en/survey").get_data(as_text=True)  # a cached page: no database
    data = {**hidden_fields(page), **SURVEY_ANSWERS}
    response = browser.post("/en/survey", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert translated(down, "en", COULD_NOT_SAVE) in html
    assert_kept(html, SURVEY_ANSWERS)

    back = make_app(on_postgresql)
    client = back.test_client()
    move_session(browser, client)
    assert (
        client.post("/en/survey", data={**hidden_fields(html), **SURVEY_ANSWERS}).status_code == 303
    )
    assert count(back, Submission) == 1


def read_only_app(database_url):
    app = make_app(database_url)
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def read_only(dbapi_connection, record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()

        db.engine.dispose()
    return app


def test_healthz_is_503_when_postgresql_is_read_only_and_the_form_comes_back(on_postgresql):
    writable = make_app(on_postgresql)
    slug = make_training(writable)
    app = read_only_app(on_postgresql)
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "read-only or refusing writes"

    response = sign_up(client, slug, lang="fr")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert translated(app, "fr", COULD_NOT_SAVE) in html
    assert 'value="Kovalenko"' in html
    assert count(writable, Registration) == 0


def terminate_backends(database_url) -> int:
    killer = create_engine(database_url)
    with killer.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    killer.dispose()
    return dropped


def test_every_backend_terminated_between_two_sign_ups_the_next_one_succeeds(
    app, client, on_postgresql
):
    slug = make_training(app)
    assert sign_up(client, slug, email="first@example.be").status_code == 303
    assert terminate_backends(on_postgresql) >= 1  # the pooled connections among them
    response = sign_up(client, slug, email="second@example.be")
    assert response.status_code == 303
    assert set(registrations_by_email(app)) == {"first@example.be", "second@example.be"}


def test_a_connection_cut_during_the_unit_of_work_is_run_again_and_stores_once(
    app, client, on_postgresql
):
    """The server ends the connection after the pool checked it, at the INSERT itself."""
    cuts = []
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def cut_at_first_insert(connection, cursor, statement, parameters, context, many):
            if statement.startswith("INSERT INTO submissions") and not cuts:
                pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                killer = create_engine(on_postgresql)
                with killer.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                killer.dispose()
                cuts.append(pid)

    page = client.get("/fr/survey").get_data(as_text=True)
    response = client.post("/fr/survey", data={**hidden_fields(page), **SURVEY_ANSWERS})
    assert response.status_code == 303
    assert len(cuts) == 1
    assert count(app, Submission) == 1


def kill_backend_of(connection, database_url) -> None:
    """The server ends this connection (as a restart or ``pg_terminate_backend`` does)."""
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = create_engine(database_url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


@pytest.mark.parametrize(
    "path", ["/fr/trainings", "/uk/trainings/atelier", "/en/trainings/atelier/thanks"]
)
def test_a_connection_cut_between_two_reads_of_a_page_is_replaced(app, client, on_postgresql, path):
    """The server ends the connection after the page's first query: the next one runs again
    on a new connection, and the visitor sees the page."""
    make_training(app, slug="atelier")
    cuts = []
    with app.app_context():

        @event.listens_for(db.engine, "after_cursor_execute")
        def cut_after_first_query(connection, cursor, statement, parameters, context, many):
            if not cuts and "pg_backend_pid" not in statement:
                cuts.append(statement)
                kill_backend_of(connection, on_postgresql)

    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert cuts


def test_a_connection_cut_after_the_last_read_still_gives_the_page(app, client, on_postgresql):
    """The connection dies once the page is rendered: ending its transaction fails, quietly,
    and the page the visitor waited for is sent (not a bare 500 from the server)."""
    make_training(app, slug="atelier")
    kills = []

    @app.teardown_request
    def cut_before_the_transaction_ends(error):
        from surveys.extensions import db as database

        if database.session().in_transaction() and not kills:
            kills.append(1)
            kill_backend_of(database.session.connection(), on_postgresql)

    response = client.get("/fr/trainings")
    assert response.status_code == 200
    assert kills
    assert "Droit des étrangers" in response.get_data(as_text=True)


def test_healthz_gives_the_outbox_backlog(app, client):
    slug = make_training(app)
    assert sign_up(client, slug).status_code == 303
    report = client.get("/healthz").get_json()
    assert report["status"] == "ok"
    assert report["outbox"] == {"pending": 1, "failed": 0}


def test_a_page_that_needs_a_database_that_refuses_is_a_translated_503(on_postgresql):
    down = make_app(REFUSING_URL)
    response = down.test_client().get("/uk/trainings")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    html = response.get_data(as_text=True)
    assert translated(down, "uk", "This page is not available just now") in html


CHANGES_NOT_SAVED = (
    "We could not save your changes just now. They are still here: please save again in a minute."
)
LONG_DESCRIPTION = "Deux journées sur le droit des étrangers, avec des cas pratiques. " * 60
TRAINING_FORM = {
    "title_fr": "Atelier interculturel",
    "title_uk": "Міжкультурний воркшоп",
    "description_fr": LONG_DESCRIPTION,
    "trainer": "Équipe formation",
    "capacity": "20",
    "reminder_days": "2",
    "sessions": "2030-03-01 09:00-16:00 Andenne\n2030-03-08 09:00-16:00 Andenne",
}


def failing_app(database_url):
    """The same database, now refusing writes: full (SQLite) or read-only (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        return full_sqlite_app(database_url)
    return read_only_app(database_url)


@pytest.mark.parametrize("page", ["new", "edit"])
def test_a_training_form_the_database_cannot_store_comes_back_with_everything_typed(
    app, database_url, staff_client, page
):
    from surveys.models import AuditEvent, Training

    slug = make_training(app, slug="atelier")
    url = "/staff/trainings/new" if page == "new" else f"/staff/trainings/{slug}/edit"
    form = {**TRAINING_FORM, "slug": "atelier-andenne" if page == "new" else slug}
    events = count(app, AuditEvent)
    failing = failing_app(database_url).test_client()
    move_session(staff_client, failing)

    page_html = failing.get(url).get_data(as_text=True)
    response = failing.post(url, data={**hidden_fields(page_html), **form})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert translated(app, "fr", CHANGES_NOT_SAVED) in html
    assert LONG_DESCRIPTION.strip() in html.replace("&#39;", "'")
    assert "Міжкультурний воркшоп" in html and "2030-03-08 09:00-16:00 Andenne" in html
    assert count(app, Training) == 1 and count(app, AuditEvent) == events  # nothing half-saved

    # The database takes writes again: the page sent again is saved, once, with its audit.
    roomy = make_app(database_url).test_client()
    move_session(failing, roomy)
    assert roomy.post(url, data={**hidden_fields(html), **form}).status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Training).filter_by(slug=form["slug"]))
        assert saved.description["fr"] == LONG_DESCRIPTION.strip()
        assert [s.place for s in saved.sessions] == ["Andenne", "Andenne"]
    assert count(app, AuditEvent) == events + 1


def test_a_message_to_registrants_the_database_cannot_store_comes_back_with_its_texts(
    app, database_url, staff_client
):
    from surveys.models import OutboxMessage

    slug = make_training(app, slug="atelier")
    assert sign_up(app.test_client(), slug, lang="uk").status_code == 303
    url = f"/staff/trainings/{slug}/message"
    texts = {
        "audience": "confirmed",
        **{f"subject_{lang}": f"Changement de salle ({lang})" for lang in ("fr", "en", "uk")},
        # Longer than a page of the file: it cannot fit in what is left inside.
        **{f"body_{lang}": LONG_DESCRIPTION.strip()[:4900] for lang in ("fr", "en", "uk")},
    }
    failing = failing_app(database_url).test_client()
    move_session(staff_client, failing)
    page_html = failing.get(url).get_data(as_text=True)
    response = failing.post(url, data={**hidden_fields(page_html), **texts, "send": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert translated(app, "fr", CHANGES_NOT_SAVED) in html
    assert "Changement de salle (uk)" in html
    assert LONG_DESCRIPTION.strip()[:4900] in html.replace("&#39;", "'")
    assert count(app, OutboxMessage) == 1  # the confirmation only: nothing half-sent


def test_a_connection_cut_right_after_a_message_is_claimed_leaves_nothing_sending(
    app, client, on_postgresql
):
    """The claim and the reading of the message are one unit of work: the server ending the
    connection between them rolls the claim back, the claim runs again, and the message is
    sent once (it was left "sending", unsent, for OUTBOX_STUCK_SECONDS)."""
    from surveys.models import OutboxMessage
    from surveys.services import outbox

    slug = make_training(app)
    assert sign_up(client, slug).status_code == 303
    claims, cuts = [], []
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def cut_after_the_claim(connection, cursor, statement, parameters, context, many):
            if statement.startswith("UPDATE outbox") and "attempts" in statement:
                claims.append(statement)
            elif claims and not cuts and statement.startswith("SELECT outbox"):
                cuts.append(statement)  # reading the claimed message
                kill_backend_of(connection, on_postgresql)

        report = outbox.deliver_due()
        statuses = [m.status for m in db.session.scalars(select(OutboxMessage))]
    assert cuts and report.sent and statuses == ["sent"]


def draft_of(app, code: str) -> dict:
    from surveys.models import Form

    with app.app_context():
        return form_service.working_document(db.session.scalar(select(Form).filter_by(code=code)))


def test_form_editor_texts_the_database_cannot_store_come_back_typed(
    app, database_url, staff_client
):
    from .test_form_editor import add_question, new_form, texts

    edit_url, code = new_form(staff_client, "Avis", "Feedback", "Відгук")
    add_question(staff_client, code, "text", "Votre avis", "Your opinion", "Ваша думка")
    question = draft_of(app, code)["questions"][0]
    labels = {lang: f"{LONG_DESCRIPTION.strip()[:3000]} ({lang})" for lang in ("fr", "en", "uk")}
    failing = failing_app(database_url).test_client()
    move_session(staff_client, failing)

    # A question added to the form, and a question's own page.
    added = press(
        failing,
        edit_url,
        ("action", "add"),
        new_type="text",
        **texts("new_label", *labels.values()),
    )
    edited = press(
        failing,
        f"/staff/editor/{code}/questions/{question['code']}",
        **texts("label", *labels.values()),
    )
    for response in (added, edited):
        html = response.get_data(as_text=True).replace("&#39;", "'")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "60"
        assert translated(app, "fr", CHANGES_NOT_SAVED) in html
        assert all(label in html for label in labels.values())
    assert [q["label"]["fr"] for q in draft_of(app, code)["questions"]] == ["Votre avis"]


def test_an_account_the_database_cannot_store_comes_back_typed(app, on_postgresql, staff_client):
    from surveys.models import StaffUser

    failing = read_only_app(on_postgresql).test_client()
    move_session(staff_client, failing)
    response = press(
        failing, "/staff/accounts", email="nouvelle.collegue@example.be", role="reader", locale="uk"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert translated(app, "fr", CHANGES_NOT_SAVED) in html
    assert 'value="nouvelle.collegue@example.be"' in html
    ticked = [tag for tag in re.findall(r"<input[^>]*>", html) if " checked" in tag]
    assert any('value="reader"' in tag for tag in ticked)
    assert any('value="uk"' in tag for tag in ticked)
    assert count(app, StaffUser) == 1  # the administrator alone
    # The database away entirely (not even the session can be read): the address comes back
    # on the error page, to copy.
    page = staff_client.get("/staff/accounts").get_data(as_text=True)
    down = make_app(REFUSING_URL).test_client()
    move_session(staff_client, down)
    response = down.post(
        "/staff/accounts", data={**hidden_fields(page), "email": "nouvelle.collegue@example.be"}
    )
    assert response.status_code == 503
    assert "nouvelle.collegue@example.be" in response.get_data(as_text=True)


def test_a_staff_form_sent_while_the_database_refuses_connections_shows_what_was_typed(
    app, staff_client
):
    # The staff member's session cannot even be read: the training page never runs, and the
    # error page gives back every text typed, to copy, and no token or password.
    url = "/staff/trainings/new"
    page = staff_client.get(url).get_data(as_text=True)
    down = make_app(REFUSING_URL).test_client()
    move_session(staff_client, down)
    sent = {**hidden_fields(page), **TRAINING_FORM, "slug": "atelier-andenne"}
    response = down.post(url, data=sent)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "no-store" in response.headers["Cache-Control"]
    assert translated(app, "fr", "This page is not available just now") in html
    assert translated(app, "fr", "What you typed") in html
    for typed in ("Міжкультурний воркшоп", LONG_DESCRIPTION.strip(), "Équipe formation"):
        assert typed in html
    assert "2030-03-01 09:00-16:00 Andenne\n2030-03-08 09:00-16:00 Andenne" in html
    assert hidden_fields(page)["csrf_token"] not in html
    assert ">atelier-andenne<" not in html  # an address chosen, quick to type again
    # The same form sent from another site (a forged post): nothing is echoed as typed.
    forged = down.post(url, data=sent, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 503
    assert "Міжкультурний воркшоп" not in forged.get_data(as_text=True)
    # A public page, with the staff member's session cookie, is the same translated 503.
    response = down.get("/uk/trainings")
    assert response.status_code == 503
    assert translated(app, "uk", "This page is not available just now") in response.get_data(
        as_text=True
    )
    # And the survey, answered in the same browser, comes back with every answer.
    page = staff_client.get("/fr/survey").get_data(as_text=True)
    move_session(staff_client, down)
    response = down.post("/fr/survey", data={**hidden_fields(page), **SURVEY_ANSWERS})
    assert response.status_code == 503
    assert_kept(response.get_data(as_text=True), SURVEY_ANSWERS)
