"""Training pages and sign-ups (seats and waiting lists are the trainings issue)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Registration, Training

from .support import (
    LANGUAGES,
    SIGNUP_ANSWERS,
    error_summary,
    hidden_fields,
    make_training,
    outbox_messages,
    submit,
    translated,
    written_date,
)


def registrations(app):
    with app.app_context():
        return db.session.scalars(select(Registration)).all()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_list_shows_upcoming_trainings_with_dates_in_the_visitors_language(app, client, lang):
    make_training(app, days_ahead=10)
    make_training(app, slug="passee", days_ahead=-30, sessions=1)
    make_training(app, slug="brouillon", is_published=False)

    html = client.get(f"/{lang}/trainings").get_data(as_text=True)

    first = date.today() + timedelta(days=10)
    assert written_date(app, lang, first) in html
    assert "/trainings/droit-des-etrangers" in html
    assert "passee" not in html
    assert "brouillon" not in html


def test_missing_translation_falls_back_to_french_marked_as_french(app, client):
    make_training(app, title={"fr": "Atelier interculturel"})
    html = client.get("/uk/trainings/droit-des-etrangers").get_data(as_text=True)
    assert '<h1 lang="fr">Atelier interculturel</h1>' in html
    assert '<div class="rich" lang="fr"><p>Quatre vendredis' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_up_is_stored_with_codes_and_normalised_contact(app, client, lang):
    make_training(app)
    answers = {**SIGNUP_ANSWERS, "email": "  Olena@Example.BE "}
    response = submit(client, f"/{lang}/trainings/droit-des-etrangers", answers)

    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/{lang}/trainings/droit-des-etrangers/thanks?result=confirmed"
    )
    [registration] = registrations(app)
    assert registration.email == "olena@example.be"
    assert registration.phone == "+380671234567"
    assert registration.locale == lang
    assert registration.answers["organisation_kind"] == "ili"
    assert registration.answers["commune"] == "gembloux"
    assert registration.answers["needs_consent"] is True

    # The confirmation repeats when and where, in the visitor's language.
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        training = db.session.scalar(select(Training))
        first = training.sessions[0]
        assert len(training.sessions) > 1
    assert written_date(app, lang, first.date) in thanks
    assert first.place in thanks


def test_same_email_twice_keeps_one_registration_and_says_so(app, client):
    make_training(app)
    submit(client, "/fr/trainings/droit-des-etrangers", SIGNUP_ANSWERS)
    again = {**SIGNUP_ANSWERS, "email": " OLENA@example.be"}
    response = submit(client, "/fr/trainings/droit-des-etrangers", again, follow_redirects=True)

    assert len(registrations(app)) == 1
    assert translated(app, "fr", "You are already registered") in response.get_data(as_text=True)


def test_every_date_pledge_is_asked_only_when_the_training_requires_it(app, client):
    make_training(app, slug="atelier", every_date_required=True)
    make_training(app, slug="libre")
    assert 'name="attend_all"' not in client.get("/fr/trainings/libre").get_data(as_text=True)

    response = submit(client, "/fr/trainings/atelier", SIGNUP_ANSWERS)
    assert error_summary(response.get_data(as_text=True)) == ["q-attend_all"]
    response = submit(client, "/fr/trainings/atelier", {**SIGNUP_ANSWERS, "attend_all": "y"})
    assert response.status_code == 303
    assert registrations(app)[0].answers["attend_all"] is True


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pledge_stands_under_the_sessions_and_belongs_to_the_form(app, client, lang):
    """Where people read that the training must be followed in full: under its sessions,
    before the sign-up form, not at its end beside the consent; still sent with the form."""
    make_training(app, slug="atelier", every_date_required=True)
    html = client.get(f"/{lang}/trainings/atelier").get_data(as_text=True)
    sessions = html.index('<ul class="dates">')
    notice = html.index(
        translated(
            app,
            lang,
            "This training must be followed in full: sign up only if you can attend every session.",
        )
    )
    pledge = html.index('id="q-attend_all"')
    form = html.index('<form id="answers"')
    assert sessions < notice < pledge < html.index('id="sign-up"') < form
    assert 'name="attend_all" value="y" form="answers"' in html
    assert html.count('name="attend_all"') == 1


def test_organisation_name_is_required_unless_the_person_has_none(app, client):
    make_training(app)
    response = submit(
        client, "/en/trainings/droit-des-etrangers", {**SIGNUP_ANSWERS, "organisation": ""}
    )
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-organisation"]
    # Above the training's title and description, not down by the form.
    main = html[html.index("<main") :]
    assert main.index('id="error-summary"') < main.index("<h1")

    response = submit(
        client,
        "/en/trainings/droit-des-etrangers",
        {**SIGNUP_ANSWERS, "organisation_kind": "none", "organisation": ""},
    )
    assert response.status_code == 303


def test_signing_up_is_a_request_to_take_part_not_a_consent(app, client):
    """The sign-up's legal basis is the person's request (GDPR Art. 6(1)(b)): no box asks to
    agree to it, the page says what signing up means."""
    make_training(app)
    page = client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)
    assert 'name="consent"' not in page
    assert (
        translated(
            app,
            "fr",
            "By signing up, you ask to take part in this training: we use what you give here "
            "only to organise it and to write to you about it.",
        )
        in page
    )
    answers = {**SIGNUP_ANSWERS, "accessibility_needs": "", "dietary_needs": ""}
    del answers["needs_consent"]
    response = submit(client, "/fr/trainings/droit-des-etrangers", answers)
    assert response.status_code == 303


def test_a_need_is_told_only_with_its_own_unticked_consent(app, client):
    """An accessibility or dietary need can reveal health or belief (GDPR Art. 9): it comes
    with an explicit consent of its own, never ticked in advance, asked once a need is
    written; without it the form comes back with the need kept."""
    make_training(app)
    page = client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)
    assert 'name="needs_consent" value="y">' in page or 'name="needs_consent" value="y" ' in page
    assert 'name="needs_consent" value="y" checked' not in page
    assert 'data-when-any="accessibility_needs dietary_needs"' in page
    response = submit(
        client, "/fr/trainings/droit-des-etrangers", {**SIGNUP_ANSWERS, "needs_consent": ""}
    )
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-needs_consent"]
    assert "Végétarienne" in html
    assert registrations(app) == []


@pytest.mark.parametrize(
    "training",
    [
        {"is_open": False},
        {"deadline": date.today() - timedelta(days=1)},
        {"days_ahead": -14, "sessions": 1},
    ],
    ids=["closed", "deadline-passed", "dates-passed"],
)
def test_no_form_and_forged_posts_refused_when_registrations_are_closed(app, client, training):
    make_training(app, **training)
    page = client.get("/fr/trainings/droit-des-etrangers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<form" not in html
    assert translated(app, "fr", "Registrations for this training are closed.") in html

    response = client.post("/fr/trainings/droit-des-etrangers", data=SIGNUP_ANSWERS)
    assert response.status_code == 409
    assert registrations(app) == []


def test_unpublished_training_does_not_exist_for_the_public(app, client):
    make_training(app, is_published=False)
    assert client.get("/fr/trainings/droit-des-etrangers").status_code == 404
    assert client.post("/fr/trainings/droit-des-etrangers", data=SIGNUP_ANSWERS).status_code == 404
    assert registrations(app) == []


def test_invalid_phone_and_email_get_clear_messages(app, client):
    make_training(app)
    response = submit(
        client,
        "/uk/trainings/droit-des-etrangers",
        {**SIGNUP_ANSWERS, "email": "olena@", "phone": "12"},
    )
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-email", "q-phone"]
    assert 'value="olena@"' in html and 'value="12"' in html


ENCODED_NAME = "=?utf-8?q?Evil=0D=0ABcc=3A_v=40example.org?="


@pytest.mark.parametrize("lang", LANGUAGES)
def test_encoded_word_in_a_name_is_refused_and_the_answers_kept(app, client, lang):
    make_training(app)
    answers = {**SIGNUP_ANSWERS, "first_name": ENCODED_NAME}
    response = submit(client, f"/{lang}/trainings/droit-des-etrangers", answers)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-first_name"]
    message = "Please type this without “=?” or “?=”: these characters cannot be used in an e-mail."
    assert translated(app, lang, message) in html
    assert f'value="{ENCODED_NAME}"' in html
    assert 'value="Kovalenko"' in html and 'value="olena@example.be"' in html
    assert registrations(app) == []
    assert outbox_messages(app) == []


@pytest.mark.parametrize("character", ["\r", "\n", "\x85", "\u2028", "\u2029", "\x0b"])
def test_line_breaking_characters_in_a_name_are_refused(app, client, character):
    make_training(app)
    answers = {**SIGNUP_ANSWERS, "last_name": f"Kovalenko{character}Bcc: v@example.org"}
    response = submit(client, "/en/trainings/droit-des-etrangers", answers)

    assert response.status_code == 422
    assert error_summary(response.get_data(as_text=True)) == ["q-last_name"]
    assert registrations(app) == []


def test_a_double_tap_on_sign_up_is_one_registration_not_already_registered(app, client):
    make_training(app)
    url = "/fr/trainings/droit-des-etrangers"
    data = {**hidden_fields(client.get(url).get_data(as_text=True)), **SIGNUP_ANSWERS}
    first = client.post(url, data=data)
    second = client.post(url, data=data)

    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"] == f"{url}/thanks?result=confirmed"
    assert len(registrations(app)) == 1


def test_training_page_shows_changes_at_once_despite_caching(app, client):
    from surveys.services import training_admin

    make_training(app, capacity=5)
    assert "Droit des étrangers" in client.get("/fr/trainings/droit-des-etrangers").get_data(
        as_text=True
    )
    with app.app_context():
        training_admin.update_training(
            "droit-des-etrangers", texts={"title": {"fr": "Nouveau titre"}}
        )
        training_admin.add_session(
            "droit-des-etrangers", training_admin.parse_session_line("2031-05-02 10:00-12:00 Ciney")
        )
    html = client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)
    assert "Nouveau titre" in html and "Ciney" in html
    with app.app_context():
        training_admin.update_training("droit-des-etrangers", is_open=False)
    assert "<form" not in client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)


def test_training_page_shows_each_change_of_dates_and_seats_at_once(app, client):
    from surveys.services import training_admin

    url = "/fr/trainings/droit-des-etrangers"
    make_training(app, capacity=2)
    client.get(url)  # cached from here on
    with app.app_context():
        training_admin.add_session(
            "droit-des-etrangers",
            training_admin.parse_session_line("2031-05-02 10:00-12:00 Maison Alpha"),
        )
    assert "Maison Alpha" in client.get(url).get_data(as_text=True)
    with app.app_context():
        specs = [
            training_admin.parse_session_line(line)
            for line in ("2031-05-02 10:00-12:00 Maison Beta",)
        ]
        training_admin.replace_sessions("droit-des-etrangers", specs)
    html = client.get(url).get_data(as_text=True)
    assert "Maison Beta" in html and "Maison Alpha" not in html
    with app.app_context():
        gamma = training_admin.parse_session_line("2031-06-02 10:00-12:00 Maison Gamma")
        training_admin.add_session("droit-des-etrangers", gamma)
        training_admin.remove_session("droit-des-etrangers", date(2031, 5, 2))
    html = client.get(url).get_data(as_text=True)
    assert "Maison Gamma" in html and "Maison Beta" not in html

    other = app.test_client()
    data = {**hidden_fields(other.get(url).get_data(as_text=True)), **SIGNUP_ANSWERS}
    assert other.post(url, data={**data, "email": "a@example.be"}).status_code == 303
    data = {**hidden_fields(other.get(url).get_data(as_text=True)), **SIGNUP_ANSWERS}
    assert other.post(url, data={**data, "email": "b@example.be"}).status_code == 303
    full = client.get(url).get_data(as_text=True)
    assert translated(app, "fr", "Join the waiting list") in full


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_confirmation_names_the_address_used_and_what_happens_next(app, client, lang):
    make_training(app)
    url = f"/{lang}/trainings/droit-des-etrangers"
    response = submit(client, url, SIGNUP_ANSWERS, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "<strong>olena@example.be</strong>" in html
    assert translated(app, lang, "What happens next") in html
    assert ".ics" in html
    assert (
        translated(
            app,
            lang,
            "If you can no longer come, use the link in the e-mail to cancel, so that someone "
            "else can have your seat.",
        )
        in html
    )
    assert html.count('<ul class="dates">') == 1  # the sessions, repeated
    # The address is shown once, to the person who just typed it: not in the page's URL,
    # not on the same page opened again.
    assert "olena" not in response.request.url
    again = client.get(response.request.url).get_data(as_text=True)
    assert "olena@example.be" not in again
    assert translated(app, lang, "Registration confirmed") in again
