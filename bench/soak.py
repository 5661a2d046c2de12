"""A bounded soak: many clients for minutes, then what the database and the mail server hold.

    pip install -e '.[bench,test]'     # aiohttp, and aiosmtpd for the SMTP sink
    python bench/soak.py               # 200 clients: 5 min on PostgreSQL, then 2 min on SQLite
    python bench/soak.py --duration 20 --sqlite-duration 10 --clients 50 --output /tmp/soak.md

Not part of CI. For each database it starts the app as bench/run.py does (gunicorn on
loopback behind nginx, same settings, rate limits in Redis when it answers) with the outbox
as in production (docs/deploy.md): requests only queue their e-mails, and `flask outbox
worker` beside them writes and sends them, over SMTP to a sink
(aiosmtpd) on loopback in this process. Each client (its own cookies, like a browser) loops,
bounded in actions and time, with a random pause between actions: a page load, a whole
survey submission (GET the form, POST it with its hidden fields, follow the 303) or a
training sign-up (the same, on one of many trainings with few or many seats, each with a new
address). On PostgreSQL, at half time, every backend of the app's database is terminated
once. When the clients are done and the outbox is empty, it checks in the database that
every submission and sign-up answered 303 is stored, that no training has more confirmed
people than seats and that nobody was put on a waiting list while seats were free, and that
the sink received one message per registration, none twice. The report replaces the soak
section of docs/benchmarks.md. PostgreSQL: the schema of --postgres-url (default: a database
"soak", created if missing) is dropped and rebuilt.
"""

import argparse
import asyncio
import contextlib
import html
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp
import psutil
import psycopg
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (
    GUNICORN,
    HIDDEN,
    ROOT,
    SIGNUP_ANSWERS,
    SOAK_END,
    SOAK_START,
    SURVEY_ANSWERS,
    OutboxWorker,
    Server,
    as_list,
    free_port,
    nginx_version,
    postgres_version,
    prepare_database,
    redis_answers,
)
from surveys.config import normalise_database_url
from surveys.models import OutboxMessage, Registration, Submission, Training

LANGUAGES = ("fr", "en", "uk")
# What a client does next, and how often.
MIX = {"page": 5, "survey": 3, "signup": 2}
# Seats of the soak's trainings, in turn: the small ones fill within seconds and then take
# everyone on their waiting list, the large ones stay open for most of the run.
CAPACITIES = (5, 10, 20, 40, 80, 160, 320, 640)
# Requests this long before and after the backends are terminated are "around" it.
AROUND = 5.0


@dataclass
class Request:
    kind: str  # the action it belongs to: "page", "survey" or "signup"
    started: float
    ended: float
    status: int | None  # None: no answer (connection error, timeout)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


@dataclass
class Soak:
    """What the clients saw: every request, every action's time, and what was answered 303:
    survey submission keys and sign-up addresses (with the result the redirect named), each
    with the moment of its POST's answer."""

    requests: list[Request] = field(default_factory=list)
    actions: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MIX})
    failed_actions: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    surveys: dict[str, float] = field(default_factory=dict)
    signups: dict[str, tuple[str, float]] = field(default_factory=dict)
    terminated_at: float | None = None
    terminated: int = 0
    started: float = 0.0
    deadline: float = 0.0  # brought forward if gunicorn stops
    ended: float = 0.0
    server_exit: int | None = None
    cpu: float = 0.0  # this process's (the clients' and the SMTP sink's) CPU seconds
    load: tuple[float, float] = (0.0, 0.0)  # the machine's load average, before and after
    memory: list[int] = field(default_factory=list)  # gunicorn's, bytes, at each fifth


class Sink:
    """An SMTP server's handler that keeps each message's Message-ID."""

    def __init__(self):
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.message_ids.append(headers.get("Message-ID", "").strip())
        return "250 Message accepted for delivery"


class AppLog:
    """The app's stderr, read as it comes (a full pipe would stop the workers)."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def read(self, stream) -> None:
        for line in iter(stream.readline, b""):
            if len(self.lines) < 100_000:
                self.lines.append(line.decode(errors="replace").rstrip())

    def messages(self, level: str) -> Counter:
        """Each distinct message of that level (the app's format, or gunicorn's), without its
        time, and how often."""
        found = Counter()
        for line in self.lines:
            for marker in (f" {level} ", f" [{level}] "):
                if marker in line:
                    found[line.split(marker, 1)[1]] += 1
                    break
        return found


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q / 100 * len(ordered)), len(ordered) - 1)] * 1000


async def fetch(session, soak: Soak, kind: str, method: str, url: str, data=None):
    """One request, recorded; returns (status or None, body, Location)."""
    started = time.monotonic()
    status, body, location = None, "", None
    try:
        async with session.request(method, url, data=data, allow_redirects=False) as response:
            body = await response.text()
            status, location = response.status, response.headers.get("Location")
    except (aiohttp.ClientError, TimeoutError) as error:
        soak.problems[f"{method} {kind}: {type(error).__name__}"] += 1
    request = Request(kind, started, time.monotonic(), status)
    soak.requests.append(request)
    if status is not None and not request.ok:
        soak.problems[f"{method} {urlsplit(url).path} answered {status}"] += 1
    return status, body, location


async def submit(session, soak, kind, url, answers) -> str | None:
    """GET the form, POST it with its hidden fields, follow the 303; the 303's Location."""
    status, page, _ = await fetch(session, soak, kind, "GET", url)
    if status != 200:
        return None
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
    data = [*hidden.items(), *answers]
    status, _, location = await fetch(session, soak, kind, "POST", url, data)
    if status != 303 or not location:
        if status is not None and status < 300:
            soak.problems[f"POST {kind} answered {status} (not stored)"] += 1
        return None
    answered = time.monotonic()
    if kind == "survey":
        soak.surveys[hidden["submission_key"]] = answered
    else:
        result = parse_qs(urlsplit(location).query).get("result", ["?"])[0]
        soak.signups[dict(answers)["email"]] = (result, answered)
    status, _, _ = await fetch(session, soak, kind, "GET", urljoin(url, location))
    return location if status == 200 else None


async def client(index: int, base: str, slugs: list[str], soak: Soak, args):
    rng = random.Random(index)
    survey = [(k, v) for k, values in SURVEY_ANSWERS.items() for v in as_list(values)]
    pages = ["", "survey", "ili", "trainings", "privacy", "trainings/droit-des-etrangers"]
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=aiohttp.TCPConnector(limit=2),
        timeout=timeout,
    ) as session:
        await asyncio.sleep(rng.uniform(0, 2 * args.think))  # not all at the same instant
        for number in range(args.max_actions):
            if time.monotonic() >= soak.deadline:
                break
            kind = rng.choices(list(MIX), list(MIX.values()))[0]
            lang = rng.choice(LANGUAGES)
            started = time.monotonic()
            if kind == "page":
                page = rng.choice([*pages, f"trainings/{rng.choice(slugs)}"])
                status, _, _ = await fetch(session, soak, kind, "GET", f"{base}/{lang}/{page}")
                done = status == 200
            elif kind == "survey":
                done = await submit(session, soak, kind, f"{base}/{lang}/survey", survey)
            else:
                email = f"soak-{index}-{number}@example.be"
                answers = [*SIGNUP_ANSWERS.items(), ("email", email)]
                url = f"{base}/{lang}/trainings/{rng.choice(slugs)}"
                done = await submit(session, soak, kind, url, answers)
            if done:
                soak.actions[kind].append(time.monotonic() - started)
            else:
                soak.failed_actions[kind] += 1
            pause = rng.uniform(0, 2 * args.think)
            if time.monotonic() + pause >= soak.deadline:
                break
            await asyncio.sleep(pause)


def workers_memory(server: Server) -> int:
    """Resident memory of gunicorn's master and workers, in bytes."""
    total = 0
    with contextlib.suppress(psutil.Error):
        master = psutil.Process(server.process.pid)
        for process in [master, *master.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
    return total


async def watch(soak: Soak, server: Server) -> None:
    """End the run at once if gunicorn stops (e.g. its workers failed to boot)."""
    while server.process.poll() is None:
        await asyncio.sleep(0.5)
    soak.server_exit = server.process.returncode
    soak.deadline = time.monotonic()


async def sample_memory(soak: Soak, server: Server, duration: float) -> None:
    for fifth in range(5):
        await asyncio.sleep(max(0.0, soak.started + fifth * duration / 5 - time.monotonic()))
        soak.memory.append(workers_memory(server))


def terminate_backends(url: str) -> int:
    """Terminate every other connection to the app's database; how many there were."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return sum(1 for (done,) in rows if done)


async def terminate_later(soak: Soak, url: str, delay: float) -> None:
    await asyncio.sleep(delay)
    soak.terminated_at = time.monotonic()
    soak.terminated = await asyncio.to_thread(terminate_backends, url)
    print(f"  {soak.terminated} backends terminated at {soak.terminated_at - soak.started:.0f} s")


def ensure_postgres_database(url: str) -> None:
    """Create the database named in the URL if it does not exist (from the "postgres" one)."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


def add_trainings(env: dict, count: int) -> list[str]:
    """The soak's trainings, open and published, with CAPACITIES' seats in turn."""
    slugs = [f"soak-{number:02d}" for number in range(count)]
    script = f"""
import logging
logging.disable(logging.INFO)
from datetime import date, time, timedelta
from surveys import create_app
from surveys.services.training_admin import create_training, SessionSpec
app = create_app()
day = date.today() + timedelta(days=30)
with app.app_context():
    for number, slug in enumerate({slugs!r}):
        create_training(slug, title={{"fr": f"Formation {{number}}"}},
                        capacity={CAPACITIES!r}[number % {len(CAPACITIES)}], is_published=True,
                        sessions=[SessionSpec(day, time(9), time(16), "Namur")])
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **env}, check=True)
    return slugs


@dataclass
class Stored:
    """What the database holds after the soak (rows with named columns)."""

    survey_keys: set[str]
    registrations: list  # id, email, training_id, status, confirmed_at, waitlisted_at
    capacities: dict[int, int | None]
    outbox: list  # message_id, status, registration_id


def read_database(url: str) -> Stored:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            survey_keys = connection.scalars(
                select(Submission.submission_key).where(Submission.form == "survey")
            )
            return Stored(
                survey_keys=set(survey_keys),
                registrations=connection.execute(
                    select(
                        Registration.id,
                        Registration.email,
                        Registration.training_id,
                        Registration.status,
                        Registration.confirmed_at,
                        Registration.waitlisted_at,
                    )
                ).all(),
                capacities=dict(connection.execute(select(Training.id, Training.capacity)).all()),
                outbox=connection.execute(
                    select(
                        OutboxMessage.message_id,
                        OutboxMessage.status,
                        OutboxMessage.registration_id,
                    )
                ).all(),
            )
    finally:
        engine.dispose()


def outbox_busy(url: str) -> int:
    """Messages still to deliver (pending or being sent)."""
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))
            )
    finally:
        engine.dispose()


def seats_check(stored: Stored) -> tuple[int, int, int]:
    """Trainings full; trainings with more confirmed people than seats; people put on a
    waiting list while their training had a seat free (fewer people confirmed before them
    than its capacity: nobody cancels during the soak, so a seat once taken stays taken)."""
    confirmed: dict[int, list[datetime]] = {training_id: [] for training_id in stored.capacities}
    for registration in stored.registrations:
        if registration.status == "confirmed":
            confirmed[registration.training_id].append(registration.confirmed_at)
    full = over = 0
    for training_id, times in confirmed.items():
        capacity = stored.capacities[training_id]
        full += capacity is not None and len(times) >= capacity
        over += capacity is not None and len(times) > capacity
    early = 0
    for registration in stored.registrations:
        if registration.status == "waitlisted":
            capacity = stored.capacities[registration.training_id]
            before = sum(
                t < registration.waitlisted_at for t in confirmed[registration.training_id]
            )
            early += capacity is None or before < capacity
    return full, over, early


async def soak_once(name: str, url: str, duration: float, args, redis_url: str | None) -> dict:
    """One soak against one database; its figures."""
    folder = Path(tempfile.mkdtemp(prefix="surveys-soak-"))
    env = prepare_database(url, folder, 10, redis_url)
    slugs = add_trainings(env, args.trainings)
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env |= {
        "SURVEYS_MAIL_BACKEND": "smtp",
        "SURVEYS_SMTP_HOST": "127.0.0.1",
        "SURVEYS_SMTP_PORT": str(smtp.port),
        "SURVEYS_OUTBOX_AFTER_COMMIT": "queue",
    }
    server = Server("wsgi:app", env)
    worker_log = folder / "worker.log"
    with worker_log.open("wb") as output:
        worker = OutboxWorker(env, output)
    soak = Soak()
    drained = None
    try:
        await server.wait("/healthz")  # (which reads the app's stderr if it fails to start)
        log = AppLog(server.process.stderr)
        print(f"{name}: {args.clients} clients for {duration:g} s")
        soak.started = time.monotonic()
        cpu = time.process_time()
        load = os.getloadavg()[0]
        soak.deadline = soak.started + duration
        helpers = [watch(soak, server), sample_memory(soak, server, duration)]
        if name == "PostgreSQL":
            helpers.append(terminate_later(soak, url, duration * args.terminate_at))
        helpers = [asyncio.create_task(helper) for helper in helpers]
        clients = [client(i, server.url, slugs, soak, args) for i in range(args.clients)]
        try:
            await asyncio.wait_for(
                asyncio.gather(*clients), timeout=duration + 4 * args.timeout + 30
            )
        finally:
            for helper in helpers:
                helper.cancel()
        soak.ended = time.monotonic()
        if soak.server_exit is not None:
            (folder / "app.log").write_text("\n".join(log.lines) + "\n", encoding="utf-8")
            sys.exit(
                f"gunicorn stopped {soak.ended - soak.started:.0f} s into the {name} soak "
                f"(exit code {soak.server_exit}); its log: {folder / 'app.log'}"
            )
        soak.cpu = time.process_time() - cpu
        soak.load = (load, os.getloadavg()[0])
        soak.memory.append(workers_memory(server))
        # The app's own delivery (after each commit, and the worker's passes) empties the
        # outbox; the servers stop only then, so that no delivery is cut short.
        while time.monotonic() < soak.ended + args.drain:
            if await asyncio.to_thread(outbox_busy, url) == 0:
                drained = time.monotonic() - soak.ended
                break
            await asyncio.sleep(0.5)
    finally:
        worker.stop()
        server.stop()
        smtp.stop()
    figures = figures_of(name, duration, soak, read_database(url), sink, log)
    figures["drained"] = drained
    (folder / "app.log").write_text("\n".join(log.lines) + "\n", encoding="utf-8")
    if figures["log errors"] or figures["log warnings"]:
        print(f"  the app's log and the outbox worker's: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def figures_of(name, duration, soak: Soak, stored: Stored, sink: Sink, log: AppLog) -> dict:
    requests = soak.requests
    by_email = {registration.email: registration for registration in stored.registrations}
    surveys_lost = {key for key in soak.surveys if key not in stored.survey_keys}
    signups_lost = {email for email in soak.signups if email not in by_email}
    full, over, early = seats_check(stored)
    per_registration = Counter(message.registration_id for message in stored.outbox)
    received = Counter(sink.message_ids)
    figures = {
        "name": name,
        "duration": duration,
        "requests": len(requests),
        "rate": len(requests) / (soak.ended - soak.started),
        "cpu": soak.cpu / (soak.ended - soak.started),
        "memory": soak.memory,
        "fifths": fifths(soak),
        "load": soak.load,
        "latency": [r.ended - r.started for r in requests if r.ok],
        "errors": sum(not r.ok for r in requests),
        "problems": soak.problems,
        "actions": soak.actions,
        "failed actions": soak.failed_actions,
        "surveys answered": len(soak.surveys),
        "surveys stored": len(stored.survey_keys),
        "surveys lost": len(surveys_lost),
        "signups answered": len(soak.signups),
        "registrations": len(stored.registrations),
        "signups lost": len(signups_lost),
        "status mismatches": sum(
            email in by_email and by_email[email].status != result
            for email, (result, _) in soak.signups.items()
        ),
        "statuses": Counter(registration.status for registration in stored.registrations),
        "trainings": len(stored.capacities),
        "full trainings": full,
        "over capacity": over,
        "waitlisted early": early,
        "mails received": len(sink.message_ids),
        "mails unique": len(received),
        "mails duplicated": sum(n - 1 for n in received.values()),
        "mails unknown": len(set(received) - {message.message_id for message in stored.outbox}),
        "outbox": Counter(message.status for message in stored.outbox),
        "registrations not with one message": sum(
            per_registration[registration.id] != 1 for registration in stored.registrations
        ),
        "log warnings": log.messages("WARNING"),
        "log errors": log.messages("ERROR"),
    }
    if soak.terminated_at is not None:
        start, end = soak.terminated_at - AROUND, soak.terminated_at + AROUND
        around = [r for r in requests if r.ended >= start and r.started <= end]
        answered = [key for key, t in soak.surveys.items() if start <= t <= end]
        answered += [email for email, (_, t) in soak.signups.items() if start <= t <= end]
        figures |= {
            "terminated": soak.terminated,
            "terminated at": soak.terminated_at - soak.started,
            "around": len(around),
            "around failed": sum(not r.ok for r in around),
            "around answered": len(answered),
            "around lost": sum(a in surveys_lost or a in signups_lost for a in answered),
        }
    return figures


def fifths(soak: Soak) -> list[tuple[float, float]]:
    """Requests per second and p95 (ms) of the requests started in each fifth of the run."""
    length = (soak.ended - soak.started) / 5
    parts = [[] for _ in range(5)]
    for r in soak.requests:
        parts[min(int((r.started - soak.started) / length), 4)].append(r)
    return [
        (len(part) / length, percentile([r.ended - r.started for r in part if r.ok], 95))
        for part in parts
    ]


def span(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds % 60 == 0 else f"{seconds:g} s"


def ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, q):.0f}" for q in (50, 95, 99))


def report(runs: list[dict], args, command: str, seconds: float) -> list[str]:
    def row(label: str, value) -> str:
        return f"| {label} | " + " | ".join(str(value(f)) for f in runs) + " |"

    def mix(f: dict) -> str:
        return ", ".join(
            f"{len(f['actions'][kind])} {kind} ({f['failed actions'][kind]} failed)" for kind in MIX
        )

    lines = [
        SOAK_START,
        "## Soak",
        "",
        "Written by `bench/soak.py` (this section only; `bench/run.py` keeps it). Re-run it to "
        "refresh these figures.",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}; command: `{command}`; "
        f"whole script {seconds / 60:.1f} min",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores; clients, nginx "
        f"({nginx_version()}), gunicorn (`{' '.join(GUNICORN)}`) and the database on it",
        f"- {args.clients} clients, each with its own cookies, looping with a random pause of "
        f"0–{2 * args.think:g} s between actions (at most {args.max_actions} actions each): "
        "a page load, a whole survey submission (GET, POST with the hidden fields, follow the "
        "303) or a sign-up (the same, a new address each time, to one of "
        f"{args.trainings} trainings of {', '.join(map(str, CAPACITIES))} seats in turn), in "
        f"the proportions {', '.join(f'{n} {k}' for k, n in MIX.items())}; fr, en and uk "
        f"pages alike; a request without an answer in {args.timeout:g} s is an error",
        "- e-mail as in production (docs/deploy.md): requests only queue their messages "
        "(`SURVEYS_OUTBOX_AFTER_COMMIT=queue`) and `flask outbox worker` (a pass every "
        "second) writes and sends them; over SMTP to an aiosmtpd sink on "
        "loopback, which counts Message-IDs; the servers stop once the outbox is empty",
        "- PostgreSQL: at "
        f"{100 * args.terminate_at:.0f} % of the run, every backend of the app's database is "
        "terminated (`pg_terminate_backend`); *around* is the 10 s centred on it",
        "",
        "| | " + " | ".join(f"{f['name']}, {span(f['duration'])}" for f in runs) + " |",
        "|---|" + "---:|" * len(runs),
        row("HTTP requests (per second)", lambda f: f"{f['requests']} ({f['rate']:.0f})"),
        row("one request, p50 / p95 / p99 ms", lambda f: ms(f["latency"])),
        row("errors (not 2xx/3xx, or no answer)", lambda f: f["errors"]),
        row("actions done", mix),
        row(
            "whole survey submission (3 requests), p50 / p95 / p99 ms",
            lambda f: ms(f["actions"]["survey"]),
        ),
        row("whole sign-up (3 requests), p50 / p95 / p99 ms", lambda f: ms(f["actions"]["signup"])),
        row(
            "survey submissions answered 303 / rows stored / answered but not stored",
            lambda f: f"{f['surveys answered']} / {f['surveys stored']} / {f['surveys lost']}",
        ),
        row(
            "sign-ups answered 303 / registrations stored / answered but not stored",
            lambda f: f"{f['signups answered']} / {f['registrations']} / {f['signups lost']}",
        ),
        row(
            "registrations confirmed / waitlisted (redirect said otherwise)",
            lambda f: (
                f"{f['statuses']['confirmed']} / {f['statuses']['waitlisted']} "
                f"({f['status mismatches']})"
            ),
        ),
        row(
            "trainings full / all; over capacity; waitlisted while a seat was free",
            lambda f: (
                f"{f['full trainings']} / {f['trainings']}; {f['over capacity']}; "
                f"{f['waitlisted early']}"
            ),
        ),
        row(
            "e-mails received by the sink / distinct Message-IDs / registrations",
            lambda f: f"{f['mails received']} / {f['mails unique']} / {f['registrations']}",
        ),
        row(
            "e-mails received twice; not from the outbox; registrations without exactly one",
            lambda f: (
                f"{f['mails duplicated']}; {f['mails unknown']}; "
                f"{f['registrations not with one message']}"
            ),
        ),
        row(
            "outbox rows sent / pending / sending / failed",
            lambda f: " / ".join(
                str(f["outbox"][k]) for k in ("sent", "pending", "sending", "failed")
            ),
        ),
        row(
            "outbox empty after the clients stopped, s",
            lambda f: "never" if f["drained"] is None else f"{f['drained']:.1f}",
        ),
        row(
            "backends terminated (at s)",
            lambda f: f"{f['terminated']} ({f['terminated at']:.0f})" if "terminated" in f else "—",
        ),
        row(
            "around it: requests / failed; answered 303 / not stored",
            lambda f: (
                f"{f['around']} / {f['around failed']}; {f['around answered']} / {f['around lost']}"
                if "terminated" in f
                else "—"
            ),
        ),
        row(
            "per second and p95 ms, first fifth of the run → last",
            lambda f: (
                f"{f['fifths'][0][0]:.0f}, {f['fifths'][0][1]:.0f} → "
                f"{f['fifths'][-1][0]:.0f}, {f['fifths'][-1][1]:.0f}"
            ),
        ),
        row(
            "gunicorn's memory (master and 4 workers), MB, at the start of each fifth → end",
            lambda f: (
                ", ".join(f"{m / 2**20:.0f}" for m in f["memory"][:-1])
                + f" → {f['memory'][-1] / 2**20:.0f}"
            ),
        ),
        row(
            "clients' process CPU (share of one core); machine load average before → after",
            lambda f: f"{100 * f['cpu']:.0f} %; {f['load'][0]:.1f} → {f['load'][1]:.1f}",
        ),
        row(
            "app log: warnings / errors",
            lambda f: f"{f['log warnings'].total()} / {f['log errors'].total()}",
        ),
        "",
    ]
    for f in runs:
        notes = [f"{n} × {problem}" for problem, n in f["problems"].most_common(10)]
        for level in ("errors", "warnings"):
            notes += [f"{n} × log: {m}" for m, n in f[f"log {level}"].most_common(5)]
        if notes:
            lines += [f"{f['name']}:", "", *(f"- {note}" for note in notes), ""]
    return [*lines, SOAK_END]


def write_section(path: Path, section: list[str]) -> None:
    """Replace the soak section of the report (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = "\n".join(section)
    start = text.find(SOAK_START)
    end = text.find(SOAK_END, start)
    if start >= 0 and end >= 0:
        text = text[:start] + block + text[end + len(SOAK_END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def main_async(args) -> None:
    started = time.monotonic()
    redis_url = args.redis_url if redis_answers(args.redis_url) else None
    databases = []
    if args.duration > 0:
        ensure_postgres_database(args.postgres_url)
        if postgres_version(args.postgres_url) is None:
            sys.exit(f"PostgreSQL does not answer at {args.postgres_url}")
        databases.append(("PostgreSQL", args.postgres_url, args.duration))
    if args.sqlite_duration > 0:
        file = Path(tempfile.mkdtemp(prefix="surveys-soak-")) / "soak.sqlite3"
        databases.append(("SQLite", f"sqlite:///{file}", args.sqlite_duration))
    runs = []
    for name, url, duration in databases:
        runs.append(await soak_once(name, url, duration, args, redis_url))
    command = f"python bench/soak.py {' '.join(sys.argv[1:])}".rstrip()
    section = report(runs, args, command, time.monotonic() - started)
    print("\n".join(section))
    write_section(args.output, section)
    print(f"written to {args.output}; whole script {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=300, help="seconds on PostgreSQL (0: skip it)"
    )
    parser.add_argument(
        "--sqlite-duration", type=float, default=120, help="seconds on SQLite (0: skip it)"
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between a client's actions, s"
    )
    parser.add_argument("--max-actions", type=int, default=10_000, help="per client")
    parser.add_argument("--timeout", type=float, default=30, help="per request, s")
    parser.add_argument("--trainings", type=int, default=40)
    parser.add_argument(
        "--terminate-at", type=float, default=0.5, help="share of the PostgreSQL run"
    )
    parser.add_argument(
        "--drain", type=float, default=120, help="at most this long for the outbox to empty, s"
    )
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
