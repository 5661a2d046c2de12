"""Helpers for tests: an app on a given database, and filling forms as a browser would."""

import functools
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time as clock
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import date, time, timedelta
from html import unescape
from html.parser import HTMLParser

from surveys import create_app
from surveys.config import ROOT
from surveys.extensions import db
from surveys.models import Training, TrainingSession

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
LANGUAGES = ("fr", "en", "uk")
# Every public page, for a training with the slug "atelier".
PUBLIC_PAGES = (
    "/",
    "/survey",
    "/trainings",
    "/trainings/atelier",
    "/ili",
    "/privacy",
    "/accessibility",
    "/survey/thanks",
    "/ili/thanks",
    "/trainings/atelier/thanks",
)
BUDGET = 14 * 1024  # bytes: what arrives in the first round trip of a new connection


def make_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MIN_FILL_SECONDS": 0,
        # Tests deliver the outbox explicitly, to a folder unless they start an SMTP server.
        "OUTBOX_AFTER_COMMIT": "write",
        "MAIL_BACKEND": "folder",
        "MAIL_FOLDER": tempfile.mkdtemp(prefix="surveys-mail-"),
        # Every test client shares 127.0.0.1: limits are tested on their own (test_rate_limits).
        "PUBLIC_POST_LIMIT": "10000 per minute",
        "STAFF_LOGIN_LIMIT": "10000 per minute",
        # Every write a request makes to SQLite takes the write lock first, or the test fails.
        "SQLITE_WRITE_LOCK_CHECK": "raise",
        **overrides,
    }
    return create_app(config)


HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def hidden_fields(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in HIDDEN.findall(html)}


def submit(client, url: str, answers: dict, *, headers=None, **kwargs):
    """GET the form like a browser, then POST the answers with the page's hidden fields."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {**hidden_fields(page.get_data(as_text=True)), **answers}
    return client.post(url, data=data, headers=headers, **kwargs)


def error_summary(html: str) -> list[str]:
    """The targets of the links in the error summary, in order."""
    match = re.search(r'<div class="summary".*?</div>', html, re.S)
    return re.findall(r'href="#([^"]+)"', match.group(0)) if match else []


def make_training(
    app,
    *,
    slug="droit-des-etrangers",
    days_ahead=30,
    every_date_required=False,
    is_open=True,
    is_published=True,
    deadline=None,
    capacity=20,
    sessions=2,
    title=None,
    texts_of_the_demo=False,
):
    """A training; ``texts_of_the_demo``: with the demo legal-rights training's description,
    programme, objectives, trainer and a line of programme under each session (the longest
    page a training has)."""
    first = date.today() + timedelta(days=days_ahead)
    demo = demo_texts() if texts_of_the_demo else {}
    topics = demo.pop("topics", [])
    with app.app_context():
        training = Training(
            slug=slug,
            title=title
            or {"fr": "Droit des étrangers", "en": "Foreigners' law", "uk": "Право іноземців"},
            description={"fr": "Quatre vendredis pour comprendre le droit des étrangers."},
            audience={"fr": "Travailleurs sociaux"},
            trainer="Service juridique",
            capacity=capacity,
            registration_deadline=deadline,
            every_date_required=every_date_required,
            is_open=is_open,
            is_published=is_published,
            sessions=[
                TrainingSession(
                    date=first + timedelta(weeks=i),
                    start_time=time(9, 30),
                    end_time=time(16, 30),
                    place="Namur",
                    topic=topics[i % len(topics)] if topics else {},
                )
                for i in range(sessions)
            ],
        )
        for name, value in demo.items():
            setattr(training, name, value)
        db.session.add(training)
        db.session.commit()
        return training.slug


def demo_texts() -> dict:
    from surveys.cli.demo import demo_trainings

    legal_rights = demo_trainings(date.today())[0]
    texts = ("description", "programme", "objectives", "audience")
    return {
        **{name: getattr(legal_rights, name) for name in texts},
        "trainer": legal_rights.trainer,
        "trainer_organisation": legal_rights.trainer_organisation,
        "topics": [session.topic for session in legal_rights.sessions],
    }


SURVEY_ANSWERS = {
    "topics": ["french_courses", "housing", "other"],
    "topics_other": "Permis de conduire",
    "channels": ["whatsapp", "telegram", "email"],
    "preferred_channel": "telegram",
    "frequency": "weekly",
    "languages": ["uk", "ru", "en"],
    "commune": "namur",
    "time_in_belgium": "1_to_2_years",
    "age_range": "36_50",
    "smartphone": "own",
    "internet_access": ["home", "mobile_data"],
    "contact_email": "  Olena.K@Example.COM ",
    "contact_phone": "0470 12 34 56",
    "contact_consent": "y",
    "comment": "Merci !",
}

SIGNUP_ANSWERS = {
    "last_name": "Kovalenko",
    "first_name": "Olena",
    "email": "olena@example.be",
    "phone": "+380 67 123 4567",
    "organisation_kind": "ili",
    "organisation": "ILI Gembloux",
    "role": "volunteer",
    "commune": "gembloux",
    "heard_from": "newsletter",
    "accessibility_needs": "",
    "dietary_needs": "Végétarienne",
    "remark": "",
    "needs_consent": "y",
}

ILI_ANSWERS = {
    "organisation": "Lire et Écrire Namur",
    "ili_status": "approved",
    "communes": ["namur", "andenne"],
    "contact_person": "Marie Dupont",
    "email": "marie@example.be",
    "phone": "081 22 33 44",
    "website": "www.example.be",
    "activity_kinds": ["fle", "homework"],
    "activity_title": "Table de conversation",
    "description": "Chaque mardi, on parle français autour d'un café.",
    "audience": "Adultes débutants",
    "schedule": "Mardi 14:00–16:00",
    "languages_used": ["fr", "uk"],
    "participants_per_year": "120",
    "promotion": ["website", "newsletter"],
    "publication_consent": "y",
}


def written_date(app, lang: str, value, format: str = "full") -> str:
    """``value`` as a page in ``lang`` writes it (surveys.dates)."""
    from surveys.dates import format_date

    with app.test_request_context(f"/{lang}/"):
        return format_date(value, format)


def translated(app, lang: str, message: str, **variables) -> str:
    """``message`` as the visitor reads it in ``lang``, HTML-escaped as pages show it: an
    interface text from the catalogs, or a form's text (by its English wording) from the
    seed files."""
    from flask_babel import gettext
    from markupsafe import escape

    if message in seed_texts():
        return str(escape(seed_texts()[message][lang]))
    with app.test_request_context(f"/{lang}/"):
        return str(escape(gettext(message, **variables)))


@functools.cache
def seed_texts() -> dict[str, dict[str, str]]:
    """Every text of the shipped forms' seed files, by its English wording."""
    from surveys.forms import seed_files
    from surveys.forms.document import texts_in

    texts = {}
    for seed in seed_files.seeds():
        for _where, value in texts_in(seed.document):
            if isinstance(value, dict):
                texts[value["en"]] = value
    return texts


def training_held_days_ago(app, slug: str, days: int) -> None:
    """Every date of the training ``slug`` moved to ``days`` days ago: it is over."""
    from sqlalchemy import select, update

    from surveys.extensions import db
    from surveys.models import Training, TrainingSession, utcnow

    with app.app_context():
        training_id = db.session.scalar(select(Training.id).filter_by(slug=slug))
        db.session.execute(
            update(TrainingSession)
            .where(TrainingSession.training_id == training_id)
            .values(date=utcnow().date() - timedelta(days=days))
        )
        db.session.commit()


def as_shown(value):
    """A workbook's cell as a spreadsheet shows it: a number cell holds a float, and 1.0 is
    shown 1."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def stored_submissions(app, form: str):
    from sqlalchemy import select

    from surveys.models import Submission

    with app.app_context():
        return db.session.scalars(select(Submission).where(Submission.form == form)).all()


def sign_up(
    client,
    slug: str,
    *,
    lang: str = "fr",
    email: str = "olena@example.be",
    follow_redirects: bool = False,
    **answers,
):
    """Sign up through the public form; returns the response (303 on success)."""
    data = {**SIGNUP_ANSWERS, "email": email, **answers}
    return submit(client, f"/{lang}/trainings/{slug}", data, follow_redirects=follow_redirects)


def registrations_by_email(app) -> dict:
    from sqlalchemy import select

    from surveys.models import Registration

    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        return {r.email: r for r in rows}


def outbox_messages(app, kind: str | None = None) -> list:
    from sqlalchemy import select

    from surveys.models import OutboxMessage

    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return db.session.scalars(query).all()


def cancel_link(source: str) -> str:
    """The cancellation path in an e-mail's plain-text part."""
    import email
    from email.policy import default

    message = email.message_from_string(source, policy=default)
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/\w\w/trainings/cancel/[\w-]{43})", text)
    return match.group(1)


STAFF_EMAIL = "anna@example.be"
STAFF_PASSWORD = "un cheval bleu mange des pommes"


# The recovery codes of the administrators make_staff set up, by app and address: each
# login by ``login`` uses one (a time-based code works once per 30 s, and tests log in
# faster than that).
RECOVERY_CODES: dict[tuple[int, str], list[str]] = {}


def make_staff(
    app,
    email: str = STAFF_EMAIL,
    password: str = STAFF_PASSWORD,
    locale="fr",
    role: str = "administrator",
):
    """An account; an administrator has two-step login set up (it is required for them),
    with a code from an authenticator app as a person would."""
    import pyotp

    from surveys.services import staff_accounts, two_factor

    with app.app_context():
        staff = staff_accounts.create_staff(email, password, locale=locale, role=role)
        if role == "administrator":
            secret = two_factor.new_secret()
            codes = two_factor.enable(staff.id, secret, pyotp.TOTP(secret).now())
            RECOVERY_CODES[(id(app), email)] = codes


def second_step_code(app, email: str = STAFF_EMAIL) -> str:
    """A recovery code of an administrator made by make_staff (new ones when used up)."""
    from surveys.services import staff_accounts, two_factor

    codes = RECOVERY_CODES.setdefault((id(app), email), [])
    if not codes:
        with app.app_context():
            codes += two_factor.renew_recovery_codes(staff_accounts.find_staff(email).id)
    return codes.pop()


def login(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, **kwargs):
    """Log in through the pages, with the second step's code when the account asks for it."""
    page = client.get("/staff/login").get_data(as_text=True)
    data = {**hidden_fields(page), "email": email, "password": password}
    response = client.post("/staff/login", data=data)
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/staff/login/code" in location:
        code_page = client.get(location).get_data(as_text=True)
        code = second_step_code(client.application, email)
        data = {**hidden_fields(code_page), "code": code}
        return client.post(location, data=data, **kwargs)
    if kwargs.get("follow_redirects") and response.status_code == 302:
        return client.get(location, follow_redirects=True)
    return response


def csrf_of(client, url: str) -> dict:
    """The hidden fields (CSRF token) of a staff page, for a POST as its buttons send it."""
    return hidden_fields(client.get(url).get_data(as_text=True))


# Real servers: the app under gunicorn, in production mode, as a deployment runs it.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, tmp_path, *, workers: int = 2, **settings: str):
    """gunicorn on a free loopback port; ``settings`` are environment variables
    (``SURVEYS_…``, ``REDIS_URL``) over the defaults below. Yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Production mode (page cache and its fast lane on), but plain-HTTP cookies on loopback.
        "SURVEYS_SESSION_COOKIE_SECURE": "false",
        "SURVEYS_ORGANISATION_NAME": "Centre",
        "SURVEYS_ORGANISATION_ADDRESS": "Namur",
        "SURVEYS_CONTACT_EMAIL": "privacy@example.be",
        "SURVEYS_PUBLIC_URL": "http://127.0.0.1",
        "SURVEYS_SECRET_KEY": "shared-by-every-host",
        "SURVEYS_MIN_FILL_SECONDS": "0",
        "SURVEYS_MAIL_FOLDER": str(tmp_path / "mail"),
        "SURVEYS_PROXY_FIX_COUNT": "1",  # each simulated person has its own address
        **settings,
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = clock.monotonic() + 30
        while clock.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                clock.sleep(0.2)
        else:
            raise AssertionError(process.stdout.read1().decode())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_opener() -> urllib.request.OpenerDirector:
    """A client with its own cookies that does not follow redirects (as a form's POST sees
    them)."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
    )


def status_of_request(opener, url: str, data: dict | None = None, headers=None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        request = urllib.request.Request(url, data=body, headers=headers or {})
        with opener.open(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def post_form(read_from: str, send_to: str, path: str, data: dict, address: str):
    """GET the form from one host, POST it to the other (a load balancer may do that)."""
    opener = browser_opener()
    headers = {"X-Forwarded-For": address}
    page = opener.open(urllib.request.Request(read_from + path, headers=headers), timeout=30)
    fields = {**hidden_fields(page.read().decode()), **data}
    return status_of_request(opener, send_to + path, fields, headers)


# The shipped forms as their seed files define them (what `flask forms load` publishes), for
# tests that fill them in by their labels.
def seed_definition(code: str, **context: bool):
    from surveys.forms import seed_files
    from surveys.forms.document import definition_of

    seed = seed_files.read(seed_files.SEEDS / f"{code}.toml")
    return definition_of(code, 1, seed.document, context or None)


def signup_definition(every_date_required: bool):
    return seed_definition("training_signup", every_date_required=every_date_required)


SURVEY = seed_definition("survey")
ILI = seed_definition("ili")


class FormFields(HTMLParser):
    """The fields a browser would send from the first <form method="post"> of a page's
    main content (not the navigation's log-out button), as
    it stands (inputs, ticked boxes, text areas, chosen options), without pressing any
    button: the caller adds the button's name and value."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.done = False
        self.textarea = None
        self.select = None
        self.options: list[tuple[str, bool]] = []
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        if self.done or not self.in_main:
            return
        if tag == "form" and a.get("method") == "post":
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select = a["name"]
            self.options = []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea[0], unescape(self.textarea[1])))
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected]
            self.fields.append((self.select, chosen[0] if chosen else self.options[0][0]))
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def page_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def press(client, url: str, button: tuple[str, str] | None = None, **changes):
    """GET ``url``, then send its form as a browser would, with ``changes`` to some fields
    (a name given a list sets each of its values) and ``button`` pressed."""
    from werkzeug.datastructures import MultiDict

    html = client.get(url).get_data(as_text=True)
    fields = MultiDict(page_fields(html))
    for name, value in changes.items():
        name = name.replace("__", ".")
        if isinstance(value, list):
            fields.setlist(name, value)
        elif value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    if button:
        fields.add(*button)
    return client.post(url, data=fields)
