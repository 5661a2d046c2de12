"""Seats, the waiting list, repeated sign-ups, cancellation and promotion."""

from datetime import date, timedelta

import pytest

from surveys.extensions import db
from surveys.models import Registration
from surveys.services import tokens

from .support import (
    LANGUAGES,
    cancel_link,
    hidden_fields,
    make_training,
    outbox_messages,
    registrations_by_email,
    sign_up,
    translated,
    written_date,
)


def fill(app, client, slug, count, start=0):
    for i in range(start, start + count):
        assert sign_up(client, slug, email=f"p{i}@example.be").status_code == 303


def test_confirmed_while_seats_are_left_then_waitlisted_in_arrival_order(app, client):
    make_training(app, capacity=2)
    responses = [sign_up(client, "droit-des-etrangers", email=f"p{i}@example.be") for i in range(4)]

    locations = [r.headers["Location"] for r in responses]
    assert locations[0].endswith("result=confirmed")
    assert locations[1].endswith("result=confirmed")
    assert locations[2].endswith("result=waitlisted&place=1")
    assert locations[3].endswith("result=waitlisted&place=2")
    statuses = {e: r.status for e, r in registrations_by_email(app).items()}
    assert statuses == {
        "p0@example.be": "confirmed",
        "p1@example.be": "confirmed",
        "p2@example.be": "waitlisted",
        "p3@example.be": "waitlisted",
    }
    kinds = [m.kind for m in outbox_messages(app)]
    assert kinds == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_training_page_says_how_many_seats_are_left_before_submitting(app, client, lang):
    make_training(app, capacity=3)
    fill(app, client, "droit-des-etrangers", 1)
    html = client.get(f"/{lang}/trainings/droit-des-etrangers").get_data(as_text=True)
    with app.test_request_context(f"/{lang}/"):
        from flask_babel import ngettext

        expected = ngettext("%(num)d seat left", "%(num)d seats left", 2)
    assert expected in html


def test_full_training_offers_the_waiting_list(app, client):
    make_training(app, capacity=1)
    fill(app, client, "droit-des-etrangers", 1)

    page = client.get("/uk/trainings/droit-des-etrangers").get_data(as_text=True)
    assert translated(app, "uk", "Join the waiting list") in page
    listing = client.get("/uk/trainings").get_data(as_text=True)
    assert translated(app, "uk", "Full — waiting list") in listing

    thanks = sign_up(
        client, "droit-des-etrangers", lang="uk", email="late@example.be", follow_redirects=True
    )
    html = thanks.get_data(as_text=True)
    assert translated(app, "uk", "You are on the waiting list") in html
    assert registrations_by_email(app)["late@example.be"].status == "waitlisted"


def test_unlimited_training_never_waitlists(app, client):
    make_training(app, capacity=None)
    fill(app, client, "droit-des-etrangers", 5)
    assert {r.status for r in registrations_by_email(app).values()} == {"confirmed"}


def test_list_shows_seats_and_deadline(app, client):
    deadline = date.today() + timedelta(days=5)
    make_training(app, capacity=10, deadline=deadline)
    html = client.get("/en/trainings").get_data(as_text=True)
    assert "10 seats left" in html

    assert written_date(app, "en", deadline, "long") in html
    # A clear way in, to the sign-up form of the training's page.
    assert '<a class="go" href="/en/trainings/droit-des-etrangers#sign-up">Sign up<' in html


def test_list_offers_the_waiting_list_for_a_full_training_and_nothing_once_closed(app, client):
    make_training(app, capacity=1)
    sign_up(client, "droit-des-etrangers", email="first@example.be")
    html = app.test_client().get("/fr/trainings").get_data(as_text=True)
    assert translated(app, "fr", "Full — waiting list") in html
    link = '<a class="go" href="/fr/trainings/droit-des-etrangers#sign-up">'
    assert link + translated(app, "fr", "Join the waiting list") + "<" in html

    app.test_cli_runner().invoke(args=["trainings", "close", "droit-des-etrangers"])
    html = app.test_client().get("/fr/trainings").get_data(as_text=True)
    assert translated(app, "fr", "Registrations are closed.") in html
    assert 'class="go"' not in html


def test_same_email_again_is_told_and_gets_the_confirmation_again(app, client):
    make_training(app)
    sign_up(client, "droit-des-etrangers", email="olena@example.be")
    with app.app_context():  # the resend interval has passed
        registration = db.session.scalar(db.select(Registration))
        registration.notified_at -= timedelta(hours=1)
        db.session.commit()

    response = sign_up(client, "droit-des-etrangers", email="  OLENA@Example.be ")
    assert response.headers["Location"].endswith("result=confirmed&again=1")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert translated(app, "fr", "You are already registered") in page
    assert translated(app, "fr", "Your seat is booked.") in page
    assert "<strong>olena@example.be</strong>" in page
    assert len(registrations_by_email(app)) == 1
    assert [m.kind for m in outbox_messages(app)] == ["confirmed", "confirmed"]

    # Within the resend interval, no third e-mail: nobody can flood an inbox.
    sign_up(client, "droit-des-etrangers", email="olena@example.be")
    assert len(outbox_messages(app)) == 2


def test_cancel_link_shows_then_cancels_and_promotes_the_first_waitlisted(app, client):
    make_training(app, capacity=1)
    fill(app, client, "droit-des-etrangers", 3)
    link = cancel_link(outbox_messages(app, "confirmed")[0].source)

    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Droit des étrangers" in html
    assert translated(app, "fr", "Cancel my registration") in html
    assert registrations_by_email(app)["p0@example.be"].status == "confirmed"  # GET changes nothing

    response = client.post(link, data=hidden_fields(html))
    assert response.status_code == 303
    statuses = {e: r.status for e, r in registrations_by_email(app).items()}
    assert statuses == {
        "p0@example.be": "cancelled",
        "p1@example.be": "confirmed",
        "p2@example.be": "waitlisted",
    }
    promoted = outbox_messages(app, "promoted")
    assert [m.recipient for m in promoted] == ["p1@example.be"]
    assert [m.recipient for m in outbox_messages(app, "cancelled")] == ["p0@example.be"]
    after = client.get(link).get_data(as_text=True)
    assert translated(app, "fr", "This registration is cancelled.") in after

    # A second POST (double tap, resent form) changes nothing.
    assert client.post(link, data=hidden_fields(html)).status_code == 303
    assert registrations_by_email(app)["p1@example.be"].status == "confirmed"
    assert len(outbox_messages(app, "promoted")) == 1


def test_a_waitlisted_person_can_leave_the_list(app, client):
    make_training(app, capacity=1)
    fill(app, client, "droit-des-etrangers", 3)
    link = cancel_link(outbox_messages(app, "waitlisted")[0].source)
    html = client.get(link).get_data(as_text=True)
    assert translated(app, "fr", "Leave the waiting list") in html
    assert translated(app, "fr", "You are number %(place)d on the waiting list.", place=1) in html

    client.post(link, data=hidden_fields(html))
    statuses = {e: r.status for e, r in registrations_by_email(app).items()}
    assert statuses["p1@example.be"] == "cancelled"
    assert statuses["p0@example.be"] == "confirmed"
    assert outbox_messages(app, "promoted") == []
    # p2 moved up to first place.
    with app.app_context():
        from surveys.services.notifications import waitlist_place

        p2 = db.session.scalar(db.select(Registration).filter_by(email="p2@example.be"))
        assert waitlist_place(p2) == 1


def test_only_a_hash_of_the_cancel_secret_is_stored(app, client):
    make_training(app)
    sign_up(client, "droit-des-etrangers")
    link = cancel_link(outbox_messages(app)[0].source)
    token = link.rsplit("/", 1)[1]
    registration = registrations_by_email(app)["olena@example.be"]
    assert registration.cancel_token_hash == tokens.token_hash(token)
    assert token not in repr(registration.__dict__)


def test_a_newer_email_replaces_the_link_of_the_older_one(app, client):
    make_training(app)
    sign_up(client, "droit-des-etrangers")
    old = cancel_link(outbox_messages(app)[0].source)
    with app.app_context():
        registration = db.session.scalar(db.select(Registration))
        registration.notified_at -= timedelta(hours=1)
        db.session.commit()
    sign_up(client, "droit-des-etrangers", email="olena@example.be", submission_key="x" * 20)
    new = cancel_link(outbox_messages(app)[1].source)

    assert client.get(new).status_code == 200
    response = client.get(old)
    assert response.status_code == 404
    assert translated(app, "fr", "This link is not valid") in response.get_data(as_text=True)


def test_unknown_cancel_link_is_a_friendly_404(app, client):
    response = client.get("/uk/trainings/cancel/" + "A" * 43)
    assert response.status_code == 404
    assert translated(app, "uk", "This link is not valid") in response.get_data(as_text=True)


def test_signing_up_again_after_cancelling_rejoins_at_the_end(app, client):
    make_training(app, capacity=1)
    fill(app, client, "droit-des-etrangers", 2)
    link = cancel_link(outbox_messages(app, "waitlisted")[0].source)
    client.post(link, data=hidden_fields(client.get(link).get_data(as_text=True)))
    fill(app, client, "droit-des-etrangers", 1, start=2)

    response = sign_up(
        client, "droit-des-etrangers", email="p1@example.be", submission_key="y" * 20
    )
    assert response.headers["Location"].endswith("result=waitlisted&place=2")
    assert registrations_by_email(app)["p1@example.be"].status == "waitlisted"


def test_tampered_fields_cannot_choose_status_or_training(app, client):
    make_training(app, capacity=1)
    make_training(app, slug="autre", capacity=10)
    fill(app, client, "droit-des-etrangers", 1)
    response = sign_up(
        client,
        "droit-des-etrangers",
        email="forger@example.be",
        status="confirmed",
        training_id="2",
        capacity="99",
    )
    assert response.headers["Location"].endswith("result=waitlisted&place=1")
    forger = registrations_by_email(app)["forger@example.be"]
    assert forger.status == "waitlisted"
    assert "status" not in forger.answers and "training_id" not in forger.answers
