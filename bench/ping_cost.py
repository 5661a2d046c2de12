"""What checking every pooled connection before use (SQLAlchemy's ``pool_pre_ping``, see
config.py) costs a survey submission: POSTs in-process through the app, with the check on and
off, in alternating rounds of the same run (the ratio holds; the times depend on the day).

    python bench/ping_cost.py                    # the local PostgreSQL test database
    python bench/ping_cost.py --database-url sqlite:////tmp/ping.sqlite3

The database's schema is dropped and rebuilt (PostgreSQL) or migrated (a new SQLite file).
"""

import argparse
import re
import statistics
import sys
import time
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import text

from surveys import create_app
from surveys.config import normalise_database_url
from surveys.extensions import db

ANSWERS = {
    "topics": ["french_courses", "housing"],
    "channels": ["whatsapp", "email"],
    "preferred_channel": "whatsapp",
    "frequency": "weekly",
    "languages": ["uk"],
    "commune": "namur",
    "time_in_belgium": "1_to_2_years",
    "age_range": "36_50",
    "smartphone": "own",
    "internet_access": ["home"],
}
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def make(url: str, ping: bool):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": ping},
            "MIN_FILL_SECONDS": 0,
            "PUBLIC_POST_LIMIT": "1000000 per minute",
        }
    )


def one_round(app, count: int) -> float:
    """Milliseconds per POST (the GET that serves each form is not counted)."""
    client = app.test_client()
    spent = 0.0
    for _ in range(count):
        page = client.get("/fr/survey").get_data(as_text=True)
        data = {name: unescape(value) for name, value in HIDDEN.findall(page)} | ANSWERS
        start = time.perf_counter()
        assert client.post("/fr/survey", data=data).status_code == 303
        spent += time.perf_counter() - start
    return spent / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--posts", type=int, default=300)
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    apps = {ping: make(url, ping) for ping in (True, False)}
    with apps[True].app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    times = {True: [], False: []}
    for _ in range(args.rounds):
        for ping, app in apps.items():
            times[ping].append(one_round(app, args.posts))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    for ping in (True, False):
        rounds = ", ".join(f"{t:.2f}" for t in times[ping])
        print(
            f"pool_pre_ping={ping}: median {statistics.median(times[ping]):.3f} ms/POST ({rounds})"
        )
    print(f"on / off: {on / off:.3f} (+{on - off:.3f} ms per submission)")


if __name__ == "__main__":
    main()
