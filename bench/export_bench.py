"""Export benchmark: 100,000 stored survey answers to CSV and to XLSX, through the real
staff endpoints (login, streaming response), on SQLite or PostgreSQL.

    python bench/export_bench.py                      # SQLite file in a temporary folder
    python bench/export_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
                                                      # (drops and rebuilds that database's schema)

Reports wall time, the process's CPU time (far below the wall time when something else held
the CPU: measure again) and peak memory growth (resident set size, sampled every 10 ms, over
the process's size just before the export started) for each format.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import insert, text

from surveys import create_app
from surveys.extensions import db
from surveys.forms import registry
from surveys.models import Submission, utcnow
from surveys.services import staff_accounts
from surveys.services.forms import current_version_id

PASSWORD = "un benchmark bien long et sûr"
xlsx_version = version("rustpy-xlsxwriter")


def random_answers(rng: random.Random) -> dict:
    answers = {}
    for question in registry.registered("survey").definition.questions:
        if question.is_choice:
            codes = list(question.choice_codes)
            if question.kind == "multiple":
                answers[question.code] = sorted(rng.sample(codes, rng.randint(1, 3)))
            else:
                answers[question.code] = rng.choice(codes)
    answers["comment"] = "Merci pour les informations sur les cours de français."
    return answers


def load(app, count: int) -> None:
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        # A coordinator exports; an administrator's login would have a second step.
        staff_accounts.create_staff("bench@example.be", PASSWORD, role="coordinator")
        now = utcnow()
        version_id = current_version_id("survey")
        batch = []
        for i in range(count):
            batch.append(
                {
                    "form": "survey",
                    "form_version": 1,
                    "version_id": version_id,
                    "locale": rng.choice(["fr", "en", "uk"]),
                    "answers": random_answers(rng),
                    "submission_key": f"bench-{i:012d}",
                    "consents": {},
                    "created_at": now,
                }
            )
            if len(batch) == 5000:
                db.session.execute(insert(Submission), batch)
                batch = []
        if batch:
            db.session.execute(insert(Submission), batch)
        db.session.commit()


class PeakRSS:
    def __init__(self):
        self.process = psutil.Process()
        self.peak = 0
        self.running = False

    def __enter__(self):
        self.baseline = self.process.memory_info().rss
        self.peak = self.baseline
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / 1024 / 1024


def export(client, extension: str) -> tuple[float, float, float, int, int]:
    import gc

    gc.collect()
    with PeakRSS() as memory:
        started = time.perf_counter()
        cpu_started = time.process_time()
        response = client.get(f"/staff/forms/survey/export.{extension}")
        assert response.status_code == 200, response.status_code
        size = 0
        rows = 0
        for chunk in response.response:  # consume the stream as a browser would
            size += len(chunk)
            if extension == "csv":
                rows += chunk.count(b"\r\n")
        response.close()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    return elapsed, cpu, memory.growth_mb, size, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="surveys-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    config = {
        "TESTING": True,
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_BACKEND": "folder",
        "MAIL_FOLDER": folder,
        "OUTBOX_AFTER_COMMIT": "write",
    }
    app = create_app(config)
    if url.startswith("postgresql"):
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    started = time.perf_counter()
    load(app, args.rows)
    print(
        f"database: {url.split(':')[0]}; {args.rows} answers loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )

    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/staff/login",
        data={"csrf_token": token, "email": "bench@example.be", "password": PASSWORD},
    )
    assert response.status_code == 302, "login failed"
    timings = {}
    for extension in ("csv", "xlsx"):
        elapsed, cpu, growth, size, rows = export(client, extension)
        timings[extension] = (elapsed, cpu, growth)
        extra = f", {rows - 1} data rows" if extension == "csv" else ""
        print(
            f"{extension}: {elapsed:.2f} s (cpu {cpu:.2f} s), peak memory growth {growth:.1f} MB, "
            f"{size / 1024 / 1024:.1f} MB written{extra}"
        )
    # The target (issue 14): the styled workbook in at most 4 x the CSV's time of the same
    # run, and at most 50 MB of memory growth.
    ratio = timings["xlsx"][0] / timings["csv"][0]
    cpu_ratio = timings["xlsx"][1] / timings["csv"][1]
    verdict = "within" if ratio <= 4 and timings["xlsx"][2] <= 50 else "OUTSIDE"
    print(
        f"xlsx / csv: {ratio:.1f} x the time (cpu {cpu_ratio:.1f} x), "
        f"{verdict} the target (4 x, 50 MB)"
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, rustpy-xlsxwriter {xlsx_version}"
    )


if __name__ == "__main__":
    main()
