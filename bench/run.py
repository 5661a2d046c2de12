"""The benchmark harness: one command, every measurement, written to docs/benchmarks.md.

    pip install -e '.[bench]'
    python bench/run.py                 # SQLite, then PostgreSQL if it answers on 127.0.0.1:5432
    python bench/run.py --duration 5    # shorter runs

For each database it starts the app under gunicorn on loopback behind nginx, as
docs/deploy.md sets it up (and, with the same settings, a bare Flask app as the floor),
drives them with wrk (C, so that the load generator takes
little of the CPU it shares with the servers; scripts in bench/wrk/, every run bounded in
requests and seconds) and reports requests per second, p50/p95/p99 latency and errors for:
GET of each public form page, full survey submissions (GET the page, POST the answers with
its tokens and cookie, follow the redirect; gzip as a browser asks) as fast as 32 clients go
and paced at the target rate, and training sign-ups under contention (many clients released
together for few seats, an asyncio client, after one run not counted; overbooking is checked
in the database). As in docs/deploy.md, requests only queue their e-mails and `flask outbox
worker` writes and sends them, to a folder; each run reports how long after
its first sign-up its last e-mail was sent (and ``--only signups`` the CPU time the web
servers and the worker spent per sign-up). Then it exports 100,000 stored answers to CSV
and XLSX (wall time, peak memory growth). PostgreSQL runs drop and rebuild the schema of
the database named by --postgres-url (default: the local "test" database). Rate limits live
in Redis (--redis-url) when it answers, as in production with several workers.

Needs wrk, built with LuaJIT as Debian's is, and nginx (Debian/Ubuntu: apt-get install wrk
nginx-light; nginx is started by the harness on free loopback ports, never as a service).
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
import yarl

ROOT = Path(__file__).resolve().parent.parent
# As in docs/deploy.md: sync workers, two per core, behind nginx, which keeps the clients'
# connections alive, buffers each request whole and opens a new connection to gunicorn for
# it. (Without nginx, a client that has connected but not yet sent, as a paced client does
# between submissions, would hold a sync worker idle.)
GUNICORN = ["--workers", "4", "--worker-class", "sync", "--log-level", "warning"]
NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 1m;
    gzip off;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""
WRK = ROOT / "bench" / "wrk"
SURVEY_ANSWERS = {
    "topics": ["french_courses", "housing"],
    "channels": ["whatsapp", "telegram"],
    "preferred_channel": "telegram",
    "frequency": "weekly",
    "languages": ["uk", "en"],
    "commune": "namur",
    "time_in_belgium": "1_to_2_years",
    "smartphone": "own",
    "internet_access": ["mobile_data"],
    "comment": "Дякую!",
}
SIGNUP_ANSWERS = {
    "last_name": "Kovalenko",
    "first_name": "Olena",
    "organisation_kind": "none",
    "role": "volunteer",
    "commune": "gembloux",
    "consent": "y",
}
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1 behind its own nginx (``url``), both stopped on exit."""

    def __init__(self, target: str, env: dict):
        upstream = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *GUNICORN,
                "--bind",
                f"127.0.0.1:{upstream}",
                target,
            ],
            cwd=ROOT,
            env={**os.environ, "SURVEYS_PROXY_FIX_COUNT": "1", **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="surveys-nginx-"))
        conf = self.folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(folder=self.folder, port=self.port, upstream=upstream))
        self.proxy = subprocess.Popen(
            ["nginx", "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE
        )

    async def wait(self, path: str = "/") -> None:
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(self.url + path) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(self.process.stderr.read1().decode())

    def cpu_seconds(self) -> float:
        """CPU time used so far by nginx and gunicorn, workers included (the load generator's
        own is not counted): what an action costs, whatever else the machine is running."""
        import psutil

        total = 0.0
        for root in (self.proxy, self.process):
            parent = psutil.Process(root.pid)
            for process in [parent, *parent.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def stop(self) -> None:
        for process in (self.proxy, self.process):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


class OutboxWorker:
    """``flask outbox worker`` as docs/deploy.md runs it (its default interval, at the web
    workers' priority: a lower one starved it under a sustained load, bench/soak.py): with
    OUTBOX_AFTER_COMMIT=queue it writes and sends every e-mail, on the same cores as the
    servers, so its CPU time is measured too."""

    def __init__(self, env: dict, output=subprocess.DEVNULL):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
        )

    def cpu_seconds(self) -> float:
        import psutil

        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


@dataclass
class Result:
    """Successful actions (requests or submissions), errors, and latency in milliseconds:
    from the latencies in seconds when we have them, else from wrk's own quantiles."""

    name: str
    latencies: list[float] = field(default_factory=list)
    count: int | None = None
    errors: int = 0
    elapsed: float = 0.0
    quantiles: dict[int, float] = field(default_factory=dict)
    note: str = ""
    cpu_ms: float | None = None  # server CPU per successful action (``--only signups``)
    mail_cpu_ms: float | None = None  # the outbox worker's CPU per sign-up (its e-mail)

    @property
    def successes(self) -> int:
        return len(self.latencies) if self.count is None else self.count - self.errors

    @property
    def rate(self) -> float:
        return self.successes / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: int) -> float:
        if q in self.quantiles:
            return self.quantiles[q]
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(int(q / 100 * len(ordered)), len(ordered) - 1)] * 1000


def wrk(url: str, script: str, connections: int, threads: int, seconds: float, *args) -> dict:
    """Run wrk with one of bench/wrk's scripts, which prints its figures as JSON."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(WRK / script), url, "--", *map(str, args)]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def page_load(name: str, url: str, args) -> Result:
    """GET of one page by ``args.clients`` connections (gzip accepted, as browsers do)."""
    threads = min(2, args.clients)
    figures = wrk(
        url, "page.lua", args.clients, threads, args.duration, args.max_requests // threads
    )
    return Result(
        name,
        count=figures["requests"],
        errors=figures["errors"],
        elapsed=figures["seconds"],
        quantiles={q: figures[f"p{q}"] for q in (50, 95, 99)},
    )


def submission_load(name: str, base: str, args, rate: float = 0) -> Result:
    """Whole survey submissions by ``args.clients`` clients (one wrk thread each), as fast as
    they go, or paced at ``rate`` submissions per second in all."""
    answers = urlencode([(k, v) for k, values in SURVEY_ANSWERS.items() for v in as_list(values)])
    figures = wrk(
        base,
        "submission.lua",
        args.clients,
        args.clients,
        args.duration,
        "/fr/survey",
        answers,
        args.max_requests // args.clients,
        rate / args.clients,
        args.clients,
    )
    return Result(
        name,
        latencies=figures["latencies"],
        errors=figures["errors"],
        elapsed=figures["seconds"],
    )


def median_of_runs(run, repeat: int, *, by_latency: bool = False) -> Result:
    """Run a scenario ``repeat`` times and keep the median run (by rate; by p95 for a paced
    scenario, whose rate is set), noting every run's figure: on a shared 2-core machine one
    run can be a third slower than the next, and the spread says so."""
    runs = [run() for _ in range(repeat)]
    if repeat == 1:
        return runs[0]
    if by_latency:
        runs.sort(key=lambda r: r.percentile(95))
        spread = ", ".join(f"{r.percentile(95):.0f}" for r in runs)
        label = "p95 ms"
    else:
        runs.sort(key=lambda r: r.rate)
        spread = ", ".join(f"{r.rate:.0f}" for r in runs)
        label = "per second"
    median = runs[len(runs) // 2]
    median.note = f"median of {repeat} runs, {label}: {spread}"
    return median


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


async def contention(base: str, slug: str, clients: int) -> Result:
    """Every client loads the page, then all send at the same moment. The rate counts the
    whole thing, page loads included; the note gives the rate of the sends alone.

    The sends are written as prepared bytes on connections opened beforehand: sixty people
    signing up send from sixty phones, not from the cores that serve them, so the burst
    should cost this client next to nothing (through aiohttp it took about 1.5 ms of CPU per
    sign-up, on the same two cores as the servers)."""
    result = Result("training sign-ups under contention")
    ready = asyncio.Event()
    waiting = [clients]
    released = [0.0]
    address = urlsplit(base)
    path = f"/fr/trainings/{slug}"

    async def person(index):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(f"{base}{path}") as response:
                page = await response.text()
            cookies = session.cookie_jar.filter_cookies(yarl.URL(base))
        data = {name: value for name, value in HIDDEN.findall(page)}
        data.update({**SIGNUP_ANSWERS, "email": f"person{index}@example.be"})
        body = urlencode(data).encode()
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n\r\n"
        ).encode() + body
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        waiting[0] -= 1
        if waiting[0] == 0:
            released[0] = time.monotonic()
            ready.set()
        await ready.wait()
        started = time.perf_counter()
        try:
            writer.write(request)
            status_line = await reader.readline()
            await reader.read()  # to the end: the server closes the connection
            ok = status_line.split()[1:2] == [b"303"]
        except OSError:
            ok = False
        finally:
            writer.close()
        if ok:
            result.latencies.append(time.perf_counter() - started)
        else:
            result.errors += 1

    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(person(i) for i in range(clients))), timeout=120)
    ended = time.monotonic()
    result.elapsed = ended - started
    result.note = f"the sends alone: {result.successes / (ended - released[0]):.0f}/s"
    return result


WARM_UP = "contention-warm-up"


def contention_slugs(repeat: int) -> list[str]:
    """One training per run, so that every run starts with all its seats free."""
    return ["contention"] + [f"contention-{run}" for run in range(2, repeat + 1)]


async def warm_up(server: Server, args) -> Result:
    """One contention run on a training of its own, not counted: a worker's first sign-ups
    build its statements, templates and prepared queries, as a server that has been up for
    a while has done before a training opens (the survey scenarios warm themselves up within
    their seconds of load; 60 sign-ups cannot)."""
    return await contention(server.url, WARM_UP, args.contenders)


async def contention_runs(server: Server, env: dict, args, cold: Result) -> Result:
    """``args.repeat`` contention runs, each on its own training; the median run by rate,
    with every run's rate and the statuses stored for each run (checked in the database).
    ``cold``: the warm-up run, reported beside them."""
    runs = []
    for slug in contention_slugs(args.repeat):
        run = await contention(server.url, slug, args.contenders)
        statuses = await asyncio.to_thread(statuses_once_sent, env, slug, run.successes)
        mails = statuses["mails"]
        seconds = statuses["mail_seconds"]
        run.note = (
            f"{statuses.get('confirmed', 0)} confirmed, "
            f"{statuses.get('waitlisted', 0)} waitlisted, {run.note}, "
            f"e-mails sent {mails.get('sent', 0)} (other: "
            f"{sum(mails.values()) - mails.get('sent', 0)}), the last "
            + (f"{seconds:.1f} s" if seconds is not None else "never")
            + " after the first sign-up"
        )
        runs.append(run)
    ordered = sorted(runs, key=lambda r: r.rate)
    median = ordered[len(ordered) // 2]
    note = (
        f"{args.contenders} clients, {args.seats} seats; after a first run not counted, "
        f"on a training of its own: {cold.rate:.0f}/s, p95 {cold.percentile(95):.0f} ms, "
        f"{cold.errors} errors"
    )
    if len(runs) > 1:
        rates = ", ".join(f"{r.rate:.0f}" for r in ordered)
        each = "; ".join(f"run {i}: {r.note}" for i, r in enumerate(runs, 1))
        median.note = f"{note}; median of {len(runs)} runs, per second: {rates}; {each}"
    else:
        median.note = f"{note}: {median.note}"
    return median


def prepare_database(
    url: str, folder: Path, seats: int, redis_url: str | None, runs: int = 1
) -> dict:
    """Migrate, add the demo trainings and the contention trainings (one per run); return
    the app's env."""
    env = {
        **({"REDIS_URL": redis_url} if redis_url else {}),
        "DATABASE_URL": url,
        "SURVEYS_SECRET_KEY": "benchmark",
        "SURVEYS_ORGANISATION_NAME": "Bench",
        "SURVEYS_ORGANISATION_ADDRESS": "Namur",
        "SURVEYS_CONTACT_EMAIL": "bench@example.be",
        "SURVEYS_PUBLIC_URL": "http://127.0.0.1",
        "SURVEYS_MIN_FILL_SECONDS": "0",
        # The default's shape (a per-minute and a per-hour counter: two Redis round trips per
        # form sent), with numbers no single load generator reaches.
        "SURVEYS_PUBLIC_POST_LIMIT": "1000000 per minute; 10000000 per hour",
        "SURVEYS_MAIL_BACKEND": "folder",
        "SURVEYS_MAIL_FOLDER": str(folder / "mail"),
        # As docs/deploy.md: the request queues its e-mail, the outbox worker writes and sends
        # it (to a folder here).
        "SURVEYS_OUTBOX_AFTER_COMMIT": "queue",
        "SURVEYS_SESSION_COOKIE_SECURE": "false",
    }
    script = f"""
import logging
logging.disable(logging.INFO)
from sqlalchemy import text
from flask_migrate import upgrade
from surveys import create_app
from surveys.extensions import db
from surveys.cli.demo import demo_trainings
from surveys.services.training_admin import create_training, SessionSpec
from datetime import date, time, timedelta
app = create_app()
with app.app_context():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE")); c.execute(text("CREATE SCHEMA public"))
    upgrade()
    db.session.add_all(demo_trainings(date.today())); db.session.commit()
    day = date.today() + timedelta(days=30)
    for slug in {[WARM_UP, *contention_slugs(runs)]!r}:
        create_training(slug, title={{"fr": "Atelier"}}, capacity={seats},
                        is_published=True, sessions=[SessionSpec(day, time(9), time(16), "Namur")])
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, **env}, check=True)
    return env


def count_statuses(env: dict, slug: str) -> dict:
    """The training's registrations by status, and its e-mails: by status, and how long after
    the first sign-up the last one was sent (seconds)."""
    script = """
import sys
from sqlalchemy import func, select
from surveys import create_app
from surveys.extensions import db
from surveys.models import OutboxMessage, Registration, Training
app = create_app()
with app.app_context():
    t = db.session.scalar(select(Training).filter_by(slug=sys.argv[1]))
    rows = db.session.execute(select(Registration.status, func.count()).where(
        Registration.training_id == t.id).group_by(Registration.status)).all()
    mails = db.session.execute(select(OutboxMessage.status, func.count()).join(
        Registration, Registration.id == OutboxMessage.registration_id).where(
        Registration.training_id == t.id).group_by(OutboxMessage.status)).all()
    first = db.session.scalar(select(func.min(Registration.created_at)).where(
        Registration.training_id == t.id))
    last = db.session.scalar(select(func.max(OutboxMessage.sent_at)).join(
        Registration, Registration.id == OutboxMessage.registration_id).where(
        Registration.training_id == t.id))
    print(repr({**dict(rows), "mails": dict(mails),
                "mail_seconds": (last - first).total_seconds() if first and last else None}))
"""
    output = subprocess.run(
        [sys.executable, "-c", script, slug],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return eval(output.strip().splitlines()[-1])  # noqa: S307 (our own script's dict)


def statuses_once_sent(env: dict, slug: str, expected: int, timeout: float = 120) -> dict:
    """``count_statuses`` once the outbox worker has sent the run's ``expected`` e-mails (or
    ``timeout`` has passed)."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = count_statuses(env, slug)
        if statuses["mails"].get("sent", 0) >= expected or time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


async def measure(url: str, args, redis_url: str | None) -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="surveys-load-"))
    env = prepare_database(url, folder, args.seats, redis_url, args.repeat)
    server = Server("wsgi:app", env)
    worker = OutboxWorker(env)
    try:
        await server.wait("/healthz")
        results = [
            median_of_runs(
                lambda path=path: page_load(f"GET {path}", server.url + path, args), args.repeat
            )
            for path in ("/fr/survey", "/fr/ili", "/fr/trainings/droit-des-etrangers")
        ]
        closed = (
            f"survey submissions, {args.clients} clients as fast as they go (GET, POST, redirect)"
        )
        results.append(
            median_of_runs(lambda: submission_load(closed, server.url, args), args.repeat)
        )
        paced = (
            f"survey submissions paced at {args.rate:g}/s by {args.clients} clients "
            "(time from each planned start)"
        )
        results.append(
            median_of_runs(
                lambda: submission_load(paced, server.url, args, rate=args.rate),
                args.repeat,
                by_latency=True,
            )
        )
        cold = await warm_up(server, args)
        await asyncio.to_thread(statuses_once_sent, env, WARM_UP, cold.successes)
        results.append(await contention_runs(server, env, args, cold))
    finally:
        worker.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


async def measure_signups(url: str, args, redis_url: str | None) -> list[Result]:
    """``--only signups``: the survey submissions as fast as they go, then the contention
    runs, on one server: the two rates of the same run, to be compared, and what each action
    cost the server in CPU time."""
    folder = Path(tempfile.mkdtemp(prefix="surveys-load-"))
    env = prepare_database(url, folder, args.seats, redis_url, args.repeat)
    server = Server("wsgi:app", env)
    worker = OutboxWorker(env)
    try:
        await server.wait("/healthz")
        closed = (
            f"survey submissions, {args.clients} clients as fast as they go (GET, POST, redirect)"
        )

        def submissions() -> Result:
            spent = server.cpu_seconds()
            result = submission_load(closed, server.url, args)
            result.cpu_ms = 1000 * (server.cpu_seconds() - spent) / max(result.successes, 1)
            return result

        submitted = median_of_runs(submissions, args.repeat)
        cold = await warm_up(server, args)
        await asyncio.to_thread(statuses_once_sent, env, WARM_UP, cold.successes)
        spent, mailed = server.cpu_seconds(), worker.cpu_seconds()
        signups = await contention_runs(server, env, args, cold)
        count = args.repeat * args.contenders
        signups.cpu_ms = 1000 * (server.cpu_seconds() - spent) / count
        signups.mail_cpu_ms = 1000 * (worker.cpu_seconds() - mailed) / count
        return [submitted, signups]
    finally:
        worker.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def signups_only(args) -> None:
    """Sign-ups against submissions, printed, without the floor, the page loads, the paced
    run or the exports; docs/benchmarks.md is left as it is."""
    redis_url = args.redis_url if redis_answers(args.redis_url) else None
    databases = [("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='surveys-bench-')}/load.sqlite3")]
    if postgres_version(args.postgres_url) and not args.skip_postgres:
        databases.append(("PostgreSQL", args.postgres_url))
    for name, url in databases:
        submissions, signups = await measure_signups(url, args, redis_url)
        print(f"## {name}")
        for r in (submissions, signups):
            print(
                f"{r.name} ({r.note}): {r.successes} ok, {r.errors} errors, {r.rate:.0f}/s, "
                f"p50 {r.percentile(50):.0f} ms, p95 {r.percentile(95):.0f} ms, "
                f"server CPU {r.cpu_ms:.1f} ms each"
                + (
                    f", outbox worker CPU {r.mail_cpu_ms:.1f} ms each"
                    if r.mail_cpu_ms is not None
                    else ""
                )
            )
        print(
            f"sign-ups per second / submissions per second: {signups.rate / submissions.rate:.0%}"
        )


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def export_figures(url: str | None) -> str:
    command = [sys.executable, str(ROOT / "bench" / "export_bench.py")]
    if url:
        command += ["--database-url", url]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in output.splitlines() if line and not line.startswith("INFO"))


def postgres_version(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except Exception:
        return None


def table(results: list[Result], floor: Result) -> list[str]:
    lines = [
        "| scenario | requests or actions | per second | p50 ms | p95 ms | p99 ms | errors "
        "| share of floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [floor, *results]:
        share = f"{100 * r.rate / floor.rate:.0f} %" if r is not floor and floor.rate else "—"
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.name}{note} | {r.successes} | {r.rate:.0f} | "
            f"{r.percentile(50):.1f} | {r.percentile(95):.1f} | "
            f"{r.percentile(99):.1f} | {r.errors} | {share} |"
        )
    return lines


async def main_async(args) -> None:
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"bench/run.py needs {tool}: apt-get install {tool} (or your system's)")
    floor_server = Server("bench.floor:app", {})
    await floor_server.wait()
    floor = median_of_runs(
        lambda: page_load("floor: bare Flask constant page", floor_server.url + "/", args),
        args.repeat,
    )
    floor_server.stop()
    redis_url = args.redis_url if redis_answers(args.redis_url) else None
    limits_store = f"Redis ({redis_url})" if redis_url else "memory (Redis did not answer)"

    databases = [("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='surveys-bench-')}/load.sqlite3")]
    pg_version = postgres_version(args.postgres_url)
    if pg_version and not args.skip_postgres:
        databases.append(("PostgreSQL", args.postgres_url))

    report = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` — do not edit by hand. Re-run it to refresh these figures.",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `python bench/run.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"- machine: {platform.machine()}, {os.cpu_count()} cores "
        f"({cpu_model()}), {memory_gb():.0f} GB; load generator and servers on the same machine",
        f"- Python {platform.python_version()}, Flask {version('flask')}, SQLAlchemy "
        f"{version('sqlalchemy')}, gunicorn {version('gunicorn')}, psycopg {version('psycopg')}, "
        f"rustpy-xlsxwriter {version('rustpy-xlsxwriter')}, {wrk_version()}"
        + (f", PostgreSQL {pg_version}" if pg_version else ""),
        f"- gunicorn settings (app and floor): `{' '.join(GUNICORN)}`, behind nginx "
        f"({nginx_version()}, one worker process, as in docs/deploy.md but without TLS)",
        f"- load: wrk on the same machine, {args.clients} concurrent connections to nginx, "
        f"{args.duration:g} s or {args.max_requests} requests (or submissions) per run, "
        f"{args.repeat} runs per scenario (the median run is shown, every run's figure beside "
        "it); "
        f"contention: {args.contenders} clients sending at once for {args.seats} seats",
        f"- rate limits: {limits_store}",
        "- form pages: after each worker's first request for a page, the page cache answers it "
        "before Flask (surveys/public/page_cache.py), with each visitor's own tokens and session "
        "cookie; a training page's seats and dates are read again at most "
        "SURVEYS_TRAINING_PAGE_MAX_AGE (1 s) after another process changed them",
        "- submissions: the scenario *as fast as they go* measures capacity (each of the 32 "
        "clients sends its next submission as soon as the last one ends, so its latency is "
        "mostly waiting behind the others: 32 / rate); the *paced* one measures what a person "
        "waits at the target rate, from each submission's planned start",
        "",
    ]
    for name, url in databases:
        results = await measure(url, args, redis_url)
        report += [f"## {name}", "", *table(results, floor), ""]
        print("\n".join(report[-len(results) - 4 :]))
    if not args.skip_exports:
        report += ["## Export of 100,000 survey answers", ""]
        for name, url in databases:
            figures = export_figures(None if name == "SQLite" else url)
            report += [f"{name}:", "", "```", figures, "```", ""]
            print(figures)
    output = ROOT / "docs" / "benchmarks.md"
    output.parent.mkdir(exist_ok=True)
    report += soak_section(output)
    output.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"written to {output}")


# bench/soak.py's section of docs/benchmarks.md, kept when this harness rewrites the file.
SOAK_START, SOAK_END = "<!-- soak -->", "<!-- /soak -->"


def soak_section(path: Path) -> list[str]:
    """The soak's section of the existing report, markers included, as one line of the
    report ([] if there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    start = text.find(SOAK_START)
    end = text.find(SOAK_END, start)
    if start < 0 or end < 0:
        return []
    return [text[start : end + len(SOAK_END)]]


def wrk_version() -> str:
    output = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return " ".join((output.stdout + output.stderr).split()[:2])


def nginx_version() -> str:
    output = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return (output.stdout + output.stderr).strip().removeprefix("nginx version: ")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per scenario; the median run is reported"
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="upper bound of requests (or submissions) per scenario; the time bound should "
        "end a run first, or the slowest connections would set its length",
    )
    parser.add_argument(
        "--rate", type=float, default=300, help="pace of the paced submissions, per second"
    )
    parser.add_argument("--contenders", type=int, default=60)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument(
        "--only",
        choices=["signups"],
        help="signups: only the survey submissions as fast as they go and the contention "
        "runs, printed (docs/benchmarks.md is not written)",
    )
    args = parser.parse_args()
    asyncio.run(signups_only(args) if args.only == "signups" else main_async(args))


if __name__ == "__main__":
    main()
