"""No overbooking, ever: fifty people sending the sign-up form at the same moment for the
last five seats, through a real HTTP server, on each database."""

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from sqlalchemy import select
from werkzeug.serving import make_server

from surveys.extensions import db
from surveys.models import Registration, Training
from surveys.services.forms import current_version_id

from .support import SIGNUP_ANSWERS, hidden_fields, make_training, registrations_by_email

PEOPLE = 50
SEATS = 8
ALREADY_CONFIRMED = 3  # so fifty people compete for the last five seats


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def person(base_url, index, barrier, results):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"{base_url}/fr/trainings/atelier"
    page = opener.open(url, timeout=30).read().decode()
    data = {**hidden_fields(page), **SIGNUP_ANSWERS, "email": f"person{index}@example.be"}
    body = urllib.parse.urlencode(data).encode()
    barrier.wait(timeout=60)
    try:
        response = opener.open(url, data=body, timeout=60)
        results[index] = (response.status, response.headers.get("Location"))
    except urllib.error.HTTPError as error:  # 303 (not followed) or an error page
        results[index] = (error.code, error.headers.get("Location"))


def test_fifty_simultaneous_sign_ups_for_the_last_five_seats(app, capsys):
    slug = make_training(app, slug="atelier", capacity=SEATS)
    with app.app_context():
        training = db.session.scalar(select(Training).filter_by(slug=slug))
        for i in range(ALREADY_CONFIRMED):
            db.session.add(
                Registration(
                    training_id=training.id,
                    email=f"early{i}@example.be",
                    status="confirmed",
                    locale="fr",
                    form_version=1,
                    version_id=current_version_id("training_signup"),
                    answers={},
                )
            )
        db.session.commit()

    results: dict[int, tuple] = {}
    barrier = threading.Barrier(PEOPLE)
    with served(app) as base_url:
        threads = [
            threading.Thread(target=person, args=(base_url, i, barrier, results))
            for i in range(PEOPLE)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        duration = time.monotonic() - started

    statuses = [status for status, _ in results.values()]
    assert len(results) == PEOPLE
    assert statuses == [303] * PEOPLE, statuses  # no error page for anyone
    people = {e: r for e, r in registrations_by_email(app).items() if e.startswith("person")}
    confirmed = [r for r in people.values() if r.status == "confirmed"]
    waitlisted = [r for r in people.values() if r.status == "waitlisted"]
    assert len(confirmed) == SEATS - ALREADY_CONFIRMED
    assert len(waitlisted) == PEOPLE - (SEATS - ALREADY_CONFIRMED)

    # Arrival order: every confirmed sign-up was decided before every waitlisted one, and each
    # person was told the place they hold.
    assert max(r.confirmed_at for r in confirmed) <= min(r.waitlisted_at for r in waitlisted)
    places = sorted(
        int(urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["place"][0])
        for status, location in results.values()
        if "waitlisted" in location
    )
    assert places == list(range(1, len(waitlisted) + 1))

    with capsys.disabled():
        print(
            f"\n[{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}] {PEOPLE} requests, "
            f"{len(confirmed)} confirmed, {len(waitlisted)} waitlisted, "
            f"{sum(s != 303 for s in statuses)} errors, {duration:.2f} s"
        )
